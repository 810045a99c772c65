"""Module downloads: one PDF per module, made with WeasyPrint from its print page.

The PDFs come from the rendered site only: ``print/<module-id>.html`` and the stylesheet and
figures it uses are served from memory by :class:`_SiteFetcher`, so nothing outside the package is
read and nothing is fetched from the network. WeasyPrint is optional (``pip install
jmdi-scorm[pdf]`` and the Debian libraries of ``scripts/setup.sh``): :func:`unavailable` says
why it cannot be used, and the build then links the printable pages instead.

The same source gives byte-identical PDFs: WeasyPrint writes no creation date unless told, no
file identifier by default, and names font subsets from their content. With
``SOURCE_DATE_EPOCH`` set, the PDFs carry that date as their creation and modification date.

Figures whose SVG text WeasyPrint cannot shape (Arabic) get that text laid over them as HTML
text before rendering (:mod:`jmdi_scorm.render.figure_text`); other pages are rendered as served.

Rendering is the slow part of a build, so :func:`module_pdfs` renders only what changed: a
:class:`PdfCache` (``<course>/.jmdi-cache/pdf/`` by default) keeps each module's PDF under the
SHA-256 of what made it — the print page as rendered, the site files WeasyPrint loaded for it
(style sheets, figures, fonts: their hashes are stored in the entry and checked on reuse), the
versions of WeasyPrint, pydyf and jmdi-scorm, this file's own source and the creation date. The
PDFs still to render, in every language of the build (:func:`editions_pdfs`), are rendered in
parallel, one process per core (``fork``: the workers inherit the imported WeasyPrint and the
sites' files). A cached PDF is the same bytes a fresh render gives, so packages are
byte-identical with or without the cache.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import mimetypes
import multiprocessing
import os
import posixpath
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jmdi_scorm import __version__
from jmdi_scorm.atomic import atomic_write
from jmdi_scorm.errors import BuildError
from jmdi_scorm.render import figure_text
from jmdi_scorm.render.pdf_renderer import renderer_versions, system_fonts, unavailable
from jmdi_scorm.render.site import Site, module_pdf_path, print_page_path
from jmdi_scorm.source import model

ORIGIN = "https://package.invalid/"  # a base URL that can never be fetched: see _SiteFetcher


_ENTRY_MAGIC = b"jmdi-scorm module PDF 1\n"
_STALE_DAYS = 30  # cache entries neither written nor reused for this long are removed


@dataclass(frozen=True)
class PdfStats:
    """How many module PDFs a build rendered and how many it reused from the cache."""

    rendered: int = 0
    reused: int = 0
    cache: Path | None = None  # the cache folder used, None with --no-cache


@dataclass(frozen=True)
class _Rendered:
    pdf: bytes
    loaded: tuple[str, ...]  # site files WeasyPrint fetched for it
    refused: tuple[str, ...]  # URLs it asked for that are not in the package (as in the notes)


class Unavailable(Exception):
    """WeasyPrint cannot render here (the message says why: :func:`unavailable`)."""


Edition = tuple[model.Course, Site]  # the course in one language and its rendered site
Made = tuple[dict[str, bytes], list[str], PdfStats]  # see module_pdfs
Job = tuple[int, str]  # which site's files (an index) and the print page to render
#: What renders jobs: :func:`render_all` or a stand-in with its arguments and results.
Renderer = Callable[[Sequence[Mapping[str, bytes]], list[Job], str | None, int | None], list[_Rendered]]


def module_pdfs(course: model.Course, site: Site, cache: Path | None = None, jobs: int | None = None) -> Made:
    """``{downloads/<course>-<module>.pdf: bytes}`` for every module, notes on missing files, and
    how many were rendered or reused. ``cache``: the cache folder (None: render everything);
    ``jobs``: how many processes render (default: one per available core)."""
    return editions_pdfs([(course, site)], cache, jobs)[0]


def editions_pdfs(
    editions: Sequence[Edition], cache: Path | None = None, jobs: int | None = None, renderer: Renderer | None = None
) -> list[Made]:
    """:func:`module_pdfs` of the course in each language of a build, in one go: the PDFs to render,
    whatever their language, share one pool of processes (a changed topic changes its module's
    PDF in every language; rendered one language after the other, they would take one core each).
    ``renderer``: what renders them instead of :func:`render_all` (``pdf_early``: a process that
    imported WeasyPrint while the build rendered its pages; it raises :class:`Unavailable`)."""
    created = _source_date()
    stores = [PdfCache(cache, created) if cache is not None else None for _ in editions]  # a file memo each
    wanted = [[(module_pdf_path(c.id, m.id), print_page_path(m.id)) for m in c.modules] for c, _ in editions]
    done: list[dict[str, _Rendered]] = [{} for _ in editions]
    for index, ((_, site), store) in enumerate(zip(editions, stores, strict=True)):
        for name, page in wanted[index]:
            hit = store.get(page, site.shared) if store else None
            if hit is not None:
                done[index][name] = hit
    todo = [
        (index, name, page) for index, pairs in enumerate(wanted) for name, page in pairs if name not in done[index]
    ]
    why = unavailable() if todo and renderer is None else None  # the import: 0.6-1 s
    if why:
        raise Unavailable(why)
    files = [site.shared for _, site in editions]
    jobs_todo = [(index, page) for index, _, page in todo]
    rendered = (renderer or render_all)(files, jobs_todo, created, jobs) if todo else []
    for (index, name, page), made in zip(todo, rendered, strict=True):
        done[index][name] = made
        store = stores[index]
        if store:
            store.put(page, files[index], made)
    results: list[Made] = []
    for index, store in enumerate(stores):
        pdfs = {name: done[index][name].pdf for name, _ in wanted[index]}
        notes = [
            f"{name}: left out, not in the package: {url}"
            for name, _ in wanted[index]
            for url in done[index][name].refused
        ]
        if store and store.unwritable:
            notes.append(f"module PDFs not cached: {store.unwritable}")
        count = sum(1 for job in todo if job[0] == index)
        results.append((pdfs, notes, PdfStats(count, len(wanted[index]) - count, cache)))
    if stores and stores[0]:
        stores[0].prune()
    return results


def render_all(
    files: Sequence[Mapping[str, bytes]], jobs: list[Job], created: str | None, workers: int | None
) -> list[_Rendered]:
    """Render the print pages of ``jobs``, in their order: in this process if one is to be rendered
    or one core is free, else in a pool of forked processes, the longest pages first so that no
    process is left with a long one at the end (each PDF is the same bytes whichever process
    makes it)."""
    count = min(len(jobs), workers or cores())
    if count <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        rendered = []
        for number, (index, page) in enumerate(jobs):
            if number:
                gc.collect()  # the previous render's reference cycles
            with _collector_off():
                rendered.append(_render_page(files[index], page, created))
        return rendered
    order = sorted(range(len(jobs)), key=lambda number: -len(files[jobs[number][0]][jobs[number][1]]))
    context = multiprocessing.get_context("fork")  # no re-import of WeasyPrint, no pickling of the sites
    pool = context.Pool(count, initializer=_worker_start, initargs=(files,))
    try:
        results = pool.starmap(_render_page_here, [(*jobs[number], created) for number in order], chunksize=1)
        pool.close()
    except BaseException:
        pool.terminate()  # Ctrl-C, SIGTERM, a failed render: stop the other renders now
        raise
    finally:
        pool.join()
    by_number = dict(zip(order, results, strict=True))
    return [by_number[number] for number in range(len(jobs))]


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


_WORKER_FILES: Sequence[Mapping[str, bytes]] = ()


def _worker_start(files: Sequence[Mapping[str, bytes]]) -> None:
    global _WORKER_FILES
    _WORKER_FILES = files
    gc.disable()  # collected once after each render instead (_render_page_here)
    gc.freeze()  # what the build made before the fork is left out of those collections
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle: it terminates us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the command's handler: end at once


def _render_page_here(index: int, page: str, created: str | None) -> _Rendered:
    try:
        return _render_page(_WORKER_FILES[index], page, created)
    finally:
        gc.collect()  # the render's reference cycles (boxes, layouts), freed before the next render


@contextlib.contextmanager
def _collector_off() -> Iterator[None]:
    """Python's cycle collector paused: a render allocates millions of objects, and the automatic
    collections they trigger cost ~10 % of its CPU time and free little before it ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _render_page(files: Mapping[str, bytes], page: str, created: str | None) -> _Rendered:
    fetcher = _site_fetcher(files)
    html, figures = figure_text.overlay_figures(files[page].decode(), page, files)
    pdf = _render(html, page, fetcher, created)
    return _Rendered(pdf, tuple(dict.fromkeys([*figures, *fetcher.loaded])), tuple(fetcher.refused))


def _render(html: str, page: str, fetcher: Any, created: str | None) -> bytes:
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=ORIGIN + page, url_fetcher=fetcher).render(
        pdf_tags=True  # tagged PDF: headings, lists and reading order for screen readers
    )
    document.metadata.created = document.metadata.modified = created
    return document.write_pdf(pdf_tags=True)


class PdfCache:
    """Module PDFs kept across builds in ``folder/pdf/``, one file per print page and content.

    An entry is named by the SHA-256 of the renderer's versions, this file's source, the creation
    date, the page's name and its HTML; it holds the SHA-256 of every site file the render loaded
    and the names it was refused, and is reused only if those are unchanged and the PDF's own
    hash matches (a partial or damaged entry is rendered again and replaced). Entries are written
    to a temporary file and renamed. The folder holds a ``.gitignore`` of ``*``, so git ignores it
    wherever it is; deleting it at any time is safe.
    """

    def __init__(self, folder: Path, created: str | None) -> None:
        self.folder = folder
        self.entries = folder / "pdf"
        self.unwritable: str | None = None  # why entries could not be written, if so
        self._salt = _salt(created)
        self._hashes: dict[str, str] = {}

    def get(self, page: str, files: Mapping[str, bytes]) -> _Rendered | None:
        path = self.entries / self._key(page, files[page])
        try:
            data = path.read_bytes()
            rendered = self._parse(data, files)
        except (OSError, ValueError, KeyError, TypeError):  # missing, partial, damaged: render it again
            return None
        if rendered is not None:
            with contextlib.suppress(OSError):
                os.utime(path)  # recently used: kept by prune()
        return rendered

    def put(self, page: str, files: Mapping[str, bytes], rendered: _Rendered) -> None:
        if self.unwritable:
            return
        head = {
            "page": page,
            "loaded": [[name, self._hash(name, files[name])] for name in rendered.loaded],
            "refused": list(rendered.refused),
            "size": len(rendered.pdf),
            "sha256": hashlib.sha256(rendered.pdf).hexdigest(),
        }
        data = _ENTRY_MAGIC + json.dumps(head, sort_keys=True).encode() + b"\n" + rendered.pdf
        try:
            self._prepare()
            atomic_write(self.entries / self._key(page, files[page]), data)
        except OSError as exc:
            self.unwritable = f"cannot write {exc.filename or self.entries}: {exc.strerror or exc}"

    def prune(self) -> None:
        """Remove the entries not used for :data:`_STALE_DAYS` days, and temporary files left behind."""
        now = time.time()
        with contextlib.suppress(OSError):
            for path in self.entries.iterdir():
                limit = 3600 if path.name.endswith(".tmp") else _STALE_DAYS * 86400  # a killed build's leftovers
                with contextlib.suppress(OSError):
                    if now - path.stat().st_mtime > limit:
                        path.unlink()

    def _parse(self, data: bytes, files: Mapping[str, bytes]) -> _Rendered | None:
        if not data.startswith(_ENTRY_MAGIC):
            return None
        head_end = data.index(b"\n", len(_ENTRY_MAGIC))
        head = json.loads(data[len(_ENTRY_MAGIC) : head_end])
        pdf = data[head_end + 1 :]
        if len(pdf) != head["size"] or hashlib.sha256(pdf).hexdigest() != head["sha256"]:
            return None
        loaded = [(str(name), str(digest)) for name, digest in head["loaded"]]
        if any(name not in files or self._hash(name, files[name]) != digest for name, digest in loaded):
            return None  # a style sheet, figure or font changed
        refused = [str(url) for url in head["refused"]]
        if any(_site_name(ORIGIN + url) in files for url in refused):
            return None  # a file it missed is there now
        return _Rendered(pdf, tuple(name for name, _ in loaded), tuple(refused))

    def _key(self, page: str, html: bytes) -> str:
        digest = hashlib.sha256(self._salt)
        digest.update(page.encode() + b"\0")
        digest.update(html)
        return digest.hexdigest()

    def _hash(self, name: str, data: bytes) -> str:
        if name not in self._hashes:
            self._hashes[name] = hashlib.sha256(data).hexdigest()
        return self._hashes[name]

    def _prepare(self) -> None:
        if not self.entries.is_dir():
            self.entries.mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            atomic_write(ignore, b"# made by jmdi-scorm: a cache, safe to delete\n*\n")


def _salt(created: str | None) -> bytes:
    """What every entry depends on besides its page: renderer versions, our code, the date."""
    parts = [
        renderer_versions(),
        f"jmdi-scorm {__version__}",
        hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),  # how we call WeasyPrint
        hashlib.sha256(Path(figure_text.__file__).read_bytes()).hexdigest(),  # how figures' text is laid out
        f"created {created}",
        f"fonts {system_fonts()}",
    ]
    return "\n".join(parts).encode() + b"\0"


def _site_fetcher(files: Mapping[str, bytes]) -> Any:
    """A WeasyPrint URL fetcher that serves the site's files and refuses every other URL."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class _SiteFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__()
            self.refused: list[str] = []
            self.loaded: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith("data:"):  # inline images and fonts carry their own bytes
                return super().fetch(url, headers)
            name = _site_name(url)
            if name is None or name not in files:
                self.refused.append(url.removeprefix(ORIGIN))
                raise ValueError(f"{url} is not in the package")
            self.loaded.append(name)
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, files[name], {"Content-Type": kind})

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
