"""What each kind of page shows (home, module overview, topic, assessment, glossary, resources,
summary): :func:`page_html` renders a page's HTML fragment with ``templates/pages/<kind>.html``
from what its builder gathers."""

from __future__ import annotations

import posixpath
from typing import Any

from markupsafe import Markup, escape

from jmdi_scorm.render.covers import module_cover
from jmdi_scorm.render.markdown_html import Context
from jmdi_scorm.render.question_views import question_views
from jmdi_scorm.render.renderer import Renderer
from jmdi_scorm.render.site import Page, assessment_page_id, module_pdf_path, print_page_path
from jmdi_scorm.source import model


def page_base(course: model.Course, page: Page) -> str:
    module = _module(course, page.module) if page.module else None
    if page.kind == "topic" and module:
        return posixpath.dirname(next(t.source for t in module.topics if t.id == page.id))
    return module_folder(module) if module else "."


def module_folder(module: model.Module) -> str:
    return posixpath.dirname(module.topics[0].source) if module.topics else f"modules/{module.id}"


def _module(course: model.Course, module_id: str) -> model.Module:
    return next(m for m in course.modules if m.id == module_id)


def page_html(r: Renderer, page: Page, ctx: Context) -> tuple[str, dict[str, Any]]:
    """The HTML fragment of one page and the answer data of its questions."""
    builder = {
        "home": _home,
        "module": _module_overview,
        "topic": _topic,
        "assessment": _assessment,
        "glossary": _glossary,
        "resources": _resources,
        "summary": _summary,
    }[page.kind]
    extra, views = builder(r, page, ctx)
    html = r.fragment(f"pages/{page.kind}.html", page, questions=views, **extra)
    return html, {view.qid: view.data for view in views}


def _home(r: Renderer, page: Page, ctx: Context) -> tuple[dict[str, Any], list]:
    meta = r.course.meta
    modules = [
        {"page": m.id, "title": m.title, "minutes": sum(t.meta.minutes for t in m.topics), "topics": len(m.topics)}
        for m in r.course.modules
    ]
    first = next((p for p in r.pages if p.kind == "module"), None)
    return {
        "description": r.markdown(meta.description, ctx),
        "how_to_use": r.markdown(meta.how_to_use, ctx),
        "modules": modules,
        "first": first,
        "rules": _rules(r),
    }, []


def _rules(r: Renderer) -> list[str]:
    tracking, s = r.course.meta.tracking, r.strings
    pct = lambda value: round(value * 100)  # noqa: E731
    mastery = s["mastery_note"] if tracking.attempts else s["mastery_note_unlimited"]
    # What counts as done, as the core counts it (jmdi-core.js refreshPageStatus: opened, and each
    # question final: right, or out of tries when they are limited).
    done = s["done_note"] if tracking.attempts else s["done_note_unlimited"]
    # The core rewrites the pass mark when the LMS sets its own for the launch (cmi5 LaunchData).
    mark = Markup('<span data-jmdi-out="mastery">{}</span>').format(pct(tracking.mastery_score))
    return [
        s["completion_note"].format(pct=pct(tracking.completion_threshold)),
        done,
        Markup(escape(mastery)).format(pct=mark, attempts=tracking.attempts),
    ]


def _module_overview(r: Renderer, page: Page, ctx: Context) -> tuple[dict[str, Any], list]:
    module = _module(r.course, page.id)
    topics = [
        {"page": t.id, "title": t.title, "summary": t.meta.summary, "minutes": t.meta.minutes} for t in module.topics
    ]
    assessment = assessment_page_id(module.id) if module.meta.assessment else None
    print_href = print_page_path(module.id)
    pdf_href = module_pdf_path(r.course.id, module.id) if r.options.pdf_downloads else None
    r.page_files.setdefault(page.id, set()).update(href for href in (print_href, pdf_href) if href)
    return {
        "module": module.meta,
        "aim": r.markdown(module.meta.aim, ctx),
        "topics": topics,
        "assessment": next((p for p in r.pages if p.id == assessment), None),
        "print_href": print_href,
        "pdf_href": pdf_href,
        "label": _short_title(module.title),
        "cover": module_cover(r.course.modules.index(module)),
    }, []


def _short_title(title: str) -> str:
    """The short name of a module for its download link: "Module 1" of "Module 1: Managing…"."""
    label, colon, _ = title.partition(":")
    return label.strip() if colon and label.strip() else title


def _topic(r: Renderer, page: Page, ctx: Context) -> tuple[dict[str, Any], list]:
    module = _module(r.course, page.module or "")
    topic = next(t for t in module.topics if t.id == page.id)
    views = question_views(topic.questions, page.id, r.md, ctx, r.strings)
    return {"module": module.meta, "topic": topic.meta, "body": r.markdown(topic.body, ctx)}, views


def _assessment(r: Renderer, page: Page, ctx: Context) -> tuple[dict[str, Any], list]:
    module = _module(r.course, page.module or "")
    assert module.meta.assessment is not None
    views = question_views(module.meta.assessment.questions, page.id, r.md, ctx, r.strings)
    return {"module": module.meta, "assessment": module.meta.assessment}, views


def _glossary(r: Renderer, page: Page, ctx: Context) -> tuple[dict[str, Any], list]:
    return {"terms": sorted(r.course.glossary, key=lambda t: t.term.casefold())}, []


def _resources(r: Renderer, page: Page, ctx: Context) -> tuple[dict[str, Any], list]:
    # content: the group's title is course text (a module's title), not an interface word
    groups = [
        {
            "title": r.strings["general_resources"],
            "items": [x for x in r.course.resources if not x.module],
            "content": False,
        },
        *(
            {"title": m.title, "items": [x for x in r.course.resources if x.module == m.id], "content": True}
            for m in r.course.modules
        ),
    ]
    ctx.assets.update(x.file for x in r.course.resources if x.file)
    # The module PDFs the package carries (pdf.py makes them after rendering; none without).
    pdfs = [
        {"title": m.title, "href": module_pdf_path(r.course.id, m.id)}
        for m in r.course.modules
        if r.options.pdf_downloads and r.scope.module in (None, m.id)
    ]
    return {"groups": [g for g in groups if g["items"]], "pdfs": pdfs}, []


def _summary(r: Renderer, page: Page, ctx: Context) -> tuple[dict[str, Any], list]:
    return {"modules": r.course.modules, "rules": _rules(r)}, []
