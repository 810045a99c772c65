"""Course catalogues as messages: one :class:`Segment` per translatable text, a new catalogue with
the course's header and a reproducible date, and the lookup of a usable translation.

The segments come from the course model (:mod:`~jmdi_scorm.source.translation`) and its SVG figures
(:mod:`~jmdi_scorm.source.translation_svg`); the files are read and written by
:mod:`~jmdi_scorm.source.translation_files`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from babel.messages.catalog import Catalog

FORMAT_FLAGS = ("python-format", "python-brace-format")  # Babel guesses them from "%" and "{}": not ours
HEADER = (
    "# Translatable texts of the course PROJECT (version VERSION).\n"
    "# Written by `jmdi-scorm translate`: translate msgstr only; see docs/translating.md."
)


@dataclass
class Segment:
    """One translatable text: its key (``msgctxt``), English text (``msgid``) and place."""

    key: str
    text: str
    path: str  # relative to the course directory, POSIX
    line: int
    note: str  # for the translator (``#.`` comment)
    put: Callable[[str], None] | None = field(default=None, repr=False, compare=False)


def creation_date(epoch: str | None) -> datetime:
    """The catalogue date: ``SOURCE_DATE_EPOCH`` when given, else a fixed date (reproducible files)."""
    seconds = int(epoch) if epoch and epoch.strip().isdigit() else 0
    return datetime.fromtimestamp(seconds, UTC)


def as_datetime(value: datetime | str) -> datetime:
    """A catalogue's date as Babel keeps it (read from a file: maybe text) as a datetime."""
    return value if isinstance(value, datetime) else creation_date(None)


def new_catalog(project: str, version: str, locale: str | None = None, date: datetime | None = None) -> Catalog:
    """An empty catalogue with the course's header (``locale`` None: the template)."""
    date = date or creation_date(None)
    return Catalog(
        locale=locale,
        domain="course",
        header_comment=HEADER,
        project=project,
        version=version,
        copyright_holder=None,
        msgid_bugs_address=None,
        creation_date=date,
        revision_date=date,
        fuzzy=locale is None,
    )


def translation(catalog: Catalog, key: str, text: str) -> str | None:
    """The usable translation of ``text`` at ``key``: present, not empty, not fuzzy; else None."""
    message = catalog.get(text, context=key)
    if message is None or message.fuzzy or not isinstance(message.string, str) or not message.string.strip():
        return None
    return message.string
