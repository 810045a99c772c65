"""The item-writing lint of ``validate`` (itemlint.py): one tiny synthetic course per rule."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from click.testing import CliRunner

from jmdi_scorm.cli import main

TOPIC = "modules/intro/intro-02.md"
SHOWN = f"course/{TOPIC}"
FEEDBACK = "    feedback:\n      correct: Because of the reason.\n      incorrect: Because of the other reason.\n"


def single(prompt: str, *options: str, right: int = 0, qid: str = "q1") -> str:
    lines = [f"  - id: {qid}", "    type: single", f"    prompt: {prompt}", "    choices:"]
    for index, text in enumerate(options):
        lines.append(f'      - text: "{text}"')
        if index == right:
            lines.append("        correct: true")
    return "\n".join(lines) + "\n" + FEEDBACK


def topic(questions: str, body: str = "## Section\n\nText.\n") -> str:
    return (
        "---\nid: intro-02\ntitle: Second topic\nsummary: The second topic.\nobjectives:\n  - Read.\n"
        f"minutes: 5\nquestions:\n{questions}---\n\n{body}"
    )


def lint(course: Path, questions: str | None = None, body: str = "## Section\n\nText.\n") -> list[dict]:
    """The item-writing findings of the course once intro-02 holds ``questions`` and ``body``."""
    if questions is not None:
        (course / TOPIC).write_text(topic(questions, body), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--format", "json", str(course)])
    assert result.exit_code == 0, result.output  # warnings only
    return [p for p in json.loads(result.stdout) if "item-writing guideline" in p["message"]]


def line_of(course: Path, fragment: str) -> int:
    """The line of intro-02 that holds ``fragment`` (1-based)."""
    lines = (course / TOPIC).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if fragment in line)


def test_the_fixture_course_has_no_finding(minimal_course: Path) -> None:
    assert lint(minimal_course) == []


def test_findings_are_warnings_that_strict_makes_errors(minimal_course: Path) -> None:
    lint(minimal_course, single("Which?", "A long and detailed right answer here", "Short", "Brief"))
    result = CliRunner().invoke(main, ["validate", "--strict", str(minimal_course)])
    assert result.exit_code == 1
    line = line_of(minimal_course, "A long and detailed")
    assert f"{SHOWN}:{line}: questions[0].choices[0]: warning: the right option is by far the longest" in result.output


def test_rule1_the_right_option_alone_is_long(minimal_course: Path) -> None:
    found = lint(minimal_course, single("Which?", "Short", "A long and detailed right answer here", "Brief", right=1))
    assert [(p["path"], p["line"], p["field"], p["severity"]) for p in found] == [
        (SHOWN, line_of(minimal_course, "A long and detailed"), "questions[0].choices[1]", "warning")
    ]
    assert "guidelines 24 and 28d" in found[0]["message"]
    # about as long (within 25 % or 10 characters): no finding
    assert lint(minimal_course, single("Which?", "A right answer here", "A wrong answer there", "A third one")) == []
    assert lint(minimal_course, single("Which?", "Shortish right", "Small one", "Wee")) == []


def test_rule2_right_positions_and_true_false_keys_per_module(minimal_course: Path) -> None:
    # intro-01 already has a single-choice question whose right option is the first
    questions = "".join(single("Which?", "Alpha", "Beta", "Gamma", qid=f"q{n}") for n in range(1, 4))
    found = lint(minimal_course, questions)
    assert [(p["path"], p["line"], p["field"]) for p in found] == [("course/modules/intro/module.yaml", 2, "questions")]
    assert "option 1 in 4 of 4 single-choice questions" in found[0]["message"]
    spread = "".join(single("Which?", "Alpha", "Beta", "Gamma", right=n, qid=f"q{n + 1}") for n in range(3))
    assert lint(minimal_course, spread) == []

    false_keys = "".join(
        f"  - id: t{n}\n    type: true-false\n    prompt: Statement {n}.\n    answer: false\n" + FEEDBACK
        for n in range(4)
    )
    found = lint(minimal_course, spread + false_keys)  # intro-01 q3 is true: 1 of 5 true (20 %)
    assert [p["field"] for p in found] == ["questions"]
    assert "1 of 5 true/false statements of the module are true" in found[0]["message"]
    assert lint(minimal_course, spread + false_keys.replace("answer: false", "answer: true", 1)) == []


def test_rule3_all_or_none_of_the_above_in_four_languages(minimal_course: Path) -> None:
    for phrase in (
        "All of the above",
        "None of the above",
        "Toutes les réponses ci-dessus",
        "Aucune de ces réponses",
        "Ninguna de las anteriores",
        "Todas las anteriores",
        "كل ما سبق",
        "لا شيء مما سبق",
    ):
        found = lint(minimal_course, single("Which?", "Alpha", "Beta", phrase, right=1))
        assert [p["field"] for p in found] == ["questions[0].choices[2]"], phrase
        assert "guidelines 25 and 26" in found[0]["message"]
    assert lint(minimal_course, single("Which?", "Alpha", "Beta", "All partners", right=1)) == []


def test_rule4_every_option_but_one_right(minimal_course: Path) -> None:
    def multiple(rights: int) -> str:
        choices = "".join(
            f"      - text: Option {n}\n" + ("        correct: true\n" if n < rights else "") for n in range(4)
        )
        return "  - id: q1\n    type: multiple\n    prompt: Which?\n    choices:\n" + choices + FEEDBACK

    found = lint(minimal_course, multiple(3))
    assert [(p["line"], p["field"]) for p in found] == [(line_of(minimal_course, "choices:"), "questions[0].choices")]
    assert "3 of 4 options are right" in found[0]["message"]
    assert lint(minimal_course, multiple(2)) == []


def test_rule5_feedback_that_repeats_the_verdict(minimal_course: Path) -> None:
    question = single("Which?", "Alpha", "Beta", "Gamma", right=1)
    for verdict in ("Correct.", "Not quite —", "**Incorrect**:", "Well done!", "Wrong,", "Bonne réponse.", "Correcto."):
        found = lint(minimal_course, question.replace("Because of the reason.", f'"{verdict} Because of it."'))
        line = line_of(minimal_course, "Because of it.")
        assert [(p["line"], p["field"]) for p in found] == [(line, "questions[0].feedback.correct")], verdict
    assert lint(minimal_course, question.replace("Because of the reason.", "Correctly filed forms pass.")) == []


def test_rule6_prompts_that_repeat_the_instructions(minimal_course: Path) -> None:
    for prompt in (
        "Which apply? Select all that apply.",
        "Which one? (Choose one.)",
        "Quelles? Cochez toutes les réponses",
    ):
        found = lint(minimal_course, single(prompt, "Alpha", "Beta", "Gamma", right=1))
        line = line_of(minimal_course, "prompt:")
        assert [(p["line"], p["field"]) for p in found] == [(line, "questions[0].prompt")], prompt
    assert lint(minimal_course, single("Which one fits?", "Alpha", "Beta", "Gamma", right=1)) == []


def test_rule7_bare_number_answers(minimal_course: Path) -> None:
    def fill(*answers: str) -> str:
        listed = "".join(f'      - "{a}"\n' for a in answers)
        return "  - id: q1\n    type: fill-in\n    prompt: How much?\n    answers:\n" + listed + FEEDBACK

    found = lint(minimal_course, fill("1992"))
    assert [(p["line"], p["field"]) for p in found] == [(line_of(minimal_course, "answers:"), "questions[0].answers")]
    assert "every accepted answer is a bare number (1992)" in found[0]["message"]
    found = lint(minimal_course, fill("6.18 %", "6.18%", "6.18 percent"))
    assert "'6,18 %' is marked wrong (and 1 more)" in found[0]["message"]
    found = lint(minimal_course, fill("6.18", "6,18", "the rate"))
    assert found == []
    assert lint(minimal_course, fill("6.18 %", "6,18 %", "6.18 percent")) == []
    assert lint(minimal_course, fill("1992", "in 1992")) == []


def test_rule8_editor_markers_in_learner_text(minimal_course: Path) -> None:
    body = "## Section\n\nText.\n\nThe date (should be checked) and TODO more.\n"
    found = lint(minimal_course, single("Which? [check]", "Alpha", "Beta", "Gamma", right=1), body)
    assert [(p["line"], p["field"]) for p in found] == [
        (line_of(minimal_course, "prompt:"), "questions[0].prompt"),
        (line_of(minimal_course, "The date"), "body"),
        (line_of(minimal_course, "The date"), "body"),
    ]
    assert {p["message"].split("'")[1] for p in found} == {"[check]", "should be checked", "TODO"}
    # Spanish "todo" is no marker, and an editor note may say anything
    body = "## Section\n\nTodo el texto.\n\n<!-- TODO: the date should be checked -->\n"
    assert lint(minimal_course, single("Which?", "Alpha", "Beta", "Gamma", right=1), body) == []
    body = "## Section\n\nA manual (exact title to be confirmed).\n"
    found = lint(minimal_course, single("Which?", "Alpha", "Beta", "Gamma", right=1), body)
    assert [p["message"].split("'")[1] for p in found] == ["to be confirmed"]


def test_rule9_an_assessment_question_repeating_a_knowledge_check(minimal_course: Path) -> None:
    module = minimal_course / "modules/practice/module.yaml"
    shown = "course/modules/practice/module.yaml"
    module.write_text(
        module.read_text(encoding="utf-8")
        + "    - id: a2\n      type: single\n      prompt: Which one, for the grade?\n      choices:\n"
        '        - text: "Gamma"\n        - text: "Alpha"\n          correct: true\n        - text: "Beta"\n'
        "      feedback:\n        correct: Because.\n        incorrect: Because not.\n",
        encoding="utf-8",
    )
    statement = (
        "  - id: q2\n    type: true-false\n    prompt: The minimal course has two modules.\n    answer: true\n"
        + FEEDBACK
    )
    # the same options and key in another order and wording, and the same true/false statement
    found = lint(minimal_course, single("Which one?", "Alpha", "Beta", "Gamma") + statement)
    lines = module.read_text(encoding="utf-8").splitlines()
    at = {text: n for n, text in enumerate(lines, start=1)}
    assert [(p["path"], p["line"], p["field"]) for p in found] == [
        (shown, at["    - id: a1"], "assessment.questions[0]"),
        (shown, at["    - id: a2"], "assessment.questions[1]"),
    ]
    assert (
        f"repeats the knowledge check at {SHOWN}:{line_of(minimal_course, '- id: q2')} (questions[1])"
        in (found[0]["message"])
    )
    assert "same statement" in found[0]["message"] and "same answers" in found[1]["message"]
    assert "guideline 4" in found[1]["message"]
    # another right option, or another statement: independent items
    other = statement.replace("has two modules", "has three modules")
    assert lint(minimal_course, single("Which one?", "Alpha", "Beta", "Gamma", right=2) + other) == []


def test_editor_notes_reach_no_page(minimal_course: Path, tmp_path: Path) -> None:
    """An HTML comment is an editor note: on no page, print page or xAPI/cmi5 description."""
    note = "EDITOR-NOTE-4711"
    question = single(
        f"Which one fits? <!-- {note} prompt -->", f"Alpha <!-- {note} -->", "Beta", "Gamma", right=1
    ).replace("Because of the reason.", f"Because.\n        <!--\n        {note} feedback\n        -->")
    question = question.replace("correct: Because.", "correct: |\n        Because.")
    body = f"## Section\n\nText <!-- {note} inline --> goes on.\n\n<!--\n{note} block\n-->\n\n| a | b |\n|---|---|\n| x <!-- {note} --> | y |\n"
    assert lint(minimal_course, question, body) == []
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["build", str(minimal_course), "--format", "xapi,cmi5,web", "--no-pdf", "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    texts = {path: path.read_bytes() for path in out.rglob("*") if path.is_file() and path.suffix != ".zip"}
    for archive in out.glob("*.zip"):
        with zipfile.ZipFile(archive) as zipped:
            texts.update({archive / name: zipped.read(name) for name in zipped.namelist()})
    assert any(b"goes on." in data for data in texts.values())  # the text around the notes is there
    assert any(path.parent.name == "print" for path in texts)
    assert [str(path) for path, data in texts.items() if note.encode() in data] == []
