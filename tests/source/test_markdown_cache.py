"""Markdown parsed once per build: the build's token cache (``BuildContext.tokens``) and the
plain-text shortcut give the same HTML and the same check results as a fresh parse of every text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jmdi_scorm.render import i18n
from jmdi_scorm.render.markdown_html import Context, MarkdownRenderer
from jmdi_scorm.render.pages import render_site
from jmdi_scorm.source import markdown
from jmdi_scorm.source.context import BuildContext
from jmdi_scorm.source.model import Course
from jmdi_scorm.source.validate import load_course
from tests.conftest import MINIMAL, ROOT
from tests.support.budget import examples

#: Texts that look plain but are not, and texts markdown-it's link check refuses in part.
TRICKY = [
    "Plain text.",
    "Plain text.\n",
    "Plain text.\n\n",
    "Trailing space \n",
    "Two  spaces inside",
    "Ends with a space ",
    " Leading space",
    "    Indented code",
    "1. A list",
    "- A list",
    "A line\nand another",
    "A title\n===",
    "Emphasis *here* and _there_",
    "Code `x`",
    "Fish & chips",
    'A "quote"',
    "Less < more > less",
    "An escape \\* here",
    "An entity &amp; here",
    "A [link](https://example.org)",
    "Women's cooperative: plans (2024), 50% done / maybe?",
    "::: takeaway\nText\n:::",
    "# Heading",
    "A footnote[^1]\n\n[^1]: note",
    "A | table",
    "[bad](javascript:alert(1)) and [good](https://example.org)",
    "![img](data:text/html;base64,AAAA) and ![ok](data:image/png;base64,AAAA)",
    "<javascript:alert(1)> and <https://example.org>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "[ref]\n\n[ref]: https://example.org",
    '![A caption](pic.png "Title")',
    "Text with <b>html</b>",
]
#: Characters that make Markdown, and letters, digits and spaces of other scripts.
ALPHABET = "aZé7 ,.;:?!'()/%-_*`#>&<\"\\[]|~=+\n\t\u203f\u0628\u0663\u00a0\u0301\r"


def _texts(course: Course) -> list[str]:
    """Every Markdown text a course renders."""
    texts = [course.meta.description or "", course.meta.how_to_use or ""]
    for module in course.modules:
        texts.append(module.meta.aim)
        questions = list(module.meta.assessment.questions) if module.meta.assessment else []
        for topic in module.topics:
            texts.append(topic.body)
            questions += topic.questions
        for question in questions:
            texts += [question.prompt, question.feedback.correct, question.feedback.incorrect]
            for choice in getattr(question, "choices", []):
                texts += [choice.text, choice.feedback or ""]
    return [text for text in texts if text]


def _fresh_html(md: MarkdownRenderer, text: str, ctx: Context) -> str:
    """What ``md.html`` gave before: its own parser, on every call."""
    env = {"jmdi": ctx, "docId": ctx.next_id("fn")}
    return str(md.md.renderer.render(md.md.parse(text, {}), md.md.options, env))


def _same_html(course: Course, text: str, tokens: markdown.TokenCache) -> None:
    renderer = MarkdownRenderer(course, i18n.strings("en"), tokens=tokens)
    for mode in ("site", "print"):
        cached, fresh = (Context(base="modules/intro", page="p1", mode=mode) for _ in range(2))
        assert renderer.html(text, cached) == _fresh_html(renderer, text, fresh), (text, mode)
        assert renderer.html(text, cached) == _fresh_html(renderer, text, fresh), (text, mode)  # from cache
        assert cached.counter == fresh.counter and cached.assets == fresh.assets


def _same_checks(text: str, cache: markdown.TokenCache) -> None:
    tokens = markdown.checking_parser().parse(text)
    links = [c for t in tokens if t.type == "inline" for c in t.children or [] if c.type in ("link_open", "image")]
    heads = [t for t in tokens if t.type == "heading_open"]
    assert len(list(markdown.find_links(cache, text))) == len(links), text
    assert len(list(markdown.headings(cache, text))) == len(heads), text


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(MINIMAL)[0]


@pytest.fixture(scope="module")
def jmdi() -> Course:
    return load_course(ROOT / "course")[0]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts_render_and_check_as_a_fresh_parse(course: Course, text: str) -> None:
    tokens = markdown.TokenCache()
    _same_html(course, text, tokens)
    _same_checks(text, tokens)


def test_every_text_of_the_courses_renders_as_a_fresh_parse(course: Course, jmdi: Course) -> None:
    for each in (course, jmdi):
        tokens = markdown.TokenCache()
        for text in _texts(each):
            _same_html(each, text, tokens)
            _same_checks(text, tokens)


def test_plain_texts_are_recognised(jmdi: Course) -> None:
    assert markdown.is_plain("Correct. The municipality's plan (2024) works: 50% / 100%?\n")
    for text in ("Ends with a space ", " Leading", "1 thing", "A *b*", "A\nB", "A & B", "_a"):
        assert not markdown.is_plain(text), text


@settings(max_examples=examples(400), deadline=None)
@given(st.text(alphabet=st.sampled_from(list(ALPHABET)), max_size=24))
def test_plain_shortcut_matches_the_parser(text: str) -> None:
    if markdown.is_plain(text):
        assert markdown.plain_html(text) == markdown.new_parser().render(text)
        cache = markdown.TokenCache()
        assert not list(markdown.find_links(cache, text)) and not list(markdown.headings(cache, text))


def test_a_text_is_parsed_once_per_build(course: Course, monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = markdown.TokenCache()
    calls: list[str] = []
    parse = tokens._md.parse
    monkeypatch.setattr(tokens._md, "parse", lambda text, env=None: calls.append(text) or parse(text, env))
    text = "A [link](https://example.org) and *emphasis*."
    list(markdown.find_links(tokens, text))
    list(markdown.headings(tokens, text))
    MarkdownRenderer(course, i18n.strings("en"), tokens=tokens).html(text, Context(base=".", page="p"))
    assert calls == [text]


def test_the_checks_parse_serves_the_site(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each body is parsed once in a load and build: by the checks; the site reuses their tokens."""
    course, ctx = load_course(MINIMAL)
    parsed = set(ctx.build.tokens._parsed)
    assert {topic.body for topic in course.topics} <= parsed
    calls: list[str] = []
    monkeypatch.setattr(ctx.build.tokens._md, "parse", lambda text, env=None: calls.append(text) or [])
    site = render_site(course, None, ctx.build)
    assert site.context is ctx.build
    assert not [text for text in calls if text in parsed]


def test_each_load_has_its_own_cache_and_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    _, first = load_course(MINIMAL)
    _, second = load_course(MINIMAL)
    assert first.build is not second.build and first.build.tokens is not second.build.tokens
    assert BuildContext().tokens is not BuildContext().tokens
    tokens = markdown.TokenCache()
    monkeypatch.setattr(markdown, "MAX_TEXTS", 3)
    for index in range(10):
        tokens.get(f"*text {index}*")
    assert len(tokens._parsed) <= 3


def test_allow_html_courses_parse_with_their_own_parser(course: Course) -> None:
    meta = course.meta.model_copy(update={"allow_html": True})
    html_course = course.model_copy(update={"meta": meta})
    text = "Text with <b>html</b> and <script>x</script>"
    renderer = MarkdownRenderer(html_course, i18n.strings("en"))
    html = renderer.html(text, Context(base=".", page="p"))
    assert "<b>html</b>" in html and "<script>" not in html
