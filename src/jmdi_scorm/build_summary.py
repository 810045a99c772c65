"""What ``jmdi-scorm build`` shows on the terminal: the progress bar while it runs, then its
summary (a row per package and PDF, the notes, each package's details with ``--verbose``, a line
of totals) or the JSON of its result."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click

from jmdi_scorm.errors import Problem


def print_build(data: dict[str, Any], as_json: bool, quiet: bool, verbose: bool = False) -> None:
    """What ``build`` prints of its result (``data``: ``BuildResult.as_dict()`` or a build record's)."""
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for problem in data["problems"]:
        click.echo(str(Problem(**problem)), err=True)
    if not quiet:
        _table(data, verbose)


@contextlib.contextmanager
def progress_bar(*, enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar on standard error when it is a terminal (never in --json mode, CI logs or tests)."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description:<48}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("building", total=None)

        def update(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=total)

        yield update


def _table(data: dict[str, Any], verbose: bool) -> None:
    """The build's packages and PDFs, one row each, its notes (with ``verbose``, each package's details
    too), then a line of totals on standard error."""
    rows = [("package", "format", "files", "size", "sha-256")]
    rows += [(p["package"], p["format"], str(p["files"]), _size(p["size"]), p["sha256"]) for p in data["packages"]]
    rows += [(d["path"], "pdf", "1", _size(d["size"]), d["sha256"]) for d in data["downloads"]]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].rjust(widths[2]), row[3].rjust(widths[3])]
        click.echo("  ".join([*cells, row[4]]))
    for detail in data["details"] if verbose else ():
        click.echo(f"detail: {detail}")
    for note in data["notes"]:
        click.echo(f"note: {note}")
    count = len(data["packages"])
    pdfs = f" and {len(data['downloads'])} module PDF(s)" if data["downloads"] else ""
    timing = (
        f" (PDFs {data['pdf_seconds']:.2f} s: {data['pdf_rendered']} rendered, {data['pdf_reused']} reused)"
        if data["downloads"] and not data["up_to_date"]
        else ""
    )
    state = " up to date" if data["up_to_date"] else ""
    hidden = len(data["details"]) if not verbose else 0
    more = f"; {hidden} package detail(s): --verbose" if hidden else ""
    click.echo(f"{count} package(s){pdfs}{state} in {data['seconds']:.2f} s{timing}{more}", err=True)


def _size(size: int) -> str:
    return f"{size / 1024:.1f} KiB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.2f} MiB"
