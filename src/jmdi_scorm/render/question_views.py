"""What the templates and the JS core get for questions: markup data and answer data.

Answer identifiers and answer strings are defined in ``questions.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape, unescape
from typing import Any

from markupsafe import Markup

from jmdi_scorm.render.markdown_html import Context, MarkdownRenderer
from jmdi_scorm.render.questions import FILL_IN_INPUT_LENGTH, LETTERS, correct_answer, display_order, record_pattern
from jmdi_scorm.render.state_codec import fill_in_budget
from jmdi_scorm.source import model

TAG = re.compile(r"<[^>]+>")


def plain_text(html: str) -> str:
    """Text of an HTML fragment, on one line (interaction descriptions)."""
    return " ".join(unescape(TAG.sub(" ", html)).split())


@dataclass
class Option:
    """A choice, a matching side or an ordering item: identifier and HTML."""

    id: str
    html: Markup


@dataclass
class QuestionView:
    """One question as the templates render it; ``data`` goes to the JS core."""

    key: str  # interaction id: <page-id>.<question-id>
    qid: str
    type: str
    number: int
    total: int
    prompt: Markup
    options: list[Option] = field(default_factory=list)  # choices, ordering items (display order)
    lefts: list[Option] = field(default_factory=list)  # matching: left items
    rights: list[Option] = field(default_factory=list)  # matching: right items (display order)
    maxlength: int = FILL_IN_INPUT_LENGTH
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def dom_id(self) -> str:
        return "q-" + self.key.replace(".", "-")


def question_views(
    questions: list[Any],
    page_id: str,
    md: MarkdownRenderer,
    ctx: Context,
    strings: dict[str, str],
    *,
    answers: bool = True,
) -> list[QuestionView]:
    """Views of ``questions``; ``answers=False`` leaves out what only the runtime needs (print)."""
    return [
        _view(question, page_id, index, len(questions), md, ctx, strings, answers)
        for index, question in enumerate(questions, start=1)
    ]


def _view(
    question: Any,
    page_id: str,
    number: int,
    total: int,
    md: MarkdownRenderer,
    ctx: Context,
    strings: dict[str, str],
    answers: bool,
) -> QuestionView:
    key = f"{page_id}.{question.id}"
    prompt = md.html(question.prompt, ctx)
    view = QuestionView(key, question.id, question.type, number, total, Markup(prompt))
    inline = lambda text: Markup(md.inline(text, ctx))  # noqa: E731 - short local helper
    if isinstance(question, model.SingleChoice | model.MultipleResponse):
        view.options = [Option(ident, inline(c.text)) for ident, c in zip(LETTERS, question.choices, strict=False)]
    elif isinstance(question, model.Matching):
        view.lefts = [Option(str(i), Markup(escape(p.left))) for i, p in enumerate(question.pairs, start=1)]
        rights = dict(zip(LETTERS, question.pairs, strict=False))
        view.rights = [Option(ident, Markup(escape(rights[ident].right))) for ident in display_order(question, key)]
    elif isinstance(question, model.Ordering):
        items = dict(zip(LETTERS, question.items, strict=False))
        view.options = [Option(ident, Markup(escape(items[ident]))) for ident in display_order(question, key)]
    if answers:
        view.data = _data(question, view, prompt, md, ctx, strings)
    return view


def _data(
    question: Any, view: QuestionView, prompt: str, md: MarkdownRenderer, ctx: Context, strings: dict[str, str]
) -> dict[str, Any]:
    """What the core needs to check, give feedback on and record one question."""
    data: dict[str, Any] = {
        "type": question.type,
        "correct": correct_answer(question),
        "pattern": record_pattern(question),
        "desc": plain_text(prompt)[:250],
        "fb": {
            "correct": md.html(question.feedback.correct, ctx),
            "incorrect": md.html(question.feedback.incorrect, ctx),
        },
        "reveal": _reveal(question, view, strings),
    }
    if isinstance(question, model.FillIn):
        data.update(answers=list(question.answers), cs=question.case_sensitive, budget=fill_in_budget(question))
    if isinstance(question, model.SingleChoice | model.MultipleResponse):
        data["cfb"] = {
            ident: md.html(choice.feedback, ctx)
            for ident, choice in zip(LETTERS, question.choices, strict=False)
            if choice.feedback
        }
    return data


def _reveal(question: Any, view: QuestionView, strings: dict[str, str]) -> str:
    """The right answer in HTML, shown once the tries are used up."""
    if isinstance(question, model.SingleChoice):
        return f"<p>{next(o.html for o in view.options if o.id == correct_answer(question))}</p>"
    if isinstance(question, model.MultipleResponse):
        right = set(correct_answer(question))
        return "<ul>" + "".join(f"<li>{o.html}</li>" for o in view.options if o.id in right) + "</ul>"
    if isinstance(question, model.TrueFalse):
        return f"<p>{escape(strings['true'] if question.answer else strings['false'])}</p>"
    if isinstance(question, model.FillIn):
        return f"<p>{escape(question.answers[0])}</p>"
    if isinstance(question, model.Matching):
        rows = "".join(f"<li>{escape(p.left)} — {escape(p.right)}</li>" for p in question.pairs)
        return f"<ul>{rows}</ul>"
    return "<ol>" + "".join(f"<li>{escape(item)}</li>" for item in question.items) + "</ol>"
