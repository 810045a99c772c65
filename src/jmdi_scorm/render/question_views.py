"""What the templates and the JS core get for questions: markup data and answer data.

Answer identifiers and answer strings are defined in ``questions.py``; each kind of
``source/question_kinds.py`` has its renderer in :data:`RENDERERS` and its macro in
``templates/partials/question_kinds.html``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape, unescape
from typing import Any

from markupsafe import Markup

from jmdi_scorm.render.markdown_html import Context, MarkdownRenderer
from jmdi_scorm.render.questions import (
    FILL_IN_INPUT_LENGTH,
    LETTERS,
    choice_order,
    correct_answer,
    display_order,
    record_pattern,
)
from jmdi_scorm.render.state_codec import fill_in_budget
from jmdi_scorm.source.question_kinds import kind_of
from jmdi_scorm.source.spec_limits import INTERACTION_DESCRIPTION

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
    options: list[Option] = field(default_factory=list)  # choices, t/f, ordering items (display order)
    lefts: list[Option] = field(default_factory=list)  # matching: left items
    rights: list[Option] = field(default_factory=list)  # matching: right items (display order)
    maxlength: int = FILL_IN_INPUT_LENGTH
    hint: str = ""  # key of a UI string shown above the options, if any
    input: str = "radio"  # choices: the input type
    macro: str = ""  # its macro in templates/partials/question_kinds.html (question_kinds.py)
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
    """Views of ``questions``; ``answers=False`` leaves out what only the runtime needs (print),
    and shows choices in their authored order (on screen they are shuffled, ``choice_order``)."""
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
    view.macro = kind_of(question).macro
    renderer, tools = RENDERERS[question.type], Tools(md, ctx, strings, on_screen=answers)
    renderer.view(question, view, tools)
    if answers:
        view.data = _data(question, view, prompt, renderer, tools)
    return view


def _data(question: Any, view: QuestionView, prompt: str, renderer: Renderer, tools: Tools) -> dict[str, Any]:
    """What the core needs to check, give feedback on and record one question."""
    md, ctx = tools.md, tools.ctx
    kind = kind_of(question)
    data: dict[str, Any] = {
        "type": question.type,
        # What the adapters write in records (source/question_kinds.py): they know no kinds.
        "it": kind.interaction,
        "it12": kind.scorm12,
        "enc": kind.encoding,
        "correct": correct_answer(question),
        "pattern": record_pattern(question),
        "desc": plain_text(prompt)[:INTERACTION_DESCRIPTION],
        # Course text the runtime writes after interface words: in its own language (bidi.py).
        "fb": {
            "correct": md.dirs.block(md.html(question.feedback.correct, ctx)),
            "incorrect": md.dirs.block(md.html(question.feedback.incorrect, ctx)),
        },
        "reveal": _reveal(question, view, renderer, tools),
    }
    if question.feedback.hint:  # after a wrong try while tries remain (issues 14, 15)
        data["fb"]["hint"] = md.dirs.block(md.html(question.feedback.hint, ctx))
    data.update(renderer.data(question, tools))
    return data


# --- one renderer per kind (source/question_kinds.py; its macro is in templates/partials/question_kinds.html)


@dataclass(frozen=True)
class Tools:
    """What a renderer renders with."""

    md: MarkdownRenderer
    ctx: Context
    strings: dict[str, str]
    on_screen: bool = True  #: for the course's pages; False: for the printable pages

    def inline(self, text: str) -> Markup:
        return Markup(self.md.inline(text, self.ctx))


def _no_data(question: Any, tools: Tools) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Renderer:
    """How one kind becomes a :class:`QuestionView` (its macro renders the view)."""

    #: fills the view: ``options`` (choices, ordering items: display order), ``lefts``/``rights``
    #: (matching), ``hint`` and ``input``
    view: Callable[[Any, QuestionView, Tools], None]
    reveal: Callable[[Any, QuestionView, Tools], str]  #: the right answer in HTML, once the tries are used up
    data: Callable[[Any, Tools], dict[str, Any]] = _no_data  #: what else the runtime widget needs


def _reveal(question: Any, view: QuestionView, renderer: Renderer, tools: Tools) -> str:
    """The right answer once the tries are used up: course text, but for true-false's UI words."""
    html = renderer.reveal(question, view, tools)
    return html if question.type == "true-false" else tools.md.dirs.block(html)


def _choices_view(question: Any, view: QuestionView, tools: Tools) -> None:
    options = {ident: Option(ident, tools.inline(c.text)) for ident, c in zip(LETTERS, question.choices, strict=False)}
    order = choice_order(question, view.key) if tools.on_screen else list(options)
    view.options = [options[ident] for ident in order]


def _choice_feedback(question: Any, tools: Tools) -> dict[str, Any]:
    feedback = {
        ident: tools.md.dirs.block(tools.md.html(choice.feedback, tools.ctx))
        for ident, choice in zip(LETTERS, question.choices, strict=False)
        if choice.feedback
    }
    return {"cfb": feedback}


def _multiple_view(question: Any, view: QuestionView, tools: Tools) -> None:
    _choices_view(question, view, tools)
    view.hint, view.input = "select_all", "checkbox"


def _true_false_view(question: Any, view: QuestionView, tools: Tools) -> None:
    view.options = [
        Option(ident, Markup(escape(tools.strings[word]))) for ident, word in (("t", "true"), ("f", "false"))
    ]


def _matching_view(question: Any, view: QuestionView, tools: Tools) -> None:
    view.lefts = [Option(str(i), Markup(escape(p.left))) for i, p in enumerate(question.pairs, start=1)]
    rights = dict(zip(LETTERS, question.pairs, strict=False))
    view.rights = [Option(ident, Markup(escape(rights[ident].right))) for ident in display_order(question, view.key)]


def _ordering_view(question: Any, view: QuestionView, tools: Tools) -> None:
    items = dict(zip(LETTERS, question.items, strict=False))
    view.options = [Option(ident, Markup(escape(items[ident]))) for ident in display_order(question, view.key)]


def _no_view(question: Any, view: QuestionView, tools: Tools) -> None:
    pass


def _the_right_option(question: Any, view: QuestionView, tools: Tools) -> str:
    return f"<p>{next(o.html for o in view.options if o.id == correct_answer(question))}</p>"


def _the_right_options(question: Any, view: QuestionView, tools: Tools) -> str:
    right = set(correct_answer(question))
    return "<ul>" + "".join(f"<li>{o.html}</li>" for o in view.options if o.id in right) + "</ul>"


def _the_first_answer(question: Any, view: QuestionView, tools: Tools) -> str:
    return f"<p>{escape(question.answers[0])}</p>"


def _the_pairs(question: Any, view: QuestionView, tools: Tools) -> str:
    rows = "".join(f"<li>{escape(p.left)} — {escape(p.right)}</li>" for p in question.pairs)
    return f"<ul>{rows}</ul>"


def _the_order(question: Any, view: QuestionView, tools: Tools) -> str:
    return "<ol>" + "".join(f"<li>{escape(item)}</li>" for item in question.items) + "</ol>"


def _fill_in_data(question: Any, tools: Tools) -> dict[str, Any]:
    return {"answers": list(question.answers), "cs": question.case_sensitive, "budget": fill_in_budget(question)}


RENDERERS: dict[str, Renderer] = {
    "single": Renderer(_choices_view, _the_right_option, _choice_feedback),
    "multiple": Renderer(_multiple_view, _the_right_options, _choice_feedback),
    "true-false": Renderer(_true_false_view, _the_right_option),
    "fill-in": Renderer(_no_view, _the_first_answer, _fill_in_data),
    "matching": Renderer(_matching_view, _the_pairs),
    "ordering": Renderer(_ordering_view, _the_order),
}
