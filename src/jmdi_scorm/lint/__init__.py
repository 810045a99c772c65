"""``jmdi-scorm check``: lint any SCORM 1.2/2004, TinCan or cmi5 zip, ours or anyone's.

Pipeline per package: open the zip behind size limits (zipsafe) → entry hygiene → bounded
integrity read of every entry → find the one descriptor at the root → parse it safely (xmlsafe)
→ standard-specific checks (scorm, scorm_values, xapi) → control files and XSD (control).
Nothing is ever extracted to disk; every problem becomes a :class:`Finding`, never an exception.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from jmdi_scorm.lint import control, scorm, xapi, xmlsafe, zipsafe
from jmdi_scorm.lint.hrefs import Contents
from jmdi_scorm.lint.report import Finding, Report
from jmdi_scorm.lint.zipsafe import Archive, Limits
from jmdi_scorm.package.upload import RAISE_LIMIT, over_limit_text, over_upload_limit, size_text, smaller_builds

__all__ = ["Finding", "Limits", "Report", "check_bytes", "check_package", "summary"]

DESCRIPTORS = ("imsmanifest.xml", "tincan.xml", "cmi5.xml")


def check_package(path: Path, xsd_dir: Path | None = None, limits: Limits | None = None) -> Report:
    """Check one package file; every problem is in the returned report."""
    report = Report(str(path))
    if not path.is_file():
        report.error("", "file not found" if not path.exists() else "not a file")
        return report
    try:
        with path.open("rb") as fp:
            _check_stream(fp, path.stat().st_size, report, xsd_dir, limits or Limits())
    except OSError as exc:
        report.error("", f"cannot read: {exc.strerror or exc}")
    return report


def check_bytes(
    data: bytes, name: str = "package.zip", xsd_dir: Path | None = None, limits: Limits | None = None
) -> Report:
    """Check a package held in memory (tests, fuzzing)."""
    report = Report(name)
    _check_stream(io.BytesIO(data), len(data), report, xsd_dir, limits or Limits())
    return report


def _check_stream(fp: BinaryIO, size: int, report: Report, xsd_dir: Path | None, limits: Limits) -> None:
    zf = zipsafe.open_archive(fp, size, report, limits)
    if zf is None:
        return
    _check_upload_size(size, report)
    with zf:
        try:
            infos = zf.infolist()
        except zipsafe.ZIP_ERRORS as exc:  # pragma: no cover - infolist is a list copy
            report.error("", f"damaged zip: {zipsafe.describe(exc)}")
            return
        if not zipsafe.check_entries(zf, report, limits):
            return
        archive = Archive(zf, infos)
        descriptors = _find_descriptors(archive, report)
        zipsafe.scan(archive, report, limits, set(descriptors))
        contents = Contents(archive.names, archive.digests)
        for name in descriptors:
            if name in archive.kept:
                _check_descriptor(name, archive.kept[name], contents, report, xsd_dir, zf.read)


def _check_upload_size(size: int, report: Report) -> None:
    """A valid package that a Moodle on PHP's default settings refuses to upload [PKG-17]."""
    if over_upload_limit(size):
        report.warn(
            "",
            f"package is {size_text(size)}, {over_limit_text('it')}; {RAISE_LIMIT}, or, for a package jmdi-scorm "
            f"built, build smaller packages with {smaller_builds()}",
            "PKG-17",
        )


def _find_descriptors(archive: Archive, report: Report) -> list[str]:
    """The descriptors at the root; exactly one is expected [PKG-01]."""
    names = archive.names
    found = [name for name in DESCRIPTORS if name in names]
    for name in sorted(names):
        base = name.rsplit("/", 1)[-1]
        if base.lower() in DESCRIPTORS and name not in found:
            where = "in a folder" if "/" in name else "with the wrong case"
            report.error(name, f"descriptor {where}; it must be '{base.lower()}' at the zip root", "PKG-01")
    if not found:
        report.error("", "no imsmanifest.xml, tincan.xml or cmi5.xml at the zip root", "PKG-01")
    elif len(found) > 1:
        report.error(
            "", f"more than one descriptor at the root ({', '.join(found)}); a package has exactly one", "PKG-01"
        )
    return found


def _check_descriptor(
    name: str, data: bytes, contents: Contents, report: Report, xsd_dir: Path | None, read: Callable[[str], bytes]
) -> None:
    root = xmlsafe.parse(data, name, report)
    if root is None:
        return
    if name == "tincan.xml":
        xapi.check_tincan(root, name, contents, report)
    elif name == "cmi5.xml":
        xapi.check_cmi5(root, name, contents, report)
    else:
        manifest = scorm.check_manifest(root, name, contents, report)
        if manifest is not None:
            control.check_control_files(contents.names, contents.digests, manifest.edition, report)
            _validate_xsd(manifest, report, xsd_dir, contents, read)


def _validate_xsd(
    manifest: scorm.Manifest, report: Report, xsd_dir: Path | None, contents: Contents, read: Callable[[str], bytes]
) -> None:
    """Against the official schemas: those of ``--xsd-dir`` or a local npm install, else the package's
    own control files when they are the pinned official ones."""
    definitions, note = control.find_xsd_dir(xsd_dir)
    if definitions is None:
        packaged = control.packaged_schema(manifest.edition, contents.digests, read) if xsd_dir is None else None
        if packaged is None:
            report.notes.append(note)
        else:
            control.validate(manifest.root, manifest.entry, manifest.edition, packaged, report)
    elif manifest.edition not in control.EDITION_FOLDERS:
        report.notes.append(f"XSD validation skipped: no official schemas for SCORM {manifest.edition}")
    else:
        control.validate(manifest.root, manifest.entry, manifest.edition, definitions, report)


def summary(reports: list[Report]) -> str:
    """The closing line: totals over every package checked."""
    errors = sum(r.errors for r in reports)
    warnings = sum(r.warnings for r in reports)
    return f"{errors} error(s), {warnings} warning(s) in {len(reports)} package(s)"
