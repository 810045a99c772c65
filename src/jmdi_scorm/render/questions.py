"""Questions as the learner sees them and as the runtime checks and records them.

Identifiers inside answers are assigned by position, once, here:

- choices of ``single`` and ``multiple`` questions and items of ``ordering`` questions are
  ``a``, ``b``, ``c``… in authored order;
- in ``matching`` questions left items are ``1``, ``2``…, right items ``a``, ``b``… in authored
  order (left ``n`` matches right letter ``n``);
- ``true-false`` answers are ``t`` / ``f`` in the state and ``true`` / ``false`` in records.

The learner state keeps one compact *answer string* per question (:func:`correct_answer` gives
the right one): choice letters in order for ``single``/``multiple``, ``t``/``f``, the typed text
for ``fill-in``, the right letter chosen for each left item in order for ``matching`` (``-`` when
none) and item letters in the learner's order for ``ordering``. Interaction records carry arrays
(:func:`record_pattern`): ``["a"]``, ``["a", "c"]``, ``["true"]``, ``["remittances"]``,
``["1.a", "2.b"]``, ``["a", "b", "c"]``.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from jmdi_scorm.source import model

LETTERS = "abcdefghijklmnopqrstuvwxyz"
FILL_IN_INPUT_LENGTH = 200  # maxlength of fill-in inputs (what is kept is bounded in state_codec)


def letters(count: int) -> list[str]:
    return list(LETTERS[:count])


def shuffled(idents: list[str], seed: str) -> list[str]:
    """A fixed shuffle of ``idents`` for ``seed`` that never keeps the authored order."""
    if len(idents) < 2:
        return list(idents)
    rng = random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))
    order = list(idents)
    while order == idents:
        rng.shuffle(order)
    return order


def letters_length(question: Any) -> int:
    """Length of the answer string of a question answered with letters (all but fill-in)."""
    if isinstance(question, model.SingleChoice | model.TrueFalse):
        return 1
    if isinstance(question, model.MultipleResponse):
        return len(question.choices)
    if isinstance(question, model.Matching):
        return len(question.pairs)
    if isinstance(question, model.Ordering):
        return len(question.items)
    raise TypeError(f"{question.type} questions are not answered with letters")


def correct_answer(question: Any) -> str:
    """The right answer string (fill-in: the first accepted answer)."""
    if isinstance(question, model.SingleChoice | model.MultipleResponse):
        return "".join(ident for ident, choice in zip(LETTERS, question.choices, strict=False) if choice.correct)
    if isinstance(question, model.TrueFalse):
        return "t" if question.answer else "f"
    if isinstance(question, model.FillIn):
        return question.answers[0]
    if isinstance(question, model.Matching):
        return "".join(letters(len(question.pairs)))
    return "".join(letters(len(question.items)))


def record_pattern(question: Any) -> list[str]:
    """The correct response of an interaction record (fill-in: every accepted answer)."""
    if isinstance(question, model.TrueFalse):
        return ["true" if question.answer else "false"]
    if isinstance(question, model.FillIn):
        return list(question.answers)
    if isinstance(question, model.Matching):
        return [f"{index}.{letter}" for index, letter in enumerate(letters(len(question.pairs)), start=1)]
    return list(correct_answer(question))


def display_order(question: Any, seed: str) -> list[str]:
    """Order of the right-hand items (matching) or of the items (ordering) on screen."""
    if isinstance(question, model.Matching):
        return shuffled(letters(len(question.pairs)), seed)
    if isinstance(question, model.Ordering):
        return shuffled(letters(len(question.items)), seed)
    return []
