"""Glossary terms in translations: where the English uses a term of the glossary, does the
translation use the term's translation (the language's glossary is its term base)?

A heuristic, word by word: each word of four letters or more by its stem (``_stems``); the longest
term wins; names and titles kept in English, hyphenated compounds and ``HOMONYMS`` outside glossary
links do not count (``_occurrences``); abbreviations optional; Arabic words by their light stems
(``_arabic_stems``). ``translation_qa`` reports what :func:`missing` finds as ``terms`` findings.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

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
class Term:
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


def _term(term_id: str, english: str, translated: str) -> Term | None:
    forms = _alternatives(english)
    if not forms or not _alternatives(translated):
        return None
    plain = "|".join(rf"(?<![\w-]){re.escape(form)}\w{{0,3}}(?![\w-])" for form in forms)
    abbreviation = _abbreviation_pattern(_abbreviations(english))
    words = [re.findall(r"\w+", form) for form in forms]
    words[0][:1] = [w[:1].lower() + w[1:] if not w.isupper() else w for w in words[0][:1]]  # the heading's capital
    return Term(
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


def _a_name(term: Term, text: str, match: re.Match[str]) -> bool:
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


def _occurrences(terms: list[Term], text: str) -> dict[str, tuple[int, int]]:
    """How many times the English ``text`` uses each term (by id), and how many of those times in
    another form of its words (``Term.derived``: a link's text, "[transnational](glossary:…)"), by
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


def term_base(glossary: dict[str, tuple[str, str]]) -> list[Term]:
    """The terms of a language's glossary: {term id: (English term, translated term)}."""
    terms = (_term(term_id, english, translated) for term_id, (english, translated) in glossary.items())
    return [term for term in terms if term is not None]


def missing(terms: list[Term], source: str, text: str) -> list[Term]:
    """The terms the English ``source`` uses that the translation ``text`` lacks.

    Where a term counts in the English is ``_occurrences``'s business. Occurrences the translation
    keeps in English (a publication's title left as published) need no translation: a term is missing
    only when the English uses it more often than the translation keeps it in English. The translation
    has the term when it has the stems of the words of one of the term base's forms (its abbreviation
    optional), or the abbreviation alone (see ``Term.used``); where the English uses the term only in
    another form of its words, the translation may too (``DERIVED_CUT``).
    """
    by_id = {term.id: term for term in terms}
    found = []
    for term_id, (count, derived) in _occurrences(terms, source).items():
        term = by_id[term_id]
        kept = len(term.plain.findall(text))  # in English: a title as published
        if count - derived <= kept and (not derived or term.used(text, DERIVED_CUT)) or term.used(text):
            continue
        found.append(term)
    return found
