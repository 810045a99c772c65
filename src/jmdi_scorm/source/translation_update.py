"""``translate update``: a language catalogue brought in step with the course's new template,
keeping every translation that still fits (see :func:`update_catalog`)."""

from __future__ import annotations

import difflib

from babel.messages.catalog import Catalog, Message

from jmdi_scorm.source.translation_catalog import FORMAT_FLAGS

#: How alike (difflib's ratio) a key's former and new English must be for the translation to follow the key.
SIMILAR = 0.5


def _similarity(first: str, second: str) -> float:
    matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
    return matcher.quick_ratio() and matcher.ratio()


#: How alike a new English text and an orphaned one must be to offer its translation (difflib's
#: ratio; Babel's own matching uses the same cut-off).
ORPHAN_SIMILAR = 0.6


def _match_orphans(catalog: Catalog, previous: dict[tuple[str, str], str]) -> None:
    """Offer each untranslated message the translation of the most similar obsolete one (fuzzy)."""
    orphans = {key: message for key, message in catalog.obsolete.items() if message.string}
    for message in catalog:
        if not message.id or message.string or not orphans:
            continue
        text = str(message.id)
        scored = [(_similarity(str(orphan.id), text), key) for key, orphan in orphans.items()]
        score, best = max(scored, key=lambda pair: pair[0])
        if score < ORPHAN_SIMILAR:
            continue
        orphan = orphans.pop(best)
        del catalog.obsolete[best]
        message.string = orphan.string
        message.flags.add("fuzzy")
        previous[(text, str(message.context or ""))] = str(orphan.id)


def update_catalog(old: Catalog, template: Catalog) -> Catalog:
    """``old`` brought in step with ``template`` (Babel's ``Catalog.update``), keys first.

    Before Babel's own matching (by similar English text), each new message not in ``old`` as it
    is gets, in order: the translation of the same English text at another key (a block that
    moved: kept as it is), or the translation at the same key of a similar former English text
    (``SIMILAR``; marked fuzzy, the former text kept as ``#| msgid``). Babel then carries over the
    keys that did not change; what is left untranslated is matched by similar English text among the
    translations that would become obsolete (``_match_orphans``: fuzzy too), and what is left
    unmatched becomes obsolete (``#~``). Babel's own similar-text matching is not used: it compares
    each new text with every message of the catalogue (minutes for a few hundred new texts in a
    3,000-message course), where only the orphaned ones can be meant.
    """
    by_text: dict[str, Message] = {}
    by_key: dict[str, Message] = {}
    for message in old:
        if message.id and isinstance(message.string, str) and message.string:
            by_key.setdefault(str(message.context or ""), message)
            if not message.fuzzy:
                by_text.setdefault(str(message.id), message)
    previous: dict[tuple[str, str], str] = {}
    for message in template:
        if not message.id or old.get(message.id, context=message.context) is not None:
            continue
        msgid, key = str(message.id), str(message.context or "")
        moved, changed = by_text.get(msgid), by_key.get(key)
        if changed is not None and _similarity(str(changed.id), str(message.id)) < SIMILAR:
            changed = None  # another text took the key (a block inserted before it): Babel's matching decides
        source = moved or changed
        if source is None:
            continue
        flags = set(source.flags) - {"fuzzy"} if moved else set(source.flags) | {"fuzzy"}
        old.add(message.id, source.string, context=message.context, flags=flags)
        if not moved:
            previous[(msgid, key)] = str(source.id)
    old.update(template, no_fuzzy_matching=True, update_creation_date=True)
    _match_orphans(old, previous)
    for (msgid, key), former in previous.items():
        updated = old.get(msgid, context=key)
        if updated is not None:
            updated.previous_id = [former]
    for message in (*old, *old.obsolete.values()):
        message.flags.difference_update(FORMAT_FLAGS)
    return old
