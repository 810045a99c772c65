"""The statement outbox of jmdi-xapi-common.js and jmdi-xapi-common-later.js against a scripted LRS (XA-07, docs/standards.md §6.6).

The LRS here is Playwright's request routing, not ralph: only a stub can answer 500, 429, a cut
connection, 400, 409 and 401 on demand. Each case checks what reaches the "LRS": same ids and
the same JSON on every retry, backoff between tries, nothing re-sent once stored.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from jmdi_scorm.targets.xapi_common import runtime_source

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>outbox</title>
<script src="jmdi-xapi-common.js"></script><script src="jmdi-xapi-common-later.js"></script></head><body><div id="jmdi-alert"></div></body></html>"""
AUTH = "Basic dGVzdDpub3QtYS1zZWNyZXQ="
SETUP = (
    '() => { window.box = new JMDIXapi.Outbox("t", new JMDIXapi.Lrs(location.origin + "/lrs", '
    + json.dumps(AUTH)
    + "), (status) => { window.blocked = status; }); }"
)
ADD = """(n) => { for (let i = 0; i < n; i++) box.add({id: JMDIXapi.uuid(), actor: {mbox: "mailto:a@example.org"},
  verb: {id: "http://adlnet.gov/expapi/verbs/experienced"}, object: {id: "https://example.org/a/" + i},
  timestamp: new Date().toISOString()}); }"""


class ScriptedLRS:
    """Answers each request with the next scripted status (then 200/204), and records it."""

    def __init__(self, page: Any, script: list[Any]):
        self.script, self.log = list(script), []
        page.route("**/lrs/**", self.handle)

    def handle(self, route: Any) -> None:
        request = route.request
        body = request.post_data or ""
        self.log.append({"time": time.monotonic(), "method": request.method, "url": request.url,
                         "headers": request.headers, "body": json.loads(body) if body else None})  # fmt: skip
        step = self.script.pop(0) if self.script else None
        if step == "abort":
            return route.abort("connectionreset")
        if step is None:
            step = 200 if request.method == "POST" else 204
        ids = [s["id"] for s in self.log[-1]["body"]] if request.method == "POST" and step == 200 else None
        route.fulfill(status=step, content_type="application/json", body=json.dumps(ids) if ids else "")

    def statement_ids(self, method: str = "POST") -> list[list[str]]:
        out = []
        for entry in self.log:
            if entry["method"] == method and "/statements" in entry["url"]:
                body = entry["body"]
                out.append([s["id"] for s in (body if isinstance(body, list) else [body])])
        return out


@pytest.fixture
def outbox_page(tmp_path: Path, serve, page):
    (tmp_path / "index.html").write_text(PAGE)
    for name in ("jmdi-xapi-common.js", "jmdi-xapi-common-later.js"):  # the outbox spans both
        (tmp_path / name).write_text(runtime_source(name))
    base = serve(tmp_path)

    def open_page(script: list[Any]) -> ScriptedLRS:
        lrs = ScriptedLRS(page, script)
        page.goto(base + "index.html")
        page.evaluate(SETUP)
        return lrs

    return page, open_page


def wait_empty(page: Any, timeout: float = 30) -> None:
    page.wait_for_function("() => box.size() === 0 && !box.running", timeout=timeout * 1000)


def test_retry_with_backoff_keeps_ids_and_bodies(outbox_page) -> None:
    page, open_page = outbox_page
    lrs = open_page([500, 429, "abort", 503])
    page.evaluate(ADD, 3)
    wait_empty(page)
    posts = [e for e in lrs.log if e["method"] == "POST"]
    assert len(posts) == 5  # four failures, then stored
    assert all(p["body"] == posts[0]["body"] for p in posts)  # same ids, same JSON on every try
    gaps = [b["time"] - a["time"] for a, b in zip(posts, posts[1:], strict=False)]
    for gap, base in zip(gaps, (1, 2, 4, 8), strict=True):  # ±25 % jitter, plus request time
        assert 0.7 * base <= gap <= 1.25 * base + 0.5, gaps
    headers = posts[0]["headers"]
    assert headers["x-experience-api-version"] == "1.0.3" and headers["authorization"] == AUTH
    assert headers["content-type"] == "application/json"
    assert page.evaluate("box.stats") == {"posts": 5, "puts": 0, "retries": 4, "sent": 3, "dropped": 0}


def test_a_rejected_statement_is_dropped_not_retried(outbox_page) -> None:
    page, open_page = outbox_page
    lrs = open_page([400, 204, 400, 204])  # the batch, then one PUT each: the second is bad
    page.evaluate(ADD, 3)
    wait_empty(page)
    assert [len(ids) for ids in lrs.statement_ids("POST")] == [3]
    assert [len(ids) for ids in lrs.statement_ids("PUT")] == [1, 1, 1]
    assert page.evaluate("box.stats.dropped") == 1
    time.sleep(1.5)
    assert len(lrs.log) == 4  # nothing comes back later


def test_conflict_means_already_stored(outbox_page) -> None:
    page, open_page = outbox_page
    lrs = open_page([409, 409, 204])  # batch conflict → PUT each: one stored before, one new
    page.evaluate(ADD, 2)
    wait_empty(page)
    assert [e["method"] for e in lrs.log] == ["POST", "PUT", "PUT"]
    assert page.evaluate("box.stats.sent") == 2


def test_refusal_stops_sending_and_keeps_everything(outbox_page) -> None:
    page, open_page = outbox_page
    lrs = open_page([401])
    page.evaluate(ADD, 2)
    page.wait_for_function("() => window.blocked === 401")
    time.sleep(1.5)
    assert len(lrs.log) == 1
    assert page.evaluate("box.size()") == 2 and page.evaluate("box.healthy()") is False


def test_the_outbox_survives_a_reload(outbox_page) -> None:
    page, open_page = outbox_page
    lrs = open_page([503] * 50)
    page.evaluate(ADD, 4)
    page.wait_for_function("() => box.failures >= 1")
    before = json.loads(page.evaluate("localStorage.getItem('jmdi-xapi-outbox:t')"))
    assert len(before["statements"]) == 4
    lrs.script.clear()  # the LRS is back
    page.reload()
    page.evaluate(SETUP)
    page.evaluate("box.flush()")
    wait_empty(page)
    delivered = lrs.statement_ids("POST")[-1]
    assert delivered == [s["id"] for s in before["statements"]]
    assert page.evaluate("localStorage.getItem('jmdi-xapi-outbox:t')") is None


def test_state_documents_coalesce_to_the_latest(outbox_page) -> None:
    page, open_page = outbox_page
    lrs = open_page([503])
    query = {"activityId": "https://example.org/a", "agent": '{"mbox":"mailto:a@example.org"}', "stateId": "suspend"}
    for n in range(3):
        page.evaluate("([q, n]) => box.putDoc(q, {n: n})", [query, n])
    wait_empty(page)
    puts = [e for e in lrs.log if e["method"] == "PUT"]
    assert puts[-1]["body"] == {"n": 2} and len(puts) == 2  # the refused try, then the latest only
