"""The check stage (source/validate.py): every course rule runs in ``validate``, one run reports
every problem of every file that parsed, each at its own line, and the rules never change the model."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from click.testing import CliRunner

from jmdi_scorm.cli import main
from jmdi_scorm.errors import CourseError
from jmdi_scorm.source import rules
from jmdi_scorm.source.itemlint import lint_course
from jmdi_scorm.source.loader import read_course
from jmdi_scorm.source.rules import check_course, course_assets
from jmdi_scorm.source.validate import checked_course, load_course, validate_course
from tests.conftest import MINIMAL, ROOT


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def _errors(result_output: str) -> list[str]:
    return [line for line in result_output.splitlines() if line.startswith("course/") and ": warning: " not in line]


@pytest.mark.parametrize("reserved", ["glossary", "home", "resources", "summary"])
def test_a_topic_with_a_reserved_page_id_fails_validate(minimal_course: Path, reserved: str) -> None:
    topic = minimal_course / "modules/intro/intro-02.md"
    _edit(topic, "id: intro-02", f"id: {reserved}")
    result = CliRunner().invoke(main, ["validate", str(minimal_course)])
    assert result.exit_code == 1, result.output
    line = _line_of(topic, f"id: {reserved}")
    message = f"id '{reserved}' is reserved for a page of the site; choose another id"
    assert _errors(result.output) == [f"course/modules/intro/intro-02.md:{line}: id: {message}"], result.output


def test_a_module_with_a_reserved_page_id_fails_validate_and_build(minimal_course: Path, tmp_path: Path) -> None:
    module = minimal_course / "modules/practice/module.yaml"
    _edit(module, "id: practice", "id: summary")
    expected = f"course/modules/practice/module.yaml:{_line_of(module, 'id: summary')}: id: id 'summary' is reserved"
    result = CliRunner().invoke(main, ["validate", str(minimal_course)])
    assert result.exit_code == 1 and expected in result.output, result.output
    built = CliRunner().invoke(main, ["build", str(minimal_course), "--out", str(tmp_path / "out"), "--no-pdf"])
    assert built.exit_code != 0 and expected in built.output, built.output  # refused before rendering
    assert not (tmp_path / "out").exists()


def test_three_mistakes_in_three_files_are_reported_by_one_run(minimal_course: Path) -> None:
    intro1 = minimal_course / "modules/intro/intro-01.md"
    intro2 = minimal_course / "modules/intro/intro-02.md"
    practice = minimal_course / "modules/practice/practice-01.md"
    _edit(intro1, "title: First topic", "title: First: topic")  # YAML syntax error
    _edit(intro2, "    type: fill-in\n", "    type: fill-in\n    hint: think of money\n")  # unknown question field
    # A broken internal link, on the second line of its paragraph; the link to intro-01.md, whose
    # file does not parse, is no mistake of this file and is not reported.
    _append(practice, "\nSee the [first topic](../intro/intro-01.md) and\nthe [missing one](nowhere.md).\n")

    result = CliRunner().invoke(main, ["validate", str(minimal_course)])

    assert result.exit_code == 1
    errors = _errors(result.output)
    assert len(errors) == 3, result.output
    assert errors[0].startswith(f"course/modules/intro/intro-01.md:{_line_of(intro1, 'First: topic')}: -: invalid YAML")
    hint = _line_of(intro2, "hint:")
    assert errors[1] == f"course/modules/intro/intro-02.md:{hint}: questions[0].hint: unknown key 'hint'"
    broken = _line_of(practice, "nowhere.md")
    message = "link to 'nowhere.md' does not resolve to a topic of the course"
    assert errors[2] == f"course/modules/practice/practice-01.md:{broken}: body: {message}"
    assert "3 error(s)" in result.output


def test_a_broken_module_file_hides_no_other_problem_and_makes_no_noise(minimal_course: Path) -> None:
    _edit(minimal_course / "modules/practice/module.yaml", "order: 1", "order: one")
    intro2 = minimal_course / "modules/intro/intro-02.md"
    _append(intro2, "\nThe [practice](../practice/practice-01.md), the [nothing](../practice/none.md).\n")
    problems = [p for p in validate_course(minimal_course) if p.severity == "error"]
    assert [(p.path, p.field) for p in problems] == [
        ("course/modules/intro/intro-02.md", "body"),  # none.md; practice-01.md is unread, not missing
        ("course/modules/practice/module.yaml", "order"),
    ], problems
    assert "none.md" in problems[0].message


def test_an_image_on_the_third_line_of_a_paragraph_is_reported_at_that_line(minimal_course: Path) -> None:
    topic = minimal_course / "modules/intro/intro-02.md"
    _append(topic, "\nA first line,\na second line\nand ![a missing picture](missing.png) on the third.\n")
    _append(topic, "\n> A quote\n> with [a link](gone.md)\n> in it.\n")
    with pytest.raises(CourseError) as raised:
        load_course(minimal_course)
    found = {(p.line, p.message) for p in raised.value.problems if p.severity == "error"}
    assert found == {
        (_line_of(topic, "missing.png"), "file 'missing.png' not found"),
        (_line_of(topic, "gone.md"), "link to 'gone.md' does not resolve to a topic of the course"),
    }


def test_rules_read_the_model_and_never_change_it(minimal_course: Path) -> None:
    course, ctx = read_course(minimal_course)
    assets = course_assets(course, ctx)
    assert assets == ["assets/diagram.narrow.svg", "assets/diagram.svg", "assets/handout.txt"]
    assert course.assets == [], "reading collects nothing: course_assets does, for validate.py to store"
    course = course.model_copy(update={"assets": assets})
    before = copy.deepcopy(course)
    check_course(course, ctx)
    lint_course(course, ctx)
    assert course == before
    assert course.model_dump() == before.model_dump()
    assert course_assets(course, ctx) == assets


def test_the_checked_course_carries_its_assets_and_the_context_its_parses(minimal_course: Path) -> None:
    course, ctx = checked_course(minimal_course)
    assert course.assets == ["assets/diagram.narrow.svg", "assets/diagram.svg", "assets/handout.txt"]
    assert {topic.body for topic in course.topics} <= set(ctx.build.tokens._parsed)


def test_a_file_name_no_package_can_carry_fails_validate_at_its_line(minimal_course: Path) -> None:
    """SCORM packages refuse names outside [a-z0-9._-] (targets/scorm_common.py): validate says so first."""
    (minimal_course / "assets/Photo 1.PNG").write_bytes(b"not really a picture")
    topic = minimal_course / "modules/intro/intro-02.md"
    _append(topic, "\nA photo:\n![A photo](../../assets/Photo%201.PNG)\n")
    result = CliRunner().invoke(main, ["validate", str(minimal_course)])
    assert result.exit_code == 1
    message = "file name 'assets/Photo 1.PNG' is not portable: use lowercase ASCII letters, digits, '.', '_', '-'"
    assert _errors(result.output) == [
        f"course/modules/intro/intro-02.md:{_line_of(topic, 'Photo%201')}: body: {message}"
    ]


def test_the_assets_walk_reads_every_markdown_text_the_checks_read() -> None:
    """``course_assets`` walks the texts without their lines (``texts_and_folders``): the very texts
    and folders of ``markdown_texts``, in its order."""
    for root in (MINIMAL, ROOT / "course"):
        course, ctx = checked_course(root)
        checked = [(text, folder) for text, _shown, _line, _where, folder in rules.markdown_texts(course, ctx)]
        assert list(rules.texts_and_folders(course, ctx)) == checked and len(checked) > 10
