"""The build-time estimate of Moodle's save when a SCORM package closes (targets/moodle_payload.py)
and the course option that sizes it, ``tracking.interactions``."""

from __future__ import annotations

import http.server
import re
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from jmdi_scorm.cli import main
from jmdi_scorm.errors import CourseError
from jmdi_scorm.render.site import Scope
from jmdi_scorm.source.validate import load_course
from jmdi_scorm.targets.moodle_payload import (
    BEACON_QUOTA,
    BOUNDARY_LENGTH,
    first_save_bytes,
    form_bytes,
    recorded_questions,
    unload_payload_bytes,
)

ROOT = Path(__file__).resolve().parents[2]
EDITIONS = ("1.2", "2004-3", "2004-4")
POLICIES = ("none", "assessments", "all")


@pytest.fixture(scope="module")
def jmdi():
    course, _ = load_course(ROOT / "course")
    return course


def _with(course, policy: str):
    copy = course.model_copy(deep=True)
    copy.meta.tracking.interactions = policy
    return copy


def test_the_default_records_the_assessment_questions_only(jmdi) -> None:
    assert jmdi.meta.tracking.interactions == "assessments"
    ids = [ident for ident, _ in recorded_questions(jmdi)]
    assert len(ids) == 30 and all(".assessment." in ident for ident in ids)
    assert len(recorded_questions(_with(jmdi, "all"))) == 143
    assert recorded_questions(_with(jmdi, "none")) == []


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_estimate_grows_with_the_interactions_recorded(jmdi, edition: str) -> None:
    sizes = [unload_payload_bytes(_with(jmdi, policy), None, edition) for policy in POLICIES]
    if edition == "1.2":  # the final save adds one record at most: the largest, from any policy
        assert sizes[0] < sizes[1] <= sizes[2], sizes
    else:
        assert sizes[0] < sizes[1] < sizes[2], sizes
        assert sizes[1] < BEACON_QUOTA < sizes[2], "every JMDI record would not fit: the default is assessments"
    firsts = [first_save_bytes(_with(jmdi, policy)) for policy in POLICIES]
    assert firsts[0] < firsts[1] < firsts[2], firsts


def test_the_estimate_is_deterministic(jmdi) -> None:
    again, _ = load_course(ROOT / "course")
    for edition in EDITIONS:
        assert unload_payload_bytes(jmdi, None, edition) == unload_payload_bytes(again, None, edition)
        assert unload_payload_bytes(jmdi, None, edition) == unload_payload_bytes(jmdi, Scope(), edition)
    assert first_save_bytes(jmdi) == first_save_bytes(again)


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_module_package_saves_less_than_the_whole_course(jmdi, edition: str) -> None:
    for policy in POLICIES:
        course = _with(jmdi, policy)
        whole = unload_payload_bytes(course, None, edition)
        for module in course.modules:
            assert unload_payload_bytes(course, Scope(module.id), edition) < whole, (policy, module.id)


def test_the_build_notes_the_estimate_per_scorm_package(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    args = ["build", str(ROOT / "tests/fixtures/minimal"), "--out", str(out), "--no-pdf", "--no-cache"]
    result = CliRunner().invoke(main, [*args, "--format", "scorm12,scorm2004-4th,web", "--verbose"])
    assert result.exit_code == 0, result.output
    found = re.findall(
        r"detail: (\S+): Moodle unload save: at most [\d.]+ KiB of the 64 KiB beacon quota", result.output
    )
    assert found == ["mini-course-scorm12.zip", "mini-course-scorm2004-4th.zip"]
    assert "first save carries the whole data model" in result.output  # 1.2 only
    assert "warning:" not in result.output
    sheet = (out / "mini-course-scorm2004-4th-lms-import.md").read_text(encoding="utf-8")
    assert "`tracking.interactions: " in sheet and "| Moodle save on closing | at most" in sheet


def _set_interactions(course_dir: Path, policy: str) -> None:
    course_file = course_dir / "course.yaml"
    data = yaml.safe_load(course_file.read_text(encoding="utf-8"))
    data.setdefault("tracking", {})["interactions"] = policy
    course_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _big_assessment(course_dir: Path, policy: str, questions: int = 150) -> None:
    """The fixture course with ``questions`` assessment questions and ``tracking.interactions: policy``."""
    _set_interactions(course_dir, policy)
    module_file = course_dir / "modules/practice/module.yaml"
    module = yaml.safe_load(module_file.read_text(encoding="utf-8"))
    module["assessment"]["questions"] = [
        {
            "id": f"a{n}",
            "type": "multiple",
            "prompt": f"Which statements about case {n} are right?",
            "choices": [{"text": f"Statement {letter}.", "correct": letter in "ac"} for letter in "abcd"],
            "feedback": {"correct": "Right.", "incorrect": "Statements a and c are right."},
        }
        for n in range(1, questions + 1)
    ]
    module_file.write_text(yaml.safe_dump(module, allow_unicode=True), encoding="utf-8")


def test_a_save_over_the_quota_is_a_warning_naming_the_option(tmp_path: Path, minimal_course: Path) -> None:
    _big_assessment(minimal_course, "all")
    out = tmp_path / "dist"
    args = ["build", str(minimal_course), "--out", str(out), "--no-pdf", "--format", "scorm2004-4th,scorm12"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output  # a warning, not a failure
    warnings = [line for line in result.output.splitlines() if "warning: Moodle's save" in line]
    assert len(warnings) == 1 and "mini-course-scorm2004-4th.zip" in warnings[0], result.output
    assert "over the 64 KiB" in warnings[0] and 'set tracking.interactions to "assessments"' in warnings[0]
    assert (out / "mini-course-scorm2004-4th.zip").is_file()
    with zipfile.ZipFile(out / "mini-course-scorm2004-4th.zip") as package:
        assert '"interactions":"all"' in package.read("index.html").decode()  # what the runtime reads
    sheet = (out / "mini-course-scorm2004-4th-lms-import.md").read_text(encoding="utf-8")
    assert "**over the quota**" in sheet
    course, _ = load_course(minimal_course)
    assert unload_payload_bytes(course, None, "2004-4") > BEACON_QUOTA
    assert unload_payload_bytes(_with(course, "none"), None, "2004-4") < BEACON_QUOTA


def test_tracking_interactions_takes_three_values(minimal_course: Path) -> None:
    for policy in POLICIES:
        _set_interactions(minimal_course, policy)
        assert load_course(minimal_course)[0].meta.tracking.interactions == policy
    _set_interactions(minimal_course, "some")
    with pytest.raises(CourseError) as raised:
        load_course(minimal_course)
    assert [p.field for p in raised.value.problems] == ["tracking.interactions"], raised.value.problems


# --- the multipart framing the estimate assumes, checked against Chromium --------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    """A blank page on GET; every POST body is kept in ``server.bodies`` with its content type."""

    page = b"<!doctype html><title>beacon</title>"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(self.page)))
        self.end_headers()
        self.wfile.write(self.page)

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.bodies.append((self.path, self.headers.get("Content-Type", ""), body))  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()


@pytest.fixture
def recorder() -> Iterator[tuple[str, list]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.bodies = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", server.bodies  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def _received(bodies: list, path: str) -> tuple[str, bytes]:
    for _ in range(100):
        for got, content_type, body in bodies:
            if got == path:
                return content_type, body
        time.sleep(0.05)
    raise AssertionError(f"nothing was posted to {path}")


SEND = """([path, fields, beacon]) => {
  const form = new FormData();
  for (const [name, value] of fields) form.append(name, value);
  return beacon ? navigator.sendBeacon(path, form) : fetch(path, {method: "POST", body: form}).then(r => r.ok);
}"""


def test_the_framing_is_what_chromium_sends(page, recorder) -> None:
    base, bodies = recorder
    fields = [
        ("id", "4242"),
        ("sesskey", "AbCdEf1234"),
        ("cmi__interactions__0__id", "m1.assessment.a1"),
        ("cmi__interactions__0__correct_responses__0__pattern", "{case_matters=false}{order_matters=true}{lang=fr}é"),
        ("cmi__suspend_data", "1~m1-01~m1-01*2!q1.1ya"),
        ("cmi__exit", ""),
        ("cmi__interactions__0__learner_response", "{lang=ar}تحويلات مالية"),
    ]
    expected = form_bytes((name, len(value.encode())) for name, value in fields)
    page.goto(base)
    assert page.evaluate(SEND, ["/beacon", fields, True]) is True
    assert page.evaluate(SEND, ["/fetch", fields, False]) is True
    for path in ("/beacon", "/fetch"):
        content_type, body = _received(bodies, path)
        boundary = content_type.split("boundary=", 1)[1]
        assert boundary.startswith("----WebKitFormBoundary") and len(boundary) == BOUNDARY_LENGTH
        assert len(body) == expected, (path, body[:200])
        assert body.count(f"--{boundary}\r\n".encode()) == len(fields) and body.endswith(f"--{boundary}--\r\n".encode())


def test_chromium_refuses_a_beacon_over_the_quota(browser, recorder) -> None:
    base, _ = recorder
    fill = BEACON_QUOTA - form_bytes([("x", 0)])  # a one-part body of exactly the quota
    for size, accepted in ((fill, True), (fill + 1, False)):
        context = browser.new_context()  # nothing else in flight
        tab = context.new_page()
        tab.goto(base)
        assert tab.evaluate(SEND, [f"/quota-{size}", [["x", "a" * size]], True]) is accepted, size
        context.close()
