"""Keep the interface catalogues in step with their template (docs/translating.md).

    python scripts/catalogues.py update     # every catalogue after an edit of jmdi.pot
    python scripts/catalogues.py init de    # a new catalogue (German here), every entry untranslated

``update`` adds the template's new entries (untranslated), marks an entry whose English text
changed fuzzy (its former English kept as ``#| msgid``), drops entries the template no longer has
and copies the template's translator comments. ``pybabel update`` does the same, but it flags the
texts with ``{pct}%`` as ``python-format`` (they are not: ``msgfmt -c`` and PO editors then
report false format errors) and fills the header with placeholder fields; this script writes the
catalogues as they are committed, so that running it on an up-to-date tree changes nothing.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

LOCALE = Path(__file__).resolve().parents[1] / "src" / "jmdi_scorm" / "locale"
TEMPLATE = LOCALE / "jmdi.pot"
DOMAIN = "jmdi"
# Header fields Babel writes with placeholder values (a translator's own values are kept).
PLACEHOLDER_FIELDS = re.compile(
    r'^"(Report-Msgid-Bugs-To: EMAIL@ADDRESS|Last-Translator: FULL NAME <EMAIL@ADDRESS>'
    r'|Language-Team: \S+ <LL@li\.org>|Generated-By: [^"]*)\\n"\n',
    re.M,
)


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def write(catalogue: Catalog, path: Path) -> None:
    for message in catalogue:
        message.flags.discard("python-format")  # our fields are {name}: python-brace-format only
    buffer = io.BytesIO()
    write_po(buffer, catalogue, ignore_obsolete=True, include_previous=True)
    text = buffer.getvalue().decode("utf-8")
    text = re.sub(
        r'^"Project-Id-Version: [^"]*\\n"$', '"Project-Id-Version: jmdi-scorm\\\\n"', text, count=1, flags=re.M
    )
    text = PLACEHOLDER_FIELDS.sub("", text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def update() -> None:
    template = read(TEMPLATE)
    for path in sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        language = path.parent.parent.name
        catalogue = read(path, language)
        catalogue.update(template, update_header_comment=False, update_creation_date=False)
        write(catalogue, path)
        print(f"updated {path.relative_to(LOCALE.parents[2])}")


def init(language: str) -> None:
    path = LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if path.exists():
        sys.exit(f"{path} exists: run `update` instead")
    template = read(TEMPLATE)
    catalogue = Catalog(
        locale=language,
        domain=DOMAIN,
        project="jmdi-scorm",
        header_comment=template.header_comment,
        creation_date=template.creation_date,
        fuzzy=False,
    )
    for message in template:
        if message.id:
            catalogue.add(
                message.id, "", context=message.context, auto_comments=message.auto_comments, flags=message.flags
            )
    write(catalogue, path)
    print(f"wrote {path.relative_to(LOCALE.parents[2])}: translate every msgstr, then run tests/locale/test_locale.py")


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["update"]:
            update()
        case ["init", language]:
            init(language)
        case _:
            sys.exit(__doc__)
