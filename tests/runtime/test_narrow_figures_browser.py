"""A figure's narrow layout on a phone (issue 15), in headless Chromium: the minimal course with the
figure of ``tests/fixtures/narrow-figure`` (800 wide, and its 360-wide narrow layout), in English
and in Arabic (its words from the wide figure's translations).

At 360 px the page shows the narrow layout and its smallest text is at least 12 CSS px on screen;
the figure viewer opens that layout too. At 1280 px the page shows the wide figure.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from jmdi_scorm.build import BuildOptions, build
from jmdi_scorm.source.narrow_rules import font_size
from jmdi_scorm.source.translation_files import catalog_path, po_bytes, template_of
from jmdi_scorm.source.translation_pseudo import pseudo_catalog
from jmdi_scorm.source.validate import checked_course
from tests.conftest import FIXTURES, MINIMAL
from tests.runtime.test_web_browser import wait_page

FIGURE = FIXTURES / "narrow-figure"
ARABIC = {
    "Three steps of a local plan": "ثلاث خطوات لخطة محلية",
    "1. Plan": "1. التخطيط",
    "with the community": "مع المجتمع",
    "2. Act": "2. التنفيذ",
    "with partners": "مع الشركاء",
    "3. Review": "3. المراجعة",
    "what changed": "ما الذي تغيّر",
    "Each review feeds the next plan": "كل مراجعة تغذّي الخطة التالية",
}
MIN_SCREEN_PX = 12.0


def smallest_text(svg: Path) -> float:
    """The smallest font size of the SVG's texts, in its user units."""
    root = etree.parse(str(svg)).getroot()
    return min(font_size(node) for node in root.iter("{*}text", "{*}tspan") if (node.text or "").strip())


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The web package (English, and Arabic in ``ar/``) of the minimal course with the figure."""
    course = tmp_path_factory.mktemp("narrow") / "course"
    shutil.copytree(MINIMAL, course, ignore=shutil.ignore_patterns(".jmdi-cache"))
    for name in ("diagram.svg", "diagram.narrow.svg"):
        shutil.copyfile(FIGURE / name, course / "assets" / name)
    source, ctx = checked_course(course)
    catalog = pseudo_catalog(template_of(source, ctx), "ar")
    for message in catalog:
        if str(message.context).startswith("svg/assets/diagram.svg/"):
            message.string = ARABIC.get(str(message.id), str(message.string))
    catalog_path(course, "ar").parent.mkdir()
    catalog_path(course, "ar").write_bytes(po_bytes(catalog))
    build(course, BuildOptions(formats=("web",), out=course.parent / "dist", pdf=False))
    return course.parent / "dist" / "mini-course-web"


def shown_figure(browser, base: str, width: int) -> tuple[object, object, dict]:
    context = browser.new_context(viewport={"width": width, "height": 740 if width < 600 else 800})
    page = context.new_page()
    page.goto(f"{base}index.html#/intro-01")
    wait_page(page, "intro-01")
    page.locator(".jmdi-figure img").scroll_into_view_if_needed()  # loading="lazy"
    page.wait_for_function(
        "() => { const i = document.querySelector('.jmdi-figure img'); return i.complete && i.naturalWidth > 0; }"
    )
    shown = page.evaluate(
        "(i => ({src: i.currentSrc, width: i.getBoundingClientRect().width}))(document.querySelector('.jmdi-figure img'))"
    )
    return context, page, shown


@pytest.mark.parametrize("folder", ["", "ar/"])
def test_a_phone_shows_the_narrow_layout_with_readable_text(browser, serve, web: Path, folder: str) -> None:
    context, page, shown = shown_figure(browser, serve(web) + folder, 360)
    assert shown["src"].endswith(f"/{folder}assets/diagram.narrow.svg")
    scale = shown["width"] / 360  # its viewBox is 360 wide
    assert smallest_text(web / folder / "assets/diagram.narrow.svg") * scale >= MIN_SCREEN_PX
    assert smallest_text(web / folder / "assets/diagram.svg") * shown["width"] / 800 < MIN_SCREEN_PX  # as before
    svg = page.evaluate("fetch(document.querySelector('.jmdi-figure img').currentSrc).then(r => r.text())")
    assert ("مع الشركاء" in svg) == (folder == "ar/") and ("with partners" in svg) == (folder == "")
    page.locator(".jmdi-zoom").click()  # the viewer opens the layout the page shows
    page.wait_for_selector("dialog.jmdi-viewer[open] .jmdi-viewer-stage img[src]")
    assert page.evaluate("document.querySelector('.jmdi-viewer-stage img').src") == shown["src"]
    context.close()


def test_a_wide_screen_shows_the_wide_figure(browser, serve, web: Path) -> None:
    context, _page, shown = shown_figure(browser, serve(web), 1280)
    assert shown["src"].endswith("/assets/diagram.svg") and shown["width"] > 640  # the text column
    context.close()
