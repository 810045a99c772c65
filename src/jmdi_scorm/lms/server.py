"""The local LMS: serves a package, launches it the TinCan or cmi5 way, and answers the xAPI
calls content makes (statements, State, Agent Profile) on 127.0.0.1.

It is a development aid (``jmdi-scorm preview``, browser tests), not an LRS product: statements go
to an upstream LRS when one is configured (the LMS holds its credentials; content only ever sees a
per-launch token) or to the LMS's own SQLite store otherwise.

    lms = LocalLMS("dist/course-cmi5.zip", upstream=Upstream(endpoint, auth))
    lms.start()
    url = lms.launch_url("cmi5", actor=..., registration=...)
    ...
    lms.stop()
"""

from __future__ import annotations

import contextlib
import http.server
import json
import mimetypes
import socket
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from jmdi_scorm.lms.launch import AU, LAUNCH_MODES, PREFERENCES, Launch, new_token, read_cmi5, read_tincan, with_query
from jmdi_scorm.lms.session_rules import SessionRules
from jmdi_scorm.lms.store import Store, agent_key, now
from jmdi_scorm.lms.xapi_api import JSON, Reply, Request, Upstream, XapiResources, error
from jmdi_scorm.loopback import names_this_server

CONTENT, XAPI, FETCH, RETURN = "/content/", "/xapi/", "/cmi5/fetch/", "/lms/return"
RETURN_PAGE = b"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Back in the LMS</title></head>
<body><h1>Back in the LMS</h1><p>The course session has ended.</p></body></html>"""
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, PUT, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match",
    "Access-Control-Expose-Headers": "ETag, X-Experience-API-Version, X-Experience-API-Consistent-Through",
    "Access-Control-Max-Age": "600",
}
DEFAULT_HOME = "https://lms.example.org/"


class Package:
    """The files of a package, from its zip or its unpacked folder."""

    def __init__(self, path: Path):
        self.path = path
        self._zip = zipfile.ZipFile(path) if path.is_file() else None

    def read(self, name: str) -> bytes | None:
        parts = PurePosixPath(name).parts
        if not name or ".." in parts or name.startswith("/"):
            return None
        if self._zip is not None:
            try:
                return self._zip.read(name)
            except KeyError:
                return None
        file = self.path.joinpath(*parts)
        return file.read_bytes() if file.is_file() else None


@dataclass
class LoggedRequest:
    """One request the content made, for tests and the preview's debug view (no secrets)."""

    time: float  # answered (``time.time()``)
    method: str
    path: str
    query: dict[str, str]
    status: int
    authorized: bool
    version: str
    content_type: str
    body: bytes
    received: float = 0.0  # arrived
    session: str = ""  # the cmi5 session id of the launch whose token it carried
    answered: bool = True  # False: handled, but the connection was cut before the answer (Fault.cut)


@dataclass(frozen=True)
class Fault:
    """What the LMS does to one xAPI request instead of answering at once (tests: a slow LMS, an
    answer lost on the way back). Returned by ``LocalLMS.faults``."""

    delay: float = 0.0  # seconds to wait before handling it
    status: int | None = None  # answer this status instead of handling it (nothing is stored)
    cut: float | None = None  # handle it (stored), wait this long, then cut the answer short


class LocalLMS:
    """A small standard LMS side for xAPI (TinCan launch) and cmi5 packages, on loopback."""

    def __init__(self, package: Path | str | None = None, *, upstream: Upstream | None = None,
                 database: str = ":memory:", home_page: str = DEFAULT_HOME,
                 preferences: dict[str, str] | None = None, session_rules: bool = False):  # fmt: skip
        self.package = Package(Path(package)) if package else None
        self.store = Store(database)
        self.upstream = upstream
        self.home_page = home_page
        self.preferences = preferences
        self.requests: list[LoggedRequest] = []
        # Tests: called with each xAPI request; a Fault makes the LMS slow or lose the answer.
        self.faults: Callable[[Request], Fault | None] | None = None
        # session_rules: refuse what breaks a cmi5 session's statement order, as conformance-testing
        # LMSs do (session_rules.py); off by default (a reload of an ended launch still reads its state).
        self.rules = SessionRules() if session_rules else None
        self._launches: dict[str, Launch] = {}  # token → launch
        self._fetch: dict[str, Launch] = {}  # fetch id → launch
        self._pending: list[bytes] = []  # LMS statements the upstream LRS did not take yet
        self._lock = threading.Lock()
        self._server: http.server.ThreadingHTTPServer | None = None
        self.xapi = XapiResources(self.store, self._launches.get, upstream, self.rules)

    # --- life cycle ---------------------------------------------------------------------------

    def start(self, port: int = 0) -> str:
        """Serve on 127.0.0.1 (``port`` 0 = any free port); returns the base URL."""
        handler = type("Handler", (_Handler,), {"lms": self})
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), name="jmdi-lms", daemon=True).start()
        return self.base_url

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self) -> str:
        if not self._server:
            raise RuntimeError("the LMS is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def endpoint(self) -> str:
        """The xAPI endpoint content talks to (always this LMS; docs/standards.md §7.2 ``endpoint``)."""
        return self.base_url + XAPI.lstrip("/")

    # --- launching ----------------------------------------------------------------------------

    def aus(self) -> list[AU]:
        data = self.package.read("cmi5.xml") if self.package else None
        if data is None:
            raise FileNotFoundError("the package has no cmi5.xml")
        return read_cmi5(data)

    def launch_url(self, kind: str, *, actor: dict[str, Any] | None = None, registration: str | None = None,
                   au: str | int = 0, launch_mode: str = "Normal", return_url: str | None = None,
                   mastery_score: float | None = None, activity_id: str | None = None,
                   extra: dict[str, str] | None = None,
                   context_template: dict[str, Any] | None = None) -> str:  # fmt: skip
        """A launch URL as an LMS would open it: ``kind`` is ``"xapi"`` (TinCan launch, §7.2) or
        ``"cmi5"`` (§8.2); ``au`` picks a cmi5 AU by id or position. ``mastery_score`` overrides
        the AU's (an LMS may, §8.3); ``return_url=""`` means this LMS's own return page;
        ``context_template``: the LaunchData template an LMS of its own makes (the session id is
        added to it)."""
        actor = actor or {
            "objectType": "Agent",
            "name": "Learner",
            "account": {"homePage": self.home_page, "name": "learner"},
        }
        agent_key(actor)  # exactly one identifier, or ValueError
        if kind == "xapi":
            return self._tincan_launch(actor, registration, activity_id, extra or {})
        if kind == "cmi5":
            if return_url == "":
                return_url = self.base_url + RETURN.lstrip("/")
            return self._cmi5_launch(
                actor, registration or str(uuid.uuid4()), au, launch_mode, return_url, mastery_score, context_template
            )
        raise ValueError(f"unknown launch kind '{kind}' (xapi or cmi5)")

    def _tincan_launch(self, actor: dict[str, Any], registration: str | None, activity_id: str | None,
                       extra: dict[str, str]) -> str:  # fmt: skip
        data = self.package.read("tincan.xml") if self.package else None
        if data is None:
            raise FileNotFoundError("the package has no tincan.xml")
        root = read_tincan(data)
        launch = Launch("xapi", actor, registration, activity_id or root.ident, new_token("tincan"), root)
        self._launches[launch.token] = launch
        params = {"endpoint": self.endpoint, "auth": f"Basic {launch.token}", "actor": _compact(actor)}
        if registration:
            params["registration"] = registration
        if activity_id:
            params["activity_id"] = activity_id
        return with_query(self.base_url + CONTENT.lstrip("/") + root.url, params | extra)

    def _cmi5_launch(self, actor: dict[str, Any], registration: str, au: str | int, mode: str,
                     return_url: str | None, mastery_score: float | None,
                     template: dict[str, Any] | None) -> str:  # fmt: skip
        if mode not in LAUNCH_MODES:
            raise ValueError(f"launch mode must be one of {', '.join(LAUNCH_MODES)}")
        units = self.aus()
        unit = units[au] if isinstance(au, int) else next(u for u in units if u.ident == au)
        if mastery_score is not None:
            unit = replace(unit, mastery_score=mastery_score)
        # The LMS names the activity (§8.1: publisher ids differ from launch activity ids).
        activity_id = f"{self.home_page}xapi/activities/au/{uuid.uuid5(uuid.NAMESPACE_URL, unit.ident)}"
        launch = Launch("cmi5", actor, registration, activity_id, new_token("cmi5"), unit, launch_mode=mode,
                        template=template)  # fmt: skip
        self._fetch[launch.fetch_id] = launch
        if self.rules is not None:
            self.rules.open(launch)
        agent, key = _compact(actor), agent_key(actor)
        document = json.dumps(launch.launch_data(return_url)).encode()
        self.store.put("state", activity_id, key, registration, "LMS.LaunchData", document, JSON)
        if self.preferences is not None:
            self.store.put("agent-profile", "", key, "", PREFERENCES, json.dumps(self.preferences).encode(), JSON)
        url = with_query(
            self.base_url + CONTENT.lstrip("/") + unit.url,
            {"endpoint": self.endpoint, "fetch": self.base_url + FETCH.lstrip("/") + launch.fetch_id,
             "actor": agent, "registration": registration, "activityId": activity_id},
        )  # fmt: skip
        self.record_statement(launch.launched_statement(url, now()))
        return url

    def fetch_token(self, fetch_id: str) -> dict[str, str]:
        """cmi5 fetch (§8.2 step 2): one auth token per launch; later calls get error 1."""
        with self._lock:
            launch = self._fetch.get(fetch_id)
            if launch is None:
                return {"error-code": "2", "error-text": "unknown fetch URL"}
            if launch.fetched:
                return {"error-code": "1", "error-text": "the auth token of this launch was already fetched"}
            launch.fetched = True
            self._launches[launch.token] = launch
        return {"auth-token": launch.token}

    # --- statements the LMS itself makes ------------------------------------------------------

    def record_statement(self, statement: dict[str, Any]) -> None:
        """Store an LMS statement (``launched``), keeping it for later if the LRS is down."""
        with self._lock:
            self._pending.append(json.dumps(statement).encode())
        self.flush_pending()

    def flush_pending(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        for index, body in enumerate(pending):
            if self.upstream is None:
                self.store.add_statements([json.loads(body)], {"objectType": "Agent", "mbox": "mailto:lms@example.org"})
                continue
            reply = self.upstream.send("POST", "statements", body)
            if reply.status >= 500:
                with self._lock:
                    self._pending[:0] = pending[index:]
                return

    def statements(self, **query: str) -> list[dict[str, Any]]:
        """Statements as stored (upstream or local), oldest first."""
        if self.upstream is None:
            return self.store.statements(registration=query.get("registration"), ascending=True)
        out: list[dict[str, Any]] = []
        path = "statements?" + urlencode({"limit": "500", **query})
        seen: set[str] = set()
        while path and path not in seen:
            seen.add(path)
            reply = self.upstream.send("GET", path)
            body = json.loads(reply.body)
            out.extend(body.get("statements", []))
            more = body.get("more") or ""
            path = more.split("/xAPI/", 1)[-1] if more and body.get("statements") else ""
        return sorted(out, key=lambda s: (s.get("stored", ""), s.get("timestamp", "")))

    def log(self, request: Request, reply: Reply, path: str, received: float = 0.0, answered: bool = True) -> None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        launch = self._launches.get(token.strip()) if scheme.lower() == "basic" else None
        self.requests.append(
            LoggedRequest(
                time.time(),
                request.method,
                path,
                request.query,
                reply.status,
                "authorization" in request.headers,
                request.headers.get("x-experience-api-version", ""),
                request.headers.get("content-type", ""),
                request.body,
                received or time.time(),
                launch.session_id if launch else "",
                answered,
            )  # fmt: skip
        )


def _compact(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"))


class _Handler(http.server.BaseHTTPRequestHandler):
    lms: LocalLMS
    protocol_version = "HTTP/1.1"
    #: An answer is written in two parts (headers, body): with Nagle's algorithm the body would wait
    #: for the client's delayed ACK of the headers, ~40 ms on a kept-alive connection.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def handle(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a page closed mid-answer
            super().handle()

    def _foreign_host(self) -> bool:
        """Refuse other Host names: a web page using DNS rebinding cannot reach the LMS."""
        if names_this_server(self):
            return False
        self._send(error(421, "the local LMS answers 127.0.0.1 and localhost only"))
        return True

    def do_OPTIONS(self) -> None:  # noqa: N802 - stdlib naming
        if not self._foreign_host():
            self._send(Reply(204), cors=True)

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_GET  # noqa: N815

    def _dispatch(self) -> None:
        received = time.time()
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self._foreign_host():
            return
        if path.startswith(CONTENT):
            return self._content(path[len(CONTENT) :])
        request = Request(self.command, path, dict(parse_qsl(parts.query, keep_blank_values=True)),
                          {k.lower(): v for k, v in self.headers.items()}, body, parts.query)  # fmt: skip
        fault = None
        if path.startswith(FETCH):
            reply = self._fetch(path[len(FETCH) :])
        elif path.startswith(XAPI):
            request.resource = path[len(XAPI) :]
            fault = self.lms.faults(request) if self.lms.faults else None
            time.sleep(fault.delay if fault else 0)
            if request.resource == "statements" and self.lms.upstream is not None:
                self.lms.flush_pending()
            reply = error(fault.status, "fault injected") if fault and fault.status else self.lms.xapi.handle(request)
        elif path == RETURN:  # where cmi5 launches return to (returnURL, §8.7)
            reply = Reply(200, RETURN_PAGE, "text/html; charset=utf-8")
        else:
            reply = error(404, "not found")
        cut = fault.cut if fault is not None else None
        self.lms.log(request, reply, path, received, answered=cut is None)
        if cut is not None:
            return self._cut(reply, cut)
        self._send(reply, cors=True)

    def _cut(self, reply: Reply, wait: float) -> None:
        """Handled, but the answer never arrives whole: after ``wait`` seconds the status line and
        headers go out, then the connection closes before the body (headers first, so the browser
        cannot take it for a dead kept-alive connection and send the request again by itself)."""
        time.sleep(wait)
        self.send_response(reply.status)
        for name, value in ({"Content-Type": reply.content_type} | CORS_HEADERS).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body) + 1))
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _fetch(self, fetch_id: str) -> Reply:
        if self.command != "POST":  # §8.2: POST only, so nothing caches the token
            return error(405, "the cmi5 fetch URL takes POST only")
        return Reply(200, json.dumps(self.lms.fetch_token(fetch_id)).encode(), headers={"Cache-Control": "no-store"})

    def _content(self, name: str) -> None:
        data = self.lms.package.read(name or "index.html") if self.lms.package else None
        if data is None:
            return self._send(error(404, f"{name}: not in the package"))
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml", "application/json"):
            kind += "; charset=utf-8"
        self._send(Reply(200, data, kind, {"Cache-Control": "no-cache"}))

    def _send(self, reply: Reply, cors: bool = False) -> None:
        self.send_response(reply.status)
        headers = {"Content-Type": reply.content_type, **reply.headers}
        if cors:
            headers |= CORS_HEADERS | {"X-Experience-API-Version": "1.0.3"}
        for name, value in headers.items():
            self.send_header(name, value)
        body = b"" if self.command == "HEAD" or reply.status in (204, 304) else reply.body
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
