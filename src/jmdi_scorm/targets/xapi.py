"""xAPI packages launched the TinCan way: ``tincan.xml`` (docs/standards.md §7.1) and the ``xapi`` adapter.

The LRS endpoint, the ``Authorization`` value, the actor, the registration and the activity id
all arrive in the launch URL (§7.2); nothing in the package names an LRS or a learner.
"""

from __future__ import annotations

from lxml import etree

from jmdi_scorm.package.credentials import credential_memo, refuse_credentials
from jmdi_scorm.render.site import LAUNCH, Scope, Site
from jmdi_scorm.source import model
from jmdi_scorm.targets.base import PackageResult, Target
from jmdi_scorm.targets.scorm_common import scope_is_course
from jmdi_scorm.targets.xapi_activities import Activities, Node, activities, nodes
from jmdi_scorm.targets.xapi_common import package_files

DESCRIPTOR = "tincan.xml"
NS_TINCAN = "http://projecttincan.com/tincan.xsd"


def _tag(name: str) -> str:
    return f"{{{NS_TINCAN}}}{name}"


def _text(parent: etree._Element, name: str, text: str, lang: str | None = None) -> etree._Element:
    node = etree.SubElement(parent, _tag(name), {"lang": lang} if lang else {})
    node.text = text
    return node


def _in_languages(texts: dict[str, str], lang: str) -> list[tuple[str, str]]:
    """(language, text) of a language map, the package's language first (``build --lang``: every
    language of the build, same activity)."""
    return [(lang, texts[lang])] + [(other, text) for other, text in texts.items() if other != lang]


def _activity(parent: etree._Element, node: Node, lang: str, launch: bool) -> None:
    definition = node.activity["definition"]
    element = etree.SubElement(parent, _tag("activity"), {"id": node.activity["id"], "type": definition["type"]})
    for language, text in _in_languages(definition["name"], lang):
        _text(element, "name", text, language)
    for language, text in _in_languages(definition.get("description") or definition["name"], lang):
        _text(element, "description", text, language)
    if launch:
        _text(element, "launch", LAUNCH, lang)
    if definition.get("interactionType"):
        _text(element, "interactionType", definition["interactionType"])
        patterns = etree.SubElement(element, _tag("correctResponsePatterns"))
        for pattern in definition.get("correctResponsesPattern") or ():
            _text(patterns, "correctResponsePattern", pattern)


def tincan_xml(course: model.Course, scope: Scope | None = None, found: Activities | None = None) -> bytes:
    """The package descriptor: a flat list of activities, the root one (course or module) with
    ``launch`` (§7.1); the others give reporting tools names, descriptions and answer patterns."""
    lang = course.meta.language
    everything = list(nodes(course, scope, found))
    root_key = "" if scope_is_course(scope) else everything[1].key
    ordered = [n for n in everything if n.key == root_key] + [n for n in everything if n.key and n.key != root_key]
    root = etree.Element(_tag("tincan"), nsmap={None: NS_TINCAN})
    activities = etree.SubElement(root, _tag("activities"))
    for node in ordered:
        _activity(activities, node, lang, launch=node.key == root_key)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class XapiTarget(Target):
    """``--format xapi``: a TinCan package (Target interface, docs/architecture.md)."""

    name = "xapi"
    description = "xAPI (TinCan) zip (tincan.xml; statements go to the LRS the LMS names at launch)"
    adapter = "xapi"

    def package(self, course: model.Course, site: Site, scope: Scope) -> PackageResult:
        files = package_files(course, site, scope, self.adapter)
        files[DESCRIPTOR] = tincan_xml(course, scope, activities(course, site))
        refuse_credentials(files, "xAPI", credential_memo(site))
        launch = "launch: endpoint, auth, actor and registration come from the LMS launch URL"
        return PackageResult(files, details=(launch,))


TARGET = XapiTarget()
