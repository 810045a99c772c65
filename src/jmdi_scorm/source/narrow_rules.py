"""The rules of a figure's narrow layout (``NAME.narrow.svg``, ``narrow_layouts``), checked against
its wide figure by ``jmdi-scorm validate`` and ``build``.

- **Same words** (errors): every text of the narrow layout (title, description, labels, as
  ``translation_svg.svg_segments`` reads them) is a text of the wide figure, and every text of the
  wide figure is in the narrow layout. The narrow layout has no translation keys of its own:
  its texts are translated with the wide figure's, by their English, so a text the wide figure
  lacks would stay English in every translation, and one it lacks would be missing on phones.
- **Readable text** (warnings): no text smaller than :data:`MIN_FONT_PX` user units (the font
  size in force, times how much the transforms around it stretch the letters' height), and a
  drawing at most :data:`MAX_WIDTH` wide (its ``viewBox``): drawn wider, it is shrunk on a
  phone and its text with it.

Both files are parsed as ``svg_rules`` parses them (no DTD, entities or network); a file that
cannot be parsed is reported by ``svg_rules`` and skipped here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from lxml import etree

from jmdi_scorm.safexml import doctype_line, safe_parser
from jmdi_scorm.source.translation_svg import SVG_NS, svg_segments

MIN_FONT_PX = 14.0
MAX_WIDTH = 400.0
DEFAULT_FONT_PX = 16.0  # a browser's medium
MAX_SIZE_PROBLEMS = 10  # per file: the first ones locate the problem
_TEXT_TAGS = tuple(f"{{{SVG_NS}}}{tag}" for tag in ("text", "tspan", "textPath"))
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_LENGTH = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(px|pt|pc|mm|cm|in|em|rem|ex|%)?\s*$")
_TRANSFORM = re.compile(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)")
_ABSOLUTE = {"px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0, "rem": DEFAULT_FONT_PX}
_KEYWORDS = {"xx-small": 9.0, "x-small": 10.0, "small": 13.0, "medium": 16.0, "large": 18.0, "x-large": 24.0}
_KEYWORDS.update({"xx-large": 32.0, "xxx-large": 48.0})

Severity = Literal["error", "warning"]
Linear = tuple[float, float, float, float]  # a b c d of an SVG matrix()


@dataclass(frozen=True)
class NarrowProblem:
    """One finding in the narrow layout: its line, the element or attribute, the message."""

    line: int
    field: str
    message: str
    severity: Severity


def layout_problems(wide: bytes, wide_name: str, narrow: bytes, narrow_name: str) -> list[NarrowProblem]:
    """What the narrow layout ``narrow`` breaks of the rules above, against its wide figure ``wide``
    (names relative to the course, for the messages)."""
    root = _root(narrow)
    if root is None or _root(wide) is None:
        return []
    return [*_word_problems(wide, wide_name, narrow, narrow_name, root), *_width_problems(root), *_size_problems(root)]


def _root(data: bytes) -> etree._Element | None:
    if doctype_line(data.upper()):
        return None
    try:
        return etree.fromstring(data, safe_parser())
    except (etree.XMLSyntaxError, ValueError, etree.LxmlError):
        return None


def _word_problems(
    wide: bytes, wide_name: str, narrow: bytes, narrow_name: str, root: etree._Element
) -> list[NarrowProblem]:
    wide_lines: dict[str, int] = {}
    for segment in svg_segments(wide, wide_name):
        wide_lines.setdefault(segment.text, segment.line)
    found: list[NarrowProblem] = []
    seen: set[str] = set()
    for segment in svg_segments(narrow, narrow_name):
        seen.add(segment.text)
        if segment.text not in wide_lines:
            message = (
                f"'{_short(segment.text)}' is not a text of {wide_name}: a narrow layout uses its wide figure's "
                "texts exactly (it is translated with them), so this one would stay untranslated"
            )
            field = segment.key.removeprefix(f"svg/{narrow_name}/")  # "#id" or "text/3"
            found.append(NarrowProblem(segment.line, field, message, "error"))
    for text, line in wide_lines.items():
        if text not in seen:
            message = f"'{_short(text)}' ({wide_name}, line {line}) is missing: a narrow layout shows every text of its wide figure"
            found.append(NarrowProblem(root.sourceline or 1, "text", message, "error"))
    return found


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _width_problems(root: etree._Element) -> list[NarrowProblem]:
    values = [float(v) for v in _NUMBER.findall(root.get("viewBox", ""))]
    line = root.sourceline or 1
    if len(values) == 4 and values[2] > 0:
        width, field = values[2], "viewBox"
    else:
        width, field = _length(root.get("width") or "", 0.0) or 0.0, "width"
    if width <= 0:
        return [NarrowProblem(line, "viewBox", 'a narrow layout states its size: viewBox="0 0 360 H"', "warning")]
    if width > MAX_WIDTH:
        message = (
            f"{width:g} units wide: a narrow layout is at most {MAX_WIDTH:g} wide (360 is usual), "
            "or a phone shrinks it and its text with it"
        )
        return [NarrowProblem(line, field, message, "warning")]
    return []


def _size_problems(root: etree._Element) -> list[NarrowProblem]:
    found: list[NarrowProblem] = []
    for element in root.iter(*_TEXT_TAGS):
        own = bool(element.text and element.text.strip())
        tail = etree.QName(element).localname != "text" and bool(element.tail and element.tail.strip())
        parent = element.getparent()
        for node in [element] * own + ([parent] if tail and parent is not None else []):
            size = font_size(node)
            if size < MIN_FONT_PX - 1e-6:
                message = (
                    f"text at {size:.3g} px: a narrow layout's text is at least {MIN_FONT_PX:g} px "
                    "(font-size in user units, its height after transforms), or it is too small to read on a phone"
                )
                found.append(NarrowProblem(node.sourceline or 1, "font-size", message, "warning"))
        if len(found) >= MAX_SIZE_PROBLEMS:
            break
    return found[:MAX_SIZE_PROBLEMS]


def font_size(node: etree._Element) -> float:
    """The font size of ``node``'s text in the root's user units: the size in force (its own or an
    ancestor's ``font-size``, attribute or ``style``) times how much the transforms around it
    stretch the height of its letters (a text condensed with ``scale(0.8, 1)`` keeps its size)."""
    chain = [node, *node.iterancestors()]
    size = DEFAULT_FONT_PX
    linear: Linear = (1.0, 0.0, 0.0, 1.0)
    for element in reversed(chain):  # from the root down: relative sizes need the parent's
        value = _declared(element, "font-size")
        if value is not None:
            size = _length(value, size) or size
        linear = _multiply(linear, _linear(element.get("transform", "")))
    return size * math.hypot(linear[2], linear[3])  # where the text's "up" (0, 1) is taken


def _declared(element: etree._Element, name: str) -> str | None:
    """``name`` as ``element`` declares it: its ``style`` property wins over the attribute."""
    for part in element.get("style", "").split(";"):
        key, _, value = part.partition(":")
        if key.strip().lower() == name and value.strip():
            return value.strip().removesuffix("!important").strip()
    value = element.get(name)
    return value.strip() if value and value.strip() else None


def _length(value: str, parent: float) -> float | None:
    """A font size or width in px, relative ones of ``parent``; None if not understood."""
    keyword = value.strip().lower()
    if keyword in _KEYWORDS:
        return _KEYWORDS[keyword]
    if keyword in ("smaller", "larger"):
        return parent / 1.2 if keyword == "smaller" else parent * 1.2
    match = _LENGTH.match(value)
    if not match:
        return None
    number, unit = float(match.group(1)), (match.group(2) or "px")
    if unit in ("em", "%"):
        return number * parent / (100.0 if unit == "%" else 1.0)
    if unit == "ex":
        return number * parent / 2
    return number * _ABSOLUTE[unit]


def _linear(value: str) -> Linear:
    """The linear part (a, b, c, d of ``matrix()``) of a ``transform`` attribute; moves do not count."""
    total: Linear = (1.0, 0.0, 0.0, 1.0)
    for kind, args in _TRANSFORM.findall(value):
        n = [float(v) for v in _NUMBER.findall(args)]
        angle = math.radians(n[0]) if n else 0.0
        if kind == "matrix" and len(n) >= 4:
            step: Linear = (n[0], n[1], n[2], n[3])
        elif kind == "scale" and n:
            step = (n[0], 0.0, 0.0, n[1] if len(n) > 1 else n[0])
        elif kind == "rotate":
            step = (math.cos(angle), math.sin(angle), -math.sin(angle), math.cos(angle))
        elif kind in ("skewX", "skewY"):
            step = (1.0, 0.0, math.tan(angle), 1.0) if kind == "skewX" else (1.0, math.tan(angle), 0.0, 1.0)
        else:
            continue
        total = _multiply(total, step)
    return total


def _multiply(m: Linear, n: Linear) -> Linear:
    """``m`` applied after ``n``."""
    a, b, c, d = m
    p, q, r, s = n
    return (a * p + c * q, b * p + d * q, a * r + c * s, b * r + d * s)
