"""The interface languages and their strings, from gettext catalogues read with Babel.

``jmdi.pot`` beside this file is the template and the English text: one entry per string, its key
as ``msgctxt`` and its English text as ``msgid``. ``<language>/LC_MESSAGES/jmdi.po`` is one
translation. The interface languages are English and those whose catalogue is here; the model,
the JSON Schema and the CLI take :data:`LANGUAGES` from this module, which imports nothing of the
package but :mod:`jmdi_scorm.errors` (every stage may read it).

A catalogue must translate every entry of the template (same key, same English text, not fuzzy,
not empty, same ``{placeholders}``): any gap is a :class:`CatalogueError`, never an English
fallback. Each catalogue is read once per process.

``JMDI_UI_CATALOGUES`` (an environment variable, read when this module is imported) names a
folder laid out as this one, ``<language>/LC_MESSAGES/jmdi.po``: its catalogues come before the
shipped ones, so a translator sees a catalogue in place before submitting it (a new language, or
a shipped one replaced) and the tests build with a pseudo-translated interface. Same checks.
"""

from __future__ import annotations

import os
import re
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from jmdi_scorm.errors import JmdiError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from babel.messages.catalog import Catalog

DOMAIN = "jmdi"
SOURCE_LANGUAGE = "en"  # the language of the template's msgids
FOLDER: Traversable = files(__name__)
TEMPLATE: Traversable = FOLDER / f"{DOMAIN}.pot"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: The folder of ``JMDI_UI_CATALOGUES``: catalogues preferred to the shipped ones (docs/translating.md).
EXTRA: Traversable | None = Path(os.environ["JMDI_UI_CATALOGUES"]) if os.environ.get("JMDI_UI_CATALOGUES") else None


class CatalogueError(JmdiError):
    """A catalogue that lacks an entry of the template, or has an unusable one."""


def _in(folder: Traversable, language: str) -> Traversable:
    return folder / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalogue_file(language: str) -> Traversable:
    """Where the catalogue of ``language`` is (whether it exists or not): ``JMDI_UI_CATALOGUES`` first."""
    if EXTRA is not None and _in(EXTRA, language).is_file():
        return _in(EXTRA, language)
    return _in(FOLDER, language)


def _languages(folder: Traversable | None) -> set[str]:
    if folder is None or not folder.is_dir():
        return set()
    return {item.name for item in folder.iterdir() if item.is_dir() and _in(folder, item.name).is_file()}


#: The interface languages: English, then those with a catalogue, by code.
LANGUAGES: tuple[str, ...] = (SOURCE_LANGUAGE, *sorted((_languages(FOLDER) | _languages(EXTRA)) - {SOURCE_LANGUAGE}))


def _read(file: Traversable, language: str | None = None) -> Catalog:
    from babel.messages.pofile import read_po  # Babel on first use: the CLI starts without it

    with file.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a string."""
    return set(PLACEHOLDER.findall(text))


def read_template(file: Traversable = TEMPLATE) -> dict[str, str]:
    """Key -> English text, in the template's order."""
    english: dict[str, str] = {}
    for message in _read(file):
        if not message.id:
            continue  # the header
        if not isinstance(message.id, str):
            raise CatalogueError(f"{file}: entry {message.id!r}: the interface strings have no plural forms")
        if not message.context or message.context in english:
            raise CatalogueError(f"{file}: entry {message.id!r} needs a msgctxt key of its own")
        english[message.context] = message.id
    return english


def read_catalogue(file: Traversable, language: str, english: Mapping[str, str]) -> dict[str, str]:
    """Key -> translation of every key of ``english``; :class:`CatalogueError` naming every gap."""
    catalogue = _read(file, language)
    table: dict[str, str] = {}
    problems = []
    for key, source in english.items():
        message = catalogue.get(source, context=key)
        text = message.string if message is not None else None
        if message is None:
            problems.append(f"{key}: missing (msgctxt {key!r} with msgid {source!r})")
        elif message.fuzzy:
            problems.append(f"{key}: fuzzy (check the translation, then remove the fuzzy flag)")
        elif not text or not isinstance(text, str):
            problems.append(f"{key}: not translated")
        elif placeholders(text) != placeholders(source):
            problems.append(
                f"{key}: placeholders {sorted(placeholders(text))}, English has {sorted(placeholders(source))}"
            )
        else:
            table[key] = text
    if problems:
        raise CatalogueError(f"{file}: " + "; ".join(problems))
    return table


@cache
def _strings(language: str) -> Mapping[str, str]:
    english = read_template()
    if language == SOURCE_LANGUAGE:
        return MappingProxyType(english)
    if language not in LANGUAGES:
        raise CatalogueError(f"no interface catalogue for language '{language}' (there are: {', '.join(LANGUAGES)})")
    return MappingProxyType(read_catalogue(catalogue_file(language), language, english))


def strings(language: str) -> dict[str, str]:
    """Key -> interface string of ``language`` (read once per process)."""
    return dict(_strings(language))


def direction(language: str) -> str:
    """``rtl`` or ``ltr``: the writing direction of ``language`` (CLDR data, through Babel)."""
    from babel import Locale

    return "rtl" if Locale.parse(language).text_direction == "rtl" else "ltr"


def language_name(language: str) -> str:
    """The name of ``language`` in itself, as a list of languages shows it: "Français", "العربية"
    (CLDR data, through Babel; a first letter capitalised, as a name standing alone)."""
    from babel import Locale

    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]
