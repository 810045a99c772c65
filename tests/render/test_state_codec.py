"""The learner-state encoding: Python (state_codec.py) and JS (jmdi-core.js) agree, it round-trips
and stays within the worst-case length the build computes for a course."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jmdi_scorm.render import state_codec
from jmdi_scorm.render.site import course_pages
from jmdi_scorm.source.validate import load_course
from tests.conftest import MINIMAL, ROOT
from tests.support.budget import examples

CORE = ROOT / "src" / "jmdi_scorm" / "runtime" / "jmdi-core.js"

SAMPLES = [
    {"location": "", "pages": {}, "answers": {}},
    {"location": "home", "pages": {}, "answers": {}},
    {
        "location": "intro-02",
        "pages": {"intro-01": 2, "intro-02": 1},
        "answers": {
            "intro-01.q1": {"response": "a", "tries": 1, "correct": True},
            "intro-01.q2": {"response": "ab", "tries": 2, "correct": False},
            "intro-02.q1": {"response": "Remittances, 2024 (approx.)", "tries": 1, "correct": True},
        },
    },
    {
        "location": "practice.assessment",
        "pages": {"practice-01": 2, "practice.assessment": 1},
        "answers": {
            "practice-01.q1": {"response": "ba", "tries": 1, "correct": False},
            "practice-01.q2": {"response": "dcab", "tries": 99, "correct": False},
            "practice.assessment.a1": {"response": "t", "tries": 1, "correct": True},
            "m9-01.q7": {"response": "تحويلات مالية 😀 ~!*,.%+", "tries": 3, "correct": False},
        },
    },
]

# Page and question ids, [a-z0-9]{1,6}(-[a-z0-9]{1,4}){0,2}, built from parts (st.from_regex makes
# the same strings at twice the cost of the whole test).
ALNUM = string.ascii_lowercase + string.digits
ids = st.builds(
    lambda head, tail: "-".join([head, *tail]),
    st.text(ALNUM, min_size=1, max_size=6),
    st.lists(st.text(ALNUM, min_size=1, max_size=4), max_size=2),
)
page_ids = st.one_of(ids, ids.map(lambda module: f"{module}.assessment"))
answers = st.fixed_dictionaries(
    {"response": st.text(max_size=30), "tries": st.integers(0, 99), "correct": st.booleans()}
)
states = st.fixed_dictionaries(
    {
        "location": st.one_of(st.just(""), page_ids),
        "pages": st.dictionaries(page_ids, st.sampled_from([1, 2]), max_size=6),
        "answers": st.dictionaries(st.tuples(page_ids, ids).map(".".join), answers, max_size=8),
    }
)


@pytest.mark.parametrize("state", SAMPLES)
def test_round_trip(state: dict) -> None:
    text = state_codec.encode(state)
    assert text.isascii() and text.isprintable()
    assert state_codec.decode(text) == state


@settings(max_examples=examples(300), deadline=None)
@given(states)
def test_round_trip_any_state(state: dict) -> None:
    text = state_codec.encode(state)
    assert text.isascii()
    assert state_codec.decode(text) == state


@pytest.mark.parametrize("text", ["", "2~home~", "1~home", "1~x~p*3", "1~x~p*1!q.1z", "1~x~p*1!q.1y%zzzz", None])
def test_garbage_decodes_to_none(text) -> None:
    assert state_codec.decode(text) is None


def test_escape_keeps_letters_and_digits_only() -> None:
    assert state_codec.escape("Ab-9_ x") == "Ab-9_+x"
    assert state_codec.escape("é") == "%006h"  # U+00E9 = 233 = 6 * 36 + 17
    assert state_codec.unescape(state_codec.escape(string.printable)) == string.printable


def _run_js(page, script: str, arg):
    page.goto("about:blank")
    page.add_script_tag(path=str(CORE))
    return page.evaluate(script, arg)


def test_js_and_python_agree(page) -> None:
    states = [*SAMPLES, {"location": "a", "pages": {"b": 1}, "answers": {"b.q": {"response": "x y", "tries": 0}}}]
    result = _run_js(
        page,
        "states => states.map(s => { const t = JMDI.encodeState(s); return [t, JMDI.decodeState(t)]; })",
        states,
    )
    for state, (js_text, js_decoded) in zip(states, result, strict=True):
        assert js_text == state_codec.encode(state)
        assert js_decoded == state_codec.decode(js_text)


@settings(max_examples=1, deadline=None)
@given(st.lists(states, min_size=60, max_size=60))
def test_js_and_python_agree_on_random_states(browser, generated: list) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        texts = _run_js(page, "states => states.map(s => JMDI.encodeState(s))", generated)
        assert texts == [state_codec.encode(state) for state in generated]
        decoded = page.evaluate("texts => texts.map(t => JMDI.decodeState(t))", texts)
        assert decoded == [state_codec.decode(text) for text in texts]
    finally:
        context.close()


def _worst_state(course, page, fill_in_text: str) -> dict:
    """Every tracked page done, every question at most tries with its longest answer."""
    from jmdi_scorm.render.questions import letters_length
    from jmdi_scorm.source import model

    pages, answers = {}, {}
    tries = course.meta.tracking.attempts or 99
    for p in course_pages(course):
        if not p.tracked:
            continue
        pages[p.id] = 2
        for question in state_codec._questions_of(course, p.id):
            if isinstance(question, model.FillIn):
                budget = state_codec.fill_in_budget(question)
                response = page.evaluate("([t, n]) => JMDI.fitText(t, n)", [fill_in_text, budget])
            else:
                response = "z" * letters_length(question)
            answers[f"{p.id}.{question.id}"] = {"response": response, "tries": tries, "correct": False}
    longest = max((p.id for p in course_pages(course)), key=len)
    return {"location": longest, "pages": pages, "answers": answers}


@pytest.mark.parametrize("attempts", [2, 0])
def test_worst_case_length_is_the_longest_state(page, minimal_course: Path, attempts: int) -> None:
    yaml = minimal_course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("attempts: 2", f"attempts: {attempts}"), encoding="utf-8")
    course, _ = load_course(minimal_course)
    page.goto("about:blank")
    page.add_script_tag(path=str(CORE))
    worst = state_codec.worst_case_length(course)
    for filler in ["é" * 500, "😀" * 500, "a" * 500, "é😀a b"]:
        state = _worst_state(course, page, filler)
        text = page.evaluate("s => JMDI.encodeState(s)", state)
        assert text == state_codec.encode(state)
        assert len(text) <= worst
    assert len(state_codec.encode(_worst_state(course, page, "é" * 500))) == worst


def test_worst_case_of_the_fixture_is_small() -> None:
    course, _ = load_course(MINIMAL)
    assert state_codec.worst_case_length(course) < 400
    assert json.dumps(state_codec.decode(state_codec.encode(SAMPLES[2])))
