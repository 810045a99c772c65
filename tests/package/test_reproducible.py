"""Reproducible builds: same source, other folder, other clock, other locale → identical zips."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MINIMAL

FAKETIME = shutil.which("faketime")


def _build(course: Path, out: Path, env_changes: dict[str, str], clock: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(env_changes)
    command = [sys.executable, "-m", "jmdi_scorm", "build", str(course), "--out", str(out), "--no-pdf"]
    if clock:
        command = [FAKETIME, "-f", clock, *command]
    subprocess.run(command, env=env, check=True, capture_output=True, cwd=course.parent)
    return {zip_path.name: hashlib.sha256(zip_path.read_bytes()).hexdigest() for zip_path in sorted(out.glob("*.zip"))}


@pytest.mark.skipif(FAKETIME is None, reason="faketime (Debian package) is installed by scripts/setup.sh")
def test_two_builds_in_other_folders_with_another_clock_are_identical(tmp_path: Path) -> None:
    first_course, second_course = tmp_path / "a" / "course", tmp_path / "b" / "elsewhere" / "course"
    shutil.copytree(MINIMAL, first_course)
    shutil.copytree(MINIMAL, second_course)
    for path in second_course.rglob("*"):  # other modification times on every source file
        os.utime(path, (1_000_000_000, 1_000_000_000))
    first = _build(first_course, tmp_path / "out-a", {"TZ": "UTC", "LC_ALL": "C"}, clock="@2026-01-01 00:00:00")
    second = _build(
        second_course, tmp_path / "out-b", {"TZ": "Asia/Kathmandu", "LC_ALL": "C.UTF-8"}, clock="@2031-07-15 13:37:11"
    )
    assert len(first) >= 6, f"expected every format, got {sorted(first)}"
    assert first == second
