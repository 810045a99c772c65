"""SCORM 1.2 packages: ``imsmanifest.xml`` (docs/standards.md §2), the 1.2 control files and the
``scorm12`` JS adapter."""

from __future__ import annotations

from lxml import etree

from jmdi_scorm.targets.scorm_common import (
    XSI,
    Item,
    Plan,
    decimal,
    element,
    resources,
    serialize,
)
from jmdi_scorm.targets.scorm_target import ScormTarget

NS_CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
NS_ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
# The CP namespace is on imsproject.org, the metadata one on imsglobal.org: both exact (§2.1).
SCHEMA_LOCATION = (
    f"{NS_CP} imscp_rootv1p1p2.xsd "
    "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd "
    f"{NS_ADLCP} adlcp_rootv1p2.xsd"
)


def _cp(tag: str) -> str:
    return f"{{{NS_CP}}}{tag}"


def _adlcp(tag: str) -> str:
    return f"{{{NS_ADLCP}}}{tag}"


def manifest(plan: Plan) -> bytes:
    """The SCORM 1.2 manifest of a package plan."""
    root = etree.Element(_cp("manifest"), nsmap={None: NS_CP, "adlcp": NS_ADLCP, "xsi": XSI})
    root.set("identifier", plan.manifest_id)
    root.set("version", plan.version)
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    metadata = element(root, _cp("metadata"))
    element(metadata, _cp("schema"), "ADL SCORM")
    element(metadata, _cp("schemaversion"), "1.2")
    organizations = element(root, _cp("organizations"), default=plan.org_id)
    organization = element(organizations, _cp("organization"), identifier=plan.org_id)
    element(organization, _cp("title"), plan.title)
    for item in plan.items:
        _item(organization, item, plan)
    resources(element(root, _cp("resources")), plan, NS_CP, _adlcp("scormtype"))  # lower-case t in 1.2
    return serialize(root)


def _item(parent: etree._Element, item: Item, plan: Plan) -> None:
    attrs: dict[str, str | None] = {"identifier": item.ident}  # None: left out (element())
    if item.is_leaf:
        attrs |= {"identifierref": item.resource_id, "parameters": item.parameters}
    node = element(parent, _cp("item"), **attrs)
    element(node, _cp("title"), item.title)
    for child in item.children:
        _item(node, child, plan)
    if item.is_leaf and item.assessed:
        # cmi.student_data.mastery_score, 0-100 like cmi.core.score.raw (§2.3); Moodle's
        # "mastery score overrides status" then agrees with the status the SCO reports.
        element(node, _adlcp("masteryscore"), decimal(plan.mastery * 100, 2))


class Scorm12Target(ScormTarget):
    """``--format scorm12``."""

    name = "scorm12"
    description = "SCORM 1.2 zip (imsmanifest.xml, one SCO; Moodle's best-supported format)"
    adapter = "scorm12"
    edition = "1.2"
    label = "SCORM 1.2"

    def manifest(self, plan: Plan) -> bytes:
        return manifest(plan)


TARGET = Scorm12Target()
