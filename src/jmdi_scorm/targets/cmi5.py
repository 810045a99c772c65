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
from jmdi_scorm.render.site import LAUNCH, Scope, Site
from jmdi_scorm.source import model
from jmdi_scorm.targets.base import SCO_MODES, PackageResult, Target
from jmdi_scorm.targets.scorm_common import scope_is_course, scope_modules
from jmdi_scorm.targets.xapi_activities import (
    TYPE_ASSESSMENT,
    TYPE_COURSE,
    TYPE_LESSON,
    TYPE_MODULE,
    assessment_page,
    plain_text,
)
from jmdi_scorm.targets.xapi_common import package_files

DESCRIPTOR = "cmi5.xml"
NS_CMI5 = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"


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


def units(course: model.Course, scope: Scope | None, mode: str) -> list[Unit]:
    """The AUs and blocks of the package, in reading order."""
    if mode not in SCO_MODES:
        raise BuildError(f"unknown AU mode '{mode}' (use one of {', '.join(SCO_MODES)})")
    modules = scope_modules(course, scope)
    whole = scope_is_course(scope)
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


def _langstrings(parent: etree._Element, name: str, texts: list[tuple[str, str]]) -> None:
    """``<name>`` with a ``langstring`` per (language, text), the package's language first."""
    holder = etree.SubElement(parent, _tag(name))
    for lang, text in texts:
        etree.SubElement(holder, _tag("langstring"), {"lang": lang}).text = text


def mastery(value: float) -> str:
    """``masteryScore``: a decimal 0-1 with at most four places (§8.1: ``0.8``, never ``80``)."""
    return f"{round(value, 4):.4f}".rstrip("0").rstrip(".") or "0"


def _unit(parent: etree._Element, unit: Unit, course: model.Course, twins: list[tuple[str, Unit]]) -> None:
    """One AU or block; ``twins``: (language, the same unit) in the other languages of the build."""
    lang = course.meta.language
    titles = [(lang, unit.title)] + [(other, twin.title) for other, twin in twins]
    descriptions = [(lang, unit.description)] + [(other, twin.description) for other, twin in twins]
    if unit.children:
        block = etree.SubElement(parent, _tag("block"), {"id": unit.ident})
        _langstrings(block, "title", titles)
        _langstrings(block, "description", descriptions)
        for i, child in enumerate(unit.children):
            _unit(block, child, course, [(other, twin.children[i]) for other, twin in twins])
        return
    attrs = {"id": unit.ident, "moveOn": "CompletedAndPassed" if unit.assessed else "Completed"}
    if unit.assessed:
        attrs["masteryScore"] = mastery(course.meta.tracking.mastery_score)
    attrs |= {"launchMethod": "AnyWindow", "activityType": unit.activity_type}
    au = etree.SubElement(parent, _tag("au"), attrs)
    _langstrings(au, "title", titles)
    _langstrings(au, "description", descriptions)
    # The AU's own query string is merged with the cmi5 launch parameters by the LMS (§8.1).
    etree.SubElement(au, _tag("url")).text = f"{LAUNCH}?sco={unit.page}" if unit.page else LAUNCH


def _head(course: model.Course, scope: Scope | None) -> tuple[str, str]:
    """Title and description of the course structure's ``course``: the course's, or its module's."""
    if scope_is_course(scope):
        return course.meta.title, plain_text(course.meta.description)
    module = scope_modules(course, scope)[0]
    return module.title, plain_text(module.meta.aim)


def cmi5_xml(
    course: model.Course, scope: Scope | None = None, mode: str = "course", others: tuple[model.Course, ...] = ()
) -> bytes:
    """The course structure: ``course``, then the AUs and blocks (§8.1). ``others``: the course in
    the other languages of the build, whose titles and descriptions join each ``langstring`` list."""
    root = etree.Element(_tag("courseStructure"), nsmap={None: NS_CMI5})
    languages = [course, *others]
    whole = scope_is_course(scope)
    head = etree.SubElement(
        root,
        _tag("course"),
        {"id": course.package_iri("") if whole else course.package_iri("module", scope_modules(course, scope)[0].id)},
    )
    heads = [(each.meta.language, _head(each, scope)) for each in languages]
    _langstrings(head, "title", [(lang, title) for lang, (title, _) in heads])
    _langstrings(head, "description", [(lang, description) for lang, (_, description) in heads])
    twins = [(other.meta.language, units(other, scope, mode)) for other in others]
    for i, unit in enumerate(units(course, scope, mode)):
        _unit(root, unit, course, [(lang, found[i]) for lang, found in twins])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class Cmi5Target(Target):
    """``--format cmi5`` (Target interface, docs/architecture.md)."""

    name = "cmi5"
    description = "cmi5 zip (cmi5.xml, one AU; the LMS launches it with its LRS and an auth token)"
    adapter = "cmi5"

    def __init__(self, au_mode: str = "course") -> None:
        self.au_mode = au_mode

    def with_sco(self, mode: str) -> Cmi5Target:
        """A copy making one AU per package (default), module or topic (``--sco``, like SCOs)."""
        if mode not in SCO_MODES:
            raise BuildError(f"unknown AU mode '{mode}' (use one of {', '.join(SCO_MODES)})")
        return Cmi5Target(mode)

    def package(self, course: model.Course, site: Site, scope: Scope) -> PackageResult:
        mode = self.au_mode
        files = package_files(course, site, scope, self.adapter)
        others = tuple(other for other in site.languages if other is not course)
        files[DESCRIPTOR] = cmi5_xml(course, scope, mode, others)
        refuse_credentials(files, "cmi5", credential_memo(site))
        count = sum(1 for _ in _leaves(units(course, scope, mode)))
        detail = (
            f"cmi5: {count} AU(s) (one per {'package' if mode == 'course' else mode}); "
            "the LMS hands out the auth token through the fetch URL"
        )
        return PackageResult(files, details=(detail,))


def _leaves(items: list[Unit] | tuple[Unit, ...]) -> Iterator[Unit]:
    for item in items:
        if item.children:
            yield from _leaves(item.children)
        else:
            yield item


TARGET = Cmi5Target()
