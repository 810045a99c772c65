"""The one Markdown dialect of the course: CommonMark, tables, footnotes and four blocks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

#: ``::: name Optional title`` blocks and their default headings (translated in the theme).
CONTAINERS = ("case-study", "takeaway", "definition", "did-you-know")


def new_parser(*, html: bool = False, accept_any_link: bool = False) -> MarkdownIt:
    """A configured parser; ``accept_any_link`` keeps unsafe links so validation can report them."""
    md = MarkdownIt("commonmark", {"html": html, "typographer": False}).enable("table")
    md.use(footnote_plugin)
    for name in CONTAINERS:
        md.use(container_plugin, name, validate=_container_validator(name))
    if accept_any_link:
        md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def _container_validator(name: str):
    def validate(params: str, *args: object) -> bool:
        return params.strip().split(" ", 1)[0] == name

    return validate


@cache
def checking_parser() -> MarkdownIt:
    return new_parser(accept_any_link=True)


@lru_cache(maxsize=4)
def checked_tokens(text: str) -> tuple[Token, ...]:
    """The tokens of ``text`` for checks: parsed once however many checks read them (read only)."""
    return tuple(checking_parser().parse(text))


@dataclass(frozen=True)
class LinkRef:
    """A link or image found in Markdown, with its line (0-based inside the text)."""

    kind: str  # "link" or "image"
    target: str
    text: str
    line: int


def find_links(text: str) -> Iterator[LinkRef]:
    """Every link and image of a Markdown text, in order."""
    for token in checked_tokens(text):
        if token.type != "inline" or not token.children:
            continue
        line = token.map[0] if token.map else 0
        for child in token.children:
            if child.type == "link_open":
                yield LinkRef("link", str(child.attrGet("href") or ""), "", line)
            elif child.type == "image":
                yield LinkRef("image", str(child.attrGet("src") or ""), child.content.strip(), line)


def headings(text: str) -> Iterator[tuple[int, str, int]]:
    """(level, text, line) of every heading."""
    tokens = checked_tokens(text)
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            yield int(token.tag[1]), inline.content, token.map[0] if token.map else 0
