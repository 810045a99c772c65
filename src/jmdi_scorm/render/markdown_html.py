"""Markdown to HTML for the site and the print pages.

The course dialect (``markdown.new_parser``: raw HTML off unless the course sets ``allow_html``,
and then cleaned by ``sanitize.clean_html``) with the site's rewrites:

- a link to a topic file (``../m1/m1-03.md#data``) becomes an in-course link ``#/m1-03/data``
  (in a print page: an anchor in the page when the topic is printed there, else plain text);
- ``glossary:<id>`` becomes a link to the glossary entry ``#/glossary/term-<id>``;
- a link to a course file becomes a link to its copy in the package, opened in a new window;
- external links open in a new window so the launch page (and the LMS session) stays open;
- an image alone in its paragraph with a title becomes ``<figure>`` with ``<figcaption>``; in the
  site, a course image there is a link that opens the figure viewer (runtime/jmdi-viewer.js);
- in the site, an SVG image with a narrow layout beside it (``NAME.narrow.svg``,
  ``source/narrow_layouts.py``) becomes a ``<picture>`` that shows it on narrow screens;
- the four ``:::`` blocks become labelled ``<aside role="note">`` boxes;
- headings get GitHub-style ids; tables scroll horizontally on narrow screens, in a named region.
"""

from __future__ import annotations

import inspect
import io
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import imagesize
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors.index import slugify

from jmdi_scorm.render.bidi import directions
from jmdi_scorm.render.sanitize import clean_html
from jmdi_scorm.source import model
from jmdi_scorm.source.markdown import CONTAINERS, is_plain, new_parser, plain_html
from jmdi_scorm.source.narrow_layouts import NARROW_MEDIA, narrow_of
from jmdi_scorm.source.token_cache import TokenCache

Mode = Literal["site", "print"]
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
EXTERNAL_SCHEMES = ("http", "https", "mailto")


@dataclass
class Context:
    """Where a Markdown text is rendered: its folder, page, output mode and what it uses."""

    base: str  # folder of the source file, relative to the course directory ("." for course.yaml)
    page: str  # page id (ids of boxes and footnotes are made unique with it)
    mode: Mode = "site"
    printed: frozenset[str] = frozenset()  # topics of the print page being rendered
    id_prefix: str = ""  # prefix of heading ids (print pages hold several topics)
    assets: set[str] = field(default_factory=set)  # course files the text uses
    slugs: set[str] = field(default_factory=set)
    counter: list[int] = field(default_factory=lambda: [0])
    links: list[str] = field(default_factory=list)  # stack: "a" or "span" per open link
    tables: int = 0
    columns: list[str] = field(default_factory=list)  # header texts of the table being rendered

    def next_id(self, kind: str) -> str:
        self.counter[0] += 1
        return f"{kind}-{self.page.replace('.', '-')}-{self.counter[0]}"

    @property
    def root(self) -> str:
        """Prefix from the rendered document to the package root."""
        return "../" if self.mode == "print" else ""


class MarkdownRenderer:
    """Renders the Markdown texts of one course (see the module docstring)."""

    def __init__(
        self,
        course: model.Course,
        strings: dict[str, str],
        files: Mapping[str, bytes] | None = None,
        tokens: TokenCache | None = None,
    ):
        """``files``: the course's files by package path (``render.course_files``), for image sizes;
        ``tokens``: the build's parsed Markdown (``BuildContext.tokens``), used when it is the same."""
        self.strings = strings
        self.dirs = directions(course.meta)  # interface words inside course text carry its lang/dir
        self.tokens = tokens
        self.topic_by_source = {topic.source: topic.id for topic in course.topics}
        self.allow_html = course.meta.allow_html
        self.files = files or {}
        self.md = self._parser()
        self._sizes: dict[str, str] = {}
        self._tokens: dict[str, Sequence[Token]] = {}

    def _parser(self) -> MarkdownIt:
        md = new_parser(html=self.allow_html, figures=True)
        rules = {
            "heading_open": _heading_open,
            "heading_close": _heading_close,
            "link_open": self._link_open,
            "link_close": self._link_close,
            "image": self._image,
            "paragraph_open": _paragraph_open,
            "paragraph_close": _paragraph_close,
            "table_open": self._table_open,
            "table_close": _table_close,
            "td_open": self._td_open,
        }
        for name in CONTAINERS:
            rules[f"container_{name}_open"] = self._box_open
            rules[f"container_{name}_close"] = _box_close
        for name, rule in rules.items():
            md.add_render_rule(name, _as_function(rule))
        return md

    def html(self, text: str, ctx: Context) -> str:
        """The HTML of a Markdown text (block content)."""
        env: dict[str, Any] = {"jmdi": ctx, "docId": ctx.next_id("fn")}
        if is_plain(text):
            return self.dirs.runs(plain_html(text))
        tokens = self._parse(text)
        html = str(self.md.renderer.render(tokens, self.md.options, env))
        # Raw HTML exists only in courses that allow it, and is then cleaned (sanitize.py).
        html = clean_html(html) if self.allow_html and _has_raw_html(tokens) else html
        return self.dirs.runs(html)  # "10.c" kept left to right in right-to-left text (bidi.py)

    def _parse(self, text: str) -> Sequence[Token]:
        """Tokens of ``text``: parsing is the costly part and does not depend on the context."""
        tokens = self._tokens.get(text)
        if tokens is None:
            # The checks' parse serves when it is the same as this parser's (token_cache.TokenCache).
            shared = None if self.allow_html or self.tokens is None else self.tokens.get(text)
            tokens = shared.tokens if shared and shared.links_valid else self.md.parse(text, {})
            self._tokens[text] = tokens
        return tokens

    def inline(self, text: str, ctx: Context) -> str:
        """The HTML of a short Markdown text without its paragraph (choices, list items)."""
        html = self.html(text, ctx).strip()
        match = re.fullmatch(r"<p>(.*)</p>", html, re.DOTALL)
        return match.group(1) if match and "<p>" not in match.group(1) else html

    # --- links and images ------------------------------------------------------------------

    def _link_open(self, renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        ctx: Context = env["jmdi"]
        token = tokens[idx]
        href = self._resolve(str(token.attrGet("href") or ""), ctx)
        if href is None:
            ctx.links.append("span")
            return '<span class="jmdi-xref">'
        ctx.links.append("a")
        attrs = {"href": href}
        scheme = SCHEME.match(href)
        if scheme and scheme.group(1).lower() in EXTERNAL_SCHEMES or href.startswith(ctx.root + "assets/"):
            attrs.update({"target": "_blank", "rel": "noopener noreferrer", "class": "jmdi-ext"})
        if href.startswith("#/glossary/"):
            attrs["class"] = "jmdi-term"
        if token.attrGet("title"):
            attrs["title"] = str(token.attrGet("title"))
        return "<a" + "".join(f' {k}="{escape(v)}"' for k, v in attrs.items()) + ">"

    def _link_close(self, renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        ctx: Context = env["jmdi"]
        kind = ctx.links.pop() if ctx.links else "a"
        return "</span>" if kind == "span" else "</a>"

    def _resolve(self, href: str, ctx: Context) -> str | None:
        """The output address of a link, or None to print its text without a link."""
        scheme = SCHEME.match(href)
        if scheme:
            name = scheme.group(1).lower()
            if name == "glossary":
                term = href.split(":", 1)[1]
                return f"#/glossary/term-{term}" if ctx.mode == "site" else None
            return href
        parts = urlsplit(href)
        if not parts.path:
            return f"#{ctx.id_prefix}{parts.fragment}" if ctx.id_prefix and parts.fragment else href
        target = posixpath.normpath(posixpath.join(ctx.base, unquote(parts.path)))
        if target.endswith(".md"):
            return self._topic_link(self.topic_by_source.get(target, ""), unquote(parts.fragment), ctx)
        ctx.assets.add(target)
        return ctx.root + target

    @staticmethod
    def _topic_link(topic: str, fragment: str, ctx: Context) -> str | None:
        if ctx.mode == "site":
            return f"#/{topic}/{fragment}" if fragment else f"#/{topic}"
        if topic in ctx.printed:
            return f"#{topic}--{fragment}" if fragment else f"#{topic}"
        return None

    def _image(self, renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        ctx: Context = env["jmdi"]
        token = tokens[idx]
        src, size, narrow = str(token.attrGet("src") or ""), "", ""
        local = not SCHEME.match(src)
        if local:
            target = posixpath.normpath(posixpath.join(ctx.base, unquote(urlsplit(src).path)))
            ctx.assets.add(target)
            src, size = ctx.root + target, self._size(target)
            narrow = self._narrow(target, ctx)
        alt = renderer.renderInlineAsText(token.children or [], options, env)
        lazy = ' loading="lazy"' if ctx.mode == "site" else ""
        title = str(token.attrGet("title") or "")
        tip = f' title="{escape(title)}"' if title and not token.meta.get("figure") else ""
        img = f'<img src="{escape(src)}" alt="{escape(alt)}"{size}{lazy} decoding="async"{tip}>'
        if narrow:
            img = f"<picture>{narrow}{img}</picture>"
        if token.meta.get("figure"):
            if ctx.mode == "site" and local:
                # The core opens it in the figure viewer (runtime/jmdi-viewer.js); the words under the
                # image say so (the link's name is the alt text and them).
                hint = escape(self.strings["figure_enlarge"])
                img = (
                    f'<a class="jmdi-zoom" href="{escape(src)}" target="_blank" aria-haspopup="dialog">'
                    f"{img}<span{self.dirs.ui_attrs}> {hint}</span></a>"
                )
            return f"{img}<figcaption>{escape(title)}</figcaption>"
        return img

    def _narrow(self, asset: str, ctx: Context) -> str:
        """The ``<source>`` of the narrow layout of the SVG figure ``asset`` (``NAME.narrow.svg``
        beside it, ``narrow_layouts``), shown instead on narrow screens; "" when it has none and in
        print pages, which keep the wide figure."""
        narrow = narrow_of(asset)
        if ctx.mode != "site" or narrow is None or narrow not in self.files:
            return ""
        ctx.assets.add(narrow)
        media = escape(NARROW_MEDIA)
        return f'<source media="{media}" srcset="{escape(ctx.root + narrow)}"{self._size(narrow)}>'

    def _size(self, asset: str) -> str:
        """`` width="…" height="…"`` of a course image whose file states its size, else "".

        The browser then keeps the image's place before it has loaded, so the page does not
        shift under the reader (or under a pointer about to press Next). Only sizes the file
        states are used (an SVG with a viewBox alone keeps the browser's default sizing).
        """
        if asset not in self._sizes:
            try:
                width, height = imagesize.get(io.BytesIO(self.files.get(asset, b"")))
            except ValueError:
                width = height = -1
            ok = width > 0 and height > 0
            self._sizes[asset] = f' width="{round(width)}" height="{round(height)}"' if ok else ""
        return self._sizes[asset]

    def _table_open(self, renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        # A focusable, named region so keyboard users can scroll a wide table (WCAG 2.1.1); its
        # name says it scrolls, and jmdi.css shades the side that has more (issue 15).
        ctx: Context = env["jmdi"]
        if ctx.mode == "print":
            return "<table>\n"
        ctx.tables += 1  # regions need distinct names: "Table 1", "Table 2"...
        label = escape(self.strings["table_scroll"].format(name=f"{self.strings['table']} {ctx.tables}"))
        ctx.columns = []
        for i in range(idx, len(tokens)):
            if tokens[i].type == "thead_close":
                break
            if tokens[i].type == "th_open" and tokens[i + 1].type == "inline":
                ctx.columns.append(renderer.renderInlineAsText(tokens[i + 1].children or [], options, env).strip())
        return f'<div class="jmdi-table" role="region" tabindex="0" aria-label="{label}">\n<table>\n'

    def _td_open(self, renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        """A body cell names its column (``data-label``): on narrow screens each row is a block and
        each cell shows that name above it (jmdi.css); the first cell, the row's title, does not."""
        ctx: Context = env["jmdi"]
        html = str(renderer.renderToken(tokens, idx, options, env))
        column, i = 0, idx - 1
        while i >= 0 and tokens[i].type != "tr_open":
            column += tokens[i].type == "td_open"
            i -= 1
        label = ctx.columns[column] if ctx.mode == "site" and 0 < column < len(ctx.columns) else ""
        return html.replace("<td", f'<td data-label="{escape(label)}"', 1) if label else html

    # --- boxes -----------------------------------------------------------------------------

    def _box_open(self, renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        ctx: Context = env["jmdi"]
        token = tokens[idx]
        name, _, title = token.info.strip().partition(" ")
        label_id = ctx.next_id("box")
        label = escape(self.strings.get(f"box_{name}", name))
        title_html = f' <span class="jmdi-box-name">{escape(title.strip())}</span>' if title.strip() else ""
        return (
            f'<aside class="jmdi-box jmdi-box-{name}" role="note" aria-labelledby="{label_id}">\n'
            f'<p class="jmdi-box-title" id="{label_id}"><span class="jmdi-box-kind"{self.dirs.ui_attrs}>{label}</span>{title_html}</p>\n'
        )


def _has_raw_html(tokens: Sequence[Token]) -> bool:
    return any(
        token.type == "html_block" or any(child.type == "html_inline" for child in token.children or ())
        for token in tokens
    )


def _as_function(rule: Any) -> Any:
    """markdown-it binds render rules to its renderer; wrap bound methods so they receive it too
    (a plain function is bound as it is: no call more per token)."""
    if not inspect.ismethod(rule):
        return rule

    def function(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return str(rule(renderer, tokens, idx, options, env))

    return function


def _box_close(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "</aside>\n"


def _level(token: Token, ctx: Context) -> str:
    # In a print page the h1 is the module and each topic's title an h2: topic headings go down one.
    return f"h{min(int(token.tag[1]) + 1, 6)}" if ctx.mode == "print" else token.tag


def _heading_open(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """A heading with a GitHub-style id, unique in its page (prefixed in print pages)."""
    ctx: Context = env["jmdi"]
    inline = tokens[idx + 1]
    title = "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))
    slug = base = slugify(title) or "section"
    number = 1
    while slug in ctx.slugs:
        slug, number = f"{base}-{number}", number + 1
    ctx.slugs.add(slug)
    return f'<{_level(tokens[idx], ctx)} id="{escape(ctx.id_prefix + slug)}">'


def _heading_close(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return f"</{_level(tokens[idx], env['jmdi'])}>\n"


def _paragraph_open(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    if tokens[idx].meta.get("figure"):
        return '<figure class="jmdi-figure">'
    return str(renderer.renderToken(tokens, idx, options, env))


def _paragraph_close(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    if tokens[idx].meta.get("figure"):
        return "</figure>\n"
    return str(renderer.renderToken(tokens, idx, options, env))


def _table_close(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    ctx: Context = env["jmdi"]
    return "</table>\n" if ctx.mode == "print" else "</table>\n</div>\n"
