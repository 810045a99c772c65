"""Build packages: load → check → per language: translate → render once → module PDFs → package per target → write.

Everything is rendered and packaged in memory first; each zip is then written under a hidden
temporary name as soon as it is made (so the zips are never all in memory at once), and the
files take their final names only once every one of them is written: a failing build leaves
no partial output and the previous packages as they were.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jmdi_scorm import workers
from jmdi_scorm.build_options import BuildOptions
from jmdi_scorm.errors import BuildError, CourseError, Problem
from jmdi_scorm.output import Artifact, Job, Made, upload_notes, write_packages
from jmdi_scorm.package.archive import sha256
from jmdi_scorm.package.staging import Staging
from jmdi_scorm.render import pdf, pdf_early, pdf_renderer
from jmdi_scorm.render.pages import RenderedPart, RenderOptions, render_pages, render_site
from jmdi_scorm.render.site import COURSE, Scope, Site, module_pdf_path
from jmdi_scorm.source import model
from jmdi_scorm.source.loader import LoadContext
from jmdi_scorm.source.validate import load_course_checked_later
from jmdi_scorm.targets.base import SCO_MODES, ScoMode, Target

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

SPLITS = ("module",)


@dataclass(frozen=True)
class Download:
    """One module PDF written next to the packages (the packages carry it in ``downloads/``)."""

    path: Path
    size: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "size": self.size, "sha256": self.sha256}


@dataclass
class BuildResult:
    artifacts: list[Artifact]
    problems: list[Problem] = field(default_factory=list)  # warnings of the course source
    notes: list[str] = field(default_factory=list)  # what the builder should act on
    details: list[str] = field(default_factory=list)  # facts about each package (build --verbose)
    seconds: float = 0.0  # the whole build, PDFs included
    downloads: list[Download] = field(default_factory=list)
    pdf_seconds: float = 0.0  # making the module PDFs
    pdf_stats: pdf.PdfStats = field(default_factory=pdf.PdfStats)  # rendered / reused from the cache
    written: list[Path] = field(default_factory=list)  # every file and folder written, in order

    def as_dict(self) -> dict[str, Any]:
        """What ``build --json`` prints (and a build record keeps: ``build_record``)."""
        return {
            "ok": True,
            "packages": [artifact.as_dict() for artifact in self.artifacts],
            "problems": [p.as_dict() for p in self.problems],
            "downloads": [download.as_dict() for download in self.downloads],
            "notes": self.notes,
            "details": self.details,
            "seconds": round(self.seconds, 3),
            "pdf_seconds": round(self.pdf_seconds, 3),
            "pdf_rendered": self.pdf_stats.rendered,
            "pdf_reused": self.pdf_stats.reused,
            "pdf_cache": str(self.pdf_stats.cache) if self.pdf_stats.cache else None,
            "up_to_date": False,
        }


def build(course_dir: Path, options: BuildOptions) -> BuildResult:
    """Build the packages of the course in ``course_dir``; raise a JmdiError if any fails."""
    wanted = options.pdf and course_dir.is_dir() and not pdf_renderer.not_installed()
    with _collector_paused(), pdf_early.started(course_dir, options.cache_folder(course_dir), wanted) as early:
        return _build(course_dir, options, early)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off during a build: the build keeps its tokens and pages to the end,
    and passes over them freed nothing while costing ~8 % of the CPU of a 1,000-topic build."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(course_dir: Path, options: BuildOptions, early: pdf.Renderer | None = None) -> BuildResult:
    started = time.perf_counter()
    if not course_dir.is_dir():
        raise BuildError(f"{course_dir}: course directory not found")
    if options.split not in (None, *SPLITS):
        raise BuildError(f"unknown --split '{options.split}' (use one of {', '.join(SPLITS)})")
    targets = with_sco(select_targets(options.formats), options.sco)
    step = _Steps(options.progress)
    step("loading the course")
    source, ctx, check = load_course_checked_later(course_dir, options.jobs)  # checked while rendering
    try:
        languages = build_languages(source, options.languages)
    except BuildError:
        check()  # a course error before a wrong --lang, as when the checks came first
        raise
    if languages != [None]:
        check()  # a translation is made of a checked course
    work = [(target, scope) for target in targets for scope in scopes(source, options.split)]
    shared = [(target, scope) for target, scope in work if target.all_languages]  # one package for all languages
    step.total = 3 + len(languages) * (1 + len(work) - len(shared)) + len(shared)
    missing = pdf_renderer.not_installed() if options.pdf else None  # cheap: WeasyPrint is imported only to render
    cache = options.cache_folder(course_dir)
    make_pdfs = options.pdf and not missing
    editions, sites = _render_languages(source, languages, make_pdfs, ctx, options.jobs, check, step)
    check()
    step("making the module PDFs" if make_pdfs else "skipping the module PDFs")
    downloads: dict[str, bytes] = {}  # file name in the output folder → PDF
    pdf_notes: list[str] = []
    pdf_seconds, pdf_stats = 0.0, pdf.PdfStats()
    try:
        if make_pdfs:
            courses = tuple(course for course, _ in editions)
            downloads, pdf_notes, pdf_seconds, pdf_stats = _module_pdfs(courses, sites, cache, early, options.jobs)
    except pdf.Unavailable as exc:  # a PDF to render and WeasyPrint cannot: pages that link the print pages
        missing = str(exc)
        sites = [_render(course, False, ctx, catalog, options.jobs) for course, catalog in editions]
        _same_languages(sites)
    if len(sites) > 1:
        sites[0].editions = tuple(sites)  # a target for all languages packages the first one's site
    jobs = [Job(target, index, scope) for index in range(len(sites)) for target, scope in work]
    jobs = [job for job in jobs if job.edition == 0 or not job.target.all_languages]
    made, pdfs_written, written = _write_all(jobs, sites, downloads, options, step)
    notes = [note for package in made for note in package.notes] + pdf_notes
    if not options.languages:
        notes += [
            f"locale/{name}.po: not built, jmdi-scorm has no '{name.split('_')[0]}' interface strings "
            "(docs/translating.md, Adding a language)"
            for name in without_interface(source)
        ]
    if missing:
        notes.append(f"module PDFs not made: {missing}; the module pages link their printable pages instead")
    notes += upload_notes(made, options.split is not None, bool(downloads))
    seconds = time.perf_counter() - started
    artifacts = [package.artifact for package in made]
    details = [detail for package in made for detail in package.details]
    return BuildResult(artifacts, ctx.problems, notes, details, seconds, pdfs_written, pdf_seconds, pdf_stats, written)


def build_languages(course: model.Course, asked: tuple[str, ...] = ()) -> list[str | None]:
    """The languages to build, the source first as None, then catalogue languages (``--lang``).

    ``asked`` empty: the source language and every ``locale/<lang>.po`` of the course but those
    with no interface strings (``without_interface``: a translation begun for a new language does
    not stop the build; asked for by name, it does). A value may hold several languages separated
    by commas; the source language is named by its code (``course.yaml`` ``language``). Babel is
    imported only when the course has catalogues.
    """
    names = [name.strip() for value in asked for name in value.split(",") if name.strip()]
    source = course.meta.language
    if names and all(_same_language(name, source) for name in names):
        return [None]  # the source only (``--lang en``): no catalogue to read, Babel not imported
    if not names and not any((Path(course.root) / "locale").glob("*.po")):
        return [None]
    from jmdi_scorm.source.translation_files import check_language, languages

    found: list[str | None] = []
    left_out = without_interface(course)
    wanted = names or [source, *(name for name in languages(Path(course.root)) if name not in left_out)]
    for name in wanted:
        language = None if _same_language(name, source) else check_language(name)
        if language not in found:
            found.append(language)
    return found


def without_interface(course: model.Course) -> list[str]:
    """The languages of the course's catalogues that have no interface strings (``jmdi_scorm.locale``)."""
    if not any((Path(course.root) / "locale").glob("*.po")):
        return []
    from jmdi_scorm.locale import LANGUAGES
    from jmdi_scorm.source.translation_files import languages

    return [name for name in languages(Path(course.root)) if name.split("_")[0] not in LANGUAGES]


def _same_language(name: str, source: str) -> bool:
    return name.replace("-", "_").lower() == source.replace("-", "_").lower()


#: A build of several languages translates the course and renders each language's pages in forked
#: workers, a language at a time, when the languages hold this much Markdown together (characters
#: of their topics): below, forking costs more than it saves. The JMDI course's four hold 1,600,000.
LANGUAGES_POOL_FROM_CHARS = 200_000

Edition = tuple[model.Course, "Catalog | None"]  # the course in one language, and its catalogue


def _render_languages(
    source: model.Course,
    languages: list[str | None],
    pdf_downloads: bool,
    ctx: LoadContext,
    jobs: int | None,
    meanwhile: Callable[[], None],
    step: Callable[[str], None],
) -> tuple[list[Edition], list[Site]]:
    """The course in each of ``languages`` and its site, in their order.

    One language: its pages rendered as ``render_site`` does, the checks (``meanwhile``) run while
    they render. Several (the course checked already): each language translated and its pages
    rendered in a forked worker, the sites put together here in order, the same files as when
    rendered one after the other in this process.
    """
    options = RenderOptions(pdf_downloads=pdf_downloads)
    if languages == [None]:
        step("rendering the pages")
        return [(source, None)], [_render(source, pdf_downloads, ctx, None, jobs, meanwhile)]
    text = sum(len(topic.body) for topic in source.topics) * len(languages)
    processes = workers.count(jobs, len(languages), text >= LANGUAGES_POOL_FROM_CHARS)

    def render(language: str | None) -> tuple[model.Course, Catalog | None, list[RenderedPart]]:
        course, catalog = _in_language(source, language)
        return course, catalog, render_pages(course, options, ctx.build)

    editions: list[Edition] = []
    sites: list[Site] = []
    with workers.Spread(render, languages, processes) as spread:
        for course, catalog, rendered in spread:
            step(f"rendering the pages{f' ({course.translation})' if course.translation else ''}")
            editions.append((course, catalog))
            sites.append(_render(course, pdf_downloads, ctx, catalog, jobs, rendered=rendered))
    _same_languages(sites)
    return editions, sites


def _same_languages(sites: list[Site]) -> None:
    """Each site knows the course in every language of the build (for the xAPI language maps)."""
    if len(sites) > 1:
        courses = tuple(site.course for site in sites)
        for site in sites:
            site.languages = courses


def _in_language(course: model.Course, language: str | None) -> Edition:
    """The course in ``language`` (None: as written) and the catalogue that translates it."""
    if language is None:
        return course, None
    from jmdi_scorm.source.translation_files import translated_course

    return translated_course(course, language)


def _render(
    course: model.Course,
    pdf_downloads: bool,
    ctx: LoadContext,
    catalog: Catalog | None,
    jobs: int | None,
    meanwhile: Callable[[], None] | None = None,
    rendered: list[RenderedPart] | None = None,
) -> Site:
    """The site of ``course``; with a catalogue, the course's SVG figures translated too.
    ``meanwhile`` and ``rendered``: see ``render_site``."""
    try:
        options = RenderOptions(pdf_downloads=pdf_downloads)
        site = render_site(course, options, ctx.build, jobs, meanwhile, rendered)
    except CourseError:
        raise
    except Exception:
        if meanwhile is not None:
            meanwhile()  # a course not yet checked: its problems rather than what they caused here
        raise
    if catalog is not None:
        from jmdi_scorm.source.translation_files import translated_asset

        for name in course.assets:
            if name.lower().endswith(".svg") and name in site.shared:
                site.shared[name] = translated_asset(name, site.shared[name], catalog)
    return site


def _download_names(course: model.Course, pdfs: dict[str, bytes]) -> dict[str, bytes]:
    """The module PDFs by their name in the output folder: ``<course>[-<language>]-<module>.pdf``."""
    names = {module_pdf_path(course.id, module.id): f"{course.package_id}-{module.id}.pdf" for module in course.modules}
    return {names.get(path, path.rsplit("/", 1)[-1]): data for path, data in pdfs.items()}


class _Steps:
    """Tells ``BuildOptions.progress`` which step starts, how many are done and how many there are."""

    def __init__(self, report: Callable[[str, int, int], None] | None):
        self.report, self.done, self.total = report, 0, 1

    def __call__(self, label: str) -> None:
        if self.report:
            self.report(label, self.done, max(self.total, self.done + 1))
        self.done += 1


def select_targets(formats: tuple[str, ...]) -> list[Target]:
    from jmdi_scorm.targets import BROKEN, TARGETS

    names = [name.strip() for value in formats for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in TARGETS and name != "all"]
    if BROKEN and (not names or "all" in names or unknown):
        raise next(iter(BROKEN.values()))  # a bug, not a user error: keep its traceback
    if not names or "all" in names:
        return list(TARGETS.values())
    if unknown:
        raise BuildError(f"unknown format '{unknown[0]}' (choose from {', '.join(TARGETS)}, all)")
    return [TARGETS[name] for name in dict.fromkeys(names)]


def with_sco(targets: list[Target], sco: str | None) -> list[Target]:
    """The targets configured for ``--sco`` (formats without SCOs are left as they are)."""
    if sco is None:
        return targets
    mode = _sco_mode(sco)
    configured = [target.with_sco(mode) for target in targets]
    if all(copy is None for copy in configured):
        raise BuildError("--sco applies to the SCORM formats only")
    return [copy or target for target, copy in zip(targets, configured, strict=True)]


def _sco_mode(sco: str) -> ScoMode:
    for mode in SCO_MODES:
        if sco == mode:
            return mode
    raise BuildError(f"unknown --sco '{sco}' (use one of {', '.join(SCO_MODES)})")


def scopes(course: model.Course, split: str | None) -> list[Scope]:
    if split == "module":
        return [Scope(module.id) for module in course.modules]
    return [COURSE]


def _module_pdfs(
    courses: tuple[model.Course, ...],
    sites: list[Site],
    cache: Path | None,
    early: pdf.Renderer | None,
    jobs: int | None,
) -> tuple[dict[str, bytes], list[str], float, pdf.PdfStats]:
    """Make the module PDFs of every language (or reuse them from ``cache``) and add them to each
    site's files, so that every package carries them; the PDFs by their name in the output folder.
    ``early``: the process that imported WeasyPrint meanwhile (``pdf_early``), if one was started."""
    started = time.perf_counter()
    downloads: dict[str, bytes] = {}
    notes: list[str] = []
    rendered = reused = 0
    for course, site, (pdfs, more, stats) in zip(
        courses,
        sites,
        pdf.editions_pdfs(list(zip(courses, sites, strict=True)), cache, jobs, renderer=early),
        strict=True,
    ):
        site.shared.update(pdfs)
        downloads.update(_download_names(course, pdfs))
        notes += more
        rendered, reused = rendered + stats.rendered, reused + stats.reused
    return downloads, notes, time.perf_counter() - started, pdf.PdfStats(rendered, reused, cache)


def _write_all(
    jobs: list[Job], sites: list[Site], pdfs: dict[str, bytes], options: BuildOptions, step: _Steps
) -> tuple[list[Made], list[Download], list[Path]]:
    """Make and write every package and PDF (``pdfs``: file name in the output folder → bytes): each
    staged as soon as it is made, all renamed into place at the end (the paths written, last)."""
    out = options.out
    try:
        with Staging() as staging:
            made = write_packages(jobs, sites, out, staging, options.jobs, step)
            step("compressing and writing")
            downloads = [_stage_download(name, data, out, staging) for name, data in pdfs.items()]
            staging.commit()
    except OSError as exc:
        raise BuildError(f"cannot write {exc.filename or out}: {exc.strerror or exc}") from exc
    return made, downloads, staging.committed


def _stage_download(name: str, data: bytes, out: Path, staging: Staging) -> Download:
    dest = out / name
    staging.write(dest, data)
    return Download(dest, len(data), sha256(data))
