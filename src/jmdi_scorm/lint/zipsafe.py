"""Open an untrusted zip without trusting it: limits first, bounded reads, nothing extracted.

Sizes are checked twice: as declared in the central directory (before reading anything) and
while reading (a lying header cannot make a read go past the declared size, nor past the limit).
"""

from __future__ import annotations

import hashlib
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import BinaryIO

from jmdi_scorm.lint.report import Report

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
CHUNK = 64 * KIB

#: What ``zipfile`` raises on damaged or hostile archives (our own bugs are not in this list).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    UnicodeDecodeError,
    struct.error,
    KeyError,
    IndexError,
    OverflowError,
)

STORED_OR_DEFLATE = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
METHOD_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma", 9: "deflate64", 99: "AES (WinZip)"}
LITTER_FILES = {".ds_store", "thumbs.db", "desktop.ini", ".git", ".svn"}
LITTER_FOLDERS = {"__macosx", ".git", ".svn", ".idea", ".vscode", "node_modules", "__pycache__"}
ZIP64_EXTRA = 0x0001


@dataclass(frozen=True)
class Limits:
    """Ceilings that keep a check fast and small whatever the archive claims."""

    max_archive_bytes: int = 4 * GIB
    max_entries: int = 20_000
    max_central_directory_bytes: int = 32 * MIB
    max_entry_bytes: int = 1 * GIB
    max_total_bytes: int = 2 * GIB
    #: uncompressed / compressed; text compresses ~10:1, a deflate bomb ~1000:1
    max_ratio: int = 100
    #: entries smaller than this are never flagged for their ratio
    ratio_floor: int = 1 * MIB
    max_xml_bytes: int = 16 * MIB


class EntryRejected(Exception):
    """A read went past its limit, past the declared size, or ended short of it."""


@dataclass
class Archive:
    """An opened zip and what the integrity pass learned about its entries."""

    zf: zipfile.ZipFile
    infos: list[zipfile.ZipInfo]
    #: entry name -> SHA-256 of its content, for entries read completely
    digests: dict[str, str] = field(default_factory=dict)
    #: entry name -> content, kept only for the entries asked for (descriptors)
    kept: dict[str, bytes] = field(default_factory=dict)

    @property
    def names(self) -> set[str]:
        return {i.filename for i in self.infos if not is_dir(i)}


def is_dir(info: zipfile.ZipInfo) -> bool:
    """``ZipInfo.is_dir`` fails on an empty name, which hostile zips have."""
    return info.filename.endswith("/")


def open_archive(fp: BinaryIO, size: int, report: Report, limits: Limits) -> zipfile.ZipFile | None:
    """Open ``fp`` as a zip after checking what its end record declares; None (with a finding) if it cannot be."""
    if size > limits.max_archive_bytes:
        report.error("", f"archive is {size} bytes, over the {limits.max_archive_bytes}-byte limit; not examined")
        return None
    declared = declared_directory(fp, size)
    if declared is None:
        report.error("", "not a zip archive (no end-of-central-directory record; truncated or another format)")
        return None
    entries, directory_bytes = declared
    if entries > limits.max_entries:
        report.error("", f"archive declares {entries} entries, over the limit of {limits.max_entries}; not examined")
        return None
    if directory_bytes > limits.max_central_directory_bytes:
        report.error("", f"central directory of {directory_bytes} bytes is over the limit; not examined")
        return None
    try:
        fp.seek(0)
        return zipfile.ZipFile(fp)
    except ZIP_ERRORS as exc:
        report.error("", f"damaged or unreadable zip: {describe(exc)}")
        return None


def declared_directory(fp: BinaryIO, size: int) -> tuple[int, int] | None:
    """(entry count, central directory size) from the end record, or None when there is none."""
    tail_size = min(size, 22 + 65535)
    fp.seek(size - tail_size)
    tail = fp.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    entries, directory_bytes = struct.unpack("<HI", tail[at + 10 : at + 16])
    locator = at - 20
    if (
        (entries == 0xFFFF or directory_bytes == 0xFFFFFFFF)
        and locator >= 0
        and tail[locator : locator + 4] == b"PK\x06\x07"
    ):
        (offset,) = struct.unpack("<Q", tail[locator + 8 : locator + 16])
        if offset + 56 > size:
            return None
        fp.seek(offset)
        record = fp.read(56)
        if record[:4] != b"PK\x06\x06":
            return None
        entries, directory_bytes = struct.unpack("<QQ", record[32:48])
    return entries, directory_bytes


def describe(exc: BaseException) -> str:
    """A one-line reason for a zipfile failure (seeks outside the file surface as OSError)."""
    if isinstance(exc, OSError) and not isinstance(exc, zipfile.BadZipFile):
        return "an offset points outside the archive (truncated or damaged zip)"
    text = str(exc) or type(exc).__name__
    return text if len(text) < 200 else text[:200] + "…"


def check_entries(zf: zipfile.ZipFile, report: Report, limits: Limits) -> bool:
    """Zip hygiene (PKG-02, PKG-03) and size limits; False when the content must not be read."""
    infos = zf.infolist()
    safe = _check_count_and_sizes(infos, report, limits)
    _check_overlaps(infos, report)
    for info in infos:
        _check_name(info, report)
        _check_storage(info, report)
    _check_duplicates(infos, report)
    return safe


def _check_count_and_sizes(infos: list[zipfile.ZipInfo], report: Report, limits: Limits) -> bool:
    safe = True
    if len(infos) > limits.max_entries:
        report.error("", f"archive has {len(infos)} entries, over the limit of {limits.max_entries}")
        return False
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.max_entry_bytes:
            report.error(info.filename, f"declares {info.file_size} bytes uncompressed, over the per-entry limit")
            safe = False
        elif info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            report.error(info.filename, f"compression ratio {ratio}:1 is over {limits.max_ratio}:1 (zip bomb?)")
            safe = False
    if total > limits.max_total_bytes:
        report.error(
            "", f"entries declare {total} bytes uncompressed in all, over the {limits.max_total_bytes}-byte limit"
        )
        safe = False
    if not safe:
        report.notes.append("content not read: the archive is over the size limits")
    return safe


def _check_overlaps(infos: list[zipfile.ZipInfo], report: Report) -> None:
    """Entries whose data overlap are how 'quoted overlap' zip bombs multiply one deflate stream."""
    ordered = sorted((i for i in infos if not is_dir(i)), key=lambda i: i.header_offset)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.header_offset + 30 + before.compress_size > after.header_offset:
            report.error(
                after.filename, f"entry data overlaps entry '{before.filename}' (overlapping entries: zip bomb?)"
            )


def name_problems(name: str) -> list[tuple[str, str]]:
    """(severity, message) for every portability or safety problem of an entry name [PKG-02]."""
    problems: list[tuple[str, str]] = []
    parts = name.rstrip("/").split("/")
    if not name:
        problems.append(("error", "empty entry name"))
    if name.startswith("/"):
        problems.append(("error", "absolute path (leading '/'); unzipping would write outside the package folder"))
    if len(name) > 1 and name[1] == ":" and name[0].isalpha():
        problems.append(("error", "absolute Windows path (drive letter)"))
    if "\\" in name:
        problems.append(("error", "backslash in entry name; zip names use '/' only"))
    if ".." in parts or any(".." in p.split("\\") for p in parts):
        problems.append(("error", "'..' segment; unzipping would write outside the package folder (path traversal)"))
    if any(ord(c) < 32 or c == "\x7f" for c in name):
        problems.append(("error", "control character in entry name"))
    core = name.strip("/")
    if core and "" in core.split("/"):
        problems.append(("error", "empty path segment ('//')"))
    if "." in parts:
        problems.append(("warning", "'.' segment in entry name"))
    if not name.isascii():
        problems.append(("warning", "non-ASCII entry name; LMS unzippers and web servers decode these inconsistently"))
    elif any(c in name for c in ' "#%&*:<>?|{}^`[]'):
        problems.append(("warning", "entry name has characters that must be escaped in URLs or are invalid on Windows"))
    return problems


def is_litter(name: str) -> bool:
    parts = [p.lower() for p in name.rstrip("/").split("/")]
    return bool(LITTER_FOLDERS.intersection(parts[:-1] if not name.endswith("/") else parts)) or (
        parts[-1] in LITTER_FILES or parts[-1] in LITTER_FOLDERS or parts[-1].startswith("._")
    )


def _check_name(info: zipfile.ZipInfo, report: Report) -> None:
    name = info.filename
    if info.orig_filename != name:
        report.error(name, "entry name contains a NUL byte (truncated by unzippers)", "PKG-02")
    for severity, message in name_problems(name):
        report.add(name, message, "PKG-02", 0, severity)  # type: ignore[arg-type]
    if is_litter(name):
        report.warn(name, "operating-system or tool litter; leave it out of the package", "PKG-02")
    if stat.S_ISLNK(info.external_attr >> 16):
        report.error(name, "symbolic link entry; unzipping it can expose files outside the package", "PKG-02")


def _check_storage(info: zipfile.ZipInfo, report: Report) -> None:
    if info.compress_type not in STORED_OR_DEFLATE:
        method = METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
        report.error(info.filename, f"compressed with {method}; use stored or deflate (LMS unzippers)", "PKG-03")
    if info.flag_bits & 0x1:
        report.error(info.filename, "entry is encrypted; LMSs cannot read it", "PKG-03")
    if ZIP64_EXTRA in extra_ids(info.extra) and info.file_size < 0xFFFFFFFF and info.header_offset < 0xFFFFFFFF:
        report.warn(info.filename, "ZIP64 record on a small entry; older SCORM importers cannot read ZIP64", "PKG-03")


def extra_ids(extra: bytes) -> list[int]:
    ids, at = [], 0
    while at + 4 <= len(extra):
        ident, length = struct.unpack("<HH", extra[at : at + 4])
        ids.append(ident)
        at += 4 + length
    return ids


def _check_duplicates(infos: list[zipfile.ZipInfo], report: Report) -> None:
    exact: dict[str, int] = {}
    folded: dict[str, str] = {}
    for info in infos:
        name = info.filename
        exact[name] = exact.get(name, 0) + 1
        if exact[name] == 2:
            report.error(name, "entry appears more than once; unzippers keep either copy", "PKG-02")
        first = folded.setdefault(name.rstrip("/").lower(), name)
        if first != name and exact[name] == 1:
            report.error(name, f"differs from '{first}' only by case; LMS file stores are case-sensitive", "PKG-02")


def scan(archive: Archive, report: Report, limits: Limits, keep: set[str]) -> None:
    """Read every entry through a bounded reader: catches damaged data and lying sizes, hashes each entry."""
    budget = limits.max_total_bytes
    for info in archive.infos:
        if is_dir(info) or info.flag_bits & 0x1:
            continue
        limit = limits.max_xml_bytes if info.filename in keep else limits.max_entry_bytes
        try:
            data, digest = read_bounded(archive.zf, info, min(limit, budget), info.filename in keep)
        except EntryRejected as exc:
            report.error(info.filename, str(exc))
            continue
        except ZIP_ERRORS as exc:
            report.error(info.filename, f"damaged entry: {describe(exc)}")
            continue
        budget -= info.file_size
        archive.digests[info.filename] = digest
        if info.filename in keep:
            archive.kept[info.filename] = data


def read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, keep: bool = True) -> tuple[bytes, str]:
    """(content, SHA-256) of one entry, reading at most ``limit`` bytes and never more than declared.

    The content is kept in memory only when ``keep`` is set (descriptors); other entries are hashed.
    """
    if info.file_size > limit:
        raise EntryRejected(f"{info.file_size} bytes, over the {limit}-byte limit for this entry; not read")
    chunks, total, sha = [], 0, hashlib.sha256()
    with zf.open(info) as stream:
        while chunk := stream.read(CHUNK):
            total += len(chunk)
            if total > info.file_size or total > limit:
                raise EntryRejected("entry holds more data than its declared size (zip bomb?); not read")
            sha.update(chunk)
            if keep:
                chunks.append(chunk)
    if total != info.file_size:  # zipfile stops at the declared size, so only a short entry gets here
        raise EntryRejected(f"entry holds {total} bytes, not the declared {info.file_size}")
    return b"".join(chunks), sha.hexdigest()
