"""Edition-specific values of SCORM manifests: what the XSDs accept but LMSs and the specs do not.

Sections of docs/standards.md. SCORM 1.2: §2.3 (adlcp extensions on items). SCORM 2004: §4.2–§4.5 (edition differences,
sequencing values, hideLMSUI tokens). [PKG-07, PKG-08]
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from lxml import etree

from jmdi_scorm.lint.manifest import ADLCP12, ADLCP2004, Manifest, item_children, item_identifiers
from jmdi_scorm.lint.report import Report
from jmdi_scorm.lint.xmlsafe import local, namespace
from jmdi_scorm.source.spec_limits import DATA_FROM_LMS, PREREQUISITES_12

ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
NAMESPACES_2004 = {ADLCP2004: "adlcp", ADLSEQ: "adlseq", ADLNAV: "adlnav", IMSSS: "imsss"}

TIME_LIMIT_ACTIONS = {"exit,message", "exit,no message", "continue,message", "continue,no message"}
HIDE_LMS_UI = {"previous", "continue", "exit", "exitAll", "abandon", "abandonAll", "suspendAll"}
CMI_TIMESPAN = re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$")
ISO_DURATION = re.compile(r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
AICC_TOKEN = re.compile(r"[A-Za-z_][\w.\-]*")
AICC_WORDS = {"passed", "completed", "browsed", "failed", "incomplete", "attempted", "not"}
DURATION_LIMITS = (
    "attemptAbsoluteDurationLimit",
    "attemptExperiencedDurationLimit",
    "activityAbsoluteDurationLimit",
    "activityExperiencedDurationLimit",
)
ONLY_4TH = {(ADLCP2004, "data"), (ADLCP2004, "map"), (ADLSEQ, "objectives")}


def decimal(text: str | None) -> Decimal | None:
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def in_range(text: str | None, low: float, high: float) -> bool:
    value = decimal(text)
    return value is not None and Decimal(str(low)) <= value <= Decimal(str(high))


def check(manifest: Manifest, report: Report) -> None:
    check_namespaces(manifest, report)
    if manifest.is2004:
        check_2004(manifest, report)
    else:
        check_12(manifest, report)


def scorm_type(manifest: Manifest, resource: etree._Element, report: Report) -> str | None:
    """The resource's sco/asset value, reporting a wrong spelling or namespace [PKG-08]."""
    right = "scormType" if manifest.is2004 else "scormtype"
    entry, ident, line = manifest.entry, resource.get("identifier"), resource.sourceline
    value = resource.get(f"{{{manifest.adlcp}}}{right}")
    for name in resource.attrib:
        qname = etree.QName(name)
        if qname.localname.lower() == "scormtype" and (qname.namespace, qname.localname) != (manifest.adlcp, right):
            where = f"{{{qname.namespace}}}" if qname.namespace else "no namespace"
            report.error(
                entry,
                f"resource '{ident}' has {qname.localname} in {where}; SCORM {manifest.edition} uses "
                f"adlcp:{right} in {manifest.adlcp}",
                "PKG-08",
                line,
            )
    if value is None:
        if not any(etree.QName(n).localname.lower() == "scormtype" for n in resource.attrib):
            report.error(entry, f"resource '{ident}' has no adlcp:{right} (sco or asset)", "PKG-08", line)
        return None
    if value not in ("sco", "asset"):
        report.error(
            entry, f"resource '{ident}' adlcp:{right} is '{value}'; it must be 'sco' or 'asset'", "PKG-08", line
        )
        return None
    return value


def check_namespaces(manifest: Manifest, report: Report) -> None:
    """No SCORM 2004 extension in a 1.2 manifest, no 1.2 adlcp namespace in a 2004 one (§2.5)."""
    seen: set[str] = set()
    for element in manifest.root.iter():
        if not isinstance(element.tag, str):
            continue
        spaces = {namespace(element)} | {etree.QName(a).namespace for a in element.attrib}
        for ns in spaces:
            wrong = (ns == ADLCP12) if manifest.is2004 else (ns in NAMESPACES_2004)
            if wrong and ns not in seen:
                seen.add(ns)
                other = "SCORM 1.2" if manifest.is2004 else "SCORM 2004"
                report.error(
                    manifest.entry,
                    f"{other} namespace '{ns}' used in a SCORM {manifest.edition} manifest",
                    "PKG-08",
                    element.sourceline,
                )


def check_12(manifest: Manifest, report: Report) -> None:
    """adlcp extensions of SCORM 1.2 items (§2.3)."""
    items = item_identifiers(manifest)
    for _item, child in item_children(manifest):
        if namespace(child) != ADLCP12:
            continue
        text, name = (child.text or "").strip(), local(child)
        problem = _value_12(name, text, child)
        if problem:
            report.error(manifest.entry, f"adlcp:{name} {problem}", "PKG-07", child.sourceline)
        elif name == "prerequisites":
            unknown = [t for t in AICC_TOKEN.findall(text) if t not in items and t.lower() not in AICC_WORDS]
            if unknown:
                message = f"adlcp:prerequisites refers to '{unknown[0]}', which is not an item identifier"
                report.warn(manifest.entry, message, "PKG-09", child.sourceline)


def _value_12(name: str, text: str, element: etree._Element) -> str | None:
    if name == "masteryscore" and not in_range(text, 0, 100):
        return f"'{text}' must be a number from 0 to 100"
    if name == "maxtimeallowed" and not CMI_TIMESPAN.match(text):
        return f"'{text}' must be a time span HHHH:MM:SS"
    if name == "timelimitaction" and text not in TIME_LIMIT_ACTIONS:
        return f"'{text}' must be one of {', '.join(sorted(TIME_LIMIT_ACTIONS))}"
    if name == "datafromlms" and len(text) > DATA_FROM_LMS["1.2"]:
        return f"is {len(text)} characters; SCORM 1.2 allows {DATA_FROM_LMS['1.2']}"
    if name == "prerequisites":
        if len(text) > PREREQUISITES_12:
            return f"is {len(text)} characters; SCORM 1.2 allows {PREREQUISITES_12}"
        if element.get("type") != "aicc_script":
            return "must have type='aicc_script'"
    return None


def check_2004(manifest: Manifest, report: Report) -> None:
    """Values of adlcp, imsss and adlnav elements in SCORM 2004 manifests (§4.2–§4.5)."""
    checks: dict[tuple[str, str], Callable[[Manifest, etree._Element], str | None]] = {
        (ADLCP2004, "timeLimitAction"): _time_limit_action,
        (ADLCP2004, "dataFromLMS"): _data_from_lms,
        (ADLCP2004, "completionThreshold"): _completion_threshold,
        (IMSSS, "minNormalizedMeasure"): _measure_text,
        (IMSSS, "limitConditions"): _limit_conditions,
        (IMSSS, "ruleCondition"): _rule_condition,
        (IMSSS, "mapInfo"): _map_info,
        (ADLNAV, "hideLMSUI"): _hide_lms_ui,
    }
    for element in manifest.root.iter():
        if not isinstance(element.tag, str):
            continue
        key = (namespace(element), local(element))
        if key in ONLY_4TH and manifest.edition != "2004 4th Edition":
            report.error(
                manifest.entry,
                f"<{local(element)}> exists only in SCORM 2004 4th Edition",
                "PKG-07",
                element.sourceline,
            )
        problem = checks[key](manifest, element) if key in checks else None
        if problem:
            prefix = NAMESPACES_2004.get(key[0], "")
            report.error(manifest.entry, f"{prefix}:{key[1]} {problem}", "PKG-07", element.sourceline)
    _check_objective_ids(manifest, report)


def _time_limit_action(_manifest: Manifest, element: etree._Element) -> str | None:
    text = (element.text or "").strip()
    return None if text in TIME_LIMIT_ACTIONS else f"'{text}' must be one of {', '.join(sorted(TIME_LIMIT_ACTIONS))}"


def _data_from_lms(_manifest: Manifest, element: etree._Element) -> str | None:
    text = element.text or ""
    limit = DATA_FROM_LMS["2004"]
    return None if len(text) <= limit else f"is {len(text)} characters; SCORM 2004 allows {limit}"


def _completion_threshold(manifest: Manifest, element: etree._Element) -> str | None:
    """3rd Edition: a decimal as text; 4th Edition: attributes (§4.2)."""
    text = (element.text or "").strip()
    if manifest.edition == "2004 4th Edition":
        if text:
            return "has text content (3rd Edition form); 4th Edition uses the minProgressMeasure attribute"
        for attribute in ("minProgressMeasure", "progressWeight"):
            value = element.get(attribute)
            if value is not None and not in_range(value, 0, 1):
                return f"{attribute} '{value}' must be from 0 to 1"
        by_measure = element.get("completedByMeasure")
        if by_measure is not None and by_measure not in ("true", "false", "1", "0"):
            return f"completedByMeasure '{by_measure}' must be true or false"
        return None
    if element.attrib:
        return "has attributes (4th Edition form); 3rd Edition takes a decimal 0-1 as text"
    return None if in_range(text, 0, 1) else f"'{text}' must be a decimal from 0 to 1"


def _measure_text(_manifest: Manifest, element: etree._Element) -> str | None:
    text = (element.text or "").strip()
    return None if in_range(text, -1, 1) else f"'{text}' must be a decimal from -1 to 1"


def _limit_conditions(_manifest: Manifest, element: etree._Element) -> str | None:
    for attribute in DURATION_LIMITS:
        value = element.get(attribute)
        if value is not None and not ISO_DURATION.match(value):
            return f"{attribute} '{value}' is not an ISO 8601 duration (e.g. PT1H30M)"
    for attribute in ("beginTimeLimit", "endTimeLimit"):
        value = element.get(attribute)
        if value is not None and not DATE_TIME.match(value):
            return f"{attribute} '{value}' is not a date-time (e.g. 2026-01-31T12:00:00Z)"
    limit = element.get("attemptLimit")
    if limit is not None and not limit.isdigit():
        return f"attemptLimit '{limit}' must be a whole number"
    return None


def _rule_condition(_manifest: Manifest, element: etree._Element) -> str | None:
    value = element.get("measureThreshold")
    return None if value is None or in_range(value, -1, 1) else f"measureThreshold '{value}' must be from -1 to 1"


def _map_info(_manifest: Manifest, element: etree._Element) -> str | None:
    target = element.get("targetObjectiveID")
    if not target or any(c.isspace() for c in target):
        return f"targetObjectiveID '{target or ''}' must be a URI without spaces (e.g. urn:course:obj:topic-1)"
    return None


def _hide_lms_ui(_manifest: Manifest, element: etree._Element) -> str | None:
    text = (element.text or "").strip()
    return None if text in HIDE_LMS_UI else f"'{text}' must be one of {', '.join(sorted(HIDE_LMS_UI))}"


def _check_objective_ids(manifest: Manifest, report: Report) -> None:
    """objectiveIDs: URIs without spaces, unique among one activity's objectives (§4.4)."""
    for objectives in manifest.root.iter(f"{{{IMSSS}}}objectives"):
        seen: set[str] = set()
        for objective in objectives:
            if not isinstance(objective.tag, str):
                continue
            ident = objective.get("objectiveID")
            required = local(objective) == "objective"
            if ident is None:
                if required:
                    report.error(manifest.entry, "imsss:objective has no objectiveID", "PKG-07", objective.sourceline)
                continue
            if not ident or any(c.isspace() for c in ident):
                report.error(
                    manifest.entry,
                    f"objectiveID '{ident}' must be a URI without spaces",
                    "PKG-07",
                    objective.sourceline,
                )
            elif ident in seen:
                report.error(
                    manifest.entry, f"duplicate objectiveID '{ident}' in one activity", "PKG-07", objective.sourceline
                )
            seen.add(ident)
