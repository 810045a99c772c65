"""The zip writer: the same bytes as ``zipfile`` writes, with shared contents compressed once."""

from __future__ import annotations

import io
import tempfile
import zipfile

import pytest

from jmdi_scorm.package import archive as package_archive
from jmdi_scorm.package.archive import ZIP_EPOCH, zip_bytes, zip_many

TREES = [
    {"index.html": b"<!doctype html>" * 200, "runtime/core.js": bytes(range(256)) * 40, "empty.txt": b""},
    {"index.html": b"<!doctype html>" * 201, "runtime/core.js": bytes(range(256)) * 40, "ß/é.txt": b"utf-8 names"},
]


def zipfile_bytes(files: dict[str, bytes]) -> bytes:
    """What the writer produced with ``zipfile`` alone, before it compressed shared contents once."""
    with tempfile.SpooledTemporaryFile() as buffer:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(files):
                info = zipfile.ZipInfo(name, date_time=package_archive.zip_timestamp())
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3
                info.external_attr = (0o100000 | 0o644) << 16
                archive.writestr(info, files[name])
        buffer.seek(0)
        return buffer.read()


@pytest.mark.parametrize("epoch", ["", "1700000001"])
def test_zips_are_byte_identical_to_zipfile(epoch: str, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert [zip_bytes(tree) for tree in TREES] == [zipfile_bytes(tree) for tree in TREES]


def test_zip_many_gives_the_zips_of_zip_bytes() -> None:
    assert zip_many(TREES, workers=2) == [zip_bytes(tree) for tree in TREES]


def test_zips_read_back_with_names_dates_and_modes() -> None:
    with zipfile.ZipFile(io.BytesIO(zip_many(TREES)[1])) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == sorted(TREES[1])
        for info in archive.infolist():
            assert archive.read(info) == TREES[1][info.filename]
            assert info.date_time == ZIP_EPOCH
            assert info.external_attr >> 16 == 0o100644
            assert bool(info.flag_bits & 0x800) == (not info.filename.isascii())


def test_too_many_entries_for_a_plain_zip_go_through_zipfile(monkeypatch) -> None:
    monkeypatch.setattr(package_archive, "ZIP_MAX_ENTRIES", 2)
    assert zip_bytes(TREES[0]) == zipfile_bytes(TREES[0])
