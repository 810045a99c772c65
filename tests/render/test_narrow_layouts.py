"""A figure's narrow layout in the site (issue 15): ``assets/diagram.narrow.svg`` beside the fixture's
figure becomes the ``<source>`` of a ``<picture>`` for narrow screens; print pages keep the wide figure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jmdi_scorm.render import i18n
from jmdi_scorm.render.markdown_html import Context, MarkdownRenderer
from jmdi_scorm.render.pages import course_files, render_site
from jmdi_scorm.render.sanitize import clean_html
from jmdi_scorm.render.site import Scope
from jmdi_scorm.source.validate import load_course
from tests.conftest import MINIMAL

FIGURE = '![Alt text](../../assets/diagram.svg "A caption")'
SOURCE = '<source media="(max-width: 40em)" srcset="{root}assets/diagram.narrow.svg" width="360" height="400">'


@pytest.fixture(scope="module")
def course():
    return load_course(MINIMAL)[0]


def render(course, text: str, files: dict[str, bytes] | None = None, **kw) -> tuple[str, Context]:
    renderer = MarkdownRenderer(course, i18n.strings("en"), course_files(course) if files is None else files)
    ctx = Context(base="modules/intro", page="intro-01", **kw)
    return renderer.html(text, ctx), ctx


def test_a_figure_with_a_narrow_layout_is_a_picture_inside_its_viewer_link(course) -> None:
    html, ctx = render(course, FIGURE)
    picture = re.search(r'<a class="jmdi-zoom" href="assets/diagram.svg"[^>]*>(<picture>.*?</picture>)<span>', html)
    assert picture, html
    assert picture.group(1).startswith("<picture>" + SOURCE.format(root="") + '<img src="assets/diagram.svg"')
    assert ctx.assets == {"assets/diagram.svg", "assets/diagram.narrow.svg"}  # a module package carries both


def test_an_image_in_a_sentence_gets_it_too_and_keeps_its_title(course) -> None:
    html, _ = render(course, 'See ![x](../../assets/diagram.svg "t") here.')
    assert re.search(r"<p>See <picture><source [^>]+><img [^>]*title=\"t\"></picture> here.</p>", html), html


def test_print_pages_and_figures_without_one_keep_a_plain_img(course) -> None:
    printed, ctx = render(course, FIGURE, mode="print")
    assert "<picture>" not in printed and "narrow" not in printed
    assert ctx.assets == {"assets/diagram.svg"}
    files = {k: v for k, v in course_files(course).items() if "narrow" not in k}
    html, _ = render(course, FIGURE, files)
    assert "<picture>" not in html and '<a class="jmdi-zoom" href="assets/diagram.svg"' in html


def test_the_site_ships_it_and_a_module_package_of_the_figure_carries_it(course) -> None:
    site = render_site(course)
    assert site.shared["assets/diagram.narrow.svg"] == (MINIMAL / "assets/diagram.narrow.svg").read_bytes()
    assert SOURCE.format(root="").replace('"', '\\"') in site.shared["content/intro-01.js"].decode()
    assert "narrow" not in site.shared["print/intro.html"].decode()
    assert "assets/diagram.narrow.svg" in site.files_for(Scope(module="intro"))
    assert "assets/diagram.narrow.svg" not in site.files_for(Scope(module="practice"))


def test_raw_html_cleaning_keeps_the_picture(minimal_course: Path) -> None:
    """A course that allows raw HTML has each text with raw HTML cleaned (sanitize.py): the
    renderer's own <picture> stays, and only its attributes."""
    yaml = minimal_course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "allow_html: true\n", encoding="utf-8")
    course, _ = load_course(minimal_course)
    html, _ = render(course, FIGURE + "\n\n<kbd>Esc</kbd>")
    assert "<kbd>Esc</kbd>" in html and SOURCE.format(root="") in html
    dirty = '<picture><source srcset="x.svg" media="all" onerror="alert(1)" type="a/b"><img src="x.svg"></picture>'
    assert clean_html(dirty) == '<picture><source srcset="x.svg" media="all"><img src="x.svg"></picture>'
