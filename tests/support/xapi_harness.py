"""Shared by the xAPI and cmi5 tests: package builds, the LMS + real LRS pair, a scripted learner
and the statement checks (xapi-validation, ralph's strict model, project formats).

Who plays which part in the browser tests, and why:

- **ralph** (a real LRS, ``tests/lrs``) stores and returns the statements;
- **our local LMS** (``jmdi_scorm.lms``) launches the package, serves the cmi5 fetch endpoint,
  ``LMS.LaunchData``, learner preferences and the State API — ralph 5.1 has none of those
  (docs/standards.md §10.3, note 2) — and passes statements through to ralph with its own
  credentials, as LMSs that front an LRS do; the browser never sees ralph's password.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from jmdi_scorm.build import BuildOptions, build
from jmdi_scorm.lms import LocalLMS, Upstream
from tests.conftest import MINIMAL, NODE_MODULES
from tests.lrs.ralph_lrs import RalphLRS

ACTOR = {
    "objectType": "Agent",
    "name": "Ada Learner",
    "account": {"homePage": "https://lms.example.org/", "name": "ada"},
}
MBOX_ACTOR = {"objectType": "Agent", "name": "Bo Learner", "mbox": "mailto:bo@example.org"}

# The fixture course's questions (tests/fixtures/minimal): right and wrong answer strings in the
# runtime's letters (questions.py): choices a, b…; true-false t/f; matching right letter per left
# item; ordering item letters in order.
RIGHT = {
    "intro-01.q1": "a",
    "intro-01.q2": "ac",
    "intro-01.q3": "t",
    "intro-02.q1": "remittances",
    "practice-01.q1": "ab",
    "practice-01.q2": "abcd",
    "practice.assessment.a1": "t",
}
#: Two tries at each question, each another answer (checking the answer just checked counts no
#: try): wrong twice where a question has two wrong answers. A choice of two, a true/false
#: statement and a matching of two pairs have one, so their second try is right: 4 of 7 points.
WRONG = {
    "intro-01.q1": ["b", "a"],
    "intro-01.q2": ["b", "ab"],
    "intro-01.q3": ["f", "t"],
    "intro-02.q1": ["remit", "remitted"],
    "practice-01.q1": ["ba", "ab"],
    "practice-01.q2": ["dcba", "bacd"],
    "practice.assessment.a1": ["f", "t"],
}
WALK = ["home", "intro", "intro-01", "intro-02", "practice", "practice-01", "practice.assessment", "summary"]

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
DURATION = re.compile(r"^PT(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d{1,2})?S)?$")
VERB = "http://adlnet.gov/expapi/verbs/"


def build_packages(
    out: Path, formats: str = "xapi,cmi5", course: Path = MINIMAL, sco: str | None = None
) -> dict[str, Path]:
    result = build(course, BuildOptions(formats=(formats,), out=out, sco=sco, pdf=False))
    return {artifact.format: artifact.path for artifact in result.artifacts}


class Stack:
    """ralph + the local LMS in front of it, for one package (``lrs``: share a running ralph)."""

    def __init__(self, workdir: Path, package: Path, lrs: RalphLRS | None = None, **lms_options: Any):
        self.own_lrs = lrs is None
        self.lrs = lrs or RalphLRS(workdir / "ralph")
        if self.own_lrs:
            self.lrs.start()
        self.lms = LocalLMS(package, upstream=Upstream(self.lrs.endpoint, self.lrs.auth), **lms_options)
        self.lms.start()

    def close(self) -> None:
        self.lms.stop()
        if self.own_lrs:
            self.lrs.stop()

    def sent_statements(self) -> list[dict[str, Any]]:
        """Every statement the browser POSTed or PUT, once per id (retries included once)."""
        seen: dict[str, dict[str, Any]] = {}
        for request in self.lms.requests:
            if request.path.endswith("/statements") and request.method in ("POST", "PUT") and request.body:
                data = json.loads(request.body)
                for statement in data if isinstance(data, list) else [data]:
                    seen.setdefault(statement["id"], statement)
        return list(seen.values())

    def stored(self, registration: str) -> list[dict[str, Any]]:
        return self.lrs.statements(registration=registration)


# --- the learner ----------------------------------------------------------------------------


def open_page(page: Any, page_id: str) -> None:
    page.evaluate("id => { location.hash = '#/' + id; }", page_id)
    page.wait_for_selector(f'#jmdi-page[data-page="{page_id}"]', timeout=10_000)


def wait_ready(page: Any, page_id: str | None = None) -> str:
    """Wait until the runtime shows a page (``page_id`` if given) after its adapter started (the
    first page shows before: the core marks the body once the adapter's state is in)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "id => { const m = /^#\\/([^/]+)/.exec(location.hash); const p = document.querySelector('#jmdi-page');"
            " return document.body.hasAttribute('data-jmdi-session')"
            " && m && p && p.getAttribute('data-page') === decodeURIComponent(m[1]) && (!id || m[1] === id); }",
            arg=page_id,
            timeout=15_000,
        )
    except PlaywrightTimeout:
        raise AssertionError(f"page {page_id!r} not shown within 15 s; the browser shows {shown(page)}") from None
    return page.locator("#jmdi-page").get_attribute("data-page")


def shown(page: Any) -> dict[str, Any]:
    """What the learner sees, for a failure message: URL, page id, heading, notices."""
    return page.evaluate(
        "() => { const q = s => document.querySelector(s); const text = s => (q(s) || {}).textContent || '';"
        " return { hash: location.hash, page: (q('#jmdi-page') || {getAttribute: () => null}).getAttribute('data-page'),"
        " heading: text('#jmdi-page h1').trim().slice(0, 120), next: (q('#jmdi-next') || {getAttribute: () => null}).getAttribute('href'),"
        " status: text('#jmdi-status').trim(), alert: text('#jmdi-alert').trim(),"
        " loads: performance.getEntriesByType('resource').filter(e => e.name.includes('/content/'))"
        ".slice(-4).map(e => [e.name.split('/').pop(), e.responseStatus, Math.round(e.duration)]) }; }"
    )


def press(control: Any) -> None:
    """Activate a link or button from the keyboard (focus, Enter), as a keyboard user does.

    Not a pointer click: a click lands where the control was a moment before, and a late layout
    change (an image that finished loading, a notice that appeared above the page) sent such
    clicks elsewhere now and then, so the page never changed.
    """
    control.press("Enter")


def answer(page: Any, key: str, value: str) -> None:
    """Answer one question the way a learner would, then check it."""
    form = page.locator(f'form[data-key="{key}"]')
    kind = next(c for c in (form.get_attribute("class") or "").split() if c.startswith("jmdi-q-"))[7:]
    if kind in ("single", "multiple", "true-false"):
        for box in form.locator("input").all():
            box.set_checked(box.get_attribute("value") in value)
    elif kind == "fill-in":
        form.locator("input[type=text]").fill(value)
    elif kind == "matching":
        for index, select in enumerate(form.locator("select").all()):
            select.select_option(value[index])
    else:  # ordering: put the items in the wanted order
        form.evaluate(
            "(f, order) => { const list = f.querySelector('.jmdi-order');"
            " for (const id of order) list.appendChild(list.querySelector(`li[data-item='${id}']`)); }",
            value,
        )
    press(form.locator("button[type=submit]"))
    page.wait_for_function(
        "f => f.querySelector('.jmdi-feedback').textContent.trim() !== ''", arg=form.element_handle()
    )


def answer_final(page: Any, key: str, value: str | list[str]) -> None:
    """Answer with ``value`` (one answer, or the answers of each try in turn) until the question
    is final or the answers run out."""
    for each in [value] if isinstance(value, str) else value:
        if is_final(page, key):
            return
        answer(page, key, each)


def is_final(page: Any, key: str) -> bool:
    return page.locator(f'form[data-key="{key}"]').evaluate("f => f.querySelector('fieldset').disabled")


def answer_page(page: Any, page_id: str, answers: Mapping[str, str | list[str]]) -> None:
    """Answer the page's questions that are still open (restored answers stay as they are)."""
    for key, value in answers.items():
        if key.rsplit(".", 1)[0] == page_id and not is_final(page, key):
            answer_final(page, key, value)


def walk(page: Any, answers: Mapping[str, str | list[str]], pages: Iterable[str] = WALK) -> None:
    """Visit ``pages`` in order with the Next button, answering every open question on the way."""
    for page_id in pages:
        if page.locator("#jmdi-page").get_attribute("data-page") != page_id:
            press(page.locator("#jmdi-next"))
        wait_ready(page, page_id)
        answer_page(page, page_id, answers)


def exit_course(page: Any) -> None:
    press(page.locator(".jmdi-exit"))


def outbox_size(page: Any) -> int:
    """Statements and documents waiting in the persistent outbox (localStorage)."""
    return page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('jmdi-xapi-outbox:'))"
        ".map(k => JSON.parse(localStorage.getItem(k))).reduce((n, o) => n + o.statements.length"
        " + Object.keys(o.docs).length, 0)"
    )


def wait_outbox_empty(page: Any, timeout: float = 45) -> None:
    deadline = time.monotonic() + timeout
    while outbox_size(page):
        if time.monotonic() > deadline:
            raise AssertionError(f"the outbox still holds {outbox_size(page)} item(s) after {timeout} s")
        time.sleep(0.25)


def settle(
    stack: Stack, registration: str | None, last_verb: str, count: int = 1, timeout: float = 60, **query: str
) -> list[dict[str, Any]]:
    """The statements the LRS stored (for ``registration``, else matching ``query``) once
    ``last_verb`` is among them ``count`` times. Fails after ``timeout`` seconds instead of returning
    what arrived so far: a partial list read too early looks like statements sent out of order.
    When the page is still open, ``wait_outbox_empty`` first is the exact signal (the LRS answered
    for every statement); this polling is for pages already closed (keepalive requests)."""
    deadline = time.monotonic() + timeout
    while True:
        stored = stack.stored(registration) if registration else stack.lrs.statements(**query)
        names = [verb_of(s) for s in by_time(stored)]
        if names.count(last_verb) >= count:
            return stored
        if time.monotonic() > deadline:
            raise AssertionError(f"{last_verb} × {count} not stored after {timeout} s; stored so far: {names}")
        time.sleep(0.2)


def new_registration() -> str:
    return str(uuid.uuid4())


# --- statement checks -----------------------------------------------------------------------


def xapi_validation(statements: list[dict[str, Any]], workdir: Path) -> dict[str, list[str]]:
    """npm xapi-validation over every statement: ``{id: [warning, …]}`` for those with warnings."""
    data = workdir / "statements.json"
    data.write_text(json.dumps(statements))
    script = (
        f"const v = require({json.dumps(str(NODE_MODULES / 'xapi-validation'))}).default;"
        f"const all = JSON.parse(require('fs').readFileSync({json.dumps(str(data))}, 'utf8'));"
        "const out = {};"
        "for (const s of all) { const w = v(s); if (w.length) out[s.id] = w.map(x => x.path.join('.') + ': ' + x.name); }"
        "console.log(JSON.stringify(out));"
    )
    done = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def ralph_model_errors(statements: list[dict[str, Any]]) -> dict[str, str]:
    """ralph's strict 1.0.x statement model (XA-02): ``{id: error}`` for those it rejects."""
    from pydantic import ValidationError
    from ralph.models.xapi.base.statements import BaseXapiStatement

    errors = {}
    for statement in statements:
        try:
            BaseXapiStatement(**statement)
        except ValidationError as exc:
            errors[statement["id"]] = str(exc)
    return errors


def format_problems(statements: list[dict[str, Any]], base_iri: str) -> list[str]:
    """Project formats (XA-05): UUIDs, timestamps, durations, scores, IRIs, extension keys."""
    problems = []
    for s in statements:
        sid = s.get("id", "?")
        result = s.get("result", {})
        checks = [
            (UUID.match(sid), "id is not a lowercase UUID"),
            (TIMESTAMP.match(s.get("timestamp", "")), "timestamp is not RFC 3339 UTC with ms"),
            ("duration" not in result or DURATION.match(result["duration"]), "bad duration"),
            (_score_ok(result.get("score")), "score out of range"),
            (s["object"]["id"].startswith(("https://", "http://")), "object id is not an http(s) IRI"),
        ]
        for key in list(result.get("extensions", {})) + list(s.get("context", {}).get("extensions", {})):
            checks.append((key.startswith("https://"), f"extension key {key} is not an https IRI"))
        problems += [f"{sid} {s['verb']['id'].rsplit('/', 1)[-1]}: {message}" for ok, message in checks if not ok]
        problems += _duration_range(s)
    return problems


def _score_ok(score: dict[str, Any] | None) -> bool:
    if score is None:
        return True
    scaled_ok = "scaled" not in score or 0 <= score["scaled"] <= 1
    raw_ok = "raw" not in score or (score["min"] <= score["raw"] <= score["max"] and score["min"] < score["max"])
    return scaled_ok and raw_ok


def seconds(duration: str) -> float:
    match = re.match(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$", duration)
    assert match, duration
    h, m, s = (float(g) if g else 0.0 for g in match.groups())
    return h * 3600 + m * 60 + s


def _duration_range(statement: dict[str, Any]) -> list[str]:
    duration = statement.get("result", {}).get("duration")
    if duration is None:
        return []
    value = seconds(duration)
    return [] if 0 <= value < 3600 else [f"{statement['id']}: duration {duration} out of range for a test run"]


def by_time(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(statements, key=lambda s: s["timestamp"])


def verbs(statements: list[dict[str, Any]]) -> list[str]:
    return [s["verb"]["id"].rsplit("/", 1)[-1] for s in by_time(statements)]


def strip_lrs_fields(statement: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in statement.items() if k not in ("stored", "authority", "version")}


# --- cmi5 rules (docs/standards.md §8.4-8.5; C5-03, C5-04, C5-05, C5-08, C5-09) -----------------------

CMI5 = "https://w3id.org/xapi/cmi5/"
CATEGORY_CMI5 = CMI5 + "context/categories/cmi5"
CATEGORY_MOVEON = CMI5 + "context/categories/moveon"
EXT_SESSION = CMI5 + "context/extensions/sessionid"
EXT_MASTERY = CMI5 + "context/extensions/masteryscore"
EXT_PROGRESS = CMI5 + "result/extensions/progress"
DEFINED = ("initialized", "completed", "passed", "failed", "terminated")
MOVEON = ("completed", "passed", "failed")


def verb_of(statement: dict[str, Any]) -> str:
    return statement["verb"]["id"].rsplit("/", 1)[-1]


def session_of(statement: dict[str, Any]) -> str:
    return statement.get("context", {}).get("extensions", {}).get(EXT_SESSION, "")


def _ids(statement: dict[str, Any], kind: str) -> list[str]:
    found = statement.get("context", {}).get("contextActivities", {}).get(kind, [])
    return [a["id"] for a in (found if isinstance(found, list) else [found])]  # one activity or a list


def cmi5_statement_problems(s: dict[str, Any], launched: dict[str, Any], actor: dict[str, Any]) -> list[str]:
    """One AU statement against its session's launch (template, categories, result rules)."""
    verb, result, context = verb_of(s), s.get("result", {}), s.get("context", {})
    categories = _ids(s, "category")
    defined = verb in DEFINED
    checks = [
        (s["actor"] == actor, "actor differs from the launch actor"),
        (context.get("registration") == launched["context"]["registration"], "registration differs"),
        (set(_ids(launched, "grouping")) <= set(_ids(s, "grouping")), "template grouping missing"),
        ((CATEGORY_CMI5 in categories) == defined, "cmi5 category on a non-defined statement or missing"),
        ((CATEGORY_MOVEON in categories) == (verb in MOVEON), "moveon category wrong"),
        (
            not defined or s["object"]["id"] == launched["object"]["id"],
            "defined statement not on the launch activityId",
        ),
        (("score" not in result) or verb in ("passed", "failed"), "score outside passed/failed"),
        (("success" in result) == (verb in ("passed", "failed", "answered")), "success where it does not belong"),
        (("completion" in result) == (verb == "completed"), "completion where it does not belong"),
        ("duration" in result or verb not in ("completed", "passed", "failed", "terminated"), "duration missing"),
        (verb != "completed" or EXT_PROGRESS not in result.get("extensions", {}), "progress on completed"),
    ]
    if verb in ("passed", "failed") and "score" in result:
        score, mastery = result["score"], context.get("extensions", {}).get(EXT_MASTERY)
        checks.append((all(isinstance(score[k], int) for k in ("raw", "min", "max")), "raw/min/max not integers"))
        if mastery is not None:
            checks.append(((score["scaled"] >= mastery) == (verb == "passed"), "verdict contradicts masteryScore"))
    return [f"{s['id']} {verb}: {message}" for ok, message in checks if not ok]


def cmi5_problems(statements: list[dict[str, Any]], actor: dict[str, Any]) -> list[str]:
    """Every cmi5 rule the tests check, over all statements of one registration."""
    launched = {session_of(s): s for s in statements if verb_of(s) == "launched"}
    sessions: dict[str, list[dict[str, Any]]] = {}
    problems = []
    for s in by_time(statements):
        if verb_of(s) == "launched":
            continue
        if session_of(s) not in launched:
            problems.append(f"{s['id']}: no launched statement for session {session_of(s)!r}")
            continue
        sessions.setdefault(session_of(s), []).append(s)
        problems += cmi5_statement_problems(s, launched[session_of(s)], actor)
    for session_id, items in sessions.items():
        names = [verb_of(s) for s in items]
        if names[0] != "initialized":
            problems.append(f"session {session_id}: first statement is {names[0]}")
        if "terminated" in names and names[-1] != "terminated":
            problems.append(f"session {session_id}: statements after terminated: {names}")
        if any(names.count(v) > 1 for v in DEFINED):
            problems.append(f"session {session_id}: a defined verb twice: {names}")
        if "passed" in names and "failed" in names:
            problems.append(f"session {session_id}: passed and failed in one session")
    everything = [verb_of(s) for s in by_time(statements)]
    if everything.count("completed") > 1 or everything.count("passed") > 1:
        problems.append(f"completed or passed more than once in the registration: {everything}")
    if "passed" in everything and "failed" in everything[everything.index("passed") :]:
        problems.append("failed after passed")
    return problems


# --- request order (issue 12) ------------------------------------------------------------------


def body_verbs(request: Any) -> list[str]:
    """The verbs of the statements a POST/PUT ``statements`` request carried, in order."""
    if not request.path.endswith("/statements") or request.method not in ("POST", "PUT") or not request.body:
        return []
    data = json.loads(request.body)
    return [verb_of(s) for s in (data if isinstance(data, list) else [data])]


def session_requests(requests: list[Any], session: str) -> list[Any]:
    """The xAPI requests made with one launch's token, in the order they arrived."""
    return sorted(
        (r for r in requests if r.session == session and r.path.startswith("/xapi/")), key=lambda r: r.received
    )


def describe(request: Any) -> str:
    """``POST statements [answered, passed]``, ``PUT state suspend``, ``GET statements?statementId``."""
    resource = request.path.removeprefix("/xapi/")
    if resource == "statements":
        detail = "?statementId" if request.method == "GET" and "statementId" in request.query else ""
        verbs = body_verbs(request)
        return f"{request.method} statements{detail}" + (f" [{', '.join(verbs)}]" if verbs else "")
    name = request.query.get("stateId") or request.query.get("profileId") or ""
    return f"{request.method} {resource.replace('activities/', '')} {name}".rstrip()


def order(requests: list[Any], t0: float | None = None) -> str:
    """One line per request, as it arrived: arrival → answer time (s), what, status."""
    requests = sorted(requests, key=lambda r: r.received)
    t0 = t0 if t0 is not None else (requests[0].received if requests else 0.0)
    return "\n".join(
        f"  {r.received - t0:6.3f} → {r.time - t0:6.3f}  {describe(r)}  {r.status}{'' if r.answered else ' (answer cut)'}"
        for r in requests
    )


def sessions(requests: list[Any], since: int = 0) -> list[str]:
    """The launches (sessions) that made ``requests[since:]``, first one first."""
    seen: list[str] = []
    for r in sorted(requests[since:], key=lambda r: r.received):
        if r.session and r.session not in seen:
            seen.append(r.session)
    return seen


def refused(requests: list[Any]) -> list[str]:
    """The requests the LMS refused (401/403), described."""
    return [f"{describe(r)} {r.status}" for r in requests if r.status in (401, 403)]


def report(title: str, requests: list[Any], since: int = 0) -> str:
    """The requests of each session in ``requests[since:]`` (printed with -s, and in failures)."""
    requests = requests[since:]
    t0 = min((r.received for r in requests), default=0.0)
    parts = [title]
    for number, session in enumerate(sessions(requests), 1):
        parts.append(f"session {number}:\n" + order(session_requests(requests, session), t0))
    text = "\n".join(parts)
    print(text)
    return text


def terminated_last_problems(requests: list[Any], session: str) -> list[str]:
    """cmi5 8.1.2.0-2 and the State writes: the session's terminated (a cmi5 statement naming the
    session, else one sent with its token) stored in a request of its own; every request made with
    the session's token answered before that request arrived, none after it."""

    def ends(r: Any) -> bool:
        if not 200 <= r.status < 300 or "terminated" not in body_verbs(r):
            return False
        data = json.loads(r.body)
        named = [session_of(s) for s in (data if isinstance(data, list) else [data]) if verb_of(s) == "terminated"]
        return session in named or (r.session == session and named == [""])

    everything = sorted((r for r in requests if r.path.startswith("/xapi/")), key=lambda r: r.received)
    end = next((r for r in everything if ends(r)), None)
    if end is None:
        return ["no terminated stored for this session"]
    problems = [] if body_verbs(end) == ["terminated"] else [f"terminated shares its request: {body_verbs(end)}"]
    for r in session_requests(requests, session):
        if r is end:
            continue
        if r.received > end.received:
            problems.append(f"after terminated: {describe(r)} {r.status}")
        elif r.time > end.received:
            problems.append(f"not settled before terminated: {describe(r)} {r.status}")
    return problems


def launch_order_problems(requests: list[Any]) -> list[str]:
    """C5-01: per launch, POST fetch, then GET LaunchData and GET preferences (sent together, so
    in either order) before anything is written to the LRS, and never a GET on a fetch URL."""
    problems = [f"{r.method} on {r.path}" for r in requests if "/cmi5/fetch/" in r.path and r.method != "POST"]
    expected = {
        ("GET", "/xapi/activities/state", "LMS.LaunchData"),
        ("GET", "/xapi/agents/profile", "cmi5LearnerPreferences"),
    }
    fetches = [index for index, r in enumerate(requests) if "/cmi5/fetch/" in r.path]
    for index, end in zip(fetches, [*fetches[1:], len(requests)], strict=True):
        launch = [r for r in requests[index + 1 : end] if r.path.startswith("/xapi/")]
        steps = [(r.method, r.path, r.query.get("stateId") or r.query.get("profileId")) for r in launch]
        writes = [i for i, step in enumerate(steps) if step[0] != "GET"]
        before = set(steps[: writes[0]] if writes else steps)
        if not expected <= before:
            problems.append(f"launch at request {index}: {steps[: writes[0] + 1]}")
    return problems


def header_problems(requests: list[Any]) -> list[str]:
    """XA-04: version header, launch Authorization and JSON content type on every LRS call."""
    problems = []
    for r in requests:
        if not r.path.startswith("/xapi/") or r.path == "/xapi/about":
            continue
        if r.version != "1.0.3" or not r.authorized:
            problems.append(f"{r.method} {r.path}: version {r.version!r}, authorized {r.authorized}")
        if r.body and not r.content_type.startswith("application/json"):
            problems.append(f"{r.method} {r.path}: content type {r.content_type!r}")
    return problems
