"""The texts of course SVG figures as segments, and a figure with its texts translated.

Titles, descriptions and labels (``text``, ``tspan``, ``textPath``) are read; their keys name the
figure and the element's ``id``, or its tag and number (``svg/<file>/#m1cycle-title``,
``svg/<file>/text/7``). A figure's narrow layout ``NAME.narrow.svg`` has no keys of its own: it
takes the translations of its wide figure ``NAME.svg`` (:func:`translate_svg`, :func:`narrow_layouts`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from babel.messages.catalog import Catalog
from lxml import etree

from jmdi_scorm.locale import direction
from jmdi_scorm.safexml import doctype_line, safe_parser
from jmdi_scorm.source.narrow_layouts import wide_of
from jmdi_scorm.source.svg_direction import right_to_left
from jmdi_scorm.source.translation_blocks import plain
from jmdi_scorm.source.translation_catalog import Segment, translation

SVG_NS = "http://www.w3.org/2000/svg"
SVG_TEXT_TAGS = ("title", "desc", "text", "tspan", "textPath")


def _svg_root(data: bytes) -> etree._Element | None:
    if doctype_line(data):
        return None
    try:
        return etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError:
        return None


def _svg_texts(root: etree._Element, name: str) -> Iterator[tuple[str, etree._Element, str]]:
    """(key, element, "text" or "tail") of every text of an SVG worth translating."""
    number = 0
    for element in root.iter(*(f"{{{SVG_NS}}}{tag}" for tag in SVG_TEXT_TAGS)):
        tag = etree.QName(element).localname
        ident = element.get("id")
        base = f"svg/{name}/#{ident}" if ident else f"svg/{name}/{tag}/{number}"
        number += 0 if ident else 1
        if element.text and element.text.strip():
            yield base, element, "text"
        if tag in ("tspan", "textPath") and element.tail and element.tail.strip():
            yield f"{base}/tail", element, "tail"


def svg_segments(data: bytes, name: str) -> list[Segment]:
    """The texts of the SVG file ``name`` (relative to the course): titles, descriptions, labels."""
    root = _svg_root(data)
    if root is None:
        return []
    notes = {"title": "figure title (read aloud)", "desc": "figure description (read aloud)"}
    out = []
    for key, element, part in _svg_texts(root, name):
        tag = etree.QName(element).localname
        value = element.text if part == "text" else element.tail
        note = notes.get(tag, "label in a figure: keep it about as short as the English")
        out.append(Segment(key, plain(value or ""), name, element.sourceline or 1, note))
    return out


def translate_svg(data: bytes, name: str, catalog: Catalog) -> bytes:
    """The SVG file ``name`` with its translated texts (``data`` itself if none is translated).

    A narrow layout ``NAME.narrow.svg`` (``narrow_layouts``) has no keys of its own: each of its
    texts takes the translation of the same English text in its wide figure ``NAME.svg``. In a
    language written right to left, texts in its script are given that base direction, each line
    kept where it was drawn (``svg_direction.right_to_left``).
    """
    root = _svg_root(data)
    if root is None:
        return data
    wide = wide_of(name)
    by_text = _translations_of(catalog, wide) if wide else {}
    changed = False
    for key, element, part in _svg_texts(root, name):
        value = element.text if part == "text" else element.tail
        text = plain(value or "")
        translated = translation(catalog, key, text) or by_text.get(text)
        if translated is None:
            continue
        lead = (value or "")[: len(value or "") - len((value or "").lstrip())]
        trail = (value or "")[len((value or "").rstrip()) :]
        setattr(element, part, lead + translated + trail)
        changed = True
    if not changed:
        return data
    if catalog.locale is not None and direction(str(catalog.locale)) == "rtl":
        right_to_left(root)
    declaration = data.lstrip().startswith(b"<?xml")
    return etree.tostring(root, encoding="utf-8", xml_declaration=declaration) + (
        b"\n" if data.endswith(b"\n") else b""
    )


def _translations_of(catalog: Catalog, name: str) -> dict[str, str]:
    """English text to usable translation of the texts of the SVG file ``name`` in ``catalog``
    (the first, in the catalogue's order, when a text is there twice)."""
    prefix = f"svg/{name}/"
    found: dict[str, str] = {}
    for message in catalog:
        if isinstance(message.context, str) and message.context.startswith(prefix) and isinstance(message.id, str):
            usable = translation(catalog, message.context, message.id)
            if usable is not None:
                found.setdefault(message.id, usable)
    return found


def narrow_layouts(svgs: Iterable[str]) -> set[str]:
    """The narrow layouts among the SVG files ``svgs``: those whose wide figure is there too."""
    names = set(svgs)
    return {name for name in names if wide_of(name) in names}
