"""A build whose inputs and outputs have not changed is not made again (``build_record``): the
files stay as the last build wrote them and the CLI prints that build's result, noted; any change
to the course, the options, the environment, the tool or the outputs builds again."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from jmdi_scorm import build_record
from jmdi_scorm.build_options import BuildOptions
from jmdi_scorm.cli import main


def build(course: Path, out: Path, *args: str) -> dict:
    result = CliRunner().invoke(main, ["build", str(course), "--out", str(out), "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def state(out: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``out``: its SHA-256 and its inode (a file written again gets a new one)."""
    return {
        p.relative_to(out).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_ino)
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def records(course: Path) -> list[Path]:
    return sorted((course / ".jmdi-cache" / "build").glob("*.json"))


def test_an_unchanged_build_keeps_its_files_and_prints_the_recorded_result(
    minimal_course: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    first = build(minimal_course, out, "--format", "scorm12,web")
    before = state(out)
    assert first["up_to_date"] is False and len(records(minimal_course)) == 1
    second = build(minimal_course, out, "--format", "scorm12,web")
    assert second["up_to_date"] is True
    assert state(out) == before  # same bytes, same files: nothing written again
    assert second["packages"] == first["packages"] and second["downloads"] == first["downloads"]
    assert second["notes"][:-1] == first["notes"]
    assert second["notes"][-1].startswith("nothing changed since the last build with these options")
    assert (second["pdf_rendered"], second["pdf_reused"]) == (0, len(first["downloads"]))

    text = CliRunner().invoke(main, ["build", str(minimal_course), "--out", str(out), "--format", "scorm12,web"])
    assert text.exit_code == 0
    assert "note: nothing changed since the last build" in text.stdout
    assert "package(s) and 2 module PDF(s) up to date in" in text.stderr


def test_a_changed_topic_builds_again(minimal_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(minimal_course, out, "--format", "web")
    before = state(out)
    topic = minimal_course / "modules" / "practice" / "practice-01.md"
    topic.write_text(topic.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    again = build(minimal_course, out, "--format", "web")
    assert again["up_to_date"] is False
    after = state(out)
    assert after["mini-course-web.zip"][0] != before["mini-course-web.zip"][0]
    assert after["mini-course-intro.pdf"][0] == before["mini-course-intro.pdf"][0]
    assert len(records(minimal_course)) == 2  # one per set of inputs


@pytest.mark.parametrize("damage", ["changed", "deleted", "touched", "extra file in the unpacked folder"])
def test_a_changed_output_builds_again(damage: str, minimal_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(minimal_course, out, "--format", "web")
    before = state(out)
    target = out / "mini-course-intro.pdf"
    if damage == "changed":
        target.write_bytes(b"%PDF-1.7 not what the build wrote")
    elif damage == "deleted":
        target.unlink()
    elif damage == "touched":  # same bytes, but not the file the build left (an editor saved it)
        target.write_bytes(target.read_bytes())
    else:
        (out / "mini-course-web" / "notes.txt").write_text("mine")
    again = build(minimal_course, out, "--format", "web")
    assert again["up_to_date"] is False
    after = state(out)
    assert after["mini-course-intro.pdf"][0] == before["mini-course-intro.pdf"][0]  # restored
    assert "mini-course-web/notes.txt" not in after


@pytest.mark.parametrize(
    "other",
    [
        ["--format", "scorm12"],
        ["--no-pdf"],
        ["--split", "module"],
        ["--out", "elsewhere"],
    ],
)
def test_other_options_are_another_build(other: list[str], minimal_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(minimal_course, out, "--format", "web")
    args = ["--format", "web", *other]
    if "--out" in other:
        args = ["--format", "web"]
        out = tmp_path / "elsewhere"
    assert build(minimal_course, out, *args)["up_to_date"] is False


def test_no_cache_neither_reads_nor_writes_a_record(minimal_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(minimal_course, out, "--format", "web", "--no-cache")
    assert records(minimal_course) == []
    build(minimal_course, out, "--format", "web")
    assert build(minimal_course, out, "--format", "web", "--no-cache")["up_to_date"] is False


def test_the_environment_and_the_tool_are_inputs(minimal_course: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "dist"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(minimal_course, out, "--format", "web", "--no-pdf")
    assert build(minimal_course, out, "--format", "web", "--no-pdf")["up_to_date"] is True
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # other dates in the zips
    assert build(minimal_course, out, "--format", "web", "--no-pdf")["up_to_date"] is False

    options = BuildOptions(out=out)
    names = dict(build_record.inputs(minimal_course, options))
    assert any(name.startswith("tool jmdi_scorm/build_record.py") for name in names)  # our own code
    assert any(name.startswith("tool templates/") or name.startswith("tool _templates/") for name in names)
    assert "library weasyprint" in names and "pdf fonts" in names
    assert not any(".jmdi-cache" in name for name in names)  # the cache is not an input


def test_a_forged_or_broken_record_is_not_trusted(minimal_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(minimal_course, out, "--format", "web")
    (record,) = records(minimal_course)
    saved = json.loads(record.read_text())
    for broken in ("{not json", json.dumps({"format": 1, "result": saved["result"], "written": "all"})):
        record.write_text(broken)
        assert build(minimal_course, out, "--format", "web")["up_to_date"] is False
    # a record claiming files it did not write (another inode) is not believed either
    saved = json.loads(record.read_text())
    for entry in saved["written"]:
        if "file" in entry:
            entry["file"][2] += 1
    record.write_text(json.dumps(saved))
    assert build(minimal_course, out, "--format", "web")["up_to_date"] is False


def test_a_course_changed_during_its_build_is_not_recorded(minimal_course: Path, tmp_path: Path, monkeypatch) -> None:
    import jmdi_scorm.build

    real = jmdi_scorm.build.build
    topic = minimal_course / "modules" / "practice" / "practice-01.md"

    def edited_meanwhile(course_dir: Path, options: BuildOptions):
        result = real(course_dir, options)
        topic.write_text(topic.read_text(encoding="utf-8") + "\nWritten during the build.\n", encoding="utf-8")
        return result

    monkeypatch.setattr(jmdi_scorm.build, "build", edited_meanwhile)
    build(minimal_course, tmp_path / "dist", "--format", "web")
    assert records(minimal_course) == []
