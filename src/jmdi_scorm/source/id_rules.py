"""Id rules: every id is unique where the packages need it to be (modules, topics, questions,
glossary terms, resources), and no module or topic takes the id of a page the site makes itself."""

from __future__ import annotations

from pathlib import Path

from jmdi_scorm.source import model
from jmdi_scorm.source.loader import LoadContext
from jmdi_scorm.source.page_ids import RESERVED_PAGE_IDS, assessment_page_id


def check_unique_ids(course: model.Course, ctx: LoadContext) -> None:
    seen: dict[str, str] = {course.id: "course.yaml"}
    for module in course.modules:
        _claim(ctx, seen, module.id, module.source, ("id",))
        for topic in module.topics:
            _claim(ctx, seen, topic.id, ctx.shown(Path(course.root) / topic.source), ("id",))
            _unique_questions(ctx, topic.questions, ctx.shown(Path(course.root) / topic.source), ("questions",))
        if module.meta.assessment:
            _unique_questions(ctx, module.meta.assessment.questions, module.source, ("assessment", "questions"))
    glossary_file = ctx.shown(Path(course.root) / "glossary.yaml")
    _unique_list(ctx, [t.id for t in course.glossary], glossary_file, "terms")
    _unique_list(ctx, [r.id for r in course.resources], ctx.shown(Path(course.root) / "resources.yaml"), "resources")


def check_page_ids(course: model.Course, ctx: LoadContext) -> None:
    """Module and topic ids are page ids: none may be one of the site's own pages (``glossary``, ...)
    or the page of a module assessment (``<module>.assessment``)."""
    root = Path(course.root)
    derived = {assessment_page_id(m.id): m.source for m in course.modules if m.meta.assessment}
    for module in course.modules:
        owners = [(module.id, module.source)] + [(t.id, ctx.shown(root / t.source)) for t in module.topics]
        for ident, shown in owners:
            if ident in RESERVED_PAGE_IDS:
                message = f"id '{ident}' is reserved for a page of the site; choose another id"
            elif ident in derived:
                message = f"id '{ident}' is the page of the assessment of {derived[ident]}; choose another id"
            else:
                continue
            ctx.error(shown, ctx.line(shown, ("id",)), "id", message)


def _claim(ctx: LoadContext, seen: dict[str, str], ident: str, shown: str, loc: tuple[str, ...]) -> None:
    if ident in seen:
        ctx.error(shown, ctx.line(shown, loc), "id", f"duplicate id '{ident}' (already used in {seen[ident]})")
    else:
        seen[ident] = shown


def _unique_questions(ctx: LoadContext, questions: list, shown: str, loc: tuple[str, ...]) -> None:
    _unique_list(ctx, [q.id for q in questions], shown, ".".join(loc), loc)


def _unique_list(ctx: LoadContext, ids: list[str], shown: str, name: str, loc: tuple[str, ...] | None = None) -> None:
    first: dict[str, int] = {}
    for index, ident in enumerate(ids):
        if ident in first:
            line = ctx.line(shown, (*(loc or (name,)), index, "id"))
            ctx.error(shown, line, f"{name}[{index}].id", f"duplicate id '{ident}' (also {name}[{first[ident]}])")
        first.setdefault(ident, index)
