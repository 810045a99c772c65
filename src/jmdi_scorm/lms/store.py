"""SQLite storage of the local LMS: xAPI documents (State, Agent Profile) and, when no upstream
LRS is configured, statements.

Documents follow xAPI 1.0.3 Document resources (docs/standards.md §6.6–6.7): a document is keyed by
its resource, activity, agent identifier, registration and id; ETags are SHA-1 of the content.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
  resource TEXT NOT NULL, activity TEXT NOT NULL, agent TEXT NOT NULL, registration TEXT NOT NULL,
  doc_id TEXT NOT NULL, content BLOB NOT NULL, content_type TEXT NOT NULL, etag TEXT NOT NULL,
  updated TEXT NOT NULL,
  PRIMARY KEY (resource, activity, agent, registration, doc_id)
);
CREATE TABLE IF NOT EXISTS statements (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL,
  stored TEXT NOT NULL, registration TEXT, verb TEXT, activity TEXT
);
"""
# Properties the LRS sets or may normalise: ignored when comparing a re-sent statement (xAPI 1.0.3
# Data 2.4.10: "Statement comparison requirements").
SERVER_SET = ("stored", "authority", "version", "timestamp")


def now() -> str:
    """RFC 3339 UTC with milliseconds (§6.1)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def etag_of(content: bytes) -> str:
    return '"' + hashlib.sha1(content).hexdigest() + '"'


def agent_key(agent: dict[str, Any]) -> str:
    """The inverse functional identifier of an agent as one string (§6.1: exactly one)."""
    if not isinstance(agent, dict):
        raise ValueError("agent must be a JSON object")
    found = [key for key in ("mbox", "mbox_sha1sum", "openid", "account") if agent.get(key)]
    if len(found) != 1:
        raise ValueError("agent needs exactly one identifier (mbox, mbox_sha1sum, openid or account)")
    value = agent[found[0]]
    if found[0] == "account":
        if not isinstance(value, dict) or not value.get("homePage") or not value.get("name"):
            raise ValueError("account needs homePage and name")
        return f"account:{value['homePage']}|{value['name']}"
    return f"{found[0]}:{value}"


@dataclass(frozen=True)
class Document:
    content: bytes
    content_type: str
    etag: str
    updated: str


class Store:
    """Thread-safe SQLite store (``":memory:"`` by default; a path keeps data across runs)."""

    def __init__(self, database: str = ":memory:"):
        self._db = sqlite3.connect(database, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- documents ----------------------------------------------------------------------------

    def get(self, resource: str, activity: str, agent: str, registration: str, doc_id: str) -> Document | None:
        with self._lock:
            row = self._db.execute(
                "SELECT content, content_type, etag, updated FROM documents WHERE resource=? AND activity=? "
                "AND agent=? AND registration=? AND doc_id=?",
                (resource, activity, agent, registration, doc_id),
            ).fetchone()
        return Document(*row) if row else None

    def ids(self, resource: str, activity: str, agent: str, registration: str, since: str = "") -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT doc_id FROM documents WHERE resource=? AND activity=? AND agent=? AND registration=? "
                "AND updated > ? ORDER BY doc_id",
                (resource, activity, agent, registration, since),
            ).fetchall()
        return [row[0] for row in rows]

    def put(self, resource: str, activity: str, agent: str, registration: str, doc_id: str, content: bytes,
            content_type: str) -> str:  # fmt: skip
        etag = etag_of(content)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (resource, activity, agent, registration, doc_id, content, content_type, etag, now()),
            )
        return etag

    def delete(self, resource: str, activity: str, agent: str, registration: str, doc_id: str | None) -> None:
        query = "DELETE FROM documents WHERE resource=? AND activity=? AND agent=? AND registration=?"
        args: tuple[str, ...] = (resource, activity, agent, registration)
        if doc_id is not None:
            query, args = query + " AND doc_id=?", (*args, doc_id)
        with self._lock:
            self._db.execute(query, args)

    # --- statements (only when no upstream LRS is configured) ---------------------------------

    def add_statements(self, statements: list[dict[str, Any]], authority: dict[str, Any]) -> list[str]:
        """Store new statements; an equal re-sent one is skipped, a different one with a known id
        raises ``KeyError`` (the caller answers 409)."""
        stored = now()
        with self._lock:
            new = []
            for statement in statements:
                row = self._db.execute("SELECT body FROM statements WHERE id=?", (statement["id"],)).fetchone()
                if row:
                    if _comparable(json.loads(row[0])) != _comparable(statement):
                        raise KeyError(statement["id"])
                    continue
                new.append(statement)
            for statement in new:
                full = {**statement, "stored": stored, "authority": authority, "version": "1.0.0"}
                full.setdefault("timestamp", stored)
                context = statement.get("context") or {}
                self._db.execute(
                    "INSERT INTO statements (id, body, stored, registration, verb, activity) VALUES (?, ?, ?, ?, ?, ?)",
                    (statement["id"], json.dumps(full), stored, context.get("registration"),
                     statement.get("verb", {}).get("id"), (statement.get("object") or {}).get("id")),
                )  # fmt: skip
        return [statement["id"] for statement in statements]

    def statement(self, statement_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT body FROM statements WHERE id=?", (statement_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def statements(self, *, registration: str | None = None, verb: str | None = None, activity: str | None = None,
                   limit: int = 0, ascending: bool = False) -> list[dict[str, Any]]:  # fmt: skip
        where, args = [], []
        for column, value in (("registration", registration), ("verb", verb), ("activity", activity)):
            if value:
                where.append(f"{column}=?")
                args.append(value)
        query = "SELECT body FROM statements" + (" WHERE " + " AND ".join(where) if where else "")
        query += " ORDER BY seq " + ("ASC" if ascending else "DESC")
        if limit:
            query += f" LIMIT {int(limit)}"
        with self._lock:
            return [json.loads(row[0]) for row in self._db.execute(query, args).fetchall()]


def _comparable(statement: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in statement.items() if k not in SERVER_SET}, sort_keys=True)
