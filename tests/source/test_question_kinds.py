"""Issue 13: the question kinds are described once (source/question_kinds.py), and the table, the
model, the renderers, the template macros and the runtime widgets name the same kinds."""

from __future__ import annotations

import re
from typing import get_args

import pytest
from jinja2.runtime import Macro

from jmdi_scorm.render.question_views import RENDERERS
from jmdi_scorm.render.questions import correct_answer, display_order, letters_length, record_pattern
from jmdi_scorm.render.theme import environment
from jmdi_scorm.source import model
from jmdi_scorm.source.question_kinds import KINDS, kind_of, model_kinds
from tests.conftest import ROOT

RUNTIME = ROOT / "src" / "jmdi_scorm" / "runtime"
# cmi.interactions.n.type vocabularies: SCORM 1.2 RTE 3.4.2, SCORM 2004 RTE 4.2.9.1 (= xAPI
# interactionType, docs/standards.md §6.4).
SCORM12_TYPES = {"true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert", "numeric"}
SCORM2004_TYPES = SCORM12_TYPES | {"long-fill-in", "other"}

FEEDBACK = {"correct": "Yes.", "incorrect": "No."}
SAMPLES = {
    "single": {"choices": [{"text": "A"}, {"text": "B", "correct": True}]},
    "multiple": {"choices": [{"text": "A", "correct": True}, {"text": "B"}, {"text": "C", "correct": True}]},
    "true-false": {"answer": False},
    "fill-in": {"answers": ["Remittances", "remittance"]},
    "matching": {"pairs": [{"left": "1", "right": "one"}, {"left": "2", "right": "two"}, {"left": "3", "right": "3"}]},
    "ordering": {"items": ["first", "second", "third"]},
}


def sample(name: str) -> model.BaseModel:
    return KINDS[name].model(id="q1", type=name, prompt="Which?", feedback=FEEDBACK, **SAMPLES[name])


def js_keys(source: str, start: str) -> set[str]:
    """The keys of the object literal after ``start`` (one key per line, indented one step more
    than the line that opens it)."""
    at = source.index(start)
    indent = at - source.rindex("\n", 0, at) - 1
    body = source[at + len(start) :]
    body = body[: body.index("\n" + " " * indent + "};")]
    step = " " * (indent + 2)
    return {m.group(1) or m.group(2) for m in re.finditer(rf'^{step}(?:"([^"]+)"|([\w$]+)):', body, re.M)}


def js_map(source: str, name: str) -> dict[str, str]:
    """A one-level ``var NAME = { key: "value", … };`` map of a runtime file."""
    found = re.search(rf"var {name} = \{{(.*?)\}};", source, re.S)
    assert found, name
    return {(a or b): v for a, b, v in re.findall(r'(?:"([^"]+)"|([\w-]+)): "([^"]+)"', found.group(1))}


def test_the_table_covers_every_kind_the_model_accepts_and_no_other() -> None:
    assert tuple(KINDS) == model_kinds() == model.QUESTION_TYPES
    members = get_args(get_args(model.Question)[0])
    assert [kind.model for kind in KINDS.values()] == list(members)
    for name, kind in KINDS.items():
        assert get_args(kind.model.model_fields["type"].annotation) == (name,)


def test_every_kind_has_a_renderer_a_macro_and_a_runtime_widget() -> None:
    assert set(RENDERERS) == set(KINDS)
    macros = environment().get_template("partials/question_kinds.html").module
    names = {name for name in dir(macros) if isinstance(getattr(macros, name), Macro)}
    assert {kind.macro for kind in KINDS.values()} == names  # no macro without a kind either
    widgets = js_keys((RUNTIME / "jmdi-questions.js").read_text(encoding="utf-8"), "var WIDGETS = {")
    assert widgets == {kind.widget for kind in KINDS.values()} == set(KINDS)


def test_interaction_types_are_the_standards_words_and_the_adapters_know_no_kind() -> None:
    for kind in KINDS.values():
        assert kind.interaction in SCORM2004_TYPES and kind.scorm12 in SCORM12_TYPES
    # The core passes the interaction types and the encoding with each record, from the question
    # data (render/question_views.py): no adapter maps or formats kinds by name.
    for path in sorted(RUNTIME.glob("jmdi-*.js")):
        if path.name in ("jmdi-core.js", "jmdi-questions.js"):
            continue
        source = path.read_text(encoding="utf-8")
        assert "TYPES = {" not in source.replace("PAGE_TYPES = {", ""), path.name
        assert not re.search(r"""["'](?:single|multiple|true-false|fill-in|matching|ordering)["']""", source), path.name


def test_the_question_data_carries_what_the_records_need() -> None:
    """Each question of a content script names its kind's interaction types and encoding."""
    import json

    from jmdi_scorm.render.pages import render_site
    from jmdi_scorm.source.validate import load_course
    from tests.conftest import MINIMAL

    site = render_site(load_course(MINIMAL)[0])
    seen = set()
    for name, data in site.files.items():
        if name.startswith("content/"):
            text = data.decode()
            for question in json.loads(text[len("JMDI.page(") : -3])["questions"].values():
                kind = KINDS[question["type"]]
                assert (question["it"], question["it12"], question["enc"]) == (
                    kind.interaction,
                    kind.scorm12,
                    kind.encoding,
                )
                seen.add(kind.name)
    assert seen == set(KINDS)


@pytest.mark.parametrize("name", list(KINDS))
def test_each_kind_answers_as_its_table_entry_says(name: str) -> None:
    question = sample(name)
    kind = kind_of(question)
    assert kind is KINDS[name]
    answer, pattern = correct_answer(question), record_pattern(question)
    if kind.letters is None:
        assert kind.encoding == "text" and answer == question.answers[0] and pattern == question.answers
        with pytest.raises(TypeError):
            letters_length(question)
    else:
        assert len(answer) <= letters_length(question) and re.fullmatch(r"[a-z]+", answer)
        assert kind.encoding != "text"
    if kind.encoding == "pairs":
        assert all(re.fullmatch(r"\d+\.[a-z]", value) for value in pattern)
    if kind.encoding == "boolean":
        assert pattern in (["true"], ["false"])
    order = display_order(question, "page.q1")
    if kind.shuffled:  # every option once, never in the authored (right) order
        assert sorted(order) == list(answer) and order != list(answer)
    else:
        assert order == []
