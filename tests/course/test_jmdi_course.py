"""The JMDI e-Toolbox course itself: complete against the original outline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from jmdi_scorm.cli import main
from jmdi_scorm.render.pages import render_site
from jmdi_scorm.source.narrow_layouts import is_narrow, narrow_of
from jmdi_scorm.source.validate import load_course

COURSE = Path(__file__).resolve().parents[2] / "course"
OUTLINE = {
    "core": ["core-01", "core-02", "core-03", "core-04", "core-05"],
    "m1": ["m1-01", "m1-02", "m1-03"],
    "m2": ["m2-01", "m2-02", "m2-03", "m2-04"],
    "m3": ["m3-01", "m3-02", "m3-03", "m3-04"],
    "m4": ["m4-01", "m4-02", "m4-03", "m4-04"],
    "m5": ["m5-01", "m5-02", "m5-03"],
}


@pytest.fixture(scope="module")
def course():
    loaded, _ = load_course(COURSE)
    return loaded


def test_course_validates_strictly() -> None:
    """No error and no warning, the item-writing lint's included (issue 14)."""
    result = CliRunner().invoke(main, ["validate", "--strict", str(COURSE)])
    assert result.exit_code == 0, result.output


def test_modules_and_topics_follow_the_outline(course) -> None:
    assert {m.id: [t.id for t in m.topics] for m in course.modules} == OUTLINE
    assert list(OUTLINE) == [m.id for m in course.modules]
    assert len(course.topics) == 23


@pytest.mark.parametrize("topic_id", [t for topics in OUTLINE.values() for t in topics])
def test_every_topic_is_complete(course, topic_id: str) -> None:
    topic = next(t for t in course.topics if t.id == topic_id)
    assert topic.word_count >= 900, f"{topic_id}: {topic.word_count} words"
    assert 3 <= len(topic.meta.objectives) <= 4
    assert 3 <= len(topic.questions) <= 5
    assert len({q.type for q in topic.questions}) >= 3, "several question kinds per topic"
    assert "::: case-study" in topic.body
    assert "::: takeaway" in topic.body
    assert "## Further reading" in topic.body


def test_every_module_has_an_assessment_and_a_figure(course) -> None:
    for module in course.modules:
        assert module.meta.assessment and len(module.meta.assessment.questions) >= 3, module.id
        figures = [a for a in course.assets if a.startswith(f"assets/figures/{module.id}-") and a.endswith(".svg")]
        assert figures, f"module {module.id} has no figure of its own"


def test_every_figure_has_a_narrow_layout_for_phones(course) -> None:
    """Issue 15: each SVG figure the course shows has its narrow layout ``NAME.narrow.svg`` beside it
    (docs/authoring.md), which phones show; ``validate --strict`` above checks its words, its text
    size and its width against the figure."""
    figures = [name for name in course.assets if name.endswith(".svg") and not is_narrow(name)]
    assert len(figures) >= 13
    assert [name for name in figures if narrow_of(name) not in course.assets] == []


def test_figure_captions_end_with_their_sources(course) -> None:
    """The year a figure was drawn is with its authors, not after the last source (issue 14:
    "…Reintegration Handbook (2019), 2026." read as a stray year)."""
    site = render_site(course)
    captions = [
        caption
        for module in course.modules
        for caption in re.findall(r"<figcaption>(.*?)</figcaption>", site.shared[f"print/{module.id}.html"].decode())
    ]
    assert len(captions) >= len(course.modules)
    for caption in captions:
        assert not re.search(r",\s*\d{4}\.?$", caption), caption
        assert "Source:" in caption, caption


def test_glossary_has_at_least_30_terms_linked_from_topics(course) -> None:
    assert len(course.glossary) >= 30
    linked = {term.id for term in course.glossary if any(f"glossary:{term.id})" in t.body for t in course.topics)}
    assert len(linked) >= 30, f"only {len(linked)} glossary terms are linked from topics"
