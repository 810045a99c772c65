"""Command line: parses options, calls the core, maps user errors to exit codes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import CourseError, JmdiError, Problem
from .loader import load_course

COURSE_DIR = click.argument("course_dir", default="course", type=click.Path(file_okay=False, path_type=Path))


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
    if not course_dir.is_dir():
        _report([Problem(str(course_dir), 1, "", "course directory not found")], fmt)
        sys.exit(1)
    try:
        course, ctx = load_course(course_dir)
        problems = ctx.problems
    except CourseError as exc:
        problems = exc.problems
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
    from .schema import write_reference, write_schemas

    for path in [*write_schemas(out), write_reference(reference)]:
        click.echo(f"wrote {path}")


def run() -> None:
    """Entry point: user errors exit 1 with a message, never a traceback."""
    try:
        main(standalone_mode=True)
    except JmdiError as exc:  # pragma: no cover - click handles SystemExit
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
