"""What every page of a site is rendered with: the course, the templates, the Markdown renderer
and the interface strings (:class:`Renderer`), and the build's rendering choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from jmdi_scorm import __version__
from jmdi_scorm.render.bidi import Directions
from jmdi_scorm.render.markdown_html import Context, MarkdownRenderer
from jmdi_scorm.render.site import COURSE, Page, Scope
from jmdi_scorm.source import model


@dataclass(frozen=True)
class RenderOptions:
    """Rendering choices of one build."""

    generator: str = f"jmdi-scorm {__version__}"
    pdf_downloads: bool = False  # module pages link their PDF (made by pdf.py after rendering)


@dataclass
class Renderer:
    """The course and the tools that render its pages; ``page_files``: the files each rendered page
    uses (filled as pages are rendered)."""

    course: model.Course
    env: Environment
    md: MarkdownRenderer
    strings: dict[str, str]
    options: RenderOptions
    pages: list[Page]
    page_files: dict[str, set[str]] = field(default_factory=dict)
    scope: Scope = COURSE  # the package the page is for: the resources page lists its module PDFs
    #: the pages of each scope and what the launch page's configuration says of them (``in_scope``)
    covered: dict[Scope, tuple[list[Page], list[dict[str, Any]]]] = field(default_factory=dict)

    def in_scope(self, scope: Scope) -> list[Page]:
        """The pages ``scope`` covers, in order; worked out once per scope (a launch page per package)."""
        return self._covered(scope)[0]

    def configs_in_scope(self, scope: Scope) -> list[dict[str, Any]]:
        """``Page.config()`` of each page ``scope`` covers, made once per scope (read only)."""
        return self._covered(scope)[1]

    def _covered(self, scope: Scope) -> tuple[list[Page], list[dict[str, Any]]]:
        if scope not in self.covered:
            pages = [page for page in self.pages if scope.covers(page)]
            self.covered[scope] = (pages, [page.config() for page in pages])
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
