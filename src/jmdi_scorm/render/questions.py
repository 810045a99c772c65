"""Questions as the learner sees them and as the runtime checks and records them.

Identifiers inside answers are assigned by position, once, here (the facts of each kind are in
``source/question_kinds.py``):

- choices of ``single`` and ``multiple`` questions and items of ``ordering`` questions are
  ``a``, ``b``, ``c``… in authored order, wherever they are shown (:func:`choice_order`,
  :func:`display_order`);
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

from jmdi_scorm.source.question_kinds import LETTERS, kind_of

FILL_IN_INPUT_LENGTH = 200  # maxlength of fill-in inputs (what is kept is bounded in state_codec)


def letters(count: int) -> list[str]:
    return list(LETTERS[:count])


def _random(seed: str) -> random.Random:
    """A generator that gives the same numbers for ``seed`` on every build and machine."""
    return random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))


def shuffled(idents: list[str], seed: str) -> list[str]:
    """A fixed shuffle of ``idents`` for ``seed`` that never keeps the authored order."""
    if len(idents) < 2:
        return list(idents)
    rng = _random(seed)
    order = list(idents)
    while order == idents:
        rng.shuffle(order)
    return order


def letters_length(question: Any) -> int:
    """Length of the answer string of a question answered with letters (all but typed text)."""
    count = kind_of(question).letters
    if count is None:
        raise TypeError(f"{question.type} questions are not answered with letters")
    return count(question)


def correct_answer(question: Any) -> str:
    """The right answer string (fill-in: the first accepted answer)."""
    return kind_of(question).correct(question)


def record_pattern(question: Any) -> list[str]:
    """The correct response of an interaction record (fill-in: every accepted answer)."""
    pattern = kind_of(question).pattern
    return pattern(question) if pattern else list(correct_answer(question))


def display_order(question: Any, seed: str) -> list[str]:
    """Order of the right-hand items (matching) or of the items (ordering) on screen."""
    return shuffled(letters(letters_length(question)), seed) if kind_of(question).shuffled else []


def choice_order(question: Any, seed: str) -> list[str]:
    """Order of the options of a ``single`` or ``multiple`` question on screen: a fixed shuffle
    for ``seed`` (the question's key: the same on every visit, try and build), which may keep the
    authored order as any other (never keeping it would be a pattern of its own: two options
    always swapped); the authored order with ``shuffle: false``. Identifiers stay the authored
    ones, so the state and the records do not depend on it."""
    order = letters(len(question.choices))
    if question.shuffle:
        _random(seed).shuffle(order)
    return order
