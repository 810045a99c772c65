"""``jmdi-scorm translate extract|update|status`` on a copy of the fixture course."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from jmdi_scorm.cli import main
from tests.conftest import MINIMAL


@pytest.fixture
def course(tmp_path: Path) -> Path:
    target = tmp_path / "course"
    shutil.copytree(MINIMAL, target, ignore=shutil.ignore_patterns(".jmdi-cache", "locale"))
    return target


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["translate", *args])
    return result.exit_code, result.output


def test_extract_update_status(course: Path):
    code, out = _run("extract", str(course))
    assert code == 0 and "segments" in out and (course / "locale" / "messages.pot").is_file()
    code, out = _run("status", str(course))
    assert code == 0 and "no catalogue" in out
    code, out = _run("update", str(course))
    assert code == 1 and "--lang" in out
    code, out = _run("update", str(course), "--lang", "fr", "--lang", "es")
    assert code == 0, out
    assert (course / "locale" / "fr.po").is_file() and (course / "locale" / "es.po").is_file()
    code, out = _run("status", str(course))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["language", "total"] and [line.split()[0] for line in lines[1:]] == ["es", "fr"]
    assert lines[1].split()[-1] == "0%"
    code, out = _run("status", str(course), "--format", "json")
    rows = json.loads(out)
    assert rows[1]["language"] == "fr" and rows[1]["untranslated"] == rows[1]["total"] > 0
    code, out = _run("update", str(course))  # every catalogue present
    assert code == 0 and out.count("wrote") == 2


def test_errors(course: Path):
    code, out = _run("update", str(course), "--lang", "../evil")
    assert code == 1 and "not a language code" in out
    (course / "course.yaml").write_text((course / "course.yaml").read_text().replace("title:", "titel:", 1))
    code, out = _run("extract", str(course))
    assert code == 1 and "validate" in out
    assert not (course / "locale").exists()


def test_check(course: Path):
    _run("update", str(course), "--lang", "fr")
    code, out = _run("check", str(course))
    assert code == 0 and "untranslated:" in out and out.count("untranslated") == 1
    code, out = _run("check", str(course), "--strict")
    assert code == 1
    code, out = _run("check", str(course), "--each", "--format", "json")
    found = json.loads(out)
    assert len(found) > 10 and all(p["severity"] == "warning" and p["path"].endswith("fr.po") for p in found)
    code, out = _run("check", str(course), "--lang", "de")
    assert code == 1 and "fr.po" not in out
