"""Field LMSs for the tests: the server side of ``tests/harness/moodle.js`` and a launch helper.

``FieldLms`` is one loopback HTTP server that

- serves a site folder (the harness, scorm-again's ``dist`` and the packages, linked in);
- answers ``GET /field-lms/seed`` with the data model a launch starts from, made from the stored
  record of that learner and SCO (``seed``: what Moodle, or the lenient LMS, hands a SCO);
- takes every store at ``POST /field-lms/store`` (urlencoded from a synchronous XHR, multipart from
  a beacon), records it (``stores``: size in bytes, transport, fields) and merges its fields into
  the stored record (``records``), answering ``true`` like Moodle's ``datamodel.php``.

``FieldSession`` is one launch in a fresh browser context (a fresh profile: no localStorage),
closed the way a learner closes the tab. The behaviours emulated are listed, one row each, in
``docs/lms-compatibility.md``.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

BEACON_QUOTA = 65536  # Chromium: queued keepalive bodies of a page (sendBeacon refuses past it)
INTERACTION = re.compile(r"cmi\.interactions\.(\d+)\.(.+)")


@dataclass
class Store:
    """One store as it reached the server."""

    learner: str
    sco: str
    session: str
    seq: int
    kind: str  # "commit" or "finish"
    transport: str  # "xhr" (page visible) or "beacon" (page dismissed)
    bytes: int  # the request body as received
    fields: list[tuple[str, str]]  # element names with their dots back
    at: float = field(default_factory=time.monotonic)

    @property
    def values(self) -> dict[str, str]:
        return dict(self.fields)


def parse_multipart(body: bytes, content_type: str) -> list[tuple[str, str]]:
    """The fields of a multipart/form-data body (names and text values only: all a beacon holds)."""
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    assert found, content_type
    delimiter = b"--" + found.group(1).encode()
    fields = []
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        head, _, value = part[2:].partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]*)"', head)
        assert name and value.endswith(b"\r\n"), part[:200]
        fields.append((name.group(1).decode(), value[:-2].decode("utf-8")))
    return fields


def element_name(field_name: str) -> str:
    """Form field name -> data model element (Moodle writes "." as "__")."""
    return field_name.replace("__", ".")


class FieldLms:
    """The loopback server of the field LMSs; one per test module, shared by its walks."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.records: dict[tuple[str, str], dict[str, str]] = {}
        self.stores: list[Store] = []
        self.seeds: dict[str, dict[str, str]] = {}  # session -> the data model it started from
        self.packages: dict = {}  # what the tests put in the site, for their own use
        self.errors: list[str] = []  # requests the server could not take (a test fails on one)
        self.lock = threading.Lock()
        handler = functools.partial(_Handler, self, directory=str(root))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what the LMS keeps and hands back ---------------------------------------------------

    def record(self, learner: str, sco: str) -> dict[str, str]:
        with self.lock:
            return dict(self.records.get((learner, sco), {}))

    def seed(self, learner: str, sco: str, edition: str, profile: str, objective: str = "") -> dict[str, str]:
        """The data model a launch starts from, made from the stored record (2004: objective 0 is
        the manifest's primary objective, as Moodle preloads it)."""
        stored = self.record(learner, sco)
        interactions = {k: v for k, v in stored.items() if INTERACTION.fullmatch(k)}
        if edition == "1.2":
            status = stored.get("cmi.core.lesson_status", "")
            cmi = {
                "cmi.core.student_id": learner,
                "cmi.core.student_name": "Learner, Field",
                "cmi.core.credit": "credit",
            }
            if profile == "moodle":
                # resume only after exit=suspend; a completed SCO reopens in review
                cmi["cmi.core.entry"] = "resume" if stored.get("cmi.core.exit") == "suspend" else "ab-initio"
                cmi["cmi.core.lesson_mode"] = "review" if status in ("completed", "passed", "failed") else "normal"
            else:
                # the lenient LMS: ab-initio on every launch, "incomplete" before anything was stored
                cmi["cmi.core.entry"] = "ab-initio"
                cmi["cmi.core.lesson_mode"] = "normal"
                status = status if status not in ("", "not attempted") else "incomplete"
            if status:
                cmi["cmi.core.lesson_status"] = status
            keep = ("cmi.core.lesson_location", "cmi.suspend_data", "cmi.core.score.raw", "cmi.core.score.min",
                    "cmi.core.score.max", "cmi.core.total_time")  # fmt: skip
        else:
            assert profile == "moodle", "the lenient LMS is a SCORM 1.2 LMS"
            cmi = {"cmi.learner_id": learner, "cmi.learner_name": "Learner, Field", "cmi.credit": "credit"}
            cmi["cmi.entry"] = "resume" if stored.get("cmi.exit") == "suspend" else "ab_initio"
            cmi["cmi.mode"] = "review" if stored.get("cmi.completion_status") == "completed" else "normal"
            if objective:
                cmi["cmi.objectives.0.id"] = objective
            keep = ("cmi.location", "cmi.suspend_data", "cmi.completion_status", "cmi.success_status",
                    "cmi.score.scaled", "cmi.score.raw", "cmi.score.min", "cmi.score.max", "cmi.progress_measure",
                    "cmi.total_time")  # fmt: skip
        cmi.update({key: stored[key] for key in keep if key in stored})
        cmi.update(interactions)  # in the order they were first stored: id first
        return cmi

    def _store(self, query: dict[str, str], transport: str, size: int, fields: list[tuple[str, str]]) -> None:
        # the data model's elements; the LMS's own parameters (id, sesskey...) count in the size only
        fields = [(element_name(name), value) for name, value in fields if name.startswith(("cmi__", "adl__"))]
        store = Store(query["learner"], query["sco"], query["session"], int(query["seq"]), query["kind"],
                      transport, size, fields)  # fmt: skip
        with self.lock:
            self.stores.append(store)
            self.records.setdefault((store.learner, store.sco), {}).update(fields)

    # --- what the tests read ------------------------------------------------------------------

    def stores_of(self, session: str) -> list[Store]:
        with self.lock:
            return sorted((s for s in self.stores if s.session == session), key=lambda s: s.seq)

    def wait_for(self, session: str, seqs: list[int], timeout: float = 5.0) -> None:
        """Waits until the stores ``seqs`` of ``session`` arrived (beacons travel after the tab closed)."""
        deadline = time.monotonic() + timeout
        while True:
            arrived = {s.seq for s in self.stores_of(session)}
            missing = sorted(set(seqs) - arrived)
            if not missing:
                return
            assert time.monotonic() < deadline, f"stores {missing} of session {session} never arrived"
            time.sleep(0.02)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, lms: FieldLms, *args, **kwargs) -> None:
        self.lms = lms
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        url = urlsplit(self.path)
        if url.path == "/field-lms/seed":
            query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            seed = self.lms.seed(
                query["learner"], query["sco"], query["edition"], query["profile"], query.get("objective", "")
            )
            with self.lms.lock:
                self.lms.seeds[query["session"]] = seed
            self._answer(200, json.dumps(seed).encode(), "application/json")
        elif url.path == "/field-lms/blank":
            self._answer(200, b"<!doctype html><title>blank</title>", "text/html")
        else:
            super().do_GET()

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        url = urlsplit(self.path)
        if url.path != "/field-lms/store":
            self._answer(404, b"", "text/plain")
            return
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        try:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            content_type = self.headers.get("Content-Type", "")
            if content_type.startswith("multipart/form-data"):
                fields = parse_multipart(body, content_type)
            else:
                fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
            self.lms._store(query, query.get("transport", "?"), len(body), fields)
        except Exception as exc:  # reported to the tests, answered "false"
            with self.lms.lock:
                self.lms.errors.append(f"{self.path}: {exc!r}")
            self._answer(500, b"false\n101", "text/plain")
            return
        self._answer(200, b"true\n0", "text/plain")


# --- the browser side ---------------------------------------------------------------------------

STARTED = """() => {
  const frame = document.getElementById('sco'), w = frame && frame.contentWindow;
  try {
    const m = /^#\\/([^/]+)/.exec(w.location.hash), host = w.document.querySelector('#jmdi-page');
    // data-jmdi-session: the adapter's state is in (the first page shows before it)
    return !!(m && host && host.getAttribute('data-page') === decodeURIComponent(m[1])
      && w.document.body.hasAttribute('data-jmdi-session'));
  } catch (e) { return false; }
}"""


class FieldSession:
    """One launch of a SCO in the field LMS, in a fresh browser context (no localStorage)."""

    def __init__(
        self,
        browser,
        lms: FieldLms,
        *,
        profile: str,
        edition: str,
        learner: str,
        sco: str,
        url: str,
        objective: str = "",
    ):
        self.lms = lms
        self.learner, self.sco, self.edition, self.profile = learner, sco, edition, profile
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.page.set_default_timeout(10000)  # a walk that goes wrong says so quickly
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        query = urlencode(
            {"profile": profile, "edition": edition, "learner": learner, "sco": sco, "url": url, "objective": objective}
        )
        self.started = time.monotonic()
        self.page.goto(f"{lms.base}harness/moodle.html?{query}", wait_until="commit")  # STARTED waits
        self.page.wait_for_function(STARTED)
        self.id: str = self.page.evaluate("() => fieldLms.session")
        self.ready = time.monotonic()  # the course runs (its session time started before this)
        self.frame = self.page.query_selector("#sco").content_frame()
        self.log: list[dict] = []
        self.ended: float | None = None

    @property
    def seed(self) -> dict[str, str]:
        return self.lms.seeds[self.id]

    def page_id(self) -> str:
        return self.frame.get_attribute("#jmdi-page", "data-page") or ""

    def close_tab(self) -> list[dict]:
        """Closes the tab as a learner does (beforeunload, pagehide and unload run in every frame),
        then reads the harness's log from the context's localStorage and waits until every store
        the browser accepted reached the server. Returns the stores of the log."""
        with self.page.expect_event("close"):
            self.page.close(run_before_unload=True)
        self.ended = time.monotonic()
        reader = self.context.new_page()
        reader.goto(f"{self.lms.base}field-lms/blank")
        self.log = reader.evaluate("key => JSON.parse(localStorage.getItem(key) || '[]')", f"field-lms:{self.id}")
        self.context.close()
        self.lms.wait_for(self.id, [entry["seq"] for entry in self.store_log if entry["ok"]])
        return self.store_log

    @property
    def store_log(self) -> list[dict]:
        """Each store as the page made it: seq, kind, transport, bytes, ok (what sendBeacon said)."""
        return [entry for entry in self.log if "seq" in entry]

    @property
    def refused_calls(self) -> list[dict]:
        """Each API call that returned "false": call, args, error, ended (the LMS had ended the session)."""
        return [entry for entry in self.log if "call" in entry]

    def stores(self) -> list[Store]:
        return self.lms.stores_of(self.id)
