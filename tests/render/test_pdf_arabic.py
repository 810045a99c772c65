"""Arabic module PDFs (issue 17): their text extracts in logical order, and the words of the SVG
figures are shaped text (figure_text.py), not letters drawn one by one left to right.

The expected Arabic comes from the course's own catalogue (course/locale/ar.po), never from this
file. Two extractors, each with a blind spot of its own, are used together:

- pypdf gives each word whole and right (ligatures included) but writes the runs of one line in
  their left-to-right order on the page, sometimes with no space between two: the words must be
  in its text;
- poppler's pdftotext orders the runs of a right-to-left line right, but writes the two letters
  of a lam-alef ligature glyph (لا، لأ، لى) in the wrong order, and sets raised marks (tanwin,
  shadda) apart, sometimes on a line of their own: its lines are compared letter by letter with
  lam, marks, spaces and non-Arabic text left out.
"""

from __future__ import annotations

import base64
import itertools
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from jmdi_scorm.cli import main
from jmdi_scorm.render import pdf
from jmdi_scorm.render.figure_text import needs_shaping, overlay_figures
from jmdi_scorm.render.site import module_pdf_path
from jmdi_scorm.source.translation_files import read_catalog
from jmdi_scorm.source.validate import load_course

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "course"
FIGURE = "assets/figures/m1-migration-cycle.svg"
ARABIC_WORD = re.compile(r"[\u0621-\u064A]+")
MARKDOWN = re.compile(r"\]\([^)]*\)|\*+|\[\^[^\]]*\]|[\[\]`_]")


@pytest.fixture(scope="module")
def arabic(tmp_path_factory) -> Path:
    """The JMDI course's Arabic web package, built once, and the PDF of module 1 (the one these
    tests read) made as the build makes it (``pdf.module_pdfs``) from that package's files: its
    print page, style sheets and translated figures. The five other PDFs would only cost time."""
    out = tmp_path_factory.mktemp("ar") / "dist"
    args = ["build", str(COURSE), "--out", str(out), "--format", "web", "--lang", "ar", "--no-pdf", "--no-cache"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    package = out / "jmdi-etoolbox-ar-web"
    files = {path.relative_to(package).as_posix(): path.read_bytes() for path in package.rglob("*") if path.is_file()}
    course, _ = load_course(COURSE)
    module = next(module for module in course.modules if module.id == "m1")
    site = SimpleNamespace(shared=files)  # module_pdfs reads the site's files only
    pdfs, notes, stats = pdf.module_pdfs(course.model_copy(update={"modules": [module]}), site)  # type: ignore[arg-type]
    assert not notes and stats.rendered == 1
    (out / "jmdi-etoolbox-ar-m1.pdf").write_bytes(pdfs[module_pdf_path(course.id, "m1")])
    return out


@pytest.fixture(scope="module")
def catalogue() -> dict[str, str]:
    """The Arabic catalogue as ``{key: translation}`` (translated entries only)."""
    catalog = read_catalog(COURSE / "locale" / "ar.po", "ar")
    return {str(m.context): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy and m.context}


def pypdf_text(path: Path, pages: slice = slice(None)) -> str:
    return " ".join(page.extract_text() for page in PdfReader(path).pages[pages])


def poppler_text(path: Path, first: int = 0, last: int = 0) -> str:
    args = ["pdftotext", *(["-f", str(first), "-l", str(last)] if first else []), str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def letters(text: str) -> str:
    """The Arabic letters of ``text`` in order, lam left out (see the module's docstring)."""
    return "".join(re.findall(r"[\u0621-\u063A\u0641-\u0643\u0645-\u064A]", text))


def unmarked(text: str) -> str:
    """``text`` without its vowel marks (pypdf may give a tanwin before the alef it sits on after)."""
    return re.sub(r"[\u064B-\u0652\u0670]", "", text)


def out_of_order(expected: str, pypdf: str, poppler: str) -> tuple[int, list[tuple[str, str]]]:
    """How many pairs of words follow each other in ``expected`` (with no other text between
    them), and those that follow each other neither in pypdf's text nor in poppler's. Every
    Arabic word of ``expected`` must be in pypdf's text."""
    bare = unmarked(pypdf)
    missing = [word for word in ARABIC_WORD.findall(unmarked(expected)) if word not in bare]
    assert not missing, f"words not extracted whole: {missing} in {expected!r}"
    flat, stream = " ".join(bare.split()), letters(poppler)
    pairs = [
        pair
        for stretch in re.split(r"[^\u0621-\u064A\s]+", unmarked(MARKDOWN.sub(" . ", expected)))
        for pair in itertools.pairwise(stretch.split())
    ]
    lost = [pair for pair in pairs if " ".join(pair) not in flat and letters("".join(pair)) not in stream]
    return len(pairs), lost


def test_a_topics_paragraphs_extract_in_logical_order(arabic: Path, catalogue: dict[str, str]) -> None:
    paragraphs = [text for key, text in catalogue.items() if key.startswith("topic/m1-01/body/") and len(text) > 80]
    assert len(paragraphs) >= 5
    pdf = arabic / "jmdi-etoolbox-ar-m1.pdf"
    pypdf, poppler = pypdf_text(pdf), poppler_text(pdf)
    total, lost = 0, []
    for paragraph in paragraphs:
        pairs, out = out_of_order(paragraph, pypdf, poppler)
        total, lost = total + pairs, lost + out
    # Both extractors lose the order of a pair only where it spans the end of a line and the next
    # line holds a number, a Latin word or a raised mark (see the module's docstring).
    assert total > 300 and len(lost) <= total // 50, lost
    # the check can fail: words in the opposite order are not found
    backwards = " ".join(reversed(paragraphs[0].split()))
    pairs, out = out_of_order(backwards, pypdf, poppler)
    assert len(out) > pairs // 2


def test_figure_text_is_shaped_text_in_logical_order(arabic: Path, catalogue: dict[str, str]) -> None:
    labels = [text for key, text in catalogue.items() if key.startswith(f"svg/{FIGURE}/text/")]
    assert len(labels) >= 15 and all(needs_shaping(label) for label in labels)
    pdf = arabic / "jmdi-etoolbox-ar-m1.pdf"
    page = next(
        n for n, text in enumerate(poppler_text(pdf).split("\f"), start=1) if letters(labels[0]) in letters(text)
    )
    pypdf, poppler = pypdf_text(pdf, slice(page - 1, page)), poppler_text(pdf, page, page)
    for label in labels:
        assert all(word in unmarked(pypdf) for word in ARABIC_WORD.findall(unmarked(label))), label
        assert letters(label) in letters(poppler), label


def test_only_figures_whose_text_needs_shaping_are_laid_over(arabic: Path) -> None:
    """English, French and Spanish figures stay SVG images (their PDFs are unchanged); an Arabic
    one becomes the drawing without its text plus one positioned HTML line per SVG line."""
    english = (COURSE / FIGURE).read_bytes()
    page = f'<figure><img src="../{FIGURE}" alt="x" width="800" height="450"></figure>'
    assert overlay_figures(page, "print/m1.html", {FIGURE: english}) == (page, [])
    for figure in sorted((COURSE / "assets" / "figures").glob("*.svg")):
        assert not needs_shaping(figure.read_text()), figure.name
    translated = (arabic / "jmdi-etoolbox-ar-web" / FIGURE).read_bytes()
    html, used = overlay_figures(page, "print/m1.html", {FIGURE: translated})
    assert used == [FIGURE]
    drawing = base64.b64decode(re.search(r"base64,([^\"]+)", html).group(1))
    assert b"<text" not in drawing and b"<rect" in drawing
    assert html.count("text-align:") == english.count(b"<text ")  # a line each, no tspan here
    assert 'alt="x"' in html and "width:657.638px" in html  # scaled to the text column, as the <img> was
    assert overlay_figures(page, "print/m1.html", {FIGURE: translated}) == (html, used)  # reproducible


def test_rotated_and_multiline_text_keep_their_place() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 200" width="400" height="200" font-size="10">'
        b'<g transform="translate(100 50)"><text x="0" y="0" text-anchor="middle" transform="rotate(-90)">'
        b"\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7</text></g>"
        b'<text x="20" y="100" font-weight="bold"><tspan x="20" dy="0">\xd8\xa3</tspan>'
        b'<tspan x="20" dy="24" fill="#ff0000">\xd8\xa8</tspan></text></svg>'
    )
    html, _ = overlay_figures('<img src="f.svg" alt="">', "p.html", {"f.svg": svg})
    assert "left:25%;top:25%;width:0;height:0;transform:rotate(-90deg)" in html
    assert "left:5%;top:50%;" in html and "left:5%;top:62%;" in html  # the second line 24 px lower
    assert "text-align:center" in html and "color:#ff0000" in html and "font-weight:bold" in html


def test_right_to_left_lines_keep_their_direction_place_and_left_to_right_tokens() -> None:
    """A translated Arabic figure's text (source/svg_direction.py) is right to left, its anchor
    swapped: the HTML line is right to left too, drawn from the same point, "10.c" kept apart."""
    ltr = '<tspan direction="ltr" unicode-bidi="embed">10.c</tspan>'
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 200" width="400" height="200" font-size="10">'
        '<text x="40" y="50" direction="rtl" text-anchor="end">1. \u0623:</text>'
        f'<text direction="rtl"><tspan x="200" y="100" font-weight="bold">\u0628 {ltr} \u062c</tspan></text></svg>'
    ).encode()
    html, _ = overlay_figures('<img src="f.svg" alt="">', "p.html", {"f.svg": svg})
    pieces = html.split('<span style="position:absolute;left:')  # a point, then its line, per line
    first, second = pieces[1] + pieces[2], pieces[3] + pieces[4]
    assert first.startswith("10%;top:25%;") and "text-align:left;" in first and "direction:rtl;" in first
    assert second.startswith("50%;top:50%;") and "text-align:right;" in second and "direction:rtl;" in second
    assert re.search(r'font-weight:bold[^"]*;direction:ltr;unicode-bidi:embed">10\.c</span>', second), second
    # sans-serif as the pages name it: fontconfig's first Arabic font (DejaVu Sans) is wider
    assert html.count("font-family:&#34;Noto Sans&#34;, &#34;Noto Sans Arabic&#34;, sans-serif;") == 6
