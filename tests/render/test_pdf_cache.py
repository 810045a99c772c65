"""Module PDFs off the critical path (issue 16): the PDF cache (pdf.PdfCache) renders only the
modules whose print page, loaded files, renderer or system fonts changed, and the modules still
to render are rendered in parallel; cached, parallel and fresh PDFs are the same bytes, and so
are the zips."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import pydyf
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from jmdi_scorm.cli import main
from jmdi_scorm.render import pdf, pdf_renderer
from jmdi_scorm.render.pages import RenderOptions, render_site
from jmdi_scorm.source.validate import load_course

pytestmark = pytest.mark.cold_pdf_cache  # these tests render the PDFs and fill the cache themselves


def build(course: Path, out: Path, *args: str) -> dict:
    result = CliRunner().invoke(main, ["build", str(course), "--out", str(out), "--json", "--format", "web", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def written(out: Path) -> dict[str, str]:
    """SHA-256 of every PDF and zip written next to the packages."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir()) if p.is_file()}


def entries(cache: Path) -> list[Path]:
    return sorted(p for p in (cache / "pdf").iterdir() if not p.name.endswith(".tmp"))


def test_a_warm_build_reuses_every_pdf_and_writes_the_same_bytes(minimal_course: Path, tmp_path: Path) -> None:
    cold = build(minimal_course, tmp_path / "cold")
    cache = minimal_course / ".jmdi-cache"  # the default: in the course folder
    assert (cold["pdf_rendered"], cold["pdf_reused"], cold["pdf_cache"]) == (2, 0, str(cache))
    assert len(entries(cache)) == 2
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"  # git ignores it wherever it is
    assert {path.stat().st_mode & 0o777 for path in [cache / ".gitignore", *entries(cache)]} == {0o644}

    warm = build(minimal_course, tmp_path / "warm")
    assert (warm["pdf_rendered"], warm["pdf_reused"]) == (0, 2)
    fresh = build(minimal_course, tmp_path / "fresh", "--no-cache")
    assert (fresh["pdf_rendered"], fresh["pdf_reused"], fresh["pdf_cache"]) == (2, 0, None)
    # cached PDFs are the bytes of a fresh render, and the zips that carry them too
    assert written(tmp_path / "cold") == written(tmp_path / "warm") == written(tmp_path / "fresh")
    assert {"mini-course-intro.pdf", "mini-course-practice.pdf", "mini-course-web.zip"} <= set(
        written(tmp_path / "warm")
    )
    with zipfile.ZipFile(tmp_path / "warm" / "mini-course-web.zip") as archive:
        assert not [name for name in archive.namelist() if "cache" in name]

    result = CliRunner().invoke(
        main, ["build", str(minimal_course), "--out", str(tmp_path / "text"), "--format", "web"]
    )
    assert "(PDFs " in result.stderr and "0 rendered, 2 reused)" in result.stderr


def test_one_changed_topic_renders_its_module_only(minimal_course: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(minimal_course, tmp_path / "a", "--cache-dir", str(cache))
    topic = minimal_course / "modules" / "practice" / "practice-01.md"
    topic.write_text(topic.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    changed = build(minimal_course, tmp_path / "b", "--cache-dir", str(cache))
    assert (changed["pdf_rendered"], changed["pdf_reused"]) == (1, 1)
    first, second = written(tmp_path / "a"), written(tmp_path / "b")
    assert first["mini-course-intro.pdf"] == second["mini-course-intro.pdf"]
    assert first["mini-course-practice.pdf"] != second["mini-course-practice.pdf"]
    assert len(entries(cache)) == 3  # the old practice entry stays until it is stale
    assert not (minimal_course / ".jmdi-cache").exists()  # --cache-dir is used instead


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "wrong-pdf"])
def test_a_damaged_entry_is_rendered_again(
    damage: str, minimal_course: Path, tmp_path: Path, warm_pdf_cache: Path
) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(warm_pdf_cache, cache)  # the fixture's PDFs, rendered once for the session
    assert (build(minimal_course, tmp_path / "a", "--cache-dir", str(cache))["pdf_rendered"]) == 0
    entry = entries(cache)[0]
    data = entry.read_bytes()
    entry.write_bytes(
        {
            "truncated": data[: len(data) // 2],
            "garbage": b"\x00not an entry\n" * 10,
            "empty": b"",
            "wrong-pdf": data[:-10] + b"0123456789",  # same size, other bytes
        }[damage]
    )
    again = build(minimal_course, tmp_path / "b", "--cache-dir", str(cache))
    assert (again["pdf_rendered"], again["pdf_reused"]) == (1, 1)
    assert entry.read_bytes() == data  # replaced by a good entry
    assert written(tmp_path / "a") == written(tmp_path / "b")


def test_no_cache_and_an_unwritable_cache(minimal_course: Path, tmp_path: Path) -> None:
    build(minimal_course, tmp_path / "a", "--no-cache")
    assert not (minimal_course / ".jmdi-cache").exists()
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    summary = build(minimal_course, tmp_path / "b", "--cache-dir", str(blocker / "cache"))
    assert summary["pdf_rendered"] == 2
    assert [note for note in summary["notes"] if note.startswith("module PDFs not cached: cannot write")]
    assert written(tmp_path / "a") == written(tmp_path / "b")


def test_parallel_and_serial_renders_give_the_same_bytes(minimal_course: Path, tmp_path: Path) -> None:
    """Serial, parallel and cached PDFs are the same bytes; the editions of a build (its languages)
    are rendered in one pool, each from its own site's files (here: a second site on A5 paper)."""
    course, _ = load_course(minimal_course)
    site, a5 = (render_site(course, RenderOptions(pdf_downloads=True)) for _ in range(2))
    a5.shared["runtime/jmdi-print.css"] += b"\n@page { size: A5 }\n"
    for module in course.modules:  # a page of its own, as a translation's is
        a5.shared[f"print/{module.id}.html"] += b"<!-- A5 -->\n"
    serial, serial_notes, serial_stats = pdf.module_pdfs(course, site, None, jobs=1)
    together = pdf.editions_pdfs([(course, site), (course, a5)], tmp_path / "cache", jobs=2)
    again = pdf.editions_pdfs([(course, site), (course, a5)], tmp_path / "cache", jobs=2)
    (parallel, parallel_notes, _), (on_a5, _, _) = together
    assert (
        list(serial)
        == list(parallel)
        == list(on_a5)
        == [
            "downloads/mini-course-intro.pdf",
            "downloads/mini-course-practice.pdf",
        ]
    )
    assert serial == parallel and serial_notes == parallel_notes
    assert [made[:2] for made in again] == [made[:2] for made in together]  # cached: the same bytes
    stats = [serial_stats, *(made[2] for made in [*together, *again])]
    assert [(each.rendered, each.reused) for each in stats] == [(2, 0), (2, 0), (2, 0), (0, 2), (0, 2)]
    widths = [{round(float(page.mediabox.width)) for page in PdfReader(io.BytesIO(data)).pages}
              for data in [*parallel.values(), *on_a5.values()]]  # fmt: skip
    assert widths == [{595}, {595}, {420}, {420}]  # A4, A5: each edition rendered from its own files


def _stored(tmp_path: Path, refused: tuple[str, ...] = ()) -> tuple[pdf.PdfCache, dict[str, bytes]]:
    files = {"print/m.html": b"<html>m</html>", "assets/print.css": b"body{}", "assets/a.svg": b"<svg/>"}
    store = pdf.PdfCache(tmp_path / "cache", None)
    store.put("print/m.html", files, pdf._Rendered(b"%PDF-1.7 fake", ("assets/print.css", "assets/a.svg"), refused))
    return store, files


def test_an_entry_depends_on_every_file_the_page_loaded(tmp_path: Path) -> None:
    store, files = _stored(tmp_path)
    hit = store.get("print/m.html", files)
    assert hit is not None and hit.pdf == b"%PDF-1.7 fake" and hit.loaded == ("assets/print.css", "assets/a.svg")
    assert pdf.PdfCache(tmp_path / "cache", None).get("print/m.html", files) == hit  # across builds
    for name, data in [("assets/print.css", b"body{color:red}"), ("assets/a.svg", b"<svg></svg>")]:
        assert pdf.PdfCache(tmp_path / "cache", None).get("print/m.html", {**files, name: data}) is None
    assert store.get("print/m.html", {**files, "print/m.html": b"<html>other</html>"}) is None
    without = {name: data for name, data in files.items() if name != "assets/a.svg"}
    assert pdf.PdfCache(tmp_path / "cache", None).get("print/m.html", without) is None
    assert pdf.PdfCache(tmp_path / "cache", "2023-11-14T22:13:20Z").get("print/m.html", files) is None  # other date


def test_an_entry_is_stale_once_a_refused_file_exists(tmp_path: Path) -> None:
    store, files = _stored(tmp_path, refused=("print/missing.png", "https://example.org/x.png"))
    assert store.get("print/m.html", files).refused == ("print/missing.png", "https://example.org/x.png")
    assert pdf.PdfCache(tmp_path / "cache", None).get("print/m.html", {**files, "print/missing.png": b"png"}) is None


def test_the_key_covers_the_renderer_versions(tmp_path: Path, monkeypatch) -> None:
    import weasyprint

    assert pdf_renderer.renderer_versions() == f"weasyprint {weasyprint.__version__}, pydyf {pydyf.__version__}"
    store, files = _stored(tmp_path)
    monkeypatch.setattr(pdf, "renderer_versions", lambda: "weasyprint 0.0-other, pydyf 0.0")
    assert pdf.PdfCache(tmp_path / "cache", None).get("print/m.html", files) is None


def test_the_key_covers_the_system_fonts(tmp_path: Path, monkeypatch) -> None:
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    monkeypatch.setattr(pdf_renderer, "FONT_PLACES", (str(fonts),))
    store, files = _stored(tmp_path)
    assert pdf.PdfCache(tmp_path / "cache", None).get("print/m.html", files) is not None
    (fonts / "NewSans.ttf").write_bytes(b"font")  # a font installed: sans-serif may be another font
    assert pdf.PdfCache(tmp_path / "cache", None).get("print/m.html", files) is None


def test_stale_entries_and_leftover_temporary_files_are_pruned(tmp_path: Path) -> None:
    import os

    store, files = _stored(tmp_path)
    old = tmp_path / "cache" / "pdf" / ("0" * 64)
    leftover = tmp_path / "cache" / "pdf" / ".abc.123.tmp"
    for path, age in [(old, 31 * 86400), (leftover, 2 * 3600)]:
        path.write_bytes(b"x")
        os.utime(path, (path.stat().st_atime - age, path.stat().st_mtime - age))
    store.prune()
    assert not old.exists() and not leftover.exists()
    assert store.get("print/m.html", files) is not None


def test_preview_does_not_rebuild_for_the_cache(tmp_path: Path) -> None:
    """A build writing the cache in the course folder is no course change for a running preview."""
    import threading
    import time

    from jmdi_scorm.preview.watcher import Watcher

    (tmp_path / ".jmdi-cache" / "pdf").mkdir(parents=True)
    seen: list[list[str]] = []
    changed = threading.Event()
    watcher = Watcher(tmp_path, lambda paths: (seen.append(paths), changed.set()), debounce_ms=50)
    watcher.start()
    try:
        time.sleep(0.5)  # the watch is set up
        (tmp_path / ".jmdi-cache" / "pdf" / "entry").write_bytes(b"pdf")
        time.sleep(0.5)
        (tmp_path / "topic.md").write_text("changed", encoding="utf-8")
        assert changed.wait(10)
    finally:
        watcher.stop()
    assert seen == [[str(tmp_path / "topic.md")]]


def test_a_warm_build_does_not_need_weasyprint(minimal_course: Path, tmp_path: Path, monkeypatch) -> None:
    """Importing WeasyPrint takes about a second: a build that reuses every PDF never does."""
    import sys

    build(minimal_course, tmp_path / "cold")
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint raises ImportError
    warm = build(minimal_course, tmp_path / "warm")
    assert (warm["pdf_rendered"], warm["pdf_reused"], warm["notes"]) == (0, 2, [])
    assert written(tmp_path / "cold") == written(tmp_path / "warm")
    topic = minimal_course / "modules" / "practice" / "practice-01.md"
    topic.write_text(topic.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    changed = build(minimal_course, tmp_path / "changed")  # one to render: no PDFs at all, and a note
    assert changed["downloads"] == [] and changed["pdf_rendered"] == 0
    assert [note for note in changed["notes"] if note.startswith("module PDFs not made: WeasyPrint is not installed")]
    with zipfile.ZipFile(tmp_path / "changed" / "mini-course-web.zip") as archive:
        assert not [name for name in archive.namelist() if name.endswith(".pdf")]
        assert "(PDF)" not in archive.read("content/practice.js").decode()
