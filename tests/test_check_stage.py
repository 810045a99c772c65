"""The check stage: every course rule runs in ``validate``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from jmdi_scorm.cli import main


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
