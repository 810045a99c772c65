"""The guard that keeps test runs from writing into the repository (tests/support/repo_writes.py)
sees what a build in place writes, and nothing from a build given a cache folder of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from jmdi_scorm.build_options import CACHE_FOLDER
from jmdi_scorm.cli import main
from tests.conftest import MINIMAL, ROOT
from tests.support import repo_writes


def _repository(tmp_path: Path) -> Path:
    """A repository-shaped folder: a course in ``course/`` and one fixture course."""
    root = tmp_path / "repo"
    for folder in (root / "course", root / "tests" / "fixtures" / "minimal"):
        shutil.copytree(MINIMAL, folder, ignore=shutil.ignore_patterns(CACHE_FOLDER))
    (root / "tests" / "fixtures" / "not-a-course").mkdir()
    return root


def test_the_guard_watches_every_course_folder_of_the_repository() -> None:
    folders = repo_writes.course_folders(ROOT)
    assert folders[0] == ROOT / "course" and MINIMAL in folders
    assert all((folder / "course.yaml").is_file() for folder in folders)


def test_a_build_in_place_is_seen_and_one_with_its_own_cache_is_not(tmp_path: Path) -> None:
    root = _repository(tmp_path)
    folders = repo_writes.course_folders(root)
    assert folders == [root / "course", root / "tests" / "fixtures" / "minimal"]
    fixture = root / "tests" / "fixtures" / "minimal"
    args = ["build", str(fixture), "--format", "scorm12", "--no-pdf", "--out", str(tmp_path / "dist"), "-q"]

    before = repo_writes.snapshot(folders)
    elsewhere = CliRunner().invoke(main, [*args, "--cache-dir", str(tmp_path / "cache")])
    assert elsewhere.exit_code == 0, elsewhere.output
    assert (tmp_path / "cache").is_dir()  # the build did keep a record, where it was told
    assert repo_writes.changes(before, repo_writes.snapshot(folders), root) == []

    in_place = CliRunner().invoke(main, args)
    assert in_place.exit_code == 0, in_place.output
    changed = repo_writes.changes(before, repo_writes.snapshot(folders), root)
    assert "tests/fixtures/minimal/.jmdi-cache" in changed
    assert any(path.startswith("tests/fixtures/minimal/.jmdi-cache/build/") for path in changed), changed
    assert "tests/fixtures/minimal/.jmdi-cache" in repo_writes.message(changed, "This test")

    settled = repo_writes.snapshot(folders)
    record = next((fixture / ".jmdi-cache" / "build").glob("*.json"))
    record.unlink()  # a file removed is a change too
    gone = record.relative_to(root).as_posix()
    assert repo_writes.changes(settled, repo_writes.snapshot(folders), root) == [gone]
