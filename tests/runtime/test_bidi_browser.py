"""Issue 15, language and direction, in headless Chromium: the interface in one language and the
course in another (``interface_language``), and right-to-left text with left-to-right runs in it.

Three builds of the minimal course: an Arabic interface with English content, an English interface
with Arabic content, and all Arabic. Containers of course text carry the content's ``lang`` and
direction and the chrome the interface's; punctuation and mixed tokens are checked where they are
drawn (the boxes of single characters, ``Range.getClientRects``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.conftest import MINIMAL
from tests.runtime.test_web_browser import build_web, wait_page

ARABIC_TITLE = "الموضوع الأول"
ARABIC_BODY = "ترمي الغاية 10.c إلى خفض تكاليف التحويلات."
QUESTION_TITLE = "What is it (LD)?"  # intro-02's title in every build: ends with punctuation

#: (interface, content) of each build
BUILDS = {"ar-en": ("ar", "en"), "en-ar": ("en", "ar"), "ar-ar": ("ar", "ar")}


def _course(root: Path, ui: str, content: str) -> Path:
    course = root / "course"
    shutil.copytree(MINIMAL, course, ignore=shutil.ignore_patterns(".jmdi-cache"))
    yaml = course / "course.yaml"
    head = f"language: {content}" + (f"\ninterface_language: {ui}" if ui != content else "")
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("language: en", head), encoding="utf-8")
    second = course / "modules/intro/intro-02.md"
    second.write_text(second.read_text(encoding="utf-8").replace("Second topic", QUESTION_TITLE), encoding="utf-8")
    if content == "ar":
        first = course / "modules/intro/intro-01.md"
        text = first.read_text(encoding="utf-8").replace("title: First topic", f"title: {ARABIC_TITLE}")
        text = text.replace("Migrants send [remittances](glossary:remittances) home.", ARABIC_BODY)
        first.write_text(text, encoding="utf-8")
    return course


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for name, (ui, content) in BUILDS.items():
        root = tmp_path_factory.mktemp(f"bidi-{name}")
        out[name] = build_web(_course(root, ui, content), root / "dist")
    return out


def _open(browser, site: Path, page_id: str, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site.as_uri() + "/index.html#/" + page_id)
    wait_page(page, page_id)
    return context, page, errors


#: The language (nearest lang attribute) and the computed direction of the first match of a
#: selector ("a || b": the first of a, else of b).
LANG_DIR = """s => { const el = s.split('||').map(x => document.querySelector(x)).find(x => x); if (!el) return null;
  return [el.closest('[lang]').getAttribute('lang'), getComputedStyle(el).direction]; }"""

#: The left edge of the n-th occurrence of a character in the text of the first match of a selector.
CHAR_X = """([s, ch, nth]) => {
  const root = document.querySelector(s), walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let seen = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = node.data.indexOf(ch); i >= 0; i = node.data.indexOf(ch, i + 1)) {
      if (seen++ === nth) {
        const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
        return range.getClientRects()[0].left;
      }
    }
  }
  return null; }"""


def char_x(page, selector: str, char: str, nth: int = 0) -> float:
    x = page.evaluate(CHAR_X, [selector, char, nth])
    assert x is not None, (selector, char)
    return x


CONTENT = [
    "#jmdi-page h1",
    "#jmdi-page .jmdi-kicker a span || #jmdi-page .jmdi-kicker a",
    "#jmdi-page .jmdi-objectives ul",
    "#jmdi-page .jmdi-body",
    "#jmdi-page .jmdi-body figcaption",
    "#jmdi-page .jmdi-prompt",
    "#jmdi-page .jmdi-choices",
    "#jmdi-toc a[href='#/intro-02'] span || #jmdi-toc a[href='#/intro-02']",
    ".jmdi-course-title a span || .jmdi-course-title a",
]
CHROME = [
    "#jmdi-page .jmdi-meta",
    "#jmdi-page .jmdi-objectives h2",
    "#jmdi-page .jmdi-qnum",
    "#jmdi-page .jmdi-actions button",
    "#jmdi-page .jmdi-box-kind",
    "#jmdi-page .jmdi-zoom span",
    ".jmdi-progress label",
    "#jmdi-next",
]


@pytest.mark.parametrize("build", BUILDS)
def test_content_containers_carry_the_content_language_and_the_chrome_the_interface(browser, sites, build) -> None:
    ui, content = BUILDS[build]
    direction = {"ar": "rtl", "en": "ltr"}
    context, page, errors = _open(browser, sites[build], "intro-01")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [ui, direction[ui]]
    for selector in CONTENT:
        assert page.evaluate(LANG_DIR, selector) == [content, direction[content]], selector
    for selector in CHROME:
        assert page.evaluate(LANG_DIR, selector) == [ui, direction[ui]], selector
    # Feedback the runtime writes: the verdict in the interface's language, the explanation in the course's.
    for box in ("b", "a"):  # wrong twice (b, then a and b): the tries are used up, the explanation is shown
        page.check(f"#q-intro-01-q2 input[value='{box}']")
        page.click("#q-intro-01-q2 .jmdi-actions button")
    page.wait_for_selector("#jmdi-page .jmdi-feedback .jmdi-reveal")
    assert page.evaluate(LANG_DIR, "#jmdi-page .jmdi-feedback strong") == [ui, direction[ui]]
    assert page.evaluate(LANG_DIR, "#jmdi-page .jmdi-feedback > div || #jmdi-page .jmdi-feedback > p + p") == [
        content,
        direction[content],
    ]
    # The glossary page: its title is the interface's, its entries the course's.
    page.evaluate("location.hash = '#/glossary'")
    wait_page(page, "glossary")
    assert page.evaluate(LANG_DIR, "#jmdi-page h1") == [ui, direction[ui]]
    assert page.evaluate(LANG_DIR, "#jmdi-page dl.jmdi-glossary dd") == [content, direction[content]]
    assert errors == []
    context.close()


def test_an_english_sentence_keeps_its_punctuation_at_its_end_in_an_arabic_interface(browser, sites) -> None:
    context, page, _ = _open(browser, sites["ar-en"], "intro-01")
    body = "#jmdi-page .jmdi-body p"
    # "Migrants send remittances home.": the full stop right of the "e" of "home", not left of "Migrants".
    assert char_x(page, body, ".") > char_x(page, body, "h")
    assert char_x(page, body, ".") > char_x(page, body, "M")
    # A title ending in "?" inside an interface sentence (the Next link, the contents): "?" last on the right.
    for selector in ("#jmdi-next", "#jmdi-toc a[href='#/intro-02']"):
        assert char_x(page, selector, "?") > char_x(page, selector, ")") > char_x(page, selector, "W"), selector
    # ...and the title is isolated from the interface words around it.
    assert page.evaluate("getComputedStyle(document.querySelector('#jmdi-next bdi')).unicodeBidi") == "isolate"
    # The interface label ("التالي:") stays at the right of the title in the right-to-left link.
    assert char_x(page, "#jmdi-next", ":") > char_x(page, "#jmdi-next", "?")
    context.close()


@pytest.mark.parametrize("build", ["en-ar", "ar-ar"])
def test_a_number_with_a_letter_reads_left_to_right_in_arabic_text(browser, sites, build) -> None:
    context, page, _ = _open(browser, sites[build], "intro-01")
    body = "#jmdi-page .jmdi-body p"
    assert page.evaluate(LANG_DIR, body) == ["ar", "rtl"]
    assert page.evaluate("getComputedStyle(document.querySelector('.jmdi-body p bdi')).direction") == "ltr"
    # "10.c" drawn as "10.c" (not "c.10"): the "1" left of the ".", left of the "c".
    assert char_x(page, body, "1") < char_x(page, body, ".") < char_x(page, body, "c")
    # ...and the Arabic sentence still reads from the right: its first word right of "10.c".
    assert char_x(page, body, "ت") > char_x(page, body, "c")
    context.close()


@pytest.mark.parametrize("build", BUILDS)
def test_the_print_page_separates_the_languages_too(browser, sites, build) -> None:
    ui, content = BUILDS[build]
    direction = {"ar": "rtl", "en": "ltr"}
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(sites[build].as_uri() + "/print/intro.html")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [ui, direction[ui]]
    for selector in ("main h1", ".jmdi-print-topic h2", ".jmdi-print-prompt", ".jmdi-print-key h3"):
        assert page.evaluate(LANG_DIR, selector) == [content, direction[content]], selector
    for selector in (".jmdi-print-topic h3", ".jmdi-print-label", ".jmdi-print-header p"):
        assert page.evaluate(LANG_DIR, selector) == [ui, direction[ui]], selector
    # The course title inside "Printed from …" is isolated from the interface words.
    isolated = page.evaluate(
        "getComputedStyle(document.querySelector('.jmdi-print-header p > :is(bdi, span)') || document.body).unicodeBidi"
    )
    assert isolated == "isolate"
    context.close()


@pytest.mark.parametrize("build", ["ar-en", "ar-ar"])
@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots(browser, sites, build: str, width: int) -> None:
    """Pictures of the topic and the home page to look at, in $JMDI_SHOTS (default: <tmp>/jmdi-shots);
    the page never scrolls sideways."""
    folder = Path(os.environ.get("JMDI_SHOTS") or Path(tempfile.gettempdir()) / "jmdi-shots")
    folder.mkdir(parents=True, exist_ok=True)
    context, page, errors = _open(browser, sites[build], "intro-01", width)
    page.screenshot(path=str(folder / f"bidi-{build}-topic-{width}.png"), full_page=True)
    page.evaluate("location.hash = '#/home'")
    wait_page(page, "home")
    page.screenshot(path=str(folder / f"bidi-{build}-home-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0 and errors == []
    context.close()
