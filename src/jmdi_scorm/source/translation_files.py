"""The course's translation catalogues on disk: ``<course>/locale/messages.pot`` and ``<lang>.po``.

Reading and writing them, the progress of a language and the translation checks as validation
problems (``translation_problems``); the commands are in :mod:`~jmdi_scorm.source.translation_commands`,
the segments, keys and merge rules in :mod:`~jmdi_scorm.source.translation`. Files are written with Babel's ``write_po`` to a temporary
file renamed over the old one, and are byte-identical from run to run: document order, the date
from ``SOURCE_DATE_EPOCH`` or a fixed one.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.core import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import escape, read_po, unescape, write_po

from jmdi_scorm.errors import JmdiError, Problem
from jmdi_scorm.locale import LANGUAGES
from jmdi_scorm.source import model
from jmdi_scorm.source.loader import LoadContext
from jmdi_scorm.source.translation import Lines, apply, extract
from jmdi_scorm.source.translation_catalog import FORMAT_FLAGS
from jmdi_scorm.source.translation_qa import Finding, qa
from jmdi_scorm.source.translation_svg import translate_svg

LOCALE_DIR = "locale"
TEMPLATE = "messages.pot"
LANGUAGE = re.compile(r"^[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*$")


class TranslationError(JmdiError):
    """A catalogue cannot be read or written, or a language code is not usable."""


@dataclass(frozen=True)
class Status:
    """Progress of one language against the course as it is now."""

    language: str
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    words: int  # English words of every segment
    words_left: int  # English words of the fuzzy and untranslated segments


def locale_dir(root: Path) -> Path:
    return root / LOCALE_DIR


def catalog_path(root: Path, language: str) -> Path:
    return locale_dir(root) / f"{check_language(language)}.po"


def check_language(language: str) -> str:
    """``language`` if it is a language code Babel knows (``fr``, ``pt_BR``); else TranslationError."""
    if not LANGUAGE.match(language):
        raise TranslationError(f"'{language}' is not a language code (e.g. fr, es, pt_BR)")
    try:
        Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise TranslationError(f"unknown language '{language}'") from None
    return language.replace("-", "_")


def languages(root: Path) -> list[str]:
    """The languages with a catalogue in the course, sorted."""
    folder = locale_dir(root)
    return sorted(p.stem for p in folder.glob("*.po") if p.is_file()) if folder.is_dir() else []


def course_lines(course: model.Course, ctx: LoadContext) -> Lines:
    """The loader's YAML lines, asked by course-relative path."""
    root = Path(course.root)
    return lambda path, loc: ctx.line(ctx.shown(root / path), loc)


def svg_files(course: model.Course) -> dict[str, bytes]:
    """The course's SVG assets (``course.assets``, as the check stage lists them), name to bytes."""
    root = Path(course.root)
    return {name: (root / name).read_bytes() for name in course.assets if name.lower().endswith(".svg")}


def template_of(course: model.Course, ctx: LoadContext) -> Catalog:
    return extract(course, course_lines(course, ctx), svg_files(course), os.environ.get("SOURCE_DATE_EPOCH"))


def po_bytes(catalog: Catalog) -> bytes:
    """The PO file of ``catalog``: no wrapping, document order, each former English as ``#| msgid``.

    Babel neither reads ``#|`` lines back nor writes them in a form it could (it wraps them as
    comments), so this module writes and reads them itself (``read_catalog``).
    """
    for message in (*catalog, *catalog.obsolete.values()):
        message.flags.difference_update(FORMAT_FLAGS)
    out = io.BytesIO()
    write_po(out, catalog, width=0, include_previous=False, sort_output=False, sort_by_file=False)
    text = out.getvalue().decode("utf-8")
    for message in catalog:
        if message.id and message.context and message.previous_id:
            line = f'\nmsgctxt "{escape(message.context)[1:-1]}"\n'
            previous = f'\n#| msgid "{escape(str(message.previous_id[0]))[1:-1]}"'
            text = text.replace(line, previous + line, 1)
    return text.encode("utf-8")


_PREVIOUS = re.compile(r'^#\| msgid (".*")\n(?:#\| .*\n)*(?:#.*\n)*msgctxt (".*")$', re.MULTILINE)


def read_catalog(path: Path, language: str | None = None) -> Catalog:
    try:
        data = path.read_bytes()
        catalog = read_po(io.BytesIO(data), locale=language, abort_invalid=True)
    except OSError as exc:
        raise TranslationError(f"{path}: cannot read ({exc.strerror})") from None
    except Exception as exc:  # Babel's PoFileError and the like: a broken file
        raise TranslationError(f"{path}: not a readable PO file ({exc})") from None
    by_key = {message.context: message for message in catalog if message.id}
    for match in _PREVIOUS.finditer(data.decode("utf-8", "replace")):
        message = by_key.get(unescape(match[2]))
        if message is not None:
            message.previous_id = [unescape(match[1])]
    return catalog


def progress(template: Catalog, catalog: Catalog | None, language: str) -> Status:
    """How much of ``template`` ``catalog`` translates (a message whose English changed counts as fuzzy)."""
    total = translated = fuzzy = words = left = 0
    keys = {m.context for m in catalog if m.id and m.string} if catalog is not None else set()
    for message in template:
        if not message.id:
            continue
        count = len(str(message.id).split())
        total, words = total + 1, words + count
        found = catalog.get(message.id, context=message.context) if catalog is not None else None
        if found is not None and found.string and not found.fuzzy:
            translated += 1
            continue
        left += count
        stale = found is None and message.context in keys
        if found is not None and found.string or stale:
            fuzzy += 1
    return Status(language, total, translated, fuzzy, total - translated - fuzzy, words, left)


def qa_files(course: model.Course, ctx: LoadContext, only: Iterable[str] = ()) -> dict[str, list[Finding]]:
    """The translation checks of the catalogues of the course (``only`` these languages if given)."""
    root = Path(course.root)
    found = [check_language(language) for language in only] or languages(root)
    if not found:
        return {}
    template = template_of(course, ctx)
    return {language: qa(template, read_catalog(catalog_path(root, language), language)) for language in found}


#: Checks reported once per catalogue, with a count, unless each segment is asked for.
COUNTED = ("untranslated", "fuzzy")


def translation_problems(
    course: model.Course, ctx: LoadContext, only: Iterable[str] = (), each: bool = False
) -> list[Problem]:
    """The translation checks as validation warnings (``validate --strict`` fails on them), sorted.

    Each names the catalogue and the line of its entry when known, else the course file and line.
    Untranslated and fuzzy segments are one warning per catalogue (with their count and first
    keys), or one each with ``each``.
    """
    root = Path(course.root)
    problems: list[Problem] = []
    try:
        results = qa_files(course, ctx, only)
    except TranslationError as exc:
        return [Problem(ctx.shown(locale_dir(root)), 1, "", str(exc), "warning")]
    for language, findings in results.items():
        shown = ctx.shown(catalog_path(root, language))
        problems.extend(f.problem(shown) for f in findings if each or f.check not in COUNTED)
        for check in () if each else COUNTED:
            keys = [f.key for f in findings if f.check == check]
            if keys:
                first = ", ".join(keys[:3]) + (", …" if len(keys) > 3 else "")
                message = f"{check}: {len(keys)} segment(s) ({first}); `jmdi-scorm translate status` counts them"
                problems.append(Problem(shown, 1, "", message, "warning"))
    return sorted(problems)


def translated_course(course: model.Course, language: str) -> tuple[model.Course, Catalog]:
    """The course in ``language`` from ``locale/<language>.po`` (``translation.apply``), and the catalogue.

    What the catalogue does not translate (missing, empty, fuzzy) stays English. The course's
    ``language`` becomes ``language``, whose interface strings must exist (``jmdi_scorm.locale``):
    a translated course never shows an interface in another language. For the build's ``--lang``;
    ``translated_asset`` translates the course's SVG files with the same catalogue.
    """
    language = check_language(language)
    interface = language.split("_")[0]
    if interface not in LANGUAGES:
        raise TranslationError(
            f"no interface strings for '{interface}' (there are: {', '.join(LANGUAGES)}); see docs/translating.md"
        )
    path = catalog_path(Path(course.root), language)
    if not path.is_file():
        raise TranslationError(f"no catalogue {path}: run `jmdi-scorm translate update --lang {language}`")
    catalog = read_catalog(path, language)
    translated = apply(course, catalog)
    translated.meta.language = interface  # checked against LANGUAGES above
    translated.meta.interface_language = None  # a translation's interface is in its own language
    translated.translation = language  # names its packages (model.Course.package_id)
    return translated, catalog


def translated_asset(name: str, data: bytes, catalog: Catalog) -> bytes:
    """A course file (``name`` relative to the course) as the translated course ships it: SVG texts translated."""
    return translate_svg(data, name, catalog) if name.lower().endswith(".svg") else data
