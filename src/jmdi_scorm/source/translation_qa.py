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
                  translation (a heuristic: each word of four letters or more, by its stem; the
                  longest term wins, names, titles kept in English, hyphenated compounds and
                  ``HOMONYMS`` outside glossary links do not count; abbreviations optional; accepted
                  answers of fill-in questions not read: ``_terms``; Arabic words by their light
                  stems: ``_arabic_stems``)

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
from jmdi_scorm.source.markdown import new_parser

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


#: English words that name a glossary concept in one sense and something else in everyday use:
#: "agency" is migrants' capacity to act, and also an organisation ("UN agencies", "a recruitment
#: agency"). Their words cannot tell the senses apart, so for these terms (casefolded, as the glossary
#: writes them without abbreviation) only the occurrences the English links to the glossary count.
HOMONYMS = frozenset({"agency"})
_ABBREVIATION = re.compile(r"\(\s*([A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*)\s*\)")
_ABBREVIATION_ALONE = re.compile(r"[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*")
_SENTENCE_END = ".!?:|"
_OPENING = " \t\n*_#>[(\"'`\u201c\u2018\u00ab\u00a0-"


def _alternatives(term: str) -> list[str]:
    """A term's forms without parenthesised abbreviations: "Duty-bearer / rights-holder" → both. Another
    parenthesised text is a second accepted form: « المغتربون (الشتات) » → « المغتربون », « الشتات »."""
    forms = []
    for part in term.split("/"):
        forms.append(re.sub(r"\s*\([^)]*\)", "", part).strip())
        forms.extend(
            inner.strip()
            for inner in re.findall(r"\(([^)]*)\)", part)
            if not _ABBREVIATION_ALONE.fullmatch(inner.strip())
        )
    return [form for form in forms if form]


def _abbreviations(term: str) -> list[str]:
    """The abbreviations a term gives in parentheses: "Local economic development (LED)" → LED."""
    return _ABBREVIATION.findall(term)


def _fold(text: str) -> str:
    """For comparing words: casefolded, hyphens dropped (« multi-niveaux », « multiniveaux »), one apostrophe."""
    return text.casefold().replace("\u2019", "'").replace("\u2011", "").replace("-", "")


def _stems(term: str, cut: int = 3) -> list[str]:
    """The stems of a term's words of four letters or more (their last ``cut`` letters dropped, keeping
    four): they match plurals, other endings and elided forms (« d'intégration »)."""
    words = [w for w in re.findall(r"\w+", _fold(term)) if len(w) >= 4]
    return [w[: max(4, len(w) - cut)] for w in words] or [_fold(term)]


#: How many letters a derived form may change at the end of a word, where ``_stems`` allows three: an
#: adjective for a noun, "transnational" for "transnationalism", « interculturelle » for « interculturalisme ».
DERIVED_CUT = 6


# Arabic has its words' stems inside them: "for the migrants" is one word, « للمهاجرين » (li- + al- +
# muhājir + -īn), and the article goes where a noun heads a construct (« تحويلات المهاجرين », "migrants'
# remittances", not « التحويلات »). The French way of stems (a word's first letters) cannot work; Arabic
# words are compared by their light stems (in the manner of Larkey, Ballesteros and Connell's light10
# stemmer), no root analysis: two words are the same when they have a stem in common (``_arabic_stems``).

_ARABIC = re.compile(r"[\u0621-\u064a\u0671-\u06d3]")
#: Short vowels, shadda, sukun, tanwin, dagger alif and tatweel: optional in writing.
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
#: Hamza on or under alif, madda and wasla are written alif in much text; alif maqsura as ya.
_ARABIC_LETTERS = str.maketrans(
    {"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627", "\u0649": "\u064a"}
)


def _arabic_proclitics() -> tuple[str, ...]:
    """What may come before an Arabic noun, longest first: a conjunction (wa-, fa-), then a preposition
    (bi-, ka-, li-), then the article (al-; li- + al- is written lil-): « وبالتحويلات », « للمهاجرين »."""
    found = set()
    for conjunction in ("", "\u0648", "\u0641"):
        for preposition in ("", "\u0628", "\u0643", "\u0644"):
            for article in ("", "\u0627\u0644"):
                found.add(
                    conjunction + ("\u0644\u0644" if preposition == "\u0644" and article else preposition + article)
                )
    found.discard("")
    return tuple(sorted(found, key=len, reverse=True))


_ARABIC_PROCLITICS = _arabic_proclitics()
#: Possessive pronouns after a noun: -hu, -hā, -hum, -hunna, -humā, -ka/-ki, -kum, -kunna, -kumā, -nā.
_ARABIC_PRONOUNS = (
    "\u0643\u0645\u0627",
    "\u0643",
    "\u0647\u0645\u0627",
    "\u0647\u0645",
    "\u0647\u0646",
    "\u0647\u0627",
    "\u0643\u0645",
    "\u0643\u0646",
    "\u0646\u0627",
    "\u0647",
)
#: Endings, two at most (« الوطنيين »: -iyy + -īn): sound plurals and duals (-āt, -ūn, -īn, -ān; -ū and -ī
#: in a construct), feminine -a (ة, or ت before an ending: « جمعيتهم »), the relative adjective's -ī
#: (« اللامركزي », « اللامركزية »), the accusative's alif (« مهاجرًا »).
_ARABIC_ENDINGS = (
    "\u0627\u062a",
    "\u0648\u0646",
    "\u064a\u0646",
    "\u0627\u0646",
    "\u0629",
    "\u062a",
    "\u064a",
    "\u0648",
    "\u0627",
)
#: Prepositions and particles a term base writes between its nouns: a translation may choose others.
_ARABIC_FUNCTION_WORDS = frozenset(
    word.translate(_ARABIC_LETTERS)
    for word in ["في", "من", "على", "إلى", "عن", "مع", "بين", "أو", "ذات", "ذو", "التي", "الذي"]
)
#: Shortest stem: Arabic roots have three letters.
_ARABIC_MIN_STEM = 3


def _arabic_words(text: str) -> list[str]:
    """The Arabic words of a text, without the optional marks and with alif and ya normalised."""
    plain = _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)
    return [word for word in re.findall(r"\w+", plain) if _ARABIC.search(word)]


@cache
def _arabic_stems(word: str) -> frozenset[str]:
    """The light stems an Arabic word may have (``_arabic_words`` spelling): the word without proclitics
    (``_ARABIC_PROCLITICS``), a pronoun (``_ARABIC_PRONOUNS``) and up to two endings (``_ARABIC_ENDINGS``),
    each way of cutting that leaves ``_ARABIC_MIN_STEM`` letters; a mafāʿil broken plural (five letters,
    alif third, no ending) also gives its singular (« مراكز » → « مركز », « ملامح » → « ملمح »). A stemmer that cuts one way only would take
    the « ل » of « لامركزية » for a preposition; two words are one where their sets meet."""
    bases = {word} | {word[len(p) :] for p in _ARABIC_PROCLITICS if word.startswith(p)}
    bases |= {base[: -len(p)] for base in set(bases) for p in _ARABIC_PRONOUNS if base.endswith(p)}
    # a broken plural takes no ending: « مراكز », « ملامحها », not « جماعي » (collective) for « جمعي »
    singulars = {
        base[:2] + base[3:] for base in bases if len(base) == 5 and base[2] == "\u0627" and base[-1] != "\u064a"
    }
    for _ in range(2):
        bases |= {base[: -len(e)] for base in set(bases) for e in _ARABIC_ENDINGS if base.endswith(e)}
    stems = {base for base in bases if len(base) >= _ARABIC_MIN_STEM}
    return frozenset(stems | singulars | {word})


def _arabic_used(form: str, text: str, derived: bool = False) -> bool:
    """Whether ``text`` has each word of the Arabic term ``form`` (its function words aside) in some form:
    a word of the text with a stem in common (``_arabic_stems``). For ``derived`` uses (the English link
    says "intercultural" for *Interculturalism*), the term's last word, which carries its qualifier, is
    enough: « الوساطة بين الثقافات » for the term « النهج المشترك بين الثقافات »."""
    stems = [_arabic_stems(word) for word in set(_arabic_words(text))]
    wanted = [_arabic_stems(word) for word in _arabic_words(form) if word not in _ARABIC_FUNCTION_WORDS]
    return all(any(word & found for found in stems) for word in (wanted[-1:] if derived else wanted))


def _abbreviation_pattern(abbreviations: list[str]) -> str:
    """Abbreviations as written (case matters: "LED" is not "led"), with or without a plural s."""
    return "|".join(rf"(?<![\w-]){re.escape(a.removesuffix('s'))}s?(?![\w-])" for a in abbreviations)


@dataclass(frozen=True)
class _Term:
    """A glossary term and its translation in the language's term base."""

    id: str
    english: str
    translated: str
    plain: re.Pattern[str]  # the English forms, in running text (not counting hyphenated compounds)
    abbreviation: re.Pattern[str] | None  # the English abbreviation, case-sensitive
    link: re.Pattern[str]  # a link to the term's glossary entry, with its text
    words: tuple[tuple[str, ...], ...]  # each English form's words, as the glossary writes them

    needles: tuple[str, ...]  # lower-case texts one of which any link or form contains (a quick filter)
    abbreviated: tuple[str, ...]  # texts one of which any abbreviation contains, as written

    def may_occur(self, text: str, lowered: str) -> bool:
        """False when ``text`` (``lowered``: in lower case) cannot hold the term: none of its needles."""
        return any(needle in lowered for needle in self.needles) or any(a in text for a in self.abbreviated)

    @property
    def homonym(self) -> bool:
        return any(form.casefold() in HOMONYMS for form in _alternatives(self.english))

    def derived(self, text: str) -> bool:
        """Whether a link's ``text`` is another form of the term ("transnational" for "transnationalism"):
        it has the stems of the words of one of the term's English forms but not the form itself."""
        folded = _fold(text)
        return not self.plain.search(text) and any(
            all(stem in folded for stem in _stems(form)) for form in _alternatives(self.english)
        )

    def used(self, translation: str, cut: int = 3) -> bool:
        """Whether ``translation`` has the term's translation: all the stems of one of its forms (the
        ``cut`` of ``_stems``), or its abbreviation (as written)."""
        text = _fold(translation)
        for form in _alternatives(self.translated):
            if (
                _arabic_used(form, translation, cut > 3)
                if _ARABIC.search(form)
                else all(stem in text for stem in _stems(form, cut))
            ):
                return True
        pattern = _abbreviation_pattern(_abbreviations(self.translated))
        return bool(pattern and re.search(pattern, translation))


def _term(term_id: str, english: str, translated: str) -> _Term | None:
    forms = _alternatives(english)
    if not forms or not _alternatives(translated):
        return None
    plain = "|".join(rf"(?<![\w-]){re.escape(form)}\w{{0,3}}(?![\w-])" for form in forms)
    abbreviation = _abbreviation_pattern(_abbreviations(english))
    words = [re.findall(r"\w+", form) for form in forms]
    words[0][:1] = [w[:1].lower() + w[1:] if not w.isupper() else w for w in words[0][:1]]  # the heading's capital
    return _Term(
        term_id,
        english,
        translated,
        re.compile(plain, re.IGNORECASE),
        re.compile(abbreviation) if abbreviation else None,
        re.compile(rf"\[[^\]]*\]\(\s*<?glossary:{re.escape(term_id)}>?\s*\)"),
        tuple(tuple(w) for w in words),
        (f"glossary:{term_id}".lower(), *(form.lower() for form in forms)),
        tuple(a.removesuffix("s") for a in _abbreviations(english)),
    )


def _starts_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` begins a sentence, a heading, a list item or a table cell."""
    before = text[:start]
    stripped = before.rstrip(_OPENING)
    return not stripped or stripped[-1] in _SENTENCE_END or "\n\n" in before[len(stripped) :]


def _a_name(term: _Term, text: str, match: re.Match[str]) -> bool:
    """Whether a plain occurrence is part of a proper name or a title: a word capitalised where the
    glossary writes it in lower case, other than a sentence's first word ("the Swiss Agency for
    Development", "International Day of Family Remittances", "Congress of Local and Regional Authorities")."""
    found = list(re.finditer(r"\w+", match[0]))
    for form in term.words:
        if len(form) != len(found):
            continue
        for index, (word, written) in enumerate(zip(found, form, strict=True)):
            first = index == 0 and _starts_sentence(text, match.start() + word.start())
            if word[0][:1].isupper() and not written[:1].isupper() and not first:
                return True
    return False


def _occurrences(terms: list[_Term], text: str) -> dict[str, tuple[int, int]]:
    """How many times the English ``text`` uses each term (by id), and how many of those times in
    another form of its words (``_Term.derived``: a link's text, "[transnational](glossary:…)"), by
    these rules:

    - a link to the term's glossary entry always counts, whatever its text;
    - the term's words or its abbreviation (``LED``) count in running text, except: inside a link to
      the glossary or inside a longer term's occurrence (the longest term wins: "social remittances"
      is the term *Social remittances*, not *Remittances*); in a hyphenated compound ("inter-agency");
      capitalised as part of a name or a title (``_a_name``); and for ``HOMONYMS``, at all.
    """
    spans: list[tuple[int, int, str, bool]] = []  # start, end, term id, a link
    lowered = text.lower()
    for term in terms:
        if not term.may_occur(text, lowered):
            continue
        spans.extend((m.start(), m.end(), term.id, True) for m in term.link.finditer(text))
        for m in term.plain.finditer(text):
            if not term.homonym and not _a_name(term, text, m):
                spans.append((m.start(), m.end(), term.id, False))
        if term.abbreviation is not None and not term.homonym:
            spans.extend((m.start(), m.end(), term.id, False) for m in term.abbreviation.finditer(text))
    counts: Counter[str] = Counter()
    derived: Counter[str] = Counter()
    by_id = {term.id: term for term in terms}
    for start, end, term_id, link in spans:
        inside = any(
            (other_link or other_end - other_start > end - start) and other_start <= start and end <= other_end
            for other_start, other_end, _other, other_link in spans
            if (other_start, other_end) != (start, end)
        )
        if link or not inside:
            counts[term_id] += 1
            derived[term_id] += link and by_id[term_id].derived(text[start : text.index("](", start)])
    return {term_id: (count, derived[term_id]) for term_id, count in counts.items()}


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
    """Segments whose English uses a glossary term and whose translation lacks the term's translation.

    Where a term counts in the English is ``_occurrences``'s business. Occurrences the translation
    keeps in English (a publication's title left as published) need no translation: a segment is
    found only when the English uses the term more often than the translation keeps it in English.
    The translation has the term when it has the stems of the words of one of the term base's forms
    (its abbreviation optional), or the abbreviation alone (see ``_Term.used``); where the English
    uses the term only in another form of its words, the translation may too (``DERIVED_CUT``). An SVG
    figure's line is read with the lines before and after it (``_svg_lines``). The accepted answers of a
    fill-in question are not read (``_accepted_answer``).
    """
    terms = []
    for key, (message, source, _where) in translations.items():
        match = re.fullmatch(r"glossary/([^/]+)/term", key)
        term = _term(match[1], source, str(message.string)) if match else None
        if term is not None:
            terms.append(term)
    lines = _svg_lines(translations)
    findings = []
    for key, (_translated, source, where) in translations.items():
        if key.startswith("glossary/") and key.endswith("/term") or _accepted_answer(key):
            continue
        text = _TARGET.sub("](", " ".join(str(translations[k][0].string) for k in lines.get(key, [key])))
        for term_id, (count, derived) in _occurrences(terms, source).items():
            term = next(t for t in terms if t.id == term_id)
            kept = len(term.plain.findall(text))  # in English: a title as published
            if count - derived <= kept and (not derived or term.used(text, DERIVED_CUT)) or term.used(text):
                continue
            findings.append(
                Finding(
                    key,
                    "terms",
                    f"the English uses the glossary term '{term.english}', translated '{term.translated}', "
                    "which the translation does not use",
                    **where,
                )
            )
    return findings
