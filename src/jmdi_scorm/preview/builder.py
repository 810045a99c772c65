"""Build one format into a folder for the preview: the stages of ``build.py`` without the zip.

The folder is replaced only once a build is complete (``package.write_tree``), so a failed
rebuild leaves the last good one in place and the preview keeps serving it.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree

from jmdi_scorm.build import select_targets
from jmdi_scorm.errors import CourseError, JmdiError
from jmdi_scorm.package.archive import check_entry_name
from jmdi_scorm.package.staging import write_tree
from jmdi_scorm.render.pages import (
    RenderOptions,
    content_data,
    render_site,
    rerender_print_pages,
    rerender_topic,
)
from jmdi_scorm.render.site import COURSE, LAUNCH, Site, print_page_path
from jmdi_scorm.source import model
from jmdi_scorm.source.loader import LoadContext
from jmdi_scorm.source.validate import load_course, recheck_topic
from jmdi_scorm.targets.base import Target
from jmdi_scorm.targets.xapi_activities import KEPT_MODULES

MANIFEST = "imsmanifest.xml"
CONTENT, PRINT = "content/", "print/"
#: ``Site.once`` keys whose entries a topic edit leaves true (``_reusable``): safety.audit_memo,
#: credentials.credential_memo (by content), xapi_common.adapter_code (by runtime source), the
#: xAPI activities of each module (``xapi_activities.Activities``: by the module's objects).
REUSABLE = frozenset({"audit", "credential-lines", "xapi-adapter", KEPT_MODULES})
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
    #: Pages whose content script this build changed, when only content scripts and print pages
    #: changed (the course shows them again in place); None: relaunch the course.
    pages: list[str] | None = None

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
            "pages": self.pages,
        }


def build_folder(course_dir: Path, fmt: str, dest: Path, number: int) -> Build:
    """Build ``fmt`` for ``course_dir`` into ``dest``; user errors come back in the result."""
    return Builder(course_dir, fmt, dest).build(number)


@dataclass(frozen=True)
class _Made:
    """What the last good build made, kept for the next one to start from. ``due``: the modules
    whose print page in ``files`` is out of date, not in the folder until it is asked for."""

    course: model.Course
    load: LoadContext
    site: Site
    files: dict[str, bytes]
    due: frozenset[str] = frozenset()

    def due_files(self) -> frozenset[str]:
        return frozenset(print_page_path(module) for module in self.due)


class Builder:
    """Builds ``fmt`` for ``course_dir`` into ``dest``, again and again.

    ``build(number)`` builds everything and replaces the folder. ``build(number, topic)``, when
    only the topic file ``topic`` changed since the last good build, reads that file again into
    the course of that build, runs every check, renders the pages showing the topic again
    (``render.pages.rerender_topic``), packages, and writes only the files whose bytes changed:
    the same folder as a full build, in a fraction of the time. It builds everything when it
    cannot (another kind of file, a new id, the first build). ``Build.pages`` names the pages
    whose content script changed, or is ``None`` when more than content scripts changed.

    The print page of the edited topic's module is rendered only when it is asked for
    (``fresh``): until then it is out of the folder, which is then a full build's.
    """

    def __init__(self, course_dir: Path, fmt: str, dest: Path):
        self.course_dir, self.fmt, self.dest = course_dir, fmt, dest
        self._made: _Made | None = None

    def build(self, number: int, topic: Path | None = None) -> Build:
        started = time.perf_counter()
        pages: list[str] | None = None
        try:
            [target] = select_targets((self.fmt,))
            made = self._topic(target, topic) if topic is not None and self._made else None
            if made is None:
                course, ctx = load_course(self.course_dir)
                site = render_site(course, RenderOptions(), ctx.build)
                made = _Made(course, ctx, site, target.package(course, site, COURSE).files)
                write_tree(made.files, self.dest)
            else:
                assert self._made is not None
                old, self._made = self._made.files, None  # a write that fails: the next build is full
                pages = _write_changes(old, made.files, self.dest, made.due_files())
        except CourseError as exc:
            return Build(number, False, time.perf_counter() - started, str(exc), [str(p) for p in exc.problems])
        except JmdiError as exc:
            return Build(number, False, time.perf_counter() - started, str(exc))
        except Exception as exc:  # a bug: keep serving the last good build, show the traceback
            detail = traceback.format_exc()
            return Build(number, False, time.perf_counter() - started, f"internal error: {exc!r}", [detail])
        self._made = made
        course, files = made.course, made.files
        kind = KINDS.get(target.adapter, "web")
        scos = scorm_launches(files.get(MANIFEST, b"")) if kind.startswith("scorm") else []
        warnings = [str(p) for p in made.load.problems]
        seconds = time.perf_counter() - started
        return Build(number, True, seconds, "", warnings, course.id, course.meta.title, kind, scos, pages)

    def may_use(self, path: Path) -> bool:
        """Whether a build may read ``path``: a course file (Markdown, YAML) or one the last good
        build used (assets, resource files); ``True`` when unknown."""
        if self._made is None or path.suffix in (".md", ".yaml", ".yml"):
            return True
        try:
            name = path.resolve().relative_to(self._made.load.root).as_posix()
        except ValueError:
            return True
        course = self._made.course
        return name in course.assets or any(r.file == name for r in course.resources)

    def _topic(self, target: Target, path: Path) -> _Made | None:
        """The build after only the topic file ``path`` changed, or ``None``: build everything."""
        last = self._made
        assert last is not None
        checked = recheck_topic(last.course, last.load, path)  # CourseError: the edit's problems
        if checked is None:
            return None
        course, ctx = checked
        source = _source(ctx, path)
        module = next((m for m in course.modules for t in m.topics if t.source == source), None)
        topic = next((t for t in module.topics if t.source == source), None) if module else None
        kept = {key: value for key, value in last.site.context.memo.items() if _reusable(key)}
        site = rerender_topic(last.site, course, topic.id, render_print=False) if module and topic else None
        if site is None or module is None:
            return None
        site.context.memo.update(kept)
        files = target.package(course, site, COURSE).files
        return _Made(course, ctx, site, files, last.due | {module.id})

    def contents(self, pages: list[str]) -> dict[str, dict[str, Any]]:
        """What the content scripts of ``pages`` in the last good build hand ``JMDI.page``."""
        files = self._made.files if self._made else {}
        found = {page: content_data(files.get(f"{CONTENT}{page}.js", b"")) for page in pages}
        return {page: data for page, data in found.items() if data is not None}

    def due(self, name: str) -> bool:
        """Whether the package file ``name`` is a print page left out of date (see ``fresh``)."""
        made = self._made
        return made is not None and name in made.due_files()

    def fresh(self, name: str) -> None:
        """Before the package file ``name`` is served: if it is a print page a topic edit left
        out of date, render the print pages left so and write them into the folder (the package
        made again, so the folder is a full build's)."""
        made = self._made
        if made is None or name not in made.due_files():
            return
        [target] = select_targets((self.fmt,))
        site = rerender_print_pages(made.site, made.due)
        files = target.package(made.course, site, COURSE).files
        written = {key: data for key, data in made.files.items() if key not in made.due_files()}
        self._made = None  # a write that fails: the next build is full
        _write_changes(written, files, self.dest)
        self._made = replace(made, site=site, files=files, due=frozenset())


def _reusable(key: object) -> bool:
    """Whether a ``Site.once`` entry of the last build holds for the next: those keyed by the
    contents they judged (the safety audit, the credential check) or made of the runtime's own
    sources (the joined xAPI adapters), which a course edit does not change."""
    return key in REUSABLE or (isinstance(key, tuple) and bool(key) and key[0] in REUSABLE)


def _source(ctx: LoadContext, path: Path) -> str:
    return path.resolve().relative_to(ctx.root).as_posix()


def _write_changes(
    old: dict[str, bytes], new: dict[str, bytes], dest: Path, later: Collection[str] = ()
) -> list[str] | None:
    """Write into the folder ``dest`` (holding ``old``) the files of ``new`` that differ, remove
    those gone and those to be written ``later``; the ids of the pages whose content script
    changed, ``None`` if anything else did but print pages (the launch page, the runtime, a
    manifest: the course must be launched again)."""
    changed = sorted(name for name, data in new.items() if old.get(name) != data and name not in later)
    gone = sorted((set(old) - set(new)) | set(later))
    for name in changed:
        check_entry_name(name)
        path = dest.joinpath(*PurePosixPath(name).parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_bytes(new[name])
        temporary.replace(path)
    for name in gone:
        dest.joinpath(*PurePosixPath(name).parts).unlink(missing_ok=True)
    pages = [name[len(CONTENT) : -3] for name in changed if name.startswith(CONTENT) and name.endswith(".js")]
    others = [name for name in [*changed, *gone] if not name.startswith(CONTENT) and not name.startswith(PRINT)]
    return None if others or any(name.startswith(CONTENT) for name in gone) else pages


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
