"""The JMDI course's questions measure understanding, not test-wiseness (issue 14).

Computed from the course model: where the right option sits, how long it is, which way the
true/false keys go, and what three test-wise strategies would score on every knowledge check
(a topic's questions) and every module assessment. Items a strategy has no rule for (fill-in,
matching, ordering) count as wrong for it: it can only guess.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from jmdi_scorm.render.questions import choice_order
from jmdi_scorm.source import model
from jmdi_scorm.source.question_kinds import LETTERS
from jmdi_scorm.source.validate import load_course

COURSE = Path(__file__).resolve().parents[2] / "course"


@pytest.fixture(scope="module")
def course() -> model.Course:
    return load_course(COURSE)[0]


def question_sets(course: model.Course) -> dict[str, list]:
    """Every knowledge check (by topic id) and module assessment (``<module>.assessment``)."""
    sets = {topic.id: topic.questions for topic in course.topics if topic.questions}
    for module in course.modules:
        if module.meta.assessment:
            sets[f"{module.id}.assessment"] = module.meta.assessment.questions
    return sets


def every_question(course: model.Course) -> list:
    return [q for questions in question_sets(course).values() for q in questions]


def singles(course: model.Course) -> list[model.SingleChoice]:
    return [q for q in every_question(course) if q.type == "single"]


def right_index(question: model.SingleChoice) -> int:
    return next(i for i, choice in enumerate(question.choices) if choice.correct)


def test_the_right_option_is_rarely_the_longest(course: model.Course) -> None:
    items = singles(course)
    longest = [q for q in items if len(q.choices[right_index(q)].text) >= max(len(c.text) for c in q.choices)]
    assert len(longest) <= 0.30 * len(items), f"{len(longest)} of {len(items)}: {[q.prompt[:50] for q in longest]}"


def test_right_positions_are_spread(course: model.Course) -> None:
    items = singles(course)
    shares = {p: sum(right_index(q) == p for q in items) / len(items) for p in range(4)}
    assert all(0.15 <= share <= 0.35 for share in shares.values()), shares


def test_true_false_keys_are_balanced(course: model.Course) -> None:
    keys = [q.answer for q in every_question(course) if q.type == "true-false"]
    assert 0.40 <= sum(keys) / len(keys) <= 0.60, f"{sum(keys)} true of {len(keys)}"


def pick_longest(question) -> bool:
    if question.type not in ("single", "multiple"):
        return False
    lengths = [len(choice.text) for choice in question.choices]
    picked = {lengths.index(max(lengths))}
    return picked == {i for i, choice in enumerate(question.choices) if choice.correct}


def pick_first(question) -> bool:
    if question.type not in ("single", "multiple"):
        return False
    return {0} == {i for i, choice in enumerate(question.choices) if choice.correct}


def say_false(question) -> bool:
    return question.type == "true-false" and not question.answer


STRATEGIES: dict[str, Callable] = {"the longest option": pick_longest, "the first option": pick_first}
STRATEGIES["always false"] = say_false


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_test_wise_strategies_stay_below_the_mastery_score(course: model.Course, strategy: str) -> None:
    mastery = course.meta.tracking.mastery_score
    rule = STRATEGIES[strategy]
    passed = {
        name: f"{sum(map(rule, questions))}/{len(questions)}"
        for name, questions in question_sets(course).items()
        if sum(map(rule, questions)) >= mastery * len(questions)
    }
    assert not passed, f"{strategy!r} reaches the mastery score on {passed}"


def shown_key(key: str, question: model.MultipleResponse) -> str:
    """The places of the right options in the order the page shows them (a, b, c… from the top)."""
    right = {ident for ident, choice in zip(LETTERS, question.choices, strict=False) if choice.correct}
    return "".join(place for place, ident in zip(LETTERS, choice_order(question, key), strict=False) if ident in right)


def test_the_key_as_shown_has_no_pattern(course: model.Course) -> None:
    """Written, the first option was right in 24 of the 25 multiple-response questions and "ace" or
    "abc" was the key of 15: ticking the first box was nearly always right. The pages show the
    options shuffled (render/questions.py, choice_order); read in that order, the key is near chance."""
    items = [
        (f"{name}.{q.id}", q)
        for name, questions in question_sets(course).items()
        for q in questions
        if q.type == "multiple"
    ]
    keys = Counter(shown_key(key, question) for key, question in items)
    first = sum(k.startswith("a") for k in keys.elements())
    assert len(items) >= 20 and first <= 0.6 * len(items), f"the first option shown is right in {first} of {len(items)}"
    (common, count), *_ = keys.most_common(1)
    assert count <= 0.2 * len(items), f"{common!r} is the key of {count} of {len(items)}"
