"""XML parsing that never expands or fetches entities, shared by ``check`` and ``svgcheck``.

Neither a package descriptor nor a course SVG needs a DOCTYPE, and it is where billion-laughs and
external-entity attacks live: callers refuse one found by ``doctype_line`` before parsing, and the
parser is configured so that, were one to slip through, entities are neither expanded nor fetched.
"""

from __future__ import annotations

from lxml import etree

_MARKERS = ("<!DOCTYPE", "<!ENTITY")
_ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=False,
    )


def doctype_line(data: bytes) -> int:
    """1-based line of a DOCTYPE or ENTITY declaration in ``data`` (any common encoding), 0 if none."""
    for encoding in _ENCODINGS:
        newline = "\n".encode(encoding)
        for marker in _MARKERS:
            at = data.find(marker.encode(encoding))
            if at >= 0:
                return data.count(newline, 0, at) + 1
    return 0
