"""The questions of a module as its print page shows them, and their answer key (issue 14).

On paper a learner answers by letter: choices keep their identifiers (``a``, ``b``… in authored
order, as in ``questions.py``; printed in the interface language's letters, ``print_letters``:
أ, ب, ج… in Arabic), while the right-hand items of matching questions and the items
of ordering questions are lettered by their place on the page (the fixed shuffle of
``questions.display_order``, the same as on screen). The key gives the right answer in those
letters, from ``questions.correct_answer`` and the facts of ``source/question_kinds.py``, with
the authored explanation (``feedback.correct``) and the topic or assessment the question is in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from jmdi_scorm.render.markdown_html import Context, MarkdownRenderer
from jmdi_scorm.render.question_views import QuestionView, question_views
from jmdi_scorm.render.questions import correct_answer
from jmdi_scorm.source.question_kinds import LETTERS


@dataclass(frozen=True)
class PrintedQuestion:
    """One question of the print page: its number in the module, where it is, and its key."""

    number: int  # 1, 2… through the whole module: topics' checks, then the assessment
    where: str  # title of its topic or of the assessment
    view: QuestionView  # its options (choices) or lefts/rights (matching), as on screen
    letters: dict[str, str]  # identifier -> letter printed next to it
    answer: Markup  # the right answer, in the printed letters
    why: Markup  # the authored explanation


def printed_questions(
    questions: list[Any],
    page_id: str,
    where: str,
    first: int,
    md: MarkdownRenderer,
    ctx: Context,
    strings: dict[str, str],
) -> list[PrintedQuestion]:
    """The questions of one page (topic or assessment), numbered from ``first``."""
    views = question_views(questions, page_id, md, ctx, strings, answers=False)
    printed = []
    for offset, (question, view) in enumerate(zip(questions, views, strict=True)):
        letters = _letters(view, strings["print_letters"])
        answer = ANSWERS[question.type](question, view, letters, strings)
        why = Markup(md.html(question.feedback.correct, ctx))
        printed.append(PrintedQuestion(first + offset, where, view, letters, answer, why))
    return printed


def _letters(view: QuestionView, alphabet: str) -> dict[str, str]:
    """The letter printed next to each choice or item, from the interface language's ``alphabet``
    (its ``print_letters``: the abjad order in Arabic): choices by their identifier's place in
    ``LETTERS`` (an identifier outside it is printed as it is); shuffled items by their place on
    the page."""
    if view.type == "matching":
        return {o.id: alphabet[i] for i, o in enumerate(view.rights)}
    if view.type == "ordering":
        return {o.id: alphabet[i] for i, o in enumerate(view.options)}
    shown = dict(zip(LETTERS, alphabet, strict=False))
    return {o.id: shown.get(o.id, o.id) for o in view.options}


def _item(letter: str, html: Markup) -> Markup:
    return Markup('<li><span class="jmdi-print-letter">{}</span> {}</li>').format(letter, html)


def _choices(question: Any, view: QuestionView, letters: dict[str, str], strings: dict[str, str]) -> Markup:
    right = correct_answer(question)
    items = [_item(letters[o.id], o.html) for o in view.options if o.id in right]
    return Markup('<ul class="jmdi-print-answer">{}</ul>').format(Markup("").join(items))


def _true_false(question: Any, view: QuestionView, letters: dict[str, str], strings: dict[str, str]) -> Markup:
    return Markup("<p>{}</p>").format(strings["true"] if correct_answer(question) == "t" else strings["false"])


def _fill_in(question: Any, view: QuestionView, letters: dict[str, str], strings: dict[str, str]) -> Markup:
    # correct_answer is the first accepted answer; the others are as right.
    accepted = [correct_answer(question), *question.answers[1:]]
    return Markup("<p>{}</p>").format(Markup(" / ").join(escape(text) for text in accepted))


def _matching(question: Any, view: QuestionView, letters: dict[str, str], strings: dict[str, str]) -> Markup:
    # Left item n matches right identifier n of the answer string (questions.py).
    rights = {o.id: o.html for o in view.rights}
    rows = [
        Markup("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>").format(
            left.id,
            left.html,
            Markup('<span class="jmdi-print-letter">{}</span>').format(letters[ident]),
            rights[ident],
        )
        for left, ident in zip(view.lefts, correct_answer(question), strict=True)
    ]
    return Markup('<table class="jmdi-print-answer">{}</table>').format(Markup("").join(rows))


def _ordering(question: Any, view: QuestionView, letters: dict[str, str], strings: dict[str, str]) -> Markup:
    items = {o.id: o.html for o in view.options}
    order = [_item(letters[ident], items[ident]) for ident in correct_answer(question)]
    return Markup('<ol class="jmdi-print-answer">{}</ol>').format(Markup("").join(order))


#: The right answer of each kind as the key prints it (every kind of question_kinds.KINDS).
ANSWERS: dict[str, Callable[[Any, QuestionView, dict[str, str], dict[str, str]], Markup]] = {
    "single": _choices,
    "multiple": _choices,
    "true-false": _true_false,
    "fill-in": _fill_in,
    "matching": _matching,
    "ordering": _ordering,
}
