"""Rendering the site: Markdown rewrites, pages, print pages, launch page, theme overrides."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest

from jmdi_scorm.errors import BuildError, CourseError
from jmdi_scorm.locale import LANGUAGES
from jmdi_scorm.render import i18n
from jmdi_scorm.render.compact import compact_js
from jmdi_scorm.render.launch_page import hash_source, launch_script, launch_style
from jmdi_scorm.render.markdown_html import Context, MarkdownRenderer
from jmdi_scorm.render.pages import course_files, render_site
from jmdi_scorm.render.questions import correct_answer
from jmdi_scorm.render.site import ADAPTERS, Scope
from jmdi_scorm.source import spec_limits
from jmdi_scorm.source.question_kinds import LETTERS
from jmdi_scorm.source.validate import load_course
from tests.conftest import MINIMAL, ROOT

RUNTIME = ROOT / "src" / "jmdi_scorm" / "runtime"


@pytest.fixture(scope="module")
def course():
    return load_course(MINIMAL)[0]


@pytest.fixture(scope="module")
def site(course):
    return render_site(course)


@pytest.fixture(scope="module")
def md(course):
    return MarkdownRenderer(course, i18n.strings("en"), course_files(course))


def page_data(site, page_id: str) -> dict:
    text = site.files[f"content/{page_id}.js"].decode()
    assert text.startswith("JMDI.page(") and text.endswith(");\n")
    return json.loads(text[len("JMDI.page(") : -3])


def render(md, text: str, **kw) -> str:
    return md.html(text, Context(base="modules/intro", page="intro-01", **kw))


def test_topic_links_become_course_links(md) -> None:
    html = render(md, "[a](intro-02.md) [b](../practice/practice-01.md#some-part) [c](#here)")
    assert '<a href="#/intro-02">a</a>' in html
    assert '<a href="#/practice-01/some-part">b</a>' in html
    assert '<a href="#here">c</a>' in html


def test_glossary_links_point_at_the_glossary_entry(md) -> None:
    html = render(md, "[money](glossary:remittances)")
    assert '<a href="#/glossary/term-remittances" class="jmdi-term">money</a>' in html


def test_external_and_file_links_open_a_new_window(md) -> None:
    html = render(md, "[site](https://example.org/) [file](../../assets/handout.txt)")
    assert '<a href="https://example.org/" target="_blank" rel="noopener noreferrer" class="jmdi-ext">' in html
    assert 'href="assets/handout.txt" target="_blank"' in html


def test_titled_image_alone_becomes_a_figure(md) -> None:
    html = render(
        md, '![Alt text](../../assets/diagram.svg "A caption & source")\n\nText ![x](../../assets/diagram.svg "t") y'
    )
    # In the site, the figure is a link the core opens in the figure viewer (issue 15).
    assert re.search(
        r'<figure class="jmdi-figure"><a class="jmdi-zoom" href="assets/diagram.svg" target="_blank" '
        r'aria-haspopup="dialog"><picture><source [^>]*><img src="assets/diagram.svg" alt="Alt text"[^>]*></picture>'
        r"<span> Open full size</span></a><figcaption>A caption &amp; source</figcaption></figure>",
        html,
    )
    printed = render(md, '![Alt text](../../assets/diagram.svg "A caption")', mode="print")
    assert re.search(r'<figure class="jmdi-figure"><img src="../assets/diagram.svg" alt="Alt text"[^>]*>', printed)
    assert "jmdi-zoom" not in printed
    assert (
        '<img src="assets/diagram.svg" alt="x" width="80" height="80" loading="lazy" decoding="async" title="t">'
        "</picture> y</p>" in html
    )


def test_images_keep_their_place_before_they_load(minimal_course: Path) -> None:
    """Width and height the file states go on the <img>, so nothing moves when it arrives; an SVG
    with only a viewBox, or a file of unknown kind, keeps the browser's own sizing."""
    assets = minimal_course / "assets"
    (assets / "wide.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="12cm" height="6cm"/>')
    (assets / "ratio.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360"/>')
    files = {f"assets/{file.name}": file.read_bytes() for file in assets.iterdir()}
    renderer = MarkdownRenderer(load_course(minimal_course)[0], i18n.strings("en"), files)
    html = render(renderer, "![a](../../assets/wide.svg) ![b](../../assets/ratio.svg) ![c](../../assets/handout.txt)")
    assert '<img src="assets/wide.svg" alt="a" width="454" height="227" loading' in html
    assert '<img src="assets/ratio.svg" alt="b" loading' in html
    assert '<img src="assets/handout.txt" alt="c" loading' in html


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("case-study", "Case study"),
        ("takeaway", "Key takeaway"),
        ("definition", "Definition"),
        ("did-you-know", "Did you know?"),
    ],
)
def test_containers_are_labelled_asides(md, name: str, label: str) -> None:
    html = render(md, f"::: {name} Its title\nBody.\n:::\n")
    match = re.search(r'<aside class="jmdi-box jmdi-box-([a-z-]+)" role="note" aria-labelledby="([^"]+)">', html)
    assert match and match.group(1) == name
    assert f'id="{match.group(2)}"><span class="jmdi-box-kind">{label}</span>' in html
    assert '<span class="jmdi-box-name">Its title</span>' in html and "<p>Body.</p>" in html


def test_raw_html_is_escaped_and_headings_get_ids(md) -> None:
    html = render(md, "<script>alert(1)</script>\n\n## A heading\n\n## A heading\n\n[x](javascript:alert(1))")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<h2 id="a-heading">' in html and '<h2 id="a-heading-1">' in html
    assert "javascript:" not in html.replace("[x](javascript:alert(1))", "")


def test_tables_scroll_in_a_focusable_region(md) -> None:
    html = render(md, "| a | b |\n|---|---|\n| 1 | 2 |\n\ntext\n\n| c |\n|---|\n| 3 |\n")
    hint = "scroll sideways if it is wider than the screen"
    assert f'<div class="jmdi-table" role="region" tabindex="0" aria-label="Table 1: {hint}">' in html
    assert f'aria-label="Table 2: {hint}"' in html


def test_print_mode_links_and_headings(md) -> None:
    printed = frozenset({"intro-01", "intro-02"})
    html = render(
        md,
        "## Part\n\n[a](intro-02.md#sec) [b](../practice/practice-01.md) [g](glossary:diaspora) ![i](../../assets/diagram.svg)",
        mode="print",
        printed=printed,
        id_prefix="intro-01--",
    )
    assert '<h3 id="intro-01--part">Part</h3>' in html
    assert '<a href="#intro-02--sec">a</a>' in html
    assert '<span class="jmdi-xref">b</span>' in html and '<span class="jmdi-xref">g</span>' in html
    assert '<img src="../assets/diagram.svg" alt="i" width="80" height="80" decoding="async">' in html


def test_every_page_has_a_content_script(site) -> None:
    ids = [p.id for p in site.pages]
    assert ids == [
        "home", "intro", "intro-01", "intro-02", "practice", "practice-01", "practice.assessment",
        "summary", "glossary", "resources",
    ]  # fmt: skip
    for page in site.pages[1:]:
        assert page_data(site, page.id)["id"] == page.id
    assert "content/home.js" not in site.files  # the home page is inside index.html


def test_topic_page_has_its_knowledge_check_at_the_end(site) -> None:
    data = page_data(site, "intro-01")
    html = data["html"]
    assert html.index('class="jmdi-body"') < html.index('class="jmdi-check"')
    assert [m for m in re.findall(r'data-key="([^"]+)"', html)] == ["intro-01.q1", "intro-01.q2", "intro-01.q3"]
    assert data["questions"]["q2"]["correct"] == "ac"
    assert data["questions"]["q2"]["pattern"] == ["a", "c"]
    assert data["questions"]["q3"]["pattern"] == ["true"]


def test_matching_and_ordering_are_shuffled_and_recorded_by_position(site) -> None:
    data = page_data(site, "practice-01")
    assert data["questions"]["q1"]["pattern"] == ["1.a", "2.b"]
    assert data["questions"]["q2"]["correct"] == "abcd"
    order = re.findall(r'<li data-item="([a-d])">', data["html"])
    assert sorted(order) == list("abcd") and order != list("abcd")
    options = re.findall(r'<option value="([ab])">', data["html"])
    assert options[:2] != ["a", "b"]


def _shown_choices(site, page_id: str, qid: str) -> list[str]:
    """The option identifiers of a question of a page, in the order its form shows them."""
    form = lxml.html.fromstring(page_data(site, page_id)["html"]).get_element_by_id(f"q-{page_id}-{qid}")
    return [box.get("value") for box in form.xpath(".//input")]


def _printed_choices(site, module: str, prompt: str) -> list[str]:
    """The texts of the options a print page lists under ``prompt``, in their order."""
    page = lxml.html.fromstring(site.files[f"print/{module}.html"])
    (question,) = [q for q in _all(page, "jmdi-print-q") if prompt in _text(q)]
    return [_text(li)[1:].strip() for li in _one(question, "jmdi-print-options").xpath("./li")]


def test_choices_are_shown_shuffled_and_printed_as_written(minimal_course: Path) -> None:
    """The options of single and multiple-choice questions were shown as written, so the key had a
    pattern (the JMDI course: the first option right in 24 of 25 multiple-response questions).
    The pages show a fixed shuffle (the same at every render), the print page the authored order;
    the identifiers stay the authored ones, so the state and the records do not change;
    ``shuffle: false`` keeps a question's order."""
    course = load_course(minimal_course)[0]
    site = render_site(course)
    shown = _shown_choices(site, "intro-01", "q2")  # "2" (a, right), "3" (b), "4" (c, right)
    assert sorted(shown) == ["a", "b", "c"] and shown != ["a", "b", "c"]
    assert _shown_choices(render_site(course), "intro-01", "q2") == shown  # every visit, every build
    data = page_data(site, "intro-01")["questions"]["q2"]
    assert (data["correct"], data["pattern"]) == ("ac", ["a", "c"])
    assert _printed_choices(site, "intro", "Which are even numbers?") == ["2", "3", "4"]

    topic = minimal_course / "modules" / "intro" / "intro-01.md"
    text = topic.read_text(encoding="utf-8")
    topic.write_text(text.replace("    type: multiple\n", "    type: multiple\n    shuffle: false\n", 1), "utf-8")
    kept = render_site(load_course(minimal_course)[0])
    assert _shown_choices(kept, "intro-01", "q2") == ["a", "b", "c"]


def test_fill_in_keeps_a_bounded_answer(site) -> None:
    q = page_data(site, "intro-02")["questions"]["q1"]
    assert q["answers"] == ["remittances", "remittance"] and q["cs"] is False and q["budget"] == 40


def test_launch_page(site) -> None:
    html = site.shell("local").decode()
    assert '<html lang="en" dir="ltr">' in html
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html).group(1)
    csp = csp.replace("&#39;", "'")
    assert csp.startswith("default-src 'self'; script-src 'self' 'sha256-")
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts == [  # the local adapter first: asked for with the page's first bytes (issue 16)
        ' src="runtime/jmdi-local.js" defer',
        ' type="application/json" id="jmdi-config"',
        "",  # the core, at the end
    ]
    # A tracking adapter is not in the launch page: the core loads it once the first page is up.
    assert "jmdi-scorm12.js" not in site.shell("scorm12").decode()
    assert re.findall(r"<script src=", site.shell("scorm12").decode()) == []
    # The style sheet and the core are written in, and the policy allows exactly their texts.
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    assert style == launch_style() and '<link rel="stylesheet"' not in html
    core = re.search(r"<script>(.*?)</script>\n</body>", html, re.S).group(1)
    assert core == launch_script() and "registerAdapter" in core
    assert f"script-src 'self' {hash_source(core)};" in csp and f"style-src 'self' {hash_source(style)};" in csp
    config = json.loads(re.search(r'id="jmdi-config">(.*?)</script>', html, re.S).group(1))
    assert config["adapter"] == "local" and config["tracking"]["attempts"] == 2
    assert [p["id"] for p in config["pages"]][:3] == ["home", "intro", "intro-01"]
    assert ' style="' not in html and html.count("<style") == 1
    assert 'data-page="home"' in html and "A tiny course used by the tests." in html


def test_no_file_refers_outside_the_package(site) -> None:
    remote = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)
    for name, data in site.files.items():
        if name.endswith((".html", ".js", ".css")):
            text = data.decode()
            if name.startswith("content/") or name.startswith("print/"):
                text = re.sub(r'<a [^>]*class=\\?"jmdi-ext\\?"[^>]*>', "", text)  # learner-clicked links
                text = re.sub(r'<a href=\\?"https?://[^>]*>', "", text)
            assert not remote.search(text), name
            assert "@import" not in text and "url(http" not in text, name


def test_adapter_config_and_csp_overrides(site) -> None:
    html = site.shell("local", adapter_config={"endpoint": "x"}, csp={"connect-src": "https:"}).decode()
    assert '"adapterConfig":{"endpoint":"x"}' in html and "connect-src https:" in html
    with pytest.raises(BuildError, match="no runtime adapter 'nope'"):
        site.shell("nope")


def test_adapters_are_the_declared_ones(site) -> None:
    """Adapters are named in one place (site.ADAPTERS), not found by file name: jmdi-core.js (written
    into the launch page), jmdi-scorm-common.js (put into the SCORM adapters, with their spec limits)
    and jmdi-xapi-common.js (joined into the xAPI adapters) are not adapters, and ship compacted."""
    assert sorted(site.adapters) == sorted(ADAPTERS) == ["cmi5", "local", "scorm12", "scorm2004", "xapi"]
    assert "runtime/jmdi-xapi-common.js" not in site.files and "runtime/jmdi-core.js" not in site.files
    with pytest.raises(BuildError, match="no runtime adapter 'xapi-common'"):
        site.shell("xapi-common")
    assert "runtime/jmdi-scorm-common.js" not in site.files
    common = (RUNTIME / "jmdi-scorm-common.js").read_text(encoding="utf-8")
    for name, code in site.adapters.items():
        source = (RUNTIME / f"jmdi-{name}.js").read_text(encoding="utf-8")
        if name.startswith("scorm"):
            limits = json.dumps(spec_limits.runtime_limits(name), separators=(",", ":"))
            source = source.replace("  // JOIN jmdi-scorm-common.js\n", common).replace("SPEC_LIMITS", limits)
        assert code.decode() == compact_js(source) and len(code) < 0.9 * len(source.encode())


def test_launch_page_strings_are_its_adapters(site) -> None:
    """Each launch page carries the UI strings of the core and the notices of its own adapter only."""
    strings = {
        adapter: json.loads(re.search(r'id="jmdi-config">(.*?)</script>', site.shell(adapter).decode()).group(1))[
            "strings"
        ]
        for adapter in ("local", "scorm12", "xapi")
    }
    assert "local_unavailable" in strings["local"] and "lms_unavailable" not in strings["local"]
    assert "lms_unavailable" in strings["scorm12"] and "local_unavailable" not in strings["scorm12"]
    assert not {"lms_unavailable", "local_unavailable"} & set(strings["xapi"])  # its notices: adapterConfig
    # The exit page's way back in: only without an LMS (issue 15).
    assert "return_to_course" in strings["local"] and "return_to_course" not in strings["scorm12"]
    assert set(strings["xapi"]) | {"lms_unavailable", "local_unavailable", "return_to_course"} == set(i18n.CLIENT_KEYS)


def test_module_scope_keeps_its_own_files(site) -> None:
    files = site.files_for(Scope("intro"))
    assert "content/intro-01.js" in files and "print/intro.html" in files and "assets/diagram.svg" in files
    assert "content/practice-01.js" not in files and "print/practice.html" not in files
    assert "content/glossary.js" in files and "runtime/jmdi-questions.js" in files
    package = site.package_files("local", Scope("intro"))
    assert "runtime/jmdi-scorm12.js" not in package and "runtime/jmdi-local.js" in package
    config = re.search(r'id="jmdi-config">(.*?)</script>', package["index.html"].decode(), re.S).group(1)
    assert "practice-01" not in config and '"scope":"intro"' in config


def test_print_page_has_every_topic_and_no_script(site) -> None:
    html = site.files["print/intro.html"].decode()
    assert "<script" not in html and 'href="../runtime/jmdi.css"' in html
    assert '<section class="jmdi-print-topic" id="intro-01"' in html and 'id="intro-02"' in html
    assert '<a href="#intro-02">next topic</a>' in html
    assert '<a href="#intro-01--what-this-topic-says">first topic</a>' in html
    assert "Content-Security-Policy" in html


def _cls(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _all(element, name: str) -> list:
    return element.xpath(f".//*[{_cls(name)}]")


def _one(element, name: str):
    (found,) = _all(element, name)
    return found


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _check_print_page(course, site, module) -> None:
    """The print page of ``module`` (issue 14): every question of its topics and assessment,
    numbered through the module, and an answer key that gives the model's right answers."""
    page = lxml.html.fromstring(site.files[f"print/{module.id}.html"])
    questions = [q for topic in module.topics for q in topic.questions]
    questions += module.meta.assessment.questions if module.meta.assessment else []
    printed = page.xpath(f".//ol[{_cls('jmdi-print-questions')}]/li[{_cls('jmdi-print-q')}]")
    keys = page.xpath(f".//section[{_cls('jmdi-print-key')}]//ol[{_cls('jmdi-print-key-list')}]/li")
    assert len(printed) == len(keys) == len(questions), module.id
    numbers = [f"{n}." for n in range(1, len(questions) + 1)]
    assert [_text(_one(li, "jmdi-print-qn")) for li in printed] == numbers
    assert [_text(_one(li, "jmdi-print-qn")) for li in keys] == numbers
    if module.meta.assessment:
        (section,) = page.xpath(f".//section[{_cls('jmdi-print-assessment')}]")
        assert module.meta.assessment.title in _text(section.xpath(".//h2")[0])
        assert len(_all(section, "jmdi-print-q")) == len(module.meta.assessment.questions)
    key_headings = [_text(h) for h in page.xpath(f".//section[{_cls('jmdi-print-key')}]//h3")]
    places = [t.title for t in module.topics if t.questions] + (
        [module.meta.assessment.title] if module.meta.assessment else []
    )
    assert key_headings == places
    for question, shown, key in zip(questions, printed, keys, strict=True):
        answer = _one(key, "jmdi-print-key-answer")
        why = _one(key, "jmdi-print-why")
        assert _text(why).startswith("Why:")  # the authored explanation follows
        assert _text(why).split()[1].strip("*_") == question.feedback.correct.split()[0].strip("*_")
        right = correct_answer(question)
        if question.type in ("single", "multiple"):
            assert "".join(_text(x) for x in _all(answer, "jmdi-print-letter")) == right
            options = [_text(x) for x in _all(_one(shown, "jmdi-print-options"), "jmdi-print-letter")]
            assert options == list(LETTERS[: len(question.choices)])
        elif question.type == "true-false":
            assert _text(answer).endswith("True" if question.answer else "False")
        elif question.type == "fill-in":
            assert question.answers[0] in _text(answer)
        elif question.type == "matching":
            # on paper: a table, each left item with a blank, the right items lettered
            (table,) = _all(shown, "jmdi-print-match")
            rows = table.xpath(".//tr")
            assert len(rows) == len(question.pairs) and all(_all(row, "jmdi-print-line") for row in rows)
            letter_of = {_text(row[4]): _text(row[3]) for row in rows}
            assert sorted(letter_of) == sorted(p.right for p in question.pairs)
            for row, pair in zip(answer.xpath(".//tr"), question.pairs, strict=True):
                assert _text(row[1]) == pair.left and _text(row[3]) == pair.right
                assert _text(row[2]) == letter_of[pair.right]  # the letter printed next to its match
        elif question.type == "ordering":
            letter_of = {
                _text(li)[1:].strip(): _text(_one(li, "jmdi-print-letter"))
                for li in _one(shown, "jmdi-print-options").xpath("./li")
            }
            order = answer.xpath(".//li")
            assert [_text(li)[1:].strip() for li in order] == list(question.items)
            assert [_text(_one(li, "jmdi-print-letter")) for li in order] == [
                letter_of[item] for item in question.items
            ]
            assert len(_all(shown, "jmdi-print-box")) == len(question.items)  # a blank per item
        else:
            raise AssertionError(f"no check for {question.type} questions")


def test_print_pages_have_the_questions_and_their_answer_key(course, site) -> None:
    kinds = set()
    for module in course.modules:
        _check_print_page(course, site, module)
        kinds.update(q.type for t in module.topics for q in t.questions)
    assert kinds >= {"single", "multiple", "true-false", "fill-in", "matching", "ordering"}
    html = site.files["print/practice.html"].decode()
    assert '<section class="jmdi-print-assessment"' in html and "Answer key" in html


@pytest.mark.parametrize("answers", ["knowledge-checks", "none"])
def test_the_course_can_keep_the_assessment_answers_out_of_the_print_pages(minimal_course: Path, answers: str) -> None:
    """``tracking.answer_key``: the graded assessment's answers (or every answer) stay out of what
    learners print and download; the questions are printed all the same."""
    yaml = minimal_course / "course.yaml"
    text = yaml.read_text(encoding="utf-8").replace("tracking:\n", f"tracking:\n  answer_key: {answers}\n", 1)
    yaml.write_text(text, encoding="utf-8")
    course = load_course(minimal_course)[0]
    assert course.meta.tracking.answer_key == answers
    module = next(m for m in course.modules if m.meta.assessment)
    page = lxml.html.fromstring(render_site(course).files[f"print/{module.id}.html"])
    checks = [q for topic in module.topics for q in topic.questions]
    assessment = module.meta.assessment.questions
    assert len(_all(page, "jmdi-print-q")) == len(checks) + len(assessment)  # every question printed
    key = page.xpath(f".//section[{_cls('jmdi-print-key')}]")
    if answers == "none":
        assert key == []
        return
    (key,) = key
    headings = [_text(h) for h in key.xpath(".//h3")]
    assert headings == [t.title for t in module.topics if t.questions]  # not the assessment's title
    assert len(key.xpath(f".//ol[{_cls('jmdi-print-key-list')}]/li")) == len(checks)
    assert i18n.strings("en")["answer_key_intro_checks"] in _text(key)


def test_the_jmdi_print_pages_have_every_question_and_its_answer() -> None:
    jmdi = load_course(ROOT / "course")[0]
    jmdi_site = render_site(jmdi)
    for module in jmdi.modules:
        assert module.meta.assessment, module.id
        _check_print_page(jmdi, jmdi_site, module)


def test_arabic_is_right_to_left(minimal_course: Path) -> None:
    yaml = minimal_course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("language: en", "language: ar"), encoding="utf-8")
    site = render_site(load_course(minimal_course)[0])
    html = site.shell("local").decode()
    assert '<html lang="ar" dir="rtl">' in html and i18n.strings("ar")["skip"] in html
    assert 'lang="ar" dir="rtl"' in site.files["print/intro.html"].decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_prints_enough_distinct_letters(language: str) -> None:
    letters = i18n.strings(language)["print_letters"]
    assert len(letters) >= len(LETTERS) and len(set(letters)) == len(letters), language


def test_arabic_paper_letters_choices_in_abjad_order(minimal_course: Path) -> None:
    """An Arabic interface prints أ, ب, ج… next to the choices and in the answer key, not a, b, c."""
    yaml = minimal_course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("language: en", "language: ar"), encoding="utf-8")
    course = load_course(minimal_course)[0]
    page = lxml.html.fromstring(render_site(course).files["print/intro.html"])
    alphabet = i18n.strings("ar")["print_letters"]
    question = next(q for t in course.modules[0].topics for q in t.questions if q.type == "single")
    (shown, *_) = [
        li for li in page.xpath(f".//li[{_cls('jmdi-print-q')}]") if question.choices[0].text.split()[0] in _text(li)
    ]
    options = [_text(x) for x in _all(_one(shown, "jmdi-print-options"), "jmdi-print-letter")]
    assert options == list(alphabet[: len(question.choices)]) and options[:2] == ["أ", "ب"]
    printed = {_text(x) for x in _all(page, "jmdi-print-letter")}
    assert printed and printed <= set(alphabet)  # the answer key's letters too: no Latin letter left


def test_course_templates_override_blocks(minimal_course: Path) -> None:
    folder = minimal_course / "templates" / "pages"
    folder.mkdir(parents=True)
    (folder / "home.html").write_text(
        '{% extends "theme/pages/home.html" %}{% block after %}<p class="funded">Funded by the EU</p>{% endblock %}',
        encoding="utf-8",
    )
    site = render_site(load_course(minimal_course)[0])
    html = site.shell("local").decode()
    assert '<p class="funded">Funded by the EU</p>' in html and 'id="home-modules"' in html
    assert "Who this course is for" in site.shared["content/home.later.js"].decode()  # below the fold


def test_a_theme_home_page_without_the_later_marks_is_all_in_the_launch_page(minimal_course: Path) -> None:
    folder = minimal_course / "templates" / "pages"
    folder.mkdir(parents=True)
    (folder / "home.html").write_text(
        '{% extends "partials/page.html" %}{% block content %}<p>Welcome</p>{% endblock %}', encoding="utf-8"
    )
    site = render_site(load_course(minimal_course)[0])
    shell = site.shell("local").decode().replace(launch_script(), "")  # the core knows the marks
    assert "<p>Welcome</p>" in shell and "data-jmdi-later" not in shell
    assert "content/home.later.js" not in site.shared


def test_reserved_page_ids_are_refused(minimal_course: Path) -> None:
    topic = minimal_course / "modules" / "intro" / "intro-02.md"
    topic.write_text(topic.read_text(encoding="utf-8").replace("id: intro-02", "id: glossary"), encoding="utf-8")
    with pytest.raises(CourseError) as exc:
        render_site(load_course(minimal_course)[0])
    assert "reserved" in str(exc.value.problems[0])


def test_question_ids_are_listed_with_runs() -> None:
    """The launch page lists question ids with runs written ``q1:5`` (the core expands them back)."""
    from jmdi_scorm.render.site import question_list

    assert question_list(["q1", "q2", "q3", "q4", "q5"]) == "q1:5"
    assert question_list(["a1", "a2", "b3", "x", "q01", "q02", "q9", "q10", "q12"]) == "a1:2 b3 x q01:2 q9:10 q12"
    assert question_list(["q0", "q1"]) == "q0 q1" and question_list(["q2", "q1"]) == "q2 q1"
