"""The cmi5 package of the fixture course in headless Chromium, launched as an LMS would.

Parts: ralph (real LRS) stores the statements; our local LMS (jmdi_scorm.lms) plays the cmi5
LMS — fetch endpoint, ``LMS.LaunchData``, learner preferences, State API, the ``launched``
statement — because ralph 5.1 has none of these (docs/standards.md §10.3, note 2), and passes the AU's
statements to ralph with its own credentials.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.support import xapi_harness as h

BASE = "https://example.org/courses/mini/"
LOCAL_KEY = "jmdi:mini-course:cmi5:learner:" + h.ACTOR["name"]  # the core's copy of unsaved progress


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("cmi5")
    packages = h.build_packages(work / "dist", "cmi5")
    pair = h.Stack(work, packages["cmi5"], preferences={"languagePreference": "en", "audioPreference": "off"})
    yield pair
    pair.close()


def launch(stack: h.Stack, context: Any, registration: str, **options: Any) -> Any:
    page = context.new_page()
    page.goto(stack.lms.launch_url("cmi5", actor=h.ACTOR, registration=registration, return_url="", **options))
    return page


settle = h.settle  # fails rather than return what arrived so far


def check_statements(stack: h.Stack, stored: list[dict], work: Path) -> None:
    """XA-01, XA-02, XA-05 and every cmi5 rule, on what ralph returns."""
    plain = [h.strip_lrs_fields(s) for s in stored]
    assert h.xapi_validation(plain, work) == {}
    assert h.ralph_model_errors(stored) == {}
    assert h.format_problems(plain, BASE) == []
    assert h.cmi5_problems(plain, h.ACTOR) == []
    assert h.launch_order_problems(stack.lms.requests) == []
    assert h.header_problems(stack.lms.requests) == []
    ids = [s["id"] for s in stored]
    assert len(ids) == len(set(ids))


def test_pass_close_relaunch_and_return(stack: h.Stack, browser: Any, tmp_path: Path) -> None:
    registration = h.new_registration()
    context = browser.new_context()
    page = launch(stack, context, registration)
    h.wait_ready(page, "home")
    h.walk(page, h.RIGHT, h.WALK[:4])  # home … intro-02, answering intro-01 and intro-02
    # Closed once everything is saved, terminated leaves with keepalive. (Closed while requests
    # are on their way, it leaves after them all the same: test_cmi5_strict.py.)
    settle(stack, registration, "answered", 4)  # the last answer's statements are stored …
    h.wait_outbox_empty(page)  # … and the State written with them
    page.close()
    first = settle(stack, registration, "terminated")
    assert h.verbs([s for s in first if h.verb_of(s) != "launched"])[0] == "initialized"

    # A second launch in a new browser: bookmark and answers come back from the State API only.
    context.close()
    context = browser.new_context()
    page = launch(stack, context, registration)
    assert h.wait_ready(page) == "intro-02"
    assert h.is_final(page, "intro-02.q1")
    h.open_page(page, "intro-01")
    assert all(h.is_final(page, f"intro-01.q{n}") for n in (1, 2, 3))
    h.open_page(page, "intro-02")
    h.walk(page, h.RIGHT, h.WALK[3:])
    h.exit_course(page)
    page.wait_for_url("**/lms/return", timeout=15_000)  # returnURL after terminated settled (§8.7)
    stored = settle(stack, registration, "terminated", 2)
    returned = next(r for r in stack.lms.requests if r.path == "/lms/return")
    last_post = max(r.time for r in stack.lms.requests if r.path == "/xapi/statements" and b"terminated" in r.body)
    assert last_post < returned.time

    # A third launch after passing: initialized and terminated only, no second completed/passed.
    page = launch(stack, context, registration)
    h.wait_ready(page)
    h.exit_course(page)
    page.wait_for_url("**/lms/return", timeout=15_000)
    stored = settle(stack, registration, "terminated", 3)
    context.close()

    names = [h.verb_of(s) for s in h.by_time(stored)]
    assert names.count("completed") == 1 and names.count("passed") == 1 and "failed" not in names
    assert names.count("launched") == 3 and names.count("initialized") == 3
    passed = next(s for s in stored if h.verb_of(s) == "passed")
    # 6 of 7 before the assessment already reaches the 0.8 mastery score, but passed waits for the
    # final score (snapshot.scoreFinal): one verdict per registration, so it must be the last word.
    assert passed["result"]["score"] == {"scaled": 1, "raw": 7, "min": 0, "max": 7}
    assert passed["context"]["extensions"][h.EXT_MASTERY] == 0.8
    answered = {s["object"]["id"].rsplit("/", 1)[-1]: s for s in stored if h.verb_of(s) == "answered"}
    assert answered["intro-01.q2"]["result"]["response"] == "a[,]c"
    assert answered["practice-01.q1"]["result"]["response"] == "1[.]a[,]2[.]b"
    assert answered["practice-01.q2"]["result"]["response"] == "a[,]b[,]c[,]d"
    assert answered["intro-02.q1"]["result"]["response"] == "remittances"
    assert answered["practice.assessment.a1"]["result"]["response"] == "true"
    assert answered["practice-01.q1"]["object"]["definition"]["interactionType"] == "matching"
    check_statements(stack, stored, tmp_path)


def test_fail_is_judged_against_the_mastery_score(stack: h.Stack, browser: Any, tmp_path: Path) -> None:
    registration = h.new_registration()
    context = browser.new_context()
    page = launch(stack, context, registration)
    h.wait_ready(page, "home")
    h.walk(page, h.WRONG)
    h.exit_course(page)
    page.wait_for_url("**/lms/return", timeout=15_000)
    settle(stack, registration, "terminated")
    page = launch(stack, context, registration)  # the verdict is final: not reported again
    h.wait_ready(page)
    h.exit_course(page)
    page.wait_for_url("**/lms/return", timeout=15_000)
    stored = settle(stack, registration, "terminated", 2)
    context.close()
    names = [h.verb_of(s) for s in stored]
    assert names.count("failed") == 1 and "passed" not in names and names.count("completed") == 1
    failed = next(s for s in stored if h.verb_of(s) == "failed")
    assert failed["result"]["success"] is False and failed["result"]["score"]["scaled"] < 0.8
    assert names.count("answered") == 14  # two tries at every question (attempts: 2; h.WRONG)
    check_statements(stack, stored, tmp_path)


def test_launch_data_mastery_score_wins(stack: h.Stack, browser: Any, tmp_path: Path) -> None:
    """C5-06: 6 of 7 right is 0.857 — passed at cmi5.xml's 0.8, failed at LaunchData's 0.9."""
    registration = h.new_registration()
    answers = {**h.RIGHT, "intro-01.q2": ["b", "ab"]}  # two wrong tries: final, no point
    context = browser.new_context()
    page = launch(stack, context, registration, mastery_score=0.9)
    h.wait_ready(page, "home")
    h.walk(page, answers)
    # The page judges with the LMS's pass mark too (it used to show "Passed" at course.yaml's 0.8).
    results = page.locator("#jmdi-page")
    assert results.locator("[data-jmdi-out=success]").text_content() == "Not passed"
    assert results.locator("[data-jmdi-out=mastery]").text_content() == "90"
    h.exit_course(page)
    page.wait_for_url("**/lms/return", timeout=15_000)
    stored = settle(stack, registration, "terminated")
    context.close()
    verdict = next(s for s in stored if h.verb_of(s) in ("passed", "failed"))
    assert h.verb_of(verdict) == "failed"
    assert verdict["result"]["score"]["scaled"] == pytest.approx(6 / 7, abs=1e-4)
    assert verdict["context"]["extensions"][h.EXT_MASTERY] == 0.9
    check_statements(stack, stored, tmp_path)


@pytest.mark.parametrize("mode", ["Browse", "Review"])
def test_browse_and_review_send_only_initialized_and_terminated(
    stack: h.Stack, browser: Any, tmp_path: Path, mode: str
) -> None:
    """C5-07: no completed/passed/failed outside Normal mode; allowed statements still flow. What
    the learner does in Browse earns nothing: no progressed, no State written, so the next Normal
    launch has nothing to complete or pass with; and the copy of unsaved Normal progress this
    browser keeps is left alone."""
    registration = h.new_registration()
    context = browser.new_context()
    since = len(stack.lms.requests)
    unsaved = context.new_page()  # an earlier Normal launch left progress the LMS did not confirm
    unsaved.goto(stack.lms.base_url + "lms/return")
    unsaved.evaluate("k => localStorage.setItem(k, '1~intro-01~intro-01*1')", LOCAL_KEY)
    unsaved.close()
    page = launch(stack, context, registration, launch_mode=mode)
    h.wait_ready(page, "home")
    h.walk(page, h.RIGHT if mode == "Browse" else {})
    h.exit_course(page)
    page.wait_for_url("**/lms/return", timeout=15_000)
    stored = settle(stack, registration, "terminated")
    defined = [h.verb_of(s) for s in h.by_time(stored) if h.verb_of(s) in h.DEFINED]
    assert defined == ["initialized", "terminated"]
    if mode == "Browse":  # in Review the core saves nothing, so the adapter hears of no page view
        names = [h.verb_of(s) for s in stored]
        assert "experienced" in names and "progressed" not in names
        writes = [h.describe(r) for r in stack.lms.requests[since:] if r.method != "GET" and r.path.endswith("/state")]
        assert writes == []
        assert page.evaluate("k => localStorage.getItem(k)", LOCAL_KEY) == "1~intro-01~intro-01*1"
        page = launch(stack, context, registration)  # Normal: the answers given in Browse count for nothing
        h.wait_ready(page)
        h.exit_course(page)
        page.wait_for_url("**/lms/return", timeout=15_000)
        stored = settle(stack, registration, "terminated", 2)
        assert not {"completed", "passed", "failed"} & {h.verb_of(s) for s in stored}
    context.close()
    check_statements(stack, stored, tmp_path)


def test_reload_keeps_the_token_and_sends_nothing_after_terminated(stack: h.Stack, browser: Any) -> None:
    """C5-02: a reload does not fetch again; the ended session is shown read-only with a notice."""
    registration = h.new_registration()
    context = browser.new_context()
    page = launch(stack, context, registration)
    h.wait_ready(page, "home")
    h.walk(page, h.RIGHT, h.WALK[:3])
    fetches = sum(1 for r in stack.lms.requests if "/cmi5/fetch/" in r.path)
    page.reload()
    h.wait_ready(page, "intro-01")
    assert sum(1 for r in stack.lms.requests if "/cmi5/fetch/" in r.path) == fetches
    assert "session has ended" in page.locator("#jmdi-status").text_content()
    assert h.is_final(page, "intro-01.q1")  # progress shown from the State API
    time.sleep(1)
    stored = settle(stack, registration, "terminated")
    context.close()
    names = [h.verb_of(s) for s in h.by_time(stored)]
    assert names[-1] == "terminated" and names.count("initialized") == 1


@pytest.mark.skip(
    reason="hung (Playwright waiting, no CPU) in the fresh-clone CI run of 2026-12-08 after the strict-cmi5 "
    "changes (pagehide keepalive, leftovers dropped); to investigate before re-enabling"
)
def test_a_window_closed_before_the_later_part_arrived_sent_nothing(
    stack: h.Stack, browser: Any, tmp_path: Path
) -> None:
    """Issue 16: jmdi-cmi5.js alone starts the session and shows the first page; jmdi-cmi5-later.js,
    loaded next, queues initialized and sends. While it cannot arrive, pages still open, nothing is
    queued or sent and the core keeps the state; the reload that gets it (same token) sends
    initialized once, the state the first load kept, and terminated last."""
    registration = h.new_registration()
    context = browser.new_context()
    context.route("**/runtime/jmdi-cmi5-later.js", lambda route: route.abort())
    page = launch(stack, context, registration)
    h.wait_ready(page, "home")
    h.open_page(page, "intro-01")  # its save waits for the later part
    h.wait_ready(page, "intro-01")
    time.sleep(0.5)
    assert h.outbox_size(page) == 0
    assert not [r for r in stack.lms.requests if r.path == "/xapi/statements" and registration.encode() in r.body]
    context.unroute("**/runtime/jmdi-cmi5-later.js")
    page.reload()  # the learner closed the window: this launch in the same tab again
    assert h.wait_ready(page) == "intro-01"
    h.exit_course(page)
    stored = settle(stack, registration, "terminated")
    context.close()
    names = [h.verb_of(s) for s in h.by_time(stored) if h.verb_of(s) != "launched"]
    assert names[0] == "initialized" and names.count("initialized") == 1 and names[-1] == "terminated", names
    check_statements(stack, stored, tmp_path)


@pytest.mark.slow
def test_outage_the_next_session_earns_what_the_lrs_missed(browser: Any, tmp_path: Path) -> None:
    """The LRS stops mid-course; the learner goes on (completing and passing), leaves, and comes
    back in this browser once it is up again. What the first session could not deliver is not sent
    with the second session's token (the LMS has ended the first session); the progress comes back
    from the State, and the second session earns completed and passed again, since the LRS says it
    lacks them. Nothing is stored twice."""
    packages = h.build_packages(tmp_path / "dist", "cmi5")
    stack = h.Stack(tmp_path, packages["cmi5"])
    try:
        registration = h.new_registration()
        context = browser.new_context()
        page = launch(stack, context, registration)
        h.wait_ready(page, "home")
        h.walk(page, h.RIGHT, h.WALK[:3])
        h.wait_outbox_empty(page)
        stack.lrs.stop()
        h.walk(page, h.RIGHT, h.WALK[3:])  # answers, completed, passed: all queued
        assert h.outbox_size(page) > 0
        h.exit_course(page)  # terminated cannot arrive; returnURL after the drain timeout
        page.wait_for_url("**/lms/return", timeout=20_000)
        stack.lrs.start()  # same port
        since = len(stack.lms.requests)
        page = launch(stack, context, registration)
        h.wait_ready(page)
        h.open_page(page, "practice-01")  # answered during the outage: back from the State
        assert h.is_final(page, "practice-01.q1") and h.is_final(page, "practice-01.q2")
        h.wait_outbox_empty(page, 60)
        h.exit_course(page)
        page.wait_for_url("**/lms/return", timeout=15_000)
        stored = settle(stack, registration, "terminated")
        context.close()
        failures = [r for r in stack.lms.requests if r.path == "/xapi/statements" and r.status == 503]
        assert failures  # the outage really happened
        [second] = h.sessions(stack.lms.requests, since)
        sent = [s for r in h.session_requests(stack.lms.requests, second) for s in json.loads(r.body or "[]")
                if r.method == "POST" and r.path.endswith("/statements")]  # fmt: skip
        assert {h.session_of(s) for s in sent} == {second}
        earned = {h.verb_of(s): h.session_of(s) for s in stored if h.verb_of(s) in ("completed", "passed")}
        assert earned == {"completed": second, "passed": second}
        stored_ids = [s["id"] for s in stored]
        assert len(stored_ids) == len(set(stored_ids))
        check_statements(stack, stored, tmp_path)
        print(json.dumps({"statements": len(stored_ids), "requests_refused": len(failures)}))
    finally:
        stack.close()


def test_one_au_per_topic(browser: Any, tmp_path: Path) -> None:
    """``--sco topic``: blocks per module, an AU per topic; each AU is launched and judged alone."""
    packages = h.build_packages(tmp_path / "dist", "cmi5", sco="topic")
    stack = h.Stack(tmp_path, packages["cmi5"])
    try:
        assert [au.url for au in stack.lms.aus()] == [
            "index.html?sco=intro-01",
            "index.html?sco=intro-02",
            "index.html?sco=practice-01",
            "index.html?sco=practice.assessment",
        ]
        registration = h.new_registration()
        context = browser.new_context()
        page = context.new_page()
        page.goto(stack.lms.launch_url("cmi5", actor=h.ACTOR, registration=registration, au=0, return_url=""))
        h.wait_ready(page, "intro-01")
        h.answer_page(page, "intro-01", h.RIGHT)
        h.exit_course(page)
        page.wait_for_url("**/lms/return", timeout=15_000)
        stored = settle(stack, registration, "terminated")
        context.close()
        names = [h.verb_of(s) for s in h.by_time(stored)]
        assert names.count("completed") == 1 and names.count("passed") == 1
        au_id = stack.lms.aus()[0].ident
        assert au_id == BASE + "topic/intro-01"
        launched = next(s for s in stored if h.verb_of(s) == "launched")
        assert [a["id"] for a in launched["context"]["contextActivities"]["grouping"]] == [au_id]
        passed = next(s for s in stored if h.verb_of(s) == "passed")
        assert passed["result"]["score"] == {"scaled": 1, "raw": 3, "min": 0, "max": 3}
        check_statements(stack, stored, tmp_path)
    finally:
        stack.close()


def test_a_used_fetch_url_is_told_to_the_learner(stack: h.Stack, browser: Any) -> None:
    """C5-02: fetch error 1 (token already handed out) → a clear notice, nothing sent."""
    registration = h.new_registration()
    url = stack.lms.launch_url("cmi5", actor=h.ACTOR, registration=registration)
    fetch = parse_qs(urlsplit(url).query)["fetch"][0]
    assert "auth-token" in requests.post(fetch, timeout=5).json()  # someone else took the token
    page = browser.new_page()
    page.goto(url)
    h.wait_ready(page, "home")
    notice = page.locator("#jmdi-status").text_content()
    assert "could not connect" in notice and "cmi5-fetch-1" in notice
    h.walk(page, h.RIGHT, h.WALK[:3])  # kept in this browser (the Exit page says it is saved)
    kept = page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.endsWith(':offline')).map(k => localStorage[k])"
    )
    assert len(kept) == 1 and "intro-01*2" in kept[0], kept
    page.context.close()
    assert [h.verb_of(s) for s in stack.stored(registration)] == ["launched"]
