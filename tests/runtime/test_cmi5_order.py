"""Statement and request order of the cmi5 and xAPI adapters, whatever the exit timing (issue 12).

ADL's cmi5 reference player and test suite found, in every cmi5 format:

1. Exit pressed right after the last answer: a State PUT (suspend, bookmark, cmi5-au-flags)
   arrived after ``terminated`` (the token had ended: 403; requirement 8.1.2.0-2).
2. ``initialized`` in one POST together with ``experienced``: the LMS judges a batch against the
   session as it was before it, refused the whole batch (9.3.0.0-4), the AU was never satisfied.
3. The window closed 0.1 s after an answer: the cut-off ``[answered, passed]`` request had been
   stored, the re-send with the same ids plus ``terminated`` was refused as a second ``passed``
   (9.3.0.0-2), so ``terminated`` was never recorded.

The local LMS here refuses what such an LMS refuses (``LocalLMS(session_rules=True)``: 403 for
anything after a session's terminated, for a statement before initialized, for a second passed or
completed in a registration, and the whole request with it), is made slow or loses an answer on
demand (``LocalLMS.faults``), and logs when each request arrived and was answered. A failing test
prints the session's requests in the order they arrived.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from jmdi_scorm.build import BuildOptions, build
from jmdi_scorm.lms import Fault
from jmdi_scorm.render.questions import correct_answer
from jmdi_scorm.source.validate import load_course
from tests.lrs.ralph_lrs import RalphLRS
from tests.support import xapi_harness as h

LAST_ANSWER = ("practice.assessment.a1", h.RIGHT["practice.assessment.a1"])
JMDI = Path(__file__).resolve().parents[2] / "course"
JMDI_MODULE = "m5"  # the JMDI course's last module, one AU of its --split module packages


def jmdi_answers() -> tuple[list[str], dict[str, str]]:
    """The pages of the JMDI module package from home to its assessment, and every right answer."""
    course, _ = load_course(JMDI)
    module = next(m for m in course.modules if m.id == JMDI_MODULE)
    answers = {f"{t.id}.{q.id}": correct_answer(q) for t in module.topics for q in t.questions}
    answers.update({f"{module.id}.assessment.{q.id}": correct_answer(q) for q in module.meta.assessment.questions})
    return ["home", module.id, *(t.id for t in module.topics), f"{module.id}.assessment"], answers


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory):
    """One ralph; a local LMS with the session rules in front of it per package: the whole course
    (cmi5 and xAPI), one AU per topic (cmi5 ``--sco topic``) and the JMDI course's last module
    (cmi5 ``--split module``)."""
    work = tmp_path_factory.mktemp("order")
    packages = h.build_packages(work / "dist", "xapi,cmi5")
    topic = h.build_packages(work / "dist-topic", "cmi5", sco="topic")["cmi5"]
    split = build(
        JMDI, BuildOptions(formats=("cmi5",), out=work / "dist-jmdi", split="module", pdf=False, languages=("en",))
    )
    jmdi = next(a.path for a in split.artifacts if a.scope.module == JMDI_MODULE)
    lrs = RalphLRS(work / "ralph")
    lrs.start()
    kinds = (("cmi5", packages["cmi5"]), ("cmi5-topic", topic), ("xapi", packages["xapi"]), ("jmdi-module", jmdi))
    made = {kind: h.Stack(work, package, lrs=lrs, session_rules=True) for kind, package in kinds}
    yield made
    for stack in made.values():
        stack.close()
    lrs.stop()


@pytest.fixture(autouse=True)
def no_faults(stacks):
    yield
    for stack in stacks.values():
        stack.lms.faults = None


def launch(stack: h.Stack, context: Any, kind: str, registration: str) -> Any:
    page = context.new_page()
    if kind == "xapi":
        page.goto(stack.lms.launch_url("xapi", actor=h.ACTOR, registration=registration))
    else:
        page.goto(stack.lms.launch_url("cmi5", actor=h.ACTOR, registration=registration, return_url=""))
    return page


def first_launch(stack: h.Stack, browser: Any, kind: str, faults: Any) -> tuple[str, Any, Any]:
    """A new registration launched in a fresh browser context, with ``faults`` set on the LMS:
    (registration, context, page)."""
    stack.lms.faults = faults
    registration = h.new_registration()
    context = browser.new_context()
    return registration, context, launch(stack, context, kind, registration)


def settle(stack: h.Stack, registration: str, since: int, title: str, count: int = 1) -> list[dict]:
    """``h.settle`` for terminated × ``count``, failing with the sessions' requests in order."""
    try:
        return h.settle(stack, registration, "terminated", count, timeout=15)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{h.report(title, stack.lms.requests, since)}") from None


def check_cmi5(stored: list[dict], tmp_path: Path) -> None:
    plain = [h.strip_lrs_fields(s) for s in stored]
    assert h.cmi5_problems(plain, h.ACTOR) == []
    assert h.xapi_validation(plain, tmp_path) == {}
    ids = [s["id"] for s in stored]
    assert len(ids) == len(set(ids))


# --- 1. Exit at once after the last answer ---------------------------------------------------


def remote(request: Any) -> Fault | None:
    """0.2 s for every statement request, as for an LMS on the other side of the internet."""
    return Fault(delay=0.2) if request.resource == "statements" and request.method != "GET" else None


@pytest.mark.parametrize(
    "kind, wait",
    [("cmi5", 0.0), ("cmi5", 1.0), ("cmi5-topic", 0.0), ("xapi", 0.0), ("jmdi-module", 0.0)],
    ids=[
        "cmi5-exit-at-once",
        "cmi5-exit-after-1s",
        "cmi5-topic-exit-at-once",
        "xapi-exit-at-once",
        "jmdi-m5-exit-at-once",
    ],
)
def test_exit_right_after_the_last_answer_settles_the_state_before_terminated(
    stacks, browser: Any, tmp_path: Path, kind: str, wait: float
) -> None:
    stack = stacks[kind]
    since = len(stack.lms.requests)
    # as far away as a hosted LMS: the answer's requests are still on their way
    registration, context, page = first_launch(stack, browser, kind, remote)
    if kind == "cmi5-topic":  # the first AU: topic intro-01 and its three questions
        h.wait_ready(page, "intro-01")
        h.answer_page(page, "intro-01", h.RIGHT)
    elif kind == "jmdi-module":  # every question of the JMDI module, its assessment's last
        pages, answers = jmdi_answers()
        h.wait_ready(page, "home")
        h.walk(page, answers, pages)
    else:
        h.wait_ready(page, "home")
        h.walk(page, h.RIGHT, h.WALK[:7])  # … the assessment, whose answer is the last one
    time.sleep(wait)
    h.exit_course(page)  # at once: the answer's statements and State writes are still queued
    if kind == "xapi":
        h.wait_outbox_empty(page, 20)
    else:
        page.wait_for_url("**/lms/return", timeout=15_000)
    title = f"{kind}, Exit {wait:g} s after the last answer"
    stored = settle(stack, registration, since, title)
    context.close()
    text = h.report(title, stack.lms.requests, since)
    [session] = h.sessions(stack.lms.requests, since)
    requests = stack.lms.requests[since:]
    assert h.terminated_last_problems(requests, session) == [], text
    assert h.refused(requests) == [], text
    puts = [h.describe(r) for r in h.session_requests(requests, session) if r.method == "PUT" and "state" in r.path]
    assert puts, text  # the State was written (and, above, settled before terminated)
    names = Counter(h.verb_of(s) for s in stored)
    assert names["terminated"] == 1 and names["passed"] == 1 and names["completed"] == 1, names
    if kind != "xapi":
        check_cmi5(stored, tmp_path)


# --- 2. A slow first POST --------------------------------------------------------------------


def hide_and_show(page: Any) -> None:
    """The learner glances at another window: the page turns hidden, then visible again."""
    page.evaluate(
        "() => { Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});"
        " document.dispatchEvent(new Event('visibilitychange'));"
        " delete document.visibilityState; document.dispatchEvent(new Event('visibilitychange')); }"
    )


@pytest.mark.parametrize("status", [None, 504], ids=["answered-late", "gateway-timeout"])
def test_a_slow_first_post_keeps_initialized_alone_and_first(
    stacks, browser: Any, tmp_path: Path, status: int | None
) -> None:
    """initialized waits 1.5 s for its answer (then 200, or a gateway's 504 and nothing stored)
    while the learner opens two pages and looks at another window: nothing else may leave before
    the LMS acknowledged initialized, and initialized never shares a request."""
    stack = stacks["cmi5"]
    since = len(stack.lms.requests)
    slowed = threading.Event()

    def faults(request: Any) -> Fault | None:
        if request.method == "POST" and b"/verbs/initialized" in request.body and not slowed.is_set():
            slowed.set()
            return Fault(delay=1.5, status=status)
        return None

    registration, context, page = first_launch(stack, browser, "cmi5", faults)
    h.wait_ready(page, "home")
    h.walk(page, h.RIGHT, h.WALK[:2])  # intro: experienced queued while initialized waits
    hide_and_show(page)
    h.walk(page, h.RIGHT, h.WALK[2:])
    h.exit_course(page)
    page.wait_for_url("**/lms/return", timeout=20_000)
    title = f"slow first POST ({status or 200} after 1.5 s)"
    stored = settle(stack, registration, since, title)
    context.close()
    text = h.report(title, stack.lms.requests, since)
    assert slowed.is_set()
    [session] = h.sessions(stack.lms.requests, since)
    mine = h.session_requests(stack.lms.requests[since:], session)
    posts = [r for r in mine if r.path.endswith("/statements") and r.method in ("POST", "PUT")]
    assert h.body_verbs(posts[0]) == ["initialized"], text
    acknowledged = next(r for r in posts if "initialized" in h.body_verbs(r) and 200 <= r.status < 300)
    assert h.body_verbs(acknowledged) == ["initialized"], text
    before = [r for r in posts if r is not acknowledged and r.received < acknowledged.time]
    assert all(h.body_verbs(r) == ["initialized"] for r in before), text  # its own first try at most
    made_meanwhile = [s for s in stored if h.verb_of(s) == "experienced" and s["timestamp"] < stamp(acknowledged)]
    assert made_meanwhile, "no statement was made while initialized waited: the fault did not bite"
    assert h.refused(stack.lms.requests[since:]) == [], text
    assert h.terminated_last_problems(stack.lms.requests[since:], session) == [], text
    check_cmi5(stored, tmp_path)


def statement_ids(request: Any) -> list[str]:
    if not request.path.endswith("/statements") or request.method not in ("POST", "PUT") or not request.body:
        return []
    data = json.loads(request.body)
    return [s["id"] for s in (data if isinstance(data, list) else [data])]


def stamp(request: Any) -> str:
    """A request's answer time in the statements' timestamp format, for comparisons."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(request.time)) + f".{int(request.time % 1 * 1000):03d}Z"


# --- 3. The answer to a stored request is lost ----------------------------------------------


@pytest.mark.parametrize("close", [True, False], ids=["closed-0.1s-after-the-answer", "page-stays-open"])
def test_a_stored_request_whose_answer_was_lost_is_not_sent_twice(
    stacks, browser: Any, tmp_path: Path, close: bool
) -> None:
    """The request with the last answer and ``passed`` is stored, but its answer never comes back
    (held, then cut). Either the learner closes the window 0.1 s after the answer and comes back
    later in this browser, or the page stays and the outbox tries again: passed is checked with
    GET ?statementId= first and not sent twice, and every session ends with terminated. (The
    closed page sends terminated on pagehide; the next launch drops that session's leftovers, and
    looks the verdicts up only to know whether it must earn them again.)"""
    stack = stacks["cmi5"]
    since = len(stack.lms.requests)
    arrived = threading.Event()
    cut: list[str] = []

    def faults(request: Any) -> Fault | None:
        if request.method == "POST" and b"/verbs/passed" in request.body and not arrived.is_set():
            moved = ("/completed", "/passed")  # completed may share the request, depending on timing
            cut.extend(s["id"] for s in json.loads(request.body) if s["verb"]["id"].endswith(moved))
            arrived.set()
            return Fault(cut=1.0 if close else 0.3)
        return None

    registration, context, page = first_launch(stack, browser, "cmi5", faults)
    h.wait_ready(page, "home")
    h.walk(page, {k: v for k, v in h.RIGHT.items() if k != LAST_ANSWER[0]}, h.WALK[:7])
    h.answer(page, *LAST_ANSWER)
    answered_at = time.monotonic()
    assert arrived.wait(10), "the request with passed never reached the LMS"
    if close:
        time.sleep(max(0.0, 0.1 - (time.monotonic() - answered_at)))
        closed_after = time.monotonic() - answered_at
        page.close()  # its answer is still held by the LMS: the page never sees it
        time.sleep(1.5)  # the LMS cuts the held answer; keepalive requests of the closed page settle
        page = launch(stack, context, "cmi5", registration)  # the learner comes back in this browser
        h.wait_ready(page)
    else:
        closed_after = 0.0
        h.wait_outbox_empty(page, 20)  # the lost answer, the check, the rest
    h.exit_course(page)
    page.wait_for_url("**/lms/return", timeout=15_000)
    expected = 2 if close else 1
    title = (
        f"answer lost, closed {closed_after:.2f} s after the answer, relaunched" if close else "answer lost, page open"
    )
    stored = settle(stack, registration, since, title, expected)
    context.close()
    text = h.report(title, stack.lms.requests, since)
    requests = stack.lms.requests[since:]
    names = Counter(h.verb_of(s) for s in stored)
    assert names["passed"] == 1 and names["completed"] == 1 and names["terminated"] == expected, (names, text)
    sends = [h.describe(r) for r in requests if set(statement_ids(r)) & set(cut)]
    assert len(sends) == 1, text  # the cut request only: never sent again …
    checks = [r for r in requests if r.method == "GET" and r.query.get("statementId") in cut]
    assert sorted(r.query["statementId"] for r in checks) == sorted(cut), text  # … because each was looked up
    assert {r.status for r in checks} == {200}, text  # … and the LRS said it has it
    assert h.refused(requests) == [], text
    # A closing page cannot wait for answers: its State writes and terminated leave together (none
    # was refused, above).
    for session in h.sessions(stack.lms.requests, since)[1 if close else 0 :]:
        assert h.terminated_last_problems(requests, session) == [], text
    check_cmi5(stored, tmp_path)


# --- the outbox alone, against a scripted LRS ------------------------------------------------

OUTBOX_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>outbox</title>
<script src="jmdi-xapi-common.js"></script><script src="jmdi-xapi-common-later.js"></script></head><body><div id="jmdi-alert"></div></body></html>"""
LEFTOVER = {"id": "6f1c0b4e-8a51-4b0e-9c7e-0d5a3c2b1a00", "verb": {"id": h.VERB + "experienced"}}


def test_the_outbox_orders_checks_and_drops_an_earlier_sessions_refused_leftovers(serve, page, tmp_path: Path) -> None:
    """cmi5 rules of the outbox without a course: an earlier page's leftover refused with 403 is
    dropped and this session goes on (its token can never deliver another session's statement);
    initialized alone; a passed whose request failed is looked up before it is sent again (stored:
    not sent); terminated alone after the state document settled; nothing after it."""
    from jmdi_scorm.targets.xapi_common import runtime_source

    (tmp_path / "index.html").write_text(OUTBOX_PAGE)
    for name in ("jmdi-xapi-common.js", "jmdi-xapi-common-later.js"):  # the outbox spans both
        (tmp_path / name).write_text(runtime_source(name))
    log: list[str] = []
    tries: Counter[str] = Counter()

    def lrs(route: Any) -> None:
        request = route.request
        resource = request.url.split("/lrs/")[1].split("?")[0]
        body = json.loads(request.post_data or "null") if resource == "statements" else None
        verbs = [
            s["verb"]["id"].rsplit("/", 1)[-1] for s in (body if isinstance(body, list) else [body] if body else [])
        ]
        what = f"{request.method} {resource} {verbs or ''}".rstrip()
        tries[what] += 1
        log.append(what)
        if "experienced" in verbs:  # the earlier session's leftover: never accepted with this token
            return route.fulfill(status=403, body="{}")
        if verbs == ["passed"] and tries[what] == 1:
            return route.abort("connectionreset")  # stored, but the answer is lost (below: GET says 200)
        if request.method == "GET":
            found = {"id": request.url.split("statementId=")[1]}
            return route.fulfill(status=200, content_type="application/json", body=json.dumps(found))
        route.fulfill(status=204 if request.method == "PUT" else 200, content_type="application/json", body="[]")

    page.route("**/lrs/**", lrs)
    page.goto(serve(tmp_path) + "index.html")
    page.evaluate(
        "left => localStorage.setItem('jmdi-xapi-outbox:t', JSON.stringify({statements: [left], docs: {}}))", LEFTOVER
    )
    page.evaluate(
        """() => {
        const X = JMDIXapi, defined = s => !/experienced/.test(s.verb.id);
        window.box = new X.Outbox("t", new X.Lrs(location.origin + "/lrs", "Basic dDp0"), s => { window.blocked = s; },
                                  {unique: defined, dropRefusedEarlier: true});
        const make = (verb) => ({id: X.uuid(), verb: {id: "http://adlnet.gov/expapi/verbs/" + verb}});
        box.add(make("initialized")); box.add(make("passed"));
        box.putDoc({activityId: "https://example.org/a", stateId: "suspend"}, {state: "x"});
        box.add(make("terminated"));
        box.drain(8000);
        }"""
    )
    page.wait_for_function("() => box.ended", timeout=10_000)
    page.evaluate("() => { box.putDoc({activityId: 'https://example.org/a', stateId: 'suspend'}, {}); box.flush(); }")
    time.sleep(0.3)  # a write after terminated is not sent
    assert log == [
        "POST statements ['experienced']",  # the leftover, refused: dropped, not blocking
        "POST statements ['initialized']",
        "POST statements ['passed']",  # cut
        "GET statements",  # the check: the LRS has it …
        "PUT activities/state",  # … so it is not sent again; the document settles first
        "POST statements ['terminated']",  # then terminated alone, and nothing after it
    ], log
    assert page.evaluate("() => [box.blocked, box.size(), box.stats.dropped]") == [False, 0, 1]
