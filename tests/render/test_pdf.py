"""Module downloads: a PDF per module made from its print page (pdf.py), in every package and
next to them, linked from each module page; builds without WeasyPrint still succeed."""

from __future__ import annotations

import hashlib
import importlib.abc
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from jmdi_scorm.cli import main
from jmdi_scorm.source.validate import load_course

#: The tests that render the PDFs themselves (the others take the fixture's, already rendered).
cold = pytest.mark.cold_pdf_cache

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "course"


def build(course: Path, out: Path, *args: str) -> dict:
    result = CliRunner().invoke(main, ["build", str(course), "--out", str(out), "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def words(text: str) -> str:
    """Text on one line: headings may wrap in the PDF."""
    return " ".join(text.split())


def page_texts(path: Path) -> list[str]:
    """The text of each page (poppler's pdftotext: pypdf's extraction is slow on 30 tagged pages)."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [words(page) for page in text.split("\f")[:-1]]


@pytest.fixture(scope="module")
def jmdi(tmp_path_factory) -> tuple[object, Path, dict]:
    """The real JMDI course built once as a web package, with its module PDFs (rendered: the cache
    is the test's own, never the course folder's)."""
    folder = tmp_path_factory.mktemp("jmdi")
    out, cache = folder / "dist", str(folder / "cache")
    course, _ = load_course(COURSE)
    # English: the course's own language
    return course, out, build(COURSE, out, "--format", "web", "--lang", "en", "--cache-dir", cache)


@pytest.mark.slow
def test_the_jmdi_course_gets_one_pdf_per_module_with_its_topics(jmdi) -> None:
    course, out, summary = jmdi
    pdfs = {Path(d["path"]).name: d for d in summary["downloads"]}
    assert sorted(pdfs) == sorted(f"{course.id}-{m.id}.pdf" for m in course.modules)
    assert len(pdfs) == 6
    assert summary["pdf_seconds"] > 0
    for module in course.modules:
        path = out / f"{course.id}-{module.id}.pdf"
        data = path.read_bytes()
        assert pdfs[path.name]["sha256"] == hashlib.sha256(data).hexdigest()
        reader = PdfReader(io.BytesIO(data))
        assert reader.metadata.title == f"{module.title} — {course.meta.title}"
        pages = page_texts(path)
        assert len(pages) == len(reader.pages)
        assert words(module.title) in pages[0]
        starts = []
        for topic in module.topics:
            found = [i for i, text in enumerate(pages) if words(topic.title) in text]
            assert found, f"{path.name}: no page with the heading '{topic.title}'"
            starts.append(found[0])
        # topics in order; they follow each other on the page (no page each: issue 14)
        assert starts == sorted(starts), (path.name, starts)
        # page numbers in the bottom margin (jmdi-print.css @page)
        assert all(f"{n} / {len(pages)}" in text for n, text in enumerate(pages, start=1)), path.name


def test_every_package_carries_the_pdfs_and_module_pages_link_them(jmdi) -> None:
    course, out, summary = jmdi
    with zipfile.ZipFile(out / f"{course.id}-web.zip") as archive:
        for module in course.modules:
            name = f"downloads/{course.id}-{module.id}.pdf"
            assert archive.read(name) == (out / Path(name).name).read_bytes()
            page = archive.read(f"content/{module.id}.js").decode()
            assert f'href=\\"{name}\\"' in page
            assert f'href=\\"print/{module.id}.html\\"' in page
        assert "Download Module 1 (PDF)" in archive.read("content/m1.js").decode()
        assert "Download Core Module (PDF)" in archive.read("content/core.js").decode()
        # the resources page lists every module PDF (issue 14)
        resources = archive.read("content/resources.js").decode()
        assert "The modules as PDF files" in resources
        linked = re.findall(r'href=\\"(downloads/[^"\\]+)\\"', resources)
        assert linked == [f"downloads/{course.id}-{m.id}.pdf" for m in course.modules]


def test_the_pdf_ends_with_the_answer_key(jmdi) -> None:
    """The module's assessment and an answer key are in its PDF (issue 14); text read with pypdf."""
    course, out, _ = jmdi
    module = course.modules[-1]
    reader = PdfReader(out / f"{course.id}-{module.id}.pdf")
    texts = [words(page.extract_text()) for page in reader.pages]
    key = [i for i, text in enumerate(texts) if "Answer key" in text]
    assessment = [i for i, text in enumerate(texts) if words(module.meta.assessment.title) in text]
    assert key and assessment and assessment[0] < key[0], (key, assessment)
    assert "The right answer:" in texts[key[0]] and "Why:" in texts[key[0]]
    assert not any(re.search(r", 2026\.", text) for text in texts)  # no stray year after a caption


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004-4th"])
def test_scorm_manifests_list_the_pdfs_and_check_passes(fmt: str, minimal_course: Path, tmp_path: Path) -> None:
    summary = build(minimal_course, tmp_path / "dist", "--format", fmt, "--split", "module")
    for package in summary["packages"]:
        with zipfile.ZipFile(package["package"]) as archive:
            pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
            manifest = archive.read("imsmanifest.xml").decode()
            resources = archive.read("content/resources.js").decode()
        assert pdfs == [f"downloads/mini-course-{package['module']}.pdf"]  # its own module's only
        assert f'href="{pdfs[0]}"' in manifest
        assert re.findall(r'href=\\"(downloads/[^"\\]+)\\"', resources) == pdfs  # it lists that one
    checked = CliRunner().invoke(main, ["check", *(p["package"] for p in summary["packages"])])
    assert checked.exit_code == 0, checked.output


class _BrokenLibraries(importlib.abc.MetaPathFinder):
    """``import weasyprint`` fails the way it does when Pango is missing (cffi's dlopen)."""

    def find_spec(self, name, path, target=None):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")
        return None


@cold
@pytest.mark.parametrize("failure", ["not-installed", "no-libraries"])
def test_without_weasyprint_the_build_succeeds_and_says_so(
    failure: str, minimal_course: Path, tmp_path: Path, monkeypatch
) -> None:
    if failure == "not-installed":
        monkeypatch.setitem(sys.modules, "weasyprint", None)  # import raises ImportError
    else:
        monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
        monkeypatch.setattr(sys, "meta_path", [_BrokenLibraries(), *sys.meta_path])
    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["build", str(minimal_course), "--out", str(out), "--format", "web"])
    assert result.exit_code == 0, result.output
    expected = "WeasyPrint is not installed" if failure == "not-installed" else "cannot load its system libraries"
    note = next(line for line in result.stdout.splitlines() if line.startswith("note: module PDFs not made"))
    assert expected in note and "printable pages instead" in note
    assert not list(out.glob("*.pdf"))
    with zipfile.ZipFile(out / "mini-course-web.zip") as archive:
        assert not [name for name in archive.namelist() if name.endswith(".pdf")]
        page = archive.read("content/intro.js").decode()
    assert "(PDF)" not in page and 'href=\\"print/intro.html\\"' in page


def test_no_pdf_flag(minimal_course: Path, tmp_path: Path) -> None:
    summary = build(minimal_course, tmp_path / "dist", "--format", "web", "--no-pdf")
    assert summary["downloads"] == [] and summary["pdf_seconds"] == 0
    assert not [note for note in summary["notes"] if "PDF" in note]
    assert not list((tmp_path / "dist").rglob("*.pdf"))
    with zipfile.ZipFile(tmp_path / "dist" / "mini-course-web.zip") as archive:
        resources = archive.read("content/resources.js").decode()
    assert "downloads/" not in resources and "The modules as PDF files" not in resources


def _build_in_process(course: Path, out: Path, seed: str, epoch: str | None) -> dict[str, str]:
    """Build in a fresh interpreter (own hash seed) and return the SHA-256 of every file written."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    env.pop("SOURCE_DATE_EPOCH", None)
    if epoch:
        env["SOURCE_DATE_EPOCH"] = epoch
    command = [sys.executable, "-m", "jmdi_scorm", "build", str(course), "--out", str(out), "--format", "web,scorm12"]
    subprocess.run(command, check=True, env=env, capture_output=True)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.glob("*.*")) if p.is_file()}


@cold
def test_pdfs_and_zips_are_reproducible(minimal_course: Path, tmp_path: Path) -> None:
    first = _build_in_process(minimal_course, tmp_path / "a", "1", None)
    second = _build_in_process(minimal_course, tmp_path / "b", "2", None)
    assert first == second
    assert {"mini-course-intro.pdf", "mini-course-practice.pdf", "mini-course-web.zip"} <= set(first)
    info = PdfReader(tmp_path / "a" / "mini-course-intro.pdf").metadata
    assert "/CreationDate" not in info and "/ModDate" not in info  # no build date by default


@cold
def test_source_date_epoch_dates_the_pdfs(minimal_course: Path, tmp_path: Path) -> None:
    first = _build_in_process(minimal_course, tmp_path / "a", "1", "1700000000")
    second = _build_in_process(minimal_course, tmp_path / "b", "2", "1700000000")
    assert first == second
    info = PdfReader(tmp_path / "a" / "mini-course-intro.pdf").metadata
    assert info["/CreationDate"].startswith("D:20231114221320") and info["/ModDate"] == info["/CreationDate"]


def test_the_fetcher_serves_package_files_only() -> None:
    from jmdi_scorm.render.pdf import ORIGIN, _site_fetcher

    fetcher = _site_fetcher({"assets/a b.svg": b"<svg/>"})
    response = fetcher.fetch(ORIGIN + "print/../assets/a%20b.svg#top")
    assert (response.read(), response.content_type) == (b"<svg/>", "image/svg+xml")
    for url in ("file:///etc/passwd", "https://example.org/logo.png", ORIGIN + "../secret.txt"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.refused == ["file:///etc/passwd", "https://example.org/logo.png", "../secret.txt"]
