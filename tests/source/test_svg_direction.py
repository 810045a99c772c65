"""Right-to-left figure text (source/svg_direction.py): a right-to-left base direction, anchors
swapped so each line stays where it was drawn, mixed tokens kept left to right; only for texts in
a right-to-left script of a right-to-left translation."""

from __future__ import annotations

import unicodedata

from babel.messages.catalog import Catalog
from lxml import etree

from jmdi_scorm.safexml import safe_parser
from jmdi_scorm.source.svg_direction import right_to_left
from jmdi_scorm.source.translation_svg import translate_svg

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 200" font-size="16">{}</svg>'
ARABIC = "المهاجرون، العائدون:"


def _swapped(body: str) -> str:
    root = etree.fromstring(SVG.format(body).encode(), safe_parser())
    right_to_left(root)
    return etree.tostring(root, encoding="unicode").split(">", 1)[1].rsplit("<", 1)[0]


def test_each_anchor_is_swapped_so_the_line_keeps_its_place() -> None:
    # the default (start), its own, a group's (inherited) and a style's; middle stays middle
    assert _swapped(f'<text x="9">{ARABIC}</text>') == f'<text x="9" direction="rtl" text-anchor="end">{ARABIC}</text>'
    assert _swapped(f'<text text-anchor="end">{ARABIC}</text>') == (
        f'<text text-anchor="start" direction="rtl">{ARABIC}</text>'
    )
    assert _swapped(f'<g text-anchor="end"><text>{ARABIC}</text></g>') == (
        f'<g text-anchor="end"><text direction="rtl" text-anchor="start">{ARABIC}</text></g>'
    )
    assert _swapped(f'<g text-anchor="middle"><text>{ARABIC}</text></g>') == (
        f'<g text-anchor="middle"><text direction="rtl">{ARABIC}</text></g>'
    )
    assert _swapped(f'<text style="fill:red; text-anchor: end" text-anchor="middle">{ARABIC}</text>') == (
        f'<text style="fill:red;text-anchor:start" text-anchor="middle" direction="rtl">{ARABIC}</text>'
    )
    # a line of its own with its own anchor trades sides too; one without inherits the text's
    assert _swapped(
        f'<text><tspan x="5" text-anchor="middle">{ARABIC}</tspan><tspan x="5" dy="20" '
        f'text-anchor="start">{ARABIC}</tspan></text>'
    ) == (
        f'<text direction="rtl" text-anchor="end"><tspan x="5" text-anchor="middle">{ARABIC}</tspan>'
        f'<tspan x="5" dy="20" text-anchor="end">{ARABIC}</tspan></text>'
    )


def test_only_right_to_left_text_without_a_direction_of_its_own_changes() -> None:
    for body in (
        '<text x="9">Sources: ILO (2017).</text>',  # Latin only
        '<text x="9">3</text>',  # a number alone
        f'<text x="9" direction="ltr">{ARABIC}</text>',  # the author's direction
        f'<g direction="rtl" text-anchor="end"><text x="9">{ARABIC}</text></g>',  # inherited
    ):
        assert _swapped(body) == body
    root = etree.fromstring(SVG.format("<text>ILO</text>").encode(), safe_parser())
    assert right_to_left(root) is False


def test_a_token_of_digits_and_latin_letters_stays_left_to_right() -> None:
    body = '<text><tspan x="5" font-weight="bold">الغاية 10.c للتنمية و 10.7</tspan> (US$200, 10.c)</text>'
    ltr = '<tspan direction="ltr" unicode-bidi="embed">10.c</tspan>'
    assert _swapped(body) == (
        f'<text direction="rtl" text-anchor="end"><tspan x="5" font-weight="bold">الغاية {ltr} للتنمية و 10.7</tspan>'
        f" (US$200, {ltr})</text>"
    )


def _catalog(language: str) -> Catalog:
    catalog = Catalog(locale=language)
    catalog.add("Local", "المحلي" if language == "ar" else "Local·e", context="svg/f.svg/text/0")
    catalog.add("1. Decide", "1. القرار" if language == "ar" else "1. Décider", context="svg/f.svg/text/1")
    return catalog


def test_translate_svg_sets_the_direction_for_right_to_left_languages_only() -> None:
    figure = SVG.format(
        '<text x="10" y="20">Local</text><g text-anchor="middle"><text x="200" y="50">1. Decide</text></g>'
    )
    arabic = translate_svg(figure.encode(), "f.svg", _catalog("ar")).decode()
    assert '<text x="10" y="20" direction="rtl" text-anchor="end">المحلي</text>' in arabic
    assert '<text x="200" y="50" direction="rtl">1. القرار</text>' in arabic
    french = translate_svg(figure.encode(), "f.svg", _catalog("fr")).decode()
    assert french == figure.replace(">Local<", ">Local·e<").replace(">1. Decide<", ">1. Décider<")
    assert translate_svg(figure.encode(), "f.svg", Catalog(locale="ar")) == figure.encode()  # nothing translated


LINES = (
    '<text x="20" y="30">1. القرار والاستعداد:</text>'
    '<g text-anchor="middle"><text x="200" y="60">(في بلدية المنشأ)</text></g>'
    '<text x="380" y="90" text-anchor="end">2. المغادرة</text>'
    '<text font-weight="bold"><tspan x="20" y="120">المهاجرون،</tspan><tspan x="20" dy="24">العائدون،</tspan></text>'
    '<text transform="translate(360,100) rotate(-90)" text-anchor="middle">3. العبور</text>'
)
PLACES = """() => [...document.querySelectorAll('text')].flatMap((t) => {
  const lines = t.querySelectorAll('tspan').length ? [...t.querySelectorAll('tspan')] : [t];
  return lines.map((line) => {
    const r = line.getBoundingClientRect();
    const box = line.getBBox();  // in the text's units, as the extents of its characters
    const where = (extent) => (extent.x + extent.width / 2 - box.x) / box.width;  // 0 left, 1 right
    return {
      words: line.textContent, box: [r.left, r.top, r.right, r.bottom],
      first: where(line.getExtentOfChar(0)), last: where(line.getExtentOfChar(line.getNumberOfChars() - 1)),
    };
  });
})"""


def test_in_chromium_each_line_keeps_its_place_and_starts_on_the_right(browser) -> None:
    page = browser.new_page()
    places = {}
    for way in ("ltr", "rtl"):
        root = etree.fromstring(SVG.format(LINES).encode(), safe_parser())
        if way == "rtl":
            assert right_to_left(root)
        page.set_content(f"<body style='margin:0'>{etree.tostring(root, encoding='unicode')}</body>")
        places[way] = page.evaluate(PLACES)
    page.close()
    assert len(places["rtl"]) == len(places["ltr"]) == 6
    for ltr, rtl in zip(places["ltr"], places["rtl"], strict=True):
        # unswapped, a line would move by its whole length; Chromium's box may differ by a few px
        assert max(ltr["box"][2] - ltr["box"][0], ltr["box"][3] - ltr["box"][1]) > 40
        assert all(abs(a - b) < 4 for a, b in zip(ltr["box"], rtl["box"], strict=True)), (ltr, rtl)
        # a number or bracket opening the line, and punctuation closing it, were on the wrong side
        starts, ends = not ltr["words"][0].isalpha(), unicodedata.category(ltr["words"][-1]).startswith("P")
        assert starts or ends
        if starts:
            assert ltr["first"] < 0.2 and rtl["first"] > 0.8, (ltr, rtl)
        if ends:
            assert ltr["last"] > 0.8 and rtl["last"] < 0.2, (ltr, rtl)
