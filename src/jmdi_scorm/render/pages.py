"""Render the course once into the :class:`~jmdi_scorm.render.site.Site` every target packages.

Pages are HTML fragments wrapped in content scripts (``content/<page-id>.js`` calls
``JMDI.page({...})``) that the launch page loads with a ``<script>`` element, so the site
works from ``file://`` as well as over HTTP and the launch page never unloads. The home page
is embedded in the launch page itself. Each module also gets a standalone print page
``print/<module-id>.html`` (no JavaScript).

This module puts a site together (:func:`render_site`, :func:`rerender_topic`); what each kind of
page shows is :mod:`~jmdi_scorm.render.page_kinds`, the print pages
:mod:`~jmdi_scorm.render.print_page`, the launch page :mod:`~jmdi_scorm.render.launch_page`
and the runtime files :mod:`~jmdi_scorm.render.runtime_files`.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from jmdi_scorm import workers
from jmdi_scorm.render import i18n
from jmdi_scorm.render.launch_page import shell
from jmdi_scorm.render.markdown_html import Context, MarkdownRenderer
from jmdi_scorm.render.page_kinds import page_base, page_html
from jmdi_scorm.render.print_page import print_page
from jmdi_scorm.render.renderer import Renderer, RenderOptions
from jmdi_scorm.render.runtime_files import CORE_FILES, adapter_script, core_files, runtime_files
from jmdi_scorm.render.site import (
    ADAPTERS,
    HOME,
    RUNTIME_DIR,
    Page,
    Scope,
    Site,
    course_pages,
    print_page_path,
)
from jmdi_scorm.render.theme import environment
from jmdi_scorm.source import model
from jmdi_scorm.source.context import BuildContext

__all__ = [
    "RenderOptions",
    "RenderedPart",
    "content_data",
    "course_files",
    "render_pages",
    "render_site",
    "rerender_print_pages",
    "rerender_topic",
]


def render_site(
    course: model.Course,
    options: RenderOptions | None = None,
    context: BuildContext | None = None,
    jobs: int | None = 1,
    meanwhile: Callable[[], None] | None = None,
    rendered: Sequence[RenderedPart] | None = None,
) -> Site:
    """Render every page, print page and shared file of ``course`` once.

    ``context`` is the build's (``LoadContext.build``): its Markdown parsed by the checks serves
    the pages, and the site keeps it (``Site.once``). Without one, the site starts its own.
    ``jobs``: processes that render the pages (``workers.count``; None: one per core for a large
    course), each a module's pages and print page at a time. ``meanwhile`` runs in this process
    while the workers render (before any page is rendered without workers); what it raises
    stops the rendering. ``rendered``: the pages already rendered by :func:`render_pages` (in
    another process: a build renders its languages side by side), put together as they are.
    """
    context = context or BuildContext()
    context.new_site()
    renderer, files = _renderer(course, options, context)
    shared: dict[str, bytes] = {}
    if rendered is None:
        rendered = _render_all(renderer, jobs, meanwhile)
    elif meanwhile is not None:
        meanwhile()
    home_html = _put_together(renderer, shared, rendered)
    scoped = _scoped_pages(renderer)
    runtime = runtime_files()
    shared.update(core_files(renderer.strings, runtime))
    shared.update(files)
    adapters = {name: adapter_script(name, runtime) for name in ADAPTERS}
    return Site(
        course=course,
        pages=renderer.pages,
        shared=shared,
        adapters=adapters,
        render_shell=lambda adapter, scope, config, csp, langs: shell(
            renderer, home_html, adapter, scope, config, csp, langs
        ),
        page_files={page: frozenset(files) for page, files in renderer.page_files.items()},
        scoped=scoped,
        always=frozenset(f"{RUNTIME_DIR}/{name}" for name in CORE_FILES),
        context=context,
        renderer=renderer,
    )


def render_pages(
    course: model.Course, options: RenderOptions | None = None, context: BuildContext | None = None
) -> list[RenderedPart]:
    """Every page and print page of ``course`` rendered in this process, as ``render_site``
    renders them: for ``render_site(..., rendered=...)`` in the process that packages the site
    (the parts are pickled on their way there)."""
    renderer, _ = _renderer(course, options, context or BuildContext())
    return [_render_part(renderer, part) for part in _parts(renderer)]


def _renderer(
    course: model.Course, options: RenderOptions | None, context: BuildContext
) -> tuple[Renderer, dict[str, bytes]]:
    """The renderer of ``course``'s pages, and the course's files (assets and resources) it reads."""
    strings = i18n.strings(course.meta.interface)
    files = course_files(course)
    renderer = Renderer(
        course=course,
        env=environment(Path(course.root)),
        md=MarkdownRenderer(course, strings, files, context.tokens),
        strings=strings,
        options=options or RenderOptions(),
        pages=course_pages(course),
    )
    return renderer, files


def rerender_topic(site: Site, course: model.Course, topic_id: str, *, render_print: bool = True) -> Site | None:
    """``site`` rendered again for ``course``, where only the topic ``topic_id`` changed (its file
    read again, ``loader.reread_topic``): the pages that show that topic are rendered again (its
    page, its module's overview and print page, the home page and the launch page, which list its
    title and minutes) and every other file is kept. Equal to ``render_site(course)``; ``None``
    when more changed than these pages show (page ids, files the course uses): render it all.

    ``render_print=False`` keeps the module's print page as it was, out of date, for a preview that
    renders it only when it is asked for (``rerender_print_pages``): then the site is equal to
    ``render_site(course)`` once that is done.
    """
    old: Renderer | None = site.renderer
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
    if render_print:
        shared[print_page_path(module.id)] = print_page(renderer, module)
    return replace(
        site,
        course=course,
        pages=pages,
        shared=shared,
        render_shell=lambda adapter, scope, config, csp, langs: shell(
            renderer, home_html, adapter, scope, config, csp, langs
        ),
        page_files={page: frozenset(files) for page, files in renderer.page_files.items()},
        renderer=renderer,
    )


def rerender_print_pages(site: Site, module_ids: Collection[str]) -> Site:
    """``site`` with the print pages of the modules ``module_ids`` rendered again (those that
    ``rerender_topic(..., render_print=False)`` left out of date)."""
    renderer: Renderer = site.renderer
    shared = dict(site.shared)
    for module in renderer.course.modules:
        if module.id in module_ids:
            shared[print_page_path(module.id)] = print_page(renderer, module)
    page_files = {page: frozenset(files) for page, files in renderer.page_files.items()}
    return replace(site, shared=shared, page_files=page_files)


def _place(page: Page) -> tuple[str, str, str | None]:
    return page.id, page.kind, page.module


def _render_page(r: Renderer, page: Page, shared: dict[str, bytes]) -> str | None:
    """One page as ``render_site`` renders it: its content script into ``shared``, or the home
    page's HTML returned."""
    ctx = Context(base=page_base(r.course, page), page=page.id)
    html, questions = page_html(r, page, ctx)
    r.page_files.setdefault(page.id, set()).update(ctx.assets)
    if page.kind == "home":
        return _home_first(r, html, shared)
    shared[page.content_path] = _content_script(page.id, html, questions)
    return None


def course_files(course: model.Course) -> dict[str, bytes]:
    """The course's asset and resource files, read once for the pages and the packages."""
    names = sorted(set(course.assets) | {r.file for r in course.resources if r.file})
    return {name: (Path(course.root) / name).read_bytes() for name in names}


# --- pages -------------------------------------------------------------------------------------


#: A course with less Markdown than this (characters of its topics) is rendered in one process:
#: starting a pool costs more than it saves (the JMDI course has about 400,000).
POOL_FROM_CHARS = 2_000_000


@dataclass(frozen=True)
class RenderedPart:
    """What rendering some pages gave: their files in order, the print pages of their modules,
    the files each page uses and the home page's HTML (when it is one of them)."""

    files: list[tuple[str, bytes]]
    prints: list[tuple[str, bytes]]
    page_files: dict[str, set[str]]
    home_html: str | None


def _parts(r: Renderer) -> list[list[Page]]:
    """The pages in parts: a module's pages, the pages of no module before and after them."""
    return [list(group) for _, group in itertools.groupby(r.pages, key=lambda page: page.module)]


def _render_all(r: Renderer, jobs: int | None, meanwhile: Callable[[], None] | None = None) -> list[RenderedPart]:
    """Every part's pages and print pages, the parts spread over ``jobs`` processes."""
    parts = _parts(r)
    text = sum(len(topic.body) for topic in r.course.topics)
    processes = workers.count(jobs, len(parts), text >= POOL_FROM_CHARS)
    with workers.Spread(lambda part: _render_part(r, part), parts, processes) as spread:
        if meanwhile is not None:
            meanwhile()
        return list(spread)


def _put_together(r: Renderer, shared: dict[str, bytes], done: Sequence[RenderedPart]) -> str:
    """Every page's content script, then every module's print page, into ``shared``, in order;
    the home page's HTML returned. The same files however the parts were rendered."""
    home_html = ""
    for part in done:
        shared.update(part.files)
        for page, names in part.page_files.items():
            r.page_files.setdefault(page, set()).update(names)
        home_html = part.home_html or home_html
    for part in done:
        shared.update(part.prints)
    return home_html


def _render_part(r: Renderer, pages: list[Page]) -> RenderedPart:
    r = replace(r, page_files={})  # what these pages use, to put together with the others'
    files: dict[str, bytes] = {}
    home_html = None
    for page in pages:
        home_html = _render_page(r, page, files) or home_html
    modules = [module for module in r.course.modules if any(page.id == module.id for page in pages)]
    prints = [(print_page_path(module.id), print_page(r, module)) for module in modules]
    return RenderedPart(list(files.items()), prints, r.page_files, home_html)


#: A content script is a call of the core's ``JMDI.page`` with the page's data, nothing else.
CONTENT_CALL = ("JMDI.page(", ");\n")


def _content_script(page_id: str, html: str, questions: dict[str, Any]) -> bytes:
    data = {"id": page_id, "html": html, "questions": questions}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"{CONTENT_CALL[0]}{text}{CONTENT_CALL[1]}".encode()


def content_data(script: bytes) -> dict[str, Any] | None:
    """What the content script ``script`` hands ``JMDI.page`` (the page's id, HTML and questions),
    or None when it is no such script: the preview sends it to a course showing the page."""
    text = script.decode("utf-8", errors="replace")
    head, tail = CONTENT_CALL
    if not (text.startswith(head) and text.endswith(tail)):
        return None
    try:
        data = json.loads(text[len(head) : -len(tail)])
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


#: The part of the home page between these marks (templates/pages/home.html: what is below the
#: fold) is not in the launch page: it ships as content/home.later.js, which the core puts in
#: the place left for it once the page is up (jmdi-core.js, fillLater). So the first page keeps
#: to its 60 KB in every language: Arabic text weighs twice the English in UTF-8.
LATER = ("<!--jmdi:later-->", "<!--/jmdi:later-->")
HOME_LATER = "home.later"


def _home_first(r: Renderer, html: str, shared: dict[str, bytes]) -> str:
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


def _scoped_pages(r: Renderer) -> dict[str, dict[str, bytes]]:
    """The pages a module's own package (``--split module``) has in a version of its own: the
    resources page, which lists the module PDFs a package carries (that module's only)."""
    if not r.options.pdf_downloads:
        return {}
    page = next(p for p in r.pages if p.kind == "resources")
    scoped = {}
    for module in r.course.modules:
        ctx = Context(base=page_base(r.course, page), page=page.id)
        html, questions = page_html(dataclasses.replace(r, scope=Scope(module.id)), page, ctx)
        scoped[module.id] = {page.content_path: _content_script(page.id, html, questions)}
    return scoped
