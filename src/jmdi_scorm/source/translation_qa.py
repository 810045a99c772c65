"""Translation checks, in the manner of translate-toolkit's ``pofilter``: what a translation must keep.

:func:`qa` compares a language catalogue with the template (the course's English segments) and
returns :class:`Finding` s; each check has a name (``Finding.check``):

``untranslated``  no usable translation (missing, empty, or made for an English text since changed)
``fuzzy``         marked fuzzy: to be reviewed (the build uses the English meanwhile)
``obsolete``      an entry for a text the course no longer has (``translate update`` moves it to ``#~``)
``numbers``       the numbers of the English, each as many times (thousands separators may differ)
``urls``          the web and mail addresses written out in the text
``links``         the targets of Markdown links and images (files, topics, anchors, addresses)
``glossary``      the ``glossary:<id>`` link targets: the glossary ids are not translated
``placeholders``  ``{name}``, ``%s``, footnote references ``[^1]`` and HTML tags
``markdown``      the same Markdown structure: headings, list items, tables (rows, cells),
                  block quotes, ``:::`` boxes, code blocks, paragraphs, images
``length``        translation much shorter or longer than the English (``LENGTH_RATIO``; not for the
                  accepted answers of a fill-in question)
``questions``     every part of a question translated or none (a half-translated question mixes
                  languages), and its options, items and pairs still tell apart
``terms``         where the English has a glossary term, the translation has the term's
                  translation (a heuristic by word stems: ``translation_terms``; accepted answers of
                  fill-in questions not read: ``_terms``)

Everything here is pure; ``translation_files.translation_problems`` turns findings into
validation warnings.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TypedDict
from urllib.parse import unquote

from babel.messages.catalog import Catalog, Message
from markdown_it import MarkdownIt
from markdown_it.token import Token

from jmdi_scorm.errors import Problem
from jmdi_scorm.source.markdown import is_plain, new_parser
from jmdi_scorm.source.translation_terms import missing, term_base

#: Allowed translation length / English length, for English texts of ``MIN_LENGTH`` characters or more.
LENGTH_RATIO = (0.4, 3.0)
MIN_LENGTH = 20
_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)")
_URL = re.compile(r"(?:https?://|mailto:|www\.)[^\s)<>\]\"']*[^\s)<>\]\"'.,;:!?]")
_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f\u2009]\d+)*")
_PLACEHOLDER = re.compile(r"\{\w*\}|%(?:\(\w+\))?[sdif]|\[\^[^\]\s]+\]|</?[A-Za-z][^<>]*>")
_OPTION = re.compile(
    r"^(?P<question>.*/questions/[^/]+)/(?P<list>choices|items|pairs|answers)/(?P<item>[a-z0-9]+)(?:/(?P<side>left|right))?$"
)
_PART = re.compile(r"^(?P<question>.*/questions/[^/]+)/")
_STRUCTURE_NAMES = {
    "heading": "headings",
    "bullet": "bulleted list items",
    "ordered": "numbered list items",
    "blockquote": "block quotes",
    "table": "tables",
    "tr": "table rows",
    "cell": "table cells",
    "code": "code blocks",
    "hr": "rules",
    "paragraph": "paragraphs",
    "image": "images",
}


class Where(TypedDict):
    """Where a segment is: its course file and line, and the line of its entry in the catalogue."""

    path: str
    line: int
    po_line: int


NOWHERE = Where(path="", line=0, po_line=0)


@dataclass(frozen=True, order=True)
class Finding:
    """One translation problem of one segment (``key``), located in the course and the catalogue."""

    key: str
    check: str
    message: str
    path: str = ""  # course file of the English text
    line: int = 0
    po_line: int = 0  # line of the entry in the language catalogue (0: it has none)

    def problem(self, catalogue: str) -> Problem:
        """As a validation warning, located in the catalogue (or the course file when it has no entry)."""
        if self.po_line:
            return Problem(catalogue, self.po_line, self.key, f"{self.check}: {self.message}", "warning")
        return Problem(
            self.path or catalogue, self.line or 1, self.key, f"{self.check}: {self.message} ({catalogue})", "warning"
        )


@cache
def _parser() -> MarkdownIt:
    return new_parser(accept_any_link=True)


@lru_cache(maxsize=16384)
def _tokens(text: str) -> tuple[Token, ...]:
    """A text's Markdown tokens, read only: each English text is checked against every language, and
    ``link_targets`` and ``structure`` read the same tokens."""
    return tuple(_parser().parse(text))


def usable(message: Message | None) -> bool:
    return (
        message is not None and not message.fuzzy and isinstance(message.string, str) and bool(message.string.strip())
    )


# --- what a text is made of -----------------------------------------------------------------


def numbers(text: str) -> Counter[str]:
    """The numbers of a text, digits only (``1,000`` and ``1 000`` are both ``1000``), outside
    addresses, link targets and placeholders (those have their own checks)."""
    text = _PLACEHOLDER.sub(" ", _URL.sub(" ", _TARGET.sub("](", text)))
    return Counter(re.sub(r"\D", "", match) for match in _NUMBER.findall(text))


def urls(text: str) -> Counter[str]:
    return Counter(_URL.findall(_TARGET.sub("](", text)))


def link_targets(text: str) -> Counter[str]:
    """Targets of the Markdown links and images of a text (``glossary:`` ones included)."""
    found: Counter[str] = Counter()
    if is_plain(text):  # no Markdown at all: no link, no parse (half the texts of a catalogue)
        return found
    for token in _tokens(text):
        for child in token.children or []:
            if child.type == "link_open":
                found[unquote(str(child.attrGet("href") or ""))] += 1
            elif child.type == "image":
                found[unquote(str(child.attrGet("src") or ""))] += 1
    return found


def placeholders(text: str) -> Counter[str]:
    return Counter(_PLACEHOLDER.findall(text))


def structure(text: str) -> Counter[str]:
    """The Markdown structure of a text: how many of each kind of block (see ``_STRUCTURE_NAMES``)."""
    if is_plain(text):  # no Markdown at all: one paragraph
        return Counter(paragraph=1)
    found: Counter[str] = Counter()
    tokens = _tokens(text)
    lists: list[str] = []
    for token in tokens:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append(kind.split("_")[0])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            found[lists[-1] if lists else "bullet"] += 1
        elif kind == "heading_open":
            found[f"heading {token.tag}"] += 1
        elif kind.startswith("container_") and kind.endswith("_open"):
            found[f"box {token.info.strip().split(' ', 1)[0]}"] += 1
        elif kind in ("th_open", "td_open"):
            found["cell"] += 1
        elif kind in ("blockquote_open", "table_open", "tr_open", "paragraph_open", "hr"):
            found[kind.removesuffix("_open")] += 1
        elif kind in ("fence", "code_block"):
            found["code"] += 1
        for child in token.children or []:
            if child.type == "image":
                found["image"] += 1
    return found


def _label(item: str) -> str:
    if item.startswith("heading h"):
        return f"level-{item[-1]} headings"
    if item.startswith("box "):
        return f"'{item[4:]}' boxes"
    return _STRUCTURE_NAMES.get(item, item)


def _difference(source: Counter[str], translated: Counter[str], counts: bool = False) -> str:
    """What differs: ``missing x; extra y`` or, with ``counts``, ``list items 3 → 2``."""
    parts = []
    for item in sorted(set(source) | set(translated)):
        before, after = source[item], translated[item]
        if before == after:
            continue
        if counts:
            parts.append(f"{_label(item)} {before} → {after}")
        else:
            times = abs(before - after)
            parts.append(f"{'missing' if before > after else 'extra'} {item}" + (f" ×{times}" if times > 1 else ""))
    return "; ".join(parts)


# --- the checks -----------------------------------------------------------------------------


_LABELS = {
    "numbers": "numbers",
    "urls": "addresses",
    "links": "link targets",
    "glossary": "glossary links",
    "placeholders": "placeholders",
}


def check_pair(source: str, translated: str, ratio: tuple[float, float] = LENGTH_RATIO) -> list[tuple[str, str]]:
    """(check, message) for everything ``translated`` fails to keep of ``source``."""
    out: list[tuple[str, str]] = []
    found = {
        "numbers": (numbers(source), numbers(translated)),
        "urls": (urls(source), urls(translated)),
        "placeholders": (placeholders(source), placeholders(translated)),
    }
    targets_source, targets_translated = link_targets(source), link_targets(translated)
    glossary = lambda c: Counter({k: v for k, v in c.items() if k.startswith("glossary:")})  # noqa: E731
    others = lambda c: Counter({k: v for k, v in c.items() if not k.startswith("glossary:")})  # noqa: E731
    found["links"] = (others(targets_source), others(targets_translated))
    found["glossary"] = (glossary(targets_source), glossary(targets_translated))
    for check, label in _LABELS.items():
        before, after = found[check]
        if before != after:
            out.append((check, f"{label} differ from the English: {_difference(before, after)}"))
    before, after = structure(source), structure(translated)
    if before != after:
        out.append(
            ("markdown", f"Markdown structure differs from the English: {_difference(before, after, counts=True)}")
        )
    if len(source) >= MIN_LENGTH:
        share = len(translated) / len(source)
        if not ratio[0] <= share <= ratio[1]:
            out.append(
                ("length", f"translation is {share:.1f} times as long as the English (expected {ratio[0]}–{ratio[1]})")
            )
    return out


def qa(template: Catalog, catalog: Catalog, ratio: tuple[float, float] = LENGTH_RATIO) -> list[Finding]:
    """Every problem of the language catalogue ``catalog`` against ``template``, sorted by key."""
    findings: list[Finding] = []
    keys_translated = {m.context for m in catalog if m.id and m.string}
    wanted = set()
    translations: dict[str, tuple[Message, str, Where]] = {}
    for message in template:
        if not message.id:
            continue
        key, source = str(message.context or ""), str(message.id)
        wanted.add((source, key))
        path, line = message.locations[0] if message.locations else ("", 0)
        found = catalog.get(source, context=message.context)
        where = Where(path=path, line=line or 0, po_line=(found.lineno or 0) if found is not None else 0)
        if found is not None and found.fuzzy and found.string:
            findings.append(
                Finding(key, "fuzzy", "marked fuzzy: review the translation, then remove the flag", **where)
            )
        elif found is None or not usable(found):
            why = (
                "the English changed since it was translated: run `jmdi-scorm translate update`"
                if key in keys_translated
                else "not translated"
            )
            findings.append(Finding(key, "untranslated", why, **where))
        else:
            translations[key] = (found, source, where)
            findings.extend(
                Finding(key, check, text, **where)
                for check, text in check_pair(source, str(found.string), ratio)
                if check != "length" or not _accepted_answer(key)
            )
    for message in catalog:
        if message.id and (str(message.id), str(message.context or "")) not in wanted:
            findings.append(
                Finding(
                    str(message.context or ""),
                    "obsolete",
                    "not in the course any more: run `jmdi-scorm translate update`",
                    po_line=message.lineno or 0,
                )
            )
    findings.extend(_questions(template, translations))
    findings.extend(_terms(translations))
    return sorted(findings)


def _questions(template: Catalog, translations: dict[str, tuple[Message, str, Where]]) -> list[Finding]:
    """A question translated in part, and options (items, pairs) whose translations are the same."""
    parts: dict[str, list[str]] = defaultdict(list)
    for message in template:
        match = _PART.match(str(message.context or ""))
        if message.id and match:
            parts[match["question"]].append(str(message.context))
    findings = []
    for question, keys in parts.items():
        done = [k for k in keys if k in translations]
        where = translations[done[0]][2] if done else NOWHERE
        if done and len(done) < len(keys):
            missing = ", ".join(k.removeprefix(question + "/") for k in keys if k not in translations)
            findings.append(
                Finding(question, "questions", f"question translated in part; still in English: {missing}", **where)
            )
        groups: dict[tuple[str, str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for key in done:
            match = _OPTION.match(key)
            if match:
                text = " ".join(str(translations[key][0].string).casefold().split())
                groups[(match["list"], match["side"] or "", question)][text].append(match["item"])
        for (kind, side, _), texts in sorted(groups.items()):
            for items in texts.values():
                if len(items) > 1:
                    label = f"{kind} {', '.join(items)}" + (f" ({side})" if side else "")
                    findings.append(
                        Finding(
                            question,
                            "questions",
                            f"{label} have the same translation: learners cannot tell them apart",
                            **where,
                        )
                    )
    return findings


_SVG_LINE = re.compile(r"^svg/(?P<figure>.+)/(?:text|tspan|textPath)/\d+(?:/tail)?$")


def _svg_lines(translations: dict[str, tuple[Message, str, Where]]) -> dict[str, list[str]]:
    """For each SVG figure's line (a label, not its title or description), its key with the keys of the
    lines before and after it in the figure: a label cut in lines is one text, and a translation may
    move a word to the next line ("Migrant or diaspora / association" → « Association de migrants /
    ou de la diaspora »). Each line still has to use the term base's words with its neighbours."""
    figures: dict[str, list[str]] = defaultdict(list)
    for key in translations:
        match = _SVG_LINE.match(key)
        if match:
            figures[match["figure"]].append(key)
    around = {}
    for keys in figures.values():
        for index, key in enumerate(keys):
            around[key] = keys[max(0, index - 1) : index + 2]
    return around


def _accepted_answer(key: str) -> bool:
    """Whether ``key`` is an accepted answer of a fill-in question: a form learners may type, not text
    they read. The forms follow the blank of the translated prompt and how learners type: "financial
    ______" → « ______ financiera » leaves « inclusión » and « inclusion » (no accent) where the English
    accepts "inclusion" and "financial inclusion"; asking each form for the whole term would be wrong.
    The prompt and the feedback, which learners read, are checked."""
    match = _OPTION.match(key)
    return bool(match and match["list"] == "answers")


def _terms(translations: dict[str, tuple[Message, str, Where]]) -> list[Finding]:
    """Segments whose English uses a glossary term and whose translation lacks the term's translation
    (``translation_terms.missing``). An SVG figure's line is read with the lines before and after it
    (``_svg_lines``). The accepted answers of a fill-in question are not read (``_accepted_answer``).
    """
    glossary = {}
    for key, (message, source, _where) in translations.items():
        match = re.fullmatch(r"glossary/([^/]+)/term", key)
        if match:
            glossary[match[1]] = (source, str(message.string))
    terms = term_base(glossary)
    lines = _svg_lines(translations)
    findings: list[Finding] = []
    for key, (_translated, source, where) in translations.items():
        if key.startswith("glossary/") and key.endswith("/term") or _accepted_answer(key):
            continue
        text = _TARGET.sub("](", " ".join(str(translations[k][0].string) for k in lines.get(key, [key])))
        findings.extend(
            Finding(
                key,
                "terms",
                f"the English uses the glossary term '{term.english}', translated '{term.translated}', "
                "which the translation does not use",
                **where,
            )
            for term in missing(terms, source, text)
        )
    return findings
