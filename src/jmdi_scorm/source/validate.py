"""The check stage: read the course, collect its files, run every rule; what ``validate`` and ``build`` call.

``loader`` reads files into the model, ``rules`` and ``itemlint`` read the model and report;
neither calls the other, this module runs them in order.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from jmdi_scorm.errors import CourseError, Problem
from jmdi_scorm.source import model
from jmdi_scorm.source.early_parse import parsed_early
from jmdi_scorm.source.loader import LoadContext, read_course, reread_topic
from jmdi_scorm.source.rules import check_course, course_assets


def checked_course(root: Path, jobs: int | None = 1) -> tuple[model.Course, LoadContext]:
    """The course in ``root`` read and checked, with the assets it uses (``course_assets``).

    The rules run over every file that could be read, even when others could not, so the
    context's problems are every problem of one run. ``jobs``: processes that parse the topics'
    Markdown while the course is read (``early_parse``; None: one per core for a large course).
    """
    course, ctx = _read_with_assets(root, jobs)
    check_course(course, ctx)
    return course, ctx


def _read_with_assets(root: Path, jobs: int | None) -> tuple[model.Course, LoadContext]:
    with parsed_early(root, jobs) as fill:
        course, ctx = read_course(root)
        fill(ctx.tokens)
    return course.model_copy(update={"assets": course_assets(course, ctx)}), ctx


def load_course(root: Path, jobs: int | None = 1) -> tuple[model.Course, LoadContext]:
    """Read and check the course in ``root``; raise CourseError listing every problem if any is an error.
    ``jobs``: see ``checked_course``."""
    course, ctx = checked_course(root, jobs)
    if ctx.has_errors:
        raise CourseError(ctx.problems)
    return course, ctx


def load_course_checked_later(root: Path, jobs: int | None = 1) -> tuple[model.Course, LoadContext, Callable[[], None]]:
    """``load_course``, the rules run when the function returned is called: the build renders the
    pages meanwhile, in its workers (docs/architecture.md, Parallel work). That function raises
    the CourseError ``load_course`` raises, as often as it is called. A course that could not be
    read whole is checked at once (its CourseError raised here)."""
    course, ctx = _read_with_assets(root, jobs)
    checked: list[bool] = []

    def check() -> None:
        if not checked:
            check_course(course, ctx)
            checked.append(True)
        if ctx.has_errors:
            raise CourseError(ctx.problems)

    if ctx.has_errors:
        check()
    return course, ctx, check


def validate_course(root: Path) -> list[Problem]:
    """Every problem of the course in ``root``, sorted: files, rules, item-writing advice (``itemlint``)
    and the translation checks of its catalogues (``locale/<lang>.po``), as warnings."""
    from jmdi_scorm.source.itemlint import lint_course  # only validate gives item-writing advice

    try:
        course, ctx = checked_course(root)
    except CourseError as exc:  # no course.yaml: nothing else to check
        return exc.problems
    lint_course(course, ctx)
    if not ctx.has_errors:  # the catalogues are checked against a valid course (translate check)
        from jmdi_scorm.source.translation_files import translation_problems  # Babel: only for validate

        ctx.problems.extend(translation_problems(course, ctx))
    return sorted(ctx.problems)


def recheck_topic(course: model.Course, previous: LoadContext, path: Path) -> tuple[model.Course, LoadContext] | None:
    """``load_course`` after only the topic file ``path`` changed: that file read again into
    ``course`` (``loader.reread_topic``), then every rule run as ``load_course`` runs them; the same
    course, problems and CourseError. ``None`` when the whole course must be read (see ``reread_topic``)."""
    reread = reread_topic(course, previous, path)
    if reread is None:
        return None
    course, ctx = reread
    course = course.model_copy(update={"assets": course_assets(course, ctx)})
    check_course(course, ctx)
    if ctx.has_errors:
        raise CourseError(ctx.problems)
    return course, ctx
