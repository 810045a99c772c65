"""Packages over PHP's default upload limit (2 MiB, ``package/upload.py``): the import sheet states
the zip's size, the build names the packages over the limit in one note, ``check`` warns [PKG-17]."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from jmdi_scorm.cli import main
from jmdi_scorm.lint import check_package
from jmdi_scorm.package.upload import UPLOAD_LIMIT, mib, over_upload_limit, size_text
from tests.conftest import MINIMAL

NOTE = "over 2 MiB (PHP's default upload limit"


@pytest.fixture(scope="module")
def large_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal course whose resource file is 2.2 MB of random bytes: deflate cannot shrink
    it, so each LMS package is over the limit."""
    course = tmp_path_factory.mktemp("large") / "course"
    shutil.copytree(MINIMAL, course, ignore=shutil.ignore_patterns(".jmdi-cache"))
    (course / "assets" / "handout.txt").write_bytes(os.urandom(2_200_000))
    return course


def _args(course: Path, out: Path, *options: str) -> list[str]:
    """``build`` of the LMS formats and the web site, no PDFs, its cache (build records) in ``out``."""
    return [
        "build",
        str(course),
        "--format",
        "scorm12,xapi,web",
        "--no-pdf",
        "--cache-dir",
        str(out / "cache"),
        *options,
    ]


def _build(course: Path, out: Path, *options: str) -> tuple[str, dict]:
    """The build's text output and its ``--json`` summary (two builds of the same course)."""
    text = CliRunner().invoke(main, [*_args(course, out, *options), "--out", str(out / "text")])
    assert text.exit_code == 0, text.output
    summary = CliRunner().invoke(main, [*_args(course, out, *options), "--out", str(out / "json"), "--json"])
    assert summary.exit_code == 0, summary.output
    return text.output, json.loads(summary.output)


def test_the_limit_is_phps_default_and_a_file_of_that_size_uploads() -> None:
    assert UPLOAD_LIMIT == 2_097_152
    assert not over_upload_limit(UPLOAD_LIMIT) and over_upload_limit(UPLOAD_LIMIT + 1)
    assert size_text(2_250_484) == "2.15 MiB (2,250,484 bytes)"


def test_a_package_over_the_limit_is_named_in_one_note_and_warned_about(large_course: Path, tmp_path: Path) -> None:
    text, summary = _build(large_course, tmp_path)
    sizes = {Path(p["package"]).name: p["size"] for p in summary["packages"]}
    assert all(size > UPLOAD_LIMIT for size in sizes.values()), sizes
    notes = [note for note in summary["notes"] if NOTE in note]
    assert len(notes) == 1, summary["notes"]  # one line for the build, not one per package
    note = notes[0]
    assert note.startswith("2 package(s) over 2 MiB")
    assert "mini-course-scorm12.zip, mini-course-xapi.zip;" in note
    assert "mini-course-web.zip" not in note  # the offline web site is not uploaded into an LMS
    assert "upload_max_filesize and post_max_size" in note
    assert "--split module" in note and "--no-pdf" not in note  # no PDFs in these packages
    assert f"note: {note}\n" in text  # the same note in the normal output
    again = CliRunner().invoke(main, [*_args(large_course, tmp_path), "--out", str(tmp_path / "json"), "--json"])
    recorded = json.loads(again.output)  # nothing changed: the build's record gives its result, note included
    assert recorded["up_to_date"] and note in recorded["notes"]

    sheet = (tmp_path / "json" / "mini-course-scorm12-lms-import.md").read_text(encoding="utf-8")
    zip_size = sizes["mini-course-scorm12.zip"]
    assert f"Package `mini-course-scorm12.zip`, {size_text(zip_size)}: SCORM 1.2" in sheet
    assert f"**This zip, {mib(zip_size)}, is over PHP's default 2 MiB**" in sheet
    assert "*Maximum uploaded file size*" in sheet and "*Maximum upload size*" in sheet
    # The sheet is made from the zip's size: two builds of the same course give the same bytes.
    assert sheet.encode() == (tmp_path / "text" / "mini-course-scorm12-lms-import.md").read_bytes()

    for name in ("mini-course-scorm12.zip", "mini-course-xapi.zip"):
        report = check_package(tmp_path / "json" / name)
        assert report.errors == 0, report.lines()  # valid, only too large for stock settings
        assert [(f.severity, f.code, f.entry) for f in report.findings] == [("warning", "PKG-17", "")]
        message = report.findings[0].message
        assert message.startswith(f"package is {size_text(sizes[name])}, over 2 MiB")
        assert "upload_max_filesize" in message and "--split module" in message and "--no-pdf" in message
    strict = CliRunner().invoke(main, ["check", "--strict", str(tmp_path / "json" / "mini-course-scorm12.zip")])
    assert strict.exit_code == 1 and "[PKG-17]" in strict.output


def test_a_split_build_over_the_limit_does_not_advise_splitting(large_course: Path, tmp_path: Path) -> None:
    _, summary = _build(large_course, tmp_path, "--split", "module")
    note = next(note for note in summary["notes"] if NOTE in note)
    assert note.startswith("4 package(s) over 2 MiB")  # every module's package holds the course's resources
    assert "mini-course-intro-scorm12.zip, mini-course-practice-scorm12.zip, mini-course-intro-xapi.zip" in note
    assert "--split module" not in note and "raise Moodle's upload limit" in note
    sheet = (tmp_path / "json" / "mini-course-intro-scorm12-lms-import.md").read_text(encoding="utf-8")
    assert "is over PHP's default 2 MiB" in sheet and "`--split module`" not in sheet


def test_a_package_under_the_limit_gets_its_size_but_no_note_nor_warning(tmp_path: Path) -> None:
    _, summary = _build(MINIMAL, tmp_path)
    assert not [note for note in summary["notes"] if "upload limit" in note], summary["notes"]
    size = next(p["size"] for p in summary["packages"] if p["format"] == "scorm12")
    assert size < UPLOAD_LIMIT
    sheet = (tmp_path / "json" / "mini-course-scorm12-lms-import.md").read_text(encoding="utf-8")
    assert f"Package `mini-course-scorm12.zip`, {size_text(size)}: SCORM 1.2" in sheet
    assert f"This zip, {mib(size)}, is within PHP's defaults." in sheet and "is over" not in sheet
    report = check_package(tmp_path / "json" / "mini-course-scorm12.zip")
    assert not [f for f in report.findings if f.code == "PKG-17"]


def test_a_build_with_module_pdfs_also_advises_leaving_them_out(minimal_course: Path, tmp_path: Path) -> None:
    (minimal_course / "assets" / "handout.txt").write_bytes(os.urandom(2_200_000))
    args = ["build", str(minimal_course), "--format", "scorm12", "--out", str(tmp_path), "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    if not summary["downloads"]:
        pytest.skip("WeasyPrint cannot render here: no module PDFs")
    note = next(note for note in summary["notes"] if NOTE in note)
    assert "--split module (one package per module, with its own PDF) or --no-pdf (no module PDFs" in note
    sheet = (tmp_path / "mini-course-scorm12-lms-import.md").read_text(encoding="utf-8")
    assert "`--split module` (one package per module, with its own PDF) or `--no-pdf`" in sheet
