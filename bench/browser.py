"""What a learner's browser does with our packages, in headless Chromium over loopback HTTP.

- ``first_page_load``: requests and bytes (uncompressed) until the web package's first page
  is shown and the network is idle;
- ``scorm_traffic``: SCORM API calls and commits at launch, per page change and at exit, with
  the recording API of ``bench/lms.html`` in the parent page;
- ``xapi_traffic``: statements, POSTs and State API writes per page change, against a loopback
  LRS stub that accepts everything;
- ``slow_first_page``: seconds from the browser's request for the package's launch page
  (``pkg/index.html``) until the runtime shows the first page, for every format, over an
  emulated slow link (``SLOW_LINK``: 50,000 B/s each way, 400 ms latency; the loopback server
  sends files uncompressed), the LMS side being ``lms.html`` (SCORM), the LRS stub (xAPI) or the
  stub with a cmi5 fetch URL and launch data (cmi5). The clock starts at the launch page's
  request, not at the navigation to ``lms.html``: an LMS's own player page is not ours (Moodle
  serves its own), and for web, xAPI and cmi5 the launch page is the first request anyway. Both
  ends are taken by the launch page itself (``SHOWN_SCRIPT``), so the harness's own delay in
  noticing the page is not counted.

Time is Playwright's fake clock: the learner reads each page for ``READING_MS`` (longer than the
runtimes' commit gaps), so every throttled commit or batched POST of a page change lands within
that page change.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import tempfile
import threading
import time
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE_CHANGES = 8
READING_MS = 6_000
WAIT_MS = 15_000
KINDS = {"document": "html", "script": "js", "stylesheet": "css", "image": "image"}
#: CDP Network.emulateNetworkConditions of the slow-link measure (issue 15: goal 1.5 s per format).
SLOW_LINK = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
#: The cmi5 LMS.LaunchData the stub answers (cmi5 §10.2.1, the fields the adapter reads).
CMI5_LAUNCH_DATA = {
    "contextTemplate": {},
    "launchMode": "Normal",
    "moveOn": "CompletedOrPassed",
    "launchMethod": "AnyWindow",
}
#: Put in every document of the slow-link measure before its scripts run: in the launch page,
#: ``window.jmdiShown`` becomes the milliseconds from the request for the page (Navigation Timing
#: ``requestStart``) to the first animation frame (the one before the paint) in which its first
#: page is shown: the page's h1 visible and the Next button no longer hidden (the core ran);
#: ``window.jmdiRequests`` the requests the page had made by then, itself included.
SHOWN_SCRIPT = """(() => {
  let due = false;
  const shown = () => {
    const next = document.getElementById("jmdi-next"), heading = document.querySelector("#jmdi-page h1");
    return next && !next.hidden && heading && heading.checkVisibility();
  };
  const mark = () => {
    due = false;
    if (window.jmdiShown || !shown()) return;
    const now = performance.now();
    window.jmdiShown = now - performance.getEntriesByType("navigation")[0].requestStart;
    window.jmdiRequests = 1 + performance.getEntriesByType("resource").filter(e => e.startTime <= now).length;
  };
  new MutationObserver(() => {
    if (!due && !window.jmdiShown && shown()) { due = true; requestAnimationFrame(mark); }
  }).observe(document, { subtree: true, childList: true, attributes: true });
})();"""
QUIET_CALLS = ("GetLastError", "GetErrorString", "GetDiagnostic")  # error queries, not LMS traffic


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


# --- loopback server: static files, plus an LRS stub under /xapi/ ----------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    lrs: list[dict[str, Any]] | None = None  # requests to /xapi/, when the stub is on

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def _is_lrs(self) -> bool:
        return self.lrs is not None and self.path.startswith("/xapi/")

    def do_GET(self) -> None:
        if not self._is_lrs():
            return super().do_GET()
        self._record(b"")
        if "stateId=LMS.LaunchData" in self.path:
            return self._answer(200, json.dumps(CMI5_LAUNCH_DATA).encode())
        self._answer(404, b"")  # no stored state: a first attempt

    def do_POST(self) -> None:
        self._lrs_write()

    def do_PUT(self) -> None:
        self._lrs_write()

    def _lrs_write(self) -> None:
        if not self._is_lrs():
            return self._answer(405, b"")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        statements = self._record(body)
        if self.command == "POST" and urlsplit(self.path).path.endswith("/fetch"):  # cmi5 fetch URL
            return self._answer(200, json.dumps({"auth-token": "YmVuY2g6YmVuY2g="}).encode())
        if self.command == "POST" and urlsplit(self.path).path.endswith("/statements"):
            return self._answer(200, json.dumps([str(uuid.uuid4()) for _ in range(statements)]).encode())
        self._answer(204, b"")

    def _record(self, body: bytes) -> int:
        resource = urlsplit(self.path).path.removeprefix("/xapi/")
        count, verbs = 0, []
        if resource == "statements" and body and self.command != "GET":
            data = json.loads(body)
            statements = data if isinstance(data, list) else [data]
            count, verbs = len(statements), [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements]
        assert self.lrs is not None
        self.lrs.append({"method": self.command, "resource": resource, "statements": count, "verbs": verbs})
        return count

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Experience-API-Version", "1.0.3")
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve(root: Path, lrs: list[dict[str, Any]] | None = None) -> Iterator[str]:
    """Serve ``root`` on a loopback port (with the LRS stub if ``lrs`` is a list); yield the base URL."""
    handler = type("Handler", (_Handler,), {"lrs": lrs})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def unpacked(package: Path, extra: dict[str, Path] | None = None) -> Iterator[Path]:
    """A temporary folder with the package unzipped in ``pkg/`` and ``extra`` files beside it."""
    with tempfile.TemporaryDirectory(prefix="jmdi-bench-") as tmp:
        root = Path(tmp)
        with zipfile.ZipFile(package) as archive:
            archive.extractall(root / "pkg")
        for name, source in (extra or {}).items():
            shutil.copyfile(source, root / name)
        yield root


# --- the runtime in a page --------------------------------------------------------------------


def shown_page(frame: Any) -> str:
    return frame.locator("#jmdi-page").get_attribute("data-page") or ""


def wait_shown(frame: Any, page_id: str | None = None) -> str:
    """Wait until the runtime shows ``page_id`` (or, without one, until its adapter started: the
    core marks the body with the session's mode)."""
    selector = f'#jmdi-page[data-page="{page_id}"]' if page_id else "body[data-jmdi-session]"
    frame.locator(selector).wait_for(state="attached", timeout=WAIT_MS)
    return page_id or shown_page(frame)


def next_page(frame: Any) -> str:
    """Press Next like a learner; return the page it leads to, once shown."""
    target = (frame.locator("#jmdi-next").get_attribute("href") or "").removeprefix("#/")
    frame.locator("#jmdi-next").click()
    return wait_shown(frame, target)


def sco_frame(page: Any) -> Any:
    return page.locator("#sco").element_handle(timeout=WAIT_MS).content_frame()


# --- measurements -----------------------------------------------------------------------------


def first_page_load(browser: Any, web_dir: Path) -> dict[str, Any]:
    """Requests and uncompressed bytes by kind until the first page is shown and the network idles."""
    with serve(web_dir) as base:
        context = browser.new_context()
        page = context.new_page()
        responses: list[Any] = []
        page.on("response", lambda response: responses.append(response))
        page.goto(base + "index.html", wait_until="networkidle")
        wait_shown(page)
        files = []
        for response in responses:
            kind = KINDS.get(response.request.resource_type, "other")
            files.append({"path": urlsplit(response.url).path, "kind": kind, "bytes": len(response.body())})
        context.close()
    by_kind: dict[str, dict[str, int]] = {}
    for item in files:
        row = by_kind.setdefault(item["kind"], {"requests": 0, "bytes": 0})
        row["requests"] += 1
        row["bytes"] += item["bytes"]
    code = sum(row["bytes"] for kind, row in by_kind.items() if kind in ("html", "js", "css"))
    return {"requests": len(files), "bytes": sum(f["bytes"] for f in files), "code_bytes": code, "by_kind": by_kind}


def _api_counts(calls: list[dict[str, str]]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for call in calls:
        if call["fn"].endswith(QUIET_CALLS):
            continue
        name = call["fn"].removeprefix("LMS")
        counts["calls"] += 1
        counts[{"GetValue": "get", "SetValue": "set", "Commit": "commit"}.get(name, "other")] += 1
    return {key: counts[key] for key in ("calls", "get", "set", "commit", "other")}


def scorm_traffic(browser: Any, package: Path, edition: str) -> dict[str, Any]:
    """SCORM API calls at launch, per page change (``PAGE_CHANGES`` of them) and at exit."""
    with unpacked(package, {"lms.html": HERE / "lms.html"}) as root, serve(root) as base:
        context = browser.new_context()
        page = context.new_page()
        page.clock.install()
        page.goto(f"{base}lms.html?edition={edition}")
        frame = sco_frame(page)
        wait_shown(frame)
        page.clock.run_for(READING_MS)
        calls = lambda: page.evaluate("() => window.calls")  # noqa: E731
        launch = len(calls())
        marks = [launch]
        for _ in range(PAGE_CHANGES):
            next_page(frame)
            page.clock.run_for(READING_MS)
            marks.append(len(calls()))
        frame.locator(".jmdi-exit").click()
        page.clock.run_for(READING_MS)
        log = calls()
        context.close()
    changes = [_api_counts(log[a:b]) for a, b in zip(marks, marks[1:], strict=False)]
    return {
        "launch": _api_counts(log[:launch]),
        "per_change": {key: sum(c[key] for c in changes) / len(changes) for key in changes[0]},
        "max_commits_per_change": max(c["commit"] for c in changes),
        "exit": _api_counts(log[marks[-1] :]),
        "changes": len(changes),
    }


def _settle(requests: list[dict[str, Any]], quiet: float = 0.4) -> int:
    """Wait (real time) until no request has reached the stub for ``quiet`` seconds."""
    seen = -1
    while seen != len(requests):
        seen = len(requests)
        time.sleep(quiet)
    return seen


def _lrs_counts(requests: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "statements": sum(r["statements"] for r in requests),
        "statement_requests": sum(r["resource"] == "statements" for r in requests),
        "state_writes": sum(r["resource"] == "activities/state" and r["method"] != "GET" for r in requests),
        "requests": len(requests),
    }


def xapi_traffic(browser: Any, package: Path) -> dict[str, Any]:
    """Statements and LRS requests at launch, per page change and at exit."""
    lrs: list[dict[str, Any]] = []
    with unpacked(package) as root, serve(root, lrs) as base:
        actor = {"objectType": "Agent", "name": "Bench Learner", "mbox": "mailto:bench@example.org"}
        query = {
            "endpoint": f"{base}xapi/",
            "auth": "Basic YmVuY2g6YmVuY2g=",
            "actor": json.dumps(actor),
            "registration": str(uuid.UUID(int=1)),
        }
        context = browser.new_context()
        page = context.new_page()
        page.clock.install()
        page.goto(f"{base}pkg/index.html?{urlencode(query)}")
        wait_shown(page)
        page.clock.run_for(READING_MS)
        marks = [_settle(lrs)]
        for _ in range(PAGE_CHANGES):
            next_page(page)
            page.clock.run_for(READING_MS)
            marks.append(_settle(lrs))
        page.locator(".jmdi-exit").click()
        page.clock.run_for(READING_MS)
        _settle(lrs)
        context.close()
    verbs = Counter(verb for request in lrs for verb in request["verbs"])
    changes = [_lrs_counts(lrs[a:b]) for a, b in zip(marks, marks[1:], strict=False)]
    return {
        "launch": _lrs_counts(lrs[: marks[0]]),
        "per_change": {key: sum(c[key] for c in changes) / len(changes) for key in changes[0]},
        "exit": _lrs_counts(lrs[marks[-1] :]),
        "changes": len(changes),
        "verbs": dict(sorted(verbs.items())),
    }


def _launch_url(base: str, adapter: str) -> str:
    """The URL a learner's launch opens for a package served under ``pkg/``."""
    if adapter in ("scorm12", "scorm2004"):
        return f"{base}lms.html?edition={'1.2' if adapter == 'scorm12' else '2004'}"
    if adapter == "local":
        return f"{base}pkg/index.html"
    actor = {"objectType": "Agent", "name": "Bench Learner", "mbox": "mailto:bench@example.org"}
    query = {"endpoint": f"{base}xapi/", "actor": json.dumps(actor), "registration": str(uuid.UUID(int=1))}
    if adapter == "xapi":
        query["auth"] = "Basic YmVuY2g6YmVuY2g="
    else:  # cmi5: the LMS names the AU and a fetch URL for the token
        query["fetch"] = f"{base}xapi/fetch"
        query["activityId"] = "https://bench.invalid/au"
    return f"{base}pkg/index.html?{urlencode(query)}"


def slow_first_page(browser: Any, package: Path, adapter: str, runs: int = 5) -> dict[str, Any]:
    """Seconds from the request for the launch page until the runtime shows the first page (its
    heading and the Next button) over ``SLOW_LINK``, as the page measures it (``SHOWN_SCRIPT``), a
    new browser context (empty cache) per run; the median of ``runs`` and the requests the median
    run's launch page had made by then (LRS calls included; the LMS's own page not)."""
    times: list[float] = []
    requests: list[int] = []
    extra = {"lms.html": HERE / "lms.html"} if adapter.startswith("scorm") else None
    with unpacked(package, extra) as root, serve(root, []) as base:
        for _ in range(runs):
            context = browser.new_context()
            context.add_init_script(SHOWN_SCRIPT)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
            page.goto(_launch_url(base, adapter), wait_until="commit")
            frame = sco_frame(page) if adapter.startswith("scorm") else page
            frame.locator("#jmdi-next:not([hidden])").wait_for(state="attached", timeout=60_000)
            frame.locator("#jmdi-page h1").wait_for(state="visible", timeout=60_000)
            frame.wait_for_function("() => window.jmdiShown", timeout=WAIT_MS)
            times.append(frame.evaluate("() => window.jmdiShown") / 1000)
            requests.append(frame.evaluate("() => window.jmdiRequests"))
            context.close()
    order = sorted(range(runs), key=lambda i: times[i])
    middle = order[runs // 2]
    return {"seconds": times[middle], "runs": times, "requests": requests[middle]}
