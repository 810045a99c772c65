"""cmi5 packages: ``cmi5.xml`` (docs/standards.md §8.1) and the ``cmi5`` adapter.

Project mapping: the course is the course structure's ``course``; by default the whole package
is one AU; with AUs per module each module is an AU, with AUs per topic each module is a
``block`` of topic AUs (plus its assessment). An AU with questions moves on when
``CompletedAndPassed`` with the course's mastery score; an AU without questions when
``Completed`` (§8.1, project moveOn choice).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from jmdi_scorm.errors import BuildError
from jmdi_scorm.package.credentials import credential_memo, refuse_credentials
from jmdi_scorm.render.site import Scope, Site
from jmdi_scorm.source import model
from jmdi_scorm.targets.base import PackageResult, Target
from jmdi_scorm.targets.xapi_common import (
    LAUNCH,
    TYPE_ASSESSMENT,
    TYPE_COURSE,
    TYPE_LESSON,
    TYPE_MODULE,
    assessment_page,
    package_files,
    plain_text,
    scope_is_course,
    scope_modules,
)

DESCRIPTOR = "cmi5.xml"
NS_CMI5 = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
AU_MODES = ("course", "module", "topic")


@dataclass(frozen=True)
class Unit:
    """One ``au`` (no children) or ``block`` (children) of the course structure."""

    ident: str
    title: str
    description: str
    children: tuple[Unit, ...] = ()
    page: str | None = None  # the runtime page the AU opens (``?sco=``); None = the whole package
    assessed: bool = False
    activity_type: str = TYPE_LESSON


def _assessed(module: model.Module) -> bool:
    return bool(module.meta.assessment) or any(topic.questions for topic in module.topics)


def _module_units(course: model.Course, module: model.Module) -> tuple[Unit, ...]:
    units = [
        Unit(course.package_iri("topic", t.id), t.title, t.meta.summary, page=t.id, assessed=bool(t.questions))
        for t in module.topics
    ]
    if module.meta.assessment:
        title = module.meta.assessment.title
        units.append(
            Unit(
                course.package_iri("assessment", module.id),
                title,
                title,
                page=assessment_page(module),
                assessed=True,
                activity_type=TYPE_ASSESSMENT,
            )  # fmt: skip
        )
    return tuple(units)


def units(course: model.Course, scope: object, mode: str) -> list[Unit]:
    """The AUs and blocks of the package, in reading order."""
    if mode not in AU_MODES:
        raise BuildError(f"unknown AU mode '{mode}' (use one of {', '.join(AU_MODES)})")
    modules = scope_modules(course, scope)
    whole = scope_is_course(scope, course)
    if mode == "topic":
        if not whole:
            return list(_module_units(course, modules[0]))
        return [
            Unit(course.package_iri("module", m.id), m.title, plain_text(m.meta.aim), _module_units(course, m))
            for m in modules
        ]
    if mode == "module" and whole:
        return [
            Unit(
                course.package_iri("module", m.id),
                m.title,
                plain_text(m.meta.aim),
                page=m.id,
                assessed=_assessed(m),
                activity_type=TYPE_MODULE,
            )  # fmt: skip
            for m in modules
        ]
    owner = course.id if whole else modules[0].id
    title = course.meta.title if whole else modules[0].title
    kind = TYPE_COURSE if whole else TYPE_MODULE
    summary = plain_text(course.meta.description if whole else modules[0].meta.aim)
    return [
        Unit(course.package_iri("au", owner), title, summary, assessed=any(map(_assessed, modules)), activity_type=kind)
    ]


def _tag(name: str) -> str:
    return f"{{{NS_CMI5}}}{name}"


def _langstrings(parent: etree._Element, name: str, text: str, lang: str) -> None:
    holder = etree.SubElement(parent, _tag(name))
    etree.SubElement(holder, _tag("langstring"), {"lang": lang}).text = text


def mastery(value: float) -> str:
    """``masteryScore``: a decimal 0-1 with at most four places (§8.1: ``0.8``, never ``80``)."""
    return f"{round(value, 4):.4f}".rstrip("0").rstrip(".") or "0"


def _unit(parent: etree._Element, unit: Unit, course: model.Course) -> None:
    lang = course.meta.language
    if unit.children:
        block = etree.SubElement(parent, _tag("block"), {"id": unit.ident})
        _langstrings(block, "title", unit.title, lang)
        _langstrings(block, "description", unit.description, lang)
        for child in unit.children:
            _unit(block, child, course)
        return
    attrs = {"id": unit.ident, "moveOn": "CompletedAndPassed" if unit.assessed else "Completed"}
    if unit.assessed:
        attrs["masteryScore"] = mastery(course.meta.tracking.mastery_score)
    attrs |= {"launchMethod": "AnyWindow", "activityType": unit.activity_type}
    au = etree.SubElement(parent, _tag("au"), attrs)
    _langstrings(au, "title", unit.title, lang)
    _langstrings(au, "description", unit.description, lang)
    # The AU's own query string is merged with the cmi5 launch parameters by the LMS (§8.1).
    etree.SubElement(au, _tag("url")).text = f"{LAUNCH}?sco={unit.page}" if unit.page else LAUNCH


def cmi5_xml(course: model.Course, scope: object = None, mode: str = "course") -> bytes:
    """The course structure: ``course``, then the AUs and blocks (§8.1)."""
    root = etree.Element(_tag("courseStructure"), nsmap={None: NS_CMI5})
    lang = course.meta.language
    whole = scope_is_course(scope, course)
    head = etree.SubElement(
        root,
        _tag("course"),
        {"id": course.package_iri("") if whole else course.package_iri("module", scope_modules(course, scope)[0].id)},
    )
    if whole:
        _langstrings(head, "title", course.meta.title, lang)
        _langstrings(head, "description", plain_text(course.meta.description), lang)
    else:
        module = scope_modules(course, scope)[0]
        _langstrings(head, "title", module.title, lang)
        _langstrings(head, "description", plain_text(module.meta.aim), lang)
    for unit in units(course, scope, mode):
        _unit(root, unit, course)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class Cmi5Target(Target):
    """``--format cmi5`` (Target interface, docs/architecture.md)."""

    name = "cmi5"
    adapter = "cmi5"

    def __init__(self, au_mode: str = "course") -> None:
        self.au_mode = au_mode

    def with_sco(self, mode: str) -> Cmi5Target:
        """A copy making one AU per package (default), module or topic (``--sco``, like SCOs)."""
        if mode not in AU_MODES:
            raise BuildError(f"unknown AU mode '{mode}' (use one of {', '.join(AU_MODES)})")
        return Cmi5Target(mode)

    def package(self, course: model.Course, site: Site, scope: Scope) -> PackageResult:
        mode = self.au_mode
        files = package_files(course, site, scope, self.adapter)
        files[DESCRIPTOR] = cmi5_xml(course, scope, mode)
        refuse_credentials(files, "cmi5", credential_memo(site))
        count = sum(1 for _ in _leaves(units(course, scope, mode)))
        note = (
            f"cmi5: {count} AU(s) (one per {'package' if mode == 'course' else mode}); "
            "the LMS hands out the auth token through the fetch URL"
        )
        return PackageResult(files, (note,))


def _leaves(items: list[Unit] | tuple[Unit, ...]) -> Iterator[Unit]:
    for item in items:
        if item.children:
            yield from _leaves(item.children)
        else:
            yield item


TARGET = Cmi5Target()
