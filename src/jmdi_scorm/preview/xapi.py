"""The LMS side of an xAPI or cmi5 preview: the local LMS of ``jmdi_scorm.lms`` on its own
loopback port, its SQLite file in the preview folder, and the log the debug panel polls.

Statements and documents are the LMS's own store; every request the content made (the State
API writes, refused statements, the cmi5 fetch) is copied into ``preview_requests`` of the same
database, so a session can be inspected after the preview has stopped.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

REQUESTS_TABLE = """
CREATE TABLE IF NOT EXISTS preview_requests (
  seq INTEGER PRIMARY KEY, time REAL NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,
  query TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL
);
"""
BODY_LIMIT = 20_000  # characters of a request body shown in the panel


class XapiPreview:
    """One local LMS for the preview; ``launch()`` gives the URL the course frame opens."""

    def __init__(self, kind: str, package: Path, database: Path, fresh: Callable[[str], None] = lambda name: None):
        """``fresh(name)`` is called before the package file ``name`` is read (``Preview.fresh``)."""
        from jmdi_scorm.lms import LocalLMS  # only xAPI and cmi5 previews need the LMS side

        self.kind = kind  # "xapi" or "cmi5"
        self.database = database
        self.lms = LocalLMS(package, database=str(database))
        self.lms.package = _live_package(package, fresh)
        self.registration = str(uuid.uuid4())
        self._log = sqlite3.connect(database, check_same_thread=False, isolation_level=None)
        self._log.executescript(REQUESTS_TABLE)
        self._synced = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        self.lms.start()

    def stop(self) -> None:
        self.sync()
        self.lms.stop()
        with self._lock:
            self._log.close()

    def launch(self, new_attempt: bool = False) -> dict[str, str]:
        """A fresh launch (a new token; a cmi5 fetch URL works once), in the same registration
        unless ``new_attempt``."""
        if new_attempt:
            self.registration = str(uuid.uuid4())
        url = self.lms.launch_url(self.kind, registration=self.registration, **self._cmi5_options())
        return {"url": url, "registration": self.registration}

    def _cmi5_options(self) -> dict[str, Any]:
        return {"return_url": ""} if self.kind == "cmi5" else {}

    def sync(self) -> None:
        """Copy the requests logged since the last call into ``preview_requests``."""
        with self._lock:
            fresh = self.lms.requests[self._synced :]
            for offset, request in enumerate(fresh):
                self._log.execute(
                    "INSERT OR REPLACE INTO preview_requests VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (self._synced + offset, request.time, request.method, request.path,
                     json.dumps(request.query), request.status, _text(request.body)),
                )  # fmt: skip
            self._synced += len(fresh)

    def events(self, statements_since: int, requests_since: int) -> dict[str, Any]:
        """What the panel has not seen yet: stored statements and the content's requests."""
        self.sync()
        statements = self.lms.statements()
        requests = [_request(index, r) for index, r in enumerate(self.lms.requests) if index >= requests_since]
        return {
            "registration": self.registration,
            "database": str(self.database),
            "statements": statements[statements_since:],
            "statementCount": len(statements),
            "requests": requests,
            "requestCount": requests_since + len(requests),
        }


def _live_package(package: Path, fresh: Callable[[str], None]) -> Any:
    from jmdi_scorm.lms.server import Package
    from jmdi_scorm.preview.server import LAUNCH, LIVE, static_file, with_live_script

    class LivePackage(Package):
        """The package as the preview serves it: the launch page with the live-reload script, and
        a file a topic edit left out of date rendered first."""

        def read(self, name: str) -> bytes | None:
            if name == LIVE:
                return static_file("live.js")
            fresh(name)
            data = super().read(name)
            return with_live_script(data) if name == LAUNCH and data is not None else data

    return LivePackage(package)


def _request(index: int, request: Any) -> dict[str, Any]:
    return {
        "index": index,
        "time": request.time,
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "status": request.status,
        "body": _text(request.body)[:BODY_LIMIT],
    }


def _text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")
