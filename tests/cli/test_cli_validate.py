"""The validate and schema commands, through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from jmdi_scorm.cli import main
from jmdi_scorm.source.schema import render_reference, render_schemas
from jmdi_scorm.source.validate import load_course

ROOT = Path(__file__).resolve().parents[2]


def test_valid_course_passes(minimal_course: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(minimal_course)])
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.output


def test_json_format_lists_problems(minimal_course: Path) -> None:
    topic = minimal_course / "modules/intro/intro-01.md"
    topic.write_text(topic.read_text(encoding="utf-8").replace("minutes: 5", "minutes: x"), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--format", "json", str(minimal_course)])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert problems == [
        {
            "path": "course/modules/intro/intro-01.md",
            "line": 7,
            "field": "minutes",
            "message": "expected a whole number, not 'x'",
            "severity": "error",
        }
    ]


def test_warnings_fail_only_with_strict(minimal_course: Path) -> None:
    topic = minimal_course / "modules/practice/practice-01.md"
    text = topic.read_text(encoding="utf-8")
    front, body = text.split("questions:", 1)[0], text.split("---", 2)[2]
    topic.write_text(front + "---" + body, encoding="utf-8")
    relaxed = CliRunner().invoke(main, ["validate", str(minimal_course)])
    assert relaxed.exit_code == 0, relaxed.output
    assert (
        "course/modules/practice/practice-01.md:2: questions: warning: topic has no knowledge-check questions"
        in relaxed.output
    )
    strict = CliRunner().invoke(main, ["validate", "--strict", str(minimal_course)])
    assert strict.exit_code == 1


def test_every_problem_is_reported_in_one_run(minimal_course: Path) -> None:
    (minimal_course / "modules/intro/intro-01.md").write_text("no front matter\n", encoding="utf-8")
    course_yaml = minimal_course / "course.yaml"
    course_yaml.write_text(
        course_yaml.read_text(encoding="utf-8").replace("language: en", "language: xx"), encoding="utf-8"
    )
    (minimal_course / "glossary.yaml").write_bytes(b"\xef\xbb\xbfterms: []\n")
    result = CliRunner().invoke(main, ["validate", str(minimal_course)])
    assert result.exit_code == 1
    assert "3 error(s)" in result.output
    for fragment in ("course.yaml:", "intro-01.md:1:", "glossary.yaml:1:"):
        assert fragment in result.output


def test_missing_course_directory(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "course directory not found" in result.output


def test_committed_schemas_are_up_to_date() -> None:
    for name, text in render_schemas().items():
        committed = ROOT / "schemas" / name
        assert committed.read_text(encoding="utf-8") == text, f"schemas/{name} is stale: run `jmdi-scorm schema`"


def test_committed_reference_is_up_to_date() -> None:
    committed = (ROOT / "docs/reference.md").read_text(encoding="utf-8")
    assert committed == render_reference(), "docs/reference.md is stale: run `jmdi-scorm schema`"


def test_schema_command_writes_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["schema", "--out", str(tmp_path), "--reference", str(tmp_path / "ref.md")])
    assert "| `mastery_score` | number | no |" in (tmp_path / "ref.md").read_text(encoding="utf-8")
    assert result.exit_code == 0
    schema = json.loads((tmp_path / "course.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["tracking"]["description"]
    assert schema["additionalProperties"] is False


def test_course_yaml_files_carry_schema_comment() -> None:
    for path in [ROOT / "course/course.yaml", *sorted((ROOT / "course/modules").glob("*/module.yaml"))]:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target.is_file(), f"{path}: schema comment points to missing {target}"


def test_identifiers_follow_the_documented_scheme(minimal_course: Path) -> None:
    course, _ = load_course(minimal_course)
    assert [m.id for m in course.modules] == ["intro", "practice"]
    assert course.interaction_id("intro-01", "q1") == "intro-01.q1"
    assert course.iri("topic", "intro-01") == "https://example.org/courses/mini/topic/intro-01"
    assert course.assets == ["assets/diagram.narrow.svg", "assets/diagram.svg", "assets/handout.txt"]


def test_an_empty_table_header_cell_is_a_warning(minimal_course: Path) -> None:
    """axe (best practice) and screen readers: a header cell with no name names nothing."""
    topic = minimal_course / "modules/intro/intro-01.md"
    text = topic.read_text(encoding="utf-8") + "\n| | Origin | Destination |\n|---|---|---|\n| Risk | a | b |\n"
    topic.write_text(text, encoding="utf-8")
    line = text.splitlines().index("| | Origin | Destination |") + 1
    result = CliRunner().invoke(main, ["validate", "--strict", str(minimal_course)])
    assert result.exit_code == 1
    assert f"course/modules/intro/intro-01.md:{line}: body: warning: a table header cell is empty" in result.output
    topic.write_text(text.replace("| | Origin", "| Aspect | Origin"), encoding="utf-8")
    assert CliRunner().invoke(main, ["validate", "--strict", str(minimal_course)]).exit_code == 0
