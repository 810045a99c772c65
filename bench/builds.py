"""Build timings: ``jmdi-scorm build`` in a child process, timed and measured from outside.

Wall time is the whole command (interpreter start and imports included); CPU time and peak
resident memory come from ``os.wait4`` (the child's ``rusage``, which counts the worker processes
the build forks and waits for: CPU time is theirs added to the build's, peak memory the largest of
them); the in-process build time is the one the command reports in ``--json``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PRIORITY = {"nice": 0}  # run.py --nice: -20, the measured builds' CPU priority on a shared machine


@dataclass(frozen=True)
class Run:
    wall: float  # seconds, whole command
    cpu: float  # seconds, user + system
    rss: float  # MiB, peak resident set
    build: float  # seconds, as reported by the build itself
    pdf: float  # seconds of it spent making module PDFs
    packages: list[dict[str, Any]]


class BuildFailed(Exception):
    pass


def child_env() -> dict[str, str]:
    """The environment of the measured builds: this checkout's sources first."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return env


@cache
def build_help() -> str:
    """``jmdi-scorm build --help`` of this checkout: which options it has."""
    command = [sys.executable, "-m", "jmdi_scorm", "build", "--help"]
    return subprocess.run(command, capture_output=True, text=True, env=child_env(), check=True).stdout


@cache
def has_pdf_step() -> bool:
    """Whether this checkout's build makes module PDFs (and so has ``--no-pdf``)."""
    return "--no-pdf" in build_help()


@cache
def has_pdf_cache() -> bool:
    """Whether this checkout's build keeps module PDFs in a cache (and so has ``--cache-dir``)."""
    return "--cache-dir" in build_help()


@cache
def has_lang_option() -> bool:
    """Whether this checkout's build has ``--lang`` (older commits, compared with, do not)."""
    return "--lang" in build_help()


def build_once(
    course: Path,
    formats: str,
    split: str | None = None,
    out: Path | None = None,
    pdf: bool = False,
    cache: Path | None = None,
    every_language: bool = False,
) -> Run:
    """One build of ``course`` into a fresh folder (``out``, or a temporary one); PDFs only if
    ``pdf``, with the PDF cache ``cache`` (None: a new empty one, i.e. a cold build); in the
    course's own language only unless ``every_language`` (the README's command)."""
    with tempfile.TemporaryDirectory(prefix="jmdi-bench-") as tmp:
        dest = out or Path(tmp) / "out"
        command = [sys.executable, "-m", "jmdi_scorm", "build", str(course), "--out", str(dest)]
        command += ["--format", formats, "--json", *(["--split", split] if split else [])]
        command += ["--no-pdf"] if has_pdf_step() and not pdf else []
        # The course's own language only unless asked: a build makes every language the course has
        # (four for the JMDI course), and the goals and earlier results are per language.
        command += ["--lang", "en"] if has_lang_option() and not every_language else []
        if pdf and has_pdf_cache():  # never the course's own .jmdi-cache: a cold build is cold
            command += ["--cache-dir", str(cache or Path(tmp) / "cache")]
        stdout, stderr = Path(tmp) / "stdout", Path(tmp) / "stderr"
        with stdout.open("wb") as out_file, stderr.open("wb") as err_file:
            started = time.perf_counter()
            child = subprocess.Popen(command, stdout=out_file, stderr=err_file, env=child_env(), preexec_fn=_prioritise)
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            raise BuildFailed(_failure(stdout, stderr))
        data = json.loads(stdout.read_text())
    cpu = usage.ru_utime + usage.ru_stime
    pdf_seconds = float(data.get("pdf_seconds", 0.0))
    return Run(wall, cpu, usage.ru_maxrss / 1024, float(data["seconds"]), pdf_seconds, data["packages"])


def _prioritise() -> None:
    if PRIORITY["nice"]:
        with contextlib.suppress(PermissionError):  # not root: the default priority
            os.nice(PRIORITY["nice"])
        # Linux shares the CPU between sessions first (autogroups, /proc/sys/kernel/sched_autogroup_enabled):
        # a process's own nice value then counts only against its own session. The build (and the
        # workers it forks) get a session of their own, whose autogroup takes the priority (Ctrl-C
        # then stops the bench, and a build already running finishes first).
        with contextlib.suppress(OSError):
            os.setsid()
            Path("/proc/self/autogroup").write_text(str(PRIORITY["nice"]))


def _failure(stdout: Path, stderr: Path) -> str:
    try:
        return json.loads(stdout.read_text())["error"]
    except (ValueError, KeyError):
        lines = stderr.read_text(errors="replace").strip().splitlines()
        return lines[-1] if lines else "build failed"


#: Empty PDF cache; nothing changed (the same output folder: the build record finds it up to
#: date); every PDF cached but a new output folder (everything else made again); one topic changed.
PDF_CASES = ("cold", "warm", "cached", "topic")


def measure(
    course: Path,
    formats: str,
    runs: int,
    split: str | None = None,
    pdf: bool = False,
    pdf_case: str = "cold",
    every_language: bool = False,
) -> dict[str, Any]:
    """``runs`` builds; median, min and max of each measure (or the error of a failed build).

    With ``pdf``, ``pdf_case`` says what the PDF cache holds before each measured build: nothing
    (``cold``), every PDF of this course (a first build fills it; ``warm``: each build into the
    first one's output folder, so nothing changed and it is not made again; ``cached``: each
    build into a new folder), or every PDF but one module's, whose first topic gets one more
    sentence before each build (``topic``; the changes go to a copy of the course; the same
    output folder, as a designer rebuilds)."""
    try:
        if pdf and pdf_case != "cold":
            samples = _with_cache(course, formats, runs, split, pdf_case, every_language)
        else:
            with tempfile.TemporaryDirectory(prefix="jmdi-bench-series-") as series:
                # Each build's output is kept until the series is measured: on ext4 without a
                # journal (the bench's machine), a build that creates its 24,000 files and folders
                # just after the previous build's were deleted waits for the file system to skip
                # every inode freed in the last minute (docs/architecture.md, Parallel work).
                outs = [Path(series) / f"run-{run}" for run in range(runs)]
                samples = [
                    build_once(course, formats, split, out=out, pdf=pdf, every_language=every_language) for out in outs
                ]
    except BuildFailed as exc:
        return {"formats": formats, "error": str(exc)}
    result: dict[str, Any] = {"formats": formats, "runs": runs, "split": split, "with_pdf": pdf}
    result["languages"] = "every" if every_language else "source"
    if pdf:
        result["pdf_case"] = pdf_case
    for key in ("wall", "cpu", "rss", "build", "pdf"):
        values = [getattr(sample, key) for sample in samples]
        result[key] = {"median": statistics.median(values), "min": min(values), "max": max(values)}
    result["packages"] = samples[-1].packages
    # a changed topic gives other packages on each run: nothing to compare
    result["reproducible"] = None if pdf and pdf_case == "topic" else len({_digest(s.packages) for s in samples}) == 1
    return result


def _with_cache(course: Path, formats: str, runs: int, split: str | None, case: str, every_language: bool) -> list[Run]:
    with tempfile.TemporaryDirectory(prefix="jmdi-bench-cache-") as tmp:
        cache, copy = Path(tmp) / "cache", Path(tmp) / "course"
        shutil.copytree(course, copy, ignore=shutil.ignore_patterns(".jmdi-cache"))
        out = None if case == "cached" else Path(tmp) / "out"
        build_once(copy, formats, split, out, pdf=True, cache=cache, every_language=every_language)  # fills the cache
        topic = min((copy / "modules").glob("*/*.md")) if case == "topic" else None
        samples = []
        for run in range(runs):
            if topic is not None:
                with topic.open("a", encoding="utf-8") as file:
                    file.write(f"\nOne more sentence for benchmark run {run + 1}.\n")
            samples.append(build_once(copy, formats, split, out, pdf=True, cache=cache, every_language=every_language))
        return samples


def _digest(packages: list[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(sorted(str(p["sha256"]) for p in packages))


def buildable_formats(course: Path, formats: list[str], split: str | None) -> tuple[list[str], dict[str, str]]:
    """The formats that can package ``course`` (in-process: one load and render), and why others can't."""
    sys.path.insert(0, str(ROOT / "src"))
    from jmdi_scorm.build import scopes
    from jmdi_scorm.errors import JmdiError
    from jmdi_scorm.render.pages import render_site
    from jmdi_scorm.source.loader import load_course
    from jmdi_scorm.targets import TARGETS

    loaded, _ = load_course(course)
    site = render_site(loaded)
    good, refused = [], {}
    for name in formats:
        try:
            for scope in scopes(loaded, split):
                TARGETS[name].package(loaded, site, scope)
            good.append(name)
        except JmdiError as exc:
            refused[name] = str(exc)
    return good, refused
