"""Texts as translators see them, and Markdown bodies cut into blocks and put back together.

Texts are normalised for translators: a plain text or a single Markdown paragraph becomes one
line (the source's hard-wrapped lines joined with spaces); a Markdown text of several blocks is
kept as written. Inline Markdown (emphasis, links, images with their alt text and caption) stays
in the segment.

A topic body is cut into :class:`Block` s (paragraph, heading, list item paragraph, whole table,
``:::`` box title and the blocks inside the box, footnote), numbered within their section, the
part of the body under one top-level heading, named by the heading's anchor (``0`` is the heading
itself): :func:`block_key` gives ``from-projects-to-plans/3``, or ``_/1`` before the first heading.
The trade-off: adding or removing a block renumbers the blocks after it in that section only, and
renaming a heading renames its section's keys; ``translate update`` then carries a translation over
by its identical English text (a block that moved keeps its translation) or, for a key whose
English changed, marks it fuzzy. A content hash would survive moves but change with every edit of
the text itself, which is the far more frequent change. :func:`replace_blocks` writes translated
blocks back in place of the English ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors.index import slugify

from jmdi_scorm.source.markdown import new_parser

#: A letter: a text without one has nothing to translate ("6", "2010").
LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Block:
    """A translatable block of a Markdown body: lines ``start``..``end`` (0-based, end excluded)."""

    section: str
    number: int
    text: str
    start: int
    end: int
    prefix: str  # what precedes the text on its first line (list marker, ``> ``, ``## ``, ``::: name ``)
    note: str

    @property
    def continuation(self) -> str:
        """What precedes the text on its following lines: the prefix with markers made spaces."""
        return re.sub(r"[^>\s]", " ", self.prefix)


# --- text normalisation ---------------------------------------------------------------------


def plain(text: str) -> str:
    """A plain text on one line."""
    return " ".join(text.split())


def _unwrap(content: str) -> str:
    """The lines of one paragraph joined with spaces; a hard line break stays, as ``\\`` + newline."""
    raw = content.split("\n")
    out = raw[0].strip()
    for before, line in zip(raw, raw[1:], strict=False):
        if before.endswith("\\"):
            out += "\n" + line.strip()
        elif before.endswith("  "):
            out = out.rstrip() + "\\\n" + line.strip()
        else:
            out = out.rstrip() + " " + line.strip()
    return out


@cache
def _parser(html: bool) -> MarkdownIt:
    return new_parser(html=html)


def markdown_text(text: str, html: bool = False) -> str:
    """A Markdown text as a segment: one paragraph on one line, several blocks as written."""
    tokens = _parser(html).parse(text)
    if [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]:
        return _unwrap(tokens[1].content)
    return text.strip("\n").rstrip()


# --- Markdown bodies ------------------------------------------------------------------------


def body_blocks(text: str, html: bool = False) -> list[Block]:
    """The translatable blocks of a Markdown body, in order (see the module's key scheme)."""
    lines = text.splitlines()
    tokens = _parser(html).parse(text)
    blocks: list[Block] = []
    section, number, used = "_", 0, set()

    def add(start: int, end: int, content: str, prefix: str, note: str) -> None:
        nonlocal number
        blocks.append(Block(section, number, content, start, end, prefix, note))
        number += 1

    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.map:
            base = slugify(tokens[index + 1].content) or "section"
            section, counter = base, 2
            while section in used or section == "_":
                section, counter = f"{base}-{counter}", counter + 1
            used.add(section)
            number = 0
        elif token.type == "footnote_open":
            section, number = f"footnote-{token.meta.get('label', token.meta.get('id', 0))}", 1
        if not token.map:
            continue
        start, end = token.map
        if token.type in ("paragraph_open", "heading_open"):
            inline = tokens[index + 1]
            if token.type == "heading_open" and not token.markup.startswith("#"):
                end -= 1  # setext heading: its underline stays
            first = inline.content.split("\n", 1)[0]
            at = lines[start].find(first) if first else -1
            prefix = lines[start][:at] if at >= 0 else leading(r"^[\s>]*", lines[start])
            kind = "heading" if token.type == "heading_open" else _paragraph_kind(tokens, index)
            if LETTER.search(inline.content):
                add(start, end, _unwrap(inline.content), prefix, kind)
        elif token.type == "table_open":
            prefix = leading(r"^[ \t>]*", lines[start])
            rows = [
                line[len(prefix) :].rstrip() if line.startswith(prefix) else line.strip() for line in lines[start:end]
            ]
            add(start, end, "\n".join(rows), prefix, "table: keep the | of every row and the --- row")
        elif token.type.startswith("container_") and token.type.endswith("_open"):
            parts = token.info.strip().split(" ", 1)
            title = parts[1].strip() if len(parts) == 2 else ""
            at = lines[start].rfind(title) if title else -1
            if at >= 0:
                add(start, start + 1, title, lines[start][:at], f"title of a '{parts[0]}' box")
    return blocks


def leading(pattern: str | re.Pattern[str], line: str) -> str:
    """What ``pattern`` matches at the start of ``line`` (empty if nothing)."""
    match = re.match(pattern, line)
    return match.group() if match else ""


def _paragraph_kind(tokens: list[Token], index: int) -> str:
    if any(c.type == "image" and c.attrGet("title") for c in tokens[index + 1].children or []):
        return "figure: translate the alt text [..] and the caption in quotes; keep the file path"
    if index and tokens[index - 1].type == "list_item_open":
        return "list item"
    return "paragraph"


def block_key(block: Block) -> str:
    return f"{block.section}/{block.number}"


def replace_blocks(text: str, blocks: list[Block], translations: dict[str, str]) -> str:
    """``text`` with each block's lines replaced by its translation (by ``block_key``), if any."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    position = 0
    for block in sorted(blocks, key=lambda b: b.start):
        translated = translations.get(block_key(block))
        if translated is None or block.start < position:
            continue
        out.extend(lines[position : block.start])
        ending = "\n" if lines[block.end - 1].endswith("\n") else ""
        if block.note.startswith("title of"):
            translated = plain(translated)
            tail = lines[block.start][len(block.prefix) + len(block.text) :].rstrip("\n")
            out.append(block.prefix + translated + tail + ("\n" if lines[block.start].endswith("\n") else ""))
        else:
            new = translated.split("\n")
            rendered = [block.prefix + new[0]] + [block.continuation + line for line in new[1:]]
            if block.note.startswith("table"):
                rendered = [block.prefix + line for line in new]
            out.append("\n".join(rendered) + ending)
        position = block.end
    out.extend(lines[position:])
    return "".join(out)
