"""SCORM 1.2 and 2004 manifests: edition, identifiers, references, items, resources and files.

Section numbers refer to docs/standards.md; test ids ([PKG-07] …) are the codes defined in docs/check.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from jmdi_scorm.lint import hrefs, scorm_values
from jmdi_scorm.lint.hrefs import Contents
from jmdi_scorm.lint.manifest import Manifest
from jmdi_scorm.lint.report import Report
from jmdi_scorm.lint.xmlsafe import local, namespace
from jmdi_scorm.lint.zipsafe import is_litter, name_problems

CP12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
CP2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

#: metadata/schemaversion -> edition (§2.1, §4.1)
SCHEMAVERSIONS = {
    "1.2": "1.2",
    "CAM 1.3": "2004 2nd Edition",
    "2004 3rd Edition": "2004 3rd Edition",
    "2004 4th Edition": "2004 4th Edition",
}
#: xs:ID is an NCName: a letter or '_' first, then letters, digits, '.', '-', '_' (§1.3)
NCNAME = re.compile(r"^[^\W\d][\w.\-\u00b7]*$")
MAX_UNLISTED = 20
MAX_DEPENDENCY_STEPS = 50_000


def check_manifest(root: etree._Element, entry: str, contents: Contents, report: Report) -> Manifest | None:
    """Every check of a SCORM manifest that needs no XSD; the Manifest for the caller's XSD step."""
    manifest = identify(root, entry, report)
    if manifest is None:
        return None
    check_identifiers(manifest, report)
    check_references(manifest, report)
    check_organizations(manifest, report)
    listed = check_resources(manifest, contents, report)
    check_coverage(manifest, contents, listed, report)
    scorm_values.check(manifest, report)
    return manifest


def identify(root: etree._Element, entry: str, report: Report) -> Manifest | None:
    """Read the edition from schemaversion and the namespace; check both agree [PKG-07]."""
    if local(root) != "manifest":
        report.error(entry, f"root element is <{local(root)}>, not <manifest>", "PKG-07", root.sourceline)
        return None
    ns = namespace(root)
    metadata = root.find(f"{{{ns}}}metadata")
    schema = metadata.find(f"{{{ns}}}schema") if metadata is not None else None
    version = metadata.find(f"{{{ns}}}schemaversion") if metadata is not None else None
    edition = _edition(ns, version, entry, report, root.sourceline)
    if edition is None:
        return None
    report.kind, report.edition = ("scorm2004" if edition.startswith("2004") else "scorm12"), edition
    if schema is None or (schema.text or "") != "ADL SCORM":
        found = "missing" if schema is None else f"'{schema.text or ''}'"
        line = (schema if schema is not None else metadata if metadata is not None else root).sourceline
        report.error(entry, f"metadata/schema is {found}; it must be exactly 'ADL SCORM'", "PKG-07", line)
    expected = CP2004 if edition.startswith("2004") else CP12
    if ns != expected:
        report.error(
            entry, f"SCORM {edition} manifests use the namespace '{expected}', not '{ns}'", "PKG-07", root.sourceline
        )
    if edition == "2004 2nd Edition":
        report.warn(entry, "SCORM 2004 2nd Edition (CAM 1.3) is obsolete; declare '2004 4th Edition'", "PKG-07")
    return Manifest(root, entry, edition)


def _edition(ns: str, version: etree._Element | None, entry: str, report: Report, line: int | None) -> str | None:
    text = (version.text or "") if version is not None else None
    if text in SCHEMAVERSIONS:
        return SCHEMAVERSIONS[text]
    guess = {CP12: "1.2", CP2004: "2004 4th Edition"}.get(ns)
    known = "', '".join(SCHEMAVERSIONS)
    if version is None:
        report.error(entry, f"no metadata/schemaversion; it must be one of '{known}'", "PKG-07", line)
    else:
        report.error(entry, f"schemaversion '{text}' is not one of '{known}'", "PKG-07", version.sourceline)
    if guess is None:
        report.error(entry, f"unknown manifest namespace '{ns}'; not a SCORM 1.2 or 2004 manifest", "PKG-07", line)
        return None
    report.notes.append(f"edition taken from the manifest namespace: SCORM {guess}")
    return guess


def _id_holders(manifest: Manifest) -> Iterator[tuple[etree._Element, str, bool]]:
    """(element, attribute, required) of every attribute in the manifest's one ID space (§1.3)."""
    yield manifest.root, "identifier", True
    for name in ("manifest", "organization", "item", "resource"):
        for element in manifest.all(name):
            if element is not manifest.root:
                yield element, "identifier", True
    for element in manifest.all("sequencing", IMSSS):
        yield element, "ID", False


def check_identifiers(manifest: Manifest, report: Report) -> None:
    """IDs are xs:ID (NCName) and unique across the whole manifest [PKG-09]."""
    for element, attribute, required in _id_holders(manifest):
        value = element.get(attribute)
        line = element.sourceline
        if value is None:
            if required:
                report.error(manifest.entry, f"<{local(element)}> has no {attribute}", "PKG-09", line)
            continue
        if not NCNAME.match(value):
            report.error(
                manifest.entry,
                f"{attribute} '{value}' of <{local(element)}> is not a valid xs:ID "
                "(a letter or '_' first, then letters, digits, '.', '-' or '_')",
                "PKG-09",
                line,
            )
        if value in manifest.ids:
            first = manifest.ids[value].sourceline
            report.error(manifest.entry, f"duplicate identifier '{value}' (first used on line {first})", "PKG-09", line)
            continue
        manifest.ids[value] = element
        if local(element) == "resource" and namespace(element) == manifest.cp:
            manifest.resources[value] = element


def check_references(manifest: Manifest, report: Report) -> None:
    """organizations@default, identifierref and IDRef resolve [PKG-09]."""
    entry = manifest.entry
    organizations = manifest.first(manifest.root, "organizations")
    org_ids = {o.get("identifier") for o in manifest.all("organization")}
    default = organizations.get("default") if organizations is not None else None
    if organizations is not None and default is not None and default not in org_ids:
        report.error(
            entry, f"organizations default '{default}' names no <organization>", "PKG-09", organizations.sourceline
        )
    elif organizations is not None and default is None and org_ids:
        say = report.error if manifest.is2004 else report.warn
        say(
            entry,
            "<organizations> has no default attribute naming the organization to launch",
            "PKG-09",
            organizations.sourceline,
        )
    launchable = set(manifest.resources) | {m.get("identifier") for m in manifest.all("manifest")}
    for item in manifest.all("item"):
        ref = item.get("identifierref")
        if ref is not None and ref not in launchable:
            report.error(
                entry,
                f"item '{item.get('identifier')}' identifierref '{ref}' names no resource",
                "PKG-09",
                item.sourceline,
            )
    for dependency in manifest.all("dependency"):
        ref = dependency.get("identifierref")
        if ref not in manifest.resources:
            report.error(entry, f"dependency identifierref '{ref}' names no resource", "PKG-09", dependency.sourceline)
    _check_sequencing_refs(manifest, report)


def _check_sequencing_refs(manifest: Manifest, report: Report) -> None:
    collection = {
        s.get("ID") for c in manifest.all("sequencingCollection", IMSSS) for s in c if s.get("ID") is not None
    }
    for sequencing in manifest.all("sequencing", IMSSS):
        ref = sequencing.get("IDRef")
        if ref is not None and ref not in collection:
            report.error(
                manifest.entry,
                f"sequencing IDRef '{ref}' names no sequencing in <imsss:sequencingCollection>",
                "PKG-09",
                sequencing.sourceline,
            )


def check_organizations(manifest: Manifest, report: Report) -> None:
    """An organization to launch, titled items, and resources only on leaves [PKG-12, PKG-11]."""
    entry = manifest.entry
    if manifest.first(manifest.root, "organizations") is None:
        report.error(entry, "no <organizations> element", "PKG-12", manifest.root.sourceline)
        return
    organizations = [o for o in manifest.all("organization") if o.getparent().getparent() is manifest.root]
    if not organizations:
        report.error(entry, "no <organization>: an LMS has nothing to launch", "PKG-12", manifest.root.sourceline)
    for organization in organizations:
        ident = organization.get("identifier")
        if manifest.first(organization, "title") is None:
            report.error(entry, f"organization '{ident}' has no <title>", "PKG-12", organization.sourceline)
        if manifest.first(organization, "item") is None:
            report.error(
                entry, f"organization '{ident}' has no <item>: nothing to launch", "PKG-12", organization.sourceline
            )
        for item in organization.iter(f"{{{manifest.cp}}}item"):
            _check_item(manifest, item, report)


def _check_item(manifest: Manifest, item: etree._Element, report: Report) -> None:
    entry, ident, ref, line = manifest.entry, item.get("identifier"), item.get("identifierref"), item.sourceline
    has_children = manifest.first(item, "item") is not None
    if manifest.first(item, "title") is None:
        report.error(entry, f"item '{ident}' has no <title>", "PKG-12", line)
    if has_children and ref is not None:
        report.error(
            entry,
            f"item '{ident}' has child items and an identifierref; only leaf items launch a resource",
            "PKG-12",
            line,
        )
    elif not has_children and ref is None:
        say = report.error if manifest.is2004 else report.warn
        say(entry, f"leaf item '{ident}' launches nothing (no identifierref)", "PKG-12", line)
    elif ref in manifest.resources and manifest.resources[ref].get("href") is None:
        report.error(entry, f"item '{ident}' launches resource '{ref}', which has no href", "PKG-12", line)
    parameters = item.get("parameters")
    if parameters and parameters[0] not in "?#&":
        report.warn(entry, f"item '{ident}' parameters '{parameters}' should start with '?'", "PKG-11", line)


def check_resources(manifest: Manifest, contents: Contents, report: Report) -> set[str]:
    """Resource types, scormtype, launch hrefs and files [PKG-08, PKG-10, PKG-11]; the set of listed entries."""
    resources_element = manifest.first(manifest.root, "resources")
    if resources_element is None:
        report.error(manifest.entry, "no <resources> element", "PKG-10", manifest.root.sourceline)
        return set()
    base = resources_element.get(XML_BASE, "")
    files: dict[str, set[str]] = {}
    for ident, resource in manifest.resources.items():
        if resource.getparent() is resources_element:
            files[ident] = _check_resource(manifest, resource, base + resource.get(XML_BASE, ""), contents, report)
    _check_launch_listed(manifest, files, base, report)
    return set().union(*files.values()) if files else set()


def _check_resource(
    manifest: Manifest, resource: etree._Element, base: str, contents: Contents, report: Report
) -> set[str]:
    entry, ident, line = manifest.entry, resource.get("identifier"), resource.sourceline
    kind = resource.get("type")
    if kind is None:
        report.error(entry, f"resource '{ident}' has no type (use 'webcontent')", "PKG-08", line)
    elif kind != "webcontent":
        report.warn(entry, f"resource '{ident}' type '{kind}' is not 'webcontent'", "PKG-08", line)
    scorm_type = scorm_values.scorm_type(manifest, resource, report)
    href = resource.get("href")
    if href is not None:
        _check_launch_href(manifest, resource, hrefs.resolve(href, base), scorm_type, contents, report)
    elif scorm_type == "sco":
        report.error(entry, f"SCO resource '{ident}' has no href (its launch page)", "PKG-11", line)
    listed: set[str] = set()
    for file in resource.findall(f"{{{manifest.cp}}}file"):
        target = hrefs.resolve(file.get("href", ""), base + file.get(XML_BASE, ""))
        for problem in target.problems:
            report.error(entry, f"<file> of resource '{ident}': {problem}", "PKG-10", file.sourceline)
        if target.external:
            report.error(
                entry, f"<file> '{target.href}' of resource '{ident}' is outside the package", "PKG-10", file.sourceline
            )
        if target.entry is not None:
            listed.add(target.entry)
            why = contents.missing(target.entry)
            if why:
                report.error(entry, f"<file> of resource '{ident}': {why}", "PKG-10", file.sourceline)
    return listed


def _check_launch_href(
    manifest: Manifest,
    resource: etree._Element,
    target: hrefs.Target,
    scorm_type: str | None,
    contents: Contents,
    report: Report,
) -> None:
    entry, ident, line = manifest.entry, resource.get("identifier"), resource.sourceline
    for problem in target.problems:
        report.error(entry, f"resource '{ident}' launch {problem}", "PKG-11", line)
    if target.external:
        if scorm_type == "sco":
            report.error(
                entry,
                f"SCO '{ident}' launches '{target.href}' outside the package; it cannot reach the LMS API",
                "PKG-11",
                line,
            )
        else:
            report.warn(entry, f"resource '{ident}' launches '{target.href}' outside the package", "PKG-11", line)
        return
    if target.query:
        report.warn(
            entry,
            f"resource '{ident}' href has a query string; put launch parameters in item@parameters",
            "PKG-11",
            line,
        )
    why = contents.missing(target.entry) if target.entry else None
    if why:
        report.error(entry, f"launch page of resource '{ident}': {why}", "PKG-10", line)


def _check_launch_listed(manifest: Manifest, files: dict[str, set[str]], base: str, report: Report) -> None:
    """A resource's launch page is listed among its <file>s or those of its dependencies [PKG-10]."""
    budget = [MAX_DEPENDENCY_STEPS]  # shared by every walk: a hostile dependency chain stays linear
    for ident, resource in manifest.resources.items():
        target = hrefs.resolve(resource.get("href") or "", base + resource.get(XML_BASE, ""))
        if ident not in files or target.entry is None:
            continue
        listed = _listed_through_dependencies(manifest, ident, target.entry, files, budget)
        if listed is None:
            report.notes.append("dependency graph too large: launch pages not all checked against <file> lists")
            return
        if not listed:
            report.error(
                manifest.entry,
                f"launch page '{target.entry}' of resource '{ident}' is not listed in its <file> elements",
                "PKG-10",
                resource.sourceline,
            )


def _listed_through_dependencies(
    manifest: Manifest, ident: str, entry: str, files: dict[str, set[str]], budget: list[int]
) -> bool | None:
    """Whether ``entry`` is a <file> of resource ``ident`` or of one it depends on; None when over budget."""
    seen, stack = {ident}, [ident]
    while stack:
        current = stack.pop()
        if entry in files.get(current, ()):
            return True
        budget[0] -= 1
        if budget[0] < 0:
            return None
        for dependency in manifest.resources[current].findall(f"{{{manifest.cp}}}dependency"):
            ref = dependency.get("identifierref")
            if ref in manifest.resources and ref not in seen:
                seen.add(ref)
                stack.append(ref)
    return False


def check_coverage(manifest: Manifest, contents: Contents, listed: set[str], report: Report) -> None:
    """Every file of the zip is listed by some resource, except descriptor and control files [PKG-10]."""
    unlisted = sorted(
        name
        for name in contents.names - listed
        if name != manifest.entry
        and not name.lower().endswith((".xsd", ".dtd"))
        and not is_litter(name)
        and not any(severity == "error" for severity, _ in name_problems(name))  # already reported
    )
    for name in unlisted[:MAX_UNLISTED]:
        report.warn(name, "file is not listed by any resource <file> in the manifest", "PKG-10")
    if len(unlisted) > MAX_UNLISTED:
        report.warn("", f"{len(unlisted) - MAX_UNLISTED} more files are not listed by any resource", "PKG-10")
