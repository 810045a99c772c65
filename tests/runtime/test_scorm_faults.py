"""Fault injection for the SCORM adapters (issue 9): learner progress survives LMS faults.

Real packages of the fixture course run in headless Chromium inside the scorm-again harness of
``tests/harness/`` (see ``test_scorm_runtime.py``). A fault layer sits between the SCO and the
harness's recording proxy: a refused call returns ``"false"`` (and an error code) without
reaching the LMS, a slow call blocks like a synchronous XHR. ``harness.calls`` therefore holds
what the LMS accepted, and ``stored_cmi`` what it would hand back at the next launch.

Every test checks that nothing the learner completed is lost and nothing is recorded twice.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from jmdi_scorm.build import BuildOptions, build
from jmdi_scorm.render import state_codec
from tests.runtime.test_scorm_runtime import (
    FORMAT_EDITION,
    MINIMAL,
    RIGHT,
    WHERE,
    Learner,
    Lms,
    check_clean,
    check_order,
    check_strict,
    serve_package,
    sets,
    site_root,  # noqa: F401 - a fixture used by the ones below
    stored_cmi,
)

FORMATS = ["scorm12", "scorm2004-4th"]
RETRY_MS = 15000  # jmdi-core.js: a refused save is tried again after this delay

# Installed in the LMS page right after harness.launch() exposed the API, before the SCO loads.
FAULTS = """() => {
  const name = window.API_1484_11 ? 'API_1484_11' : 'API';
  const inner = window[name], outer = {};
  const faults = window.faults = {refuse: [], delay: {}, log: []};
  let refused = false;
  Object.keys(inner).forEach(fn => {
    outer[fn] = function (...args) {
      const until = Date.now() + (faults.delay[fn] || faults.delay['*'] || 0);
      while (Date.now() < until) { /* a synchronous LMS call that takes its time */ }
      if (/GetLastError$/.test(fn) && refused) return name === 'API' ? '101' : '391';
      if (/GetLastError$|GetErrorString$|GetDiagnostic$/.test(fn)) return inner[fn](...args);
      const rule = faults.refuse.find(r => r.fn === fn && r.times !== 0 && (!r.element || new RegExp(r.element).test(args[0])));
      refused = !!rule;
      if (rule) {
        rule.times -= 1;  // negative: refuse for ever
        faults.log.push({fn, args, ret: 'false'});
        return 'false';
      }
      const ret = inner[fn](...args);
      faults.log.push({fn, args, ret});
      return ret;
    };
  });
  window[name] = outer;
}"""


class FaultyLms(Lms):
    """The harness with the fault layer; ``refuse`` and ``delay`` can change at any time."""

    def launch(self, edition: str, url: str, cmi: dict | None = None, refuse: list | None = None, **faults) -> None:
        self.page.evaluate(
            "([o, install, faults]) => { harness.launch(o); (new Function('return ' + install))()(); Object.assign(window.faults, faults); }",
            [{"edition": edition, "url": url, "cmi": cmi or {}}, FAULTS, {"refuse": refuse or [], **faults}],
        )
        self.page.wait_for_function(
            """url => { const w = document.getElementById('sco').contentWindow;
                const want = new URL(url, location.href).href.split(/[?#]/)[0];
                return w.location.href.split(/[?#]/)[0] === want && w.document.readyState === 'complete'; }""",
            arg=url,
        )

    def refuse(self, *rules: dict) -> None:
        self.page.evaluate("rules => { window.faults.refuse = rules; }", list(rules))

    def delay(self, delays: dict[str, int]) -> None:
        self.page.evaluate("d => { window.faults.delay = d; }", delays)

    def refused(self) -> list[dict]:
        return [c for c in self.page.evaluate("() => window.faults.log") if c["ret"] == "false"]


@pytest.fixture
def clocked_page(browser):
    """A tab whose timers the test can fast-forward (the core retries a refused save after 15 s)."""
    context = browser.new_context()
    tab = context.new_page()
    tab.clock.install()
    yield tab
    context.close()


@pytest.fixture
def lms(clocked_page, serve, site_root: Path) -> FaultyLms:  # noqa: F811 - site_root is the fixture
    return FaultyLms(clocked_page, serve(site_root))


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[str, Path]:
    """The fixture course as a SCORM 1.2 and a SCORM 2004 4th Edition package, unzipped."""
    out = tmp_path_factory.mktemp("faults")
    changes = {"pdf": False} if "pdf" in BuildOptions.__dataclass_fields__ else {}
    result = build(MINIMAL, BuildOptions(formats=tuple(FORMATS), out=out, **changes))  # type: ignore[arg-type]
    folders = {}
    for artifact in result.artifacts:
        folder = out / artifact.path.stem
        with zipfile.ZipFile(artifact.path) as archive:
            archive.extractall(folder)
        folders[artifact.format] = folder
    return folders


def setter(edition: str) -> str:
    return "LMSSetValue" if edition == "1.2" else "SetValue"


def fn(edition: str, name: str) -> str:
    """The API function ``name`` ("Initialize", "Commit", "SetValue"...) of the edition."""
    return ("LMS" + name.replace("Terminate", "Finish")) if edition == "1.2" else name


def progress(learner: Learner) -> dict:
    """The learner's pages and answers as the core holds them (location aside)."""
    state = learner.frame.evaluate("() => JMDI.snapshot().state")
    return {"pages": state["pages"], "answers": state["answers"]}


def decoded(learner: Learner, text: str) -> dict:
    """Pages and answers of a suspend_data text (state_codec: the same encoding as the core)."""
    state = state_codec.decode(text)
    assert state, text
    return {"pages": state["pages"], "answers": state["answers"]}


def alert(learner: Learner) -> str:
    return (learner.frame.text_content("#jmdi-alert") or "").strip()


def interactions(calls: list[dict], edition: str) -> dict[str, dict[str, str]]:
    """Each interaction as the LMS holds it, by id, from the accepted calls."""
    by_index: dict[str, dict[str, str]] = {}
    for element, value in sets(calls, setter(edition)):
        found = re.fullmatch(r"cmi\.interactions\.(\d+)\.(.+)", element)
        if found:
            by_index.setdefault(found.group(1), {})[found.group(2)] = value
    ids = [record.get("id") for record in by_index.values()]
    assert len(ids) == len(set(ids)), f"an interaction recorded twice: {ids}"
    return {record["id"]: record for record in by_index.values()}


def assert_lms_has(lms: FaultyLms, learner: Learner, edition: str, answered: list[str]) -> None:
    """What the LMS would hand back now holds everything the learner did, each answer once."""
    calls = lms.calls()
    seed = stored_cmi(calls, edition)
    assert decoded(learner, seed["cmi.suspend_data"]) == progress(learner)
    records = interactions(calls, edition)
    assert sorted(records) == sorted(answered)
    response = "student_response" if edition == "1.2" else "learner_response"
    for record in records.values():
        assert {"type", response, "result"} <= record.keys(), record


def start(lms: FaultyLms, packages, site_root: Path, fmt: str, **faults) -> Learner:  # noqa: F811
    lms.launch(FORMAT_EDITION[fmt], serve_package(site_root, packages[fmt]), **faults)
    learner = Learner(lms)
    learner.wait_page("home")
    return learner


# --- no LMS, or an LMS that will not start ----------------------------------------------------


class PageLearner(Learner):
    """A learner on a package opened on its own, outside any LMS."""

    def __init__(self, page) -> None:
        self.page = page

    @property
    def frame(self):
        return self.page.main_frame


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_api_runs_standalone_and_keeps_progress_locally(page, serve, packages, fmt: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(serve(packages[fmt]) + "index.html")
    learner = PageLearner(page)
    learner.wait_page("home")
    status = page.locator("#jmdi-status")
    assert "learning platform" in status.inner_text() and status.is_visible()
    learner.study("intro-01")
    learner.study("intro-02", {"intro-02.q1": ["wrong"]})
    done = progress(learner)
    page.reload()
    learner.wait_page("intro-02")
    assert progress(learner) == done  # kept in this browser across the reload
    assert "learning platform" in status.inner_text()
    learner.open("intro-01")
    assert page.is_checked("form[data-key='intro-01.q1'] input[value='a']")
    assert page.is_disabled("form[data-key='intro-01.q1'] input[value='a']")  # answered: locked
    assert errors == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_initialize_false_runs_standalone_and_touches_nothing_else(lms: FaultyLms, site_root, packages, fmt) -> None:  # noqa: F811
    edition = FORMAT_EDITION[fmt]
    refuse = [{"fn": fn(edition, "Initialize"), "times": -1}]
    learner = start(lms, packages, site_root, fmt, refuse=refuse)
    assert "learning platform" in (learner.frame.text_content("#jmdi-status") or "")
    learner.study("intro-01")
    done = progress(learner)
    learner.exit()
    # One refused Initialize, then not a single call: no values for an LMS that never started.
    assert [c["fn"] for c in lms.page.evaluate("() => window.faults.log")] == [fn(edition, "Initialize")]
    assert lms.calls() == []
    lms.launch(edition, serve_package(site_root, packages[fmt]), refuse=refuse)
    learner.wait_page("intro-01")
    assert progress(learner) == done  # kept in this browser for the next standalone launch
    assert not lms.errors


# --- refused values and commits -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_refused_value_reaches_the_lms_once_it_accepts_it(lms: FaultyLms, site_root, packages, fmt) -> None:  # noqa: F811
    edition = FORMAT_EDITION[fmt]
    learner = start(lms, packages, site_root, fmt)
    lms.refuse(
        {"fn": setter(edition), "element": r"^cmi\.suspend_data$", "times": -1},
        {
            "fn": setter(edition),
            "element": r"^cmi\.interactions\.0\.(result|student_response|learner_response)$",
            "times": 1,
        },
    )
    learner.study("intro-01")
    assert lms.refused(), "the fault was never hit"
    lms.page.clock.run_for(2000)  # past the commit gap: every save so far was refused
    save_failed = learner.frame.evaluate(
        "() => JSON.parse(document.getElementById('jmdi-config').textContent).strings.save_failed"
    )
    learner.frame.wait_for_function("t => document.querySelector('#jmdi-alert').textContent === t", arg=save_failed)
    lms.refuse()  # the LMS takes values again
    lms.page.clock.run_for(RETRY_MS + 1000)  # the core tries again on its own
    learner.frame.wait_for_function("() => !document.querySelector('#jmdi-alert').textContent")
    lms.page.clock.run_for(2000)  # past the commit gap
    assert_lms_has(lms, learner, edition, WHERE["intro-01"])
    learner.exit()
    calls = lms.calls()
    check_order(calls, edition)
    check_strict(calls, edition)
    assert_lms_has(lms, learner, edition, WHERE["intro-01"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_commit_fails_for_a_while_then_recovers(lms: FaultyLms, site_root, packages, fmt) -> None:  # noqa: F811
    edition = FORMAT_EDITION[fmt]
    learner = start(lms, packages, site_root, fmt)
    save_failed = learner.frame.evaluate(
        "() => JSON.parse(document.getElementById('jmdi-config').textContent).strings.save_failed"
    )
    lms.refuse({"fn": fn(edition, "Commit"), "times": -1})
    lms.page.clock.run_for(6000)
    learner.study("intro-01")
    lms.page.clock.run_for(6000)
    learner.study("intro-02")
    lms.page.clock.run_for(6000)
    learner.open("practice-01")
    assert alert(learner) == save_failed  # the learner is told while the LMS refuses
    committed_before = stored_cmi(lms.calls(), edition).get("cmi.suspend_data", "")
    assert decoded(learner, committed_before or "1~~") != progress(learner)  # nothing committed yet
    lms.refuse()  # the LMS is back
    lms.page.clock.run_for(RETRY_MS + 1000)
    learner.frame.wait_for_function("() => !document.querySelector('#jmdi-alert').textContent")
    lms.page.clock.run_for(6000)
    assert_lms_has(lms, learner, edition, WHERE["intro-01"] + WHERE["intro-02"])
    learner.exit()
    check_order(lms.calls(), edition)
    check_clean([c for c in lms.calls() if not c["fn"].endswith("Commit")])
    assert_lms_has(lms, learner, edition, WHERE["intro-01"] + WHERE["intro-02"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_intermittent_commit_failures(lms: FaultyLms, site_root, packages, fmt) -> None:  # noqa: F811
    """Every other commit fails: progress still reaches the LMS, answers recorded once each."""
    edition = FORMAT_EDITION[fmt]
    learner = start(lms, packages, site_root, fmt)
    for page_id in ("intro-01", "intro-02", "practice-01", "practice.assessment"):
        lms.refuse({"fn": fn(edition, "Commit"), "times": 1})
        learner.study(page_id)
        lms.page.clock.run_for(RETRY_MS + 6000)  # the answers' spaced-out commit, refused, then retried
    learner.open("summary")  # moving on saves the state with the last answer
    lms.page.clock.run_for(6000)
    learner.frame.wait_for_function("() => !document.querySelector('#jmdi-alert').textContent")
    assert len(lms.refused()) >= 2
    assert_lms_has(lms, learner, edition, sorted(RIGHT))
    learner.exit()
    values = dict(sets(lms.calls(), setter(edition)))
    status = values["cmi.core.lesson_status"] if edition == "1.2" else values["cmi.success_status"]
    assert status == "passed"
    assert_lms_has(lms, learner, edition, sorted(RIGHT))


# --- a slow LMS ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_slow_lms_loses_nothing(page, serve, site_root, packages, fmt) -> None:  # noqa: F811
    lms = FaultyLms(page, serve(site_root))
    edition = FORMAT_EDITION[fmt]
    learner = start(lms, packages, site_root, fmt)
    lms.delay({"*": 30, fn(edition, "Commit"): 800})  # every call 30 ms, a commit 0.8 s
    for page_id in ("intro-01", "intro-02", "practice-01", "practice.assessment"):
        learner.study(page_id)
    assert alert(learner) == ""
    learner.exit()
    calls = lms.calls()
    check_order(calls, edition)
    check_clean(calls)
    check_strict(calls, edition)
    assert_lms_has(lms, learner, edition, sorted(RIGHT))
    commits = [c for c in calls if c["fn"] == fn(edition, "Commit")]
    # An answer is committed at once (an LMS may end the session on its own beforeunload); page
    # changes are spaced out: about one commit per answer and per page change (4), plus the first
    # entry and a save that queued behind a slow commit.
    assert len(commits) <= len(RIGHT) + 4 + 2


# --- the page closes while a save is pending or failing ----------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_closing_with_a_commit_pending_loses_nothing(lms: FaultyLms, site_root, packages, fmt) -> None:  # noqa: F811
    edition = FORMAT_EDITION[fmt]
    url = serve_package(site_root, packages[fmt])
    learner = start(lms, packages, site_root, fmt)
    learner.study("intro-01")
    learner.study("intro-02")  # moved on within the 1 s commit gap: a commit is still pending
    done = progress(learner)
    lms.close()
    seed = stored_cmi(lms.calls(), edition)
    lms.launch(edition, url, cmi=seed)
    learner.wait_page("intro-02")
    assert progress(learner) == done
    interactions(lms.calls(), edition)


@pytest.mark.parametrize("fmt", FORMATS)
def test_closing_while_the_lms_refuses_to_save_loses_nothing(lms: FaultyLms, site_root, packages, fmt) -> None:  # noqa: F811
    """The LMS stops accepting anything, then the window closes: the last session's work is only
    in this browser. At the next launch it is merged back and sent to the LMS."""
    edition = FORMAT_EDITION[fmt]
    url = serve_package(site_root, packages[fmt])
    learner = start(lms, packages, site_root, fmt)
    learner.study("intro-01")
    lms.page.clock.run_for(RETRY_MS)
    lms.refuse(*({"fn": setter(edition), "times": -1}, {"fn": fn(edition, "Commit"), "times": -1},
                 {"fn": fn(edition, "Terminate"), "times": -1}))  # fmt: skip
    learner.study("intro-02")
    learner.study("practice-01")
    done = progress(learner)
    lms.close()
    seed = stored_cmi(lms.calls(), edition)
    assert decoded(learner, seed["cmi.suspend_data"]) != done  # the LMS missed the end of the session
    lms.launch(edition, url, cmi=seed)
    learner.wait_page("practice-01")
    assert progress(learner) == done  # merged back from this browser
    lms.page.clock.run_for(6000)
    learner.exit()
    final = stored_cmi(lms.calls(), edition)
    assert decoded(learner, final["cmi.suspend_data"]) == done  # and now the LMS has it
    interactions(lms.calls(), edition)  # none recorded twice
