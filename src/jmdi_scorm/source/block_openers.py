"""Block rules tried only at the lines where they can start: the same tokens, a third less parsing.

markdown-it tries every block rule in turn at the start of each block, and every rule that can
end a paragraph at each of its lines (``paragraph``, ``lheading``; ``list``, ``blockquote`` and
``reference`` likewise): about ten calls a line, most of which look at the line's first
character and give up. Most block kinds can only start with certain characters (CommonMark: a
quote with ``>``, a heading with ``#``, a list item with a bullet or a digit…), so
:func:`dispatch_by_opener` makes each chain of rules one function that looks at that character
once and calls, in their order, only the rules that can start there, and every rule that can
start anywhere. A rule left out would have returned False without changing anything, so the
tokens are the same (``tests/source/test_block_openers.py`` parses every construct both ways).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

BlockRule = Callable[[StateBlock, int, int, bool], bool]
Plan = tuple[tuple[BlockRule, bool], ...]  # (rule, whether it needs a table's delimiter row next)

#: The first characters (after indentation) of the lines each block rule can start at, by rule name.
OPENERS = {
    "blockquote": ">",
    "heading": "#",
    "hr": "*-_",
    "list": "*+-0123456789",
    "fence": "`~",
    "reference": "[",
    "footnote_def": "[",
    "html_block": "<",
    "editor_note": "<",  # markdown.py: <!-- ... -->
    "container": ":",  # markdown.py: ::: name
}
#: A table starts at any line followed by its delimiter row, whose first character is one of these.
TABLE = "table"
DELIMITER_ROW = "|-:"


def dispatch_by_opener(md: MarkdownIt) -> None:
    """Have ``md``'s block parser call each chain of rules through :func:`chain_dispatcher`."""
    ruler = md.block.ruler
    plain = ruler.getRules
    made: dict[str, tuple[list[BlockRule], list[BlockRule]]] = {}

    def get_rules(chain: str = "") -> list[BlockRule]:
        rules = plain(chain)
        kept = made.get(chain)
        if kept is None or kept[0] is not rules:  # the ruler compiled its chains again (a rule changed)
            names = {rule.fn: rule.name for rule in ruler.__rules__}
            kept = made[chain] = (rules, [chain_dispatcher(rules, [names.get(rule, "") for rule in rules])])
        return kept[1]

    ruler.getRules = get_rules  # type: ignore[method-assign,assignment]


def chain_dispatcher(rules: Sequence[BlockRule], names: Sequence[str]) -> BlockRule:
    """One rule standing for ``rules`` (named ``names``) tried in order: True as soon as one is."""
    everything: Plan = tuple((rule, False) for rule in rules)
    anywhere: Plan = tuple(
        (rule, name == TABLE) for rule, name in zip(rules, names, strict=True) if name not in OPENERS
    )
    plans: dict[str, Plan] = {
        char: tuple(
            (rule, name == TABLE)
            for rule, name in zip(rules, names, strict=True)
            if name not in OPENERS or char in OPENERS[name]
        )
        for char in set("".join(OPENERS.values()))
    }

    def dispatch(state: StateBlock, line: int, end: int, silent: bool) -> bool:
        src = state.src
        start = state.bMarks[line] + state.tShift[line]
        plan = plans.get(src[start], anywhere) if start < len(src) else everything
        for rule, table in plan:
            if table and not _delimiter_row_next(state, line, end):
                continue
            if rule(state, line, end, silent):
                return True
        return False

    return dispatch


def _delimiter_row_next(state: StateBlock, line: int, end: int) -> bool:
    """Whether the line after ``line`` may be a table's delimiter row (by its first character)."""
    following = line + 1
    if following >= end:
        return False
    start = state.bMarks[following] + state.tShift[following]
    return start < state.eMarks[following] and state.src[start] in DELIMITER_ROW
