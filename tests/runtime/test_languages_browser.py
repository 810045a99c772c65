"""The JMDI course in its other languages, in headless Chromium (issue 17).

- The web package holding every language: a learner reads a page and answers in English, switches
  to Arabic from the header and lands on the same page, right to left, with the progress kept;
  then switches back. Two tabs in two languages never take each other's progress away.
- axe-core on the Arabic web package's page types, phone and desktop widths.
- Each translation's SCORM 1.2 package, walked to the end under scorm-again (the harness of
  ``test_scorm_runtime``): every question answered right in that language reaches ``passed``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from jmdi_scorm.build import BuildOptions, build
from jmdi_scorm.render.questions import correct_answer
from jmdi_scorm.source import model
from jmdi_scorm.source.translation_files import translated_course
from jmdi_scorm.source.validate import load_course
from tests.runtime.test_scorm_runtime import HARNESS, NODE_MODULES, Learner, Lms, check_strict, sets
from tests.runtime.test_web_browser import wait_page
from tests.support.axe import axe_violations

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "course"
TRANSLATIONS = ("fr", "es", "ar")
TOPIC = "m1-02"  # a topic with questions, in the first module


def right_answers(course: model.Course) -> dict[str, str]:
    """Every question's right answer in the course's language, by interaction id."""
    answers = {}
    for module in course.modules:
        for topic in module.topics:
            answers.update({f"{topic.id}.{q.id}": correct_answer(q) for q in topic.questions})
        if module.meta.assessment:
            answers.update(
                {f"{module.id}.assessment.{q.id}": correct_answer(q) for q in module.meta.assessment.questions}
            )
    return answers


@pytest.fixture(scope="module")
def source() -> model.Course:
    return load_course(COURSE)[0]


@pytest.fixture(scope="module")
def web(tmp_path_factory) -> Path:
    """The JMDI web package in English and Arabic (English at the root, Arabic in ``ar/``)."""
    out = tmp_path_factory.mktemp("web-en-ar")
    result = build(COURSE, BuildOptions(formats=("web",), out=out, pdf=False, languages=("en", "ar")))
    assert [a.path.name for a in result.artifacts] == ["jmdi-etoolbox-web.zip"]
    return out / "jmdi-etoolbox-web"


class Tab:
    """A learner's tab on the web package (one browser context: one localStorage)."""

    def __init__(self, page) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, url: str, page_id: str) -> None:
        self.page.goto(url)
        wait_page(self.page, page_id)

    def answer(self, key: str, value: str) -> dict:
        """Answers one question (choice, true/false or fill-in: m1-02's q1, q4 and q5 are such)."""
        form = f"form[data-key='{key}']"
        if self.page.query_selector(f"{form} input[type=text]"):
            self.page.fill(f"{form} input[type=text]", value)
        else:
            for box in self.page.query_selector_all(f"{form} input"):
                box.set_checked(box.get_attribute("value") in value)
        self.page.press(f"{form} button[type=submit]", "Enter")
        return self.page.wait_for_function(
            "key => { const a = JMDI.snapshot().state.answers[key]; return a && a.tries ? a : null; }", arg=key
        ).json_value()

    def switch(self, lang: str, page_id: str) -> None:
        """Follows the header's link to ``lang`` from the keyboard, as a learner without a mouse."""
        link = f".jmdi-langs a[hreflang='{lang}']"
        self.page.focus(link)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        wait_page(self.page, page_id)

    def state(self) -> dict:
        return self.page.evaluate("() => JMDI.snapshot().state")

    def shell(self) -> dict:
        return self.page.evaluate(
            """() => ({lang: document.documentElement.lang, dir: document.documentElement.dir,
                 title: document.querySelector('#jmdi-page h1').textContent.trim(),
                 current: document.querySelector('.jmdi-langs [aria-current]').textContent,
                 done: (document.querySelector('#jmdi-toc a[data-state-of="'
                   + document.querySelector('#jmdi-page').getAttribute('data-page') + '"]') || {}).dataset})"""
        )


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["file", "http"])
def test_the_switch_keeps_the_page_and_the_progress(browser, serve, web: Path, source, scheme: str) -> None:
    base = web.as_uri() + "/" if scheme == "file" else serve(web)
    english, arabic = right_answers(source), right_answers(translated_course(source, "ar")[0])
    context = browser.new_context()
    try:
        tab = Tab(context.new_page())
        tab.open(f"{base}index.html#/{TOPIC}", TOPIC)
        assert tab.answer(f"{TOPIC}.q1", english[f"{TOPIC}.q1"])["correct"]
        read = tab.shell()
        assert (read["lang"], read["dir"], read["current"]) == ("en", "ltr", "English")

        tab.switch("ar", TOPIC)
        assert tab.page.url == f"{base}ar/index.html#/{TOPIC}"
        shown = tab.shell()
        assert (shown["lang"], shown["dir"], shown["current"]) == ("ar", "rtl", "العربية")
        assert shown["title"] != read["title"] and shown["done"] == read["done"]  # the same page, in Arabic
        state = tab.state()
        assert state["answers"][f"{TOPIC}.q1"] == {"response": english[f"{TOPIC}.q1"], "tries": 1, "correct": True}
        assert state["location"] == TOPIC and state["pages"][TOPIC] >= 1  # bookmark and page read kept
        locked = f"form[data-key='{TOPIC}.q1'] fieldset"
        assert tab.page.eval_on_selector(locked, "f => f.disabled")  # answered: shown as answered
        assert tab.answer(f"{TOPIC}.q5", arabic[f"{TOPIC}.q5"])["correct"]

        tab.page.evaluate("id => { location.hash = '#/' + id; }", "glossary")  # the link follows the page
        wait_page(tab.page, "glossary")
        tab.switch("en", "glossary")
        assert tab.page.url == f"{base}index.html#/glossary"
        assert tab.shell()["lang"] == "en"
        answers = tab.state()["answers"]
        assert {key: a["correct"] for key, a in answers.items()} == {f"{TOPIC}.q1": True, f"{TOPIC}.q5": True}
        assert not tab.errors
    finally:
        context.close()


@pytest.mark.slow
def test_two_tabs_in_two_languages_keep_both_answers(browser, serve, web: Path, source) -> None:
    """A save merges what another tab stored: the later tab's smaller state never replaces it."""
    base = serve(web)
    right = right_answers(source)
    context = browser.new_context()
    try:
        english, arabic = Tab(context.new_page()), Tab(context.new_page())
        english.open(f"{base}index.html#/{TOPIC}", TOPIC)
        arabic.open(f"{base}ar/index.html#/{TOPIC}", TOPIC)  # opened before the English answer
        english.answer(f"{TOPIC}.q1", right[f"{TOPIC}.q1"])
        arabic.answer(f"{TOPIC}.q4", right[f"{TOPIC}.q4"])
        arabic.page.close()  # its last save, on pagehide, holds q4 only
        english.page.reload()
        wait_page(english.page, TOPIC)
        assert set(english.state()["answers"]) == {f"{TOPIC}.q1", f"{TOPIC}.q4"}
    finally:
        context.close()


# --- axe-core on the Arabic web package ---------------------------------------------------------

AR_PAGES = ["home", "m1", TOPIC, "glossary", "resources"]


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 360])
def test_axe_finds_no_violation_in_arabic(browser, web: Path, source, width: int) -> None:
    arabic = right_answers(translated_course(source, "ar")[0])
    # bypass_csp: our own CSP (rightly) refuses the injected axe script.
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    try:
        tab = Tab(context.new_page())
        tab.open((web / "ar" / "index.html").as_uri(), "home")
        found = {}
        for page_id in AR_PAGES:
            tab.page.evaluate("id => { location.hash = '#/' + id; }", page_id)
            wait_page(tab.page, page_id)
            if page_id == TOPIC:  # one answered right, one wrong: feedback, revealed answer, locked inputs
                tab.answer(f"{TOPIC}.q1", arabic[f"{TOPIC}.q1"])
                tab.answer(f"{TOPIC}.q4", "b" if arabic[f"{TOPIC}.q4"] != "b" else "a")
            found[page_id] = axe_violations(tab.page)
        assert {k: v for k, v in found.items() if v} == {}
        assert tab.page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    finally:
        context.close()


# --- each language's SCORM 1.2 package walked to the end ------------------------------------------


@pytest.fixture(scope="module")
def scorm_site(tmp_path_factory) -> Path:
    """The harness, scorm-again and the SCORM 1.2 package of each translation, unzipped, on one site."""
    site = tmp_path_factory.mktemp("languages-site")
    (site / "harness").symlink_to(HARNESS)
    (site / "scorm-again").symlink_to(NODE_MODULES / "scorm-again" / "dist")
    out = tmp_path_factory.mktemp("languages-scorm12")
    result = build(COURSE, BuildOptions(formats=("scorm12",), out=out, pdf=False, languages=TRANSLATIONS))
    for artifact in result.artifacts:
        with zipfile.ZipFile(artifact.path) as archive:
            archive.extractall(site / artifact.language)
    assert sorted(p.name for p in site.iterdir()) == sorted(["harness", "scorm-again", *TRANSLATIONS])
    return site


PAGES = "() => JMDI.snapshot() && JSON.parse(document.getElementById('jmdi-config').textContent).pages.map(p => p.id)"


@pytest.mark.slow
@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_each_language_walks_to_completion(page, serve, scorm_site: Path, source, lang: str) -> None:
    """Every page opened and every question answered right, in ``lang``: passed with 100."""
    right = right_answers(translated_course(source, lang)[0])
    lms = Lms(page, serve(scorm_site))
    lms.launch("1.2", f"../{lang}/index.html")
    learner = Learner(lms)
    learner.wait_page("home")
    assert learner.frame.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == [
        lang,
        "rtl" if lang == "ar" else "ltr",
    ]
    for page_id in learner.frame.evaluate(PAGES):
        if page_id in ("glossary", "resources", "home"):
            continue
        learner.open(page_id)
        for key in [k for k in right if k.rsplit(".", 1)[0] == page_id]:
            learner.answer(key, right[key])
    assert learner.frame.evaluate("() => JMDI.snapshot().success") == "passed"
    learner.exit()
    calls = lms.calls()
    check_strict(calls, "1.2")
    values = dict(sets(calls, "LMSSetValue"))
    assert (values["cmi.core.lesson_status"], values["cmi.core.score.raw"]) == ("passed", "100")
    assert values["cmi.core.exit"] == ""
    answered = {v for k, v in values.items() if k.endswith(".result")}
    assert answered == {"correct"} and not lms.errors
