"""``jmdi-scorm translate``: the course's translation catalogues (extract, update, status, check).

The commands only parse options and print; the work is in :mod:`jmdi_scorm.source.translation_commands`,
imported when a command runs (Babel and the loader are not loaded for the other commands).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import click

from jmdi_scorm.errors import CourseError, JmdiError

T = TypeVar("T")
COURSE_DIR = click.argument("course_dir", default="course", type=click.Path(file_okay=False, path_type=Path))


def _run(action: Callable[[], T]) -> T:
    """``action()``, or the course's problems (or the error) printed and exit status 1."""
    try:
        return action()
    except CourseError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"error: {exc} (run `jmdi-scorm validate`)", err=True)
    except JmdiError as exc:
        click.echo(f"error: {exc}", err=True)
    sys.exit(1)


@click.group()
def translate() -> None:
    """Translate the course: gettext catalogues in COURSE_DIR/locale (see docs/translating.md)."""


@translate.command()
@COURSE_DIR
def extract(course_dir: Path) -> None:
    """Write COURSE_DIR/locale/messages.pot: every translatable text of the course."""
    from jmdi_scorm.source.translation_commands import extract_files

    path, template = _run(lambda: extract_files(course_dir))
    messages = [m for m in template if m.id]
    words = sum(len(str(m.id).split()) for m in messages)
    click.echo(f"wrote {path}: {len(messages)} segments, {words} words")


@translate.command()
@COURSE_DIR
@click.option(
    "--lang",
    "languages",
    multiple=True,
    metavar="CODE",
    help="Language to create or update (repeatable); default: every catalogue present.",
)
def update(course_dir: Path, languages: tuple[str, ...]) -> None:
    """Create or update COURSE_DIR/locale/<lang>.po from the course.

    Translations are kept; an entry whose English changed is marked fuzzy (the former English
    shown as `#| msgid`), new texts come in untranslated, removed ones are kept as obsolete (#~).
    """
    from jmdi_scorm.source.translation_commands import update_files
    from jmdi_scorm.source.translation_files import languages as present
    from jmdi_scorm.source.translation_files import progress

    chosen = languages or tuple(present(course_dir))
    if not chosen:
        click.echo("error: no catalogue yet: give the language with --lang (e.g. --lang fr)", err=True)
        sys.exit(1)
    for language in chosen:
        path, catalog = _run(partial(update_files, course_dir, language))
        status = progress(catalog, catalog, language)
        click.echo(
            f"wrote {path}: {status.translated} translated, {status.fuzzy} fuzzy, "
            f"{status.untranslated} untranslated of {status.total}"
        )


@translate.command()
@COURSE_DIR
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
def status(course_dir: Path, fmt: str) -> None:
    """How much of the course each catalogue translates, against the course as it is now."""
    from dataclasses import asdict

    from jmdi_scorm.source.translation_commands import status_files

    rows = _run(lambda: status_files(course_dir))
    if fmt == "json":
        click.echo(json.dumps([asdict(row) for row in rows], indent=2))
        return
    if not rows:
        click.echo(f"no catalogue in {course_dir / 'locale'}: `jmdi-scorm translate update {course_dir} --lang CODE`")
        return
    header = ("language", "total", "translated", "fuzzy", "untranslated", "words", "words left", "done")
    table = [header] + [
        (
            row.language,
            *(str(n) for n in (row.total, row.translated, row.fuzzy, row.untranslated, row.words, row.words_left)),
            f"{100 * row.translated // max(row.total, 1)}%",
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        cells = [line[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(line[1:], widths[1:], strict=True)
        ]
        click.echo("  ".join(cells))


@translate.command()
@COURSE_DIR
@click.option("--lang", "languages", multiple=True, metavar="CODE", help="Check this language only (repeatable).")
@click.option("--each", is_flag=True, help="One line per untranslated or fuzzy segment (default: a count).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@click.option("--strict", is_flag=True, help="Exit with status 1 if there is any finding.")
def check(course_dir: Path, languages: tuple[str, ...], each: bool, fmt: str, strict: bool) -> None:
    """Check the translations: untranslated and fuzzy segments, numbers, links, glossary ids,
    placeholders, Markdown structure, length, questions and glossary terms."""
    from jmdi_scorm.source.translation_commands import check_files

    problems = _run(partial(check_files, course_dir, languages, each))
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in problems], indent=2))
    else:
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"{len(problems)} finding(s)", err=True)
    sys.exit(1 if strict and problems else 0)
