"""Raw HTML in course Markdown, for the courses that turn it on (``allow_html: true``).

Raw HTML is off by default: the parser shows it as text. A course that turns it on gets the
HTML of every Markdown text that contains raw HTML cleaned by nh3 (the Rust ``ammonia``
sanitiser) against an allowlist: the markup the renderer itself produces plus a few inline
and block elements authors ask for (``details``, ``kbd``, ``abbr``, ``mark``, definition
lists...). Scripts and styles are removed with their content; event handlers, ``style``
(except ``text-align`` on table cells), forms, frames, objects, SVG and MathML are removed;
URLs keep only ``http``, ``https``, ``mailto`` and relative addresses, so ``javascript:`` and
``data:`` links disappear.
"""

from __future__ import annotations

import nh3

BLOCK = {"p", "div", "section", "aside", "figure", "figcaption", "blockquote", "pre", "hr", "details", "summary"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
LISTS = {"ul", "ol", "li", "dl", "dt", "dd"}
TABLES = {"table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td"}
INLINE = {
    "a", "img", "br", "wbr", "span", "em", "strong", "b", "i", "u", "s", "del", "ins", "mark", "small",
    "sub", "sup", "code", "kbd", "samp", "var", "abbr", "cite", "q", "time", "bdi", "bdo", "ruby", "rt", "rp",
    "picture", "source",  # a figure with a narrow layout (markdown_html.py)
}  # fmt: skip
TAGS = BLOCK | HEADINGS | LISTS | TABLES | INLINE

ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir", "role", "tabindex", "aria-label", "aria-labelledby",
          "aria-describedby", "aria-hidden"},
    "a": {"href", "target", "rel"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "source": {"media", "srcset", "width", "height"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "td": {"colspan", "rowspan", "style"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "time": {"datetime"},
    "details": {"open"},
    "blockquote": {"cite"},
    "q": {"cite"},
}  # fmt: skip
URL_SCHEMES = {"http", "https", "mailto"}
RESERVED_ID_PREFIX = "jmdi-"  # ids of the launch page (#jmdi-page, #jmdi-config...): never shadowed


def _attribute(tag: str, name: str, value: str) -> str | None:
    if name == "id" and value.lower().startswith(RESERVED_ID_PREFIX):
        return None
    if name == "target" and value != "_blank":
        return None
    return value


def clean_html(fragment: str) -> str:
    """``fragment`` with everything outside the allowlist removed (see the module docstring)."""
    return nh3.clean(
        fragment,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        attribute_filter=_attribute,
        url_schemes=URL_SCHEMES,
        filter_style_properties={"text-align"},
        link_rel=None,  # external links already carry rel="noopener noreferrer" (mdhtml.py)
        strip_comments=True,
    )
