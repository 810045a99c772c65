"""Broken course trees: each must fail with exit 1, the exact file and line, and no traceback."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from jmdi_scorm.cli import main

INTRO1 = "modules/intro/intro-01.md"
INTRO2 = "modules/intro/intro-02.md"
PRACTICE1 = "modules/practice/practice-01.md"
INTRO_YAML = "modules/intro/module.yaml"
PRACTICE_YAML = "modules/practice/module.yaml"


def replace(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture changed: {old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def write(rel: str, content: str | bytes) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return mutate


def remove(rel: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        (root / rel).unlink()

    return mutate


def chain(*mutators: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        for mutator in mutators:
            mutator(root)

    return mutate


def symlink_out(root: Path) -> None:
    outside = root.parent / "outside.md"
    outside.write_text((root / INTRO2).read_text(encoding="utf-8").replace("intro-02", "outside"), encoding="utf-8")
    (root / INTRO2).unlink()
    (root / INTRO2).symlink_to(outside)


def symlink_image_out(root: Path) -> None:
    outside = root.parent / "secret.svg"
    outside.write_text("<svg/>", encoding="utf-8")
    (root / "assets/diagram.svg").unlink()
    (root / "assets/diagram.svg").symlink_to(outside)


def symlink_glossary_out(root: Path) -> None:
    outside = root.parent / "passwd"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (root / "glossary.yaml").unlink()
    (root / "glossary.yaml").symlink_to(outside)


def symlink_module_folder_out(root: Path) -> None:
    outside = root.parent / "elsewhere"
    (root / "modules/practice").rename(outside)
    (root / "modules/practice").symlink_to(outside, target_is_directory=True)


def non_utf8(root: Path) -> None:
    path = root / INTRO2
    path.write_bytes(path.read_bytes().replace(b"The [diaspora]", b"The \xff\xfe [diaspora]"))


@dataclass
class Case:
    name: str
    mutate: Callable[[Path], None]
    file: str  # relative to the course directory
    marker: str | int  # text on the expected line, or the line number itself
    message: str  # a regular expression the message must match


CASES = [
    Case(
        "malformed-yaml",
        replace("course.yaml", "title: A Minimal Course", "title: [A Minimal Course"),
        "course.yaml",
        "version: 1.0.0",
        r"invalid YAML: .*starts at line 3",
    ),
    Case("tab-indentation", replace(INTRO_YAML, "  - Know what", "\t- Know what"), INTRO_YAML, "\t- Know", r"tabs"),
    Case(
        "wrong-type-minutes",
        replace(INTRO1, "minutes: 5", "minutes: five"),
        INTRO1,
        "minutes: five",
        r"minutes: expected a whole number, not 'five'$",
    ),
    Case(
        "missing-required-title",
        replace("course.yaml", "title: A Minimal Course\n", ""),
        "course.yaml",
        "id: mini-course",
        r"title: field required",
    ),
    Case(
        "unknown-key-hint",
        replace(INTRO1, "minutes: 5", "minutes: 5\nsumary: typo"),
        INTRO1,
        "sumary: typo",
        r"unknown key 'sumary' \(did you mean 'summary'\?\)",
    ),
    Case(
        "unknown-key-course",
        replace("course.yaml", "language: en", "language: en\nlanguages: [en]"),
        "course.yaml",
        "languages:",
        r"did you mean 'language'",
    ),
    Case(
        "duplicate-id-across-modules",
        replace(PRACTICE1, "id: practice-01", "id: intro-01"),
        PRACTICE1,
        "id: intro-01",
        r"duplicate id 'intro-01'",
    ),
    Case(
        "duplicate-module-topic-id",
        replace(PRACTICE_YAML, "id: practice", "id: intro-02"),
        PRACTICE_YAML,
        "id: intro-02",
        r"duplicate id 'intro-02' \(already used in .*intro-02.md\)",
    ),
    Case(
        "stray-topic-file",
        write("modules/practice/notes.md", "---\nid: notes\n---\nText\n"),
        "modules/practice/notes.md",
        1,
        r"not listed in .*module.yaml",
    ),
    Case(
        "dangling-topic-link",
        replace(INTRO1, "(intro-02.md)", "(intro-09.md)"),
        INTRO1,
        "intro-09.md",
        r"does not resolve to a topic",
    ),
    Case(
        "javascript-link",
        replace(INTRO1, "(intro-02.md)", "(javascript:alert(1))"),
        INTRO1,
        "javascript:",
        r"unsafe link scheme 'javascript:'",
    ),
    Case(
        "data-link-in-feedback",
        replace(INTRO1, "correct: Yes, blue.", "correct: Yes, [blue](data:text/html,x)."),
        INTRO1,
        "data:text",
        r"unsafe link scheme 'data:'",
    ),
    Case(
        "missing-image",
        replace(INTRO1, "diagram.svg", "nothing.svg"),
        INTRO1,
        "nothing.svg",
        r"file .*nothing.svg' not found",
    ),
    Case(
        "image-without-alt",
        replace(INTRO1, "![Two boxes side by side, blue and red]", "![]"),
        INTRO1,
        "![](",
        r"no alt text",
    ),
    Case(
        "path-traversal-topic",
        replace(PRACTICE_YAML, "- practice-01.md", "- ../../../secret.md"),
        PRACTICE_YAML,
        "secret.md",
        r"inside the course directory",
    ),
    Case(
        "path-traversal-link",
        replace(INTRO2, "(intro-01.md#what-this-topic-says)", "(../../../../etc/passwd)"),
        INTRO2,
        "etc/passwd",
        r"outside the course directory",
    ),
    Case(
        "absolute-path-image",
        replace(INTRO1, "../../assets/diagram.svg", "/etc/diagram.svg"),
        INTRO1,
        "/etc/diagram.svg",
        r"absolute path",
    ),
    Case(
        "absolute-path-resource",
        replace("resources.yaml", "file: assets/handout.txt", "file: /etc/passwd"),
        "resources.yaml",
        "/etc/passwd",
        r"not an absolute one",
    ),
    Case("symlink-escape-topic", symlink_out, INTRO_YAML, "- intro-02.md", r"symbolic link points outside"),
    Case("symlink-escape-image", symlink_image_out, INTRO1, "diagram.svg", r"symbolic link points outside"),
    Case("symlink-escape-glossary", symlink_glossary_out, "glossary.yaml", 1, r"symbolic link points outside"),
    Case("symlink-escape-module", symlink_module_folder_out, "modules/practice/module.yaml", 1, r"outside the course"),
    Case("non-utf8-bytes", non_utf8, INTRO2, "The \ufffd", r"not valid UTF-8"),
    Case("bom", write("glossary.yaml", b"\xef\xbb\xbfterms: []\n"), "glossary.yaml", 1, r"byte order mark"),
    Case("empty-file", write("glossary.yaml", ""), "glossary.yaml", 1, r"file is empty"),
    Case("empty-topic-file", write(INTRO2, "   \n"), INTRO2, 1, r"file is empty"),
    Case(
        "single-without-correct",
        replace(INTRO1, "      - text: Blue\n        correct: true", "      - text: Blue"),
        INTRO1,
        "  - id: q1",
        r"questions\[0\]: .*exactly one choice",
    ),
    Case(
        "multiple-without-correct",
        chain(
            replace(INTRO1, '      - text: "2"\n        correct: true', '      - text: "2"'),
            replace(INTRO1, '      - text: "4"\n        correct: true', '      - text: "4"'),
        ),
        INTRO1,
        "  - id: q2",
        r"questions\[1\]: .*at least one choice",
    ),
    Case(
        "mastery-out-of-range",
        replace("course.yaml", "mastery_score: 0.8", "mastery_score: 80"),
        "course.yaml",
        "mastery_score: 80",
        r"tracking.mastery_score: must be at most 1, not 80$",
    ),
    Case(
        "threshold-zero",
        replace("course.yaml", "completion_threshold: 1.0", "completion_threshold: 0"),
        "course.yaml",
        "completion_threshold: 0",
        r"completion_threshold: must be more than 0, not 0$",
    ),
    Case(
        "negative-attempts",
        replace("course.yaml", "attempts: 2", "attempts: -1"),
        "course.yaml",
        "attempts: -1",
        r"attempts",
    ),
    Case(
        "unknown-question-type",
        replace(PRACTICE1, "type: ordering", "type: sorting"),
        PRACTICE1,
        "type: sorting",
        r"unknown question type",
    ),
    Case(
        "empty-module",
        chain(replace(PRACTICE_YAML, "topics:\n  - practice-01.md", "topics: []"), remove(PRACTICE1)),
        PRACTICE_YAML,
        "topics: []",
        r"module has no topics",
    ),
    Case(
        "duplicate-glossary-id",
        replace("glossary.yaml", "id: diaspora", "id: remittances"),
        "glossary.yaml",
        "id: remittances\n    term: Diaspora",
        r"duplicate id 'remittances'",
    ),
    Case(
        "unknown-glossary-link",
        replace(INTRO1, "glossary:remittances", "glossary:remitances"),
        INTRO1,
        "glossary:remitances",
        r"glossary term 'remitances' not found",
    ),
    Case(
        "bad-identifier",
        replace(INTRO1, "id: intro-01", "id: Intro_01"),
        INTRO1,
        "id: Intro_01",
        r"id: 'Intro_01' is not allowed here: an id is lowercase letters",
    ),
    Case(
        "bad-base-iri",
        replace("course.yaml", "https://example.org/courses/mini/", "example.org/mini"),
        "course.yaml",
        "base_iri:",
        r"base_iri",
    ),
    Case(
        "unsupported-language",
        replace("course.yaml", "language: en", "language: de"),
        "course.yaml",
        "language: de",
        r"language: must be 'en', .* or 'fr', not 'de'$",
    ),
    Case(
        "version-read-as-number",
        replace("course.yaml", "version: 1.0.0", "version: 1.0"),
        "course.yaml",
        "version: 1.0",
        r'version: expected text, but YAML reads 1.0 as a number: put it in quotes, e.g. "1.0"$',
    ),
    Case(
        "title-read-as-true",
        replace(INTRO1, "title: First topic", "title: yes"),
        INTRO1,
        "title: yes",
        r"title: expected text, but YAML reads this as true .*: put the text in quotes$",
    ),
    Case(
        "duplicate-yaml-key",
        replace("course.yaml", "version: 1.0.0", "version: 1.0.0\nversion: 1.0.1"),
        "course.yaml",
        "version: 1.0.1",
        r"duplicate key",
    ),
    Case("front-matter-not-closed", write(INTRO2, "---\nid: intro-02\ntitle: x\n"), INTRO2, 1, r"not closed"),
    Case("no-front-matter", write(INTRO2, "# Just text\n"), INTRO2, 1, r"must start with '---'"),
    Case(
        "listed-topic-missing",
        replace(PRACTICE_YAML, "- practice-01.md", "- practice-01.md\n  - practice-02.md"),
        PRACTICE_YAML,
        "practice-02.md",
        r"not found",
    ),
    Case(
        "resource-file-missing",
        replace("resources.yaml", "assets/handout.txt", "assets/missing.txt"),
        "resources.yaml",
        "missing.txt",
        r"not found",
    ),
    Case(
        "resource-unsafe-url",
        replace("resources.yaml", "url: https://example.org/", "url: javascript:alert(1)"),
        "resources.yaml",
        "javascript:",
        r"url: 'javascript:alert\(1\)' is not allowed here: a link starts with http://, https:// or mailto:$",
    ),
    Case(
        "resource-unknown-module",
        replace("resources.yaml", "module: intro", "module: intros"),
        "resources.yaml",
        "module: intros",
        r"unknown module 'intros'",
    ),
    Case(
        "matching-one-pair",
        replace(PRACTICE1, "      - left: Nepal\n        right: Kathmandu\n", ""),
        PRACTICE1,
        "pairs:",
        r"at least 2 items",
    ),
    Case(
        "module-without-yaml",
        write("modules/extra/extra-01.md", "---\nid: extra-01\n---\n"),
        "modules/extra",
        1,
        r"no module.yaml",
    ),
    Case(
        "bad-version",
        replace("course.yaml", "version: 1.0.0", "version: one"),
        "course.yaml",
        "version: one",
        r"version",
    ),
    Case("yaml-list-at-top", write("glossary.yaml", "- a\n- b\n"), "glossary.yaml", 1, r"expected a mapping"),
    Case(
        "billion-laughs",
        write(
            "glossary.yaml",
            "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
        ),
        "glossary.yaml",
        1,
        r"too large",
    ),
    Case(
        "python-tag",
        write("glossary.yaml", "terms: !!python/object/apply:os.system ['true']\n"),
        "glossary.yaml",
        1,
        r"invalid YAML: unsupported tag",
    ),
    Case(
        "duplicate-question-id",
        replace(INTRO1, "  - id: q2", "  - id: q1"),
        INTRO1,
        "  - id: q1\n    type: multiple",
        r"duplicate id 'q1'",
    ),
    Case(
        "feedback-missing",
        replace(
            PRACTICE1,
            "    feedback:\n      correct: Well matched.\n      incorrect: Senegal–Dakar, Nepal–Kathmandu.\n",
            "",
        ),
        PRACTICE1,
        "  - id: q1",
        r"questions\[0\].feedback: field required",
    ),
    Case(
        "true-false-answer-not-bool",
        replace(PRACTICE_YAML, "answer: true", "answer: maybe"),
        PRACTICE_YAML,
        "answer: maybe",
        r"answer: expected true or false, not 'maybe'$",
    ),
]


def expected_line(root: Path, case: Case) -> int:
    if isinstance(case.marker, int):
        return case.marker
    path = root / case.file
    text = path.read_bytes().decode("utf-8", errors="replace")
    index = text.index(case.marker)
    return text.count("\n", 0, index) + 1 + case.marker[: len(case.marker) - len(case.marker.lstrip("\n"))].count("\n")


def test_suite_is_large_enough() -> None:
    assert len({c.name for c in CASES}) == len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_course_is_reported_precisely(case: Case, minimal_course: Path) -> None:
    case.mutate(minimal_course)
    line = expected_line(minimal_course, case)
    result = CliRunner().invoke(main, ["validate", str(minimal_course)])
    output = result.output
    assert result.exit_code == 1, output
    assert "Traceback" not in output and result.exception is None or isinstance(result.exception, SystemExit)
    location = f"course/{case.file}:{line}: "
    matching = [row for row in output.splitlines() if row.startswith(location)]
    assert matching, f"expected a problem at {location}\n{output}"
    assert any(re.search(case.message, row) for row in matching), f"{case.message!r} not in {matching}"
