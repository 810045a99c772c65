"""Figure text in a right-to-left language: a right-to-left base direction, each line in its place.

An SVG ``<text>`` is laid out left to right unless it says otherwise, so in an Arabic figure the
punctuation at the ends of a line ("1.", a colon, a bracket) lands on the wrong side.
:func:`right_to_left` gives each ``<text>`` holding right-to-left letters ``direction="rtl"``.
In a right-to-left text, ``text-anchor``'s ``start`` is the right end and ``end`` the left one, so
the anchor the text had — its own, its group's (``text-anchor`` is inherited) or the default
``start`` — is written on it swapped, and so is any ``<tspan>``'s own (``middle`` stays): each line
covers the same stretch of the drawing as before, only its words run from the right. A token
mixing digits and Latin letters ("10.c", :data:`~jmdi_scorm.source.bidi_text.MIXED_TOKEN`) is kept
left to right in a ``<tspan direction="ltr" unicode-bidi="embed">``. Texts without right-to-left
letters, and texts whose direction the drawing already sets, are left as they are. Anchors set
by a ``<style>`` sheet are not seen (the course's figures use presentation attributes).
"""

from __future__ import annotations

from lxml import etree

from jmdi_scorm.source.bidi_text import MIXED_TOKEN, has_rtl_letter

__all__ = ["right_to_left"]

_SVG = "{http://www.w3.org/2000/svg}"
#: ``text-anchor`` values that trade sides with the direction.
SWAPPED = {"start": "end", "end": "start"}


def right_to_left(root: etree._Element) -> bool:
    """Give the texts of the SVG ``root`` that hold right-to-left letters a right-to-left base
    direction, in place, keeping where each line is drawn; True if any text changed."""
    changed = False
    for text in root.iter(f"{_SVG}text"):
        if not has_rtl_letter("".join(text.itertext())) or _inherited(text, "direction") is not None:
            continue
        anchor = _inherited(text, "text-anchor") or "start"
        _declare(text, "direction", "rtl")
        if anchor in SWAPPED:
            _declare(text, "text-anchor", SWAPPED[anchor])
        for inner in text.iterdescendants(etree.Element):
            own = _declared(inner, "text-anchor")
            if own in SWAPPED:
                _declare(inner, "text-anchor", SWAPPED[own])
        _keep_tokens_left_to_right(text)
        changed = True
    return changed


def _declared(element: etree._Element, name: str) -> str | None:
    """``element``'s own value of the presentation property ``name`` (its ``style`` first, as CSS
    ranks it), None when it has none or says ``inherit``."""
    for part in reversed(str(element.get("style", "")).split(";")):
        key, _, value = part.partition(":")
        if key.strip() == name and value.strip():
            return None if value.strip() == "inherit" else value.strip()
    value = element.get(name)
    return None if value is None or value.strip() == "inherit" else value.strip()


def _inherited(element: etree._Element, name: str) -> str | None:
    """The value of ``name`` on ``element`` or the nearest ancestor that declares it."""
    for each in (element, *element.iterancestors()):
        value = _declared(each, name)
        if value is not None:
            return value
    return None


def _declare(element: etree._Element, name: str, value: str) -> None:
    """Set ``name`` on ``element``: in its ``style`` when that declares it (it would win), else as
    a presentation attribute."""
    style = str(element.get("style", ""))
    parts = style.split(";")
    if any(part.partition(":")[0].strip() == name for part in parts):
        kept = [part for part in parts if part.strip() and part.partition(":")[0].strip() != name]
        element.set("style", ";".join([*kept, f"{name}:{value}"]))
    else:
        element.set(name, value)


def _keep_tokens_left_to_right(text: etree._Element) -> None:
    """Wrap each mixed token of ``text``'s words in a left-to-right ``<tspan>``."""
    slots = [(text, "text")]
    for inner in text.iterdescendants():
        if isinstance(inner.tag, str) and _declared(inner, "direction") is None:
            slots.append((inner, "text"))  # not a comment's, nor an author's own direction
        slots.append((inner, "tail"))
    for element, slot in slots:
        value = getattr(element, slot)
        if not value or not MIXED_TOKEN.search(value):
            continue
        pieces = MIXED_TOKEN.split(value)
        tokens = MIXED_TOKEN.findall(value)
        setattr(element, slot, pieces[0])
        parent = element if slot == "text" else element.getparent()
        index = 0 if slot == "text" else parent.index(element) + 1
        for offset, (token, after) in enumerate(zip(tokens, pieces[1:], strict=True)):
            span = etree.SubElement(parent, f"{_SVG}tspan", {"direction": "ltr", "unicode-bidi": "embed"})
            span.text, span.tail = token, after or None
            parent.insert(index + offset, span)  # moved from the end to its place
