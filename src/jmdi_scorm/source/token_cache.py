"""Markdown parsed once per build: the build's cache of tokens (``BuildContext.tokens``), what the
checks read of them (links, headings, empty table headers), and tokens sent between processes.

The checks and the site parse the same texts; the cache parses each once (``TokenCache.get``),
and keeps what the checks read of each text (``Facts``) so that a text's tokens are walked once
however many checks read it. A large course's topics are parsed in worker processes
(``early_parse.py``), which send back the tokens packed (``pack_tokens``) and their facts: the
build's process never needs the tokens themselves (the checks read the facts), so they stay
packed until a page of the site is rendered from them (``Parsed.tokens``), in the worker that
renders it.
"""

from __future__ import annotations

import marshal
import pickle
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it.common.normalize_url import validateLink
from markdown_it.token import Token

from jmdi_scorm.source.markdown import OFFSET, is_plain, new_parser

#: Distinct texts a token cache holds before it starts again (a bound for long-lived processes).
MAX_TEXTS = 100_000


@dataclass(frozen=True)
class LinkRef:
    """A link or image found in Markdown, with its line (0-based inside the text)."""

    kind: str  # "link" or "image"
    target: str
    text: str
    line: int


@dataclass(frozen=True)
class Facts:
    """What the checks read of one text's tokens, in order: its links and images, the line of each
    empty table header cell, and (level, text, line) of each heading (lines 0-based)."""

    links: tuple[LinkRef, ...]
    empty_header_cells: tuple[int, ...]
    headings: tuple[tuple[int, str, int], ...]


class Parsed:
    """The tokens of one text (read only), whether markdown-it's link check accepts every link,
    and the facts the checks read; tokens received packed from another process are unpacked on
    first use."""

    def __init__(
        self,
        tokens: tuple[Token, ...] | None,
        links_valid: bool,
        packed: bytes | None = None,
        facts: Facts | None = None,
    ) -> None:
        self._tokens, self._packed, self._facts = tokens, packed, facts
        self.links_valid = links_valid

    @property
    def tokens(self) -> tuple[Token, ...]:
        if self._tokens is None:
            assert self._packed is not None
            self._tokens, self._packed = unpack_tokens(self._packed), None
        return self._tokens

    @property
    def facts(self) -> Facts:
        if self._facts is None:
            self._facts = facts_of(self.tokens)
        return self._facts


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
            self._keep(text, parsed)
        return parsed

    def _keep(self, text: str, parsed: Parsed) -> None:
        if len(self._parsed) >= MAX_TEXTS:
            self._parsed.clear()
        self._parsed[text] = parsed

    def clear(self) -> None:
        """Forget every text."""
        self._parsed.clear()

    def adopt(self, text: str, packed: bytes, links_valid: bool, facts: Facts) -> None:
        """Keep what another process made of ``text`` as ``get`` and ``Parsed.facts`` make it: its
        tokens packed (``pack_tokens``), unpacked only if a page is rendered from them here."""
        if text not in self._parsed:
            self._keep(text, Parsed(None, links_valid, packed, facts))

    def tokens(self, text: str) -> tuple[Token, ...]:
        """The tokens of ``text`` for checks: parsed once however many checks read them (read only)."""
        return self.get(text).tokens


def facts_of(tokens: Sequence[Token]) -> Facts:
    """What the checks read of ``tokens`` (see ``Facts``)."""
    links: list[LinkRef] = []
    empty: list[int] = []
    heads: list[tuple[int, str, int]] = []
    for index, token in enumerate(tokens):
        if token.type == "inline" and token.children:
            first = token.map[0] if token.map else 0
            for child in token.children:
                if child.type not in ("link_open", "image"):
                    continue
                line = first + token.content.count("\n", 0, child.meta.get(OFFSET, 0))
                if child.type == "link_open":
                    links.append(LinkRef("link", str(child.attrGet("href") or ""), "", line))
                else:
                    links.append(LinkRef("image", str(child.attrGet("src") or ""), child.content.strip(), line))
        elif token.type == "th_open" and not tokens[index + 1].content.strip():
            inline = tokens[index + 1]  # header cells have no line of their own; their text has
            empty.append(inline.map[0] if inline.map else 0)
        elif token.type == "heading_open":
            inline = tokens[index + 1]
            heads.append((int(token.tag[1]), inline.content, token.map[0] if token.map else 0))
    return Facts(tuple(links), tuple(empty), tuple(heads))


#: What the checks read of a text with no Markdown syntax (``markdown.is_plain``): nothing.
NO_FACTS = Facts((), (), ())


def text_facts(cache: TokenCache, text: str) -> Facts:
    """What the checks read of ``text``: its facts, none for a plain text (not parsed)."""
    return NO_FACTS if is_plain(text) else cache.get(text).facts


def find_links(cache: TokenCache, text: str) -> Iterator[LinkRef]:
    """Every link and image of a Markdown text, in order, each at its own line."""
    if not is_plain(text):
        yield from cache.get(text).facts.links


def empty_header_cells(cache: TokenCache, text: str) -> Iterator[int]:
    """The line of every table header cell with no text (0-based inside the text)."""
    if not is_plain(text):
        yield from cache.get(text).facts.empty_header_cells


def headings(cache: TokenCache, text: str) -> Iterator[tuple[int, str, int]]:
    """(level, text, line) of every heading."""
    if not is_plain(text):
        yield from cache.get(text).facts.headings


# --- tokens between processes -------------------------------------------------------------------


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
