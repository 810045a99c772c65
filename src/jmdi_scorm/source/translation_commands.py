"""What ``jmdi-scorm translate extract|update|status`` do, on the catalogues of a course.

``extract`` writes ``<course>/locale/messages.pot``; ``update`` creates or updates ``<lang>.po``
from it (extracting first, so the template is always the course as it is); ``status`` compares
each catalogue with the course as it is; ``check`` runs the translation checks. The course must be valid (``load_course``).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog

from jmdi_scorm.atomic import atomic_write
from jmdi_scorm.errors import Problem
from jmdi_scorm.source.translation_catalog import as_datetime, new_catalog
from jmdi_scorm.source.translation_files import (
    TEMPLATE,
    Status,
    TranslationError,
    catalog_path,
    check_language,
    languages,
    locale_dir,
    po_bytes,
    progress,
    read_catalog,
    template_of,
    translation_problems,
)
from jmdi_scorm.source.translation_update import update_catalog
from jmdi_scorm.source.validate import load_course


def extract_files(root: Path) -> tuple[Path, Catalog]:
    """Write ``locale/messages.pot`` of the course in ``root``; the course must be valid."""
    course, ctx = load_course(root)
    template = template_of(course, ctx)
    path = locale_dir(Path(course.root)) / TEMPLATE
    atomic_write(path, po_bytes(template))
    return path, template


def update_files(root: Path, language: str) -> tuple[Path, Catalog]:
    """Create or update ``locale/<language>.po`` from the current template (extracted again first)."""
    language = check_language(language)
    path_pot, template = extract_files(root)
    path = catalog_path(path_pot.parent.parent, language)
    if path.exists():
        catalog = read_catalog(path, language)
    else:
        catalog = new_catalog(template.project, template.version, language, as_datetime(template.creation_date))
    catalog = update_catalog(catalog, template)
    catalog.project, catalog.version = template.project, template.version  # the course's id and version now
    atomic_write(path, po_bytes(catalog))
    return path, catalog


def status_files(root: Path) -> list[Status]:
    """Progress of every catalogue of the course in ``root`` against the course as it is now."""
    course, ctx = load_course(root)
    template = template_of(course, ctx)
    return [
        progress(template, read_catalog(catalog_path(Path(course.root), language), language), language)
        for language in languages(Path(course.root))
    ]


def check_files(root: Path, only: tuple[str, ...] = (), each: bool = False) -> list[Problem]:
    """The translation checks of the catalogues of the course in ``root`` (``translation_problems``)."""
    course, ctx = load_course(root)
    for language in only:
        if not catalog_path(Path(course.root), language).is_file():
            raise TranslationError(
                f"no catalogue for '{language}': run `jmdi-scorm translate update --lang {language}`"
            )
    return translation_problems(course, ctx, only, each)
