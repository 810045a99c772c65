"""The question kinds, described once (issue 13): one :class:`Kind` per ``type:`` the model accepts.

Every fact about a kind that the stages need reads from :data:`KINDS`: the answer string the
learner state keeps (``render/questions.py``, ``render/state_codec.py``), the interaction type
and the response encoding of the records (the question data the core passes on with each
record, ``targets/xapi_common.py``,
``targets/moodle_payload.py``), the xAPI components, the renderer (``render/question_views.py``
and a macro of ``templates/partials/question_kinds.html``) and the runtime widget
(``WIDGETS`` in ``runtime/jmdi-questions.js``). docs/architecture.md, "Adding a question kind", lists
the steps; ``tests/source/test_question_kinds.py`` checks that the table, the model, the renderers, the
macros and the widgets name the same kinds.

Identifiers inside answers are assigned by position (questions.py): choices and ordering items
``a``, ``b``…; matching left items ``1``, ``2``… and right items ``a``, ``b``….
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from jmdi_scorm.source import model

LETTERS = "abcdefghijklmnopqrstuvwxyz"

#: How a record's values (``record_pattern``, the learner's response) are written in SCORM and
#: xAPI: ``ids`` joined (``a[,]c``), ``pairs`` of ids (``1[.]a[,]2[.]b``), a ``boolean``
#: (``true``; SCORM 1.2 ``t``), or ``text`` (one pattern per accepted answer).
Encoding = Literal["ids", "pairs", "boolean", "text"]


@dataclass(frozen=True)
class Kind:
    """What the packages need to know about one question kind."""

    name: str  #: the ``type:`` authors write
    model: type[BaseModel]  #: its class in model.py
    interaction: str  #: SCORM 2004 ``cmi.interactions.n.type`` and xAPI ``interactionType`` (§5.5, §6.4)
    scorm12: str  #: SCORM 1.2 ``cmi.interactions.n.type`` (docs/standards.md §3.5)
    encoding: Encoding  #: how responses and correct-response patterns are written
    correct: Callable[[Any], str]  #: the right answer string the state keeps (text kinds: the first answer)
    #: length of the answer string, for kinds answered with identifiers; ``None``: typed text,
    #: kept up to ``state_codec.fill_in_budget`` (the question has ``answers``, ``case_sensitive``)
    letters: Callable[[Any], int] | None
    #: the correct response of an interaction record; by default the answer string's letters
    pattern: Callable[[Any], list[str]] | None = None
    #: xAPI components, name → authored texts in identifier order (``source``: numbered 1, 2…)
    components: Callable[[Any], dict[str, list[str]]] | None = None
    shuffled: bool = False  #: options shown in a fixed shuffle (questions.display_order)
    macro: str = ""  #: its macro in templates/partials/question_kinds.html (default: the name, ``_`` for ``-``)

    def __post_init__(self) -> None:
        object.__setattr__(self, "macro", self.macro or self.name.replace("-", "_"))

    @property
    def widget(self) -> str:
        """Its key in ``WIDGETS`` of runtime/jmdi-questions.js: the core looks widgets up by the
        ``type`` of the question data, so the key is the name (widgets may share code, not keys)."""
        return self.name


def _right_letters(question: Any) -> str:
    return "".join(ident for ident, choice in zip(LETTERS, question.choices, strict=False) if choice.correct)


def _choice_texts(question: Any) -> dict[str, list[str]]:
    return {"choices": [choice.text for choice in question.choices]}


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "single", model.SingleChoice, "choice", "choice", "ids",
            correct=_right_letters, letters=lambda q: 1, components=_choice_texts, macro="choices",
        ),
        Kind(
            "multiple", model.MultipleResponse, "choice", "choice", "ids",
            correct=_right_letters, letters=lambda q: len(q.choices), components=_choice_texts, macro="choices",
        ),
        Kind(
            "true-false", model.TrueFalse, "true-false", "true-false", "boolean",
            correct=lambda q: "t" if q.answer else "f", letters=lambda q: 1,
            pattern=lambda q: ["true" if q.answer else "false"], macro="choices",
        ),
        Kind(
            "fill-in", model.FillIn, "fill-in", "fill-in", "text",
            correct=lambda q: q.answers[0], letters=None, pattern=lambda q: list(q.answers),
        ),
        Kind(
            "matching", model.Matching, "matching", "matching", "pairs",
            correct=lambda q: LETTERS[: len(q.pairs)], letters=lambda q: len(q.pairs),
            pattern=lambda q: [f"{index}.{letter}" for index, letter in enumerate(LETTERS[: len(q.pairs)], start=1)],
            components=lambda q: {"source": [p.left for p in q.pairs], "target": [p.right for p in q.pairs]},
            shuffled=True,
        ),
        Kind(
            "ordering", model.Ordering, "sequencing", "sequencing", "ids",
            correct=lambda q: LETTERS[: len(q.items)], letters=lambda q: len(q.items),
            components=lambda q: {"choices": list(q.items)}, shuffled=True,
        ),
    )
}  # fmt: skip


def kind_of(question: Any) -> Kind:
    """The kind of a question of the model."""
    return KINDS[question.type]


def model_kinds() -> tuple[str, ...]:
    """The ``type:`` values the model's ``Question`` union accepts, in its order."""
    return model.QUESTION_TYPES
