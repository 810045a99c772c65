"""Text of SVG figures as HTML text laid over the drawing, for the module PDFs.

WeasyPrint draws the ``<text>`` of an SVG image one character at a time, left to right: Arabic
(and any script whose letters join or reorder) comes out as isolated letters in the wrong order.
Its HTML text, by contrast, goes through Pango and HarfBuzz: shaped, bidirectional, and written to
the PDF with a Unicode map in logical order. So before a print page is rendered,
:func:`overlay_figures` replaces each ``<img>`` of a site SVG whose text needs shaping with

- the same drawing, its texts removed (a ``data:`` URI: no other file is read);
- each text chunk as an absolutely positioned HTML ``<span>`` at the point where the SVG would
  anchor it (``text-anchor``, ``transform`` of the text and its groups, ``x``/``y``/``dy`` of
  ``<tspan>`` lines), with the SVG's font size, weight, style, fill and direction (a right-to-left
  line, ``source/svg_direction.py``, stays right to left; a token it keeps left to right too), its
  generic ``sans-serif`` named as the pages name it (:data:`SANS_SERIF`).

The overlay has a fixed width: the image's own width, or the width of the print page's text
column when the image is wider (it is then scaled down, as the ``<img>`` was, and so are the
font sizes). Figures in Latin, Greek or Cyrillic text are left as they are, so the PDFs of those
languages do not change. The same page and figures give the same HTML, byte for byte.
"""

from __future__ import annotations

import base64
import math
import posixpath
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree
from markupsafe import escape

from jmdi_scorm.safexml import doctype_line, safe_parser

SVG = "{http://www.w3.org/2000/svg}"
#: The width of the print page's text column, in CSS px: A4 (210 mm) less the 18 mm left and
#: right margins of ``@page`` in jmdi-print.css. A wider figure is scaled down to it.
COLUMN_PX = (210 - 2 * 18) * 96 / 25.4
#: Where the baseline of a line of ``line-height: 1`` text lies below its top, in em: the
#: ascent of Noto Sans (the ``sans-serif`` of the setup script), less its half-leading.
BASELINE_EM = 0.89
#: The generic ``sans-serif`` of a figure, as the pages name it (jmdi.css): the fonts a browser
#: shows with the setup script's fonts. Left generic, Pango would take fontconfig's first font
#: for Arabic, DejaVu Sans, whose wider letters ran past the figures' boxes.
SANS_SERIF = '"Noto Sans", "Noto Sans Arabic", sans-serif'
_INHERITED = ("font-size", "font-weight", "font-style", "font-family", "fill", "text-anchor", "direction")
_IMG = re.compile(r"<img\b[^>]*>")
_ATTR = re.compile(r'([a-zA-Z-]+)="([^"]*)"')
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_TRANSFORM = re.compile(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)")

Matrix = tuple[float, float, float, float, float, float]  # a b c d e f, as SVG's matrix()
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def needs_shaping(text: str) -> bool:
    """True if ``text`` has a right-to-left letter or a combining mark: what WeasyPrint's
    letter-by-letter SVG text cannot draw."""
    return any(
        unicodedata.bidirectional(char) in ("R", "AL") or unicodedata.category(char) in ("Mn", "Mc") for char in text
    )


@dataclass
class _Run:
    text: str
    style: dict[str, str]
    bidi: str = ""  # CSS of a run the SVG sets apart in a direction of its own


@dataclass
class _Chunk:
    """One line of an SVG text: where it is anchored and its runs."""

    x: float
    y: float
    matrix: Matrix
    style: dict[str, str]
    runs: list[_Run] = field(default_factory=list)


def overlay_figures(html: str, page: str, files: Mapping[str, bytes]) -> tuple[str, list[str]]:
    """``html`` (the print page ``page``) with its SVG figures whose text needs shaping laid out
    as HTML text, and the site files those figures came from."""
    used: list[str] = []

    def replace(match: re.Match[str]) -> str:
        attrs = dict(_ATTR.findall(match.group(0)))
        src = attrs.get("src", "")
        if not src.lower().endswith(".svg") or ":" in src:
            return match.group(0)
        name = posixpath.normpath(posixpath.join(posixpath.dirname(page), src))
        data = files.get(name)
        overlay = _overlay(data, attrs) if data is not None else None
        if overlay is None:
            return match.group(0)
        used.append(name)
        return overlay

    return _IMG.sub(replace, html), used


def _overlay(data: bytes, attrs: Mapping[str, str]) -> str | None:
    if doctype_line(data):
        return None
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError:
        return None
    texts = [node for node in root.iter(f"{SVG}text")]
    if not any(needs_shaping("".join(node.itertext())) for node in texts):
        return None
    box = _view_box(root)
    if box is None:
        return None
    min_x, min_y, view_w, view_h = box
    width = _number(attrs.get("width")) or _number(root.get("width")) or view_w
    shown = min(width, COLUMN_PX)
    scale = shown / view_w
    spans = []
    for node in texts:
        for chunk in _chunks(node):
            spans.append(_span(chunk, min_x, min_y, view_w, view_h, scale))
        parent = node.getparent()
        if parent is not None:
            parent.remove(node)
    drawing = base64.b64encode(etree.tostring(root, encoding="utf-8", xml_declaration=False)).decode()
    height = shown * view_h / view_w
    alt = escape(attrs.get("alt", ""))
    return (
        f'<span class="jmdi-figure-text" style="display:block;position:relative;direction:ltr;'
        f'width:{_px(shown)};height:{_px(height)};margin-inline:auto">'
        f'<img src="data:image/svg+xml;base64,{drawing}" alt="{alt}" '
        f'style="display:block;width:{_px(shown)};height:{_px(height)};max-inline-size:none">'
        f"{''.join(spans)}</span>"
    )


def _view_box(root: etree._Element) -> tuple[float, float, float, float] | None:
    values = [float(v) for v in _NUMBER.findall(root.get("viewBox", ""))]
    if len(values) == 4 and values[2] > 0 and values[3] > 0:
        return values[0], values[1], values[2], values[3]
    width, height = _number(root.get("width")), _number(root.get("height"))
    return (0.0, 0.0, width, height) if width and height else None


def _chunks(node: etree._Element) -> list[_Chunk]:
    """The lines of a ``<text>``: a new one at each ``<tspan>`` with its own ``x``, ``y`` or ``dy``."""
    style = _style(node)
    matrix = _matrix(node)
    x = _first(node.get("x")) + _first(node.get("dx"))
    y = _first(node.get("y")) + _first(node.get("dy"))
    chunk = _Chunk(x, y, matrix, style)
    chunks = [chunk]
    if node.text:
        chunk.runs.append(_Run(node.text, style))
    for child in node:
        if child.tag == f"{SVG}tspan":
            child_style = _style(child)
            if any(child.get(name) is not None for name in ("x", "y", "dy")):
                x = _first(child.get("x")) if child.get("x") is not None else chunk.x
                y = _first(child.get("y")) if child.get("y") is not None else chunk.y
                y += _first(child.get("dy"))
                chunk = _Chunk(x + _first(child.get("dx")), y, matrix, child_style)
                chunks.append(chunk)
            chunk.runs.extend(_runs(child))
        if child.tail:
            chunk.runs.append(_Run(child.tail, style))
    for each in chunks:
        each.runs = [run for run in each.runs if run.text.strip()]
    return [each for each in chunks if each.runs]


def _runs(element: etree._Element) -> list[_Run]:
    """The runs of an inline element of a line: its words and its children's, each in its own
    style; one that declares a direction and ``unicode-bidi`` ("10.c" kept left to right in a
    right-to-left line, ``source/svg_direction.py``) stays one run, set apart the same way."""
    style = _style(element)
    bidi, way = element.get("unicode-bidi"), element.get("direction")
    if bidi in ("embed", "isolate", "bidi-override", "isolate-override") and way in ("ltr", "rtl"):
        return [_Run("".join(element.itertext()), style, f"direction:{way};unicode-bidi:{bidi}")]
    runs = [_Run(element.text, style)] if element.text else []
    for child in element:
        if isinstance(child.tag, str):
            runs.extend(_runs(child))
        if child.tail:
            runs.append(_Run(child.tail, style))
    return runs


def _style(node: etree._Element) -> dict[str, str]:
    """The presentation attributes of ``node`` and its ancestors (the nearest wins)."""
    style: dict[str, str] = {}
    for element in [node, *node.iterancestors()]:
        declared = dict(element.attrib)
        for part in element.get("style", "").split(";"):
            name, _, value = part.partition(":")
            if value.strip():
                declared[name.strip()] = value.strip()
        for name in _INHERITED:
            if name not in style and declared.get(name):
                style[name] = declared[name]
    return style


def _matrix(node: etree._Element) -> Matrix:
    """The transform from ``node``'s coordinates to the root's."""
    total = _IDENTITY
    for element in [node, *node.iterancestors()]:
        total = _multiply(_parse_transform(element.get("transform", "")), total)
    return total


def _parse_transform(value: str) -> Matrix:
    total = _IDENTITY
    for kind, args in _TRANSFORM.findall(value):
        n = [float(v) for v in _NUMBER.findall(args)] + [0.0] * 6
        if kind == "matrix":
            step: Matrix = (n[0], n[1], n[2], n[3], n[4], n[5])
        elif kind == "translate":
            step = (1.0, 0.0, 0.0, 1.0, n[0], n[1])
        elif kind == "scale":
            sy = n[1] if len(_NUMBER.findall(args)) > 1 else n[0]
            step = (n[0], 0.0, 0.0, sy, 0.0, 0.0)
        elif kind == "rotate":
            a = math.radians(n[0])
            cos, sin = math.cos(a), math.sin(a)
            cx, cy = n[1], n[2]
            step = (cos, sin, -sin, cos, cx - cos * cx + sin * cy, cy - sin * cx - cos * cy)
        else:
            t = math.tan(math.radians(n[0]))
            step = (1.0, 0.0, t, 1.0, 0.0, 0.0) if kind == "skewX" else (1.0, t, 0.0, 1.0, 0.0, 0.0)
        total = _multiply(total, step)
    return total


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """``m`` applied after ``n``."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + c * q, b * p + d * q, a * r + c * s, b * r + d * s, a * t + c * u + e, b * t + d * u + f)


def _span(chunk: _Chunk, min_x: float, min_y: float, view_w: float, view_h: float, scale: float) -> str:
    a, b, c, d, e, f = chunk.matrix
    x = a * chunk.x + c * chunk.y + e
    y = b * chunk.x + d * chunk.y + f
    stretch = math.hypot(a, b) or 1.0
    angle = math.degrees(math.atan2(b, a))
    size = (_number(chunk.style.get("font-size")) or 16.0) * stretch * scale
    reach = view_w * scale * 2  # room for the line on the side(s) it grows to
    anchor = chunk.style.get("text-anchor", "start")
    if chunk.style.get("direction") == "rtl":
        anchor = {"start": "end", "end": "start"}.get(anchor, anchor)
    left, align = {"middle": (-reach / 2, "center"), "end": (-reach, "right")}.get(anchor, (0.0, "left"))
    point = (
        f"position:absolute;left:{_pct((x - min_x) / view_w)};top:{_pct((y - min_y) / view_h)};"
        f"width:0;height:0{';transform:rotate(' + _num(angle) + 'deg)' if abs(angle) > 1e-6 else ''}"
    )
    way = chunk.style.get("direction")
    line = (
        f"position:absolute;left:{_px(left)};top:{_px(-BASELINE_EM * size)};width:{_px(reach)};"
        f"text-align:{align};white-space:nowrap;line-height:1;font-size:{_px(size)};"
        f"{'direction:' + way + ';' if way in ('ltr', 'rtl') else ''}{_font(chunk.style)}"
    )
    runs = "".join(
        f'<span style="{_font(run.style)}{";" + run.bidi if run.bidi else ""}">{escape(run.text)}</span>'
        for run in chunk.runs
    )
    return f'<span style="{point}"><span style="{line}">{runs}</span></span>'


def _font(style: Mapping[str, str]) -> str:
    family = style.get("font-family", "sans-serif")
    parts = [f"font-family:{SANS_SERIF if family.strip() == 'sans-serif' else family}"]
    weight = style.get("font-weight", "normal")
    parts.append(f"font-weight:{weight}")
    parts.append(f"font-style:{style.get('font-style', 'normal')}")
    fill = style.get("fill", "#000000")
    parts.append(f"color:{'transparent' if fill == 'none' else fill}")
    return escape(";".join(parts))


def _first(value: str | None) -> float:
    numbers = _NUMBER.findall(value or "")
    return float(numbers[0]) if numbers else 0.0


def _number(value: str | None) -> float:
    if not value or value.strip().endswith("%"):
        return 0.0
    return _first(value)


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _px(value: float) -> str:
    return f"{_num(value)}px"


def _pct(value: float) -> str:
    return f"{_num(value * 100)}%"
