"""The local LMS side (jmdi_scorm.lms) speaks the xAPI Document resources and the cmi5 launch
rules content relies on: docs/standards.md §6.6–6.7 (State, Agent Profile), §7.2 (TinCan launch) and
§8.2–8.3 (fetch, LaunchData). No browser and no ralph here: statements go to the LMS's own store,
or to an upstream that is down."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from jmdi_scorm.lms import LocalLMS, Upstream
from jmdi_scorm.source.validate import load_course
from jmdi_scorm.targets.cmi5 import cmi5_xml
from jmdi_scorm.targets.xapi import tincan_xml
from tests.conftest import MINIMAL

ACTOR = {"objectType": "Agent", "name": "Ada", "account": {"homePage": "https://lms.example.org/", "name": "ada"}}
CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
EXT_SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
VERSION = {"X-Experience-API-Version": "1.0.3"}


@pytest.fixture
def package(tmp_path: Path) -> Path:
    course, _ = load_course(MINIMAL)
    folder = tmp_path / "package"
    folder.mkdir()
    (folder / "cmi5.xml").write_bytes(cmi5_xml(course, None, "topic"))
    (folder / "tincan.xml").write_bytes(tincan_xml(course))
    (folder / "index.html").write_text("<!DOCTYPE html><title>AU</title>")
    return folder


@pytest.fixture
def lms(package: Path):
    server = LocalLMS(package, preferences={"languagePreference": "fr,en", "audioPreference": "off"})
    server.start()
    yield server
    server.stop()


def params(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def cmi5_session(lms: LocalLMS, **options) -> tuple[dict[str, str], dict[str, str]]:
    """Launch, fetch the token: (launch parameters, headers for xAPI calls)."""
    launch = params(lms.launch_url("cmi5", actor=ACTOR, **options))
    token = requests.post(launch["fetch"], timeout=5).json()["auth-token"]
    return launch, {"Authorization": f"Basic {token}", **VERSION}


def state(launch: dict[str, str], state_id: str) -> dict[str, str]:
    return {
        "activityId": launch["activityId"],
        "agent": launch["actor"],
        "registration": launch["registration"],
        "stateId": state_id,
    }


def test_cmi5_launch_url_carries_the_five_parameters_and_the_au_query(lms: LocalLMS) -> None:
    url = lms.launch_url("cmi5", actor=ACTOR, au=1)
    launch = params(url)
    assert set(launch) == {"sco", "endpoint", "fetch", "actor", "registration", "activityId"}
    assert launch["sco"] == "intro-02"  # the AU's own query string is kept (§8.1)
    assert launch["endpoint"] == lms.endpoint
    assert json.loads(launch["actor"]) == ACTOR
    assert launch["activityId"].startswith("https://lms.example.org/")  # LMS-made, not the au@id


def test_fetch_gives_one_token_per_launch_by_post_only(lms: LocalLMS) -> None:
    launch = params(lms.launch_url("cmi5", actor=ACTOR))
    assert requests.get(launch["fetch"], timeout=5).status_code == 405
    first = requests.post(launch["fetch"], timeout=5)
    assert first.status_code == 200 and "auth-token" in first.json()
    assert first.headers["Cache-Control"] == "no-store"
    again = requests.post(launch["fetch"], timeout=5).json()
    assert again["error-code"] == "1" and again["error-text"]
    unknown = requests.post(lms.base_url + "cmi5/fetch/nope", timeout=5).json()
    assert unknown["error-code"] == "2"


def test_launch_data_and_preferences(lms: LocalLMS) -> None:
    launch, headers = cmi5_session(lms, return_url="", mastery_score=0.75)
    got = requests.get(lms.endpoint + "activities/state", params=state(launch, "LMS.LaunchData"), headers=headers)
    data = got.json()
    assert got.status_code == 200 and got.headers["ETag"]
    assert data["launchMode"] == "Normal" and data["moveOn"] == "CompletedAndPassed"
    assert data["masteryScore"] == 0.75 and data["returnURL"] == lms.base_url + "lms/return"
    template = data["contextTemplate"]
    assert template["contextActivities"]["grouping"][0]["id"] == "https://example.org/courses/mini/topic/intro-01"
    assert "https://w3id.org/xapi/cmi5/context/extensions/sessionid" in template["extensions"]
    # §6.7: LaunchData belongs to the LMS; the AU can neither replace nor delete it.
    for method in ("PUT", "POST", "DELETE"):
        refused = requests.request(method, lms.endpoint + "activities/state", params=state(launch, "LMS.LaunchData"),
                                   headers=headers, json={})  # fmt: skip
        assert refused.status_code == 403
    prefs = requests.get(lms.endpoint + "agents/profile", headers=headers,
                         params={"agent": launch["actor"], "profileId": "cmi5LearnerPreferences"})  # fmt: skip
    assert prefs.json() == {"languagePreference": "fr,en", "audioPreference": "off"}


def test_state_api_round_trip(lms: LocalLMS) -> None:
    launch, headers = cmi5_session(lms)
    url, query = lms.endpoint + "activities/state", state(launch, "bookmark")
    assert requests.get(url, params=query, headers=headers).status_code == 404  # fresh start
    created = requests.put(url, params=query, headers={**headers, "If-None-Match": "*"}, json={"location": "a"})
    assert created.status_code == 204
    etag = created.headers["ETag"]
    assert requests.put(url, params=query, headers={**headers, "If-None-Match": "*"}, json={}).status_code == 412
    assert requests.put(url, params=query, headers={**headers, "If-Match": '"stale"'}, json={}).status_code == 412
    assert requests.post(url, params=query, headers={**headers, "If-Match": etag}, json={"b": 1}).status_code == 204
    assert requests.get(url, params=query, headers=headers).json() == {"location": "a", "b": 1}
    listed = requests.get(url, params={k: v for k, v in query.items() if k != "stateId"}, headers=headers).json()
    assert sorted(listed) == ["LMS.LaunchData", "bookmark"]
    assert requests.delete(url, params=query, headers=headers).status_code == 204
    assert requests.get(url, params=query, headers=headers).status_code == 404


def test_state_api_rejects_what_the_spec_rejects(lms: LocalLMS) -> None:
    launch, headers = cmi5_session(lms)
    url, query = lms.endpoint + "activities/state", state(launch, "suspend")
    requests.put(url, params=query, headers={**headers, "Content-Type": "text/plain"}, data=b"plain")
    merge = requests.post(url, params=query, headers=headers, json={"x": 1})
    assert merge.status_code == 400  # POST merges JSON objects only
    assert requests.get(url, params={**query, "agent": "{}"}, headers=headers).status_code == 400
    assert requests.get(url, params={**query, "registration": "nope"}, headers=headers).status_code == 400
    assert requests.get(url, params=query, headers={"Authorization": headers["Authorization"]}).status_code == 400
    assert requests.get(url, params=query, headers=VERSION).status_code == 401
    assert (
        requests.get(url, params=query, headers={**VERSION, "Authorization": "Basic Zm9vOmJhcg=="}).status_code == 401
    )


def test_tincan_launch_and_own_statement_store(lms: LocalLMS) -> None:
    url = lms.launch_url("xapi", actor=ACTOR, registration="6f1c0d3e-8c1e-4c9e-9a43-0d3c5f1e7a10")
    launch = params(url)
    assert set(launch) == {"endpoint", "auth", "actor", "registration"}
    headers = {"Authorization": launch["auth"], **VERSION}
    statement = {
        "id": "3f1d9b52-2f0e-4c8e-9d6a-0f5b8a1e2c3d",
        "actor": ACTOR,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en": "experienced"}},
        "object": {"objectType": "Activity", "id": "https://example.org/courses/mini/topic/intro-01"},
        "timestamp": "2026-01-01T10:00:00.000Z",
    }
    endpoint = launch["endpoint"]
    assert requests.post(endpoint + "statements", json=[statement], headers=headers).json() == [statement["id"]]
    # The same statement again is stored once; a different one with the same id is a conflict (§6.6).
    assert requests.post(endpoint + "statements", json=statement, headers=headers).status_code == 200
    put = requests.put(
        endpoint + "statements", params={"statementId": statement["id"]}, json=statement, headers=headers
    )
    assert put.status_code == 204
    changed = {**statement, "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en": "completed"}}}
    assert requests.post(endpoint + "statements", json=changed, headers=headers).status_code == 409
    stored = [s for s in lms.statements() if s["id"] == statement["id"]]
    assert len(stored) == 1 and stored[0]["stored"] and stored[0]["authority"]


def test_cmi5_launch_records_launched_with_the_template(lms: LocalLMS) -> None:
    launch = params(lms.launch_url("cmi5", actor=ACTOR, launch_mode="Browse"))
    [launched] = lms.statements(registration=launch["registration"])
    assert launched["verb"]["id"] == "http://adlnet.gov/expapi/verbs/launched"
    assert launched["object"]["id"] == launch["activityId"]
    extensions = launched["context"]["extensions"]
    assert extensions["https://w3id.org/xapi/cmi5/context/extensions/launchmode"] == "Browse"


def test_statements_wait_when_the_upstream_lrs_is_down(package: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]  # nothing listens here once the socket closes
    server = LocalLMS(package, upstream=Upstream(f"http://127.0.0.1:{dead}/xAPI/", "Basic eDp5", timeout=2))
    server.start()
    try:
        launch, headers = cmi5_session(server)
        down = requests.post(launch["endpoint"] + "statements", json=[], headers=headers)
        assert down.status_code == 503  # content queues and retries (§6.6)
        assert len(server._pending) == 1  # the LMS's launched statement waits too
    finally:
        server.stop()


def test_cors_preflight_allows_the_xapi_headers(lms: LocalLMS) -> None:
    answer = requests.options(lms.endpoint + "statements", headers={"Origin": "http://other.example"})
    assert answer.status_code == 204
    allowed = answer.headers["Access-Control-Allow-Headers"]
    for header in ("Authorization", "X-Experience-API-Version", "If-Match", "Content-Type"):
        assert header in allowed
    assert "ETag" in answer.headers["Access-Control-Expose-Headers"]


def test_content_is_served_from_the_package(lms: LocalLMS) -> None:
    assert requests.get(lms.base_url + "content/index.html").text.startswith("<!DOCTYPE html>")
    assert requests.get(lms.base_url + "content/../cmi5.xml").status_code == 404
    assert requests.get(lms.base_url + "content/missing.js").status_code == 404


def test_other_host_names_are_refused(lms: LocalLMS) -> None:
    """DNS rebinding: a page on another name that resolves to 127.0.0.1 gets nothing."""
    port = urlsplit(lms.base_url).port
    url = lms.base_url + "content/index.html"
    assert requests.get(url, timeout=5).status_code == 200
    assert requests.get(url, headers={"Host": f"localhost:{port}"}, timeout=5).status_code == 200
    for host in (f"rebound.example:{port}", "127.0.0.1", f"127.0.0.1:{port}.example"):
        reply = requests.get(url, headers={"Host": host}, timeout=5)
        assert reply.status_code == 421, host
        assert b"<html" not in reply.content.lower()
    assert (
        requests.options(lms.base_url + "xapi/statements", headers={"Host": "x.example"}, timeout=5).status_code == 421
    )


def test_a_browser_leaving_mid_answer_is_not_an_error(lms: LocalLMS, capfd: pytest.CaptureFixture[str]) -> None:
    """A page closed while the LMS answers (reset connection) prints no traceback."""
    address = urlsplit(lms.base_url)
    for _ in range(20):
        with socket.create_connection((address.hostname, address.port)) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            sock.sendall(f"GET /content/index.html HTTP/1.1\r\nHost: 127.0.0.1:{address.port}\r\n\r\n".encode())
    assert requests.get(lms.base_url + "content/index.html", timeout=5).status_code == 200
    assert "Traceback" not in capfd.readouterr().err


def initialized(launch: dict[str, str], actor: dict, context: dict) -> dict:
    """An AU's initialized statement with ``context`` (a template plus the cmi5 category)."""
    activities = {**context.get("contextActivities", {}), "category": [{"id": CATEGORY}]}
    return {
        "actor": actor,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/initialized"},
        "object": {"id": launch["activityId"]},
        "context": {**context, "registration": launch["registration"], "contextActivities": activities},
    }


def test_strict_session_rules_compare_each_request_with_its_launch(package: Path) -> None:
    """``session_rules=True``, as ADL's test suite: the actor exactly as launched, the launch's own
    context template (values and session id) kept, the State of its own activity only."""
    server = LocalLMS(package, session_rules=True)
    server.start()
    try:
        template = {"contextActivities": {"grouping": {"id": "https://lms.example.org/g"}}, "language": "de-DE"}
        first, _ = cmi5_session(server, context_template=template)
        launch, headers = cmi5_session(server, registration=first["registration"], context_template=template)
        statements, documents = launch["endpoint"] + "statements", launch["endpoint"] + "activities/state"
        context = requests.get(documents, params=state(launch, "LMS.LaunchData"), headers=headers).json()[
            "contextTemplate"
        ]
        assert context["language"] == "de-DE"

        def post(actor: dict, ctx: dict) -> int:
            return requests.post(statements, json=[initialized(launch, actor, ctx)], headers=headers).status_code

        plain_actor = {k: v for k, v in ACTOR.items() if k != "objectType"}
        another_session = {**context, "extensions": {EXT_SESSION: first["registration"]}}
        assert post(ACTOR, {**context, "language": "en"}) == 403  # a template value changed
        assert post(ACTOR, another_session) == 403
        assert post(plain_actor, context) == 403  # not the actor as launched
        grouping = [context["contextActivities"]["grouping"], {"id": "https://example.org/course"}]
        assert post(ACTOR, {**context, "contextActivities": {"grouping": grouping}}) == 200  # added to: fine

        mine = state(launch, "suspend")
        elsewhere = {**mine, "activityId": "https://lms.example.org/other-au"}
        assert requests.put(documents, params=elsewhere, json={}, headers=headers).status_code == 403
        assert requests.put(documents, params=mine, json={}, headers=headers).status_code == 204
        wrong_agent = {**mine, "agent": json.dumps(plain_actor)}
        assert requests.get(documents, params=wrong_agent, headers=headers).status_code == 403
    finally:
        server.stop()
