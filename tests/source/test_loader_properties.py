"""Property tests: random YAML and front matter only ever produce the project's own errors."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jmdi_scorm.errors import CourseError
from jmdi_scorm.source.validate import load_course
from tests.support.budget import examples

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=20,
)
FIELDS = ["id", "title", "summary", "objectives", "minutes", "questions", "type", "choices", "prompt", "feedback"]
structured = st.dictionaries(st.sampled_from(FIELDS), values, max_size=8)
raw_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
SETTINGS = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _load(course: Path) -> None:
    try:
        load_course(course)
    except CourseError as exc:
        assert exc.problems, "a CourseError always lists its problems"


@SETTINGS
@given(front=st.one_of(raw_text, structured.map(lambda d: yaml.safe_dump(d, allow_unicode=True))), body=raw_text)
def test_random_front_matter_only_raises_course_error(minimal_course: Path, front: str, body: str) -> None:
    (minimal_course / "modules/intro/intro-02.md").write_text(f"---\n{front}\n---\n{body}", encoding="utf-8")
    _load(minimal_course)


@SETTINGS
@given(text=st.one_of(raw_text, values.map(lambda v: yaml.safe_dump(v, allow_unicode=True))))
def test_random_course_yaml_only_raises_course_error(minimal_course: Path, text: str) -> None:
    (minimal_course / "course.yaml").write_text(text, encoding="utf-8")
    _load(minimal_course)


@SETTINGS
@given(data=st.binary(max_size=200))
def test_random_bytes_in_module_yaml_only_raise_course_error(minimal_course: Path, data: bytes) -> None:
    (minimal_course / "modules/practice/module.yaml").write_bytes(data)
    _load(minimal_course)
