"""Write a file whole or not at all: what every stage that writes to disk uses.

The data goes to a new hidden file beside the destination (``.<name>.<random>.tmp``: concurrent
writers never share one, and a killed process leaves at most such a file, never a partial file
under the final name), is flushed to disk, then renamed over the destination in one step.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

FILE_MODE = 0o644  # rw-r--r--, as any file a user writes (mkstemp makes 0600)


def write_temporary(dest: Path, data: bytes, sync: bool = True) -> Path:
    """``data`` complete on disk in a new hidden file beside ``dest``; its path. ``sync=False``:
    written, not yet flushed to disk; the caller calls :func:`flush` before renaming it."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())  # complete on disk before the rename makes it visible
        tmp.chmod(FILE_MODE)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def flush(path: Path) -> None:
    """The file ``path`` complete on disk (what ``write_temporary`` does unless ``sync=False``)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)  # the file's data, whichever descriptor wrote it
    finally:
        os.close(fd)


def atomic_write(dest: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``dest``, then rename it over ``dest``."""
    tmp = write_temporary(dest, data)
    try:
        tmp.replace(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
