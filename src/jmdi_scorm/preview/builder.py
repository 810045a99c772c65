"""Build one format into a folder for the preview: the stages of ``build.py`` without the zip.

The folder is replaced only once a build is complete (``package.write_tree``), so a failed
rebuild leaves the last good one in place and the preview keeps serving it.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from jmdi_scorm.build import select_targets
from jmdi_scorm.errors import CourseError, JmdiError
from jmdi_scorm.package.archive import write_tree
from jmdi_scorm.render.pages import RenderOptions, render_site
from jmdi_scorm.render.site import COURSE, LAUNCH
from jmdi_scorm.source.validate import load_course

MANIFEST = "imsmanifest.xml"
#: The JS runtime adapter of each standard: what kind of LMS side the preview must play.
KINDS = {"scorm12": "scorm12", "scorm2004": "scorm2004", "xapi": "xapi", "cmi5": "cmi5", "local": "web"}


def formats() -> tuple[str, ...]:
    """The formats the preview can play the LMS of: every registered target whose adapter it knows."""
    from jmdi_scorm.targets import TARGETS

    return tuple(name for name, target in TARGETS.items() if target.adapter in KINDS)


@dataclass
class Build:
    """The outcome of one (re)build; ``number`` grows by one per attempt, ``ok`` or not."""

    number: int
    ok: bool
    seconds: float
    error: str = ""
    problems: list[str] = field(default_factory=list)
    course_id: str = ""
    title: str = ""
    kind: str = ""  # scorm12, scorm2004, xapi, cmi5 or web
    scos: list[dict[str, Any]] = field(default_factory=list)  # SCORM launch points, manifest order

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "error": self.error,
            "problems": self.problems,
            "course": self.course_id,
            "title": self.title,
            "kind": self.kind,
            "scos": self.scos,
        }


def build_folder(course_dir: Path, fmt: str, dest: Path, number: int) -> Build:
    """Build ``fmt`` for ``course_dir`` into ``dest``; user errors come back in the result."""
    started = time.perf_counter()
    try:
        [target] = select_targets((fmt,))
        course, ctx = load_course(course_dir)
        site = render_site(course, RenderOptions(), ctx.build)
        files = target.package(course, site, COURSE).files
        write_tree(files, dest)
    except CourseError as exc:
        return Build(number, False, time.perf_counter() - started, str(exc), [str(p) for p in exc.problems])
    except JmdiError as exc:
        return Build(number, False, time.perf_counter() - started, str(exc))
    except Exception as exc:  # a bug: keep serving the last good build, show the traceback
        detail = traceback.format_exc()
        return Build(number, False, time.perf_counter() - started, f"internal error: {exc!r}", [detail])
    kind = KINDS.get(target.adapter, "web")
    scos = scorm_launches(files.get(MANIFEST, b"")) if kind.startswith("scorm") else []
    warnings = [str(p) for p in ctx.problems]
    return Build(number, True, time.perf_counter() - started, "", warnings, course.id, course.meta.title, kind, scos)


def scorm_launches(manifest: bytes) -> list[dict[str, Any]]:
    """The SCOs of a manifest, as an LMS would launch them: href + item parameters and the values
    the LMS hands the SCO from the manifest (1.2 ``adlcp:masteryscore``, 2004
    ``imsss:minNormalizedMeasure`` when satisfied by measure, ``adlcp:completionThreshold``,
    ``dataFromLMS``)."""
    if not manifest:
        return [{"id": "sco", "title": "", "href": LAUNCH}]
    root = etree.fromstring(manifest, etree.XMLParser(resolve_entities=False, no_network=True))
    hrefs = {res.get("identifier"): res.get("href") for res in root.iter() if _local(res) == "resource"}
    scos = []
    for item in root.iter():
        if _local(item) != "item" or not item.get("identifierref"):
            continue
        href = hrefs.get(item.get("identifierref")) or LAUNCH
        values = {_local(child): (child.text or "").strip() for child in item.iter() if child is not item}
        sco: dict[str, Any] = {
            "id": item.get("identifier"),
            "title": values.get("title", ""),
            "href": href + (item.get("parameters") or ""),
            "masteryScore": values.get("masteryscore", ""),
            "dataFromLMS": values.get("datafromlms") or values.get("dataFromLMS", ""),
            "completionThreshold": values.get("completionThreshold", ""),
            "scaledPassingScore": _passing_score(item),
        }
        scos.append(sco)
    return scos


def _passing_score(item: etree._Element) -> str:
    for node in item.iter():
        if _local(node) == "primaryObjective" and node.get("satisfiedByMeasure") == "true":
            for child in node:
                if _local(child) == "minNormalizedMeasure":
                    return (child.text or "1.0").strip()
            return "1.0"  # the XSD default of minNormalizedMeasure
    return ""


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""
