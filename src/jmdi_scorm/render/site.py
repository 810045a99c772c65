"""The rendered site every package is made from: its pages, files and launch page.

Page ids are what deep links (``index.html#/<page-id>``), bookmarks (``cmi.location``) and the
learner state use. They are computed once here from the course ids:

=================  ==========================  ==============================
page               id                          content script
=================  ==========================  ==============================
course home        ``home``                    (embedded in ``index.html``)
module overview    ``<module-id>``             ``content/<module-id>.js``
topic              ``<topic-id>``              ``content/<topic-id>.js``
module assessment  ``<module-id>.assessment``  ``content/<module-id>.assessment.js``
glossary           ``glossary``                ``content/glossary.js``
resources          ``resources``               ``content/resources.js``
results            ``summary``                 ``content/summary.js``
=================  ==========================  ==============================
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from jmdi_scorm.errors import BuildError
from jmdi_scorm.source import model
from jmdi_scorm.source.context import BuildContext
from jmdi_scorm.source.page_ids import (  # the course's ids may not be these: source/rules.py checks
    GLOSSARY,
    HOME,
    RESERVED_PAGE_IDS,
    RESOURCES,
    SUMMARY,
    assessment_page_id,
)

LAUNCH = "index.html"
RUNTIME_DIR = "runtime"  # folder of the runtime files inside packages
ADAPTER_PREFIX = f"{RUNTIME_DIR}/jmdi-"  # adapter scripts: runtime/jmdi-<adapter>.js
#: The JS adapters a launch page can load, one script each (runtime/jmdi-<name>.js). The other
#: jmdi-*.js files are not adapters: jmdi-core.js; jmdi-scorm-common.js, which the build puts into
#: the SCORM adapters (render/runtime_files.py ``adapter_script``); jmdi-xapi-common.js, which the xAPI
#: targets join in front of their adapter; and the later parts of the xAPI adapters
#: (jmdi-xapi-common-later.js, jmdi-<name>-later.js), joined by targets/xapi_common.py.
ADAPTERS = ("local", "scorm12", "scorm2004", "xapi", "cmi5")

T = TypeVar("T")
PageKind = Literal["home", "module", "topic", "assessment", "glossary", "resources", "summary"]


def print_page_path(module_id: str) -> str:
    """The printable page of a module (all its topics, no JavaScript)."""
    return f"print/{module_id}.html"


def module_pdf_path(course_id: str, module_id: str) -> str:
    """The module download made from the print page (``pdf.py``); also its name in ``dist/``."""
    return f"downloads/{course_id}-{module_id}.pdf"


@dataclass(frozen=True)
class Scope:
    """What one package covers: the whole course (``module=None``) or one module (``--split module``)."""

    module: str | None = None

    @property
    def suffix(self) -> str:
        """Part of the package name: ``""`` or ``"-<module-id>"``."""
        return f"-{self.module}" if self.module else ""

    def covers(self, page: Page) -> bool:
        return self.module is None or page.module is None or page.module == self.module


COURSE = Scope()


@dataclass(frozen=True)
class Page:
    """One page of the site; ``questions`` holds the ids of its questions (topic, assessment)."""

    id: str
    kind: PageKind
    title: str
    module: str | None = None
    questions: tuple[str, ...] = ()

    @property
    def content_path(self) -> str:
        return f"content/{self.id}.js"

    @property
    def href(self) -> str:
        """The deep link of the page, relative to the package root."""
        return f"{LAUNCH}#/{self.id}"

    @property
    def tracked(self) -> bool:
        """Whether the page has a status in the learner state (topics and assessments)."""
        return self.kind in ("topic", "assessment")

    @property
    def in_sequence(self) -> bool:
        """Whether Previous/Next pass through the page (reference pages stand aside)."""
        return self.kind not in ("glossary", "resources")

    def interaction_id(self, question_id: str) -> str:
        return f"{self.id}.{question_id}"

    def config(self) -> dict[str, Any]:
        """The page as the JS core sees it (it reads titles from the table of contents, and a
        page's module from the order: a module page, then its topics and assessment; see
        ``module_pages``). The list sits in every launch page, the first thing a learner loads."""
        data: dict[str, Any] = {"id": self.id, "kind": self.kind}
        if self.questions:
            data["q"] = question_list(self.questions)
        return data


def question_list(ids: Sequence[str]) -> str:
    """Question ids as the launch page carries them: separated by spaces (identifiers have none;
    lighter than a JSON list), a run ``q1 q2 q3`` written ``q1:3`` (``:`` is in no identifier; the
    core expands it, jmdi-core.js boot). Every launch page lists every question of its scope."""
    out: list[str] = []
    run: list[tuple[str, int]] = []

    def close() -> None:
        if len(run) > 1:
            out.append(f"{run[0][0]}{run[0][1]}:{run[-1][1]}")
        else:
            out.extend(f"{prefix}{n}" for prefix, n in run)
        run.clear()

    for qid in ids:
        match = re.fullmatch(r"(.*?)([1-9][0-9]*)", qid)
        if match and run and match[1] == run[-1][0] and int(match[2]) == run[-1][1] + 1:
            run.append((match[1], int(match[2])))
            continue
        close()
        if match:
            run.append((match[1], int(match[2])))
        else:
            out.append(qid)
    close()
    return " ".join(out)


def course_pages(course: model.Course) -> list[Page]:
    """Every page of the course in reading order: home, each module's pages, results, reference."""
    return scope_pages(course, COURSE)


def scope_pages(course: model.Course, scope: Scope) -> list[Page]:
    """The pages ``scope`` covers, in reading order: ``[p for p in course_pages(course) if scope.covers(p)]``."""
    pages = [Page(HOME, "home", course.meta.title)]
    for module in course.modules:
        if scope.module in (None, module.id):
            pages += module_pages(module)
    _check_reserved(pages[1:])
    pages.append(Page(SUMMARY, "summary", ""))
    pages.append(Page(GLOSSARY, "glossary", ""))
    pages.append(Page(RESOURCES, "resources", ""))
    return pages


def module_pages(module: model.Module) -> list[Page]:
    """A module's pages in reading order: its overview, its topics, its assessment."""
    pages = [Page(module.id, "module", module.title, module.id)]
    for topic in module.topics:
        questions = tuple(q.id for q in topic.questions)
        pages.append(Page(topic.id, "topic", topic.title, module.id, questions))
    if module.meta.assessment:
        assessment = module.meta.assessment
        questions = tuple(q.id for q in assessment.questions)
        pages.append(Page(assessment_page_id(module.id), "assessment", assessment.title, module.id, questions))
    return pages


def _check_reserved(module_pages: list[Page]) -> None:
    """The rules refuse such ids for modules and topics (``id_rules.check_page_ids``): the pages of a
    checked course's modules never take one. Checks the pages of one scope, so that a build
    calling ``scope_pages`` for each of its packages stays linear in the course's size."""
    clash = sorted(RESERVED_PAGE_IDS.intersection(page.id for page in module_pages))
    assert not clash, f"ids {clash} are reserved for pages of the site: the course was not checked"


@dataclass(frozen=True)
class LanguageLink:
    """One language of the switch a launch page shows (a web package holding several languages)."""

    lang: str  # the language tag: ``lang`` and ``hreflang`` of its name
    name: str  # the language's name in that language ("Français", "العربية")
    href: str  # that language's launch page, relative to this one
    current: bool = False  # the language of this page


ShellRenderer = Callable[
    [str, Scope, "dict[str, Any] | None", "dict[str, str] | None", "Sequence[LanguageLink]"], bytes
]


@dataclass
class Site:
    """The site rendered once per build; targets package it (docs/architecture.md).

    ``files`` holds every file shared by the targets: content scripts, print pages, assets,
    the runtime core and stylesheet, and every adapter script. ``package_files`` is the usual
    starting point of a target: the files of one scope, the launch page and one adapter only.
    """

    course: model.Course
    pages: list[Page]
    shared: dict[str, bytes]
    adapters: dict[str, bytes]
    render_shell: ShellRenderer
    page_files: dict[str, frozenset[str]] = field(default_factory=dict)  # page id -> files it uses
    #: module id -> shared files its own package (``--split module``) has in a version of its own
    #: (the resources page lists the PDF of that module only); ``files_for`` puts them in
    scoped: dict[str, dict[str, bytes]] = field(default_factory=dict)
    always: frozenset[str] = frozenset()  # files every scope needs
    context: BuildContext = field(default_factory=BuildContext, repr=False, compare=False)  # see once()
    #: The course in every language of the build, in the build's order, its first language first
    #: (``build --lang``; empty with one language): the xAPI and cmi5 descriptors and question
    #: definitions give each text in all of them (language maps).
    languages: tuple[model.Course, ...] = field(default=(), repr=False, compare=False)
    #: The site in every language of the build, this one first (``build --lang``), for a target
    #: that puts every language in one package (``Target.all_languages``: the web package).
    editions: tuple[Site, ...] = field(default=(), repr=False, compare=False)
    #: What rendered the pages (``renderer.Renderer``), so ``pages.rerender_topic`` renders a few again.
    renderer: Any = field(default=None, repr=False, compare=False)

    @property
    def files(self) -> dict[str, bytes]:
        return {**self.shared, **{f"{ADAPTER_PREFIX}{name}.js": data for name, data in self.adapters.items()}}

    def once(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, computed on the first call with ``key`` and kept in the build's context.

        The context belongs to one build and forgets it when a site is rendered again, so what
        targets keep here (activity definitions, compacted scripts, audited contents) never
        outlives the site that made it.
        """
        return self.context.once(key, make)

    def page(self, page_id: str) -> Page:
        for page in self.pages:
            if page.id == page_id:
                return page
        raise KeyError(page_id)

    def shell(
        self,
        adapter: str,
        scope: Scope | None = None,
        adapter_config: dict[str, Any] | None = None,
        csp: dict[str, str] | None = None,
        languages: Sequence[LanguageLink] = (),
    ) -> bytes:
        """The launch page ``index.html`` for one JS adapter (``local``, ``scorm12``, ...).

        ``adapter_config`` reaches the adapter factory as ``config.adapterConfig``; ``csp``
        replaces directives of the page's Content-Security-Policy (an LRS adapter needs
        ``{"connect-src": ...}`` for an endpoint known only at launch); ``languages``, the header's
        language switch (none when empty).
        """
        if adapter not in self.adapters:
            known = ", ".join(sorted(self.adapters))
            raise BuildError(f"no runtime adapter '{adapter}' (src/jmdi_scorm/runtime/jmdi-{adapter}.js); have {known}")
        return self.render_shell(adapter, scope or COURSE, adapter_config, csp, languages)

    def files_for(self, scope: Scope | None = None) -> dict[str, bytes]:
        """The shared files one scope needs (all of them for the whole course), adapters excluded."""
        scope = scope or COURSE
        if scope.module is None:
            return dict(self.shared)
        # per site: each language's pages name the files they use (a build's packages may be made
        # in any order, by several processes)
        names = self.once(("files_for", self.course.package_id, scope.module), lambda: self._wanted(scope))
        files = {name: self.shared[name] for name in names if name in self.shared}
        files.update(self.scoped.get(scope.module, {}))
        return files

    def _wanted(self, scope: Scope) -> tuple[str, ...]:
        """The names of the shared files the pages of ``scope`` use, sorted."""
        wanted = set(self.always)
        for page in self.pages:
            if scope.covers(page):
                wanted.add(page.content_path)
                wanted.update(self.page_files.get(page.id, ()))
        return tuple(sorted(wanted))

    def package_files(
        self,
        adapter: str,
        scope: Scope | None = None,
        adapter_config: dict[str, Any] | None = None,
        languages: Sequence[LanguageLink] = (),
    ) -> dict[str, bytes]:
        """``files_for(scope)`` plus ``index.html`` (with ``languages``' switch) and the one adapter
        script it loads."""
        files = self.files_for(scope)
        files[LAUNCH] = self.shell(adapter, scope, adapter_config, languages=languages)
        files[f"{ADAPTER_PREFIX}{adapter}.js"] = self.adapters[adapter]
        return files


def read_course_file(course: model.Course, relative: str) -> bytes:
    return (Path(course.root) / relative).read_bytes()
