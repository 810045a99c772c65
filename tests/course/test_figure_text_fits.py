"""Every line of text of every SVG figure of the JMDI course, wide and narrow, in every language
as the build translates it, fits where it is drawn (measured in Chromium).

A translation longer than the English can run past its box or off the image. Each figure is
translated the way the build does (``translated_asset``: the catalogue's words, and a right-to-left
base direction for Arabic), laid inline in a page, and each of its lines — a ``<text>``, or each
``<tspan>`` of it that starts a line of its own (``x``, ``y`` or ``dy``) — is measured as drawn:
its extent along the line from ``getBBox`` in the text's own units (``textLength`` included), from
:data:`ASCENT` above its baseline to :data:`DESCENT` below, taken to the figure's units by the
text's transform (``getScreenCTM``) (so ``scale(sx, 1)`` and rotation count). Each line must

- lie inside the ``viewBox``;
- not overlap another line;
- lie inside the smallest ``<rect>`` that holds its anchor point (its ``x`` and baseline), if
  one does (the background, which covers the whole figure, is no box).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from lxml import etree

from jmdi_scorm.safexml import safe_parser
from jmdi_scorm.source.translation_files import read_catalog, translated_asset

COURSE = Path(__file__).resolve().parents[2] / "course"
FIGURES = sorted((COURSE / "assets" / "figures").glob("*.svg"))
LANGUAGES = ("en", *sorted(path.stem for path in (COURSE / "locale").glob("*.po")))
#: How far, in the figure's px, a line may reach past its box or into another line.
TOLERANCE = 2.0
#: A line's height, in em above and below its baseline: about where its letters reach, whatever
#: the font's own ascent and descent (the box Chromium gives a line of Arabic is taller).
ASCENT, DESCENT = 0.8, 0.25

MEASURE = """
([tolerance, ascent, descent]) => [...document.querySelectorAll('svg')].map((svg) => {
  const view = svg.viewBox.baseVal;
  const toRoot = svg.getScreenCTM().inverse();
  const ctm = (element) => toRoot.multiply(element.getScreenCTM());  // to the figure's units
  const corners = (rect, matrix) => [
    [rect.x, rect.y], [rect.x + rect.width, rect.y],
    [rect.x, rect.y + rect.height], [rect.x + rect.width, rect.y + rect.height],
  ].map(([x, y]) => new DOMPoint(x, y).matrixTransform(matrix));
  const box = (points) => ({
    x1: Math.min(...points.map((p) => p.x)), x2: Math.max(...points.map((p) => p.x)),
    y1: Math.min(...points.map((p) => p.y)), y2: Math.max(...points.map((p) => p.y)),
  });
  const hidden = 'defs, marker, symbol, clipPath, mask, pattern';
  const boxes = [...svg.querySelectorAll('rect')].filter((r) => !r.closest(hidden)).map((r) => {
    const b = box(corners(r.getBBox(), ctm(r)));
    return {...b, area: (b.x2 - b.x1) * (b.y2 - b.y1)};
  }).filter((b) => b.x2 - b.x1 < view.width - 1 || b.y2 - b.y1 < view.height - 1);
  const lines = [];
  for (const text of svg.querySelectorAll('text')) {
    if (text.closest(hidden)) continue;
    const starts = [...text.querySelectorAll('tspan')].filter(
      (t) => ['x', 'y', 'dy'].some((name) => t.hasAttribute(name)));
    const parts = starts.length ? starts : [text];
    if (starts.length && [...text.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
      lines.push({text: text.textContent.trim(), problem: 'text outside its positioned lines'});
    for (const part of parts) {
      const words = part.textContent.trim();
      if (!words || !part.getNumberOfChars()) continue;
      const start = part.getStartPositionOfChar(0);
      const size = parseFloat(getComputedStyle(part).fontSize);
      const local = part.getBBox();  // in the text's own units: its transform comes next
      const drawn = {x: local.x, width: local.width, y: start.y - ascent * size, height: (ascent + descent) * size};
      const ownX = part.x.baseVal.length ? part.x.baseVal[0].value
        : text.x.baseVal.length ? text.x.baseVal[0].value : 0;
      const anchor = new DOMPoint(ownX, start.y).matrixTransform(ctm(text));
      lines.push({text: words, box: box(corners(drawn, ctm(text))), anchor: {x: anchor.x, y: anchor.y}});
    }
  }
  const problems = [];
  const at = (b) => `x ${b.x1.toFixed(0)}..${b.x2.toFixed(0)}, y ${b.y1.toFixed(0)}..${b.y2.toFixed(0)}`;
  for (const line of lines) {
    if (line.problem) { problems.push(`${line.problem}: ${line.text}`); continue; }
    const b = line.box;
    if (b.x1 < view.x || b.y1 < view.y || b.x2 > view.x + view.width || b.y2 > view.y + view.height)
      problems.push(`outside the ${view.width}x${view.height} image (${at(b)}): ${line.text}`);
    const holders = boxes.filter((r) => r.x1 <= line.anchor.x && line.anchor.x <= r.x2
      && r.y1 <= line.anchor.y && line.anchor.y <= r.y2).sort((p, q) => p.area - q.area);
    const rect = holders[0];
    if (rect && (b.x1 < rect.x1 - tolerance || b.x2 > rect.x2 + tolerance
        || b.y1 < rect.y1 - tolerance || b.y2 > rect.y2 + tolerance))
      problems.push(`outside its box (${at(rect)}) at ${at(b)}: ${line.text}`);
  }
  const measured = lines.filter((line) => line.box);
  for (let i = 0; i < measured.length; i++) {
    for (let j = i + 1; j < measured.length; j++) {
      const p = measured[i].box, q = measured[j].box;
      const across = Math.min(p.x2, q.x2) - Math.max(p.x1, q.x1);
      const down = Math.min(p.y2, q.y2) - Math.max(p.y1, q.y1);
      if (across > tolerance && down > tolerance)
        problems.push(`overlaps "${measured[j].text}" by ${across.toFixed(0)}x${down.toFixed(0)}: ${measured[i].text}`);
    }
  }
  return {lines: measured.length, problems};
})
"""


@cache
def _catalog(language: str) -> Catalog:
    return read_catalog(COURSE / "locale" / f"{language}.po", language)


def _translated(figure: Path, language: str) -> str:
    """The figure's SVG as the build ships it in ``language``."""
    data = figure.read_bytes()
    if language != "en":
        data = translated_asset(f"assets/figures/{figure.name}", data, _catalog(language))
    return data.decode().split("?>", 1)[-1] if data.lstrip().startswith(b"<?xml") else data.decode()


def _lines(svg: str) -> int:
    """How many lines of text the SVG draws: a ``<text>``, or each positioned ``<tspan>`` of it."""
    root = etree.fromstring(svg.encode(), safe_parser())
    count = 0
    for text in root.iter("{http://www.w3.org/2000/svg}text"):
        starts = [t for t in text.iter("{http://www.w3.org/2000/svg}tspan") if {"x", "y", "dy"} & set(t.attrib)]
        count += len(starts) or 1
    return count


#: A figure with one line of each fault, and one that fits: the measure must find the three.
FAULTS = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100" font-size="14" font-family="sans-serif">'
    '<rect width="200" height="100" fill="#fff"/><rect x="10" y="10" width="80" height="30"/>'
    '<text x="20" y="30">far too long for its box</text>'
    '<text x="20" y="70">fits</text><text x="20" y="76">overlaps</text>'
    '<text transform="translate(190 70) rotate(-90)" text-anchor="middle">off the bottom edge</text></svg>'
)


@pytest.mark.slow
def test_every_figure_line_fits_in_every_language(browser) -> None:
    assert len(FIGURES) == 26 and {"fr", "es", "ar"} <= set(LANGUAGES)
    page = browser.new_page()
    problems: list[str] = []
    try:
        page.set_content(f"<!doctype html><html><body>{FAULTS}</body></html>")
        [faults] = page.evaluate(MEASURE, [TOLERANCE, ASCENT, DESCENT])
        assert faults["lines"] == 4 and [p.split(" ", 1)[0] for p in faults["problems"]] == [
            "outside",  # its box
            "outside",  # the image
            "overlaps",
        ], faults
        for language in LANGUAGES:
            svgs = [_translated(figure, language) for figure in FIGURES]
            page.set_content(f'<!doctype html><html lang="{language}"><body>{"".join(svgs)}</body></html>')
            results = page.evaluate(MEASURE, [TOLERANCE, ASCENT, DESCENT])
            for figure, svg, result in zip(FIGURES, svgs, results, strict=True):
                assert result["lines"] == _lines(svg), figure.name  # every line was measured
                problems.extend(f"{language} {figure.name}: {problem}" for problem in result["problems"])
    finally:
        page.close()
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)
