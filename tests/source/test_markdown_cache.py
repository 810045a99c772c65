"""Markdown parsed once per build: the build's token cache (``BuildContext.tokens``) and the
plain-text shortcut give the same HTML and the same check results as a fresh parse of every text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jmdi_scorm.render import i18n
from jmdi_scorm.render.markdown_html import Context, MarkdownRenderer
from jmdi_scorm.render.pages import render_site
from jmdi_scorm.source import markdown, token_cache
from jmdi_scorm.source.context import BuildContext
from jmdi_scorm.source.model import Course
from jmdi_scorm.source.validate import checked_course, load_course
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


def _same_html(course: Course, text: str, tokens: token_cache.TokenCache) -> None:
    renderer = MarkdownRenderer(course, i18n.strings("en"), tokens=tokens)
    for mode in ("site", "print"):
        cached, fresh = (Context(base="modules/intro", page="p1", mode=mode) for _ in range(2))
        assert renderer.html(text, cached) == _fresh_html(renderer, text, fresh), (text, mode)
        assert renderer.html(text, cached) == _fresh_html(renderer, text, fresh), (text, mode)  # from cache
        assert cached.counter == fresh.counter and cached.assets == fresh.assets


def _same_checks(text: str, cache: token_cache.TokenCache) -> None:
    tokens = markdown.checking_parser().parse(text)
    links = [c for t in tokens if t.type == "inline" for c in t.children or [] if c.type in ("link_open", "image")]
    heads = [t for t in tokens if t.type == "heading_open"]
    assert len(list(token_cache.find_links(cache, text))) == len(links), text
    assert len(list(token_cache.headings(cache, text))) == len(heads), text


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(MINIMAL)[0]


@pytest.fixture(scope="module")
def jmdi() -> Course:
    return load_course(ROOT / "course")[0]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts_render_and_check_as_a_fresh_parse(course: Course, text: str) -> None:
    tokens = token_cache.TokenCache()
    _same_html(course, text, tokens)
    _same_checks(text, tokens)


def test_every_text_of_the_courses_renders_as_a_fresh_parse(course: Course, jmdi: Course) -> None:
    for each in (course, jmdi):
        tokens = token_cache.TokenCache()
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
        cache = token_cache.TokenCache()
        assert not list(token_cache.find_links(cache, text)) and not list(token_cache.headings(cache, text))


def test_a_text_is_parsed_once_per_build(course: Course, monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = token_cache.TokenCache()
    calls: list[str] = []
    parse = tokens._md.parse
    monkeypatch.setattr(tokens._md, "parse", lambda text, env=None: calls.append(text) or parse(text, env))
    text = "A [link](https://example.org) and *emphasis*."
    list(token_cache.find_links(tokens, text))
    list(token_cache.headings(tokens, text))
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
    tokens = token_cache.TokenCache()
    monkeypatch.setattr(token_cache, "MAX_TEXTS", 3)
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


def test_tokens_sent_between_processes_are_the_same_tokens(jmdi: Course) -> None:
    """What a worker of the early parse sends (``pack_tokens``, ``Facts``) and the build's cache
    keeps (``adopt``) is what parsing the text here gives: the same tokens, the same check facts."""
    texts = [*_texts(jmdi), *TRICKY]
    here, sent = token_cache.TokenCache(), token_cache.TokenCache()
    for text in texts:
        parsed = here.get(text)
        packed = token_cache.pack_tokens(parsed.tokens)
        assert token_cache.unpack_tokens(packed) == parsed.tokens, text
        sent.adopt(text, packed, parsed.links_valid, parsed.facts)
    for text in texts:
        fresh = token_cache.TokenCache().get(text)
        received = sent.get(text)
        assert (received.tokens, received.links_valid) == (fresh.tokens, fresh.links_valid), text
        assert received.facts == token_cache.facts_of(fresh.tokens), text
    assert any(token_cache.find_links(sent, text) for text in texts)  # facts that say something


def test_the_early_parse_gives_the_checks_the_same_course(tmp_path: Path) -> None:
    """``load_course(..., jobs=2)`` parses the topics in two workers while it reads the course: the
    same course, the same problems, every topic's tokens already in the cache."""
    copy = tmp_path / "course"
    shutil.copytree(MINIMAL, copy)
    topic = copy / "modules" / "intro" / "intro-02.md"
    topic.write_text(topic.read_text(encoding="utf-8") + "\n# A level-one heading\n\n[gone](missing.md)\n")
    alone, workers_ = (checked_course(copy, jobs) for jobs in (1, 2))
    assert alone[0] == workers_[0] and alone[1].problems == workers_[1].problems
    assert {p.message for p in alone[1].problems} >= {"link to 'missing.md' does not resolve to a topic of the course"}
    cache = workers_[1].tokens
    assert all(
        topic.body in cache._parsed and cache._parsed[topic.body]._tokens is None for topic in workers_[0].topics
    )
