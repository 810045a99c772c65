"""The block rules tried only where they can start (``block_openers``) make the very tokens that
trying every rule at every line makes: for every parser the project configures, on texts built
from the lines that start, continue and end every kind of block, and on the JMDI course."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from jmdi_scorm.source import markdown
from jmdi_scorm.source.block_openers import OPENERS
from jmdi_scorm.source.loader import read_course
from tests.conftest import ROOT
from tests.support.budget import examples

PARSERS = {
    "site": {"figures": True},
    "html": {"html": True, "figures": True},
    "checks": {"accept_any_link": True, "figures": True, "locate_links": True},
}
#: Pieces of lines: block openers and closers of every kind, indents, table rows, lazy text.
PIECES = [
    "", "text", "Text *em*", " ", "  ", "    ", "\t", "> ", ">", "# ", "## ", "#", "- ", "* ", "+ ", "-", "1. ",
    "2) ", "10. ", "```", "```py", "~~~", "***", "___", "- - -", "---", "===", "::: takeaway", "::: case-study Title",
    ":::", "::::", ":: x", "[^1]: note", "[^1]", "[ref]: https://example.org", "[ref]", "<!-- note", "-->",
    "<div>", "</div>", "<b>x</b>", "| a | b |", "a | b", "|---|---|", "--- | ---", ":-:|", "| - |", "![i](p.png \"T\")",
]  # fmt: skip
LINES = st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map("".join)
TEXTS = st.lists(LINES, min_size=1, max_size=12).map("\n".join)


def _every_rule_everywhere(md: MarkdownIt) -> MarkdownIt:
    """``md`` as markdown-it is: each chain's rules called one after the other."""
    del md.block.ruler.getRules  # the dispatcher was set on the instance; the class's method remains
    return md


def _same_tokens(text: str) -> None:
    for name, options in PARSERS.items():
        fast = markdown.new_parser(**options)
        plain = _every_rule_everywhere(markdown.new_parser(**options))
        assert fast.parse(text) == plain.parse(text), (name, text)


def test_the_parsers_dispatch_and_know_every_rule_with_openers() -> None:
    for options in PARSERS.values():
        md = markdown.new_parser(**options)
        assert len(md.block.ruler.getRules("")) == 1
        names = {rule.name for rule in md.block.ruler.__rules__}
        assert set(OPENERS) <= names, set(OPENERS) - names  # a renamed rule would be tried everywhere


@settings(max_examples=examples(1500), deadline=None)
@given(TEXTS)
@example(text="> - \n> \n> ")  # a quote's last, empty line at the very end: the ::: rule read past the text
def test_block_constructs_parse_as_without_dispatch(text: str) -> None:
    _same_tokens(text)


@pytest.mark.parametrize(
    "text",
    [
        "a\n| b |\n|---|\n| c |",
        "| a |\n|---|\n",
        "a\n---",
        "a\n- b\n1. c\n2. d",
        "- a\n\n  > b\n  ::: takeaway\n  c\n  :::\n",
        "> a\nlazy\n```\ncode\n```",
        "[^1]: a\n    b\n\n[x]: /y\n",
        "<!-- a\nb -->\n<div>\nc\n</div>",
        "    code\n# h\n",
        "",
        "\n\n",
    ],
)
def test_tricky_texts_parse_as_without_dispatch(text: str) -> None:
    _same_tokens(text)


def test_the_jmdi_course_parses_as_without_dispatch() -> None:
    course, _ = read_course(ROOT / "course")
    for topic in course.topics:
        _same_tokens(topic.body)
