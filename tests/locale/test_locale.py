"""The interface catalogues (src/jmdi_scorm/locale): complete, exact, and the one list of languages.

A translator checks a catalogue with ``python -m pytest tests/locale/test_locale.py`` (docs/translating.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import pytest
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from jmdi_scorm import locale
from jmdi_scorm.cli import main
from jmdi_scorm.locale import LANGUAGES, CatalogueError, placeholders, read_catalogue, read_template
from jmdi_scorm.source import model
from tests.conftest import ROOT

FOLDER = ROOT / "src" / "jmdi_scorm" / "locale"
TRANSLATIONS = [language for language in LANGUAGES if language != locale.SOURCE_LANGUAGE]


def read(path: Path, language: str | None = None):
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=locale.DOMAIN)


def test_the_template_has_one_key_per_entry() -> None:
    template = read(FOLDER / "jmdi.pot")
    keys = [message.context for message in template if message.id]
    assert all(keys) and len(keys) == len(set(keys))
    assert all(not message.string for message in template if message.id), "the template translates nothing"
    assert not template.obsolete


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_every_catalogue_has_every_key_of_the_template(language: str) -> None:
    """Every key of the template, with its English text as msgid; no other, none obsolete;
    translated, not fuzzy, with the placeholders of the English text."""
    english = read_template()
    catalogue = read(FOLDER / language / "LC_MESSAGES" / "jmdi.po", language)
    assert catalogue.locale_identifier == language
    entries = {message.context: message for message in catalogue if message.id}
    assert set(entries) == set(english), f"missing: {set(english) - set(entries)}; stale: {set(entries) - set(english)}"
    problems = []
    for key, source in english.items():
        message = entries[key]
        if message.id != source:
            problems.append(f"{key}: msgid is not the English text of the template (an old English text?)")
        if message.fuzzy:
            problems.append(f"{key}: fuzzy")
        if not message.string.strip():
            problems.append(f"{key}: empty")
        elif placeholders(message.string) != placeholders(source):
            problems.append(
                f"{key}: placeholders {sorted(placeholders(message.string))} for {sorted(placeholders(source))}"
            )
    assert not problems, "\n".join(problems)
    assert not catalogue.obsolete, "obsolete (#~) entries left: delete them"
    assert locale.strings(language).keys() == english.keys()


def test_languages_are_english_and_the_catalogues_present() -> None:
    present = sorted(path.parent.parent.name for path in FOLDER.glob("*/LC_MESSAGES/jmdi.po"))
    assert ("en", *present) == LANGUAGES and {"fr", "es", "ar"} <= set(present)


def test_model_schema_and_cli_take_the_language_list_from_the_catalogues() -> None:
    assert get_args(model.LanguageCode) == LANGUAGES
    schema = model.CourseFile.model_json_schema()
    assert schema["properties"]["language"]["enum"] == list(LANGUAGES)
    committed = json.loads((ROOT / "schemas" / "course.schema.json").read_text(encoding="utf-8"))
    assert committed["properties"]["language"]["enum"] == list(LANGUAGES)
    new = next(p for p in main.commands["new"].params if p.name == "language")
    assert tuple(new.type.choices) == LANGUAGES
    assert "[en|" + "|".join(LANGUAGES[1:]) + "]" in CliRunner().invoke(main, ["new", "--help"]).output


def test_writing_direction_comes_from_the_language() -> None:
    assert [locale.direction(language) for language in ("en", "fr", "es", "ar")] == ["ltr", "ltr", "ltr", "rtl"]


def _broken_copy(tmp_path: Path, change) -> Path:
    """The French catalogue with ``change(catalogue)`` applied, written to ``tmp_path``."""
    catalogue = read(FOLDER / "fr" / "LC_MESSAGES" / "jmdi.po", "fr")
    change(catalogue)
    path = tmp_path / "jmdi.po"
    with path.open("wb") as handle:
        write_po(handle, catalogue)
    return path


def test_a_missing_entry_fails_loudly(tmp_path: Path) -> None:
    english = read_template()
    path = _broken_copy(tmp_path, lambda c: c.delete(english["tries_left"], context="tries_left"))
    with pytest.raises(CatalogueError, match=r"tries_left: missing"):
        read_catalogue(path, "fr", english)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.flags.add("fuzzy"), "tries_left: fuzzy"),
        (lambda m: setattr(m, "string", ""), "tries_left: not translated"),
        (lambda m: setattr(m, "string", "Essais restants : {nombre}."), r"tries_left: placeholders \['nombre'\]"),
    ],
)
def test_an_unusable_entry_fails_loudly(tmp_path: Path, change, message: str) -> None:
    english = read_template()
    path = _broken_copy(tmp_path, lambda c: change(c.get(english["tries_left"], context="tries_left")))
    with pytest.raises(CatalogueError, match=message):
        read_catalogue(path, "fr", english)


def test_an_english_text_changed_in_the_template_only_fails_loudly(tmp_path: Path) -> None:
    """The lookup is by key and English text (msgctxt + msgid): a translation of the old text is no translation."""
    english = read_template() | {"tries_left": "Tries left: {n}"}
    with pytest.raises(CatalogueError, match=r"tries_left: missing"):
        read_catalogue(FOLDER / "fr" / "LC_MESSAGES" / "jmdi.po", "fr", english)


def test_a_language_without_a_catalogue_fails_loudly() -> None:
    with pytest.raises(CatalogueError, match="no interface catalogue for language 'de'"):
        locale.strings("de")
