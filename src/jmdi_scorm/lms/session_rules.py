"""cmi5 session rules an LMS may enforce on what an AU sends (``LocalLMS(session_rules=True)``).

Conformance-testing LMSs refuse, with 401/403, a request that breaks the statement order of a
session, and the whole request with it: a batch ``[initialized, experienced]`` is judged against
the session as it was before the batch (so ``experienced`` comes "before initialized"), and a
re-sent ``passed`` is a second ``passed`` in the registration even under the same id. Once a
session's ``terminated`` is recorded its token has ended: every later request with it is refused.
The local LMS does the same when asked, so the browser tests see what such an LMS would refuse
(cmi5 requirements 8.1.2.0-2, 9.3.0.0-2 … -7).

Like ADL's test suite, it also compares every request with the launch whose token it carries: a
statement's actor and every ``agent`` parameter must be the launch actor exactly (8.1.3.0-3); a
statement's context must keep the launch's context template, values and ``sessionid`` included
(10.2.1.0-6), so a later launch can never deliver an earlier session's statements; and, as some
LMSs do, a token writes the State of its own AU's activity only.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from jmdi_scorm.lms.launch import CATEGORY_CMI5, EXT_SESSION, Launch

VERBS = "http://adlnet.gov/expapi/verbs/"
ONCE_PER_REGISTRATION = ("completed", "passed")


@dataclass
class _Session:
    registration: str
    initialized: bool = False
    ended: bool = False
    defined: set[str] = field(default_factory=set)  # defined verbs recorded in this session


class SessionRules:
    """Per-session and per-registration state of cmi5 launches; thread-safe."""

    def __init__(self) -> None:
        self._sessions: dict[str, _Session] = {}
        self._moved: dict[tuple[str, str], set[str]] = {}  # (registration, AU activity) → completed/passed
        self.lock = threading.RLock()  # held by the caller from check() to record() of a statement request

    def open(self, launch: Launch) -> None:
        with self.lock:
            self._sessions[launch.session_id] = _Session(launch.registration or "")

    def ended(self, launch: Launch) -> bool:
        session = self._sessions.get(launch.session_id)
        return bool(session and session.ended)

    def check(self, launch: Launch, method: str, resource: str, body: bytes,
              query: dict[str, str] | None = None) -> str | None:  # fmt: skip
        """Why this request is refused (403), or None. Call with ``lock`` held for statement writes."""
        if launch.kind != "cmi5" or launch.session_id not in self._sessions:
            return None
        if self.ended(launch):
            return "8.1.2.0-2: this session has ended (terminated is recorded); its token is no longer valid"
        if resource in ("activities/state", "agents/profile"):
            return _document_problem(launch, method, resource, query or {})
        if resource != "statements" or method not in ("POST", "PUT"):
            return None
        seen: set[tuple[str, str]] = set()  # (session, verb) earlier in this request
        for statement in _statements(body):
            problem = _launch_problem(launch, statement) or self._judge(statement, seen)
            if problem:
                return f"statement {statement.get('id')}: {problem}"
        return None

    def _judge(self, statement: dict[str, Any], seen: set[tuple[str, str]]) -> str | None:
        session_id, verb, defined = _session_of(statement), _verb(statement), _defined(statement)
        session = self._sessions.get(session_id)
        if session is None:
            return f"no open session {session_id!r} on this LMS"
        if session.ended:
            return "9.3.0.0-5: a statement after terminated"
        if not session.initialized and verb != "initialized":
            return "9.3.0.0-4: initialized must be the first statement of the session"
        if not defined:
            return None
        if verb in session.defined or (session_id, verb) in seen:
            return f"9.3.0.0-2: {verb} twice in one session"
        verdicts = {"passed", "failed"}
        if verb in verdicts and (session.defined | {v for s, v in seen if s == session_id}) & verdicts:
            return "9.3.0.0-3: passed and failed in one session"
        moved = self._moved.get((session.registration, _object(statement)), set())
        if verb in ONCE_PER_REGISTRATION and verb in moved:
            return f"9.3.0.0-6/7: {verb} was already recorded in this registration"
        seen.add((session_id, verb))
        return None

    def record(self, body: bytes) -> None:
        """The request was stored (2xx): update the sessions it names. Call with ``lock`` held."""
        for statement in _statements(body):
            session = self._sessions.get(_session_of(statement))
            if session is None or not _defined(statement):
                continue
            verb = _verb(statement)
            session.defined.add(verb)
            if verb == "initialized":
                session.initialized = True
            elif verb == "terminated":
                session.ended = True
            elif verb in ONCE_PER_REGISTRATION:
                self._moved.setdefault((session.registration, _object(statement)), set()).add(verb)


def _document_problem(launch: Launch, method: str, resource: str, query: dict[str, str]) -> str | None:
    """A State or Agent Profile request that does not name the launch actor, or a State write to
    another activity than the launch's."""
    try:
        agent = json.loads(query.get("agent", "null"))
    except json.JSONDecodeError:
        agent = None
    if agent != launch.actor:
        return "8.1.3.0-3: the agent is not the launch actor"
    if resource == "activities/state" and method != "GET" and query.get("activityId") != launch.activity_id:
        return "this launch's token writes the State of its own activity only"
    return None


def _launch_problem(launch: Launch, statement: dict[str, Any]) -> str | None:
    """A statement whose actor is not the launch actor, or whose context does not keep the launch's
    context template (cmi5 §10.2.1: the AU may add to it, never change it)."""
    if statement.get("actor") != launch.actor:
        return "8.1.3.0-3: the actor is not the launch actor"
    context = statement.get("context") or {}
    for name, value in launch.context_template().items():
        if name == "contextActivities":
            for kind, items in value.items():
                kept = _as_list((context.get(name) or {}).get(kind))
                if [a.get("id") for a in kept[: len(_as_list(items))]] != [a.get("id") for a in _as_list(items)]:
                    return f"10.2.1.0-6: contextActivities.{kind} does not start with the template's"
        elif isinstance(value, dict):
            if any((context.get(name) or {}).get(key) != item for key, item in value.items()):
                return f"10.2.1.0-6: context.{name} does not keep the template's (sessionid: another session)"
        elif context.get(name) != value:
            return f"10.2.1.0-6: context.{name} is {context.get(name)!r}, the template says {value!r}"
    return None


def _as_list(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value] if value else []
    return [a for a in items if isinstance(a, dict)]


def _statements(body: bytes) -> list[dict[str, Any]]:
    try:
        data = json.loads(body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return []
    items = data if isinstance(data, list) else [data]
    return [item for item in items if isinstance(item, dict)]


def _session_of(statement: dict[str, Any]) -> str:
    return str(((statement.get("context") or {}).get("extensions") or {}).get(EXT_SESSION, ""))


def _verb(statement: dict[str, Any]) -> str:
    return str((statement.get("verb") or {}).get("id", "")).removeprefix(VERBS)


def _object(statement: dict[str, Any]) -> str:
    return str((statement.get("object") or {}).get("id", ""))


def _defined(statement: dict[str, Any]) -> bool:
    categories = ((statement.get("context") or {}).get("contextActivities") or {}).get("category") or []
    return any(isinstance(a, dict) and a.get("id") == CATEGORY_CMI5 for a in categories)
