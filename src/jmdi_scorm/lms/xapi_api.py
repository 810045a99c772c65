"""The xAPI resources the local LMS serves to content: ``about``, ``statements`` (its own store or a
pass-through to an upstream LRS), ``activities/state`` and ``agents/profile`` (docs/standards.md §6.6).

Requests and answers are plain values (:class:`Request`, :class:`Reply`) so the rules can be
tested without a socket; ``server.py`` does the HTTP.
"""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jmdi_scorm.lms.launch import LAUNCH_DATA, Launch
from jmdi_scorm.lms.session_rules import SessionRules
from jmdi_scorm.lms.store import Store, agent_key

VERSIONS = ("1.0.3",)
JSON = "application/json"


@dataclass
class Request:
    method: str
    resource: str  # path after the xAPI base, e.g. "activities/state"
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    raw_query: str = ""


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, message: str) -> Reply:
    return Reply(status, json.dumps({"error": message}).encode())


class Upstream:
    """A real LRS that receives the statements (the LMS holds its credentials, content never does)."""

    def __init__(self, endpoint: str, auth: str, timeout: float = 10):
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.auth, self.timeout = auth, timeout

    def send(self, method: str, resource: str, body: bytes = b"", version: str = "1.0.3") -> Reply:
        headers = {"Authorization": self.auth, "X-Experience-API-Version": version}
        if body:
            headers["Content-Type"] = JSON
        request = urllib.request.Request(self.endpoint + resource, data=body or None, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return Reply(response.status, response.read(), response.headers.get("Content-Type", JSON))
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.read(), exc.headers.get("Content-Type", JSON))
        except (urllib.error.URLError, OSError) as exc:
            # The LRS is unreachable: content must queue and retry (§6.6: 5xx → retry, same ids).
            return error(503, f"upstream LRS unreachable: {getattr(exc, 'reason', exc)}")


class XapiResources:
    """Routes one xAPI request. ``launches`` maps a Basic token to its launch."""

    def __init__(self, store: Store, launches: Callable[[str], Launch | None], upstream: Upstream | None = None,
                 rules: SessionRules | None = None):  # fmt: skip
        self.store, self.launches, self.upstream, self.rules = store, launches, upstream, rules

    def handle(self, request: Request) -> Reply:
        if request.resource == "about":
            return Reply(200, json.dumps({"version": list(VERSIONS)}).encode())
        launch = self._authorize(request)
        if isinstance(launch, Reply):
            return launch
        version = request.headers.get("x-experience-api-version", "")
        if not version.startswith("1.0"):
            return error(400, "X-Experience-API-Version 1.0.x is required")
        routes = {
            "statements": self._statements,
            "activities/state": self._state,
            "agents/profile": self._agent_profile,
        }
        route = routes.get(request.resource)
        if route is None:
            return error(404, f"no xAPI resource '{request.resource}' here")
        if self.rules is None:
            return self._route(route, request, launch)
        writes = request.resource == "statements" and request.method in ("POST", "PUT")
        with self.rules.lock if writes else contextlib.nullcontext():  # one statement request at a time
            refusal = self.rules.check(launch, request.method, request.resource, request.body, request.query)
            if refusal:
                return error(403, refusal)
            reply = self._route(route, request, launch)
            if writes and reply.status in (200, 204):
                self.rules.record(request.body)
            return reply

    @staticmethod
    def _route(route: Callable[[Request, Launch], Reply], request: Request, launch: Launch) -> Reply:
        try:
            return route(request, launch)
        except ValueError as exc:
            return error(400, str(exc))

    def _authorize(self, request: Request) -> Launch | Reply:
        value = request.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        launch = self.launches(token.strip()) if scheme.lower() == "basic" else None
        return launch if launch else error(401, "unknown or missing launch credentials")

    # --- statements ---------------------------------------------------------------------------

    def _statements(self, request: Request, launch: Launch) -> Reply:
        if request.method not in ("GET", "POST", "PUT"):
            return error(405, "statements: GET, POST or PUT")
        if self.upstream is not None:
            query = "?" + request.raw_query if request.raw_query else ""
            reply = self.upstream.send(request.method, "statements" + query, request.body)
            if request.method == "GET" and "statementId" in request.query and reply.status == 200:
                return _one_statement(reply)
            return reply
        if request.method == "GET":
            return self._read_statements(request)
        data = json.loads(request.body or b"null")
        statements = data if isinstance(data, list) else [data]
        if not statements or not all(isinstance(s, dict) and s.get("actor") and s.get("verb") for s in statements):
            raise ValueError("statements need actor, verb and object")
        if request.method == "PUT":
            wanted = request.query.get("statementId", "")
            if len(statements) != 1 or statements[0].setdefault("id", wanted) != wanted:
                raise ValueError("PUT needs one statement whose id matches statementId")
        for statement in statements:
            statement.setdefault("id", str(uuid.uuid4()))
        try:
            ids = self.store.add_statements(statements, {"objectType": "Agent", "name": "jmdi-scorm local LMS",
                                                         "mbox": "mailto:lms@example.org"})  # fmt: skip
        except KeyError as exc:
            return error(409, f"a different statement with id {exc.args[0]} is stored")
        return Reply(204) if request.method == "PUT" else Reply(200, json.dumps(ids).encode())

    def _read_statements(self, request: Request) -> Reply:
        if "statementId" in request.query:
            found = self.store.statement(request.query["statementId"])
            return Reply(200, json.dumps(found).encode()) if found else error(404, "no such statement")
        found_all = self.store.statements(
            registration=request.query.get("registration"),
            verb=request.query.get("verb"),
            activity=request.query.get("activity"),
            limit=int(request.query.get("limit", "0") or 0),
            ascending=request.query.get("ascending") == "true",
        )
        return Reply(200, json.dumps({"statements": found_all, "more": ""}).encode())

    # --- documents ----------------------------------------------------------------------------

    def _state(self, request: Request, launch: Launch) -> Reply:
        activity = _required(request, "activityId")
        registration = request.query.get("registration", "")
        if registration:
            uuid.UUID(registration)  # ValueError → 400
        key = ("state", activity, agent_key(_agent(request)), registration)
        doc_id = request.query.get("stateId")
        if doc_id == LAUNCH_DATA and request.method != "GET":
            return error(403, "LMS.LaunchData is read-only for the AU (cmi5 §10.2.1)")
        return self._document(request, key, doc_id)

    def _agent_profile(self, request: Request, launch: Launch) -> Reply:
        key = ("agent-profile", "", agent_key(_agent(request)), "")
        return self._document(request, key, request.query.get("profileId"))

    def _document(self, request: Request, key: tuple[str, str, str, str], doc_id: str | None) -> Reply:
        if request.method == "GET" and doc_id is None:
            return Reply(200, json.dumps(self.store.ids(*key, since=request.query.get("since", ""))).encode())
        if request.method == "DELETE" and doc_id is None and key[0] == "state":
            self.store.delete(*key, None)
            return Reply(204)
        if doc_id is None:
            raise ValueError("stateId / profileId is required")
        current = self.store.get(*key, doc_id)
        if request.method == "GET":
            if current is None:
                return error(404, "no such document")
            return Reply(200, current.content, current.content_type, {"ETag": current.etag})
        precondition = _precondition(request, current.etag if current else None)
        if precondition:
            return precondition
        if request.method == "DELETE":
            self.store.delete(*key, doc_id)
            return Reply(204)
        content_type = request.headers.get("content-type", "application/octet-stream").split(";")[0].strip()
        body = request.body
        if request.method == "POST":
            body, content_type = _merge(current, body, content_type)
        elif request.method != "PUT":
            return error(405, "documents: GET, PUT, POST or DELETE")
        etag = self.store.put(*key, doc_id, body, content_type)
        return Reply(204, headers={"ETag": etag})


def _one_statement(reply: Reply) -> Reply:
    """GET ?statementId= answers the statement or 404 (xAPI 1.0.3); some LRSs (ralph) wrap it in a
    StatementResult, empty when the id is unknown: content sees the standard answer."""
    try:
        data = json.loads(reply.body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return reply
    if isinstance(data, dict) and isinstance(data.get("statements"), list):
        found = data["statements"]
        return Reply(200, json.dumps(found[0]).encode()) if found else error(404, "no such statement")
    return reply


def _required(request: Request, name: str) -> str:
    value = request.query.get(name)
    if not value:
        raise ValueError(f"{name} is required")
    return value


def _agent(request: Request) -> dict[str, Any]:
    try:
        return json.loads(_required(request, "agent"))
    except json.JSONDecodeError as exc:
        raise ValueError("agent must be JSON") from exc


def _precondition(request: Request, etag: str | None) -> Reply | None:
    """``If-Match`` / ``If-None-Match: *`` (§6.7, optional for State in 1.0.3, honoured here)."""
    if_match = request.headers.get("if-match")
    if if_match and if_match != "*" and if_match != etag:
        return error(412, "If-Match does not match the stored document")
    if if_match == "*" and etag is None:
        return error(412, "If-Match: * but no document is stored")
    if request.headers.get("if-none-match") == "*" and etag is not None:
        return error(412, "If-None-Match: * but a document is stored")
    return None


def _merge(current: Any, body: bytes, content_type: str) -> tuple[bytes, str]:
    """POST to a document: JSON objects merge at the top level (xAPI 1.0.3 Communication 2.2)."""
    try:
        incoming = json.loads(body)
        existing = json.loads(current.content) if current else {}
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError("POST merges JSON objects only") from exc
    if not isinstance(incoming, dict) or not isinstance(existing, dict):
        raise ValueError("POST merges JSON objects only")
    return json.dumps({**existing, **incoming}).encode(), JSON
