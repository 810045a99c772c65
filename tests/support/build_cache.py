"""Build caches for the tests' builds, kept in the tests' temporary folders: a build of a course
folder of the repository must not write its cache there (tests/support/repo_writes.py)."""

from __future__ import annotations

import shutil
from pathlib import Path


def cache_copy(warm: Path, dest: Path) -> Path:
    """``dest``, a build cache holding a copy of ``warm`` (the minimal course's module PDFs,
    rendered once a session: conftest's ``warm_pdf_cache``; none when WeasyPrint could not)."""
    if warm.is_dir():
        shutil.copytree(warm, dest)
    return dest
