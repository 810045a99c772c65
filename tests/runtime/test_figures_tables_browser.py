"""Figures and tables on a phone (issue 15), in headless Chromium on the JMDI course's web build.

- No page of the course scrolls sideways at 320, 360, 768 or 1280 px (WCAG 1.4.10 Reflow).
- A table is a focusable region named "Table n: scroll sideways if it is wider than the screen";
  on narrow screens its rows are stacked, each cell under its column's name.
- A figure opens the viewer (runtime/jmdi-viewer.js, loaded on first use) on click and on Enter:
  a modal dialog that keeps focus, zooms, shows the caption and the alt text, closes on Esc and
  gives focus back to the figure; axe finds nothing in it; it works in a frame and right to left.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from jmdi_scorm.cli import main
from tests.conftest import MINIMAL, ROOT
from tests.runtime.test_web_browser import tab_to, wait_page
from tests.support.axe import axe_violations

FIGURE_PAGE = "m2-01"  # an 800-px diagram and two wide tables
WIDTHS = [320, 360, 768, 1280]


@pytest.fixture(scope="module")
def jmdi_web(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from jmdi_scorm.build import BuildOptions, build

    out = tmp_path_factory.mktemp("jmdi-web")
    build(ROOT / "course", BuildOptions(formats=("web",), out=out, pdf=False, languages=("en",)))
    (folder,) = [path for path in out.iterdir() if path.is_dir()]
    return folder


@pytest.fixture(scope="module")
def mini_ar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course = tmp_path_factory.mktemp("ar") / "course"
    shutil.copytree(MINIMAL, course, ignore=shutil.ignore_patterns(".jmdi-cache"))
    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("language: en", "language: ar"), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["build", str(course), "--format", "web", "--no-pdf", "--out", str(course.parent)]
    )
    assert result.exit_code == 0, result.output
    return course.parent / "mini-course-web"


def open_page(browser, base: str, page_id: str, width: int, **options):
    context = browser.new_context(viewport={"width": width, "height": 740 if width < 600 else 800}, **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}index.html#/{page_id}")
    wait_page(page, page_id)
    return context, page, errors


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(browser, serve, jmdi_web: Path, width: int) -> None:
    ids = list(dict.fromkeys(re.findall(r'"id":"([^"]+)"', (jmdi_web / "index.html").read_text(encoding="utf-8"))))
    assert len(ids) > 30 and FIGURE_PAGE in ids and "summary" in ids
    context, page, errors = open_page(browser, serve(jmdi_web), "home", width)
    wide = {}
    for page_id in ids:
        page.evaluate("id => { location.hash = '#/' + id; }", page_id)
        wait_page(page, page_id)
        sizes = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        if sizes[0] > sizes[1]:
            wide[page_id] = sizes
    context.close()
    assert wide == {} and errors == []


@pytest.mark.parametrize("width", [360, 1280])
def test_tables_are_named_focusable_regions_stacked_on_phones(browser, serve, jmdi_web: Path, width: int) -> None:
    context, page, _ = open_page(browser, serve(jmdi_web), FIGURE_PAGE, width)
    region = page.locator(".jmdi-table").first
    assert region.get_attribute("role") == "region"
    assert region.get_attribute("aria-label") == "Table 1: scroll sideways if it is wider than the screen"
    tab_to(page, ".jmdi-table")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith("Table ")
    # Every region shows all of its table: nothing hidden to its side at either width.
    assert page.evaluate("[...document.querySelectorAll('.jmdi-table')].every(e => e.scrollWidth <= e.clientWidth)")
    cell = page.locator(".jmdi-table tbody td[data-label]").first
    assert cell.get_attribute("data-label") == "When"
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    if width == 360:  # stacked: a row is a block, the cell shows its column's name
        assert page.evaluate("getComputedStyle(document.querySelector('.jmdi-table tr')).display") == "block"
        assert label == '"When"'
    else:
        assert page.evaluate("getComputedStyle(document.querySelector('.jmdi-table tr')).display") == "table-row"
        assert label == "none"
    page.evaluate("location.hash = '#/summary'")
    wait_page(page, "summary")
    summary = page.locator(".jmdi-table")
    assert summary.get_attribute("aria-label") == "Modules: scroll sideways if it is wider than the screen"
    assert summary.get_attribute("tabindex") == "0"
    context.close()


def scale(page) -> float:
    return float(page.evaluate("document.querySelector('dialog.jmdi-viewer').dataset.scale"))


def image_width(page) -> float:
    return page.evaluate("document.querySelector('.jmdi-viewer-stage img').getBoundingClientRect().width")


@pytest.mark.parametrize("width", [375, 1280])
def test_the_figure_viewer(browser, serve, jmdi_web: Path, width: int) -> None:
    base = serve(jmdi_web)
    context, page, errors = open_page(browser, base, FIGURE_PAGE, width)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    link = page.locator(".jmdi-zoom").first
    assert link.get_attribute("aria-haspopup") == "dialog"
    assert page.evaluate("!window.JMDI.view")  # the viewer is not loaded with the page
    alt = link.locator("img").get_attribute("alt")
    caption = page.locator(".jmdi-figure figcaption").first.text_content()

    # Keyboard: Tab to the figure, Enter opens the viewer at the figure's own size.
    tab_to(page, ".jmdi-zoom")
    page.keyboard.press("Enter")
    page.wait_for_selector("dialog.jmdi-viewer[open]")
    page.wait_for_function("document.querySelector('dialog.jmdi-viewer').dataset.scale")
    assert any(url.endswith("runtime/jmdi-viewer.js") for url in requests)
    assert any(url.endswith("runtime/jmdi-viewer.css") for url in requests)
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    assert page.evaluate("document.querySelector('dialog.jmdi-viewer').matches(':modal')")
    # It shows the layout the page shows: on a phone a figure's narrow layout, if it has one.
    shown = page.evaluate("document.querySelector('.jmdi-viewer-stage img').src")
    assert shown == link.locator("img").evaluate("i => i.currentSrc")
    natural = page.evaluate(
        "(i => [i.naturalWidth, i.naturalHeight])(document.querySelector('.jmdi-viewer-stage img'))"
    )
    assert scale(page) == 1 and image_width(page) == pytest.approx(natural[0], abs=1)
    assert page.locator(".jmdi-viewer-caption").text_content() == caption
    assert alt and alt in (page.locator(".jmdi-viewer-alt").text_content() or "")
    assert page.locator(".jmdi-viewer-stage img").get_attribute("alt") == alt

    # Focus stays in the dialog: Tab and Shift+Tab cycle through its controls only.
    for key in ["Tab"] * 10 + ["Shift+Tab"] * 10:
        page.keyboard.press(key)
        assert page.evaluate(
            "!document.activeElement || document.activeElement === document.body "
            "|| !!document.activeElement.closest('dialog')"
        )

    # Zoom: buttons, keys and ctrl+wheel change the image's size; fit shows all of it.
    page.get_by_role("button", name="Zoom in").click()
    assert scale(page) == pytest.approx(1.25) and image_width(page) == pytest.approx(natural[0] * 1.25, abs=1)
    zoom_out = page.get_by_role("button", name="Zoom out")
    zoom_out.click()
    assert scale(page) == pytest.approx(1)
    # Zoomed out, the whole figure fits: smaller than its own size when that is larger than the stage.
    stage_size = page.evaluate("(s => [s.clientWidth, s.clientHeight])(document.querySelector('.jmdi-viewer-stage'))")
    larger = natural[0] > stage_size[0] or natural[1] > stage_size[1]
    assert zoom_out.is_enabled() == larger
    assert larger == (width < 800) or "narrow" in shown  # the wide figure is 800 px wide
    if larger:
        zoom_out.click()
        assert scale(page) < 1
    page.get_by_role("button", name="Fit to screen").click()
    fits = page.evaluate(
        "(() => { const s = document.querySelector('.jmdi-viewer-stage'); return s.scrollWidth <= s.clientWidth"
        " && s.scrollHeight <= s.clientHeight; })()"
    )
    assert fits
    page.get_by_role("button", name="Actual size").click()
    assert scale(page) == 1
    page.locator(".jmdi-viewer-stage").focus()
    page.keyboard.press("+")
    assert scale(page) == pytest.approx(1.25)
    page.mouse.move(width / 2, 300)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -200)
    page.keyboard.up("Control")
    page.wait_for_function("Number(document.querySelector('dialog.jmdi-viewer').dataset.scale) > 1.3")
    # Pan: dragging moves the view over the enlarged figure.
    stage = page.locator(".jmdi-viewer-stage")
    before = stage.evaluate("s => [s.scrollLeft, s.scrollTop]")
    box = stage.bounding_box()
    assert box
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - 60, box["y"] + box["height"] / 2 - 40, steps=4)
    page.mouse.up()
    after = stage.evaluate("s => [s.scrollLeft, s.scrollTop]")
    assert after[0] > before[0] and after != before

    # Esc closes it and focus is back on the figure's link; a click opens it again.
    page.keyboard.press("Escape")
    page.wait_for_function("!document.querySelector('dialog.jmdi-viewer').open")
    assert page.evaluate("document.activeElement.classList.contains('jmdi-zoom')")
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    link.click()
    page.wait_for_selector("dialog.jmdi-viewer[open]")
    page.get_by_role("button", name="Close").click()
    page.wait_for_function("!document.querySelector('dialog.jmdi-viewer').open")
    assert page.evaluate("document.activeElement.classList.contains('jmdi-zoom')")
    assert "#/" + FIGURE_PAGE in page.url  # the launch page never left
    assert errors == []
    context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_axe_finds_nothing_with_the_viewer_open(browser, jmdi_web: Path, width: int) -> None:
    # bypass_csp: our own CSP (rightly) refuses the injected axe script.
    context, page, _ = open_page(browser, jmdi_web.as_uri() + "/", FIGURE_PAGE, width, bypass_csp=True)
    page.locator(".jmdi-zoom").first.click()
    page.wait_for_selector("dialog.jmdi-viewer[open]")
    page.wait_for_function("document.querySelector('dialog.jmdi-viewer').dataset.scale")
    assert axe_violations(page) == []
    context.close()


def test_the_viewer_in_a_frame_and_right_to_left(browser, serve, mini_ar: Path) -> None:
    """As an LMS shows a SCORM package: the launch page in a frame; Arabic, right to left."""
    (mini_ar / "frame-test.html").write_text(
        '<!doctype html><title>LMS</title><iframe src="index.html#/intro-01" title="course"'
        ' width="360" height="700"></iframe>',
        encoding="utf-8",
    )
    context = browser.new_context(viewport={"width": 400, "height": 740})
    page = context.new_page()
    page.goto(serve(mini_ar) + "frame-test.html")
    frame = page.frame_locator("iframe")
    link = frame.locator(".jmdi-zoom")
    link.click()
    dialog = frame.locator("dialog.jmdi-viewer[open]")
    dialog.wait_for()
    assert dialog.evaluate("d => getComputedStyle(d).direction") == "rtl"
    assert frame.locator(".jmdi-viewer-close").get_attribute("aria-label") == "إغلاق"
    frame.get_by_role("button", name="تكبير").click()
    assert float(dialog.get_attribute("data-scale") or 0) > 1
    frame.locator(".jmdi-viewer-close").focus()
    page.keyboard.press("Escape")
    frame.locator("dialog.jmdi-viewer:not([open])").wait_for(state="attached")
    assert link.evaluate("a => a.ownerDocument.activeElement === a")
    context.close()
