"""``jmdi-scorm preview`` in headless Chromium: the debug page, its in-page SCORM LMS (calls,
CMI values, error codes, relaunch and new attempt), rebuilds on edit, and the xAPI / cmi5 side
through the local LMS with its SQLite file.

The preview runs in-process on a free port, on a copy of ``tests/fixtures/minimal``.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from playwright.sync_api import expect

from jmdi_scorm.cli import main
from jmdi_scorm.preview import Preview, PreviewOptions
from tests.conftest import MINIMAL

JMDI = Path(__file__).resolve().parents[2] / "course"

CALL_SEEN = "t => [...document.querySelectorAll('#calls td.call')].some(td => td.textContent.startsWith(t))"
CMI_VALUE = "([e, v]) => { const r = document.querySelector(`#cmi tr[data-element='${e}']`); return r && r.dataset.value === v; }"


@pytest.fixture
def preview_of(tmp_path: Path) -> Iterator:
    """``preview_of(course, fmt)`` starts a preview (work folder in tmp_path) and stops it after the test."""
    sessions: list[Preview] = []

    def start(course: Path, fmt: str = "scorm12", watch: bool = True) -> Preview:
        _needs(fmt)
        session = Preview(PreviewOptions(course, fmt, workdir=tmp_path / f"work-{len(sessions)}", watch=watch))
        sessions.append(session)
        session.start()
        return session

    yield start
    for session in sessions:
        session.stop()


def open_panel(page, session: Preview) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(session.url)
    page.wait_for_selector("#build.ok")
    page.errors = errors


def course_frame(page):
    return page.frame_locator("#course")


def go_to(page, page_id: str) -> None:
    """Follow the course's own deep link (``#/<page-id>``) inside the frame and wait for the page."""
    frame = None
    for _ in range(200):
        frame = page.frame(url=lambda url: "/index.html" in url)
        if frame and frame.evaluate("() => !!document.querySelector('#jmdi-page')"):
            break
        page.wait_for_timeout(50)
    assert frame, "the course frame never loaded"
    frame.evaluate("id => { location.hash = '#/' + id; }", page_id)
    frame.wait_for_function("id => document.querySelector('#jmdi-page')?.getAttribute('data-page') === id", arg=page_id)


def cmi(page) -> dict[str, str]:
    return page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('#cmi tr[data-element]')]"
        ".map(r => [r.dataset.element, r.dataset.value]))"
    )


def calls(page) -> list[str]:
    return page.evaluate("() => [...document.querySelectorAll('#calls td.call')].map(td => td.textContent)")


def _needs(fmt: str) -> None:
    from jmdi_scorm.targets import TARGETS

    if fmt not in TARGETS:
        pytest.skip(f"the {fmt} target (and its runtime adapter) is not in this checkout yet")


# --- SCORM 1.2: the in-page LMS ---------------------------------------------------------------


def test_scorm12_panel_lists_calls_and_cmi_values(page, preview_of, minimal_course: Path) -> None:
    session = preview_of(minimal_course, "scorm12")
    open_panel(page, session)
    page.wait_for_function(CALL_SEEN, arg='LMSInitialize("")')
    course = course_frame(page)
    course.locator("a.jmdi-next").click()  # home → module overview
    expect(course.locator("#jmdi-page h1")).to_have_text("Introduction")  # Next points on only then
    course.locator("a.jmdi-next").click()  # → first topic
    page.wait_for_function(CALL_SEEN, arg='LMSSetValue("cmi.core.lesson_location", "intro-01")')
    course.locator("#q-intro-01-q1 label", has_text="Blue").click()
    course.locator("#q-intro-01-q1 button[type=submit]").click()
    page.wait_for_function(CALL_SEEN, arg='LMSSetValue("cmi.interactions.0.id", "intro-01.q1")')
    seen = calls(page)
    assert seen[:2] == ['LMSInitialize("")', 'LMSGetValue("cmi.core.lesson_mode")']
    assert 'LMSSetValue("cmi.core.lesson_status", "incomplete")' in seen
    assert 'LMSSetValue("cmi.interactions.0.student_response", "a")' in seen
    page.wait_for_function(CMI_VALUE, arg=["cmi.interactions.0.result", "correct"])
    values = cmi(page)
    assert values["cmi.core.lesson_location"] == "intro-01"
    assert values["cmi.core.entry"] == "ab-initio" and values["cmi.core.lesson_status"] == "incomplete"
    assert values["cmi.student_data.mastery_score"] == "80"  # from the manifest
    assert not page.locator("#calls tr.error").count()
    assert not page.errors


def test_relaunch_resumes_and_new_attempt_starts_over(page, preview_of, minimal_course: Path) -> None:
    session = preview_of(minimal_course, "scorm12", watch=False)
    open_panel(page, session)
    page.wait_for_function(CALL_SEEN, arg='LMSInitialize("")')
    go_to(page, "intro-02")
    page.wait_for_function(CMI_VALUE, arg=["cmi.core.lesson_location", "intro-02"])
    page.click("#relaunch")
    # The course was unloaded: its final sequence ran (suspend), the LMS kept what it committed.
    page.wait_for_function(CMI_VALUE, arg=["cmi.core.entry", "resume"])
    page.wait_for_function(CALL_SEEN, arg='LMSGetValue("cmi.core.lesson_location")')
    assert 'LMSSetValue("cmi.core.exit", "suspend")' in calls(page)
    assert cmi(page)["cmi.core.lesson_location"] == "intro-02"
    assert "LMS: session ended" in page.inner_text("#calls")
    assert page.evaluate("() => JSON.parse(localStorage.getItem(JMDIPreview.lms.o.storageKey)).launches") == 2
    page.click("#new-attempt")
    page.wait_for_function(CMI_VALUE, arg=["cmi.core.entry", "ab-initio"])
    assert "attempt 2" in page.inner_text("#session")
    assert cmi(page).get("cmi.core.lesson_location", "") in ("", "home")


def test_editing_a_course_file_rebuilds_and_relaunches(page, preview_of, minimal_course: Path) -> None:
    session = preview_of(minimal_course, "scorm12")
    open_panel(page, session)
    page.wait_for_function(CALL_SEEN, arg='LMSInitialize("")')
    module = minimal_course / "modules" / "intro" / "module.yaml"
    module.write_text(module.read_text(encoding="utf-8").replace("title: Introduction", "title: Getting started"))
    page.wait_for_function("() => /build #2 ok/.test(document.querySelector('#build').textContent)", timeout=20_000)
    page.wait_for_function("() => document.querySelector('#session').textContent.startsWith('rebuilt (#2): relaunch')")
    page.wait_for_function(CALL_SEEN, arg='LMSInitialize("")')
    assert session.served and session.served.pages is None  # a full build: the course is launched again
    go_to(page, "intro")
    expect(course_frame(page).locator("#jmdi-page h1")).to_have_text("Getting started")


def test_editing_a_topic_shows_it_in_place(page, preview_of, minimal_course: Path) -> None:
    """A topic edit rebuilds that topic only and the course shows it without reloading: the
    launch page's document, its scroll position and its LMS session go on."""
    session = preview_of(minimal_course, "scorm12")
    open_panel(page, session)
    page.wait_for_function(CALL_SEEN, arg='LMSInitialize("")')
    go_to(page, "intro-01")
    frame = page.frame(url=lambda url: "/index.html" in url)
    frame.evaluate(
        "() => { window.learnerWasHere = true; document.body.style.minHeight = '5000px'; scrollTo(0, 300); }"
    )
    topic = minimal_course / "modules" / "intro" / "intro-01.md"
    source = topic.read_text(encoding="utf-8")
    topic.write_text(source + "\nA sentence added while previewing.\n", encoding="utf-8")
    expect(course_frame(page).get_by_text("A sentence added while previewing.")).to_be_visible(timeout=20_000)
    assert frame.evaluate("() => window.learnerWasHere === true")  # no reload
    assert frame.evaluate("() => scrollY") == 300
    assert session.served and session.served.number == 2 and session.served.pages == ["intro-01"]
    assert "intro-01 updated in place" in page.inner_text("#session")
    assert calls(page).count('LMSInitialize("")') == 1
    # A broken edit keeps the last good build on screen and says what is wrong.
    topic.write_text("---\nid: intro-01\n---\n", encoding="utf-8")
    page.wait_for_selector("#build.failed", timeout=20_000)
    assert page.locator("#build-error").is_visible()
    assert "intro-01.md" in page.inner_text("#build-error")
    assert "showing #2" in page.inner_text("#build")
    topic.write_text(source, encoding="utf-8")
    page.wait_for_selector("#build.ok", timeout=20_000)
    assert page.locator("#build-error").is_hidden()
    expect(course_frame(page).get_by_text("A sentence added while previewing.")).to_have_count(0)
    assert frame.evaluate("() => window.learnerWasHere === true")


def test_xapi_topic_edit_shows_in_place(page, preview_of, minimal_course: Path) -> None:
    session = preview_of(minimal_course, "xapi")
    open_panel(page, session)
    page.wait_for_selector("#statements td.verb >> text=initialized")
    go_to(page, "intro-02")
    frame = page.frame(url=lambda url: "/index.html" in url)
    frame.evaluate("() => { window.learnerWasHere = true; }")
    topic = minimal_course / "modules" / "intro" / "intro-02.md"
    topic.write_text(topic.read_text(encoding="utf-8") + "\nAn xAPI sentence.\n", encoding="utf-8")
    expect(course_frame(page).get_by_text("An xAPI sentence.")).to_be_visible(timeout=20_000)
    assert frame.evaluate("() => window.learnerWasHere === true")


@pytest.mark.parametrize("fmt", ["scorm12", "xapi"])
def test_incremental_rebuild_of_the_jmdi_course_equals_a_full_build(fmt: str, tmp_path: Path) -> None:
    """The JMDI course (figures, links between topics, many questions): a body edit of one topic
    (a new heading, a link to another topic's heading) is shown in place, the folder a full build's."""
    from jmdi_scorm.preview.builder import build_folder

    _needs(fmt)
    course = tmp_path / "course"
    shutil.copytree(JMDI, course, ignore=shutil.ignore_patterns(".jmdi-cache"))
    session = Preview(PreviewOptions(course, fmt, workdir=tmp_path / "work", watch=False))
    session.start()
    try:
        topic = course / "modules" / "core" / "core-02.md"
        added = "\n## Added while previewing\n\nSee [the first topic](core-01.md) and [data](../m1/m1-01.md).\n"
        topic.write_text(topic.read_text(encoding="utf-8") + added, encoding="utf-8")
        build = session.rebuild([str(topic)])
        assert build.ok and build.pages == ["core-02"], (build.error, build.problems)
        assert build_folder(course, fmt, tmp_path / "full", 0).ok
        fresh = _tree(tmp_path / "full")
        _same_after_print_page(session, fresh, "core")
    finally:
        session.stop()


def _tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def _served_file(session: Preview, name: str) -> requests.Response:
    """``name`` of the package as the course frame gets it: from the local LMS (xAPI, cmi5) or the preview."""
    base = session.xapi.lms.base_url + "content/" if session.xapi else session.url + "course/"
    return requests.get(base + name, timeout=10)


def _same_after_print_page(session: Preview, fresh: dict[str, bytes], module: str) -> None:
    """The served folder after a topic edit of ``module`` is the full build ``fresh`` but for that
    module's print page, which is rendered when it is asked for: then it is all of ``fresh``."""
    name = f"print/{module}.html"
    served = _tree(session.package_dir)
    assert sorted(served) == sorted(set(fresh) - {name})  # no out-of-date print page is kept
    assert [other for other in served if served[other] != fresh[other]] == []
    answer = _served_file(session, name)
    assert answer.status_code == 200 and answer.content == fresh[name]
    served = _tree(session.package_dir)
    assert sorted(served) == sorted(fresh)
    assert [other for other in fresh if served[other] != fresh[other]] == []


@pytest.mark.parametrize("fmt", ["scorm12", "xapi"])
def test_incremental_rebuild_equals_a_full_build(fmt: str, minimal_course: Path, tmp_path: Path) -> None:
    """After each topic edit the served folder is byte for byte a fresh full build of the edited
    course (nothing in it depends on the time), and only the body edit is shown in place."""
    from jmdi_scorm.preview.builder import build_folder

    _needs(fmt)
    session = Preview(PreviewOptions(minimal_course, fmt, workdir=tmp_path / "work", watch=False))
    session.start()
    try:
        topic = minimal_course / "modules" / "intro" / "intro-01.md"
        source = topic.read_text(encoding="utf-8")
        edits = {
            "body": source + "\nA new paragraph with a [link](intro-02.md).\n",
            "title": source.replace("title: ", "title: Renamed ", 1),
            "minutes": source.replace("minutes: ", "minutes: 1", 1),
            "question": source.replace("Blue", "Azure", 1),
            "back": source,
        }
        for number, (what, text) in enumerate(edits.items(), start=2):
            assert text != topic.read_text(encoding="utf-8"), what
            topic.write_text(text, encoding="utf-8")
            build = session.rebuild([str(topic)])
            assert build.ok and build.number == number, (what, build.error, build.problems)
            full = build_folder(minimal_course, fmt, tmp_path / f"full-{what}", 0)
            assert full.ok
            _same_after_print_page(session, _tree(tmp_path / f"full-{what}"), "intro")
            if what == "body":
                assert build.pages == ["intro-01"]
        # An editor's test file, made and removed while saving, is no course change.
        topic.write_text(source + "\nSaved by vim.\n", encoding="utf-8")
        assert session.rebuild([str(minimal_course / "modules" / "intro" / "4913"), str(topic)]).pages == ["intro-01"]
        # Another kind of file: everything is built again.
        (minimal_course / "course.yaml").write_text((minimal_course / "course.yaml").read_text() + "\n")
        assert session.rebuild([str(minimal_course / "course.yaml")]).pages is None
    finally:
        session.stop()


# --- the API answers with the standard's error codes ------------------------------------------

DRIVE_API = """([edition, steps]) => {
  const lms = new JMDIPreviewLms({edition, storageKey: "test-" + edition, learner: {id: "u1", name: "U"},
                                  sco: {masteryScore: "80", scaledPassingScore: "0.8"}, suspendMax: 4000});
  lms.launch({newAttempt: true, mode: "normal"});
  const f = lms.m.fns;
  return steps.map(([fn, ...args]) => {
    const result = lms.api[f[fn]](...args);
    return [result, lms.api[f.lastError]()];
  });
}"""


@pytest.fixture(scope="module")
def api_page(browser, tmp_path_factory) -> Iterator:
    # The debug page carries the in-page LMS whatever the format: the web one is enough here.
    session = Preview(PreviewOptions(MINIMAL, "web", workdir=tmp_path_factory.mktemp("api"), watch=False))
    session.start()
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(session.url)
    tab.wait_for_selector("#build.ok")
    yield tab
    context.close()
    session.stop()


def drive(page, edition: str, steps: list[tuple]) -> list[list[str]]:
    return page.evaluate(DRIVE_API, [edition, steps])


def test_scorm12_error_codes(api_page) -> None:
    steps = [
        ("get", "cmi.core.lesson_status"),  # before LMSInitialize
        ("init", ""), ("init", ""),
        ("get", "cmi.core._children"), ("get", "cmi.core.student_name._children"), ("get", "cmi.core._count"),
        ("set", "cmi.core._children", "x"), ("set", "cmi.core.student_id", "x"), ("get", "cmi.core.exit"),
        ("set", "cmi.core.lesson_status", "done"), ("set", "cmi.core.score.raw", "101"),
        ("set", "cmi.core.session_time", "PT12M"), ("get", "cmi.nope"), ("set", "cmi.interactions.1.id", "x"),
        ("set", "cmi.interactions.0.id", "q1"), ("get", "cmi.interactions._count"), ("get", "cmi.interactions.0.id"),
        ("get", "cmi.core.lesson_status"), ("get", "cmi.core.entry"),
        ("finish", ""), ("commit", ""),
    ]  # fmt: skip
    got = drive(api_page, "1.2", steps)
    assert got == [
        ["", "301"],
        ["true", "0"], ["false", "101"],
        ["student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,lesson_mode,exit,"
         "session_time", "0"], ["", "202"], ["", "203"],
        ["false", "402"], ["false", "403"], ["", "404"],
        ["false", "405"], ["false", "405"],
        ["false", "405"], ["", "201"], ["false", "201"],
        ["true", "0"], ["1", "0"], ["", "404"],
        ["not attempted", "0"], ["ab-initio", "0"],
        ["true", "0"], ["false", "301"],
    ]  # fmt: skip


def test_scorm2004_error_codes_and_evaluation(api_page) -> None:
    steps = [
        ("get", "cmi.location"), ("set", "cmi.location", "x"), ("commit", ""), ("finish", ""),
        ("init", "x"), ("init", ""), ("init", ""),
        ("get", "cmi.location"), ("get", "cmi.exit"), ("get", "cmi.nope"), ("set", "cmi.learner_id", "x"),
        ("set", "cmi.completion_status", "done"), ("set", "cmi.score.scaled", "2"),
        ("set", "cmi.interactions.0.type", "choice"), ("set", "cmi.interactions.0.id", "m1.q1"),
        ("set", "cmi.interactions.0.learner_response", "a"), ("set", "cmi.interactions.0.type", "choice"),
        ("set", "cmi.interactions.0.learner_response", "a[,]a"), ("set", "cmi.interactions.0.learner_response", "a[,]c"),
        ("set", "cmi.interactions.2.id", "x"), ("set", "cmi.suspend_data", "x" * 4001),
        ("get", "cmi.success_status"), ("set", "cmi.score.scaled", "0.9"), ("get", "cmi.success_status"),
        ("get", "cmi._version"), ("set", "cmi._version", "2"), ("get", "cmi.score._children"),
        ("finish", ""), ("get", "cmi.location"), ("set", "cmi.location", "y"), ("commit", ""), ("finish", ""),
        ("init", ""),
    ]  # fmt: skip
    got = drive(api_page, "2004", steps)
    assert got == [
        ["", "122"], ["false", "132"], ["false", "142"], ["false", "112"],
        ["false", "201"], ["true", "0"], ["false", "103"],
        ["", "403"], ["", "405"], ["", "401"], ["false", "404"],
        ["false", "406"], ["false", "407"],
        ["false", "408"], ["true", "0"],
        ["false", "408"], ["true", "0"],
        ["false", "406"], ["true", "0"],
        ["false", "351"], ["false", "406"],
        ["unknown", "0"], ["true", "0"], ["passed", "0"],
        ["1.0", "0"], ["false", "404"], ["scaled,raw,min,max", "0"],
        ["true", "0"], ["", "123"], ["false", "133"], ["false", "143"], ["false", "113"],
        ["false", "104"],
    ]  # fmt: skip


def test_scorm2004_preview_offers_api_1484_11(page, preview_of, minimal_course: Path) -> None:
    session = preview_of(minimal_course, "scorm2004-4th", watch=False)
    open_panel(page, session)
    page.wait_for_function(CALL_SEEN, arg='Initialize("")')
    go_to(page, "intro-01")
    page.wait_for_function(CALL_SEEN, arg='SetValue("cmi.location", "intro-01")')
    assert page.evaluate("() => !!window.API_1484_11 && !window.API")
    page.wait_for_function(CMI_VALUE, arg=["cmi.location", "intro-01"])
    values = cmi(page)
    assert values["cmi._version"] == "1.0" and values["cmi.completion_status"] == "incomplete"
    assert values["cmi.scaled_passing_score"] == "0.8"  # imsss:minNormalizedMeasure of the manifest


# --- xAPI and cmi5: the server's local LMS ------------------------------------------------------


def statement_verbs(page) -> list[str]:
    return page.evaluate("() => [...document.querySelectorAll('#statements tr.statement')].map(r => r.dataset.verb)")


def test_xapi_preview_shows_statements_and_state_writes(page, preview_of, minimal_course: Path) -> None:
    session = preview_of(minimal_course, "xapi", watch=False)
    open_panel(page, session)
    page.wait_for_selector("#statements td.verb >> text=initialized")
    go_to(page, "intro-01")
    page.wait_for_selector("#statements td.verb >> text=experienced")
    page.wait_for_selector("#requests tr[data-state-id=bookmark]")
    assert statement_verbs(page)[0] == "http://adlnet.gov/expapi/verbs/initialized"
    assert "PUT activities/state bookmark" in page.inner_text("#requests")
    assert str(session.database) in page.inner_text("#database")
    first = session.xapi.registration
    page.click("#new-attempt")
    page.wait_for_function("r => !document.querySelector('#session').textContent.includes(r)", arg=first)
    assert session.xapi.registration != first
    database = session.database
    session.stop()
    # The session can be inspected after the preview stopped.
    with sqlite3.connect(database) as db:
        verbs = [json.loads(row[0])["verb"]["id"] for row in db.execute("SELECT body FROM statements ORDER BY seq")]
        writes = db.execute("SELECT count(*) FROM preview_requests WHERE method = 'PUT'").fetchone()[0]
    assert "http://adlnet.gov/expapi/verbs/experienced" in verbs and writes >= 1


def test_cmi5_preview_launches_through_fetch(page, preview_of, minimal_course: Path) -> None:
    session = preview_of(minimal_course, "cmi5", watch=False)
    open_panel(page, session)
    page.wait_for_selector("#statements td.verb >> text=initialized")
    verbs = statement_verbs(page)
    assert verbs[:2] == ["http://adlnet.gov/expapi/verbs/launched", "http://adlnet.gov/expapi/verbs/initialized"]
    assert "/cmi5/fetch/" in page.inner_text("#requests")
    page.click("#relaunch")  # a fetch URL works once: a relaunch is a new launch, same registration
    page.wait_for_function("() => document.querySelectorAll('#statements td.verb').length >= 5")
    assert "http://adlnet.gov/expapi/verbs/terminated" in statement_verbs(page)


# --- the server and the command ---------------------------------------------------------------


def test_server_serves_only_the_package(preview_of, minimal_course: Path) -> None:
    session = preview_of(minimal_course, "web", watch=False)
    assert requests.get(session.url + "course/index.html", timeout=5).status_code == 200
    assert requests.get(session.url + "course/../course.yaml", timeout=5).status_code == 404
    assert requests.get(session.url + "course/%2e%2e/%2e%2e/etc/passwd", timeout=5).status_code == 404
    assert requests.get(session.url + "__preview/session.py", timeout=5).status_code == 404
    assert requests.post(session.url + "__preview/launch", json={}, timeout=5).status_code == 409  # not xAPI
    rebound = requests.get(session.url + "course/index.html", headers={"Host": "evil.example:80"}, timeout=5)
    assert rebound.status_code == 421  # DNS rebinding: another host name is refused
    status = requests.get(session.url + "__preview/status", timeout=5).json()
    assert status["kind"] == "web" and status["served"]["number"] == 1


def test_cli_preview_errors_and_help(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["preview", str(tmp_path / "nope"), "--no-open"])
    assert missing.exit_code == 1 and "course directory not found" in missing.output
    bad = runner.invoke(main, ["preview", str(tmp_path), "--format", "tincan"])
    assert bad.exit_code == 2
    help_text = runner.invoke(main, ["preview", "--help"]).output
    for option in ("--format", "--port", "--no-open", "scorm2004-3rd", "cmi5"):
        assert option in help_text
