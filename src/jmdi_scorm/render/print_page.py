"""The print page of a module (``print/<module-id>.html``): the whole module on one page, with no
JavaScript, for paper and for the module PDF (``pdf.py``)."""

from __future__ import annotations

import posixpath
from typing import Any

from jmdi_scorm.render.answer_key import PrintedQuestion, printed_questions
from jmdi_scorm.render.launch_page import csp_attribute
from jmdi_scorm.render.markdown_html import Context
from jmdi_scorm.render.page_kinds import module_folder
from jmdi_scorm.render.renderer import Renderer
from jmdi_scorm.render.site import assessment_page_id
from jmdi_scorm.source import model


def print_page(r: Renderer, module: model.Module) -> bytes:
    """A module on one page (``print.html``): its topics with their knowledge checks, its
    assessment, the questions numbered through the module, and their answer key at the end
    (``tracking.answer_key``: every question's answers, the knowledge checks' only, or none)."""
    printed = frozenset(t.id for t in module.topics)
    ctx = Context(base=module_folder(module), page=module.id, mode="print", printed=printed)
    topics: list[dict[str, Any]] = []
    keyed: list[list[PrintedQuestion]] = []  # the questions whose answers the key gives: each topic's…
    questions = 0
    for topic in module.topics:
        topic_ctx = Context(
            base=posixpath.dirname(topic.source),
            page=topic.id,
            mode="print",
            printed=printed,
            id_prefix=f"{topic.id}--",
        )
        checks = printed_questions(topic.questions, topic.id, topic.title, questions + 1, r.md, topic_ctx, r.strings)
        topics.append({"meta": topic.meta, "body": r.markdown(topic.body, topic_ctx), "questions": checks})
        keyed.append(checks)
        questions += len(checks)
        ctx.assets.update(topic_ctx.assets)
    assessment = None
    answers = r.course.meta.tracking.answer_key
    if module.meta.assessment:
        page_id = assessment_page_id(module.id)
        assessment_ctx = Context(
            base=module_folder(module), page=page_id, mode="print", printed=printed, id_prefix=f"{module.id}--a-"
        )
        title = module.meta.assessment.title
        items = printed_questions(
            module.meta.assessment.questions, page_id, title, questions + 1, r.md, assessment_ctx, r.strings
        )
        assessment = {"id": page_id.replace(".", "-"), "title": title, "questions": items}
        if answers == "all":
            keyed.append(items)  # …and the assessment's
        ctx.assets.update(assessment_ctx.assets)
    html = r.env.get_template("print.html").render(
        r.context(
            module=module.meta,
            aim=r.markdown(module.meta.aim, ctx),
            topics=topics,
            assessment=assessment,
            key=[] if answers == "none" else [{"where": q[0].where, "questions": q} for q in keyed if q],
            key_without_assessment=assessment is not None and answers == "knowledge-checks",
            csp=csp_attribute(None),
        )
    )
    r.page_files.setdefault(module.id, set()).update(ctx.assets)
    return r.dirs.runs(html).encode()
