"""Build robustness (issue 9): interrupted builds, unwritable output, concurrent builds.

Whatever happens to a build, a file under a package's final name is a complete package: zips are
written to a unique hidden ``.<name>.*.tmp`` file and renamed over the destination, the web
folder is staged the same way (``package.py``).
"""

from __future__ import annotations

import errno
import hashlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from jmdi_scorm.atomic import atomic_write
from jmdi_scorm.cli import main
from jmdi_scorm.package.staging import write_tree

ROOT = Path(__file__).resolve().parents[2]
TRACKED = ("scorm12", "scorm2004-3rd", "scorm2004-4th", "xapi", "cmi5")

# Runs the real CLI with the first zip write stopping half-way: it prints HALF and waits to be
# killed, so the kill lands mid-write every time.
SLOW_WRITE = """
import os, sys, time
real = os.fdopen
state = {"slowed": False}

class HalfThenWait:
    def __init__(self, handle):
        self.handle = handle
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self.handle.__exit__(*exc)
    def __getattr__(self, name):
        return getattr(self.handle, name)
    def write(self, data):
        if state["slowed"]:
            return self.handle.write(data)
        state["slowed"] = True
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        print("HALF", flush=True)
        time.sleep(120)
        return self.handle.write(data[len(data) // 2 :])

os.fdopen = lambda *args, **kwargs: HalfThenWait(real(*args, **kwargs))
from jmdi_scorm.cli import main
main(sys.argv[1:])
"""


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONUNBUFFERED": "1"}


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "jmdi_scorm", *args]


# Module PDFs are left out of these builds: what is tested is how packages are written, and
# WeasyPrint would double each build's time.
NO_PDF = "--no-pdf"


def final_names(out: Path) -> list[Path]:
    """The files a user sees: everything not hidden, web folders included."""
    return sorted(p for p in out.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.parts[-2:]))


def hidden(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


def assert_complete(out: Path) -> dict[str, bytes]:
    """Every zip under its final name is complete and valid; the tracking ones pass ``check``."""
    zips = sorted(out.glob("*.zip"))
    for path in zips:
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None, path
            names = archive.namelist()
        if path.stem.endswith("-web"):
            folder = path.with_suffix("")
            assert {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} == set(names)
    tracked = [str(p) for p in zips if not p.stem.endswith("-web")]
    if tracked:
        result = CliRunner().invoke(main, ["check", *tracked])
        assert result.exit_code == 0, result.output
    return {p.name: p.read_bytes() for p in zips}


def build_in_process(course: Path, out: Path, *args: str):
    return CliRunner().invoke(main, ["build", str(course), "--out", str(out), NO_PDF, *args])


def retitle(course: Path) -> None:
    """Change the course so a rebuild writes different bytes."""
    path = course / "course.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title:", "title: Rebuilt", 1), encoding="utf-8")


# --- interrupted builds ---------------------------------------------------------------------


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_build_killed_mid_write_leaves_the_previous_packages_whole(minimal_course, tmp_path, how) -> None:
    out = tmp_path / "dist"
    assert build_in_process(minimal_course, out).exit_code == 0
    before = assert_complete(out)
    retitle(minimal_course)
    script = tmp_path / "slow_build.py"
    script.write_text(SLOW_WRITE, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), "build", str(minimal_course), "--out", str(out), NO_PDF],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(),
        text=True,
    )
    with proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "HALF"
            partial = [p for p in out.iterdir() if p.name.endswith(".tmp")]
            assert len(partial) == 1 and partial[0].name.startswith(".") and partial[0].stat().st_size > 0
            proc.send_signal(how)
            _, stderr = proc.communicate(timeout=30)
        finally:
            proc.kill()
    assert proc.returncode == -how if how == signal.SIGKILL else proc.returncode == 128 + how
    assert "Traceback" not in stderr
    assert assert_complete(out) == before  # every package still the previous, complete one
    if how == signal.SIGTERM:
        assert hidden(out) == []  # SIGTERM unwinds: the temporary file is removed
    else:
        assert all(name.endswith(".tmp") for name in hidden(out))  # never a final name
    assert build_in_process(minimal_course, out).exit_code == 0
    after = assert_complete(out)
    assert after.keys() == before.keys() and after != before


def test_a_build_killed_after_its_first_zip_leaves_only_complete_zips(minimal_course, tmp_path) -> None:
    out = tmp_path / "dist"
    proc = subprocess.Popen(
        cli("build", str(minimal_course), "--out", str(out), NO_PDF),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env(),
    )
    with proc:
        try:
            while proc.poll() is None and not list(out.glob("*.zip")):
                time.sleep(0.001)  # kill close to the first rename (a zip takes longer to write)
        finally:
            proc.kill()
    assert list(out.glob("*.zip")), "the build ended before its first zip"
    assert_complete(out)
    assert all(name.endswith(".tmp") for name in hidden(out))


def test_a_failed_write_keeps_the_previous_zip_and_removes_its_temporary_file(
    minimal_course, tmp_path, monkeypatch
) -> None:
    out = tmp_path / "dist"
    assert build_in_process(minimal_course, out, "--format", "scorm12,web").exit_code == 0
    before = assert_complete(out)
    retitle(minimal_course)
    real = os.fdopen

    class DiskFull:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)

        def write(self, data: bytes) -> int:
            self.handle.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("jmdi_scorm.atomic.os.fdopen", lambda *a, **k: DiskFull(real(*a, **k)))
    result = build_in_process(minimal_course, out, "--format", "scorm12,web")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "error: cannot write" in result.output and "No space left on device" in result.output
    assert assert_complete(out) == before
    assert hidden(out) == []


# --- unwritable output ------------------------------------------------------------------------


def _blocked_outputs(tmp_path: Path) -> list[tuple[str, Path]]:
    """Output folders that cannot be written even by root."""
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    taken = tmp_path / "taken"
    (taken / "mini-course-scorm12.zip").mkdir(parents=True)  # the zip's name is a folder
    cases = [("under a file", a_file / "dist"), ("name taken by a folder", taken)]
    if Path("/sys").is_dir():
        cases.append(("sysfs", Path("/sys/jmdi-scorm-test-out")))  # read-only for everyone
    return cases


def test_an_unwritable_output_folder_is_a_clear_error(minimal_course, tmp_path) -> None:
    for label, out in _blocked_outputs(tmp_path):
        result = build_in_process(minimal_course, out, "--format", "scorm12")
        assert result.exit_code == 1, (label, result.output)
        assert isinstance(result.exception, SystemExit), (label, result.exc_info)  # the command's exit, not a crash
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: cannot write "), (label, result.stderr)
        assert str(out) in lines[0], label
        assert result.stdout == ""


def test_an_unwritable_output_folder_in_json_mode(minimal_course, tmp_path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    result = build_in_process(minimal_course, a_file / "dist", "--format", "web", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["error"].startswith("cannot write ")
    assert "Not a directory" in report["error"]


# --- concurrent builds ------------------------------------------------------------------------


def _build_in_child(args: list[str], sender) -> None:
    """A forked process's build: (exit code, standard output, standard error) sent back."""
    result = CliRunner().invoke(main, args)
    sender.send((result.exit_code, result.stdout, result.stderr or repr(result.exc_info)))
    sender.close()


def test_concurrent_builds_into_one_folder_all_succeed(minimal_course, tmp_path) -> None:
    """Three builds at once, each in a process of its own. The processes are forked from this one,
    so they race on the folder at once rather than one after another's interpreter start-up."""
    fork = multiprocessing.get_context("fork")
    out = tmp_path / "dist"
    args = ["build", str(minimal_course), "--out", str(out), "--json", NO_PDF]
    for _ in range(2):
        pipes = [fork.Pipe(duplex=False) for _ in range(3)]
        procs = [fork.Process(target=_build_in_child, args=(args, sender)) for _, sender in pipes]
        for proc in procs:
            proc.start()
        reports = []
        for proc, (receiver, _) in zip(procs, pipes, strict=True):
            assert receiver.poll(300), "a build did not finish"
            code, stdout, stderr = receiver.recv()
            proc.join(timeout=30)
            assert code == 0 and proc.exitcode == 0, stderr
            reports.append({p["package"]: p["sha256"] for p in json.loads(stdout)["packages"]})
        assert reports[0] == reports[1] == reports[2]  # deterministic builds: the same bytes
        zips = assert_complete(out)
        assert {str(out / name) for name in zips} == set(reports[0])
        assert len(zips) == len(TRACKED) + 1
        for name, data in zips.items():
            assert hashlib.sha256(data).hexdigest() == reports[0][str(out / name)]
        assert hidden(out) == []


def test_concurrent_writers_of_one_zip_and_one_folder(tmp_path) -> None:
    """Many writers racing on one destination (threads: a tight, repeatable race)."""
    files = {f"content/{i}.js": bytes([i]) * 4096 for i in range(40)}
    errors: list[BaseException] = []

    def write() -> None:
        try:
            write_tree(files, tmp_path / "site")
            atomic_write(tmp_path / "site.zip", b"x" * 100_000)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    for _ in range(15):
        threads = [threading.Thread(target=write) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert {p.name for p in tmp_path.iterdir()} == {"site", "site.zip"}
    assert {p.relative_to(tmp_path / "site").as_posix(): p.read_bytes() for p in (tmp_path / "site").rglob("*.js")} == (
        files
    )
    assert (tmp_path / "site.zip").read_bytes() == b"x" * 100_000
