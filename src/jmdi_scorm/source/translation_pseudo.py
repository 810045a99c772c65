"""Pseudo-translation: every text visibly changed (⟦Áççéñtéd⟧), its markup, numbers, links and
placeholders kept, to see in a built package what does not come from a catalogue."""

from __future__ import annotations

import re

from babel.messages.catalog import Catalog

from jmdi_scorm.source.translation_blocks import leading
from jmdi_scorm.source.translation_catalog import as_datetime, new_catalog

_ACCENTS = str.maketrans("aeiouyAEIOUYcnCN", "áéíóúýÁÉÍÓÚÝçñÇÑ")
_PROTECTED = re.compile(
    r"\]\([^)\s]*|`[^`]*`|<[^>\n]*>|https?://[^\s)>\]]+|mailto:[^\s)>\]]+|\{\w+\}|\[\^[^\]]*\]|&#?\w+;"
)
_LEAD = re.compile(r"^(\s*(?:[-*+]\s+|\d+[.)]\s+|#{1,6}\s+|>\s?|:::\s*[\w-]+\s*)*)")
# An image alone on its line (a figure): its alt text and title are pseudo-translated, the line stays an image.
_IMAGE = re.compile(r'^!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)(?:\s+"(?P<title>[^"]*)")?\)$')


def _accent(text: str) -> str:
    out, position = [], 0
    for match in _PROTECTED.finditer(text):
        out.append(text[position : match.start()].translate(_ACCENTS))
        out.append(match.group())
        position = match.end()
    out.append(text[position:].translate(_ACCENTS))
    return "".join(out)


def pseudo(text: str) -> str:
    """A visibly different text with the same markup, numbers, links and placeholders: ⟦Áççéñtéd⟧."""
    lines = []
    for line in text.split("\n"):
        if line.lstrip().startswith("|"):
            cells = line.split("|")
            lines.append("|".join(f" ⟦{_accent(c.strip())}⟧ " if re.search(r"[^\W\d_]", c) else c for c in cells))
            continue
        lead = leading(_LEAD, line)
        rest = line[len(lead) :]
        end = "\\" if rest.endswith("\\") else ""  # a hard line break stays at the end of its line
        rest = rest.removesuffix(end)
        image = _IMAGE.match(rest)
        if image:
            alt, title = (f"⟦{_accent(image[part])}⟧" if image[part] else "" for part in ("alt", "title"))
            title = f' "{title}"' if title else ""
            lines.append(f"{lead}![{alt}]({image['src']}{title}){end}")
            continue
        lines.append(lead + (f"⟦{_accent(rest)}⟧" if re.search(r"[^\W\d_]", rest) else rest) + end)
    return "\n".join(lines)


def pseudo_catalog(template: Catalog, locale: str = "en_XA") -> Catalog:
    """A catalogue translating every message of ``template`` with :func:`pseudo` (layout tests)."""
    catalog = new_catalog(template.project, template.version, locale, as_datetime(template.creation_date))
    for message in template:
        if message.id:
            catalog.add(message.id, pseudo(str(message.id)), context=message.context, locations=message.locations)
    return catalog
