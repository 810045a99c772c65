"""The cmi5 AU against an LMS as strict as ADL's cmi5 test suite (CATAPULT).

``LocalLMS(session_rules=True)`` refuses with 403 what such an LMS refuses (session_rules.py): a
statement out of its session's order, a second ``completed``/``passed`` in a registration, a
statement whose actor is not the launch actor exactly or whose context changes the launch's
context template (its ``sessionid`` included: a statement of another session), an ``agent``
parameter that is not the launch actor, a State write to another AU's activity, anything after
``terminated``. Each test makes the LMS slow, lose or refuse something on demand
(``LocalLMS.faults``) and checks that every session still ends with ``terminated`` and that the
LMS refused nothing it was not told to refuse. A failing test prints each session's requests in
the order they arrived.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from jmdi_scorm.lms import Fault
from jmdi_scorm.lms.store import agent_key
from jmdi_scorm.render import state_codec
from tests.lrs.ralph_lrs import RalphLRS
from tests.support import xapi_harness as h

BASE = "https://example.org/courses/mini/"
LAST = "practice.assessment.a1"  # its answer completes and passes the course


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory):
    """One ralph; the strict LMS in front of it for the whole course (one AU) and for one AU per
    topic (``--sco topic``)."""
    work = tmp_path_factory.mktemp("strict")
    course = h.build_packages(work / "dist", "cmi5")["cmi5"]
    topic = h.build_packages(work / "dist-topic", "cmi5", sco="topic")["cmi5"]
    lrs = RalphLRS(work / "ralph")
    lrs.start()
    made = {
        kind: h.Stack(work, package, lrs=lrs, session_rules=True)
        for kind, package in (("course", course), ("topic", topic))
    }
    yield made
    for stack in made.values():
        stack.close()
    lrs.stop()


@pytest.fixture(autouse=True)
def no_faults(stacks):
    yield
    for stack in stacks.values():
        stack.lms.faults = None


class Run:
    """One registration of a test: its launches, and the LMS's requests since it began."""

    def __init__(self, stack: h.Stack, browser: Any, title: str, actor: dict[str, Any] = h.ACTOR) -> None:
        self.stack, self.browser, self.title, self.actor = stack, browser, title, actor
        self.registration = h.new_registration()
        self.since = len(stack.lms.requests)
        self.context = browser.new_context()

    def url(self, **options: Any) -> str:
        options = {"return_url": "", **options}
        return self.stack.lms.launch_url("cmi5", actor=self.actor, registration=self.registration, **options)

    def open(self, url: str | None = None, context: Any = None) -> Any:
        page = (context or self.context).new_page()
        page.goto(url or self.url())
        return page

    def seed(self, url: str, answers: dict[str, str]) -> None:
        """The launch's AU starts with these answers right, every page before the assessment done
        (the assessment too once its answer is among them) and the bookmark on it, as a learner
        left it."""
        activity = parse_qs(urlsplit(url).query)["activityId"][0]
        pages = {p: 2 for p in ("intro-01", "intro-02", "practice-01")} | {"practice.assessment": 1 + (LAST in answers)}
        state = {"location": "practice.assessment", "pages": pages,
                 "answers": {k: {"response": v, "tries": 1, "correct": True} for k, v in answers.items()}}  # fmt: skip
        store, key = self.stack.lms.store, agent_key(self.actor)
        store.put("state", activity, key, self.registration, "suspend",
                  json.dumps({"state": state_codec.encode(state)}).encode(), "application/json")  # fmt: skip
        store.put("state", activity, key, self.registration, "bookmark",
                  json.dumps({"location": "practice.assessment"}).encode(), "application/json")  # fmt: skip

    @property
    def requests(self) -> list[Any]:
        return self.stack.lms.requests[self.since :]

    def report(self) -> str:
        return h.report(self.title, self.stack.lms.requests, self.since)

    def stored(self, terminated: int = 1) -> list[dict]:
        """What the LRS stored once ``terminated`` × this many arrived (fails with the report)."""
        try:
            return h.settle(self.stack, self.registration, "terminated", terminated, timeout=20)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.report()}") from None

    def check(self, stored: list[dict], tmp_path: Path) -> None:
        """Every cmi5 rule; xapi-validation on the AU's statements (not the LMS's launched)."""
        plain = [h.strip_lrs_fields(s) for s in stored]
        assert h.cmi5_problems(plain, self.actor) == [], self.report()
        assert h.xapi_validation([s for s in plain if h.verb_of(s) != "launched"], tmp_path) == {}


def on_statement_writes(fault: Fault, only: Callable[[Any], bool] = lambda r: True) -> Callable[[Any], Fault | None]:
    return lambda r: fault if r.resource == "statements" and r.method != "GET" and only(r) else None


def verbs_of(request: Any) -> list[str]:
    return h.body_verbs(request)


def statements_of(request: Any) -> list[dict]:
    if not h.body_verbs(request):
        return []
    data = json.loads(request.body)
    return data if isinstance(data, list) else [data]


def exit_to_lms(page: Any, timeout: float = 15) -> None:
    h.exit_course(page)
    page.wait_for_url("**/lms/return", timeout=timeout * 1000)


def all_but_last() -> dict[str, str]:
    return {k: v for k, v in h.RIGHT.items() if k != LAST}


# --- 1. terminated when the page closes mid-request; nothing of it under the next token -------


@pytest.mark.parametrize(
    "leave", ["close-at-once", "close-after-0.25s", "frame-navigated-away", "close-before-initialized-is-answered"]
)
def test_a_page_closed_mid_request_ends_its_session_and_the_next_launch_starts_clean(
    stacks, browser: Any, tmp_path: Path, leave: str
) -> None:
    """The LMS answers statement requests after 0.3 s. The window closes 0 or 0.25 s after the
    answer that completes and passes (its request still on its way), or the LMS navigates the frame
    away right after a page change, or (the LMS 1 s away from the start) the window closes after a
    page change before the LMS answered initialized: terminated still reaches the LMS, after the
    rest. The next launch in this browser starts with its own initialized and sends nothing of the
    first session."""
    stack = stacks["course"]
    slow_start = leave == "close-before-initialized-is-answered"
    run = Run(stack, browser, f"cmi5, {leave}, LMS {1 if slow_start else 0.3} s away")
    url = run.url()
    run.seed(url, all_but_last())
    if slow_start:
        stack.lms.faults = on_statement_writes(Fault(delay=1.0))
    page = run.open(url)
    h.wait_ready(page, "practice.assessment")
    stack.lms.faults = stack.lms.faults or on_statement_writes(Fault(delay=0.3))
    if slow_start:
        h.open_page(page, "intro-01")
        page.close()
    elif leave == "frame-navigated-away":
        h.open_page(page, "intro-01")  # experienced, bookmark and suspend on their way
        page.goto(stack.lms.base_url + "lms/return")
    else:
        h.answer(page, LAST, h.RIGHT[LAST])
        time.sleep(0.25 if leave.endswith("0.25s") else 0)  # its request still on its way
        page.close()
    first = run.stored()
    stack.lms.faults = None
    page = run.open()  # the learner comes back in this browser
    h.wait_ready(page)
    exit_to_lms(page)
    stored = run.stored(2)
    run.context.close()
    text = run.report()
    assert h.refused(run.requests) == [], text
    one, two = h.sessions(run.requests)
    names = Counter(h.verb_of(s) for s in first if h.session_of(s) == one)
    if slow_start:  # what was made while initialized was on its way arrived after it
        assert names["experienced"] == 2, (names, text)
    elif leave != "frame-navigated-away":
        assert names["passed"] == 1, (names, text)
    second = h.session_requests(run.requests, two)
    posts = [r for r in second if verbs_of(r)]
    assert verbs_of(posts[0]) == ["initialized"], text
    sessions = {h.session_of(s) for r in posts for s in statements_of(r)}
    assert len(sessions) == 1 and one not in sessions, text  # only the second session's statements
    assert h.terminated_last_problems(run.requests, two) == [], text
    run.check(stored, tmp_path)


# --- 2. Exit on a slow LMS ---------------------------------------------------------------------


def test_exit_on_a_slow_lms_leaves_only_once_terminated_is_on_its_way(stacks, browser: Any, tmp_path: Path) -> None:
    """Every write takes the LMS 2 s: Exit right after the last answer does not wait for all of
    it; after a while what is left leaves with keepalive, terminated last, and only then does the
    AU go to returnURL."""
    stack = stacks["course"]
    run = Run(stack, browser, "cmi5, Exit on an LMS 2 s away")
    url = run.url()
    run.seed(url, all_but_last())
    page = run.open(url)
    h.wait_ready(page, "practice.assessment")
    stack.lms.faults = lambda r: Fault(delay=2.0) if r.method in ("POST", "PUT") else None
    h.answer(page, LAST, h.RIGHT[LAST])
    pressed = time.monotonic()
    exit_to_lms(page, timeout=20)
    waited = time.monotonic() - pressed
    print(f"returnURL {waited:.2f} s after Exit")
    stored = run.stored()
    run.context.close()
    text = run.report()
    returned = next(r for r in stack.lms.requests[run.since :] if r.path == "/lms/return")
    terminated = next(r for r in run.requests if "terminated" in verbs_of(r))
    assert terminated.received < returned.received, text  # on its way before the page went
    assert waited < 8, (waited, text)
    assert h.refused(run.requests) == [], text
    names = Counter(h.verb_of(s) for s in stored)
    assert names["completed"] == 1 and names["passed"] == 1 and names["terminated"] == 1, (names, text)
    run.check(stored, tmp_path)


# --- 3. A refused request does not stop the session ------------------------------------------


def test_a_lost_verdict_is_sent_again_though_the_lms_refuses_to_look_it_up(
    stacks, browser: Any, tmp_path: Path
) -> None:
    """The request with completed and passed gets a 503 (nothing stored) and the LMS refuses
    statement reads (403): the AU cannot check them, sends them again and goes on to terminated."""
    stack = stacks["course"]
    run = Run(stack, browser, "cmi5, 503 on the verdict, statement reads refused")
    url = run.url()
    run.seed(url, all_but_last())
    page = run.open(url)
    h.wait_ready(page, "practice.assessment")
    failed = threading.Event()

    def faults(r: Any) -> Fault | None:
        if r.resource == "statements" and r.method == "GET":
            return Fault(status=403)
        if r.method == "POST" and b"/verbs/passed" in r.body and not failed.is_set():
            failed.set()
            return Fault(status=503)
        return None

    stack.lms.faults = faults
    h.answer(page, LAST, h.RIGHT[LAST])
    h.wait_outbox_empty(page, 20)  # retried after its backoff
    exit_to_lms(page)
    stored = run.stored()
    run.context.close()
    text = run.report()
    assert failed.is_set(), text
    assert [r for r in h.refused(run.requests) if not r.startswith("GET statements?statementId")] == [], text
    names = Counter(h.verb_of(s) for s in stored)
    assert names["completed"] == 1 and names["passed"] == 1 and names["terminated"] == 1, (names, text)
    run.check(stored, tmp_path)


def test_a_verdict_the_lms_has_already_is_dropped_when_refused(stacks, browser: Any, tmp_path: Path) -> None:
    """The AU's cmi5-au-flags document is gone while the LMS has completed and passed: the AU sends
    them again, the LMS refuses them (a second completed and passed in the registration), and the
    session still ends with terminated."""
    stack = stacks["course"]
    run = Run(stack, browser, "cmi5, flags document lost")
    url = run.url()
    run.seed(url, h.RIGHT)  # all done: the launch's first save completes and passes
    page = run.open(url)
    h.wait_ready(page)
    exit_to_lms(page)
    run.stored()
    activity = parse_qs(urlsplit(url).query)["activityId"][0]
    stack.lms.store.delete("state", activity, agent_key(run.actor), run.registration, "cmi5-au-flags")
    page = run.open(context=browser.new_context())  # another browser: nothing left in localStorage
    h.wait_ready(page)
    exit_to_lms(page)
    stored = run.stored(2)
    run.context.close()
    text = run.report()
    one, two = h.sessions(run.requests)
    refused = h.refused(h.session_requests(run.requests, two))
    assert refused and all("completed" in r or "passed" in r for r in refused), text
    assert h.terminated_last_problems(run.requests, two) == [], text
    names = Counter(h.verb_of(s) for s in stored)
    assert names["completed"] == 1 and names["passed"] == 1 and names["terminated"] == 2, (names, text)
    run.check(stored, tmp_path)


# --- 4. One AU never sends what another AU left -------------------------------------------------


def test_what_one_au_left_is_never_sent_with_another_aus_token(stacks, browser: Any, tmp_path: Path) -> None:
    """``--sco topic``: the first AU's window closes while its answer's requests are on their way
    (the LMS takes 1 s); the second AU, launched next in this browser, sends nothing of it (the
    LMS refuses a State write for another AU's activity) and runs its own session."""
    stack = stacks["topic"]
    run = Run(stack, browser, "cmi5 --sco topic, AU 1 closed mid-request, then AU 2")
    page = run.open(run.url(au=0))
    h.wait_ready(page, "intro-01")
    stack.lms.faults = lambda r: Fault(delay=1.0) if r.method in ("POST", "PUT") else None
    h.answer(page, "intro-01.q1", h.RIGHT["intro-01.q1"])
    time.sleep(0.1)
    page.close()
    run.stored()
    stack.lms.faults = None
    second_url = run.url(au=1)
    page = run.open(second_url)
    h.wait_ready(page, "intro-02")
    exit_to_lms(page)
    stored = run.stored(2)
    run.context.close()
    text = run.report()
    assert h.refused(run.requests) == [], text
    one, two = h.sessions(run.requests)
    second = h.session_requests(run.requests, two)
    own = parse_qs(urlsplit(second_url).query)["activityId"][0]
    assert {r.query["activityId"] for r in second if r.path.endswith("activities/state")} == {own}, text
    assert {h.session_of(s) for r in second for s in statements_of(r)} == {two}, text
    assert verbs_of(next(r for r in second if verbs_of(r))) == ["initialized"], text
    assert h.terminated_last_problems(run.requests, two) == [], text
    run.check(stored, tmp_path)


# --- 5, 6, 7. The launch actor and the context template as the LMS gave them ------------------


def test_the_launch_actor_and_context_template_are_kept_as_given(stacks, browser: Any, tmp_path: Path) -> None:
    """The LMS names the learner by an account alone (no objectType) and makes a template of its
    own: a single grouping activity (not a list), another activity, language, revision, platform
    and an extension. Every request names the actor exactly so, and every statement keeps the
    template's values, adding to it only."""
    stack = stacks["course"]
    actor = {"account": {"homePage": "https://lms.example.org/", "name": "cy"}}
    run = Run(stack, browser, "cmi5, the LMS's own actor and template", actor=actor)
    publisher = stack.lms.aus()[0].ident
    template = {
        "contextActivities": {
            "grouping": {"objectType": "Activity", "id": publisher},
            "other": [{"objectType": "Activity", "id": "https://lms.example.org/x"}],
        },
        "language": "de-DE",
        "revision": "lms-rev-7",
        "platform": "ExampleLMS",
        "extensions": {"https://lms.example.org/ext/tenant": "t1"},
    }
    page = run.open(run.url(context_template=template))
    h.wait_ready(page, "home")
    h.walk(page, h.RIGHT, h.WALK[:3])  # home, intro, intro-01 and its answers
    exit_to_lms(page)
    stored = run.stored()
    run.context.close()
    text = run.report()
    assert h.refused(run.requests) == [], text
    mine = [h.strip_lrs_fields(s) for s in stored if h.verb_of(s) != "launched"]
    assert {h.verb_of(s) for s in mine} >= {"initialized", "experienced", "answered", "terminated"}, text
    for s in mine:
        context = s["context"]
        assert s["actor"] == actor
        assert (context["language"], context["revision"], context["platform"]) == ("de-DE", "lms-rev-7", "ExampleLMS")
        assert context["contextActivities"]["grouping"][:2] == [template["contextActivities"]["grouping"], {
            "objectType": "Activity", "id": BASE}]  # fmt: skip
        assert context["contextActivities"]["other"] == template["contextActivities"]["other"]
        assert context["extensions"]["https://lms.example.org/ext/tenant"] == "t1"
    run.check(stored, tmp_path)
