"""Shared fixtures: the fixture course, a loopback HTTP server and headless Chromium."""

from __future__ import annotations

import functools
import gc
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import repo_writes
from tests.support.build_cache import cache_copy
from tests.support.once import made_once

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINIMAL = FIXTURES / "minimal"
NODE_MODULES = ROOT / "node_modules"
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


@pytest.fixture(scope="session")
def warm_pdf_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal course's module PDF cache, rendered once per session (by the first xdist worker
    that asks; the others wait for it). Tests copy it, never change it."""
    from jmdi_scorm.build import BuildOptions, build

    def render(folder: Path) -> None:
        course = folder / "course"
        shutil.copytree(MINIMAL, course, ignore=shutil.ignore_patterns(".jmdi-cache"))
        build(course, BuildOptions(out=folder / "dist", formats=("web",)))

    return made_once(tmp_path_factory, "warm-pdf-cache", render) / "course" / ".jmdi-cache"


@pytest.fixture
def minimal_course(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A writable copy of the minimal fixture course. Its module PDF cache holds the fixture's
    PDFs (WeasyPrint takes a second a build; the cache is keyed by content, so a test that
    changes a module still gets that module rendered), unless the test is marked
    ``cold_pdf_cache``: the tests of the PDFs and of their cache start from none."""
    target = tmp_path / "course"
    shutil.copytree(MINIMAL, target, ignore=shutil.ignore_patterns(".jmdi-cache"))
    if not request.node.get_closest_marker("cold_pdf_cache"):
        cache_copy(request.getfixturevalue("warm_pdf_cache"), target / ".jmdi-cache")
    return target


@pytest.fixture
def build_cache(tmp_path_factory: pytest.TempPathFactory, warm_pdf_cache: Path) -> Path:
    """A build cache folder (``--cache-dir``, ``BuildOptions(cache=...)``) for a build of the
    fixture course in place: its module PDFs already rendered, its build records kept out of the
    repository. In a folder of its own, so that no test finds it among its outputs."""
    return cache_copy(warm_pdf_cache, tmp_path_factory.mktemp("build-cache") / "cache")


COURSE_FOLDERS = repo_writes.course_folders(ROOT)
_BEFORE_SESSION = pytest.StashKey[repo_writes.Snapshot]()


@pytest.fixture(autouse=True)
def _no_cache_written_in_the_repository() -> Iterator[None]:
    """Fail a test during which a course folder of the repository gained or changed its build cache
    (tests/support/repo_writes.py). With pytest-xdist, the writer may be a test running beside it."""
    before = repo_writes.snapshot(COURSE_FOLDERS)
    yield
    changed = repo_writes.changes(before, repo_writes.snapshot(COURSE_FOLDERS), ROOT)
    if changed:
        pytest.fail(repo_writes.message(changed, "This test (or one running beside it on another worker)"))


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_BEFORE_SESSION] = repo_writes.snapshot(COURSE_FOLDERS)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Fail the run when a course folder's build cache changed in it: this also catches module and
    session fixtures, which build before a test's own check starts. Checked once, where the run
    ends (pytest-xdist's controller, after every worker)."""
    if hasattr(session.config, "workerinput"):
        return
    before = session.config.stash.get(_BEFORE_SESSION, None)
    if before is None:
        return
    changed = repo_writes.changes(before, repo_writes.snapshot(COURSE_FOLDERS), ROOT)
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        text = repo_writes.message(changed, "This test run")
        if reporter is not None:
            reporter.write_line(text, red=True, bold=True)
        else:
            print(text)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture
def serve() -> Iterator:
    """``serve(folder)`` starts a loopback HTTP server on ``folder`` and returns its base URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Less CPU for the garbage collector, the same results: what collection imported (modules,
    schemas, parsers) is frozen out of its scans, and it runs less often on the many objects the
    tests make (courses, tokens, pages). The build pauses it for the same reason (build.py)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses the browser is marked ``browser`` (``pytest -m "not browser"``)."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def _no_browser(reason: str) -> None:
    """Skip, with the reason, when Chromium or Playwright is missing; fail instead when the run
    requires the browser (``JMDI_REQUIRE_BROWSER=1``, set by scripts/test.sh): CI never skips."""
    if os.environ.get("JMDI_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        _no_browser(f"{CHROMIUM} is missing: run scripts/setup.sh (it installs Debian's chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("Playwright for Python is missing: run scripts/setup.sh")

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()
