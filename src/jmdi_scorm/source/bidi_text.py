"""Characters of bidirectional text: which letters are written right to left, and which tokens
must be kept left to right inside right-to-left text (pages: ``render/bidi.py``; figures:
``source/svg_direction.py``)."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MIXED_TOKEN", "has_rtl_letter"]

#: A token of Latin letters and digits joined by ``.``, ``-``, ``/`` or ``:`` that holds both a
#: letter and a digit: in right-to-left text its digits would take the text's direction and its
#: parts swap sides ("10.c" shown "c.10").
MIXED_TOKEN = re.compile(
    r"(?<![A-Za-z0-9.\-/:])(?=[A-Za-z0-9.\-/:]*[0-9])(?=[A-Za-z0-9.\-/:]*[A-Za-z])"
    r"[A-Za-z0-9]+(?:[.\-/:][A-Za-z0-9]+)+"
)


def has_rtl_letter(text: str) -> bool:
    """True if ``text`` holds a letter of a right-to-left script (Arabic, Hebrew, Syriac…)."""
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)
