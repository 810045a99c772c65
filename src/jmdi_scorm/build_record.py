"""A build whose inputs have not changed since the last one is not made again.

After a build with the cache on (the default), ``jmdi-scorm build`` writes a record to
``<cache>/build/<key>.json``. The key is a digest of everything that decides what the build
writes (:func:`inputs`): jmdi-scorm's own files and the versions of the libraries it uses, every
file of the course, the options that change the output, the environment variables the build
reads, the SCORM control files it would package and, with PDFs, WeasyPrint's version and the
installed fonts. The record holds the build's result (what the CLI prints) and the size,
modification time and inode of every file and folder the build wrote.

The next build computes the key first (~0.1 s for the JMDI course). When a record has that key
and every file it lists is still there as the build left it, the files are kept and the recorded
result is printed with a note: the same bytes a new build would write, as every build is
reproducible. Anything else (a changed or missing output, another option, a new font) builds
again; ``--no-cache`` always does. The record never says more than "these files are the ones
that build wrote": it is read as JSON, and an output file has an inode no one can forge.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import platform
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from jmdi_scorm import __version__
from jmdi_scorm.atomic import atomic_write
from jmdi_scorm.build_options import BuildOptions

#: Bump when the record's layout or the meaning of its key changes.
FORMAT = 1

#: Records kept in the cache folder: the newest, so switching between a few option sets (one
#: language, every language, --split module…) keeps each one's record.
KEEP = 16

#: Folders of version control systems: never inputs of a build.
VCS_FOLDERS = frozenset({".git", ".hg", ".svn"})

#: Environment variables the build reads (SOURCE_DATE_EPOCH: dates in zips and PDFs; the others
#: name folders of SCORM control files and of extra interface catalogues).
ENVIRONMENT = ("SOURCE_DATE_EPOCH", "JMDI_SCORM_XSD_DIR", "JMDI_UI_CATALOGUES")


class Record:
    """The build record of ``course_dir`` built with ``options`` (see the module docstring)."""

    def __init__(self, course_dir: Path, options: BuildOptions, folder: Path) -> None:
        self._course = _course_state(course_dir, options)  # before the key reads the files
        self.path = folder / "build" / f"{key(course_dir, options)}.json"

    @classmethod
    def of(cls, course_dir: Path, options: BuildOptions) -> Record | None:
        """The record of this build; None with ``--no-cache`` or without a course folder."""
        folder = options.cache_folder(course_dir)
        if folder is None or not course_dir.is_dir():
            return None
        return cls(course_dir, options, folder)

    def reuse(self) -> dict[str, Any] | None:
        """The recorded result when every file the recorded build wrote is as it left it; else None."""
        try:
            record = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            return None
        written = record.get("written")
        if not isinstance(written, list) or not all(isinstance(w, dict) for w in written):
            return None
        if any("missing" in entry or _signature(Path(str(entry.get("path")))) != entry for entry in written):
            return None
        with contextlib.suppress(OSError):
            os.utime(self.path)  # the newest records are the ones kept
        result = record.get("result")
        return result if isinstance(result, dict) else None

    def still_names(self, course_dir: Path, options: BuildOptions) -> bool:
        """Whether the course's files are still those this record was opened for (names, sizes and
        times): a course edited while it was built (and its output) must not be recorded under the
        key of what it was before."""
        return _course_state(course_dir, options) == self._course

    def save(self, result: dict[str, Any], written: Iterable[Path]) -> None:
        """Record ``result`` (the CLI's JSON of the build) and the files it wrote; a cache that
        cannot be written is left alone (the next build is made again)."""
        record = {"format": FORMAT, "result": result, "written": [_signature(path.absolute()) for path in written]}
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, json.dumps(record, indent=1, sort_keys=True).encode())
            _prune(self.path.parent)


def up_to_date(recorded: dict[str, Any], seconds: float) -> dict[str, Any]:
    """The result of a build that was not made again, ``seconds`` after the command started: the
    recorded one (``BuildResult.as_dict``), noted."""
    written = len(recorded.get("packages", [])) + len(recorded.get("downloads", []))
    note = (
        f"nothing changed since the last build with these options: the {written} files it wrote are "
        "as it left them and were kept (--no-cache builds again)"
    )
    return recorded | {
        "notes": [*recorded.get("notes", []), note],
        "seconds": round(seconds, 3),
        "pdf_seconds": 0.0,
        "pdf_rendered": 0,
        "pdf_reused": len(recorded.get("downloads", [])),
        "up_to_date": True,
    }


def key(course_dir: Path, options: BuildOptions) -> str:
    """The digest of :func:`inputs`."""
    digest = hashlib.sha256()
    for name, value in inputs(course_dir, options):
        digest.update(f"{name}\0{value}\n".encode())
    return digest.hexdigest()


def inputs(course_dir: Path, options: BuildOptions) -> Iterator[tuple[str, str]]:
    """(name, value) of everything that decides what a build of ``course_dir`` writes."""
    yield "record", str(FORMAT)
    yield "jmdi-scorm", __version__
    yield "python", platform.python_version()
    yield from _tool_files()
    yield from _libraries()
    for path in _course_files(course_dir, options):
        yield f"course/{path.relative_to(course_dir).as_posix()}", _digest(path)
    for field in ("formats", "split", "sco", "pdf", "languages"):
        yield f"option {field}", repr(getattr(options, field))
    yield "option out", str(options.out.resolve())
    for variable in ENVIRONMENT:
        yield f"env {variable}", os.environ.get(variable, "")
    catalogues = os.environ.get("JMDI_UI_CATALOGUES")
    if catalogues and Path(catalogues).is_dir():
        for path in _files(Path(catalogues), set()):
            yield f"catalogue {path}", _digest(path)
    yield from _control_files(course_dir)
    if options.pdf:
        yield from _pdf_renderer()


def _tool_files() -> Iterator[tuple[str, str]]:
    """Every file of the installed jmdi-scorm (code, runtime, catalogues) and its built-in theme."""
    from jmdi_scorm.render.theme import builtin_templates

    package = Path(__file__).resolve().parent
    templates = builtin_templates().resolve()  # in the package when installed from a wheel
    for root in (package,) if templates.is_relative_to(package) else (package, templates):
        for path in _files(root, set()):
            if "__pycache__" not in path.parts:
                yield f"tool {path.relative_to(root.parent).as_posix()}", _digest(path)


def _libraries() -> Iterator[tuple[str, str]]:
    """The installed version of every library jmdi-scorm requires (extras included)."""
    names = {re.split(r"[\s;\[<>=!~(]", requirement, maxsplit=1)[0] for requirement in _requirements()}
    for name in sorted(names):
        try:
            yield f"library {name}", importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            yield f"library {name}", "-"


def _requirements() -> list[str]:
    try:
        return importlib.metadata.requires("jmdi-scorm") or []
    except importlib.metadata.PackageNotFoundError:  # run from a source tree without metadata
        return []


def _control_files(course_dir: Path) -> Iterator[tuple[str, str]]:
    """The SCORM control files a build would package (they are searched for where it runs)."""
    from jmdi_scorm.targets.control_files import EDITION_FILES, find_control_files

    for edition in EDITION_FILES:
        found = find_control_files(edition, None, [course_dir])
        for name, data in sorted(found.files.items()):
            yield f"control {edition} {name}", hashlib.sha256(data).hexdigest()


def _pdf_renderer() -> Iterator[tuple[str, str]]:
    from jmdi_scorm.render import pdf_renderer

    missing = pdf_renderer.not_installed()
    yield "pdf renderer", missing or pdf_renderer.renderer_versions()
    if not missing:
        yield "pdf fonts", pdf_renderer.system_fonts()


def _course_files(course_dir: Path, options: BuildOptions) -> list[Path]:
    """The course's files: all under its folder but version control, the cache and the output."""
    skip = {p.resolve() for p in (options.cache_folder(course_dir), options.out) if p is not None}
    return _files(course_dir, skip)


def _course_state(course_dir: Path, options: BuildOptions) -> list[tuple[str, int, int]]:
    """(name, size, time) of every course file: what an edit changes, without reading the files."""
    state = []
    for path in _course_files(course_dir, options):
        try:
            info = path.stat()
        except OSError:
            state.append((str(path), -1, -1))
        else:
            state.append((str(path), info.st_size, info.st_mtime_ns))
    return state


def _files(root: Path, skip: set[Path]) -> list[Path]:
    """The files under ``root`` in a stable order, leaving out version control and ``skip``."""
    found = []
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if d not in VCS_FOLDERS and not (skip and (here / d).resolve() in skip))
        found += [here / name for name in sorted(names)]
    return found


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:  # unreadable: the build will say so; never the same key twice
        return f"unreadable {exc.errno} {os.urandom(8).hex()}"


def _signature(path: Path) -> dict[str, Any]:
    """What tells that ``path`` is still what the build wrote: for a file its size, time and
    inode; for a folder (an unpacked package) those of every file in it."""
    try:
        if path.is_dir():
            return {"path": str(path), "folder": _folder_signature(str(path))}
        info = os.lstat(path)
        return {"path": str(path), "file": [info.st_size, info.st_mtime_ns, info.st_ino]}
    except OSError:
        return {"path": str(path), "missing": True}


def _folder_signature(root: str) -> list[list[Any]]:
    """[relative name, size, time, inode] of every file under ``root``, in a stable order (one
    ``lstat`` each, from the directory entries: a build of 1,000 topics writes 100 such folders)."""
    files: list[list[Any]] = []
    pending = [""]
    while pending:
        relative = pending.pop()
        with os.scandir(f"{root}/{relative}") as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                name = f"{relative}/{entry.name}" if relative else entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append(name)
                elif entry.is_file(follow_symlinks=False):
                    info = entry.stat(follow_symlinks=False)
                    files.append([name, info.st_size, info.st_mtime_ns, info.st_ino])
    return sorted(files)


def _prune(folder: Path) -> None:
    records = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in records[KEEP:]:
        old.unlink(missing_ok=True)
