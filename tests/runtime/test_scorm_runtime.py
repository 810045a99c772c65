"""SCORM run-time tests (docs/standards.md §3 and §5; test ids RT-xx: §11) in headless Chromium.

The LMS is scorm-again (npm, node_modules) behind the recording proxy of ``tests/harness/lms.js``;
it is lenient, so every recorded value is checked here against the strict formats itself.
Part 1 drives the adapters directly from a stand-in launch page; part 2 walks real packages.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from jmdi_scorm.render.runtime_files import adapter_script
from jmdi_scorm.source.question_kinds import KINDS
from jmdi_scorm.source.spec_limits import SUSPEND_DATA

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "tests" / "harness"
NODE_MODULES = ROOT / "node_modules"

# --- strict formats (docs/standards.md §3.3, §3.5, §5.3, §5.5, §9.1) ------------------------------

DECIMAL = r"-?\d{1,5}(\.\d{1,18})?"
TIMESPAN_12 = r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$"
DURATION_2004 = (
    r"^P(\d+Y)?(\d+M)?(\d+D)?(T((\d+H)(\d+M)?(\d+(\.\d{1,2})?S)?|(\d+M)(\d+(\.\d{1,2})?S)?|(\d+(\.\d{1,2})?S)))?$"
)
# Moodle's CMITime with our rule of exactly two fractional digits and a zone; years 1970-2038.
TIMESTAMP_2004 = r"^(19[7-9]\d|20[0-2]\d|203[0-8])-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{2}(Z|[+-]([01]\d|2[0-3])(:[0-5]\d)?)$"
ELEMENT_ID = r"^[A-Za-z0-9_.-]{1,64}$"
SHORT = r"[A-Za-z0-9_]+"
CHAR = r"[0-9a-z]"

STRICT_12 = {
    r"cmi\.core\.lesson_location": r"^[\x20-\x7e]{0,255}$",
    r"cmi\.core\.lesson_status": r"^(passed|completed|failed|incomplete|browsed)$",
    r"cmi\.core\.exit": r"^(time-out|suspend|logout|)$",
    r"cmi\.core\.session_time": TIMESPAN_12,
    r"cmi\.core\.score\.(raw|min|max)": r"^(100(\.0+)?|\d{1,2}(\.\d{1,2})?)$",
    r"cmi\.suspend_data": r"^[\x20-\x7e]{0,4096}$",
    r"cmi\.interactions\.\d+\.id": ELEMENT_ID,
    r"cmi\.interactions\.\d+\.type": r"^(true-false|choice|fill-in|matching|performance|sequencing|likert|numeric)$",
    r"cmi\.interactions\.\d+\.time": r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,2})?$",
    r"cmi\.interactions\.\d+\.weighting": rf"^{DECIMAL}$",
    r"cmi\.interactions\.\d+\.latency": TIMESPAN_12,
    r"cmi\.interactions\.\d+\.result": r"^(correct|wrong|unanticipated|neutral|\d+(\.\d+)?)$",
    r"cmi\.interactions\.\d+\.(student_response|correct_responses\.\d+\.pattern)": r"^.{0,255}$",
}
RESPONSES_12 = {
    "true-false": r"^[tf]$",
    "choice": rf"^{CHAR}(,{CHAR})*$",
    "sequencing": rf"^{CHAR}(,{CHAR})*$",
    "matching": rf"^{CHAR}\.{CHAR}(,{CHAR}\.{CHAR})*$",
    "fill-in": r"^[^\r\n]{0,255}$",
}

STRICT_2004 = {
    r"cmi\.location": r"^[\x20-\x7e]{0,1000}$",
    r"cmi\.completion_status": r"^(completed|incomplete)$",
    r"cmi\.success_status": r"^(passed|failed)$",
    r"cmi\.exit": r"^(suspend|normal)$",  # project rule: never "" or logout (§5.4)
    r"cmi\.session_time": DURATION_2004,
    r"cmi\.score\.scaled": r"^(-?0(\.\d{1,4})?|-?1(\.0+)?)$",
    r"cmi\.score\.(raw|min|max)": rf"^{DECIMAL}$",
    r"cmi\.progress_measure": r"^(0(\.\d{1,4})?|1(\.0+)?)$",
    r"cmi\.suspend_data": r"^[\x20-\x7e]{0,64000}$",
    r"adl\.nav\.request": r"^(continue|previous|exit|exitAll|suspendAll|\{target=[A-Za-z0-9_.-]+\}choice)$",
    r"cmi\.interactions\.\d+\.id": ELEMENT_ID,
    r"cmi\.interactions\.\d+\.type": r"^(true-false|choice|fill-in|long-fill-in|matching|performance|sequencing|likert|numeric|other)$",
    r"cmi\.interactions\.\d+\.timestamp": TIMESTAMP_2004,
    r"cmi\.interactions\.\d+\.weighting": rf"^{DECIMAL}$",
    r"cmi\.interactions\.\d+\.latency": DURATION_2004,
    r"cmi\.interactions\.\d+\.result": r"^(correct|incorrect|unanticipated|neutral|-?\d+(\.\d+)?)$",
    r"cmi\.interactions\.\d+\.description": r"^(\{lang=[a-z]{2,3}(-[A-Za-z0-9]{2,8})?\})?([^{\r\n][^\r\n]{0,249})?$",
    r"cmi\.interactions\.\d+\.(learner_response|correct_responses\.\d+\.pattern)": r"^[^\r\n]*$",
}
LANG = r"(\{lang=[a-z]{2,3}(-[A-Za-z0-9]{2,8})?\})?"
RESPONSES_2004 = {
    "true-false": r"^(true|false)$",
    "choice": rf"^{SHORT}(\[,\]{SHORT})*$",
    "sequencing": rf"^{SHORT}(\[,\]{SHORT})*$",
    "matching": rf"^{SHORT}\[\.\]{SHORT}(\[,\]{SHORT}\[\.\]{SHORT})*$",
    "fill-in": rf"^(\{{case_matters=(true|false)\}})?(\{{order_matters=(true|false)\}})?{LANG}([^{{\r\n][^\r\n]{{0,249}})?$",
}


def sets(calls: list[dict], fn: str) -> list[tuple[str, str]]:
    return [(c["args"][0], c["args"][1]) for c in calls if c["fn"] == fn]


def check_strict(calls: list[dict], edition: str, suspend_limit: int | None = None, seed: dict | None = None) -> None:
    """Every value the SCO set matches the edition's strict format (RT-05, RT-06, RT-12);
    ``seed`` holds the interactions of earlier launches (their types)."""
    table, responses, setter = (
        (STRICT_12, RESPONSES_12, "LMSSetValue") if edition == "1.2" else (STRICT_2004, RESPONSES_2004, "SetValue")
    )
    types = {k.split(".")[2]: v for k, v in (seed or {}).items() if re.fullmatch(r"cmi\.interactions\.\d+\.type", k)}
    for element, value in sets(calls, setter):
        patterns = [pattern for key, pattern in table.items() if re.fullmatch(key, element)]
        assert patterns, f"unexpected element {element}"
        assert re.match(patterns[0], value), f"{element} = {value!r} is not strict {edition}"
        if suspend_limit and element == "cmi.suspend_data":
            assert len(value) <= suspend_limit
        found = re.fullmatch(
            r"cmi\.interactions\.(\d+)\.(type|student_response|learner_response|correct_responses\.\d+\.pattern)",
            element,
        )
        if found and found.group(2) == "type":
            types[found.group(1)] = value
        elif found:
            assert re.match(responses[types[found.group(1)]], value), f"{element} = {value!r} ({types[found.group(1)]})"
    if edition == "2004":
        scores = dict(sets(calls, setter))
        if "cmi.score.raw" in scores:
            assert float(scores["cmi.score.min"]) <= float(scores["cmi.score.raw"]) <= float(scores["cmi.score.max"])


def check_order(calls: list[dict], edition: str) -> None:
    """RT-03 and RT-12: one initialize first, nothing after the one finish, interactions appended
    in order with id first and type before responses."""
    init, finish = ("LMSInitialize", "LMSFinish") if edition == "1.2" else ("Initialize", "Terminate")
    names = [c["fn"] for c in calls if "Error" not in c["fn"] and "Diagnostic" not in c["fn"]]
    assert names[0] == init and names.count(init) == 1
    assert names.count(finish) == 1 and names[-1] == finish
    setter = "LMSSetValue" if edition == "1.2" else "SetValue"
    counts = [c["ret"] for c in calls if c["fn"].endswith("GetValue") and c["args"] == ["cmi.interactions._count"]]
    stored = int(counts[0]) if counts and counts[0].isdigit() else 0  # records of earlier launches
    seen: dict[int, list[str]] = {}
    for element, _ in sets(calls, setter):
        found = re.fullmatch(r"cmi\.interactions\.(\d+)\.(.+)", element)
        if not found:
            continue
        index, field = int(found.group(1)), found.group(2)
        if index >= stored and index not in seen:
            assert index == stored + len([i for i in seen if i >= stored]), f"interaction {index} out of order"
            assert field == "id", f"interaction {index}: {field} before id"
        if field.startswith(("learner_response", "student_response", "correct_responses")) and index >= stored:
            assert "type" in seen.get(index, []), f"interaction {index}: {field} before type"
        seen.setdefault(index, []).append(field)


def check_clean(calls: list[dict]) -> None:
    """RT-04: no "false" and no error code on the happy path."""
    for call in calls:
        if call["fn"].endswith(("GetLastError", "GetErrorString", "GetDiagnostic")):
            continue
        assert call["ret"] != "false", call
        assert call["err"] in ("", "0"), call


def stored_cmi(calls: list[dict], edition: str) -> dict[str, str]:
    """What an LMS keeps for the next launch: every value set before the last commit or finish,
    with entry=resume after exit=suspend (§3.3, §5.4)."""
    setter, commits = (
        ("LMSSetValue", ("LMSCommit", "LMSFinish")) if edition == "1.2" else ("SetValue", ("Commit", "Terminate"))
    )
    last = max(i for i, c in enumerate(calls) if c["fn"] in commits and c["ret"] == "true")
    values: dict[str, str] = {}
    for call in calls[:last]:
        if call["fn"] == setter and call["ret"] == "true":
            values[call["args"][0]] = call["args"][1]
    keep = ("cmi.core.lesson_status", "cmi.core.lesson_location", "cmi.suspend_data", "cmi.core.score.raw")
    if edition == "2004":
        keep = (
            "cmi.completion_status",
            "cmi.success_status",
            "cmi.location",
            "cmi.suspend_data",
            "cmi.score.raw",
            "cmi.score.scaled",
        )
    seed = {key: values[key] for key in keep if key in values}
    # Interactions persist too (in the order they were written: id first).
    seed.update({key: value for key, value in values.items() if key.startswith("cmi.interactions.")})
    exit_key = "cmi.core.exit" if edition == "1.2" else "cmi.exit"
    seed["cmi.core.entry" if edition == "1.2" else "cmi.entry"] = "resume" if values.get(exit_key) == "suspend" else ""
    return seed


# --- the served site ------------------------------------------------------------------------


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    """A folder served on loopback: the harness and scorm-again's dist, linked in, and the SCORM
    adapters as packages ship them (jmdi-scorm-common.js joined in, spec limits written in)."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "harness").symlink_to(HARNESS)
    (root / "scorm-again").symlink_to(NODE_MODULES / "scorm-again" / "dist")
    (root / "runtime").mkdir()
    for name in ADAPTERS.values():
        (root / "runtime" / f"jmdi-{name}.js").write_bytes(adapter_script(name))
    return root


class Lms:
    """The harness page in a browser tab: launch a SCO, read the call log."""

    def __init__(self, page, base: str) -> None:
        self.page = page
        self.base = base
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.goto(base + "harness/lms.html")

    def launch(self, edition: str, url: str, cmi: dict | None = None, refuse: list | None = None) -> None:
        # The frame's current document is marked first: a relaunch of the same URL must not be
        # mistaken for the page it replaces (its scripts not run yet when the test drives it).
        self.page.evaluate("() => { document.getElementById('sco').contentWindow.jmdiStale = true; }")
        self.page.evaluate(
            "o => harness.launch(o)", {"edition": edition, "url": url, "cmi": cmi or {}, "refuse": refuse}
        )
        self.page.wait_for_function(
            """url => { const w = document.getElementById('sco').contentWindow;
                const want = new URL(url, location.href).href.split(/[?#]/)[0];
                return !w.jmdiStale && w.location.href.split(/[?#]/)[0] === want
                  && w.document.readyState === 'complete'; }""",
            arg=url,
        )

    @property
    def sco(self):
        return self.page.query_selector("#sco").content_frame()

    def calls(self) -> list[dict]:
        return self.page.evaluate("() => harness.calls")

    def close(self) -> None:
        self.page.evaluate("() => harness.close()")
        self.page.wait_for_function(
            "() => document.getElementById('sco').contentWindow.location.href === 'about:blank'"
        )


@pytest.fixture
def lms(page, serve, site_root: Path) -> Lms:
    return Lms(page, serve(site_root))


# --- part 1: the adapters, driven directly ---------------------------------------------------

ADAPTERS = {"1.2": "scorm12", "2004": "scorm2004"}


def snapshot(**changes: object) -> dict:
    value = {"stateText": "s1", "location": "intro-01", "completion": "incomplete", "success": "unknown",
             "score": None, "progress": 0.25, "sessionSeconds": 12.5}  # fmt: skip
    value.update(changes)
    return value


RECORDS = [
    {"id": "intro-01.q1", "type": "single", "response": ["a"], "correctResponse": ["a"], "result": "correct"},
    {"id": "intro-01.q2", "type": "multiple", "response": ["a", "c"], "correctResponse": ["a", "c"], "result": "correct"},
    {"id": "intro-01.q3", "type": "true-false", "response": ["false"], "correctResponse": ["true"], "result": "incorrect"},
    {"id": "intro-02.q1", "type": "fill-in", "response": ["Remittances"], "correctResponse": ["remittances", "remittance"], "result": "correct"},
    {"id": "practice-01.q1", "type": "matching", "response": ["1.b", "2.a"], "correctResponse": ["1.a", "2.b"], "result": "incorrect"},
    {"id": "practice-01.q2", "type": "ordering", "response": ["b", "a", "c", "d"], "correctResponse": ["a", "b", "c", "d"], "result": "incorrect"},
]  # fmt: skip
# What the core adds to each record from the question data (source/question_kinds.py).
for _record in RECORDS:
    _kind = KINDS[_record["type"]]
    _record.update(interactionType=_kind.interaction, interactionType12=_kind.scorm12, encoding=_kind.encoding)

DRIVE = """async ([name, steps]) => {
  const adapter = window.JMDI.adapters[name]({lang: 'en', strings: {lms_unavailable: 'no-lms'}});
  const out = {};
  for (const [op, arg] of steps) {
    if (op === 'record') { adapter.interaction(Object.assign({recorded: true, timestamp: new Date(), latencySeconds: 3.25,
      description: 'A question'}, arg)); continue; }
    // "save~": not awaited, like a core that moves on while a throttled commit waits
    if (op.endsWith('~')) { adapter[op.slice(0, -1)](arg); continue; }
    out[op] = await adapter[op](arg);
  }
  return out;
}"""


def drive(lms: Lms, edition: str, steps: list, cmi: dict | None = None, refuse: list | None = None) -> dict:
    lms.launch(edition, "sco.html", cmi, refuse)
    return lms.sco.evaluate(DRIVE, [ADAPTERS[edition], steps])


PASSED = snapshot(
    completion="completed", success="passed", score={"raw": 9, "min": 0, "max": 10, "scaled": 0.9}, progress=1
)
FAILED = snapshot(
    completion="completed", success="failed", score={"raw": 5, "min": 0, "max": 10, "scaled": 0.5}, progress=1
)


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_a_full_session_is_strict_and_ordered(lms: Lms, edition: str) -> None:
    steps = [("start", None), ("save~", snapshot())] + [("record", r) for r in RECORDS]
    steps += [("save", PASSED), ("finish", PASSED)]
    result = drive(lms, edition, steps)
    calls = lms.calls()
    assert result["start"]["mode"] == "normal" and result["start"]["state"] is None
    assert result["save"] is True
    check_order(calls, edition)
    check_clean(calls)
    check_strict(calls, edition)
    values = dict(sets(calls, "LMSSetValue" if edition == "1.2" else "SetValue"))
    if edition == "1.2":
        assert values["cmi.core.lesson_status"] == "passed" and values["cmi.core.score.raw"] == "90"
        assert values["cmi.core.exit"] == "" and values["cmi.core.session_time"] == "0000:00:12.50"
        assert values["cmi.interactions.4.student_response"] == "1.b,2.a"
        assert values["cmi.interactions.2.student_response"] == "f"
    else:
        assert values["cmi.completion_status"] == "completed" and values["cmi.success_status"] == "passed"
        assert (values["cmi.score.scaled"], values["cmi.score.raw"], values["cmi.score.max"]) == ("0.9", "90", "100")
        assert values["cmi.exit"] == "normal" and values["cmi.session_time"] == "PT12.5S"
        assert values["adl.nav.request"] == "exitAll"
        assert values["cmi.interactions.4.learner_response"] == "1[.]b[,]2[.]a"
        assert values["cmi.interactions.3.learner_response"] == "{lang=en}Remittances"
    assert not lms.errors


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_first_entry_is_incomplete_suspended_and_committed_at_once(lms: Lms, edition: str) -> None:
    """exit=suspend from the start: an LMS that ends the session itself (on its own page's
    beforeunload) still resumes the learner where they were."""
    drive(lms, edition, [("start", None)])
    calls = [c for c in lms.calls() if c["fn"] in ("LMSSetValue", "SetValue", "LMSCommit", "Commit")]
    status, exit_ = (
        ("cmi.core.lesson_status", "cmi.core.exit") if edition == "1.2" else ("cmi.completion_status", "cmi.exit")
    )
    assert calls[0]["args"] == [status, "incomplete"]
    assert calls[1]["args"] == [exit_, "suspend"]
    assert calls[2]["fn"].endswith("Commit")


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_finish_is_the_only_save_at_the_end(lms: Lms, edition: str) -> None:
    """Finish/Terminate stores what was set: no Commit in the final sequence, and a commit still
    waiting for its turn never runs after it (Moodle saves each by beacon while the page closes,
    and refuses the second one past Chromium's 64 KiB quota)."""
    steps = [("start", None), ("save", snapshot()), ("save~", snapshot(stateText="s2"))]
    steps += [("finish", snapshot(stateText="s2", sessionSeconds=14))]
    drive(lms, edition, steps)
    lms.sco.wait_for_timeout(1500)  # longer than the commit gap: a leftover commit would show
    calls = lms.calls()
    names = [c["fn"] for c in calls if c["fn"] in ("LMSCommit", "Commit", "LMSFinish", "Terminate")]
    assert names[-1] in ("LMSFinish", "Terminate") and names[-2:-1] != [names[-1]]
    last_commit = max(i for i, c in enumerate(calls) if c["fn"] in ("LMSCommit", "Commit"))
    after = [c for c in calls[last_commit:] if c["fn"] in ("LMSSetValue", "SetValue")]
    assert ["cmi.suspend_data", "s2"] in [c["args"] for c in after]  # s2 goes with the finish, not a commit
    check_order(calls, edition)
    check_clean(calls)


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_failing_run_reports_failed_with_its_score(lms: Lms, edition: str) -> None:
    drive(lms, edition, [("start", None), ("save", FAILED), ("finish", FAILED)])
    calls = lms.calls()
    check_strict(calls, edition)
    values = dict(sets(calls, "LMSSetValue" if edition == "1.2" else "SetValue"))
    if edition == "1.2":
        assert values["cmi.core.lesson_status"] == "failed" and values["cmi.core.score.raw"] == "50"
    else:
        assert values["cmi.success_status"] == "failed" and values["cmi.score.scaled"] == "0.5"


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_unfinished_course_suspends_without_a_score(lms: Lms, edition: str) -> None:
    partial = snapshot(success="passed", score={"raw": 9, "min": 0, "max": 10, "scaled": 0.9})
    drive(lms, edition, [("start", None), ("save~", partial), ("finish", partial)])
    values = dict(sets(lms.calls(), "LMSSetValue" if edition == "1.2" else "SetValue"))
    if edition == "1.2":
        # A raw score with a mastery score lets Moodle recompute the status (§9.1): none yet.
        assert values["cmi.core.lesson_status"] == "incomplete" and "cmi.core.score.raw" not in values
        assert values["cmi.core.exit"] == "suspend"
    else:
        assert values["cmi.completion_status"] == "incomplete" and values["cmi.exit"] == "suspend"
        assert values["adl.nav.request"] == "suspendAll"
        assert values["cmi.progress_measure"] == "0.25"


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_terminate_runs_once(lms: Lms, edition: str) -> None:
    drive(lms, edition, [("start", None), ("save~", snapshot()), ("finish", snapshot()), ("finish", snapshot())])
    lms.close()
    names = [c["fn"] for c in lms.calls()]
    assert names.count("LMSFinish" if edition == "1.2" else "Terminate") == 1
    check_order(lms.calls(), edition)


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_closing_the_page_runs_the_final_sequence(lms: Lms, edition: str) -> None:
    drive(lms, edition, [("start", None), ("save~", snapshot(stateText="last-state"))])
    lms.close()
    calls = lms.calls()
    check_order(calls, edition)
    values = dict(sets(calls, "LMSSetValue" if edition == "1.2" else "SetValue"))
    assert values["cmi.suspend_data"] == "last-state"
    assert values["cmi.core.exit" if edition == "1.2" else "cmi.exit"] == "suspend"
    # The page was dismissed by the LMS: no navigation request of the SCO's own (§5.4).
    assert "adl.nav.request" not in values


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_refused_commit_resolves_save_false(lms: Lms, edition: str) -> None:
    commit = "LMSCommit" if edition == "1.2" else "Commit"
    result = drive(lms, edition, [("start", None), ("save", PASSED)], refuse=[commit, None])
    assert result["save"] is False


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_refused_value_resolves_save_false(lms: Lms, edition: str) -> None:
    result = drive(lms, edition, [("start", None), ("save", snapshot(stateText="x" * 70000)), ("finish", None)])
    assert result["save"] is False
    values = dict(sets(lms.calls(), "LMSSetValue" if edition == "1.2" else "SetValue"))
    assert "cmi.suspend_data" not in values  # never sent over the limit


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_resume_returns_the_stored_state(lms: Lms, edition: str) -> None:
    left = snapshot(stateText="abc", location="intro-02")
    drive(lms, edition, [("start", None), ("save~", left), ("finish", left)])
    seed = stored_cmi(lms.calls(), edition)
    result = drive(lms, edition, [("start", None)], cmi=seed)
    assert result["start"]["state"] == "abc"
    check_clean(lms.calls())


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_no_downgrade_after_passed(lms: Lms, edition: str) -> None:
    seed = {"cmi.core.lesson_status": "passed", "cmi.core.entry": ""} if edition == "1.2" else {
        "cmi.completion_status": "completed", "cmi.success_status": "passed", "cmi.entry": ""}  # fmt: skip
    drive(lms, edition, [("start", None), ("save~", FAILED), ("save~", snapshot()), ("finish", snapshot())], cmi=seed)
    values = dict(sets(lms.calls(), "LMSSetValue" if edition == "1.2" else "SetValue"))
    for element in ("cmi.core.lesson_status", "cmi.completion_status", "cmi.success_status", "cmi.core.score.raw"):
        assert element not in values
    assert values.get("cmi.core.exit", values.get("cmi.exit")) in ("", "normal")


@pytest.mark.parametrize("edition", ["1.2", "2004"])
@pytest.mark.parametrize("mode", ["browse", "review"])
def test_browse_and_review_write_no_status(lms: Lms, edition: str, mode: str) -> None:
    seed = {"cmi.core.lesson_mode": mode} if edition == "1.2" else {"cmi.mode": mode}
    steps = [("start", None), ("save~", PASSED)] + [("record", r) for r in RECORDS] + [("finish", PASSED)]
    result = drive(lms, edition, steps, cmi=seed)
    assert result["start"]["mode"] == mode
    values = dict(sets(lms.calls(), "LMSSetValue" if edition == "1.2" else "SetValue"))
    assert not [key for key in values if "interactions" in key or "score" in key]
    statuses = {values.get(k) for k in ("cmi.core.lesson_status", "cmi.completion_status", "cmi.success_status")} - {
        None
    }
    assert statuses <= ({"browsed"} if edition == "1.2" and mode == "browse" else set())


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_a_question_answered_twice_keeps_one_interaction(lms: Lms, edition: str) -> None:
    wrong = dict(RECORDS[0], response=["b"], result="incorrect")
    drive(lms, edition, [("start", None), ("record", wrong), ("record", RECORDS[0]), ("finish", PASSED)])
    calls = lms.calls()
    check_clean(calls)
    values = sets(calls, "LMSSetValue" if edition == "1.2" else "SetValue")
    assert [v for k, v in values if k.endswith(".id")] == ["intro-01.q1"]
    result = [v for k, v in values if k == "cmi.interactions.0.result"]
    assert result == (["wrong", "correct"] if edition == "1.2" else ["incorrect", "correct"])


NO_COUNT = """() => { // an LMS whose cmi.interactions._count is "" (a lenient LMS seen in production)
  const api = window.API || window.API_1484_11, name = window.API ? 'LMSGetValue' : 'GetValue';
  const get = api[name];
  api[name] = element => element === 'cmi.interactions._count' ? '' : get(element);
}"""


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_without_a_count_each_try_is_a_new_record_after_the_earlier_ones(lms: Lms, edition: str) -> None:
    """_count "" must not restart the records at 0 (each session overwrote the last one's): the
    index comes from the tries the learner state holds on recorded questions, one record a try."""
    lms.launch(edition, "sco.html", {})
    lms.page.evaluate(NO_COUNT)
    wrong = dict(RECORDS[0], response=["b"], result="incorrect")
    steps = [("start", None), ("restored", 2), ("record", wrong), ("record", RECORDS[0]), ("record", RECORDS[1])]
    lms.sco.evaluate(DRIVE, [ADAPTERS[edition], steps])
    setter = "LMSSetValue" if edition == "1.2" else "SetValue"
    ids = [(c["args"][0], c["args"][1]) for c in lms.calls() if c["fn"] == setter and c["args"][0].endswith(".id")]
    assert ids == [
        ("cmi.interactions.2.id", "intro-01.q1"),
        ("cmi.interactions.3.id", "intro-01.q1"),
        ("cmi.interactions.4.id", "intro-01.q2"),
    ]


def test_only_recorded_answers_get_a_record(lms: Lms) -> None:
    """tracking.interactions: the core marks each answer; an unrecorded one sets nothing."""
    steps = [("start", None), ("record", dict(RECORDS[0], recorded=False)), ("record", RECORDS[1])]
    drive(lms, "1.2", steps)
    ids = [c["args"][1] for c in lms.calls() if c["fn"] == "LMSSetValue" and c["args"][0].endswith(".id")]
    assert ids == ["intro-01.q2"]


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_commits_are_throttled_except_status_changes(lms: Lms, edition: str) -> None:
    pages = [("save~", snapshot(location=f"intro-0{i}", stateText=f"s{i}")) for i in range(1, 4)]
    result = drive(lms, edition, [("start", None), *pages, ("save", PASSED)])
    calls = lms.calls()
    # One commit for the first entry, none for three page changes within 1 s, one for the status.
    assert [c["fn"] for c in calls].count("LMSCommit" if edition == "1.2" else "Commit") == 2
    assert result["save"] is True
    setter = "LMSSetValue" if edition == "1.2" else "SetValue"
    page = ("cmi.core.lesson_location", "cmi.location", "cmi.suspend_data")
    page_sets = [c for c in calls if c["fn"] == setter and c["args"][0] in page]
    assert len(page_sets) == 2 * 4  # location + suspend data per page change, nothing else


FORMATS = """() => {
  const a = window.JMDIScorm12, b = window.JMDIScorm2004;
  return {
    timespan: [0, 0.004, 12.5, 61.126, 3600, 360000.5, 1e9].map(a.timespan),
    duration: [0, 0.004, 12.5, 61.126, 3600, 3661.5, 90061].map(b.duration),
    timestamp: b.timestamp(new Date(Date.UTC(2026, 10, 28, 1, 2, 3, 456))),
    timeOfDay: a.timeOfDay(new Date(2026, 0, 1, 9, 5, 7)),
  };
}"""


def test_time_formatters(lms: Lms) -> None:
    lms.launch("1.2", "sco.html")
    out = lms.sco.evaluate(FORMATS)
    assert out["timespan"] == ["0000:00:00.00", "0000:00:00.00", "0000:00:12.50", "0000:01:01.13",
                               "0001:00:00.00", "0100:00:00.50", "9999:59:59.99"]  # fmt: skip
    assert out["duration"] == ["PT0S", "PT0S", "PT12.5S", "PT1M1.13S", "PT1H", "PT1H1M1.5S", "PT25H1M1S"]
    assert out["timestamp"] == "2026-11-28T01:02:03.45Z"
    assert out["timeOfDay"] == "09:05:07"
    for value in out["timespan"]:
        assert re.match(TIMESPAN_12, value)
    for value in out["duration"]:
        assert re.match(DURATION_2004, value)
    assert re.match(TIMESTAMP_2004, out["timestamp"])


# --- API discovery (RT-01, RT-02) -----------------------------------------------------------


def _frame(page, path: str):
    """The frame whose URL path ends with ``path``, once its scripts have run."""
    for _ in range(100):
        for frame in page.frames:
            if urlsplit(frame.url).path.endswith(path) and frame.evaluate("() => document.readyState") == "complete":
                return frame
        page.wait_for_timeout(50)
    raise AssertionError(f"no frame {path}")


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_discovery_through_three_frames(lms: Lms, edition: str) -> None:
    lms.page.evaluate("o => harness.launch(o)", {"edition": edition, "url": "nest.html?n=3&url=sco.html"})
    sco = _frame(lms.page, "/sco.html")
    assert sco.parent_frame.parent_frame.parent_frame.parent_frame == lms.page.main_frame
    result = sco.evaluate(DRIVE, [ADAPTERS[edition], [("start", None), ("finish", snapshot())]])
    assert result["start"].get("notice") is None
    check_order(lms.calls(), edition)


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_discovery_across_a_cross_origin_frame(lms: Lms, serve, site_root: Path, edition: str) -> None:
    other = serve(site_root)  # another port: another origin
    url = f"{other}harness/nest.html?n=1&url={lms.base}harness/sco.html"
    lms.page.evaluate("o => harness.launch(o)", {"edition": edition, "url": url})
    sco = _frame(lms.page, "/sco.html")
    result = sco.evaluate(DRIVE, [ADAPTERS[edition], [("start", None), ("finish", snapshot())]])
    assert result["start"].get("notice") is None
    check_order(lms.calls(), edition)
    assert not lms.errors


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_discovery_through_the_opener(lms: Lms, edition: str) -> None:
    lms.page.evaluate("o => harness.launch(o)", {"edition": edition, "url": "about:blank"})
    with lms.page.expect_popup() as popup:
        lms.page.evaluate("() => window.open('sco.html', 'sco')")
    window = popup.value
    window.wait_for_load_state()
    result = window.evaluate(DRIVE, [ADAPTERS[edition], [("start", None), ("finish", snapshot())]])
    assert result["start"].get("notice") is None
    check_order(lms.calls(), edition)


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_no_lms_means_untracked_mode(page, serve, site_root: Path, edition: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(serve(site_root) + "harness/sco.html")
    result = page.evaluate(DRIVE, [ADAPTERS[edition], [("start", None), ("save", PASSED), ("finish", PASSED)]])
    assert result["start"]["notice"] == "no-lms" and result["start"]["state"] is None
    assert result["save"] is True and not errors


def test_a_2004_package_never_uses_the_12_api(lms: Lms) -> None:
    lms.launch("1.2", "sco.html")
    result = lms.sco.evaluate(DRIVE, ["scorm2004", [("start", None)]])
    assert result["start"]["notice"] == "no-lms" and lms.calls() == []


def test_a_2004_api_that_is_the_12_object_means_untracked_mode(lms: Lms) -> None:
    """An LMS seen in production hands its 1.2 object out as API_1484_11 (no Initialize): the
    package runs untracked with the notice instead of failing on every call."""
    lms.launch("1.2", "sco.html")
    lms.page.evaluate("() => { window.API_1484_11 = window.API; }")
    result = lms.sco.evaluate(DRIVE, ["scorm2004", [("start", None)]])
    assert result["start"]["notice"] == "no-lms" and result["start"]["offline"] is True
    assert lms.calls() == []


# --- part 2: real packages of the fixture course, walked as a learner -----------------------

MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
FORMAT_EDITION = {"scorm12": "1.2", "scorm2004-3rd": "2004", "scorm2004-4th": "2004"}
SUSPEND = {  # cmi.suspend_data
    "scorm12": SUSPEND_DATA["1.2"],
    "scorm2004-3rd": SUSPEND_DATA["2004-3"],
    "scorm2004-4th": SUSPEND_DATA["2004-4"],
}
RIGHT = {
    "intro-01.q1": "a",
    "intro-01.q2": "ac",
    "intro-01.q3": "t",
    "intro-02.q1": "Remittances",
    "practice-01.q1": "ab",
    "practice-01.q2": "abcd",
    "practice.assessment.a1": "t",
}
WHERE = {"intro-01": ["intro-01.q1", "intro-01.q2", "intro-01.q3"], "intro-02": ["intro-02.q1"],
         "practice-01": ["practice-01.q1", "practice-01.q2"], "practice.assessment": ["practice.assessment.a1"]}  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory, warm_pdf_cache: Path) -> dict[str, Path]:
    """The fixture course built once per format and layout, unzipped."""
    import zipfile

    from jmdi_scorm import build as build_module
    from tests.support.build_cache import cache_copy

    cache = cache_copy(warm_pdf_cache, tmp_path_factory.mktemp("cache") / "cache")
    folders = {}
    for fmt in FORMAT_EDITION:
        for split, sco in ((None, "course"), ("module", "course"), (None, "topic")):
            out = tmp_path_factory.mktemp(f"{fmt}-{split}-{sco}")
            options = build_module.BuildOptions(formats=(fmt,), out=out, split=split, sco=sco, cache=cache)
            result = build_module.build(MINIMAL, options)
            for artifact in result.artifacts:
                folder = out / artifact.path.stem
                zipfile.ZipFile(artifact.path).extractall(folder)
                folders[f"{fmt}/{split}/{sco}/{artifact.scope.module or 'course'}"] = folder
    return folders


class Learner:
    """A learner in the SCO frame of the harness: opens pages, answers, leaves."""

    def __init__(self, lms: Lms) -> None:
        self.lms = lms

    @property
    def frame(self):
        return self.lms.sco

    def wait_page(self, page_id: str) -> None:
        """Wait until ``page_id`` shows, the adapter's session started (the first page shows before)."""
        self.frame.wait_for_function(
            "id => document.querySelector('#jmdi-page').getAttribute('data-page') === id"
            " && document.body.hasAttribute('data-jmdi-session')",
            arg=page_id,
        )

    def open(self, page_id: str) -> None:
        self.frame.evaluate("id => { location.hash = '#/' + id; }", page_id)
        self.wait_page(page_id)

    def answer(self, key: str, value: str) -> str:
        form = f"form[data-key='{key}']"
        kind = self.frame.get_attribute(form, "class")
        if "true-false" in kind or "single" in kind or "multiple" in kind:
            for box in self.frame.query_selector_all(f"{form} input"):
                box.set_checked(box.get_attribute("value") in value)
        elif "fill-in" in kind:
            self.frame.fill(f"{form} input[type=text]", value)
        elif "matching" in kind:
            for index, letter in enumerate(value, start=1):
                self.frame.select_option(f"{form} select[data-left='{index}']", letter)
        else:
            self.frame.eval_on_selector(
                f"{form} .jmdi-order",
                "(list, order) => order.split('').forEach(id => list.appendChild(list.querySelector(`li[data-item=\"${id}\"]`)))",
                value,
            )
        before = self.frame.text_content(f"{form} .jmdi-feedback") or ""
        self.frame.press(f"{form} button[type=submit]", "Enter")  # keyboard: no misclick after a layout shift
        self.frame.wait_for_function(
            "([f, b]) => document.querySelector(f + ' .jmdi-feedback').textContent !== b", arg=[form, before]
        )
        return self.frame.text_content(f"{form} .jmdi-feedback") or ""

    def study(self, page_id: str, answers: dict[str, list[str]] | None = None) -> None:
        """Open a page and answer its questions right, or with the given tries."""
        self.open(page_id)
        for key in WHERE.get(page_id, []):
            for value in (answers or {}).get(key, [RIGHT[key]]):
                self.answer(key, value)

    def exit(self) -> None:
        self.frame.press("button[data-jmdi-action=exit]", "Enter")
        self.frame.wait_for_function(
            "() => !document.querySelector('.jmdi-exit') || document.querySelector('.jmdi-exit').hidden"
        )


def serve_package(site_root: Path, folder: Path) -> str:
    link = site_root / f"pkg-{len(list(site_root.iterdir()))}"
    link.symlink_to(folder)
    return f"../{link.name}/index.html"


def final_values(lms: Lms, fmt: str) -> dict[str, str]:
    calls = lms.calls()
    edition = FORMAT_EDITION[fmt]
    check_order(calls, edition)
    check_clean(calls)
    check_strict(calls, edition, SUSPEND[fmt])
    return dict(sets(calls, "LMSSetValue" if edition == "1.2" else "SetValue"))


@pytest.mark.parametrize("fmt", list(FORMAT_EDITION))
def test_passing_run(lms: Lms, site_root: Path, built, fmt: str) -> None:
    url = serve_package(site_root, built[f"{fmt}/None/course/course"])
    lms.launch(FORMAT_EDITION[fmt], url)
    learner = Learner(lms)
    learner.wait_page("home")
    for page_id in ("intro-01", "intro-02", "practice-01", "practice.assessment", "summary"):
        learner.study(page_id)
    learner.exit()
    values = final_values(lms, fmt)
    ids = sorted(v for k, v in values.items() if re.fullmatch(r"cmi\.interactions\.\d+\.id", k))
    assert ids == sorted(RIGHT)
    results = {v for k, v in values.items() if k.endswith(".result")}
    assert results == {"correct"}
    if fmt == "scorm12":
        assert values["cmi.core.lesson_status"] == "passed" and values["cmi.core.score.raw"] == "100"
        assert values["cmi.core.exit"] == ""
    else:
        assert (values["cmi.completion_status"], values["cmi.success_status"]) == ("completed", "passed")
        assert (values["cmi.score.scaled"], values["cmi.score.raw"], values["cmi.progress_measure"]) == (
            "1",
            "100",
            "1",
        )
        assert values["cmi.exit"] == "normal" and values["adl.nav.request"] == "exitAll"
    assert not lms.errors


@pytest.mark.parametrize("fmt", list(FORMAT_EDITION))
def test_failing_run(lms: Lms, site_root: Path, built, fmt: str) -> None:
    url = serve_package(site_root, built[f"{fmt}/None/course/course"])
    lms.launch(FORMAT_EDITION[fmt], url)
    learner = Learner(lms)
    learner.wait_page("home")
    wrong = {"intro-01.q2": ["ab", "b"], "practice-01.q2": ["dcba", "bacd"]}  # two tries each, both wrong
    for page_id in ("intro-01", "intro-02", "practice-01", "practice.assessment"):
        learner.study(page_id, wrong)
    learner.exit()
    values = final_values(lms, fmt)
    # 5 of 7 points (71.43 %) is below the 80 % mastery score.
    if fmt == "scorm12":
        assert values["cmi.core.lesson_status"] == "failed" and values["cmi.core.score.raw"] == "71.43"
        assert values["cmi.interactions.1.student_response"] == "b"
        assert values["cmi.interactions.1.result"] == "wrong"
    else:
        assert (values["cmi.completion_status"], values["cmi.success_status"]) == ("completed", "failed")
        assert values["cmi.score.scaled"] == "0.7143" and values["cmi.score.raw"] == "71.43"
        assert values["cmi.interactions.1.learner_response"] == "b"
    ids = [v for k, v in sets(lms.calls(), "LMSSetValue" if fmt == "scorm12" else "SetValue") if k.endswith(".id")]
    assert len(ids) == len(set(ids)) == 7  # answered twice, recorded once


@pytest.mark.parametrize("fmt", list(FORMAT_EDITION))
def test_close_and_resume(lms: Lms, site_root: Path, built, fmt: str) -> None:
    edition = FORMAT_EDITION[fmt]
    url = serve_package(site_root, built[f"{fmt}/None/course/course"])
    lms.launch(edition, url)
    learner = Learner(lms)
    learner.wait_page("home")
    learner.study("intro-01", {"intro-01.q2": ["ab"]})  # one wrong try left open
    learner.open("intro-02")
    learner.frame.fill("form[data-key='intro-02.q1'] input[type=text]", "typed, not submitted")
    expected = learner.frame.evaluate("() => JMDI.snapshot().stateText")
    lms.close()
    first = lms.calls()
    check_order(first, edition)
    check_clean(first)
    seed = stored_cmi(first, edition)
    assert seed["cmi.suspend_data"] == expected  # nothing set after the close is lost
    assert seed["cmi.core.entry" if edition == "1.2" else "cmi.entry"] == "resume"

    lms.launch(edition, url, cmi=seed)
    learner.wait_page("intro-02")
    learner.open("intro-01")
    form = "form[data-key='intro-01.q1']"
    assert learner.frame.is_checked(f"{form} input[value='a']")
    assert learner.frame.is_disabled(f"{form} input[value='a']")
    q2 = "form[data-key='intro-01.q2']"
    assert learner.frame.is_checked(f"{q2} input[value='a']") and learner.frame.is_checked(f"{q2} input[value='b']")
    assert learner.answer("intro-01.q2", "ac").startswith("Correct")
    lms.close()
    second = lms.calls()
    check_order(second, edition)
    check_clean(second)
    check_strict(second, edition, SUSPEND[fmt], seed)
    values = dict(sets(second, "LMSSetValue" if edition == "1.2" else "SetValue"))
    # The resumed attempt updates the question's record instead of adding a second id.
    assert not [k for k, v in values.items() if k.endswith(".id")] or edition == "1.2"
    assert "cmi.core.lesson_status" not in values and values.get("cmi.completion_status") is None


@pytest.mark.parametrize("fmt", list(FORMAT_EDITION))
def test_one_sco_per_topic(lms: Lms, site_root: Path, built, fmt: str) -> None:
    folder = built[f"{fmt}/None/topic/course"]
    edition = FORMAT_EDITION[fmt]
    lms.launch(edition, serve_package(site_root, folder) + "?sco=intro-02")
    learner = Learner(lms)
    learner.wait_page("intro-02")
    learner.study("intro-02")
    learner.exit()
    values = final_values(lms, fmt)
    if edition == "1.2":
        assert values["cmi.core.lesson_status"] == "passed" and values["cmi.core.score.raw"] == "100"
    else:
        assert (values["cmi.completion_status"], values["cmi.success_status"]) == ("completed", "passed")
    assert [v for k, v in values.items() if k.endswith(".id")] == ["intro-02.q1"]
    if edition == "2004":
        # RT-11: a SCO of several moves on in flow only when the LMS says continue is valid.
        asked = [c for c in lms.calls() if c["args"][:1] == ["adl.nav.request_valid.continue"]]
        assert asked and values["adl.nav.request"] == ("continue" if asked[0]["ret"] == "true" else "exit")


@pytest.mark.parametrize("fmt", list(FORMAT_EDITION))
def test_one_package_per_module(lms: Lms, site_root: Path, built, fmt: str) -> None:
    edition = FORMAT_EDITION[fmt]
    lms.launch(edition, serve_package(site_root, built[f"{fmt}/module/course/practice"]))
    learner = Learner(lms)
    learner.wait_page("home")
    # The matching right at the second try, the ordering wrong twice (two different answers: the
    # same one again counts no try).
    learner.study("practice-01", {"practice-01.q1": ["ba", "ab"], "practice-01.q2": ["dcba", "bacd"]})
    learner.study("practice.assessment")
    learner.exit()
    values = final_values(lms, fmt)
    # 2 of 3 points (66.67 %) in this module fails the 80 % mastery score.
    if edition == "1.2":
        assert values["cmi.core.lesson_status"] == "failed" and values["cmi.core.score.raw"] == "66.67"
        assert values["cmi.interactions.0.student_response"] == "1.a,2.b"
    else:
        assert values["cmi.success_status"] == "failed" and values["cmi.score.raw"] == "66.67"
        assert values["cmi.interactions.0.learner_response"] == "1[.]a[,]2[.]b"


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004-4th"])
def test_review_mode_writes_nothing(lms: Lms, site_root: Path, built, fmt: str) -> None:
    edition = FORMAT_EDITION[fmt]
    url = serve_package(site_root, built[f"{fmt}/None/course/course"])
    seed = {"cmi.core.lesson_mode": "review", "cmi.core.lesson_status": "passed"} if edition == "1.2" else {
        "cmi.mode": "review", "cmi.completion_status": "completed", "cmi.success_status": "passed"}  # fmt: skip
    lms.launch(edition, url, cmi=seed)
    learner = Learner(lms)
    learner.wait_page("home")
    learner.open("intro-01")
    learner.exit()
    setter = "LMSSetValue" if edition == "1.2" else "SetValue"
    assert [k for k, _ in sets(lms.calls(), setter)] == [
        "cmi.core.session_time" if edition == "1.2" else "cmi.session_time",
        *([] if edition == "1.2" else ["adl.nav.request"]),
    ]


@pytest.mark.parametrize("fmt", list(FORMAT_EDITION))
def test_exit_mid_course_suspends(lms: Lms, site_root: Path, built, fmt: str) -> None:
    lms.launch(FORMAT_EDITION[fmt], serve_package(site_root, built[f"{fmt}/None/course/course"]))
    learner = Learner(lms)
    learner.wait_page("home")
    learner.study("intro-01")
    learner.exit()
    values = final_values(lms, fmt)
    if fmt == "scorm12":
        assert values["cmi.core.lesson_status"] == "incomplete" and values["cmi.core.exit"] == "suspend"
        assert "cmi.core.score.raw" not in values
    else:
        assert values["cmi.completion_status"] == "incomplete" and values["cmi.exit"] == "suspend"
        assert values["adl.nav.request"] == "suspendAll" and "cmi.score.raw" not in values


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004-4th"])
def test_api_traffic_per_page_change(lms: Lms, site_root: Path, built, fmt: str) -> None:
    """Measured: a page change costs two or three SetValue calls and at most one commit."""
    edition = FORMAT_EDITION[fmt]
    lms.launch(edition, serve_package(site_root, built[f"{fmt}/None/course/course"]))
    learner = Learner(lms)
    learner.wait_page("home")
    start = len(lms.calls())
    pages = ["intro", "intro-01", "intro-02", "practice", "practice-01", "glossary", "resources", "intro-01"]
    for page_id in pages:
        learner.open(page_id)
    lms.page.wait_for_timeout(300)
    calls = lms.calls()[start:]
    setter = "LMSSetValue" if edition == "1.2" else "SetValue"
    per_page = len([c for c in calls if c["fn"] == setter]) / len(pages)
    commits = len([c for c in calls if c["fn"].endswith("Commit")])
    assert per_page <= 3 and commits <= 2, (per_page, commits)


# --- Moodle's own value patterns (LMS-01) ----------------------------------------------------
# From Moodle's mod_scorm data-model scripts (datamodels/scorm_12.js, scorm_13.js), as the
# browser evaluates them; every recorded value must pass what Moodle would accept.

MOODLE_12 = {
    r"cmi\.core\.lesson_location": r"^[\u0000-\uFFFF]{0,255}$",
    r"cmi\.core\.lesson_status": r"^passed$|^completed$|^failed$|^incomplete$|^browsed$",
    r"cmi\.core\.exit": r"^time-out$|^suspend$|^logout$|^$",
    r"cmi\.core\.session_time": r"^([0-9]{2,4}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,2})?$",
    r"cmi\.core\.score\.(raw|min|max)": r"^-?([0-9]{0,3})(\.[0-9]*)?$",
    r"cmi\.suspend_data": r"^[\u0000-\uFFFF]{0,4096}$",
    r"cmi\.interactions\.\d+\.id": r"^[\u0021-\u007E]{0,255}$",
    r"cmi\.interactions\.\d+\.time": r"^([0-2]{1}[0-9]{1}):([0-5]{1}[0-9]{1}):([0-5]{1}[0-9]{1})(\.[0-9]{1,2})?$",
    r"cmi\.interactions\.\d+\.type": r"^true-false$|^choice$|^fill-in$|^matching$|^performance$|^sequencing$|^likert$|^numeric$",
    r"cmi\.interactions\.\d+\.(student_response|correct_responses\.\d+\.pattern)": r"^[\u0000-\uFFFF]{0,255}$",
    r"cmi\.interactions\.\d+\.weighting": r"^-?([0-9]{0,3})(\.[0-9]*)?$",
    r"cmi\.interactions\.\d+\.result": r"^correct$|^wrong$|^unanticipated$|^neutral$|^([0-9]{0,3})?(\.[0-9]*)?$",
    r"cmi\.interactions\.\d+\.latency": r"^([0-9]{2,4}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,2})?$",
}
_TIME_13 = (
    r"^(19[7-9]{1}[0-9]{1}|20[0-2]{1}[0-9]{1}|203[0-8]{1})((-(0[1-9]{1}|1[0-2]{1}))((-(0[1-9]{1}|[1-2]{1}[0-9]{1}|3[0-1]{1}))"
    r"(T([0-1]{1}[0-9]{1}|2[0-3]{1})((:[0-5]{1}[0-9]{1})((:[0-5]{1}[0-9]{1})((\.[0-9]{1,2})((Z|([+|-]([0-1]{1}[0-9]{1}|2[0-3]{1})))"
    r"(:[0-5]{1}[0-9]{1})?)?)?)?)?)?)?)?$"
)
_SPAN_13 = (
    r"^P(\d+Y)?(\d+M)?(\d+D)?(T(((\d+H)(\d+M)?(\d+(\.\d{1,2})?S)?)|((\d+M)(\d+(\.\d{1,2})?S)?)|((\d+(\.\d{1,2})?S))))?$"
)
_DECIMAL_13 = r"^-?([0-9]{1,5})(\.[0-9]{1,18})?$"
_LANG250 = r"^(\{lang=([a-zA-Z]{2,3}|i|x)(\-[a-zA-Z0-9\-]{2,8})?\})?([^\{].{0,250}$)?"
MOODLE_2004 = {
    r"cmi\.location": r"^[\u0000-\uFFFF]{0,1000}$",
    r"cmi\.completion_status": r"^completed$|^incomplete$|^not attempted$|^unknown$",
    r"cmi\.success_status": r"^passed$|^failed$|^unknown$",
    r"cmi\.exit": r"^time-out$|^suspend$|^logout$|^normal$|^$",
    r"cmi\.session_time": _SPAN_13,
    r"cmi\.score\.(scaled|raw|min|max)": _DECIMAL_13,
    r"cmi\.progress_measure": _DECIMAL_13,
    r"cmi\.suspend_data": r"^[\u0000-\uFFFF]{0,64000}$",
    r"adl\.nav\.request": r"^previous$|^continue$|^exit$|^exitAll$|^abandon$|^abandonAll$|^suspendAll$|^\{target=\S{0,200}[a-zA-Z0-9]\}choice$",
    r"cmi\.interactions\.\d+\.id": r"^\S{0,4000}[a-zA-Z0-9]$",
    r"cmi\.interactions\.\d+\.type": r"^true-false$|^choice$|^(long-)?fill-in$|^matching$|^performance$|^sequencing$|^likert$|^numeric$|^other$",
    r"cmi\.interactions\.\d+\.timestamp": _TIME_13,
    r"cmi\.interactions\.\d+\.weighting": _DECIMAL_13,
    r"cmi\.interactions\.\d+\.result": r"^correct$|^incorrect$|^unanticipated$|^neutral$|^-?([0-9]{1,4})(\.[0-9]{1,18})?$",
    r"cmi\.interactions\.\d+\.latency": _SPAN_13,
    r"cmi\.interactions\.\d+\.description": _LANG250,
    r"cmi\.interactions\.\d+\.(learner_response|correct_responses\.\d+\.pattern)": r"^.*$",
}
# Moodle's per-type checks of each node of a 2004 learner_response (scorm_13.js learner_response).
MOODLE_NODES_2004 = {"choice": r"^[\w\.]{1,250}$", "sequencing": r"^[\w\.]{1,250}$", "fill-in": _LANG250}


def check_moodle(calls: list[dict], edition: str) -> None:
    """LMS-01: the recorded values pass Moodle's patterns (JS regexes, here with Python's re)."""
    table, setter = (MOODLE_12, "LMSSetValue") if edition == "1.2" else (MOODLE_2004, "SetValue")
    types: dict[str, str] = {}
    for element, value in sets(calls, setter):
        pattern = next(p for key, p in table.items() if re.fullmatch(key, element))
        assert re.search(pattern, value), f"Moodle refuses {element} = {value!r}"
        found = re.fullmatch(r"cmi\.interactions\.(\d+)\.(type|learner_response)", element)
        if found and found.group(2) == "type":
            types[found.group(1)] = value
        elif found and types.get(found.group(1)) in MOODLE_NODES_2004:
            for node in value.split("[,]"):
                assert re.search(MOODLE_NODES_2004[types[found.group(1)]], node), (
                    f"Moodle refuses {element} = {value!r}"
                )
        elif found and types.get(found.group(1)) == "matching":
            for node in value.split("[,]"):
                assert all(re.search(r"^[\w\.]{1,250}$", part) for part in node.split("[.]")), value


@pytest.mark.parametrize("fmt", list(FORMAT_EDITION))
def test_every_value_passes_moodles_patterns(lms: Lms, site_root: Path, built, fmt: str) -> None:
    lms.launch(FORMAT_EDITION[fmt], serve_package(site_root, built[f"{fmt}/None/course/course"]))
    learner = Learner(lms)
    learner.wait_page("home")
    wrong = {"intro-01.q2": ["b", "ac"], "intro-02.q1": ["{Remittance, money sent home}", "remittances"]}
    for page_id in ("intro-01", "intro-02", "practice-01", "practice.assessment"):
        learner.study(page_id, wrong)
    learner.exit()
    check_moodle(lms.calls(), FORMAT_EDITION[fmt])
    values = final_values(lms, fmt)
    response = "student_response" if fmt == "scorm12" else "learner_response"
    typed = [v for k, v in values.items() if k == f"cmi.interactions.3.{response}"]
    assert typed == (["remittances"] if fmt == "scorm12" else ["{lang=en}remittances"])


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004-4th"])
def test_a_refused_save_is_shown_to_the_learner(lms: Lms, site_root: Path, built, fmt: str) -> None:
    edition = FORMAT_EDITION[fmt]
    refuse = ["LMSSetValue" if edition == "1.2" else "SetValue", "cmi.suspend_data"]
    lms.launch(edition, serve_package(site_root, built[f"{fmt}/None/course/course"]), refuse=refuse)
    learner = Learner(lms)
    learner.wait_page("home")
    learner.open("intro-01")
    learner.frame.wait_for_function("() => document.querySelector('#jmdi-alert').textContent.length > 0")
    assert "could not be saved" in learner.frame.text_content("#jmdi-alert")


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004-4th"])
def test_removing_the_frame_runs_the_final_sequence(lms: Lms, site_root: Path, built, fmt: str) -> None:
    edition = FORMAT_EDITION[fmt]
    lms.launch(edition, serve_package(site_root, built[f"{fmt}/None/course/course"]))
    learner = Learner(lms)
    learner.wait_page("home")
    learner.study("intro-01")
    expected = learner.frame.evaluate("() => JMDI.snapshot().stateText")
    lms.page.evaluate("() => harness.remove()")
    lms.page.wait_for_function(
        "name => harness.calls.some(c => c.fn === name)", arg="LMSFinish" if edition == "1.2" else "Terminate"
    )
    calls = lms.calls()
    check_order(calls, edition)
    assert stored_cmi(calls, edition)["cmi.suspend_data"] == expected


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_hiding_the_page_commits_at_once(lms: Lms, edition: str) -> None:
    drive(lms, edition, [("start", None), ("save~", snapshot(stateText="before-hide"))])
    commits = lambda: [c for c in lms.calls() if c["fn"].endswith("Commit")]  # noqa: E731
    assert len(commits()) == 1  # the first-entry commit; the save waits for the 5 s gap
    lms.sco.evaluate(
        """() => { Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
                   document.dispatchEvent(new Event('visibilitychange')); }"""
    )
    assert len(commits()) == 2


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004-4th"])
def test_first_page_needs_at_most_five_requests(lms: Lms, site_root: Path, built, fmt: str) -> None:
    requests: list[str] = []
    lms.page.on("request", lambda request: requests.append(urlsplit(request.url).path))
    url = serve_package(site_root, built[f"{fmt}/None/course/course"])
    lms.launch(FORMAT_EDITION[fmt], url)
    Learner(lms).wait_page("home")
    lms.page.wait_for_timeout(300)
    package = url.split("/")[1]
    mine = [path for path in requests if path.startswith(f"/{package}/")]
    assert len(mine) <= 5, mine
    assert f"/{package}/runtime/jmdi-{'scorm12' if fmt == 'scorm12' else 'scorm2004'}.js" in mine


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_pass_or_fail_waits_for_the_final_score(lms: Lms, edition: str) -> None:
    """The core decides success as soon as it cannot change, but the score only becomes final once
    every question is settled (snapshot.scoreFinal): status and score wait for it."""
    early = dict(PASSED, scoreFinal=False, score={"raw": 6, "min": 0, "max": 7, "scaled": 0.8571})
    final = dict(PASSED, scoreFinal=True, score={"raw": 7, "min": 0, "max": 7, "scaled": 1})
    drive(lms, edition, [("start", None), ("save", early)])
    values = dict(sets(lms.calls(), "LMSSetValue" if edition == "1.2" else "SetValue"))
    if edition == "1.2":
        assert values["cmi.core.lesson_status"] == "completed" and "cmi.core.score.raw" not in values
    else:
        assert values["cmi.completion_status"] == "completed"
        assert "cmi.success_status" not in values and "cmi.score.raw" not in values
    drive(lms, edition, [("start", None), ("save", early), ("save", final), ("finish", final)])
    values = dict(sets(lms.calls(), "LMSSetValue" if edition == "1.2" else "SetValue"))
    if edition == "1.2":
        assert values["cmi.core.lesson_status"] == "passed" and values["cmi.core.score.raw"] == "100"
    else:
        assert values["cmi.success_status"] == "passed" and values["cmi.score.raw"] == "100"


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004-4th"])
def test_an_answer_is_committed_without_leaving_the_page(lms: Lms, site_root: Path, built, fmt: str) -> None:
    """A crash after an answer must not lose it, nor an LMS that ends the session on its own
    page's beforeunload: the answer is committed at once, while the learner stays on the page."""
    import time

    edition = FORMAT_EDITION[fmt]
    lms.launch(edition, serve_package(site_root, built[f"{fmt}/None/course/course"]))
    learner = Learner(lms)
    learner.wait_page("home")
    learner.open("intro-01")
    learner.frame.wait_for_timeout(1200)  # the page change's own commit is done
    answered = time.monotonic()
    learner.answer("intro-01.q2", "b")  # wrong, one try left: no status changes
    expected = learner.frame.evaluate("() => JMDI.snapshot().stateText")
    assert "!q2.1n" in expected
    while stored_cmi(lms.calls(), edition).get("cmi.suspend_data") != expected:
        assert time.monotonic() - answered < 2, "the answer was not committed within 2 s"
        time.sleep(0.05)
    check_clean(lms.calls())


def test_a_case_sensitive_fill_in_says_so(lms: Lms, site_root: Path, tmp_path: Path) -> None:
    """SCORM 2004 fill-in patterns carry {case_matters=true} when the course says so (§5.5)."""
    import shutil
    import zipfile

    from jmdi_scorm import build as build_module

    course = tmp_path / "course"
    shutil.copytree(MINIMAL, course)
    topic = course / "modules" / "intro" / "intro-02.md"
    topic.write_text(
        topic.read_text(encoding="utf-8").replace("    answers: [remittances, remittance]\n",
                                                   "    answers: [Remittances]\n    case_sensitive: true\n"),
        encoding="utf-8",
    )  # fmt: skip
    options = build_module.BuildOptions(formats=("scorm2004-4th",), out=tmp_path / "dist")
    artifact = build_module.build(course, options).artifacts[0]
    zipfile.ZipFile(artifact.path).extractall(tmp_path / "pkg")
    lms.launch("2004", serve_package(site_root, tmp_path / "pkg"))
    learner = Learner(lms)
    learner.wait_page("home")
    learner.open("intro-02")
    assert learner.answer("intro-02.q1", "remittances").startswith("Not quite")  # case matters
    learner.exit()
    values = dict(sets(lms.calls(), "SetValue"))
    assert values["cmi.interactions.0.correct_responses.0.pattern"] == (
        "{case_matters=true}{order_matters=true}{lang=en}Remittances"
    )
    check_strict(lms.calls(), "2004")
