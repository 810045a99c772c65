"""Builds spread over processes (``build --jobs``, ``jmdi_scorm.workers``): the topics' Markdown
parsed while the course is read, the pages rendered a module at a time, the packages made and
written a module at a time, each in forked workers; the same bytes as in one process, and a
package that fails in a worker stops the build with its own error and no partial output.

``--jobs 2`` asks for two processes whatever the course's size (by default a pool starts only for
large courses), so the minimal course takes every parallel path.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from jmdi_scorm import build as build_module
from jmdi_scorm import workers
from jmdi_scorm.build import BuildOptions, build
from jmdi_scorm.cli import main
from jmdi_scorm.errors import BuildError, CourseError, Problem
from jmdi_scorm.source import early_parse, validate
from tests.cli.test_translation_build import _with_catalogue

FORMATS = ("web", "scorm12", "scorm2004-3rd", "scorm2004-4th", "xapi", "cmi5")
LEAK = "Authorization: Basic bHJzOnNlY3JldHNlY3JldA=="  # what the safety audit refuses in any package


def files_of(out: Path) -> dict[str, str]:
    """Every file under ``out`` (zips, import sheets, web folders, hidden ones too) and its SHA-256."""
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


class Pools:
    """Where the parts of each pool ran (``workers.Spread``), recorded from the worker processes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir()

    def processes(self) -> set[str]:
        """The processes parts ran in; ``here`` when a step ran in the build's own process."""
        return {path.name.split("-")[0] for path in self.folder.iterdir()}

    def clear(self) -> None:
        for path in self.folder.iterdir():
            path.unlink()


def summary(package: dict[str, object]) -> dict[str, object]:
    """A package of the build's summary, its paths as names (the two builds write to two folders)."""
    return package | {key: Path(str(package[key])).name for key in ("package", "folder") if package[key]}


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Pools:
    found = Pools(tmp_path / "pools")

    class Recorded(workers.Spread):  # type: ignore[type-arg]
        def __init__(self, task, parts, processes, start=None) -> None:  # noqa: ANN001
            def recorded(part):  # noqa: ANN001, ANN202
                (found.folder / f"{os.getpid()}-{uuid.uuid4().hex}").touch()
                return task(part)

            super().__init__(recorded, parts, processes, start)
            if self._executor is None:
                (found.folder / f"here-{uuid.uuid4().hex}").touch()

    monkeypatch.setattr(workers, "Spread", Recorded)
    return found


@pytest.mark.parametrize("split", [None, "module"], ids=["whole course", "split"])
def test_two_processes_make_the_same_bytes_as_one(tmp_path: Path, pools: Pools, split: str | None) -> None:
    # English and (pseudo-)French: language maps, one web package for both, and with the whole
    # course, a worker whose first packages are the French ones
    course = _with_catalogue(tmp_path / "course")
    results = {}
    for jobs in (1, 2):
        pools.clear()
        options = BuildOptions(formats=FORMATS, out=tmp_path / f"out{jobs}", split=split, pdf=False, jobs=jobs)
        results[jobs] = build(course, options)
    assert files_of(tmp_path / "out1") == files_of(tmp_path / "out2")
    # 11 zips, their import sheets and the web folder (whole course), or 22 zips and their sheets (split)
    assert len(files_of(tmp_path / "out1")) > 30
    assert [summary(a.as_dict()) for a in results[1].artifacts] == [summary(a.as_dict()) for a in results[2].artifacts]
    assert (results[1].notes, results[1].details) == (results[2].notes, results[2].details)
    # the second build ran its parse, render and packaging in pools, in two processes not the build's
    assert "here" not in pools.processes() and len(pools.processes()) >= 2
    assert str(os.getpid()) not in pools.processes()


def test_each_language_is_translated_and_rendered_in_a_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = _with_catalogue(tmp_path / "course")
    seen = tmp_path / "seen"
    seen.mkdir()
    render_pages = build_module.render_pages

    def recorded(course_in_language, *args):  # noqa: ANN001, ANN002, ANN202
        (seen / f"{course_in_language.translation or 'source'}-{os.getpid()}").touch()
        return render_pages(course_in_language, *args)

    monkeypatch.setattr(build_module, "render_pages", recorded)  # forked workers inherit it
    build(course, BuildOptions(formats=("scorm12",), out=tmp_path / "out", pdf=False, jobs=2))
    ran = dict(path.name.split("-") for path in seen.iterdir())
    assert sorted(ran) == ["fr", "source"]
    # in the pool, not the build's process; which worker takes which language is the pool's choice
    # (on a loaded machine one worker may take both before the other has started)
    assert str(os.getpid()) not in ran.values()


def test_a_course_error_in_a_language_worker_reaches_the_build_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A course error raised in a worker is pickled back with its problems (``CourseError.__reduce__``)."""
    course = _with_catalogue(tmp_path / "course")
    problem = Problem("locale/fr.po", 12, "msgstr", "a broken translation", "error")
    render_pages = build_module.render_pages

    def failing(course_in_language, *args):  # noqa: ANN001, ANN002, ANN202
        if course_in_language.translation == "fr":
            raise CourseError([problem])
        return render_pages(course_in_language, *args)

    monkeypatch.setattr(build_module, "render_pages", failing)  # forked workers inherit it
    out = tmp_path / "out"
    with pytest.raises(CourseError) as caught:
        build(course, BuildOptions(formats=("scorm12",), out=out, pdf=False, jobs=2))
    assert caught.value.problems == [problem]
    assert not out.exists()


@pytest.mark.parametrize("module", ["intro", "practice"], ids=["first module", "last module"])
def test_a_package_failing_in_a_worker_stops_the_build_with_no_partial_output(
    minimal_course: Path, tmp_path: Path, module: str, pools: Pools
) -> None:
    out = tmp_path / "dist"
    options = BuildOptions(formats=FORMATS, out=out, split="module", pdf=False, jobs=2)
    build(minimal_course, options)
    before = files_of(out)
    topic = sorted((minimal_course / "modules" / module).glob("*.md"))[-1]
    topic.write_text(topic.read_text(encoding="utf-8") + f"\nOur LRS: `{LEAK}`\n", encoding="utf-8")
    with pytest.raises(BuildError, match=rf"refusing to write an unsafe package: content/{topic.stem}\.js:\d+"):
        build(minimal_course, options)
    assert files_of(out) == before  # every package as it was, no temporary file left
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []
    assert "here" not in pools.processes()  # the packages were made in workers


def test_the_command_reports_a_worker_failure_as_one_error(minimal_course: Path, tmp_path: Path) -> None:
    topic = minimal_course / "modules" / "practice" / "practice-01.md"
    topic.write_text(topic.read_text(encoding="utf-8") + f"\nOur LRS: `{LEAK}`\n", encoding="utf-8")
    out = tmp_path / "dist"
    args = ["build", str(minimal_course), "--out", str(out), "--split", "module", "--no-pdf", "--json"]
    result = CliRunner(env={"JMDI_JOBS": "2"}).invoke(main, args)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and "content/practice-01.js" in report["error"]
    assert not out.exists() or list(out.iterdir()) == []


def _broken(course: Path, resource: bool) -> list[Problem]:
    """Break ``course`` (a link to no file; with ``resource``, a resource file that does not exist,
    which the pages read too); the problems the check stage finds."""
    topic = course / "modules" / "intro" / "intro-01.md"
    topic.write_text(topic.read_text(encoding="utf-8") + "\n[A page](nowhere.md)\n", encoding="utf-8")
    if resource:
        resources = course / "resources.yaml"
        resources.write_text(resources.read_text(encoding="utf-8").replace("assets/handout.txt", "assets/gone.txt"))
    with pytest.raises(CourseError) as expected:
        validate.load_course(course)
    assert any("nowhere.md" in p.message for p in expected.value.problems)
    return list(expected.value.problems)


def test_the_checks_run_while_the_workers_render_the_pages(
    minimal_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _broken(minimal_course, resource=False)
    events: list[str] = []
    check = validate.check_course
    monkeypatch.setattr(validate, "check_course", lambda *args: events.append("check") or check(*args))

    class Recorded(workers.Spread):  # type: ignore[type-arg]
        def __init__(self, task, parts, processes, start=None) -> None:  # noqa: ANN001
            events.append(f"pool of {processes}")
            super().__init__(task, parts, processes, start)

    monkeypatch.setattr(workers, "Spread", Recorded)
    out = tmp_path / "dist"
    with pytest.raises(CourseError) as caught:
        build(minimal_course, BuildOptions(formats=FORMATS, out=out, split="module", pdf=False, jobs=2))
    assert caught.value.problems == expected
    assert events == ["pool of 2", "pool of 2", "check"]  # the parse's workers, the pages' workers, then the checks
    assert not out.exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_course_error_comes_before_what_it_breaks_in_the_pages(
    minimal_course: Path, tmp_path: Path, jobs: int
) -> None:
    expected = _broken(minimal_course, resource=True)
    out = tmp_path / "dist"
    with pytest.raises(CourseError) as caught:
        build(minimal_course, BuildOptions(formats=FORMATS, out=out, split="module", pdf=False, jobs=jobs))
    assert caught.value.problems == expected
    assert any("gone.txt" in p.message for p in caught.value.problems)
    assert not out.exists()


def test_the_command_starts_the_parse_the_build_takes_it_over_or_ends_it(
    minimal_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``build`` starts the topics' parse before it imports the build's modules; the build takes
    those workers over rather than starting others, and a build that stops first ends them."""
    starts: list[Path] = []
    start = early_parse._start
    monkeypatch.setattr(early_parse, "_start", lambda root, jobs: starts.append(root) or start(root, jobs))
    args = ["build", str(minimal_course), "--no-pdf", "--jobs", "2", "-q"]
    assert CliRunner().invoke(main, [*args, "--format", "web", "--out", str(tmp_path / "a")]).exit_code == 0
    assert starts == [minimal_course.resolve()] and early_parse._STARTED == {}
    assert files_of(tmp_path / "a")
    result = CliRunner().invoke(main, [*args, "--format", "nope", "--out", str(tmp_path / "b")])
    assert result.exit_code == 1 and "unknown format 'nope'" in result.output
    assert len(starts) == 2 and early_parse._STARTED == {}


def test_jobs_must_be_a_positive_number(minimal_course: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(minimal_course), "--out", str(tmp_path), "--jobs", "0"])
    assert result.exit_code == 2 and "--jobs" in result.output
    result = CliRunner(env={"JMDI_JOBS": "many"}).invoke(main, ["build", str(minimal_course), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "many" in result.output


def test_fork_map_gives_results_in_order_or_undoes_them_all() -> None:
    undone: list[int] = []

    def square(n: int) -> int:
        if n == 7:
            raise BuildError("seven")
        return n * n

    assert workers.fork_map(square, [1, 2, 3, 4, 5], 2) == [1, 4, 9, 16, 25]
    with pytest.raises(BuildError, match="seven"):
        workers.fork_map(square, [1, 2, 7, 4, 5], 2, undo=undone.append)
    assert undone[:2] == [1, 4] and set(undone) <= {1, 4, 16, 25}  # what ran, undone; nothing past the error kept
    assert workers.count(None, 100, pays=False) == 1 and workers.count(3, 2) == 2 and workers.count(1, 100) == 1
