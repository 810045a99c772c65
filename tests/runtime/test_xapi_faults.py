"""Fault injection for the xAPI (TinCan) and cmi5 adapters (issue 9).

The packages of the fixture course are launched by the local LMS (``jmdi_scorm.lms``, which
stores statements itself here), but the launch ``endpoint`` points at a faulty loopback proxy
in front of it. The proxy passes everything through until told to fail the Statements resource:
answer 500, 401 or 403, refuse connections (LRS down), store a statement and then drop the
connection before answering, or answer slowly. The State API and the cmi5 fetch URL are never
faulted.

Every test fails if a statement is lost (an answer without its ``answered``, a missing verdict)
or recorded twice (the same event under two ids), and checks what the learner is told.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from jmdi_scorm.lms import LocalLMS
from jmdi_scorm.lms.store import agent_key
from jmdi_scorm.render import state_codec
from tests.support import xapi_harness as h

HALF, REST = h.WALK[:4], h.WALK[4:]  # home … intro-02 (4 answers), then practice … summary (3)
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, PUT, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match",
    "Access-Control-Expose-Headers": "ETag, X-Experience-API-Version, X-Experience-API-Consistent-Through",
}


class FaultyProxy:
    """A loopback proxy to the LMS's xAPI endpoint that fails the Statements resource on demand.

    ``fault``: None (pass through), an HTTP status, ``"down"`` (close the connection unanswered)
    or ``"drop"`` (forward, so the LRS stores it, then close the connection unanswered);
    ``delay``: seconds to wait before forwarding any statement request.
    """

    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.fault: Any = None
        self.delay = 0.0
        self.faulted: list[tuple[str, Any]] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
                pass

            def do_OPTIONS(self) -> None:  # noqa: N802 - stdlib names
                proxy.forward(self)

            do_GET = do_PUT = do_POST = do_DELETE = do_OPTIONS  # noqa: N815

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def forward(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        statements = urlsplit(handler.path).path.endswith("/statements") and handler.command != "OPTIONS"
        fault = self.fault if statements else None
        if statements and self.delay:
            time.sleep(self.delay)
        if fault is not None:
            self.faulted.append((handler.command, fault))
        if fault == "down":
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        if isinstance(fault, int):
            return self.reply(handler, fault, {}, b'{"error": "injected"}')
        status, headers, data = self.upstream(handler, body)
        if fault == "drop":  # stored by the LRS; the answer never reaches the browser
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        self.reply(handler, status, headers, data)

    def upstream(self, handler: http.server.BaseHTTPRequestHandler, body: bytes | None) -> tuple[int, dict, bytes]:
        names = ("Authorization", "Content-Type", "X-Experience-API-Version", "If-Match", "If-None-Match")
        headers = {name: handler.headers[name] for name in names if handler.headers.get(name)}
        request = urllib.request.Request(self.target + handler.path, body, headers, method=handler.command)
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return reply.status, dict(reply.headers), reply.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    @staticmethod
    def reply(handler: http.server.BaseHTTPRequestHandler, status: int, headers: dict, body: bytes) -> None:
        handler.send_response(status)
        keep = {k: v for k, v in headers.items() if k.lower() in ("content-type", "etag", "x-experience-api-version")}
        for name, value in (keep | CORS).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[str, Path]:
    return h.build_packages(tmp_path_factory.mktemp("xapi-faults") / "dist", "xapi,cmi5")


@pytest.fixture
def rig(packages, request):
    """(lms, proxy) for the package of the test's ``fmt``."""
    fmt = request.node.callspec.params["fmt"]
    lms = LocalLMS(packages[fmt])
    lms.start()
    proxy = FaultyProxy(lms.base_url)
    yield lms, proxy
    proxy.close()
    lms.stop()


def first_launch(browser: Any, lms: LocalLMS, proxy: FaultyProxy, fmt: str) -> tuple[Any, Any, str]:
    """A new learner's first launch in a fresh browser context, shown at the home page:
    (context, page, registration)."""
    registration = h.new_registration()
    context = browser.new_context()
    page = open_course(context, lms, proxy, fmt, registration)
    h.wait_ready(page, "home")
    return context, page, registration


def open_course(context: Any, lms: LocalLMS, proxy: FaultyProxy, fmt: str, registration: str) -> Any:
    """A new tab the LMS launches the course in, its LRS endpoint behind the faulty proxy."""
    page = context.new_page()
    page.goto(launch_url(lms, proxy, fmt, registration))
    return page


def launch_url(lms: LocalLMS, proxy: FaultyProxy, fmt: str, registration: str) -> str:
    """The LMS's launch URL with the endpoint moved to the faulty proxy."""
    url = lms.launch_url(fmt, actor=h.ACTOR, registration=registration, return_url="" if fmt == "cmi5" else None)
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query["endpoint"] = proxy.base + urlsplit(query["endpoint"]).path
    return urlunsplit(parts._replace(query=urlencode(query)))


def alert(page) -> str:
    return (page.text_content("#jmdi-alert") or "").strip()


def stored(lms: LocalLMS, registration: str) -> list[dict]:
    return [s for s in lms.statements(registration=registration) if h.verb_of(s) != "launched"]


def assert_once_each(statements: list[dict], answered: int, sessions: int = 1) -> None:
    """Nothing lost, nothing twice: one answered per answer, one verdict, one start and end per session."""
    ids = [s["id"] for s in statements]
    assert len(ids) == len(set(ids))
    verbs = Counter(h.verb_of(s) for s in statements)
    assert verbs["answered"] == answered, verbs
    assert verbs["initialized"] + verbs["resumed"] == sessions and verbs["terminated"] == sessions, verbs
    assert verbs["passed"] == 1 and verbs["completed"] == 1 and not verbs["failed"], verbs
    answered_keys = [s["object"]["id"].rsplit("/", 1)[-1] for s in statements if h.verb_of(s) == "answered"]
    assert sorted(answered_keys) == sorted(h.RIGHT), answered_keys


def walk_and_exit(page, lms: LocalLMS, registration: str, fmt: str) -> list[dict]:
    h.walk(page, h.RIGHT, REST)
    h.exit_course(page)
    if fmt == "cmi5":
        page.wait_for_url("**/lms/return", timeout=20_000)
    else:
        h.wait_outbox_empty(page)
    return h.settle(_Stack(lms), registration, "terminated")


class _Stack:
    """What ``h.settle`` reads, for an LMS that stores statements itself."""

    def __init__(self, lms: LocalLMS) -> None:
        self.lms = lms
        self.lrs = lms

    def stored(self, registration: str) -> list[dict]:
        return self.lms.statements(registration=registration)


# --- the LRS fails, then recovers ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xapi", "cmi5"])
@pytest.mark.parametrize("fault", [500, "down"], ids=["500", "down"])
def test_an_lrs_outage_delays_statements_and_loses_none(rig, browser, fmt, fault) -> None:
    lms, proxy = rig
    context, page, registration = first_launch(browser, lms, proxy, fmt)
    proxy.fault = fault
    h.walk(page, h.RIGHT, HALF)
    # The outbox keeps trying with backoff; once a few tries failed, the next save reports it (here
    # the learner opens the glossary) and the learner is told.
    page.wait_for_timeout(4_000)
    h.open_page(page, "glossary")
    page.wait_for_function("() => document.querySelector('#jmdi-alert').textContent.trim() !== ''", timeout=30_000)
    assert h.outbox_size(page) > 0 and proxy.faulted
    proxy.fault = None  # the LRS is back
    h.wait_outbox_empty(page, 60)
    h.open_page(page, "intro-02")  # the next save finds the LRS healthy: the notice goes
    page.wait_for_function("() => document.querySelector('#jmdi-alert').textContent.trim() === ''", timeout=15_000)
    stored_so_far = stored(lms, registration)
    assert Counter(h.verb_of(s) for s in stored_so_far)["answered"] == 4  # nothing of the outage lost
    statements = walk_and_exit(page, lms, registration, fmt)
    context.close()
    assert_once_each([s for s in statements if h.verb_of(s) != "launched"], answered=7)


@pytest.mark.parametrize("fmt", ["xapi", "cmi5"])
def test_answers_lost_on_the_way_back_are_not_stored_twice(rig, browser, fmt) -> None:
    """The LRS stores a batch but the connection drops before it answers: the outbox sends the same
    ids again, and the LRS keeps one of each."""
    lms, proxy = rig
    context, page, registration = first_launch(browser, lms, proxy, fmt)
    proxy.fault = "drop"
    h.walk(page, h.RIGHT, HALF)
    page.wait_for_timeout(2500)  # a few sends: each stored, each answer lost
    proxy.fault = None
    h.wait_outbox_empty(page, 60)
    assert [f for f in proxy.faulted if f[1] == "drop"]
    resent = Counter(
        s["id"]
        for r in lms.requests
        if r.path.endswith("/statements") and r.method in ("POST", "PUT") and r.body
        for s in (json.loads(r.body) if r.body.startswith(b"[") else [json.loads(r.body)])
    )
    assert any(n > 1 for n in resent.values()), "nothing was sent twice: the fault did not bite"
    statements = walk_and_exit(page, lms, registration, fmt)
    context.close()
    assert_once_each([s for s in statements if h.verb_of(s) != "launched"], answered=7)


@pytest.mark.parametrize("fmt", ["xapi"])
def test_a_slow_lrs_neither_blocks_the_learner_nor_loses_statements(rig, browser, fmt) -> None:
    lms, proxy = rig
    context, page, registration = first_launch(browser, lms, proxy, fmt)
    proxy.delay = 1.5
    started = time.monotonic()
    h.walk(page, h.RIGHT, h.WALK[1:4])
    assert time.monotonic() - started < 8  # pages and feedback do not wait for the LRS
    assert alert(page) == ""
    statements = walk_and_exit(page, lms, registration, fmt)
    context.close()
    assert_once_each([s for s in statements if h.verb_of(s) != "launched"], answered=7)


# --- the LRS refuses the credentials --------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xapi", "cmi5"])
@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_stop_sending_tell_the_learner_and_keep_everything(rig, browser, fmt, status) -> None:
    """401/403 (for cmi5: an expired or revoked auth token): no retry storm, a clear message, and
    everything kept in this browser for a later launch. TinCan delivers the statements then, each
    once; cmi5 delivers the State (the progress), never the statements: they belong to a session
    that the next launch's token cannot speak for (docs/tracking.md)."""
    lms, proxy = rig
    context, page, registration = first_launch(browser, lms, proxy, fmt)
    refused_text = page.evaluate(
        "() => JSON.parse(document.getElementById('jmdi-config').textContent).adapterConfig.strings.refused"
    )
    proxy.fault = status
    h.walk(page, h.RIGHT, HALF)
    page.wait_for_function(
        "t => document.querySelector('#jmdi-alert').textContent.trim() === t", arg=refused_text, timeout=15_000
    )
    h.open_page(page, "glossary")  # later saves fail too, and the message stays the precise one
    page.wait_for_timeout(500)
    assert alert(page) == refused_text
    tries = len(proxy.faulted)
    page.wait_for_timeout(3000)
    assert len(proxy.faulted) == tries, "the adapter kept sending after the LRS refused its credentials"
    assert 1 <= tries <= 2
    kept = h.outbox_size(page)
    assert kept > 0 and Counter(h.verb_of(s) for s in stored(lms, registration))["answered"] == 0
    page.close()  # the learner leaves; the LRS still refuses
    proxy.fault = None  # the LMS sorts its credentials out; the learner comes back in this browser
    page = open_course(context, lms, proxy, fmt, registration)
    h.wait_ready(page)
    h.wait_outbox_empty(page, 60)
    after = stored(lms, registration)
    verbs = Counter(h.verb_of(s) for s in after)
    assert len({s["id"] for s in after}) == len(after)
    if fmt == "xapi":
        assert verbs["answered"] == 4, verbs  # what the refused session recorded arrived, once
    else:
        assert verbs["answered"] == 0, verbs
        activity = parse_qs(urlsplit(page.url).query)["activityId"][0]
        suspend = lms.store.get("state", activity, agent_key(h.ACTOR), registration, "suspend")
        state = state_codec.decode(json.loads(suspend.content)["state"]) if suspend else {}
        assert sorted(state["answers"]) == sorted(k for k in h.RIGHT if k.startswith("intro-")), state
    context.close()


# --- the page closes while statements are on their way ------------------------------------------


@pytest.mark.parametrize("fmt", ["xapi", "cmi5"])
def test_closing_mid_send_loses_nothing(rig, browser, fmt) -> None:
    lms, proxy = rig
    context, page, registration = first_launch(browser, lms, proxy, fmt)
    proxy.delay = 2.0  # every statement request is still open when the page goes
    h.walk(page, h.RIGHT, HALF)
    page.close()
    proxy.delay = 0.0
    page = open_course(context, lms, proxy, fmt, registration)
    h.wait_ready(page)
    h.wait_outbox_empty(page, 60)
    time.sleep(2.5)  # keepalive requests of the closed page settle
    first = stored(lms, registration)
    verbs = Counter(h.verb_of(s) for s in first)
    assert verbs["answered"] == 4, verbs
    assert len({s["id"] for s in first}) == len(first)
    context.close()
