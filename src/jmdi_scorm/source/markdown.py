"""The one Markdown dialect of the course: CommonMark, tables, footnotes and four blocks."""

from __future__ import annotations

import marshal
import pickle
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from markdown_it import MarkdownIt, rules_inline
from markdown_it.common.normalize_url import validateLink
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

#: ``::: name Optional title`` blocks and their default headings (translated in the theme).
CONTAINERS = ("case-study", "takeaway", "definition", "did-you-know")
#: A text with no Markdown syntax: one line of letters, digits, spaces and harmless punctuation,
#: starting with a letter (no list, heading or block marker) and ending without a space; no
#: ``_`` either (``is_plain``). Its HTML is one paragraph with the text unchanged (nothing in it
#: needs escaping).
PLAIN = re.compile(r"[^\W\d_][\w ,.;:?!'()/%-]*(?<! )\n*")
#: Distinct texts a token cache holds before it starts again (a bound for long-lived processes).
MAX_TEXTS = 100_000
#: ``Token.meta`` key of a link or image: where it starts in its inline token's text (``locate_links``).
OFFSET = "jmdi_offset"


def new_parser(
    *, html: bool = False, accept_any_link: bool = False, figures: bool = False, locate_links: bool = False
) -> MarkdownIt:
    """A configured parser; ``accept_any_link`` keeps unsafe links so validation can report them.

    ``figures`` marks an image with a title alone in its paragraph as a figure (see ``mark_figures``);
    ``locate_links`` records where each link and image starts (``OFFSET``), for its line.
    """
    md = MarkdownIt("commonmark", {"html": html, "typographer": False}).enable("table")
    md.use(footnote_plugin)
    md.block.ruler.before(
        "fence", "container", _container_block, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    for name in CONTAINERS:
        md.add_render_rule(f"container_{name}_open", _container_render)
        md.add_render_rule(f"container_{name}_close", _container_render)
    md.block.ruler.before("html_block", "editor_note", _note_block, {"alt": ["reference", "blockquote"]})
    md.inline.ruler.before("html_inline", "editor_note", _note_inline)
    if not html:
        # Both rules return False at once when raw HTML is off, after being tried at every line
        # and every "<": leaving them out makes the same tokens, faster.
        md.disable(["html_block", "html_inline"])
    if accept_any_link:
        md.validateLink = lambda url: True  # type: ignore[method-assign]
    if figures:
        md.core.ruler.push("jmdi_figures", lambda state: mark_figures(state.tokens))
    if locate_links:
        for name in ("link", "image", "autolink"):
            md.inline.ruler.at(name, _located(getattr(rules_inline, name)))
    return md


def _located(rule: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    """``rule`` (an inline rule making links or images) that also records where each one starts.

    Inline tokens have no line of their own: the offset in the inline text (``state.src``, the
    paragraph's lines) gives it, counted from the paragraph's first line (``find_links``).
    """

    def located(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        found = rule(state, silent)
        if found and not silent:
            for token in state.tokens[count:]:
                if token.type in ("link_open", "image") and OFFSET not in token.meta:
                    token.meta[OFFSET] = start
                    break
        return found

    return located


def _note_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """An editor note: lines from one starting ``<!--`` to the one holding ``-->``, left out.

    Like CommonMark's HTML comment block, but never rendered, whether raw HTML is allowed or not.
    A note that is never closed is no note: it stays visible text, so nothing vanishes unseen.
    """
    first = state.bMarks[start] + state.tShift[start]
    if state.sCount[start] - state.blkIndent >= 4 or not state.src.startswith("<!--", first):
        return False
    line, search = start, first + 4
    while line < end:
        if state.src.find("-->", search, state.eMarks[line]) >= 0:
            break
        line += 1
        search = state.bMarks[line] + state.tShift[line] if line < end else 0
    else:
        return False
    if not silent:
        state.line = line + 1
    return True


def _note_inline(state: StateInline, silent: bool) -> bool:
    """An editor note inside a paragraph, ``<!-- ... -->``: skipped (see ``_note_block``)."""
    if not state.src.startswith("<!--", state.pos):
        return False
    close = state.src.find("-->", state.pos + 4, state.posMax)
    if close < 0:
        return False
    state.pos = close + 3
    return True


def _container_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A ``::: name Optional title`` block, ``name`` one of ``CONTAINERS``, up to its closing ``:::``.

    The tokens of ``mdit_py_plugins.container`` (``container_<name>_open``/``_close``, same
    markup, info, map and nesting), made by one rule for every name: the plugin adds a rule per
    name, and each is tried at every line of every paragraph, list and quote.
    """
    if state.is_code_block(start_line):
        return False
    src = state.src
    start = state.bMarks[start_line] + state.tShift[start_line]
    maximum = state.eMarks[start_line]
    if src[start] != ":":
        return False
    pos = _skip_markers(src, start + 1, maximum)
    count = pos - start
    if count < 3:
        return False
    markup, params = src[start:pos], src[pos:maximum]
    name = params.strip().split(" ", 1)[0]
    if name not in CONTAINERS:
        return False
    if silent:
        return True
    next_line, auto_closed = start_line, False
    while True:
        next_line += 1
        if next_line >= end_line:
            break  # an unclosed block ends with the document (or its parent)
        start = state.bMarks[next_line] + state.tShift[next_line]
        maximum = state.eMarks[next_line]
        if start < maximum and state.sCount[next_line] < state.blkIndent:
            break  # a non-empty line indented less ends a list item holding the block
        if src[start] != ":" or state.is_code_block(next_line):
            continue
        pos = _skip_markers(src, start + 1, maximum)
        if pos - start < count:
            continue  # the closing marker is at least as long as the opening one
        pos = state.skipSpaces(pos)
        if pos < maximum:
            continue  # and has nothing but spaces after it
        auto_closed = True
        break
    old_parent, old_line_max = state.parentType, state.lineMax
    state.parentType = "container"
    state.lineMax = next_line  # no lazy continuation past the closing marker
    token = state.push(f"container_{name}_open", "div", 1)
    token.markup, token.block, token.info, token.map = markup, True, params, [start_line, next_line]
    state.md.block.tokenize(state, start_line + 1, next_line)
    token = state.push(f"container_{name}_close", "div", -1)
    token.markup, token.block = src[start:pos], True
    state.parentType, state.lineMax = old_parent, old_line_max
    state.line = next_line + (1 if auto_closed else 0)
    return True


def _skip_markers(src: str, pos: int, maximum: int) -> int:
    """The position after the ``:`` that run from ``pos`` (not past ``maximum``)."""
    end = min(maximum + 1, len(src))
    while pos < end and src[pos] == ":":
        pos += 1
    return pos


def _container_render(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """A block as the container plugin renders it by default: a ``div`` with the name as class
    (the site's renderer replaces this, ``markdown_html``)."""
    token = tokens[idx]
    if token.nesting == 1:
        token.attrJoin("class", token.type.removeprefix("container_").removesuffix("_open"))
    return str(renderer.renderToken(tokens, idx, options, env))


def mark_figures(tokens: list[Token]) -> None:
    """An image with a title alone in its paragraph becomes a figure with a caption."""
    for index in range(len(tokens) - 2):
        opening, inline = tokens[index], tokens[index + 1]
        if opening.type != "paragraph_open" or inline.type != "inline":
            continue
        children = [c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())]
        if len(children) == 1 and children[0].type == "image" and children[0].attrGet("title"):
            children[0].meta["figure"] = True
            inline.children = children
            opening.meta["figure"] = tokens[index + 2].meta["figure"] = True


def is_plain(text: str) -> bool:
    """Whether ``text`` has no Markdown syntax at all (see ``PLAIN``): no parse needed."""
    return PLAIN.fullmatch(text) is not None and "_" not in text


def plain_html(text: str) -> str:
    """The HTML markdown-it makes of a plain text (``is_plain``): one paragraph."""
    body = text.rstrip("\n")
    return f"<p>{body}</p>\n"


@cache
def checking_parser() -> MarkdownIt:
    return new_parser(accept_any_link=True)


@dataclass(frozen=True)
class Parsed:
    """The tokens of one text (read only) and whether markdown-it's link check accepts every link."""

    tokens: tuple[Token, ...]
    links_valid: bool


class TokenCache:
    """Each distinct text parsed once (checks, then the site), with every link kept for the checks.

    The parse records whether markdown-it's default link check (``validateLink``) would have
    refused a link; when none is refused, the site's parser (which does refuse) makes the very
    same tokens, so the site uses these (``Parsed.links_valid``). Figures are marked: the checks
    read links, images and headings, which that leaves alone.
    """

    def __init__(self) -> None:
        self._md = new_parser(accept_any_link=True, figures=True, locate_links=True)
        self._md.validateLink = self._validate  # type: ignore[method-assign]
        self._refused = False
        self._lock = threading.Lock()  # the refusal flag belongs to one parse at a time
        self._parsed: dict[str, Parsed] = {}

    def _validate(self, url: str) -> bool:
        self._refused = self._refused or not validateLink(url)
        return True

    def get(self, text: str) -> Parsed:
        """The tokens of ``text``, parsed on first use."""
        parsed = self._parsed.get(text)
        if parsed is None:
            with self._lock:
                self._refused = False
                parsed = Parsed(tuple(self._md.parse(text)), links_valid=not self._refused)
            if len(self._parsed) >= MAX_TEXTS:
                self._parsed.clear()
            self._parsed[text] = parsed
        return parsed

    def clear(self) -> None:
        """Forget every text."""
        self._parsed.clear()

    def adopt(self, text: str, packed: bytes, links_valid: bool) -> None:
        """Keep the tokens of ``text`` that another process parsed as ``get`` parses it and packed
        (``pack_tokens``; ``early_parse.py``), unless the text is already known."""
        if text not in self._parsed:
            self._parsed[text] = Parsed(unpack_tokens(packed), links_valid)

    def tokens(self, text: str) -> tuple[Token, ...]:
        """The tokens of ``text`` for checks: parsed once however many checks read them (read only)."""
        return self.get(text).tokens


def pack_tokens(tokens: Sequence[Token]) -> bytes:
    """``tokens`` as bytes for another process (``TokenCache.adopt``): nested tuples of their
    fields, in ``marshal``'s format, about ten times faster both ways than pickling the tokens,
    or pickled when a plugin put something else in ``meta``."""
    rows = _rows(tokens)
    try:
        return b"m" + marshal.dumps(rows)
    except ValueError:
        return b"p" + pickle.dumps(rows, pickle.HIGHEST_PROTOCOL)


def unpack_tokens(data: bytes) -> tuple[Token, ...]:
    """The tokens ``pack_tokens`` packed, equal to those it was given."""
    rows = marshal.loads(data[1:]) if data[:1] == b"m" else pickle.loads(data[1:])  # noqa: S301 - our own bytes
    return tuple(_tokens(rows))


def _rows(tokens: Sequence[Token]) -> list[tuple[Any, ...]]:
    return [
        (t.type, t.tag, t.nesting, t.attrs, t.map, t.level, t.content, t.markup, t.info, t.meta, t.block, t.hidden,
         None if t.children is None else _rows(t.children))
        for t in tokens
    ]  # fmt: skip


def _tokens(rows: list[tuple[Any, ...]]) -> list[Token]:
    made = []
    new = object.__new__
    for type_, tag, nesting, attrs, map_, level, content, markup, info, meta, block, hidden, children in rows:
        token = new(Token)  # the fields set as they were: no __post_init__ to run again
        token.type, token.tag, token.nesting, token.attrs, token.map, token.level = (
            type_,
            tag,
            nesting,
            attrs,
            map_,
            level,
        )
        token.content, token.markup, token.info, token.meta, token.block = content, markup, info, meta, block
        token.hidden, token.children = hidden, None if children is None else _tokens(children)
        made.append(token)
    return made


@dataclass(frozen=True)
class LinkRef:
    """A link or image found in Markdown, with its line (0-based inside the text)."""

    kind: str  # "link" or "image"
    target: str
    text: str
    line: int


def find_links(cache: TokenCache, text: str) -> Iterator[LinkRef]:
    """Every link and image of a Markdown text, in order, each at its own line."""
    if is_plain(text):
        return
    for token in cache.tokens(text):
        if token.type != "inline" or not token.children:
            continue
        first = token.map[0] if token.map else 0
        for child in token.children:
            if child.type not in ("link_open", "image"):
                continue
            line = first + token.content.count("\n", 0, child.meta.get(OFFSET, 0))
            if child.type == "link_open":
                yield LinkRef("link", str(child.attrGet("href") or ""), "", line)
            else:
                yield LinkRef("image", str(child.attrGet("src") or ""), child.content.strip(), line)


def empty_header_cells(cache: TokenCache, text: str) -> Iterator[int]:
    """The line of every table header cell with no text (0-based inside the text)."""
    if is_plain(text):
        return
    tokens = cache.tokens(text)
    for index, token in enumerate(tokens):
        if token.type == "th_open" and not tokens[index + 1].content.strip():
            inline = tokens[index + 1]  # header cells have no line of their own; their text has
            yield inline.map[0] if inline.map else 0


def headings(cache: TokenCache, text: str) -> Iterator[tuple[int, str, int]]:
    """(level, text, line) of every heading."""
    if is_plain(text):
        return
    tokens = cache.tokens(text)
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            yield int(token.tag[1]), inline.content, token.map[0] if token.map else 0
