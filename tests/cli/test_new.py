"""``jmdi-scorm new``: a starter course that validates (and builds, once build exists); never overwrites."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from jmdi_scorm.cli import main
from jmdi_scorm.source.validate import load_course


def invoke(*args: object) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


def test_new_course_validates_cleanly(tmp_path: Path) -> None:
    dest = tmp_path / "Road Safety 101"
    result = invoke("new", dest, "--title", 'Road safety: "the basics"')
    assert result.exit_code == 0, result.output
    assert f"created {dest}" in result.stdout
    for name in ("course.yaml", "glossary.yaml", "resources.yaml", "modules/basics/module.yaml", "schemas"):
        assert (dest / name).exists(), name
    validated = invoke("validate", dest)
    assert validated.exit_code == 0, validated.output
    assert "0 error(s), 0 warning(s)" in validated.output
    course, _ = load_course(dest)
    assert (course.id, course.meta.title) == ("road-safety-101", 'Road safety: "the basics"')
    assert [t.id for t in course.topics] == ["basics-01", "basics-02"]
    types = {q.type for t in course.topics for q in t.questions}
    assert {"single", "multiple", "true-false", "fill-in", "ordering"} <= types


def test_new_course_options(tmp_path: Path) -> None:
    result = invoke("new", tmp_path / "c", "--id", "pilot-course", "--language", "fr")
    assert result.exit_code == 0, result.output
    course, _ = load_course(tmp_path / "c")
    assert (course.id, course.meta.language, course.meta.base_iri) == (
        "pilot-course",
        "fr",
        "https://example.org/courses/pilot-course/",
    )


def test_new_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = invoke("new", tmp_path)
    assert result.exit_code == 1
    assert f"error: {tmp_path} is not empty; choose a new or empty folder" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_new_accepts_an_empty_folder_and_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert invoke("new", tmp_path / "empty").exit_code == 0
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = invoke("new", tmp_path / "file")
    assert result.exit_code != 0
    assert not (tmp_path / "file").is_dir()


def test_new_rejects_a_bad_id(tmp_path: Path) -> None:
    result = invoke("new", tmp_path / "c", "--id", "Bad_Id")
    assert result.exit_code == 1
    assert "error: course id 'Bad_Id' must be lowercase letters, digits and single hyphens" in result.output
    assert not (tmp_path / "c").exists()


def test_new_course_builds_and_its_packages_pass_check(tmp_path: Path) -> None:
    if "build" not in main.commands:
        pytest.skip("the build command does not exist yet (another engineer is adding it)")
    dest, out = tmp_path / "course", tmp_path / "dist"
    assert invoke("new", dest).exit_code == 0
    built = invoke("build", dest, "--out", out)
    assert built.exit_code == 0, built.output
    packages = [z for z in sorted(out.glob("*.zip")) if not z.name.endswith("-web.zip")]
    assert packages, built.output
    checked = invoke("check", "--strict", *packages)
    assert checked.exit_code == 0, checked.output
