"""The one Markdown dialect of the course: CommonMark, tables, footnotes and four blocks.

Parsed once per build: ``token_cache.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from markdown_it import MarkdownIt, rules_inline
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from jmdi_scorm.source.block_openers import dispatch_by_opener

#: ``::: name Optional title`` blocks and their default headings (translated in the theme).
CONTAINERS = ("case-study", "takeaway", "definition", "did-you-know")
#: A text with no Markdown syntax: one line of letters, digits, spaces and harmless punctuation,
#: starting with a letter (no list, heading or block marker) and ending without a space; no
#: ``_`` either (``is_plain``). Its HTML is one paragraph with the text unchanged (nothing in it
#: needs escaping).
PLAIN = re.compile(r"[^\W\d_][\w ,.;:?!'()/%-]*(?<! )\n*")
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
    dispatch_by_opener(md)  # the same tokens, faster
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
    if start >= maximum or src[start] != ":":  # an empty line (the last may end the text) opens nothing
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
        if start >= maximum or src[start] != ":" or state.is_code_block(next_line):
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
