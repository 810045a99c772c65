"""Deterministic zips: the same files always give the same bytes (sorted entries, fixed date and
permissions, deflate, zip64 past the plain format's limits), and their SHA-256.

Writing folders and files into place is :mod:`jmdi_scorm.package.staging`'s job.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from jmdi_scorm.atomic import FILE_MODE, atomic_write
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


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
