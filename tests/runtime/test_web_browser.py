"""The web build in headless Chromium: a keyboard-only learner, resume after reload, accessibility.

The package is opened from disk (file://) and from a loopback HTTP server; every request the
browser makes is logged and must stay inside the package.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import expect

from jmdi_scorm.cli import main
from tests.conftest import MINIMAL
from tests.support.axe import axe_violations
from tests.support.build_cache import cache_copy


def build_web(course: Path, out: Path, cache: Path | None = None) -> Path:
    """The web package of ``course`` (a copy, or ``MINIMAL`` with a ``cache`` of the test's own)."""
    where = ["--cache-dir", str(cache)] if cache else []
    result = CliRunner().invoke(main, ["build", str(course), "--format", "web", "--out", str(out), *where])
    assert result.exit_code == 0, result.output
    return out / "mini-course-web"


@pytest.fixture(scope="module")
def web_en(tmp_path_factory, warm_pdf_cache: Path) -> Path:
    cache = cache_copy(warm_pdf_cache, tmp_path_factory.mktemp("en-cache") / "cache")
    return build_web(MINIMAL, tmp_path_factory.mktemp("en"), cache)


def build_web_ar(folder: Path) -> Path:
    """The web package of the minimal course written in Arabic (``language: ar``), built in ``folder``."""
    course = folder / "course"
    shutil.copytree(MINIMAL, course)
    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("language: en", "language: ar"), encoding="utf-8")
    return build_web(course, folder / "dist")


@pytest.fixture(scope="module")
def web_ar(tmp_path_factory) -> Path:
    return build_web_ar(tmp_path_factory.mktemp("ar"))


@dataclass
class Session:
    """A tab on the package with its request log and the errors the page reported."""

    page: object
    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.base)]


@pytest.fixture(params=["file", "http"])
def session(request, browser, serve, web_en) -> Iterator[Session]:
    base = web_en.as_uri() + "/" if request.param == "file" else serve(web_en)
    yield from _session(browser, base)


def _session(browser, base: str) -> Iterator[Session]:
    context = browser.new_context()
    page = context.new_page()
    tab = Session(page, base)
    page.on("request", lambda r: tab.requests.append(r.url))
    page.on("pageerror", lambda e: tab.errors.append(str(e)))
    page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "index.html")
    wait_page(page, "home")
    yield tab
    context.close()


def wait_page(page, page_id: str) -> None:
    page.wait_for_function(
        "id => document.querySelector('#jmdi-page').getAttribute('data-page') === id && location.hash.startsWith('#/' + id)",
        arg=page_id,
    )


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def activate(page, selector: str, page_id: str | None = None) -> None:
    tab_to(page, selector)
    page.keyboard.press("Enter")
    if page_id:
        wait_page(page, page_id)


def feedback(page, form: str) -> str:
    return page.text_content(f"{form} .jmdi-feedback") or ""


def submit(page, form: str) -> str:
    before = feedback(page, form)
    activate(page, f"{form} button[type=submit]")
    page.wait_for_function(
        "([f, before]) => document.querySelector(f + ' .jmdi-feedback').textContent !== before", arg=[form, before]
    )
    return feedback(page, form)


def choose_radio(page, form: str, value: str) -> None:
    tab_to(page, f"{form} input[type=radio]")
    for _ in range(6):
        if page.evaluate("s => document.activeElement.matches(s)", f"{form} input[value='{value}']"):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert page.is_checked(f"{form} input[value='{value}']")


def set_checkboxes(page, form: str, values: str) -> None:
    for box in page.query_selector_all(f"{form} input[type=checkbox]"):
        value = box.get_attribute("value")
        if box.is_checked() != (value in values):
            tab_to(page, f"{form} input[value='{value}']")
            page.keyboard.press("Space")


def choose_option(page, select: str, value: str) -> None:
    tab_to(page, select)
    page.keyboard.press("Home")
    for _ in range(10):
        if page.eval_on_selector(select, "s => s.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"could not choose {value} in {select}")


def order_items(page, form: str, wanted: str) -> None:
    """Move items with their Move up buttons until the list reads ``wanted``."""
    for position, item in enumerate(wanted):
        while True:
            order = "".join(page.eval_on_selector_all(f"{form} .jmdi-order li", "ls => ls.map(l => l.dataset.item)"))
            if order.index(item) == position:
                break
            activate(page, f"{form} li[data-item='{item}'] [data-move='-1']")


def state_of(page, page_id: str) -> str:
    return page.get_attribute(f"#jmdi-toc [data-state-of='{page_id}']", "data-state")


def test_keyboard_walk_through_the_course(session: Session) -> None:
    page = session.page
    assert page.text_content("#jmdi-page h1") == "A Minimal Course"
    activate(page, ".jmdi-start a.jmdi-primary", "intro")
    assert page.evaluate("document.activeElement.tagName") == "H1"
    activate(page, "#jmdi-next", "intro-01")
    assert state_of(page, "intro-01") == "1"

    q1, q2, q3 = "#q-intro-01-q1", "#q-intro-01-q2", "#q-intro-01-q3"
    choose_radio(page, q1, "b")
    assert "Try again" in submit(page, q1) and "Tries left: 1" in feedback(page, q1)
    assert not page.is_disabled(f"{q1} input[value='a']")
    choose_radio(page, q1, "a")
    assert submit(page, q1).startswith("Correct.")
    assert page.is_disabled(f"{q1} input[value='a']")

    set_checkboxes(page, q2, "ab")
    assert "Try again" in submit(page, q2)
    set_checkboxes(page, q2, "b")
    text = submit(page, q2)
    assert text.startswith("Incorrect.") and "The right answer:" in text and "2 and 4 are even" in text
    assert page.evaluate("document.activeElement.matches('#q-intro-01-q2 .jmdi-feedback')")

    choose_radio(page, q3, "t")
    assert submit(page, q3).startswith("Correct.")
    assert state_of(page, "intro-01") == "2"

    activate(page, "#jmdi-next", "intro-02")
    tab_to(page, "#q-intro-02-q1 input[type=text]")
    page.keyboard.type("  Remittances ")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('#q-intro-02-q1 .jmdi-feedback').textContent.startsWith('Correct.')"
    )
    assert state_of(page, "intro") == "2"

    activate(page, "#jmdi-next", "practice")
    activate(page, "#jmdi-next", "practice-01")
    match = "#q-practice-01-q1"
    choose_option(page, f"{match} select[data-left='1']", "b")
    choose_option(page, f"{match} select[data-left='2']", "a")
    assert "Try again" in submit(page, match)
    choose_option(page, f"{match} select[data-left='1']", "a")
    choose_option(page, f"{match} select[data-left='2']", "b")
    assert submit(page, match).startswith("Correct.")

    # Reload mid-course: same page, progress and answers restored.
    page.reload()
    wait_page(page, "practice-01")
    assert page.eval_on_selector_all(f"{match} select", "ss => ss.map(s => s.value)") == ["a", "b"]
    assert feedback(page, match).startswith("Correct.") and page.is_disabled(f"{match} select")
    assert [state_of(page, p) for p in ("intro-01", "intro-02", "practice-01")] == ["2", "2", "1"]
    assert page.text_content(".jmdi-progress-text") == "50%"  # 2 of 3 topics and 1 assessment

    order = "#q-practice-01-q2"
    order_items(page, order, "abcd")
    assert "position" in page.text_content(f"{order} [data-jmdi-order-status]")
    assert submit(page, order).startswith("Correct.")

    activate(page, "#jmdi-next", "practice.assessment")
    choose_radio(page, "#q-practice-assessment-a1", "t")
    assert submit(page, "#q-practice-assessment-a1").startswith("Correct.")
    activate(page, "#jmdi-next", "summary")
    results = {
        key: page.text_content(f"#jmdi-page [data-jmdi-out='{key}']")
        for key in ("progress", "completion", "score", "success")
    }
    assert results == {"progress": "100%", "completion": "Completed", "score": "6 / 7 (86%)", "success": "Passed"}

    # Browser back returns to the previous page; a deep link survives a reload.
    page.go_back()
    wait_page(page, "practice.assessment")
    page.goto(session.base + "index.html#/intro-01")
    page.reload()
    wait_page(page, "intro-01")
    assert page.is_checked("#q-intro-01-q1-a") and "The right answer" in feedback(page, "#q-intro-01-q2")
    assert page.eval_on_selector("#q-intro-01-q2-b", "b => b.checked")

    activate(page, ".jmdi-exit")
    page.wait_for_function("() => document.querySelector('#jmdi-page h1').textContent.includes('left the course')")
    saved = page.evaluate("JSON.parse(localStorage.getItem('jmdi:mini-course'))")
    assert saved["completion"] == "completed" and saved["success"] == "passed"
    assert session.outside() == [] and session.errors == []


def test_glossary_links_and_in_page_anchors(session: Session) -> None:
    page = session.page
    page.goto(session.base + "index.html#/intro-01")
    wait_page(page, "intro-01")
    activate(page, "a.jmdi-term")  # the definition opens in place (issue 15), then the full glossary
    page.wait_for_selector("#jmdi-term-box")
    activate(page, "#jmdi-term-box a", "glossary")
    assert page.evaluate("document.activeElement.id") == "term-remittances"
    assert page.evaluate("location.hash") == "#/glossary/term-remittances"
    page.go_back()
    wait_page(page, "intro-01")
    activate(page, ".jmdi-skip")
    assert page.evaluate("document.activeElement.id") == "jmdi-main"
    assert page.evaluate("location.hash") == "#/intro-01"
    assert session.outside() == [] and session.errors == []


def test_first_page_requests_stay_in_the_package(session: Session) -> None:
    page = session.page
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    names = [url[len(session.base) :] for url in session.requests]
    assert names[0] == "index.html"
    assert len(names) <= 5, names
    assert session.outside() == []


def test_save_failure_shows_a_notice(browser, web_en) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script("Storage.prototype.setItem = function () { throw new Error('quota'); };")
        page.goto(web_en.as_uri() + "/index.html#/intro")
        page.wait_for_function("() => document.querySelector('#jmdi-status').textContent.length > 0")
        assert "cannot keep your progress" in page.text_content("#jmdi-status")
        assert (
            page.text_content("#jmdi-alert")
            == "Your progress could not be saved. It will be tried again; please keep this window open."
        )
    finally:
        context.close()


PAGE_TYPES = ["home", "intro", "intro-01", "practice-01", "practice.assessment", "glossary", "resources", "summary"]


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("width", [1280, 360])
def test_axe_finds_no_violation_on_any_page_type(browser, request, language: str, width: int) -> None:
    folder = request.getfixturevalue(f"web_{language}")
    # bypass_csp: our own CSP (rightly) refuses the injected axe script.
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(folder.as_uri() + "/index.html")
        wait_page(page, "home")
        found = {}
        for page_id in PAGE_TYPES:
            page.evaluate("id => { location.hash = '#/' + id; }", page_id)
            wait_page(page, page_id)
            if page_id == "intro-01":  # answered checks: feedback, revealed answer, locked inputs
                page.check("#q-intro-01-q1-b")
                page.click("#q-intro-01-q1 button[type=submit]")
                page.check("#q-intro-01-q3-t")
                page.click("#q-intro-01-q3 button[type=submit]")
                for box in ("b", "a"):  # two wrong answers (b, then a and b): the answer revealed
                    page.check(f"#q-intro-01-q2-{box}")
                    page.click("#q-intro-01-q2 button[type=submit]")
            found[page_id] = axe_violations(page)
        page.goto(folder.as_uri() + "/print/intro.html")
        found["print"] = axe_violations(page)
        assert {k: v for k, v in found.items() if v} == {}
        assert page.evaluate("document.documentElement.dir") == ("rtl" if language == "ar" else "ltr")
    finally:
        context.close()


@pytest.mark.parametrize(
    ("sco", "first", "shown"),
    [("intro", "intro", ["intro", "intro-01", "intro-02"]), ("practice-01", "practice-01", ["practice-01"])],
)
def test_sco_parameter_narrows_the_launch(browser, web_en, sco: str, first: str, shown: list[str]) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{web_en.as_uri()}/index.html?sco={sco}")
        wait_page(page, first)
        visible = page.eval_on_selector_all(
            "#jmdi-toc a[data-state-of]", "ls => ls.filter(l => l.offsetParent !== null).map(l => l.dataset.stateOf)"
        )
        assert visible == shown
        assert (
            page.text_content(f"#jmdi-toc [data-state-of='{first}'] .jmdi-state-text") == " (in progress)"
            or first == "intro"
        )
        assert page.evaluate("JMDI.snapshot().score.max") == (4 if sco == "intro" else 2)
    finally:
        context.close()


def test_works_inside_an_lms_iframe(browser, serve, web_en, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(web_en, tmp_path / "pkg")
    (tmp_path / "lms.html").write_text(
        '<!doctype html><title>LMS</title><iframe id="sco" src="pkg/index.html" width="900" height="700"></iframe>',
        encoding="utf-8",
    )
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(serve(tmp_path) + "lms.html")
        frame = page.frame_locator("#sco")
        heading = frame.locator("#jmdi-page h1")
        heading.wait_for()
        frame.locator(".jmdi-start a.jmdi-primary").click()
        expect(heading).to_have_text("Introduction")
        frame.locator("#jmdi-next").click()
        expect(heading).to_have_text("First topic")
        page.evaluate("history.back()")  # the frame's history is part of the LMS page's history
        expect(heading).to_have_text("Introduction")
        assert page.evaluate("location.pathname").endswith("/lms.html")
    finally:
        context.close()


SPY_ADAPTER = """
JMDI.registerAdapter("spy", function (config) {
  function log(entry) {
    var all = JSON.parse(localStorage.getItem("spy") || "[]");
    all.push(entry);
    localStorage.setItem("spy", JSON.stringify(all));
  }
  function brief(s) {
    return {location: s.location, completion: s.completion, success: s.success, score: s.score,
            scoreFinal: s.scoreFinal, stateText: s.stateText};
  }
  return {
    start: function () { log(["start"]); return Promise.resolve({state: null, mode: "normal"}); },
    save: function (s) { log(["save", brief(s)]); return Promise.resolve(localStorage.getItem("spy-refuse") !== "1"); },
    interaction: function (r) { log(["interaction", Object.assign({}, r, {timestamp: r.timestamp.toISOString()})]); },
    finish: function (s) { log(["finish", brief(s)]); return Promise.resolve(); },
  };
});
"""


@pytest.fixture(scope="module")
def web_spy(tmp_path_factory) -> Path:
    from jmdi_scorm.package.staging import write_tree
    from jmdi_scorm.render.pages import render_site
    from jmdi_scorm.source.validate import load_course

    site = render_site(load_course(MINIMAL)[0])
    site.adapters["spy"] = SPY_ADAPTER.encode()
    return write_tree(site.package_files("spy"), tmp_path_factory.mktemp("spy") / "web")


def spy_log(page) -> list:
    return page.evaluate("JSON.parse(localStorage.getItem('spy') || '[]')")


def settled_log(page, quiet_ms: int = 400) -> list[str]:
    """The kinds of the spy's calls once none has come for ``quiet_ms``: on a loaded machine a
    save of the launch can land after the page shows."""
    count, still = -1, 0
    while still < quiet_ms:
        now = len(spy_log(page))
        still = still + 50 if now == count else 0
        count = now
        page.wait_for_timeout(50)
    return [e[0] for e in spy_log(page)]


def test_adapter_contract(browser, web_spy) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(web_spy.as_uri() + "/index.html")
        wait_page(page, "home")
        page.wait_for_function("() => JSON.parse(localStorage.getItem('spy') || '[]').length === 2")
        assert [e[0] for e in spy_log(page)] == ["start", "save"]  # start first; one save per page change

        page.evaluate("location.hash = '#/intro-01'")
        wait_page(page, "intro-01")
        page.check("#q-intro-01-q1-b")
        page.click("#q-intro-01-q1 button[type=submit]")
        page.wait_for_selector("#q-intro-01-q1.jmdi-is-incorrect")
        page.wait_for_function("() => JSON.parse(localStorage.getItem('spy')).length === 5")
        log = spy_log(page)
        # Every answer is saved at once, status change or not (a crash must not lose it).
        assert [e[0] for e in log] == ["start", "save", "save", "interaction", "save"]
        record = log[-2][1]
        assert record["id"] == "intro-01.q1" and record["type"] == "single"
        assert record["response"] == ["b"] and record["correctResponse"] == ["a"]
        assert record["result"] == "incorrect" and record["attempt"] == 1 and record["final"] is False
        assert record["caseSensitive"] is False
        assert record["description"] == "Which colour is the sky on a clear day?"
        assert record["latencySeconds"] >= 0 and record["timestamp"].endswith("Z")

        # A refused save shows a notice; the next successful save clears it.
        page.evaluate("localStorage.setItem('spy-refuse', '1')")
        page.evaluate("location.hash = '#/intro-02'")
        page.wait_for_function("() => document.querySelector('#jmdi-alert').textContent.length > 0")
        page.evaluate("localStorage.setItem('spy-refuse', '0')")
        page.evaluate("location.hash = '#/intro-01'")
        page.wait_for_function("() => document.querySelector('#jmdi-alert').textContent === ''")

        # A status change is saved too: finishing every question of the course changes success.
        count = len(spy_log(page))
        page.check("#q-intro-01-q1-a")
        page.click("#q-intro-01-q1 button[type=submit]")
        page.wait_for_selector("#q-intro-01-q1.jmdi-is-correct")
        page.wait_for_function(f"() => JSON.parse(localStorage.getItem('spy')).length === {count + 2}")
        assert [e[0] for e in spy_log(page)[count:]] == ["interaction", "save"]
        for box in ("b", "a"):  # two tries allowed, two wrong answers (b, then a and b): final
            page.check(f"#q-intro-01-q2-{box}")
            page.click("#q-intro-01-q2 button[type=submit]")
        page.evaluate("location.hash = '#/intro-02'")
        wait_page(page, "intro-02")
        for typed in ("remit", "remitted"):  # the same with a typed answer: two points lost, failed
            page.fill("#q-intro-02-q1-text", typed)
            page.click("#q-intro-02-q1 button[type=submit]")
        page.wait_for_function(
            "() => JSON.parse(localStorage.getItem('spy')).some(e => e[0] === 'save' && e[1].success === 'failed')"
        )

        # Exit, then pagehide: finish exactly once.
        page.evaluate("location.hash = '#/glossary'")
        wait_page(page, "glossary")
        activate(page, ".jmdi-exit")
        page.wait_for_function("() => JSON.parse(localStorage.getItem('spy')).some(e => e[0] === 'finish')")
        page.goto("about:blank")
        page.goto(web_spy.as_uri() + "/runtime/jmdi-icon.svg")
        finishes = [e for e in spy_log(page) if e[0] == "finish"]
        assert len(finishes) == 1
        assert finishes[0][1]["success"] == "failed" and finishes[0][1]["score"]["max"] == 7
    finally:
        context.close()


def test_finish_runs_once_on_pagehide(browser, web_spy) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(web_spy.as_uri() + "/index.html#/intro-02")
        wait_page(page, "intro-02")
        launch = settled_log(page)  # the launch's saves (one or two, as the page change met the first)
        assert launch[0] == "start" and set(launch[1:]) == {"save"}
        page.evaluate("localStorage.setItem('spy-refuse', '1')")  # the LMS refuses: the state stays unsaved
        page.fill("#q-intro-02-q1-text", "money")
        page.click("#q-intro-02-q1 button[type=submit]")
        page.wait_for_selector("#q-intro-02-q1.jmdi-is-incorrect")
        page.wait_for_function("() => document.querySelector('#jmdi-alert').textContent.length > 0")
        assert [e[0] for e in spy_log(page)][len(launch) :] == ["interaction", "save"]
        page.evaluate(
            "Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});"
            "document.dispatchEvent(new Event('visibilitychange'));"
        )
        page.goto("about:blank")
        page.goto(web_spy.as_uri() + "/runtime/jmdi-icon.svg")
        kinds = [e[0] for e in spy_log(page)][len(launch) :]
        assert kinds == ["interaction", "save", "save", "finish"]  # hidden and unsaved: one save
        assert spy_log(page)[-1][1]["location"] == "intro-02"
    finally:
        context.close()


def test_removing_the_frame_still_finishes_with_the_last_answer(browser, serve, web_spy, tmp_path: Path) -> None:
    """An LMS that removes the SCO frame: the page is hidden and gone before any promise callback
    could run, so the core calls the adapter's finish synchronously, with a fresh snapshot."""
    import shutil

    shutil.copytree(web_spy, tmp_path / "pkg")
    (tmp_path / "lms.html").write_text(
        '<!doctype html><title>LMS</title><iframe id="sco" src="pkg/index.html#/intro-02"></iframe>', encoding="utf-8"
    )
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(serve(tmp_path) + "lms.html")
        frame = page.frame_locator("#sco")
        frame.locator("#jmdi-page[data-page='intro-02']").wait_for()
        frame.locator("#q-intro-02-q1-text").fill("money")
        frame.locator("#q-intro-02-q1 button[type=submit]").click()
        frame.locator("#q-intro-02-q1.jmdi-is-incorrect").wait_for()
        expected = page.frame_locator("#sco").locator("body").evaluate("() => JMDI.snapshot().stateText")
        page.evaluate("document.getElementById('sco').remove()")
        finishes = [e for e in spy_log(page) if e[0] == "finish"]
        assert len(finishes) == 1 and finishes[0][1]["location"] == "intro-02"
        assert finishes[0][1]["stateText"] == expected and "intro-02*1!q1.1n" in expected
    finally:
        context.close()


def test_the_hint_after_a_wrong_try_and_each_verdict_said_once(browser, serve, tmp_path: Path) -> None:
    """Issues 14 and 15: the authored hint shows after the first wrong try (not only the "try
    again"); the final feedback, which takes the focus, is not also announced by its live region."""
    import shutil

    course = tmp_path / "course"
    shutil.copytree(MINIMAL, course)
    topic = course / "modules" / "intro" / "intro-01.md"
    text = topic.read_text(encoding="utf-8")
    marker = "      incorrect: 2 and 4 are even; 3 is odd.\n"
    assert marker in text
    topic.write_text(
        text.replace(marker, marker + "      hint: Look for numbers divisible by two.\n"), encoding="utf-8"
    )
    tab = _session(browser, serve(build_web(course, tmp_path / "dist")))
    session = next(tab)
    page = session.page
    page.goto(session.base + "index.html#/intro-01")
    wait_page(page, "intro-01")
    q2 = "#q-intro-01-q2"
    set_checkboxes(page, q2, "ab")
    first = submit(page, q2)
    assert "Try again" in first and "Look for numbers divisible by two." in first
    assert "2 and 4 are even" not in first  # the explanation waits for the last try
    assert page.get_attribute(f"{q2} .jmdi-feedback", "aria-live") == "polite"
    set_checkboxes(page, q2, "b")
    last = submit(page, q2)
    assert last.startswith("Incorrect.") and "Look for numbers" not in last and "2 and 4 are even" in last
    assert page.evaluate("document.activeElement.matches('#q-intro-01-q2 .jmdi-feedback')")
    assert page.get_attribute(f"{q2} .jmdi-feedback", "aria-live") == "off"
    assert not session.errors
    tab.close()
