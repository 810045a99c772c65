"""The JMDI course walked through LMSs that behave like the field (issue 12).

Two field LMSs (``tests/harness/moodle.js`` in the page, ``tests/support/field_lms.py`` on loopback;
their behaviours are listed in ``docs/lms-compatibility.md``):

- **moodle**: Moodle's save transport. Synchronous XHR while the page is visible; ``sendBeacon``
  while it is dismissed, refused by Chromium past 64 KiB of queued bodies; 2004 posts every element
  on every store, 1.2 the changed ones (the first store of a session every preloaded one); only a
  finish store adds the session time to ``total_time``; resume only after ``exit=suspend``; a
  completed SCO reopens in review.
- **lenient** (SCORM 1.2): ``entry`` is ``ab-initio`` on every launch, ``interactions._count`` is
  ``""``, the first status read is ``incomplete``, and the LMS commits and finishes on its own
  page's ``beforeunload``: every call of the SCO after that returns ``"false"``.

Each walk answers every question of the JMDI course right, in one package (whole course) or in
the six module packages (``--split module``), from the keyboard, and closes the tab
(``page.close(run_before_unload=True)``: beforeunload, pagehide) along the way: in the middle of a
topic right after an answer, 1 s after an answer, on the results page, and once more after
reopening the finished course. After each close it relaunches in a fresh browser context (no
localStorage: only what the LMS stored counts) and checks that the course reopens where it was
with every answer. Everything goes at machine speed (an answer every ~0.1 s; the tab closed as
soon as the answer, or the results page, shows, except the close 1 s after an answer), faster than
any learner: whatever the runtime keeps waiting for a later commit shows up as a loss. The walks are long and few, one per LMS, edition
and layout; ``test_largest_unload_payload`` reports what their page closes sent (``pytest -rP``
shows it).
"""

from __future__ import annotations

import contextlib
import re
import time
import zipfile
from pathlib import Path

import pytest

from jmdi_scorm.build import BuildOptions, build
from jmdi_scorm.render import state_codec
from jmdi_scorm.render.questions import correct_answer
from jmdi_scorm.source.spec_limits import SUSPEND_DATA
from jmdi_scorm.source.validate import load_course
from tests.runtime.test_scorm_runtime import check_moodle, check_strict
from tests.support.field_lms import BEACON_QUOTA, INTERACTION, FieldLms, FieldSession

pytestmark = pytest.mark.slow  # whole-course walks in emulated Moodles, 17-52 s each on 2 cores

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "course"
EDITION = {"scorm12": "1.2", "scorm2004-3rd": "2004", "scorm2004-4th": "2004"}
SUSPEND_LIMIT = {  # cmi.suspend_data
    "scorm12": SUSPEND_DATA["1.2"],
    "scorm2004-3rd": SUSPEND_DATA["2004-3"],
    "scorm2004-4th": SUSPEND_DATA["2004-4"],
}
LAYOUTS = {"whole": None, "split": "module"}
# Where the walks close the tab besides the results page: the seconds waited after that answer.
CLOSES = {"m1-02.q2": 0.0, "m3.assessment.a2": 1.0}
CLOSE_NAMES = {0.0: "mid-topic", 1.0: "1 s after an answer"}


# --- the course, its packages and the LMS -------------------------------------------------------


@pytest.fixture(scope="module")
def right() -> dict[str, str]:
    """Every question's right answer string (questions.correct_answer), by interaction id."""
    course, _ = load_course(COURSE)
    answers = {}
    for module in course.modules:
        for topic in module.topics:
            answers.update({f"{topic.id}.{q.id}": correct_answer(q) for q in topic.questions})
        if module.meta.assessment:
            answers.update(
                {f"{module.id}.assessment.{q.id}": correct_answer(q) for q in module.meta.assessment.questions}
            )
    assert len(answers) == 143  # 113 topic questions + 30 module-assessment questions
    return answers


@pytest.fixture(scope="module")
def field(tmp_path_factory):
    """The JMDI course built once per format and layout, unzipped, served by one field LMS."""
    site = tmp_path_factory.mktemp("field-site")
    (site / "harness").symlink_to(ROOT / "tests" / "harness")
    (site / "scorm-again").symlink_to(ROOT / "node_modules" / "scorm-again" / "dist")
    packages: dict[tuple[str, str], list[tuple[str, str, str]]] = {}  # sco, launch URL, primary objective
    for layout, split in LAYOUTS.items():
        out = tmp_path_factory.mktemp(f"field-{layout}")
        result = build(COURSE, BuildOptions(formats=tuple(EDITION), out=out, split=split, pdf=False, languages=("en",)))
        for artifact in result.artifacts:
            folder = site / artifact.path.stem
            with zipfile.ZipFile(artifact.path) as archive:
                archive.extractall(folder)
            sco = artifact.scope.module or "course"
            objective = re.search(r'primaryObjective objectiveID="([^"]+)"', (folder / "imsmanifest.xml").read_text())
            packages.setdefault((artifact.format, layout), []).append(
                (sco, f"../{folder.name}/index.html", objective.group(1) if objective else "")
            )
    lms = FieldLms(site)
    lms.packages = packages
    yield lms
    lms.close()


# --- a learner in the SCO frame ------------------------------------------------------------------

FILL = """([key, value]) => {
  const form = document.querySelector(`form[data-key="${key}"]`);
  const kind = form.className;
  if (/true-false|single|multiple/.test(kind)) {
    form.querySelectorAll('input').forEach(box => { box.checked = value.includes(box.value); });
  } else if (/fill-in/.test(kind)) {
    form.querySelector('input[type=text]').value = value;
  } else if (/matching/.test(kind)) {
    [...value].forEach((letter, i) => { form.querySelector(`select[data-left="${i + 1}"]`).value = letter; });
  } else {
    const list = form.querySelector('.jmdi-order');
    [...value].forEach(id => list.appendChild(list.querySelector(`li[data-item="${id}"]`)));
  }
  form.querySelector('button[type=submit]').focus();
  return document.activeElement === form.querySelector('button[type=submit]');
}"""
ANSWERED = "key => { const a = JMDI.snapshot().state.answers[key]; return a && a.tries ? a : null; }"
PAGES = """() => JSON.parse(document.getElementById('jmdi-config').textContent).pages
  .filter(p => p.kind !== 'glossary' && p.kind !== 'resources')
  .map(p => ({id: p.id, q: p.q ? p.q.split(' ').flatMap(expandRun) : []}))"""
# A run of question ids "q1:3" stands for q1 q2 q3 in the launch page (render/site.question_list).
PAGES = (
    PAGES.replace(
        "() =>",
        "() => { const expandRun = id => { const m = /^(.*?)([1-9][0-9]*):([0-9]+)$/.exec(id);"
        " if (!m) return [id]; const out = []; for (let n = +m[2]; n <= +m[3]; n++) out.push(m[1] + n);"
        " return out; }; return",
        1,
    )
    + "; }"
)
STATE = "() => JMDI.snapshot().state"
LOCKED = "keys => keys.map(key => document.querySelector(`form[data-key='${key}'] fieldset`).disabled)"


def answer(session: FieldSession, key: str, value: str) -> None:
    """Fills the form, submits it from the keyboard (focus + Enter) and waits for the verdict."""
    assert session.frame.evaluate(FILL, [key, value]), f"{key}: the submit button did not take the focus"
    session.page.keyboard.press("Enter")  # the keyboard, as a learner without a mouse does
    got = session.frame.wait_for_function(ANSWERED, arg=key).json_value()
    assert got == {"response": value, "tries": 1, "correct": True}, (key, got)


def answer_all(session: FieldSession, answers: dict[str, str]) -> None:
    """Answers several questions of the page one after the other, then checks every verdict once
    (each Enter is handled, submit included, before the key press returns)."""
    for key, value in answers.items():
        assert session.frame.evaluate(FILL, [key, value]), f"{key}: the submit button did not take the focus"
        session.page.keyboard.press("Enter")
    got = session.frame.evaluate("keys => keys.map(k => JMDI.snapshot().state.answers[k] || null)", list(answers))
    assert got == [{"response": v, "tries": 1, "correct": True} for v in answers.values()], (answers, got)


def next_page(session: FieldSession, expected: str) -> None:
    session.frame.focus("#jmdi-next")
    session.page.keyboard.press("Enter")
    session.frame.wait_for_function(
        "id => document.querySelector('#jmdi-page').getAttribute('data-page') === id", arg=expected
    )


# --- durations -----------------------------------------------------------------------------------


def seconds(text: str, edition: str) -> float:
    if edition == "1.2":
        h, m, s = re.fullmatch(r"(\d{2,4}):(\d{2}):(\d{2}(?:\.\d{1,2})?)", text).groups()
        return int(h) * 3600 + int(m) * 60 + float(s)
    found = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?", text)
    assert found, text
    h, m, s = found.groups()
    return int(h or 0) * 3600 + int(m or 0) * 60 + float(s or 0)


# --- the walk ------------------------------------------------------------------------------------


class Walk:
    """One learner through every package of one (LMS, edition, layout), closing the tab on the way."""

    def __init__(self, browser, lms: FieldLms, profile: str, fmt: str, layout: str, right: dict[str, str]) -> None:
        self.browser, self.lms, self.profile, self.fmt, self.layout = browser, lms, profile, fmt, layout
        self.edition = EDITION[fmt]
        self.learner = f"{profile}-{fmt}-{layout}"
        self.right = right
        self.packages = lms.packages[(fmt, layout)]
        self.sessions: dict[str, list[FieldSession]] = {}  # sco -> its sessions, in order
        self.answered: dict[str, dict[str, str]] = {}  # sco -> key -> answer given
        self.last_in_module: dict[str, str] = {}  # sco -> the last page inside a module (its bookmark when done)
        self.unload: dict[str, int] = {}  # sco -> the most bytes one close sent by beacon (all its beacons)
        self.unload_at: dict[str, str] = {}  # sco -> the close that sent it
        self.unload_by: dict[tuple[str, str], int] = {}  # (sco, close) -> bytes it sent by beacon
        self.xhr: dict[str, int] = {}  # sco -> largest XHR body (bytes)
        self.closes: list[tuple[str, str, float]] = []  # (sco, where, seconds the close took)
        self.objective = ""  # the package's primary objective (2004: Moodle preloads it)
        self.error: BaseException | None = None
        self.took = 0.0
        self.phases = dict.fromkeys(("launch", "answers", "pages", "close"), 0.0)

    # element names of this edition
    @property
    def location(self) -> str:
        return "cmi.core.lesson_location" if self.edition == "1.2" else "cmi.location"

    @property
    def exit(self) -> str:
        return "cmi.core.exit" if self.edition == "1.2" else "cmi.exit"

    @property
    def session_time(self) -> str:
        return "cmi.core.session_time" if self.edition == "1.2" else "cmi.session_time"

    @property
    def total_time(self) -> str:
        return "cmi.core.total_time" if self.edition == "1.2" else "cmi.total_time"

    def run(self) -> Walk:
        start = time.monotonic()
        try:
            for sco, url, objective in self.packages:
                self.objective = objective
                self.package(sco, url)
        except BaseException as exc:  # kept for the payload report; raised by the walk's test
            self.error = exc
        self.took = time.monotonic() - start
        return self

    @contextlib.contextmanager
    def timed(self, phase: str):
        began = time.monotonic()
        try:
            yield
        finally:
            self.phases[phase] += time.monotonic() - began

    def launch(self, sco: str, url: str, reopens: str | None = None, done: bool = False) -> FieldSession:
        with self.timed("launch"):
            session = FieldSession(self.browser, self.lms, profile=self.profile, edition=self.edition,
                                   learner=self.learner, sco=sco, url=url, objective=self.objective)  # fmt: skip
        self.sessions.setdefault(sco, []).append(session)
        stored = session.seed.get(self.location)
        if reopens is not None and not done:  # done: Moodle reopens it in review mode
            mode = session.seed.get("cmi.core.lesson_mode" if self.edition == "1.2" else "cmi.mode")
            assert mode == "normal", (
                f"{sco} reopens in {mode} mode with questions still open: the learner cannot finish"
            )
        if reopens is not None:
            # reopens on the stored location, which is where the learner closed the tab
            assert (session.page_id(), stored) == (reopens, reopens), f"{sco}: reopened elsewhere"
            # every answer given so far is there (only what the LMS stored: a fresh profile)
            state = session.frame.evaluate(STATE)
            got = {key: (a["response"], a["tries"], a["correct"]) for key, a in state["answers"].items()}
            assert got == {key: (value, 1, True) for key, value in self.answered[sco].items()}, f"{sco}: answers lost"
            shown = [key for key in self.answered[sco] if key.rsplit(".", 1)[0] == reopens]
            locked = session.frame.evaluate(LOCKED, shown)
            assert locked == [True] * len(shown), (shown, locked)  # answered right: shown locked
        return session

    def package(self, sco: str, url: str) -> None:
        self.answered[sco] = {}
        session = self.launch(sco, url)
        pages = session.frame.evaluate(PAGES)
        order = [page["id"] for page in pages]
        questions = {page["id"]: [f"{page['id']}.{q}" for q in page["q"]] for page in pages}
        assert order[-1] == "summary"
        self.last_in_module[sco] = order[-2]  # the scope's last assessment
        while True:
            page = session.page_id()
            todo = [key for key in questions[page] if key not in self.answered[sco]]
            while todo:
                # at machine speed (an answer every ~0.1 s) up to the next close point
                cut = next((i for i, key in enumerate(todo) if key in CLOSES), len(todo))
                with self.timed("answers"):
                    answer_all(session, {key: self.right[key] for key in todo[:cut]})
                self.answered[sco].update({key: self.right[key] for key in todo[:cut]})
                todo = todo[cut:]
                if not todo:
                    break
                key = todo.pop(0)
                with self.timed("answers"):
                    answer(session, key, self.right[key])
                self.answered[sco][key] = self.right[key]
                session.page.wait_for_timeout(CLOSES[key] * 1000)
                self.close(session, CLOSE_NAMES[CLOSES[key]], done=False)
                session = self.launch(sco, url, reopens=page)
            if page == "summary":
                break
            with self.timed("pages"):
                next_page(session, order[order.index(page) + 1])
        assert sorted(self.answered[sco]) == sorted(k for keys in questions.values() for k in keys)
        self.close(session, "results page", done=True)
        # The course is done: it reopens at the bookmark with every answer (Moodle: in review).
        session = self.launch(sco, url, reopens=order[-2], done=True)
        self.close(session, "reopened when done", done=True)
        self.check_package(sco)

    def close(self, session: FieldSession, where: str, done: bool) -> None:
        page = session.page_id()
        began = time.monotonic()
        with self.timed("close"):
            log = session.close_tab()
        self.closes.append((session.sco, where, time.monotonic() - began))
        beacons = [entry for entry in log if entry["transport"] == "beacon"]
        if beacons:  # what this close queued, all beacons together: what Chromium's quota counts
            queued, here = sum(beacon["bytes"] for beacon in beacons), (session.sco, where)
            self.unload_by[here] = max(self.unload_by.get(here, 0), queued)
            if queued > self.unload.get(session.sco, 0):
                self.unload[session.sco], self.unload_at[session.sco] = queued, where
        self.xhr[session.sco] = max(
            [self.xhr.get(session.sco, 0)] + [e["bytes"] for e in log if e["transport"] == "xhr"]
        )
        assert not session.errors and not self.lms.errors, (session.errors, self.lms.errors)
        # Every store went through: no beacon refused (Chromium's 64 KiB quota), no XHR refused.
        refused = [entry for entry in log if not entry["ok"]]
        assert not refused, f"{session.sco}, {where}: stores refused {refused}"
        # The LMS refused no call, except those after the lenient LMS ended the session itself.
        refused_calls = [call for call in session.refused_calls if not call["ended"]]
        assert not refused_calls, f"{session.sco}, {where}: calls refused {refused_calls}"
        arrived = {store.seq: store for store in session.stores()}
        for entry in beacons:  # the harness's size of a beacon is what the server received
            assert arrived[entry["seq"]].bytes == entry["bytes"], entry
        if self.profile == "moodle":
            assert [s.kind for s in arrived.values()].count("finish") == 1, f"{where}: the finish store never arrived"
        record = self.lms.record(self.learner, session.sco)
        # Nothing answered is lost: the stored suspend data holds every answer given so far.
        state = state_codec.decode(record["cmi.suspend_data"])
        assert state, record["cmi.suspend_data"]
        got = {key: (a["response"], a["tries"], a["correct"]) for key, a in state["answers"].items()}
        assert got == {key: (value, 1, True) for key, value in self.answered[session.sco].items()}, where
        # the bookmark is the last page inside a module: the results page does not take it
        bookmark = self.last_in_module[session.sco] if page == "summary" else page
        assert record.get(self.location) == bookmark, (
            f"{where}: stored location {record.get(self.location)}, not {bookmark}"
        )
        if self.profile == "moodle":
            # left unfinished: exit=suspend stored, so Moodle resumes; done: not suspended
            status = record.get("cmi.core.lesson_status" if self.edition == "1.2" else "cmi.completion_status")
            assert record.get(self.exit) in (("", "normal") if done else ("suspend",)), (
                f"{session.sco}, {where}: stored exit {record.get(self.exit)!r} (status {status!r}) although "
                + (
                    "the package is done"
                    if done
                    else "questions are still open: Moodle resumes only after exit=suspend"
                )
            )

    def check_package(self, sco: str) -> None:
        record = self.lms.record(self.learner, sco)
        if self.edition == "1.2":
            assert (record["cmi.core.lesson_status"], record["cmi.core.score.raw"]) == ("passed", "100")
        else:
            assert (record["cmi.completion_status"], record["cmi.success_status"]) == ("completed", "passed")
            assert (record["cmi.score.raw"], record["cmi.score.scaled"]) == ("100", "1")
        stores = [store for session in self.sessions[sco] for store in session.stores()]
        # Every value the SCO set passes the strict formats and Moodle's patterns (the LMS's own
        # total_time and preloaded objective id aside).
        lms_own = (self.total_time, "cmi.objectives.0.id")
        setter = "LMSSetValue" if self.edition == "1.2" else "SetValue"
        for store in stores:
            calls = [{"fn": setter, "args": [k, v]} for k, v in store.fields if k not in lms_own]
            check_strict(calls, self.edition, SUSPEND_LIMIT[self.fmt], self.seed_types(sco))
            check_moodle(calls, self.edition)
        self.check_interactions(sco, stores)
        if self.profile == "moodle":
            self.check_total_time(sco, record)
        else:
            self.check_never_shrinks(sco, stores)

    def seed_types(self, sco: str) -> dict[str, str]:
        """Interaction types the LMS holds (check_strict needs a type before a response)."""
        record = self.lms.record(self.learner, sco)
        return {k: v for k, v in record.items() if re.fullmatch(r"cmi\.interactions\.\d+\.type", k)}

    def check_interactions(self, sco: str, stores: list) -> None:
        """No interaction index is used by two questions, and no question has two indices."""
        ids: dict[str, set[str]] = {}
        for store in stores:
            for element, value in store.fields:
                found = INTERACTION.fullmatch(element)
                if found and found.group(2) == "id":
                    ids.setdefault(found.group(1), set()).add(value)
        reused = {index: names for index, names in ids.items() if len(names) > 1}
        assert not reused, f"{sco}: interaction indices written by different questions: {reused}"
        names = [next(iter(names)) for names in ids.values()]
        assert len(names) == len(set(names)), f"{sco}: a question recorded at two indices"

    def check_total_time(self, sco: str, record: dict[str, str]) -> None:
        """total_time is the sum of every session's time: each session's finish store arrived."""
        total = 0.0
        for session in self.sessions[sco]:
            stores = session.stores()
            assert stores and stores[-1].kind == "finish", f"{sco}: a session without its finish store"
            times = [store.values[self.session_time] for store in stores if self.session_time in store.values]
            assert times, f"{sco}: a session that never sent its session time"
            spent = seconds(times[-1], self.edition)
            # the time up to the close: at least from when the course ran, at most from the launch
            assert session.ended - session.ready - 1 <= spent <= session.ended - session.started + 0.1, spent
            total += spent
        stored = seconds(record[self.total_time], self.edition)
        assert abs(stored - total) < 0.011 * len(self.sessions[sco]), (stored, total)

    def check_never_shrinks(self, sco: str, stores: list) -> None:
        """The stored progress only grows: no session overwrote it with a fresher, emptier state."""
        before: dict | None = None
        for store in sorted(stores, key=lambda s: s.at):
            text = store.values.get("cmi.suspend_data")
            if text is None:
                continue
            state = state_codec.decode(text)
            assert state, text
            if before:
                lost_pages = {p for p, s in before["pages"].items() if state["pages"].get(p, 0) < s}
                lost = {
                    k for k, a in before["answers"].items() if state["answers"].get(k, {}).get("tries", 0) < a["tries"]
                }
                assert not lost_pages and not lost, f"{sco}: stored progress shrank ({lost_pages}, {lost})"
            before = state


@pytest.fixture(scope="module")
def walks(browser, field, right):
    """Each walk once per test module, whatever test asks for it first."""
    done: dict[tuple[str, str, str], Walk] = {}

    def get(profile: str, fmt: str, layout: str) -> Walk:
        key = (profile, fmt, layout)
        if key not in done:
            done[key] = Walk(browser, field, profile, fmt, layout, right).run()
        return done[key]

    return get


def report(walk: Walk) -> str:
    phases = ", ".join(f"{name} {took:.1f}s" for name, took in walk.phases.items())
    return f"{walk.profile} {walk.fmt} {walk.layout}: {walk.took:.1f}s ({phases}; {len(walk.closes)} closes)"


# --- the tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("fmt", list(EDITION))
def test_moodle_walk(walks, fmt: str, layout: str) -> None:
    """Moodle's transport: every close saves by beacon within the quota, the course resumes where
    it was with every answer, and the time of every session reaches total_time."""
    walk = walks("moodle", fmt, layout)
    print(report(walk))
    if walk.error:
        raise walk.error


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_lenient_walk(walks, layout: str) -> None:
    """The lenient 1.2 LMS: nothing lost or overwritten although entry is always ab-initio, _count
    is "" and the LMS ends the session before the SCO's pagehide."""
    walk = walks("lenient", "scorm12", layout)
    print(report(walk))
    if walk.error:
        raise walk.error


def test_largest_unload_payload(walks) -> None:
    """The most a page close sent by beacon (all its beacons together), per package of the Moodle
    walks: under the 64 KiB Chromium allows a page's queued beacons (past it they are refused and
    lost)."""
    rows, over, broken = [], [], []
    for fmt in EDITION:
        for layout in LAYOUTS:
            walk = walks("moodle", fmt, layout)
            if walk.error:
                broken.append(f"{fmt} {layout}: {walk.error!r}"[:300])
            for sco, _, _ in walk.packages:
                size = walk.unload.get(sco)
                closes = ", ".join(f"{where} {n}" for (one, where), n in walk.unload_by.items() if one == sco)
                rows.append(
                    f"{fmt:14} {layout:6} {sco:7} unload {size or '-':>6} B ({walk.unload_at.get(sco, '-')}); "
                    f"largest XHR {walk.xhr.get(sco) or '-'} B; by close: {closes}"
                )
                if size is not None and size >= BEACON_QUOTA:
                    over.append(f"{fmt} {layout} {sco}: {size}")
                elif size is None and not walk.error:
                    over.append(f"{fmt} {layout} {sco}: never closed")
    print("\nlargest unload payload per package (Moodle transport, bytes):\n" + "\n".join(rows))
    assert not over, f"unload payloads at or over {BEACON_QUOTA} bytes: {over}"
    assert not broken, f"walks that stopped before every package was measured: {broken}"
