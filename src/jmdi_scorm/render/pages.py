"""Render the course once into the :class:`~jmdi_scorm.render.site.Site` every target packages.

Pages are HTML fragments wrapped in content scripts (``content/<page-id>.js`` calls
``JMDI.page({...})``) that the launch page loads with a ``<script>`` element, so the site
works from ``file://`` as well as over HTTP and the launch page never unloads. The home page
is embedded in the launch page itself. Each module also gets a standalone print page
``print/<module-id>.html`` (no JavaScript).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import itertools
import json
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment
from markupsafe import Markup, escape

from jmdi_scorm import __version__, workers
from jmdi_scorm.errors import BuildError
from jmdi_scorm.render import i18n
from jmdi_scorm.render.answer_key import PrintedQuestion, printed_questions
from jmdi_scorm.render.bidi import Directions
from jmdi_scorm.render.compact import compact_css, compact_js
from jmdi_scorm.render.covers import module_cover
from jmdi_scorm.render.markdown_html import Context, MarkdownRenderer
from jmdi_scorm.render.question_views import question_views
from jmdi_scorm.render.site import (
    ADAPTERS,
    COURSE,
    HOME,
    LAUNCH,
    RUNTIME_DIR,
    LanguageLink,
    Page,
    Scope,
    Site,
    assessment_page_id,
    course_pages,
    module_pdf_path,
    print_page_path,
)
from jmdi_scorm.render.theme import environment
from jmdi_scorm.source import model, spec_limits
from jmdi_scorm.source.context import BuildContext

#: The only origins a page may use: its own package (no CDN, fonts, icons or analytics).
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",  # data: for the launch page's icon (ICON), no request of its own
    "font-src": "'self'",
    "media-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'none'",
}
#: The runtime every package ships as files; jmdi-questions.js and .css are loaded by the core with the
#: first page that has questions (issue 15), jmdi-viewer.js (which loads its .css) when a figure is
#: first opened, jmdi-glossary.js (which loads its .css) when a glossary term is first opened in a
#: page, jmdi-pages.css (the other pages' content and print rules) once the first page is up; jmdi.css
#: is the print pages' (the launch page carries it written in, as it carries the core, jmdi-core.js:
#: launch_style, launch_script).
CORE_FILES = (
    "jmdi-questions.js",
    "jmdi-viewer.js",
    "jmdi-glossary.js",
    "jmdi.css",
    "jmdi-pages.css",
    "jmdi-questions.css",
    "jmdi-viewer.css",
    "jmdi-glossary.css",
    "jmdi-print.css",
    "jmdi-icon.svg",
)
#: Notices of one kind of adapter (the xAPI ones bring their own): other launch pages leave them out.
ADAPTER_NOTICES = {
    "local_unavailable": ("local",),
    "lms_unavailable": ("scorm12", "scorm2004"),
    # The exit page's way back in: only without an LMS (which relaunches the course itself).
    "return_to_course": ("local",),
}
#: The first page's own files, shipped without comments or indentation (compact.py); with the
#: adapter scripts they are most of its weight.
COMPACTED = {
    "jmdi-questions.js": compact_js,
    "jmdi.css": compact_css,
    "jmdi-pages.css": compact_css,
    "jmdi-questions.css": compact_css,
    "jmdi-viewer.js": compact_js,
    "jmdi-viewer.css": compact_css,
    "jmdi-glossary.js": compact_js,
    "jmdi-glossary.css": compact_css,
}
#: Interface strings of the figure viewer, written into jmdi-viewer.js for ``VIEWER_STRINGS``: the
#: launch page does not carry them (first-page budget, tests/targets/test_build_web.py).
VIEWER_KEYS = (
    "viewer_close",
    "viewer_zoom_in",
    "viewer_zoom_out",
    "viewer_fit",
    "viewer_actual",
    "viewer_image",
    "viewer_description",
    "percent",
)
#: Interface strings of the question code, written into jmdi-questions.js for ``QUESTION_STRINGS``
#: (loaded with the first page that has questions): the launch page does not carry them either.
QUESTION_KEYS = ("correct", "incorrect", "try_again", "tries_left", "answer_is", "choose_first", "position")
#: A line ``// JOIN <file>`` in an adapter's source: the build puts that runtime file there.
JOIN = re.compile(r"^[ \t]*// JOIN (\S+)$", re.MULTILINE)
#: The placeholder in an adapter's source for its spec limits (``spec_limits.runtime_limits``).
SPEC_LIMITS = re.compile(r"\bSPEC_LIMITS\b")


@dataclass(frozen=True)
class RenderOptions:
    """Rendering choices of one build."""

    generator: str = f"jmdi-scorm {__version__}"
    pdf_downloads: bool = False  # module pages link their PDF (made by pdf.py after rendering)


@dataclass
class _Renderer:
    course: model.Course
    env: Environment
    md: MarkdownRenderer
    strings: dict[str, str]
    options: RenderOptions
    pages: list[Page]
    page_files: dict[str, set[str]] = field(default_factory=dict)
    scope: Scope = COURSE  # the package the page is for: the resources page lists its module PDFs
    covered: dict[Scope, list[Page]] = field(default_factory=dict)  # the pages of each scope (``in_scope``)

    def in_scope(self, scope: Scope) -> list[Page]:
        """The pages ``scope`` covers, in order; worked out once per scope (a launch page per package)."""
        if scope not in self.covered:
            self.covered[scope] = [page for page in self.pages if scope.covers(page)]
        return self.covered[scope]

    @property
    def dirs(self) -> Directions:
        return self.md.dirs

    def context(self, **extra: Any) -> dict[str, Any]:
        # lang/dir: the interface's (<html>); lc: the attributes of a container of course text, ""
        # when it is in the interface's language; lu: the interface's, for its words inside course
        # text; d.span: a course title in the chrome; d.inline: course text in a UI sentence.
        d = self.dirs
        return {
            "s": self.strings,
            "course": self.course.meta,
            "lang": d.ui,
            "dir": d.ui_dir,
            "lc": d.content_attrs,
            "lu": d.ui_attrs,
            "d": d,
        } | extra

    def markdown(self, text: str | None, ctx: Context) -> Markup:
        return Markup(self.md.html(text, ctx)) if text else Markup("")

    def fragment(self, template: str, page: Page, **extra: Any) -> str:
        return self.dirs.runs(self.env.get_template(template).render(self.context(page=page, **extra)))


def render_site(
    course: model.Course,
    options: RenderOptions | None = None,
    context: BuildContext | None = None,
    jobs: int | None = 1,
) -> Site:
    """Render every page, print page and shared file of ``course`` once.

    ``context`` is the build's (``LoadContext.build``): its Markdown parsed by the checks serves
    the pages, and the site keeps it (``Site.once``). Without one, the site starts its own.
    ``jobs``: processes that render the pages (``workers.count``; None: one per core for a large
    course), each a module's pages and print page at a time.
    """
    context = context or BuildContext()
    context.new_site()
    strings = i18n.strings(course.meta.interface)
    files = course_files(course)
    renderer = _Renderer(
        course=course,
        env=environment(Path(course.root)),
        md=MarkdownRenderer(course, strings, files, context.tokens),
        strings=strings,
        options=options or RenderOptions(),
        pages=course_pages(course),
    )
    shared: dict[str, bytes] = {}
    home_html = _render_all(renderer, shared, jobs)
    scoped = _scoped_pages(renderer)
    runtime = _runtime_files()
    shared.update({f"{RUNTIME_DIR}/{name}": _shipped(name, runtime[name]) for name in CORE_FILES})
    viewer_strings = json.dumps({key: strings[key] for key in VIEWER_KEYS}, ensure_ascii=False, separators=(",", ":"))
    viewer = shared[f"{RUNTIME_DIR}/jmdi-viewer.js"].decode()
    shared[f"{RUNTIME_DIR}/jmdi-viewer.js"] = viewer.replace("VIEWER_STRINGS", viewer_strings, 1).encode()
    question_strings = json.dumps(
        {key: strings[key] for key in QUESTION_KEYS}, ensure_ascii=False, separators=(",", ":")
    )
    questions = shared[f"{RUNTIME_DIR}/jmdi-questions.js"].decode()
    shared[f"{RUNTIME_DIR}/jmdi-questions.js"] = questions.replace("QUESTION_STRINGS", question_strings, 1).encode()
    shared.update(files)
    adapters = {name: adapter_script(name, runtime) for name in ADAPTERS}
    return Site(
        course=course,
        pages=renderer.pages,
        shared=shared,
        adapters=adapters,
        render_shell=lambda adapter, scope, config, csp, langs: _shell(
            renderer, home_html, adapter, scope, config, csp, langs
        ),
        page_files={page: frozenset(files) for page, files in renderer.page_files.items()},
        scoped=scoped,
        always=frozenset(f"{RUNTIME_DIR}/{name}" for name in CORE_FILES),
        context=context,
        renderer=renderer,
    )


def rerender_topic(site: Site, course: model.Course, topic_id: str) -> Site | None:
    """``site`` rendered again for ``course``, where only the topic ``topic_id`` changed (its file
    read again, ``loader.reread_topic``): the pages that show that topic are rendered again (its
    page, its module's overview and print page, the home page and the launch page, which list its
    title and minutes) and every other file is kept. Equal to ``render_site(course)``; ``None``
    when more changed than these pages show (page ids, files the course uses): render it all.
    """
    old: _Renderer | None = site.renderer
    pages = course_pages(course)
    if old is None or [_place(p) for p in pages] != [_place(p) for p in site.pages]:
        return None
    sources = [t.source for t in course.topics]
    if course.assets != site.course.assets or sources != [t.source for t in site.course.topics]:
        return None
    module = next((m for m in course.modules for t in m.topics if t.id == topic_id), None)
    if module is None:
        return None
    site.context.new_site()
    # The Markdown renderer reads of the course only its topics' files and allow_html: unchanged.
    renderer = replace(old, course=course, pages=pages, page_files={}, covered={})
    again = {HOME, module.id, topic_id}
    renderer.page_files = {page: set(names) for page, names in old.page_files.items() if page not in again}
    shared = dict(site.shared)
    home_html = ""
    for page in pages:
        if page.id in again:
            home_html = _render_page(renderer, page, shared) or home_html
    shared[print_page_path(module.id)] = _print_page(renderer, module)
    return replace(
        site,
        course=course,
        pages=pages,
        shared=shared,
        render_shell=lambda adapter, scope, config, csp, langs: _shell(
            renderer, home_html, adapter, scope, config, csp, langs
        ),
        page_files={page: frozenset(files) for page, files in renderer.page_files.items()},
        renderer=renderer,
    )


def _place(page: Page) -> tuple[str, str, str | None]:
    return page.id, page.kind, page.module


def _render_page(r: _Renderer, page: Page, shared: dict[str, bytes]) -> str | None:
    """One page as ``render_site`` renders it: its content script into ``shared``, or the home
    page's HTML returned."""
    ctx = Context(base=_page_base(r.course, page), page=page.id)
    html, questions = _page_html(r, page, ctx)
    r.page_files.setdefault(page.id, set()).update(ctx.assets)
    if page.kind == "home":
        return _home_first(r, html, shared)
    shared[page.content_path] = _content_script(page.id, html, questions)
    return None


def course_files(course: model.Course) -> dict[str, bytes]:
    """The course's asset and resource files, read once for the pages and the packages."""
    names = sorted(set(course.assets) | {r.file for r in course.resources if r.file})
    return {name: (Path(course.root) / name).read_bytes() for name in names}


def adapter_script(name: str, runtime: dict[str, bytes] | None = None) -> bytes:
    """The file a package ships as runtime/jmdi-<name>.js: the adapter's source with the runtime
    file each of its ``// JOIN <file>`` lines names put in there (the SCORM adapters share
    jmdi-scorm-common.js, so a package still loads one adapter script), the limits of
    ``spec_limits.runtime_limits(name)`` written in for ``SPEC_LIMITS``, compacted."""
    runtime = runtime or _runtime_files()
    source = JOIN.sub(lambda line: runtime[line.group(1)].decode(), runtime[f"jmdi-{name}.js"].decode())
    code = compact_js(source)
    placeholders = len(SPEC_LIMITS.findall(code))
    if placeholders:
        if placeholders > 1:
            raise BuildError(f"runtime/jmdi-{name}.js: SPEC_LIMITS {placeholders} times; the build writes in one")
        limits = json.dumps(spec_limits.runtime_limits(name), separators=(",", ":"))
        code = SPEC_LIMITS.sub(limits, code)
    return code.encode()


def _runtime_files() -> dict[str, bytes]:
    folder = resources.files("jmdi_scorm") / "runtime"
    return {item.name: item.read_bytes() for item in folder.iterdir() if item.is_file()}


def _shipped(name: str, data: bytes) -> bytes:
    compact = COMPACTED.get(name)
    return compact(data.decode()).encode() if compact else data


# --- pages -------------------------------------------------------------------------------------


#: A course with less Markdown than this (characters of its topics) is rendered in one process:
#: starting a pool costs more than it saves (the JMDI course has about 400,000).
POOL_FROM_CHARS = 2_000_000


@dataclass(frozen=True)
class _Part:
    """What rendering some pages gave: their files in order, the print pages of their modules,
    the files each page uses and the home page's HTML (when it is one of them)."""

    files: list[tuple[str, bytes]]
    prints: list[tuple[str, bytes]]
    page_files: dict[str, set[str]]
    home_html: str | None


def _render_all(r: _Renderer, shared: dict[str, bytes], jobs: int | None) -> str:
    """Every page's content script, then every module's print page, into ``shared``; the home
    page's HTML returned. In parts (a module's pages, the pages of no module before and after
    them) spread over ``jobs`` processes, put together in order: the same files either way."""
    parts = [list(group) for _, group in itertools.groupby(r.pages, key=lambda page: page.module)]
    text = sum(len(topic.body) for topic in r.course.topics)
    done = workers.fork_map(
        lambda part: _render_part(r, part), parts, workers.count(jobs, len(parts), text >= POOL_FROM_CHARS)
    )
    home_html = ""
    for part in done:
        shared.update(part.files)
        for page, names in part.page_files.items():
            r.page_files.setdefault(page, set()).update(names)
        home_html = part.home_html or home_html
    for part in done:
        shared.update(part.prints)
    return home_html


def _render_part(r: _Renderer, pages: list[Page]) -> _Part:
    r = replace(r, page_files={})  # what these pages use, to put together with the others'
    files: dict[str, bytes] = {}
    home_html = None
    for page in pages:
        home_html = _render_page(r, page, files) or home_html
    modules = [module for module in r.course.modules if any(page.id == module.id for page in pages)]
    prints = [(print_page_path(module.id), _print_page(r, module)) for module in modules]
    return _Part(list(files.items()), prints, r.page_files, home_html)


def _content_script(page_id: str, html: str, questions: dict[str, Any]) -> bytes:
    data = {"id": page_id, "html": html, "questions": questions}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"JMDI.page({text});\n".encode()


#: The part of the home page between these marks (templates/pages/home.html: what is below the
#: fold) is not in the launch page: it ships as content/home.later.js, which the core puts in
#: the place left for it once the page is up (jmdi-core.js, fillLater). So the first page keeps
#: to its 60 KB in every language: Arabic text weighs twice the English in UTF-8.
LATER = ("<!--jmdi:later-->", "<!--/jmdi:later-->")
HOME_LATER = "home.later"


def _home_first(r: _Renderer, html: str, shared: dict[str, bytes]) -> str:
    """The home page as the launch page holds it: without its later part, which goes into
    ``shared`` as ``content/home.later.js`` (a theme's home page without the marks: all of it)."""
    before, start, rest = html.partition(LATER[0])
    later, end, after = rest.partition(LATER[1])
    if not (start and end):
        return html
    path = f"content/{HOME_LATER}.js"
    shared[path] = _content_script(HOME_LATER, later.strip(), {})
    r.page_files.setdefault("home", set()).add(path)
    return f'{before}<div data-jmdi-later="{HOME_LATER}"></div>{after}'


def _scoped_pages(r: _Renderer) -> dict[str, dict[str, bytes]]:
    """The pages a module's own package (``--split module``) has in a version of its own: the
    resources page, which lists the module PDFs a package carries (that module's only)."""
    if not r.options.pdf_downloads:
        return {}
    page = next(p for p in r.pages if p.kind == "resources")
    scoped = {}
    for module in r.course.modules:
        ctx = Context(base=_page_base(r.course, page), page=page.id)
        html, questions = _page_html(dataclasses.replace(r, scope=Scope(module.id)), page, ctx)
        scoped[module.id] = {page.content_path: _content_script(page.id, html, questions)}
    return scoped


def _page_base(course: model.Course, page: Page) -> str:
    module = _module(course, page.module) if page.module else None
    if page.kind == "topic" and module:
        return posixpath.dirname(next(t.source for t in module.topics if t.id == page.id))
    return _module_folder(module) if module else "."


def _module_folder(module: model.Module) -> str:
    return posixpath.dirname(module.topics[0].source) if module.topics else f"modules/{module.id}"


def _module(course: model.Course, module_id: str) -> model.Module:
    return next(m for m in course.modules if m.id == module_id)


def _page_html(r: _Renderer, page: Page, ctx: Context) -> tuple[str, dict[str, Any]]:
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


def _home(r: _Renderer, page: Page, ctx: Context) -> tuple[dict[str, Any], list]:
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


def _rules(r: _Renderer) -> list[str]:
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


def _module_overview(r: _Renderer, page: Page, ctx: Context) -> tuple[dict[str, Any], list]:
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


def _topic(r: _Renderer, page: Page, ctx: Context) -> tuple[dict[str, Any], list]:
    module = _module(r.course, page.module or "")
    topic = next(t for t in module.topics if t.id == page.id)
    views = question_views(topic.questions, page.id, r.md, ctx, r.strings)
    return {"module": module.meta, "topic": topic.meta, "body": r.markdown(topic.body, ctx)}, views


def _assessment(r: _Renderer, page: Page, ctx: Context) -> tuple[dict[str, Any], list]:
    module = _module(r.course, page.module or "")
    assert module.meta.assessment is not None
    views = question_views(module.meta.assessment.questions, page.id, r.md, ctx, r.strings)
    return {"module": module.meta, "assessment": module.meta.assessment}, views


def _glossary(r: _Renderer, page: Page, ctx: Context) -> tuple[dict[str, Any], list]:
    return {"terms": sorted(r.course.glossary, key=lambda t: t.term.casefold())}, []


def _resources(r: _Renderer, page: Page, ctx: Context) -> tuple[dict[str, Any], list]:
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


def _summary(r: _Renderer, page: Page, ctx: Context) -> tuple[dict[str, Any], list]:
    return {"modules": r.course.modules, "rules": _rules(r)}, []


# --- print pages and the launch page ---------------------------------------------------------


def _print_page(r: _Renderer, module: model.Module) -> bytes:
    """A module on one page (``print.html``): its topics with their knowledge checks, its
    assessment, the questions numbered through the module, and their answer key at the end."""
    printed = frozenset(t.id for t in module.topics)
    ctx = Context(base=_module_folder(module), page=module.id, mode="print", printed=printed)
    topics: list[dict[str, Any]] = []
    groups: list[list[PrintedQuestion]] = []  # the questions of each topic, then the assessment's
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
        groups.append(checks)
        questions += len(checks)
        ctx.assets.update(topic_ctx.assets)
    assessment = None
    if module.meta.assessment:
        page_id = assessment_page_id(module.id)
        assessment_ctx = Context(
            base=_module_folder(module), page=page_id, mode="print", printed=printed, id_prefix=f"{module.id}--a-"
        )
        title = module.meta.assessment.title
        items = printed_questions(
            module.meta.assessment.questions, page_id, title, questions + 1, r.md, assessment_ctx, r.strings
        )
        assessment = {"id": page_id.replace(".", "-"), "title": title, "questions": items}
        groups.append(items)
        ctx.assets.update(assessment_ctx.assets)
    html = r.env.get_template("print.html").render(
        r.context(
            module=module.meta,
            aim=r.markdown(module.meta.aim, ctx),
            topics=topics,
            assessment=assessment,
            key=[{"where": items[0].where, "questions": items} for items in groups if items],
            csp=_csp(None),
        )
    )
    r.page_files.setdefault(module.id, set()).update(ctx.assets)
    return r.dirs.runs(html).encode()


def _csp(extra: dict[str, str] | None) -> Markup:
    """The policy for a ``content="..."`` attribute (its quotes ``'self'`` need no escaping)."""
    policy = "; ".join(f"{name} {value}" for name, value in (CSP | (extra or {})).items())
    return Markup(policy.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;"))


#: The adapters the launch page loads itself (issue 16): the local one keeps progress in this
#: browser and answers at once, so the first page shows it. A tracking adapter (SCORM, xAPI,
#: cmi5) is loaded by the core once the first page is up, and the LMS's or LRS's answer is
#: merged in when it comes (jmdi-core.js, startSession): neither its bytes nor its requests are
#: on the first page's way.
ADAPTERS_IN_PAGE = frozenset({"local"})


@cache
def launch_style(languages: bool = False) -> str:
    """The launch page's style sheet, written into it: runtime/jmdi.css compacted, with the
    language switch's rules (runtime/jmdi-langs.css) when the page has the switch. In the page,
    not linked (issue 16): over a slow link a linked sheet is a second round trip before the
    first page shows, and a rule for an element later in the page would make it show unstyled.
    The policy allows exactly this text by its hash (``hash_source``)."""
    runtime = resources.files("jmdi_scorm") / "runtime"
    names = ("jmdi.css", "jmdi-langs.css") if languages else ("jmdi.css",)
    text = "".join(compact_css(runtime.joinpath(name).read_text(encoding="utf-8")) for name in names)
    if "</" in text:
        raise BuildError("runtime style sheets: '</' would end the launch page's <style> element")
    return text


@cache
def launch_script() -> str:
    """The core (runtime/jmdi-core.js, compacted), written at the end of the launch page: over a
    slow link a linked script is a second round trip before the first page shows (issue 16); in
    the page it comes with the page's own bytes, after the content it acts on, which shows while
    it arrives. The policy allows exactly this text by its hash (``hash_source``)."""
    text = compact_js((resources.files("jmdi_scorm") / "runtime" / "jmdi-core.js").read_text(encoding="utf-8"))
    if re.search(r"</script|<!--", text, re.IGNORECASE):
        raise BuildError("runtime/jmdi-core.js: '</script' or '<!--' would end or confuse the launch page's <script>")
    return text


def hash_source(text: str) -> str:
    """The CSP source that allows one ``<style>`` or ``<script>`` element whose text is ``text``
    (a CSP level 2 hash: that exact text and nothing else)."""
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


@cache
def icon_uri() -> str:
    """The launch page's icon (runtime/jmdi-icon.svg) as a data: URI: it costs no request of the
    first page's five, and Chromium, which asks for a page's icon again after a URL change (the
    #/<page> an adapter sets once the LMS answered), has nothing to ask for."""
    svg = (resources.files("jmdi_scorm") / "runtime" / "jmdi-icon.svg").read_text(encoding="utf-8")
    return "data:image/svg+xml," + quote(svg.strip().replace('"', "'"), safe="=/:;,'.-")


def _shell(
    r: _Renderer,
    home_html: str,
    adapter: str,
    scope: Scope,
    adapter_config: dict[str, Any] | None,
    csp: Any,
    languages: Sequence[LanguageLink] = (),
) -> bytes:
    pages = r.in_scope(scope)
    config = {
        "course": r.course.id,
        "title": r.course.meta.title,
        "version": r.course.meta.version,
        "lang": r.course.meta.language,  # the content's: interaction descriptions are course text
        "adapter": adapter,
        "adapterConfig": adapter_config or {},
        "scope": scope.module,
        "tracking": r.course.meta.tracking.model_dump(),
        "pages": [page.config() for page in pages],
        "strings": {
            key: text
            for key, text in i18n.client_strings(r.course.meta.interface).items()
            if adapter in ADAPTER_NOTICES.get(key, (adapter,))
        },
    }
    style, core = launch_style(bool(languages)), launch_script()
    # JSON inside <script type="application/json">: "<" escaped so no "</script>" can end it.
    config_json = json.dumps(config, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    html = r.env.get_template("shell.html").render(
        r.context(
            pages=pages,
            modules=[m for m in r.course.modules if scope.module in (None, m.id)],
            home=Markup(home_html),
            config=Markup(config_json),
            adapter_src=f"{RUNTIME_DIR}/jmdi-{adapter}.js" if adapter in ADAPTERS_IN_PAGE else "",
            runtime=RUNTIME_DIR,
            style=Markup(style),
            core=Markup(core),
            csp=_csp(
                {
                    **(csp or {}),
                    "script-src": f"{CSP['script-src']} {hash_source(core)}",
                    "style-src": f"{CSP['style-src']} {hash_source(style)}",
                }
            ),
            generator=r.options.generator,
            launch=LAUNCH,
            languages=languages,
            icon=Markup(icon_uri()),  # no quote, < or & in it: written as it is
        )
    )
    return r.dirs.runs(html).encode()
