"""Module downloads: one PDF per module, made with WeasyPrint from its print page.

The PDFs come from the rendered site only: ``print/<module-id>.html`` and the stylesheet and
figures it uses are served from memory by :class:`_SiteFetcher`, so nothing outside the package is
read and nothing is fetched from the network. WeasyPrint is optional (``pip install
jmdi-scorm[pdf]`` and the Debian libraries of ``scripts/setup.sh``): :func:`unavailable` says
why it cannot be used, and the build then links the printable pages instead.

The same source gives byte-identical PDFs: WeasyPrint writes no creation date unless told, no
file identifier by default, and names font subsets from their content. With
``SOURCE_DATE_EPOCH`` set, the PDFs carry that date as their creation and modification date.
"""

from __future__ import annotations

import mimetypes
import os
import posixpath
import time
from typing import Any
from urllib.parse import unquote, urlsplit

from . import model
from .errors import BuildError
from .site import Site, module_pdf_path, print_page_path

ORIGIN = "https://package.invalid/"  # a base URL that can never be fetched: see _SiteFetcher


def unavailable() -> str | None:
    """Why WeasyPrint cannot make PDFs on this machine, or None if it can."""
    try:
        import weasyprint  # loads Pango, HarfBuzz and fontconfig
    except ImportError as exc:
        return f"WeasyPrint is not installed ({exc}); pip install 'jmdi-scorm[pdf]'"
    except OSError as exc:  # a missing system library: cffi cannot dlopen it
        return f"WeasyPrint cannot load its system libraries ({exc}); run scripts/setup.sh"
    try:
        from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: F401 - WeasyPrint 68+
    except ImportError:
        return f"WeasyPrint {weasyprint.__version__} is too old (68 or later is needed)"
    return None


def module_pdfs(course: model.Course, site: Site) -> tuple[dict[str, bytes], list[str]]:
    """``{downloads/<course>-<module>.pdf: bytes}`` for every module, and notes on missing files."""
    pdfs: dict[str, bytes] = {}
    notes: list[str] = []
    created = _source_date()
    for module in course.modules:
        name, page = module_pdf_path(course.id, module.id), print_page_path(module.id)
        fetcher = _site_fetcher(site)
        pdfs[name] = _render(site.shared[page], page, fetcher, created)
        notes += [f"{name}: left out, not in the package: {url}" for url in fetcher.refused]
    return pdfs, notes


def _render(html: bytes, page: str, fetcher: Any, created: str | None) -> bytes:
    import weasyprint

    document = weasyprint.HTML(string=html.decode(), base_url=ORIGIN + page, url_fetcher=fetcher).render(
        pdf_tags=True  # tagged PDF: headings, lists and reading order for screen readers
    )
    document.metadata.created = document.metadata.modified = created
    return document.write_pdf(pdf_tags=True)


def _site_fetcher(site: Site) -> Any:
    """A WeasyPrint URL fetcher that serves the site's files and refuses every other URL."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class _SiteFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__()
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith("data:"):  # inline images and fonts carry their own bytes
                return super().fetch(url, headers)
            name = _site_name(url)
            if name not in site.shared:
                self.refused.append(url.removeprefix(ORIGIN))
                raise ValueError(f"{url} is not in the package")
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, site.shared[name], {"Content-Type": kind})

    return _SiteFetcher()


def _site_name(url: str) -> str | None:
    """The site file a URL under :data:`ORIGIN` stands for (query and fragment dropped), or None."""
    if not url.startswith(ORIGIN):
        return None
    return posixpath.normpath(unquote(urlsplit(url).path).lstrip("/"))


def _source_date() -> str | None:
    """``SOURCE_DATE_EPOCH`` (reproducible-builds.org) as a W3C date, or None to write no date."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(value)))
    except (ValueError, OverflowError, OSError) as exc:
        raise BuildError(f"SOURCE_DATE_EPOCH must be a number of seconds, not '{value}'") from exc
