"""What a test run must not write into the repository: the build caches of its course folders.

A build of a course folder keeps its module PDFs and build records in ``COURSE_DIR/.jmdi-cache``
unless told otherwise (``--cache-dir``, ``BuildOptions.cache``). A test that builds the fixture
course or the JMDI course in place would leave that folder in the checkout and, worse, hand its
PDFs to the next run: tests build copies, or give the build a cache folder of their own. The
suite compares :func:`snapshot` before and after each test and over the whole session
(``tests/conftest.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

from jmdi_scorm.build_options import CACHE_FOLDER

ROOT = Path(__file__).resolve().parents[2]

#: A file's size and modification time, by path.
Snapshot = dict[str, tuple[int, int]]


def course_folders(root: Path = ROOT) -> list[Path]:
    """The course folders in the repository: the JMDI course and every fixture course."""
    fixtures = root / "tests" / "fixtures"
    return [root / "course", *sorted(path.parent for path in fixtures.glob("*/course.yaml"))]


def snapshot(folders: list[Path]) -> Snapshot:
    """Every file in the build caches of ``folders`` (a missing cache: none)."""
    files: Snapshot = {}
    for folder in folders:
        cache = folder / CACHE_FOLDER
        if not cache.is_dir():  # the usual case: one stat a folder
            continue
        files[os.fspath(cache)] = (0, 0)  # the folder itself, even empty
        for parent, _, names in os.walk(cache):
            for name in names:
                path = os.path.join(parent, name)  # noqa: PTH118 - a walk's text paths
                try:
                    stat = os.stat(path)  # noqa: PTH116
                except FileNotFoundError:
                    continue
                files[path] = (stat.st_size, stat.st_mtime_ns)
    return files


def changes(before: Snapshot, after: Snapshot, root: Path = ROOT) -> list[str]:
    """The files made, changed or removed between two snapshots, relative to ``root``, sorted."""
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    return sorted(os.path.relpath(path, root) for path in changed)


def message(changed: list[str], when: str) -> str:
    """What the failure says: the files, and what to do about them."""
    listed = "\n  ".join(changed[:20]) + (f"\n  ... and {len(changed) - 20} more" if len(changed) > 20 else "")
    return (
        f"{when} wrote into a course folder's build cache in the repository:\n  {listed}\n"
        "Build a copy of the course (the minimal_course fixture) or give the build a cache folder under "
        "tmp_path (--cache-dir, BuildOptions(cache=...)); then delete the folder."
    )
