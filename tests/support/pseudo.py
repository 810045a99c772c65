"""Pseudo-localisation for tests: every string of the interface and of a course ⟦Áççéñtéd⟧.

``pseudo_interface`` writes a pseudo-translated copy of the interface catalogue (``jmdi.pot``)
into a folder for ``JMDI_UI_CATALOGUES``; ``pseudo_course`` runs ``translate update`` on a course
and fills every entry of its new catalogue with :func:`bracketed`
(:func:`jmdi_scorm.source.translation_pseudo.pseudo`), which keeps Markdown, links, numbers and ``{placeholders}``. A page built from both shows only
pseudo text, apart from what no catalogue holds (numbers, names, URLs).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from jmdi_scorm.cli import main
from jmdi_scorm.locale import DOMAIN, TEMPLATE
from jmdi_scorm.source.translation_files import catalog_path, po_bytes, read_catalog
from jmdi_scorm.source.translation_pseudo import pseudo


def bracketed(text: str) -> str:
    """``pseudo(text)``, and a text with no letters (``{pct}%``, ``2``) inside ⟦…⟧ too: then a
    number format the code writes itself shows apart from one taken from a catalogue."""
    out = pseudo(text)
    return out if "⟦" in out or not text.strip() else f"⟦{out}⟧"


def pseudo_interface(folder: Path, language: str) -> Path:
    """``folder/<language>/LC_MESSAGES/jmdi.po``: every interface string of the template through :func:`bracketed`."""
    with TEMPLATE.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    for message in catalog:
        if message.id:  # the letters printed next to choices stay letters, one character each
            message.string = str(message.id) if message.context == "print_letters" else bracketed(str(message.id))
    target = folder / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        write_po(handle, catalog, width=0)
    return target


def pseudo_course(course: Path, language: str) -> Path:
    """The course's ``locale/<language>.po`` made by ``translate update``, every entry through :func:`bracketed`."""
    result = CliRunner().invoke(main, ["translate", "update", str(course), "--lang", language])
    assert result.exit_code == 0, result.output
    path = catalog_path(course, language)
    catalog = read_catalog(path, language)
    for message in catalog:
        if message.id:
            message.string = bracketed(str(message.id))
            message.flags.discard("fuzzy")
    path.write_bytes(po_bytes(catalog))
    return path
