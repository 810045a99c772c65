"""Writing packages: deterministic zips and folders, written atomically."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import struct
import tempfile
import time
import uuid
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from jmdi_scorm.atomic import FILE_MODE, atomic_write, flush, write_temporary
from jmdi_scorm.errors import BuildError

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry
ZIP_FILE_ATTR = (0o100000 | FILE_MODE) << 16  # a regular file, rw-r--r--, in the Unix high word
UTF8_NAME = 0x800  # general purpose flag: the entry name is UTF-8 (APPNOTE 4.4.4, bit 11)
# Past these a zip needs the zip64 records, which zipfile writes.
ZIP_MAX_ENTRIES = 0xFFFF
ZIP_MAX_BYTES = 0xFFFFFFFF // 2  # uncompressed: deflate can grow incompressible data a little
_LOCAL = struct.Struct("<4s2B4HL2L2H")  # APPNOTE 4.3.7 (zipfile.structFileHeader)
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # APPNOTE 4.3.12 (zipfile.structCentralDir)
_END = struct.Struct("<4s4H2LH")  # APPNOTE 4.3.16 (zipfile.structEndArchive)
Deflated = tuple[int, bytes]  # CRC-32 and the raw deflate stream of one content
#: Threads that flush staged files to disk: a disk writes several files' data at once far faster
#: than one after the other (90 MB in 300 files: 0.15 s with four, 0.6-0.85 s with one, measured).
FLUSHERS = 4
SWAP_ATTEMPTS = 20  # concurrent builds of one folder: each failed attempt means another build won


def zip_timestamp() -> tuple[int, int, int, int, int, int]:
    """The date of every entry: ``SOURCE_DATE_EPOCH`` (reproducible-builds.org) or 1980-01-01."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return ZIP_EPOCH
    try:
        stamp = time.gmtime(int(value))
    except (ValueError, OverflowError, OSError) as exc:
        raise BuildError(f"SOURCE_DATE_EPOCH must be a number of seconds, not '{value}'") from exc
    # Zip dates span 1980-2107 with two-second steps.
    if stamp.tm_year < 1980:
        return ZIP_EPOCH
    year = min(stamp.tm_year, 2107)
    return (year, stamp.tm_mon, stamp.tm_mday, stamp.tm_hour, stamp.tm_min, stamp.tm_sec - stamp.tm_sec % 2)


def check_entry_name(name: str) -> None:
    """Refuse names a zip reader could place outside its folder (docs/standards.md §1.1)."""
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or ":" in name
        or "//" in name
        or name.endswith("/")
        or ".." in name.split("/")  # what PurePosixPath(name).parts holds, without its cost
    ):
        raise BuildError(f"unsafe file name in package: '{name}'")


def zip_bytes(
    files: Mapping[str, bytes], deflated: Mapping[bytes, Deflated] | None = None, checked: set[str] | None = None
) -> bytes:
    """The zip of ``files``: sorted entries, fixed date and permissions, deflate, no directories.

    ``deflated`` holds already compressed contents and ``checked`` names already found safe (see
    :func:`iter_zips`). The bytes are those ``zipfile`` writes, which stays the writer of zips
    too large for the plain format.
    """
    return _zip(files, _dos_stamp(zip_timestamp()), {}, deflated, checked)


#: One entry of a zip as it is in every zip holding that file under that name: its local header,
#: name and data, and its central directory record up to the offset of the local header, then
#: the name (what follows that offset).
_Entry = tuple[bytes, bytes, bytes]
_OFFSET = struct.Struct("<L")


def _zip(
    files: Mapping[str, bytes],
    stamp: tuple[int, int],
    entries: dict[tuple[str, bytes], _Entry],
    deflated: Mapping[bytes, Deflated] | None,
    checked: set[str] | None,
) -> bytes:
    """:func:`zip_bytes`; ``entries``: the entries made so far with ``stamp``, by name and content
    (kept by :func:`iter_zips` for the zips of one call, which share most of their files)."""
    names = sorted(files)
    folded: dict[str, str] = {}
    for name in names:
        if checked is None or name not in checked:
            check_entry_name(name)
            if checked is not None:
                checked.add(name)
        if name.lower() in folded:
            raise BuildError(f"'{name}' and '{folded[name.lower()]}' differ only by case")
        folded[name.lower()] = name
    if len(names) > ZIP_MAX_ENTRIES or sum(len(data) for data in files.values()) > ZIP_MAX_BYTES:
        return _zip64_bytes(files, names)
    body, directory = bytearray(), bytearray()
    for name in names:
        data = files[name]
        entry = entries.get((name, data))
        if entry is None:
            entry = entries[(name, data)] = _entry(name, data, stamp, deflated)
        local, central, encoded = entry
        directory += central
        directory += _OFFSET.pack(len(body))
        directory += encoded
        body += local
    body += directory
    body += _END.pack(b"PK\x05\x06", 0, 0, len(names), len(names), len(directory), len(body) - len(directory), 0)
    return bytes(body)


def _entry(name: str, data: bytes, stamp: tuple[int, int], deflated: Mapping[bytes, Deflated] | None) -> _Entry:
    crc, packed = deflated[data] if deflated and data in deflated else deflate(data)
    encoded, flags = (name.encode("ascii"), 0) if name.isascii() else (name.encode(), UTF8_NAME)
    fields = (flags, zipfile.ZIP_DEFLATED, *stamp, crc, len(packed), len(data), len(encoded))
    central = _CENTRAL.pack(b"PK\x01\x02", 20, 3, 20, 0, *fields, 0, 0, 0, 0, ZIP_FILE_ATTR, 0)
    local = _LOCAL.pack(b"PK\x03\x04", 20, 0, *fields, 0) + encoded + packed
    return local, central[: -_OFFSET.size], encoded


def zip_many(trees: Sequence[Mapping[str, bytes]], workers: int | None = None) -> list[bytes]:
    """The zips of several file trees, as :func:`zip_bytes` makes them, faster (see :func:`iter_zips`)."""
    return list(iter_zips(trees, workers))


def iter_zips(
    trees: Sequence[Mapping[str, bytes]], workers: int | None = None, deflated: dict[bytes, Deflated] | None = None
) -> Iterator[bytes]:
    """The zips of several file trees, one at a time, so that each can be written and let go.

    Packages of one build share most of their files: each distinct content is compressed once,
    on ``workers`` threads (default: one per core; zlib releases the GIL), and copied into every
    zip that holds it. ``deflated``: contents already compressed, kept for the next call (a
    build's packages zipped a few at a time).
    """
    memo: dict[bytes, Deflated] = {} if deflated is None else deflated
    distinct = list({data: None for tree in trees for data in tree.values() if data not in memo})
    threads = min(len(distinct), workers or os.cpu_count() or 1)
    if threads <= 1:
        memo.update((data, deflate(data)) for data in distinct)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            memo.update(zip(distinct, pool.map(deflate, distinct), strict=True))
    checked: set[str] = set()
    stamp = _dos_stamp(zip_timestamp())
    entries: dict[tuple[str, bytes], _Entry] = {}
    for tree in trees:
        yield _zip(tree, stamp, entries, memo, checked)


def deflate(data: bytes) -> Deflated:
    """The CRC-32 and the raw deflate stream of ``data``, as ``zipfile`` writes them.

    zlib's default level (6): ``writestr`` of a ``ZipInfo`` ignores the archive's level, so the
    zips were always made at this level, and it stays, so their bytes do not change.
    """
    packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return zlib.crc32(data), packer.compress(data) + packer.flush()


def _dos_stamp(stamp: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = stamp
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def _zip64_bytes(files: Mapping[str, bytes], names: list[str]) -> bytes:
    stamp = zip_timestamp()
    with tempfile.SpooledTemporaryFile(max_size=64 << 20) as buffer:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in names:
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, so external_attr carries the permissions
                info.external_attr = ZIP_FILE_ATTR
                archive.writestr(info, files[name])
        buffer.seek(0)
        return buffer.read()


def write_zip(files: Mapping[str, bytes], dest: Path) -> Path:
    """Write the deterministic zip of ``files`` to ``dest`` atomically; return ``dest``."""
    atomic_write(dest, zip_bytes(files))
    return dest


def write_tree(files: Mapping[str, bytes], dest: Path) -> Path:
    """Write ``files`` as the folder ``dest``, replacing any previous one only once complete."""
    staging = _stage_tree(files, dest)
    try:
        _swap_in(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return dest


def _stage_tree(files: Mapping[str, bytes], dest: Path) -> Path:
    """``files`` written in a new hidden folder beside ``dest``; its path."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    try:
        staging.chmod(0o755)
        # A large build writes 13,000 files in 10,000 folders: one system call a folder, three a
        # file (no Python file objects), the names joined as text.
        root = os.fspath(staging)
        made = {""}  # the folders made
        for name in sorted(files):
            check_entry_name(name)
            folder = name.rpartition("/")[0]
            if folder not in made:
                _make_folder(root, folder, made)
            _write_new(f"{root}/{name}", files[name])
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _make_folder(root: str, folder: str, made: set[str]) -> None:
    """Make ``folder`` (relative to ``root``) and those it is in that are not in ``made`` yet."""
    parent = folder.rpartition("/")[0]
    if parent not in made:
        _make_folder(root, parent, made)
    os.mkdir(f"{root}/{folder}")  # noqa: PTH102 - a text path: no Path object a folder
    made.add(folder)


def _write_new(path: str, data: bytes) -> None:
    """Write ``data`` as the file ``path`` (permissions as ``open`` gives them)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Staged:
    """Files and folders staged by one :class:`Staging`, handed to another (from a build's worker process)."""

    files: tuple[tuple[Path, Path], ...]  # (temporary file, destination)
    trees: tuple[tuple[Path, Path], ...]  # (staging folder, destination)


class Staging:
    """Files and folders written under hidden temporary names beside their destinations as soon
    as they are made, then renamed into place together by :meth:`commit`.

    Leaving the ``with`` block before the commit (an error, Ctrl-C, SIGTERM) removes every
    temporary file and folder: the destinations keep what they held. ``OSError`` from a write or
    a rename carries the destination (``exc.filename``).

    A staged file is flushed to disk (``fsync``) by a thread of the staging while the build goes
    on, and every one is on disk before :meth:`commit` renames any: waiting for the disk was most
    of a large build's writing time (600 zips, 190 MB: 4 s of ``fsync`` one after the other on
    the bench's machine), and it now overlaps the making of the next packages. A worker's
    staging (``flush=False``) leaves that to the staging it hands its files to (:meth:`adopt`).
    """

    def __init__(self, flush: bool = True) -> None:
        self._files: list[tuple[Path, Path]] = []  # (temporary file, destination)
        self._trees: list[tuple[Path, Path]] = []  # (staging folder, destination)
        self._flush = flush
        self.committed: list[Path] = []  # every destination renamed into place, in order
        self._flusher: ThreadPoolExecutor | None = None
        self._flushing: list[Future[None]] = []

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.discard()

    def write(self, dest: Path, data: bytes) -> None:
        """Stage ``data`` as the file ``dest``."""
        with _naming(dest):
            tmp = write_temporary(dest, data, sync=False)
        self._files.append((tmp, dest))
        self._flush_later([(tmp, dest)])

    def _flush_later(self, files: Iterable[tuple[Path, Path]]) -> None:
        if not self._flush:
            return
        if self._flusher is None:
            self._flusher = ThreadPoolExecutor(max_workers=FLUSHERS, thread_name_prefix="jmdi-flush")
        self._flushing += [self._flusher.submit(_flush, tmp, dest) for tmp, dest in files]

    def _settle(self, check: bool = True) -> None:
        """Wait until every staged file is on disk; raise the first failure if ``check``."""
        flushing, self._flushing = self._flushing, []
        wait(flushing)
        if self._flusher is not None:
            self._flusher.shutdown()
            self._flusher = None
        for future in flushing if check else ():
            future.result()

    def write_tree(self, files: Mapping[str, bytes], dest: Path) -> None:
        """Stage ``files`` as the folder ``dest``."""
        with _naming(dest):
            self._trees.append((_stage_tree(files, dest), dest))

    def detach(self) -> Staged:
        """What is staged, handed over (to the build's staging, from a worker's): no longer this one's to
        commit or discard (nor to flush)."""
        self._settle()
        staged = Staged(tuple(self._files), tuple(self._trees))
        self._files, self._trees = [], []
        return staged

    def adopt(self, staged: Staged) -> None:
        """Take over what another staging handed over (:meth:`detach`): flushed, committed or discarded
        with the rest."""
        self._files += staged.files
        self._trees += staged.trees
        self._flush_later(staged.files)

    def commit(self) -> None:
        """Rename everything staged into place: folders first, so a zip never names a folder it lacks."""
        self._settle()
        while self._trees:
            staging, dest = self._trees[0]
            with _naming(dest):
                _swap_in(staging, dest)
            self._trees.pop(0)
            self.committed.append(dest)
        while self._files:
            tmp, dest = self._files[0]
            with _naming(dest):
                tmp.replace(dest)
            self._files.pop(0)
            self.committed.append(dest)

    def discard(self) -> None:
        """Remove what is staged and not yet renamed into place."""
        self._settle(check=False)
        for staging, _ in self._trees:
            shutil.rmtree(staging, ignore_errors=True)
        for tmp, _ in self._files:
            tmp.unlink(missing_ok=True)
        self._trees, self._files = [], []


def _flush(tmp: Path, dest: Path) -> None:
    with _naming(dest):
        flush(tmp)


@contextlib.contextmanager
def _naming(dest: Path) -> Iterator[None]:
    """An ``OSError`` raised inside names ``dest`` (``exc.filename``) for the build's message."""
    try:
        yield
    except OSError as exc:
        exc.filename = str(dest)
        raise


def _swap_in(staging: Path, dest: Path) -> None:
    """Rename the complete folder ``staging`` to ``dest``, moving the previous ``dest`` aside.

    A folder cannot be renamed over a non-empty one, and a concurrent build of the same course
    may put its own ``dest`` back between our two renames: move aside under a unique name and
    try again.
    """
    for _ in range(SWAP_ATTEMPTS):
        try:
            staging.rename(dest)
            return
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
                raise
        old = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.old")
        try:
            dest.rename(old)
        except FileNotFoundError:
            continue  # another build moved it aside first
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
    raise OSError(errno.EBUSY, f"{dest} kept changing while it was being replaced")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
