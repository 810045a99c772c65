"""TinCan ``tincan.xml`` [PKG-16] and cmi5 ``cmi5.xml`` [PKG-15] descriptors (docs/standards.md §7.1, §8.1).

cmi5's CourseStructure.xsd is in no package registry, so cmi5.xml is checked structurally here.
"""

from __future__ import annotations

import re

from lxml import etree

from jmdi_scorm.lint import hrefs
from jmdi_scorm.lint.hrefs import Contents
from jmdi_scorm.lint.report import Report
from jmdi_scorm.lint.xmlsafe import children, local, namespace

TINCAN_NS = "http://projecttincan.com/tincan.xsd"
CMI5_NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")
MOVE_ON = {"Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed", "NotApplicable"}
LAUNCH_METHODS = {"AnyWindow", "OwnWindow"}
MASTERY = re.compile(r"^(0(\.\d{1,4})?|1(\.0{1,4})?|\.\d{1,4})$")
#: child order inside each cmi5 node (CourseStructure.xsd sequences)
ORDER = {
    "courseStructure": ["course", "objectives", "au|block"],
    "course": ["title", "description"],
    "block": ["title", "description", "objectives", "au|block"],
    "au": ["title", "description", "objectives", "url", "launchParameters", "entitlementKey"],
    "objective": ["title", "description"],
}


def check_tincan(root: etree._Element, entry: str, contents: Contents, report: Report) -> None:
    """Root and namespace, one launchable activity whose file exists, IRI ids [PKG-16]."""
    report.kind = "tincan"
    if local(root) != "tincan" or namespace(root) != TINCAN_NS:
        report.error(entry, f"root element must be <tincan> in namespace {TINCAN_NS}", "PKG-16", root.sourceline)
        return
    activities = root.find(f"{{{TINCAN_NS}}}activities")
    if activities is None:
        report.error(entry, "no <activities> element", "PKG-16", root.sourceline)
        return
    items = activities.findall(f"{{{TINCAN_NS}}}activity")
    if not items:
        report.error(entry, "<activities> lists no <activity>", "PKG-16", activities.sourceline)
    seen: dict[str, int] = {}
    launching = []
    for activity in items:
        _check_iri(activity, "id", entry, seen, report, "PKG-16")
        if activity.find(f"{{{TINCAN_NS}}}name") is None:
            report.warn(entry, f"activity '{activity.get('id')}' has no <name>", "PKG-16", activity.sourceline)
        launching += activity.findall(f"{{{TINCAN_NS}}}launch")
    if len(launching) != 1:
        line = (launching[1] if len(launching) > 1 else activities).sourceline
        report.error(entry, f"{len(launching)} activities have a <launch>; exactly one must", "PKG-16", line)
    for launch in launching[:1]:
        _check_launch_url(launch.text or "", launch.sourceline, entry, contents, report, "PKG-16", external_ok=False)


def check_cmi5(root: etree._Element, entry: str, contents: Contents, report: Report) -> None:
    """Structure, ids, AU values and launch URLs of a cmi5 course structure [PKG-15]."""
    report.kind = "cmi5"
    if local(root) != "courseStructure" or namespace(root) != CMI5_NS:
        report.error(entry, f"root element must be <courseStructure> in namespace {CMI5_NS}", "PKG-15", root.sourceline)
        return
    course = root.find(f"{{{CMI5_NS}}}course")
    if course is None:
        report.error(entry, "no <course> element", "PKG-15", root.sourceline)
    if not _units(root):
        report.error(entry, "the course has no <au> or <block>", "PKG-15", root.sourceline)
    seen: dict[str, int] = {}
    declared = root.findall(f"{{{CMI5_NS}}}objectives/{{{CMI5_NS}}}objective")
    for objective in declared:
        _check_iri(objective, "id", entry, seen, report, "PKG-15")
        _check_text(objective, entry, report)
    for node in root.iter(f"{{{CMI5_NS}}}*"):
        name = local(node)
        if name in ORDER:
            _check_order(node, entry, report)
        if name in ("course", "block", "au"):
            _check_iri(node, "id", entry, seen, report, "PKG-15")
            _check_text(node, entry, report)
        if name == "block" and not _units(node):
            report.error(entry, f"block '{node.get('id')}' holds no <au> or <block>", "PKG-15", node.sourceline)
        if name == "au":
            _check_au(node, entry, contents, report)
    _check_objective_refs(root, {o.get("id") for o in declared}, entry, report)


def _units(node: etree._Element) -> list[etree._Element]:
    return [c for c in children(node) if namespace(c) == CMI5_NS and local(c) in ("au", "block")]


def _check_order(node: etree._Element, entry: str, report: Report) -> None:
    order = ORDER[local(node)]
    rank = {name: i for i, slot in enumerate(order) for name in slot.split("|")}
    last = -1
    for child in children(node):
        if namespace(child) != CMI5_NS:
            continue  # extensions in other namespaces are allowed anywhere
        position = rank.get(local(child))
        if position is None:
            report.error(entry, f"unexpected <{local(child)}> in <{local(node)}>", "PKG-15", child.sourceline)
        elif position < last:
            report.error(
                entry,
                f"<{local(child)}> is out of order in <{local(node)}> (expected {', '.join(order)})",
                "PKG-15",
                child.sourceline,
            )
        else:
            last = position


def _check_iri(
    node: etree._Element, attribute: str, entry: str, seen: dict[str, int], report: Report, code: str
) -> None:
    value = node.get(attribute)
    line = node.sourceline or 0
    if value is None:
        report.error(entry, f"<{local(node)}> has no {attribute}", code, line)
    elif not IRI.match(value):
        report.error(entry, f"<{local(node)}> {attribute} '{value}' is not an absolute IRI", code, line)
    elif value in seen:
        report.error(entry, f"duplicate id '{value}' (first used on line {seen[value]})", code, line)
    else:
        seen[value] = line


def _check_text(node: etree._Element, entry: str, report: Report) -> None:
    """title and description each hold at least one <langstring lang=...> (§8.1)."""
    for name in ("title", "description"):
        element = node.find(f"{{{CMI5_NS}}}{name}")
        if element is None:
            report.error(entry, f"<{local(node)}> '{node.get('id')}' has no <{name}>", "PKG-15", node.sourceline)
            continue
        strings = element.findall(f"{{{CMI5_NS}}}langstring")
        if not strings:
            report.error(entry, f"<{name}> of '{node.get('id')}' has no <langstring>", "PKG-15", element.sourceline)
        for string in strings:
            if not string.get("lang"):
                report.warn(entry, f"<langstring> in <{name}> has no lang", "PKG-15", string.sourceline)


def _check_au(au: etree._Element, entry: str, contents: Contents, report: Report) -> None:
    ident, line = au.get("id"), au.sourceline
    move_on = au.get("moveOn")
    if move_on is not None and move_on not in MOVE_ON:
        report.error(
            entry, f"au '{ident}' moveOn '{move_on}' must be one of {', '.join(sorted(MOVE_ON))}", "PKG-15", line
        )
    mastery = au.get("masteryScore")
    if mastery is not None and not MASTERY.match(mastery.strip()):
        report.error(
            entry,
            f"au '{ident}' masteryScore '{mastery}' must be a decimal 0-1 with at most 4 decimals",
            "PKG-15",
            line,
        )
    method = au.get("launchMethod")
    if method is not None and method not in LAUNCH_METHODS:
        report.error(entry, f"au '{ident}' launchMethod '{method}' must be AnyWindow or OwnWindow", "PKG-15", line)
    activity_type = au.get("activityType")
    if activity_type is not None and not IRI.match(activity_type):
        report.error(entry, f"au '{ident}' activityType '{activity_type}' is not an absolute IRI", "PKG-15", line)
    url = au.find(f"{{{CMI5_NS}}}url")
    if url is None or not (url.text or "").strip():
        report.error(entry, f"au '{ident}' has no <url>", "PKG-15", line)
    else:
        _check_launch_url(url.text.strip(), url.sourceline, entry, contents, report, "PKG-15", external_ok=True)


def _check_objective_refs(root: etree._Element, declared: set[str], entry: str, report: Report) -> None:
    for objective in root.iter(f"{{{CMI5_NS}}}objective"):
        ref = objective.get("idref")
        if objective.getparent().getparent() is root:
            continue
        if ref is None:
            report.error(entry, "objective reference has no idref", "PKG-15", objective.sourceline)
        elif ref not in declared:
            report.error(
                entry, f"objective idref '{ref}' names no course-level objective", "PKG-15", objective.sourceline
            )


def _check_launch_url(
    text: str, line: int | None, entry: str, contents: Contents, report: Report, code: str, external_ok: bool
) -> None:
    target = hrefs.resolve(text.strip())
    for problem in target.problems:
        report.error(entry, f"launch {problem}", code, line)
    if target.external and not external_ok:
        report.error(entry, f"launch '{text}' must be a relative path inside the package", code, line)
    if target.entry is not None:
        why = contents.missing(target.entry)
        if why:
            report.error(entry, f"launch file {why}", code, line)
