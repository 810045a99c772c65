"""SCORM 2004 packages, 3rd and 4th Edition: ``imsmanifest.xml`` with sequencing
(docs/standards.md §4), the edition's control files and the ``scorm2004`` JS adapter."""

from __future__ import annotations

from lxml import etree

from jmdi_scorm.targets.scorm_common import XSI, Item, Plan, decimal, element, resources, serialize
from jmdi_scorm.targets.scorm_target import ScormTarget

NS_CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
NS_ADLCP = "http://www.adlnet.org/xsd/adlcp_v1p3"
NS_ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
NS_ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
NS_IMSSS = "http://www.imsglobal.org/xsd/imsss"
NSMAP = {None: NS_CP, "adlcp": NS_ADLCP, "adlseq": NS_ADLSEQ, "adlnav": NS_ADLNAV, "imsss": NS_IMSSS, "xsi": XSI}
# The same five namespaces serve both editions; only schemaversion tells them apart (§4.1).
SCHEMA_LOCATION = " ".join(
    f"{ns} {xsd}"
    for ns, xsd in (
        (NS_CP, "imscp_v1p1.xsd"),
        (NS_ADLCP, "adlcp_v1p3.xsd"),
        (NS_ADLSEQ, "adlseq_v1p3.xsd"),
        (NS_ADLNAV, "adlnav_v1p3.xsd"),
        (NS_IMSSS, "imsss_v1p0.xsd"),
    )
)
SCHEMA_VERSIONS = {"2004-3": "2004 3rd Edition", "2004-4": "2004 4th Edition"}


def _cp(tag: str) -> str:
    return f"{{{NS_CP}}}{tag}"


def _ss(tag: str) -> str:
    return f"{{{NS_IMSSS}}}{tag}"


def manifest(plan: Plan, edition: str) -> bytes:
    """The SCORM 2004 manifest of a package plan for ``edition`` ("2004-3" or "2004-4")."""
    root = etree.Element(_cp("manifest"), nsmap=NSMAP)
    root.set("identifier", plan.manifest_id)
    root.set("version", plan.version)
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    metadata = element(root, _cp("metadata"))
    element(metadata, _cp("schema"), "ADL SCORM")
    element(metadata, _cp("schemaversion"), SCHEMA_VERSIONS[edition])
    organizations = element(root, _cp("organizations"), default=plan.org_id)
    organization = element(organizations, _cp("organization"), identifier=plan.org_id)
    # Objectives stay local to this course in the LMS (§4.4, PKG-13).
    organization.set(f"{{{NS_ADLSEQ}}}objectivesGlobalToSystem", "false")
    element(organization, _cp("title"), plan.title)
    multi = len(plan.leaves()) > 1
    for item in plan.items:
        _item(organization, item, plan, multi)
    _cluster_sequencing(organization)  # the last child of organization (§4.3)
    resources(element(root, _cp("resources")), plan, NS_CP, f"{{{NS_ADLCP}}}scormType")  # capital T in 2004
    return serialize(root)


def _item(parent: etree._Element, item: Item, plan: Plan, multi: bool) -> None:
    attrs: dict[str, str | None] = {"identifier": item.ident}  # None: left out (element())
    if item.is_leaf:
        attrs |= {"identifierref": item.resource_id, "parameters": item.parameters}
    node = element(parent, _cp("item"), **attrs)
    element(node, _cp("title"), item.title)
    for child in item.children:
        _item(node, child, plan, multi)
    if item.is_leaf:
        _sco_sequencing(node, item, plan, multi)
        if not multi:
            _hide_flow_buttons(node)
    else:
        _cluster_sequencing(node)


def _cluster_sequencing(parent: etree._Element) -> None:
    """Choice and flow on every cluster: flow defaults to false, which hides Continue/Previous (§4.4)."""
    sequencing = element(parent, _ss("sequencing"))
    element(sequencing, _ss("controlMode"), choice="true", flow="true")


def _sco_sequencing(parent: etree._Element, item: Item, plan: Plan, multi: bool) -> None:
    # Child order is fixed by the XSD: rollupRules, objectives, deliveryControls (§4.4).
    sequencing = element(parent, _ss("sequencing"))
    if multi and not item.assessed:
        # A SCO without questions must not dilute the course score in rollup.
        element(sequencing, _ss("rollupRules"), objectiveMeasureWeight="0")
    if item.assessed:
        objectives = element(sequencing, _ss("objectives"))
        primary = element(objectives, _ss("primaryObjective"), objectiveID=item.ident, satisfiedByMeasure="true")
        element(primary, _ss("minNormalizedMeasure"), decimal(plan.mastery))
    # The content reports completion and success; the LMS must not assume them (§4.4).
    element(sequencing, _ss("deliveryControls"), completionSetByContent="true", objectiveSetByContent="true")


def _hide_flow_buttons(parent: etree._Element) -> None:
    """One SCO has nothing to continue to: hide the LMS's Continue/Previous (§4.5), after
    ``imsss:sequencing``. The course's own navigation and Exit (exitAll/suspendAll) replace them."""
    presentation = element(parent, f"{{{NS_ADLNAV}}}presentation")
    interface = element(presentation, f"{{{NS_ADLNAV}}}navigationInterface")
    for control in ("continue", "previous"):
        element(interface, f"{{{NS_ADLNAV}}}hideLMSUI", control)


class Scorm2004Target(ScormTarget):
    """``--format scorm2004-4th`` (default edition) and ``--format scorm2004-3rd``."""

    adapter = "scorm2004"

    def __init__(self, edition: str) -> None:
        super().__init__()
        self.edition = edition
        self.name = "scorm2004-4th" if edition == "2004-4" else "scorm2004-3rd"
        self.label = f"SCORM {SCHEMA_VERSIONS[edition]}"
        self.description = f"{self.label} zip (imsmanifest.xml with sequencing, one SCO)"

    def manifest(self, plan: Plan) -> bytes:
        return manifest(plan, self.edition)


TARGET_3RD = Scorm2004Target("2004-3")
TARGET_4TH = Scorm2004Target("2004-4")
