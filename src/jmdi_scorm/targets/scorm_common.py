"""What the SCORM 1.2 and 2004 targets share: the SCO tree, identifiers, file lists, control
files, the suspend-data size check and the LMS import sheet.

The edition modules (``scorm12.py``, ``scorm2004.py``) only turn the tree built here into
their own manifest dialect; every rule that does not depend on the edition lives here once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree

from jmdi_scorm.errors import BuildError
from jmdi_scorm.render.site import Scope, Site
from jmdi_scorm.source import model
from jmdi_scorm.source.spec_limits import SUSPEND_DATA
from jmdi_scorm.targets.base import SCO_MODES, ScoMode

MANIFEST = "imsmanifest.xml"
LAUNCH = "index.html"
SHARED_RESOURCE = "res-files"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

# Project rule (docs/standards.md §1.1): portable entry names, ASCII [a-z0-9._-] plus "/".
SAFE_PATH = re.compile(r"^[a-z0-9._-]+(/[a-z0-9._-]+)*$")
# xs:ID / NCName restricted to the characters our identifiers can contain (§1.3).
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")


# --- the SCO tree -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One ``<item>`` of the organization: a cluster (children) or a leaf that launches a SCO."""

    ident: str
    title: str
    children: tuple[Item, ...] = ()
    sco: str | None = None  # the value of ``?sco=`` for a leaf of a multi-SCO package
    assessed: bool = False  # the SCO has questions, so it has a score and a pass mark

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def leaves(self) -> Iterator[Item]:
        if self.is_leaf:
            yield self
        for child in self.children:
            yield from child.leaves()

    def walk(self) -> Iterator[Item]:
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def resource_id(self) -> str:
        return f"res-{self.ident}"

    @property
    def parameters(self) -> str | None:
        """``item@parameters``: appended by the LMS to the launch URL, starts with ``?`` (§2.2)."""
        return f"?sco={self.sco}" if self.sco else None


@dataclass(frozen=True)
class Plan:
    """Everything an edition needs to write its manifest for one package."""

    manifest_id: str
    org_id: str
    title: str
    version: str
    items: tuple[Item, ...]
    files: tuple[str, ...]  # every file of the package except the manifest and control files
    mastery: float  # share 0-1 of points needed to pass (course.yaml tracking.mastery_score)

    def leaves(self) -> list[Item]:
        return [leaf for item in self.items for leaf in item.leaves()]

    def shared_files(self) -> list[str]:
        return [name for name in self.files if name != LAUNCH]


def ncname(ident: str) -> str:
    """A course id as an xs:ID: ids may start with a digit, an NCName may not (§1.3)."""
    return ident if ident[:1].isalpha() else f"_{ident}"


def scope_modules(course: model.Course, scope: Scope | None) -> list[model.Module]:
    """The modules a package covers: the whole course (``scope`` None or the course's), or one
    module (``--split module``)."""
    if scope is None or scope.module is None:
        return list(course.modules)
    for candidate in course.modules:
        if candidate.meta.id == scope.module:  # Module.id, without the property's call
            return [candidate]
    raise BuildError(f"unknown module '{scope.module}' in the package scope")


def _assessed_module(module: model.Module) -> bool:
    return bool(module.meta.assessment) or any(topic.questions for topic in module.topics)


def _topic_item(topic: model.Topic) -> Item:
    return Item(ncname(topic.id), topic.title, sco=topic.id, assessed=bool(topic.questions))


def _module_item(module: model.Module, sco_mode: ScoMode) -> Item:
    if sco_mode == "topic":
        topics = tuple(_topic_item(topic) for topic in module.topics)
        if module.meta.assessment:
            # The assessment is its own page, so it is its own SCO: `<module>.assessment`.
            topics += (
                Item(
                    ncname(f"{module.id}.assessment"),
                    module.meta.assessment.title,
                    sco=f"{module.id}.assessment",
                    assessed=True,
                ),
            )
        return Item(ncname(module.id), module.title, children=topics)
    return Item(ncname(module.id), module.title, sco=module.id, assessed=_assessed_module(module))


def plan(course: model.Course, scope: Scope | None, files: Iterable[str], sco_mode: ScoMode = "course") -> Plan:
    """The package's organization: one SCO (default), or one per module or topic under one root item.

    Multi-SCO packages keep a single root item so Moodle's table of contents and navigation work.
    """
    if sco_mode not in SCO_MODES:
        raise BuildError(f"unknown SCO mode '{sco_mode}' (use one of {', '.join(SCO_MODES)})")
    modules = scope_modules(course, scope)
    if scope_is_course(scope):
        manifest_id, title, root_id = course.package_id, course.meta.title, f"item-{course.id}"
        children = tuple(_module_item(module, sco_mode) for module in modules)
    else:
        manifest_id, title, root_id = f"{course.package_id}.{modules[0].id}", modules[0].title, modules[0].id
        children = _module_item(modules[0], sco_mode).children
    if sco_mode == "course" or not children:
        root = Item(ncname(root_id), title, assessed=any(_assessed_module(module) for module in modules))
    else:
        root = Item(ncname(root_id), title, children)
    result = Plan(
        manifest_id=ncname(manifest_id),
        org_id=ncname(f"org-{course.package_id}"),
        title=title,
        version=course.meta.version,
        items=(root,),
        files=tuple(sorted(files)),
        mastery=course.meta.tracking.mastery_score,
    )
    check_plan(result)
    return result


def scope_is_course(scope: Scope | None) -> bool:
    """Whether a package covers the whole course."""
    return scope is None or scope.module is None


def check_plan(result: Plan) -> None:
    """Identifier and file-name rules the XSDs do not check (§1.3, §1.1)."""
    seen: set[str] = {result.manifest_id, result.org_id, SHARED_RESOURCE}
    idents = [item.ident for top in result.items for item in top.walk()]
    idents += [leaf.resource_id for leaf in result.leaves()]
    for ident in idents:
        if not NCNAME.match(ident) or len(ident) > 64:
            raise BuildError(f"'{ident}' cannot be a manifest identifier (xs:ID, at most 64 characters)")
        if ident in seen:
            raise BuildError(f"manifest identifier '{ident}' is used twice; rename the course, module or topic id")
        seen.add(ident)
    if LAUNCH not in result.files:
        raise BuildError(f"the rendered site has no {LAUNCH}")
    for name in result.files:
        if not SAFE_PATH.match(name):
            raise BuildError(f"file name '{name}' is not portable: use lowercase ASCII letters, digits, '.', '_', '-'")


# --- XML helpers ----------------------------------------------------------------------------


def element(parent: etree._Element | None, tag: str, text: str | None = None, **attrs: str | None) -> etree._Element:
    """A child element (or a root when ``parent`` is None); attributes that are None are left out."""
    values = {key: value for key, value in attrs.items() if value is not None}
    node = etree.Element(tag, values) if parent is None else etree.SubElement(parent, tag, values)
    if text is not None:
        node.text = text
    return node


def resources(parent: etree._Element, plan: Plan, ns_cp: str, scorm_type: str) -> None:
    """One SCO resource per leaf (launch page, depending on the shared asset) and the shared asset.

    ``scorm_type`` is the edition's attribute: ``adlcp:scormtype`` in 1.2 (§2.2),
    ``adlcp:scormType`` in 2004 (§4.3).
    """

    def cp(tag: str) -> str:
        return f"{{{ns_cp}}}{tag}"

    for leaf in plan.leaves():
        resource = element(parent, cp("resource"), identifier=leaf.resource_id, type="webcontent", href=LAUNCH)
        resource.set(scorm_type, "sco")
        element(resource, cp("file"), href=LAUNCH)
        element(resource, cp("dependency"), identifierref=SHARED_RESOURCE)
    shared = element(parent, cp("resource"), identifier=SHARED_RESOURCE, type="webcontent")
    shared.set(scorm_type, "asset")
    for name in plan.shared_files():
        element(shared, cp("file"), href=name)


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def decimal(value: float, places: int = 4) -> str:
    """A decimal without exponent or trailing zeros: 0.8 -> '0.8', 80.0 -> '80'."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return text or "0"


# --- suspend data ---------------------------------------------------------------------------


def check_state_size(
    course: model.Course, edition: str, label: str, scope: Scope | None = None, site: Site | None = None
) -> int | None:
    """Fail the build when the state of the course (or of the part ``scope`` packages) could
    outgrow the edition's ``cmi.suspend_data``. ``site``: the build's, which keeps the length for
    the other SCORM packages of the scope.

    Returns the worst-case length, or None while the state codec is not available.
    """
    try:
        from jmdi_scorm.render.state_codec import worst_case_length
    except ImportError:  # pragma: no cover - the codec ships with the runtime core
        return None
    if site is None:
        worst = worst_case_length(course, scope)
    else:
        worst = site.once(("suspend-data", course.package_id, scope), lambda: worst_case_length(course, scope))
    limit = SUSPEND_DATA[edition]
    if worst > limit:
        raise BuildError(
            f"{label}: the learner state of this course can reach {worst} characters, more than the "
            f"{limit} that cmi.suspend_data holds in SCORM {edition.replace('-', ' edition ')}; "
            "split the course (--split module) or choose SCORM 2004 4th edition"
        )
    return worst
