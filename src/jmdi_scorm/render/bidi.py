"""The languages and writing directions of a page: the interface's and the course content's.

A course is written in one language (``course.yaml`` ``language``) and may show its interface in
another (``interface_language``). The page's ``<html lang dir>`` is the interface's; every container
of course text carries the content's ``lang`` and ``dir`` when they differ (``content_attrs``), and
interface words inside course text carry the interface's (``ui_attrs``). Course text inside an
interface sentence ("Printed from <title>") is isolated (``inline``) so its punctuation stays with
it, and in right-to-left content a token mixing digits and Latin letters ("10.c", "COVID-19") is
kept left to right (``isolate_runs``). A build whose interface and content are one left-to-right
language gets none of this: its pages are those of a build without it (docs/translating.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from markupsafe import Markup, escape

from jmdi_scorm.locale import direction
from jmdi_scorm.source import model
from jmdi_scorm.source.bidi_text import MIXED_TOKEN

__all__ = ["Directions", "directions", "isolate_runs"]

#: Tags and text of an HTML fragment; attribute values are escaped (no ``>`` inside a tag).
PIECES = re.compile(r"(<[^>]*>)")
#: Elements whose text is left as it is: no markup allowed inside, code, or already isolated.
SKIPPED = frozenset({"script", "style", "title", "option", "textarea", "code", "pre", "svg", "bdi"})
TAG_NAME = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")


def isolate_runs(html: str) -> str:
    """``html`` with each mixed token of its text (:data:`MIXED_TOKEN`) in ``<bdi dir="ltr">``.

    Text inside :data:`SKIPPED` elements and inside tags is not touched; running it again changes
    nothing (what it wrapped is inside ``<bdi>``).
    """
    out: list[str] = []
    depth = 0  # open SKIPPED elements around the text
    for piece in PIECES.split(html):
        if piece.startswith("<"):
            tag = TAG_NAME.match(piece)
            if tag and tag.group(2).lower() in SKIPPED and not piece.endswith("/>"):
                depth += -1 if tag.group(1) else 1
                depth = max(depth, 0)
            out.append(piece)
        elif depth or not piece:
            out.append(piece)
        else:
            out.append(MIXED_TOKEN.sub(r'<bdi dir="ltr">\g<0></bdi>', piece))
    return "".join(out)


@dataclass(frozen=True)
class Directions:
    """The interface's and the content's language and direction for one course's pages."""

    ui: str
    content: str

    @cached_property
    def ui_dir(self) -> str:
        return direction(self.ui)

    @cached_property
    def content_dir(self) -> str:
        return direction(self.content)

    @property
    def mixed(self) -> bool:
        """Interface and content in two languages: content containers say which is theirs."""
        return self.ui != self.content

    @property
    def bidi(self) -> bool:
        """Pages that need isolation: two languages, or a right-to-left one."""
        return self.mixed or "rtl" in (self.ui_dir, self.content_dir)

    @property
    def content_attrs(self) -> Markup:
        """`` lang=… dir=…`` for a container of course text; "" when it is the interface's language."""
        return Markup(' lang="{}" dir="{}"').format(self.content, self.content_dir) if self.mixed else Markup("")

    @property
    def ui_attrs(self) -> Markup:
        """`` lang=… dir=…`` for interface words inside course text; "" when it is the content's language."""
        return Markup(' lang="{}" dir="{}"').format(self.ui, self.ui_dir) if self.mixed else Markup("")

    def inline(self, text: object) -> Markup:
        """Course text inside an interface line, isolated: ``<span lang dir>`` in another language,
        ``<bdi>`` on a right-to-left page, the text alone otherwise."""
        if self.mixed:
            return Markup("<span{}>{}</span>").format(self.content_attrs, text)
        if self.bidi:
            return Markup("<bdi>{}</bdi>").format(text)
        return escape(text)

    def span(self, text: object) -> Markup:
        """A course title alone in a piece of interface (a link of the contents, a card): in a
        ``<span lang dir>`` when it is in another language than the interface."""
        return Markup("<span{}>{}</span>").format(self.content_attrs, text) if self.mixed else escape(text)

    def container(self, html: Markup) -> Markup:
        """Rendered course text (Markdown) inside interface markup: in a ``<div lang dir>`` when
        it is in another language."""
        return Markup("<div{}>{}</div>").format(self.content_attrs, html) if self.mixed else html

    def block(self, html: str) -> str:
        """An HTML fragment of course text to be shown inside interface text (question feedback
        the runtime writes): in a ``<div>`` of the content's language when it is another."""
        return f"<div{self.content_attrs}>{html}</div>" if self.mixed and html else html

    def runs(self, html: str) -> str:
        """``html`` with its mixed tokens isolated when the content is right to left."""
        return isolate_runs(html) if self.content_dir == "rtl" else html


def directions(meta: model.CourseFile) -> Directions:
    """The directions of a course's pages, from ``course.yaml``."""
    return Directions(ui=meta.interface, content=meta.language)
