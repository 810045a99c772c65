"""Issue 16: the first page does not wait for the LRS. xAPI and cmi5 packages of the fixture
course in headless Chromium against ralph and the local LMS, whose answers to the launch's state
reads are held back until the test lets them go (an LRS over a slow link, without timing).

While the state is on its way the learner reads, moves and answers: nothing is sent before the
session's first statement, the answer waits for the tries the LRS keeps, the learner is not
taken to the bookmark once the state comes, and the state stored afterwards is the union of the
LRS's old progress and the new pages.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from jmdi_scorm.lms.store import agent_key
from jmdi_scorm.render.state_codec import decode
from tests.support import xapi_harness as h

BASE = "https://example.org/courses/mini/"
FORMATS = ("xapi", "cmi5")


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("slow-lrs")
    packages = h.build_packages(work / "dist", ",".join(FORMATS))
    made = {fmt: h.Stack(work / fmt, packages[fmt]) for fmt in FORMATS}
    yield made
    for stack in made.values():
        stack.close()


def launch(stack: h.Stack, context: Any, fmt: str, registration: str) -> tuple[Any, str]:
    """A new launch of the course in a page of ``context``; the page and its state documents'
    activity id (the course's for xAPI, the AU's for cmi5)."""
    url = stack.lms.launch_url(fmt, actor=h.ACTOR, registration=registration, return_url="")
    query = parse_qs(urlsplit(url).query)
    page = context.new_page()
    page.goto(url)
    return page, (query["activityId"][0] if fmt == "cmi5" else BASE)


def leave(page: Any, fmt: str) -> None:
    """Exit, and wait until the session ended: cmi5 goes to the LMS's returnURL once terminated
    settled; TinCan stays, its outbox empty once the LRS answered for every statement."""
    h.exit_course(page)
    if fmt == "cmi5":
        page.wait_for_url("**/lms/return", timeout=15_000)
    else:
        h.wait_outbox_empty(page)


def is_state_read(url: str) -> bool:
    return "/xapi/activities/state?" in url


def statement_requests(stack: h.Stack, registration: str) -> list[Any]:
    return [r for r in stack.lms.requests if r.path == "/xapi/statements" and registration.encode() in r.body]


def stored_state(stack: h.Stack, activity: str, registration: str) -> dict[str, Any]:
    suspend = stack.lms.store.get("state", activity, agent_key(h.ACTOR), registration, "suspend")
    assert suspend is not None
    state = decode(json.loads(suspend.content)["state"])
    assert state is not None
    return state


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_learner_goes_on_while_the_state_is_on_its_way(stacks: dict[str, h.Stack], browser: Any, fmt: str) -> None:
    stack = stacks[fmt]
    registration = h.new_registration()
    # A first launch leaves progress in the LRS: intro-01 done, its answers, the bookmark there.
    context = browser.new_context()
    page, activity = launch(stack, context, fmt, registration)
    h.wait_ready(page, "home")
    h.walk(page, h.RIGHT, h.WALK[:3])
    h.wait_outbox_empty(page)
    leave(page, fmt)
    h.settle(stack, registration, "terminated")
    context.close()
    assert stored_state(stack, activity, registration)["pages"] == {"intro-01": 2}

    # The second launch, in another browser: the LRS's answers to the state reads are held.
    context = browser.new_context()
    held: list[Any] = []

    def hold(route: Any) -> None:
        if route.request.method == "GET" and "released" not in held:
            held.append(route)
        else:
            route.continue_()

    context.route(is_state_read, hold)
    sent_before = len(statement_requests(stack, registration))
    page, _ = launch(stack, context, fmt, registration)
    page.locator("#jmdi-next:not([hidden])").wait_for()
    assert page.locator("#jmdi-page").get_attribute("data-page") == "home"
    assert page.locator("#jmdi-page h1").is_visible()
    # The learner moves on (keyboard, from the contents) and answers before the state is here.
    h.press(page.locator("#jmdi-toc a[href='#/intro-02']"))
    page.locator('#jmdi-page[data-page="intro-02"]').wait_for()
    form = page.locator('form[data-key="intro-02.q1"]')
    form.locator("input[type=text]").fill(h.RIGHT["intro-02.q1"])
    h.press(form.locator("button[type=submit]"))
    for _ in range(300):  # the adapter comes after the first page and asks for the state
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the adapter never asked for the state"
    assert not page.evaluate("() => document.body.hasAttribute('data-jmdi-session')")
    assert form.locator(".jmdi-feedback").text_content().strip() == ""  # the answer waits for the state
    assert len(statement_requests(stack, registration)) == sent_before  # nothing sent yet

    release, held[:] = list(held), ["released"]  # reads from now on pass at once (hold)
    for route in release:
        route.continue_()
    page.wait_for_function("() => document.body.hasAttribute('data-jmdi-session')")
    page.wait_for_function(
        "f => f.querySelector('.jmdi-feedback').textContent.trim() !== ''", arg=form.element_handle()
    )
    assert page.locator("#jmdi-page").get_attribute("data-page") == "intro-02"  # not taken to intro-01
    # The contents show the LRS's old progress with the new page's.
    assert page.locator("#jmdi-toc a[href='#/intro-01']").get_attribute("data-state") == "2"
    assert page.locator("#jmdi-toc a[href='#/intro-02']").get_attribute("data-state") == "2"
    h.open_page(page, "intro-01")
    assert h.is_final(page, "intro-01.q1")  # the answers the LRS kept
    h.wait_outbox_empty(page)
    leave(page, fmt)
    stored = h.settle(stack, registration, "terminated", 2)
    context.close()

    # The stored state is the union: the old page and answers, the new page and answer.
    state = stored_state(stack, activity, registration)
    assert state["pages"] == {"intro-01": 2, "intro-02": 2}
    assert {"intro-01.q1", "intro-01.q2", "intro-01.q3", "intro-02.q1"} <= set(state["answers"])
    assert state["answers"]["intro-02.q1"]["tries"] == 1
    # The second session: its first statement before anything else of it, the answer after it.
    second = [s for s in h.by_time(stored) if h.verb_of(s) != "launched"]
    second = second[[h.verb_of(s) for s in second].index("terminated") + 1 :]
    names = [h.verb_of(s) for s in second]
    first = "resumed" if fmt == "xapi" else "initialized"  # TinCan: the LRS had a state
    assert names[0] == first and names[-1] == "terminated", names
    assert names.count("answered") == 1
    # … and it left alone, in the first statement request after the held reads were answered
    assert h.body_verbs(statement_requests(stack, registration)[sent_before]) == [first]
    if fmt == "cmi5":
        assert h.launch_order_problems(stack.lms.requests) == []
        assert h.cmi5_problems([h.strip_lrs_fields(s) for s in stored], h.ACTOR) == []
