"""Narrow layouts of SVG figures: ``NAME.narrow.svg`` beside ``NAME.svg`` (issue 15).

A figure drawn for wide screens has text too small to read once shrunk into a phone's column.
Its author may draw the same figure for narrow screens and save it beside the wide file with
``.narrow`` before ``.svg``; nothing in the Markdown names it. The check stage lists it with the
course's files (``rules.course_assets``) and checks it (``narrow_rules``), the site shows it on
narrow screens (``render/markdown_html.py``: a ``<picture>``), and its words are translated with
the wide figure's translations (``translation_svg.translate_svg``): it has no keys of its own.
"""

from __future__ import annotations

NARROW_SUFFIX = ".narrow.svg"
SVG_SUFFIX = ".svg"
#: The widths at which a page shows the narrow layout (CSS media query, the same as jmdi.css's
#: narrow-screen rules: 640 px at the default text size).
NARROW_MEDIA = "(max-width: 40em)"


def is_narrow(name: str) -> bool:
    """Whether the file ``name`` is named as a narrow layout (``NAME.narrow.svg``)."""
    return name.lower().endswith(NARROW_SUFFIX) and len(name) > len(NARROW_SUFFIX)


def narrow_of(name: str) -> str | None:
    """The name the narrow layout of the SVG file ``name`` would have, or None (not an SVG, or a
    narrow layout itself)."""
    if not name.lower().endswith(SVG_SUFFIX) or is_narrow(name):
        return None
    return name[: -len(SVG_SUFFIX)] + NARROW_SUFFIX


def wide_of(name: str) -> str | None:
    """The wide figure whose narrow layout ``name`` would be, or None (not named as one)."""
    return name[: -len(NARROW_SUFFIX)] + SVG_SUFFIX if is_narrow(name) else None
