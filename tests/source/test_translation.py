"""Course translation: segments and keys, catalogues on disk, apply, update and the QA checks."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from jmdi_scorm.atomic import atomic_write
from jmdi_scorm.safexml import safe_parser
from jmdi_scorm.source import model
from jmdi_scorm.source import translation as tr
from jmdi_scorm.source import translation_blocks as tb
from jmdi_scorm.source import translation_pseudo as tp
from jmdi_scorm.source import translation_svg as ts
from jmdi_scorm.source.translation_commands import extract_files, status_files, update_files
from jmdi_scorm.source.translation_files import (
    TranslationError,
    catalog_path,
    check_language,
    po_bytes,
    read_catalog,
    template_of,
    translated_asset,
    translated_course,
    translation_problems,
)
from jmdi_scorm.source.translation_qa import check_pair, qa, structure
from jmdi_scorm.source.validate import load_course
from tests.conftest import MINIMAL, ROOT
from tests.support.budget import examples

JMDI = ROOT / "course"


@pytest.fixture(scope="module")
def jmdi():
    course, ctx = load_course(JMDI)
    return course, ctx, template_of(course, ctx)


def _texts(course) -> dict[str, str]:
    return {segment.key: segment.text for segment in tr.segments(course)}


# --- extraction -----------------------------------------------------------------------------


def test_jmdi_catalogue_has_every_topic_and_unique_keys(jmdi):
    course, _ctx, template = jmdi
    keys = [m.context for m in template if m.id]
    assert len(keys) == len(set(keys))
    found = tr.segments(course)
    svg = [k for k in keys if k.startswith("svg/")]
    assert len(keys) == len(found) + len(svg)
    for topic in course.topics:
        assert f"topic/{topic.id}/title" in keys
        assert any(k.startswith(f"topic/{topic.id}/body/") for k in keys), topic.id
        for question in topic.questions:
            assert f"topic/{topic.id}/questions/{question.id}/prompt" in keys
    for module in course.modules:
        assert f"module/{module.id}/title" in keys
    for term in course.glossary:
        assert f"glossary/{term.id}/definition" in keys
    assert svg, "the course SVG figures' texts are extracted"


def test_credited_names_are_translated_and_noted(jmdi):
    course, _ctx, template = jmdi
    iom = next(index for index, credit in enumerate(course.meta.credits, start=1) if "(IOM)" in credit.name)
    entry = next(m for m in template if m.context == f"course/credits/{iom}/name")
    assert entry.id == "International Organization for Migration (IOM)"
    assert "official name" in " ".join(entry.auto_comments)
    french, _catalog = translated_course(course, "fr")
    assert french.meta.credits[iom - 1].name == "Organisation internationale pour les migrations (OIM)"


def test_locations_are_course_files_and_lines(jmdi):
    course, _ctx, template = jmdi
    topic = next(t for t in course.topics if t.id == "m1-02")
    message = template.get("From projects to plans", context="topic/m1-02/body/from-projects-to-plans/0")
    assert message is not None
    path, line = message.locations[0]
    assert path == topic.source
    assert (JMDI / path).read_text().splitlines()[line - 1] == "## From projects to plans"
    title = next(m for m in template if m.context == "topic/m1-02/title")
    assert (JMDI / title.locations[0][0]).read_text().splitlines()[title.locations[0][1] - 1].startswith("title:")
    prompt = next(m for m in template if m.context == "topic/m1-02/questions/q3/pairs/b/left")
    assert "Language classes" in (JMDI / topic.source).read_text().splitlines()[prompt.locations[0][1] - 1]


def test_body_blocks_and_keys():
    body = (
        "Intro line one\nline two\n\n## First *part*\n\n- item one\n  continued\n- item two\n\n"
        "> quoted\n> text\n\n::: definition Box title\nInside the box\n:::\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n\nSecond\n======\n\nLast[^1].\n\n[^1]: A note.\n"
    )
    blocks = {tb.block_key(b): b for b in tb.body_blocks(body)}
    texts = {k: b.text for k, b in blocks.items()}
    assert texts["_/0"] == "Intro line one line two"
    assert texts["first-part/0"] == "First *part*"
    assert texts["first-part/1"] == "item one continued"
    assert blocks["first-part/1"].note == "list item"
    assert texts["first-part/3"] == "quoted text"
    assert texts["first-part/4"] == "Box title"
    assert texts["first-part/5"] == "Inside the box"
    assert texts["first-part/6"] == "| a | b |\n|---|---|\n| 1 | 2 |"
    assert texts["second/0"] == "Second"
    assert texts["second/1"] == "Last[^1]."
    assert texts["footnote-1/1"] == "A note."
    assert "code" not in texts.values()
    translated = tb.replace_blocks(
        body, list(blocks.values()), {k: f"T({v})" for k, v in texts.items() if "|" not in v}
    )
    assert translated.startswith(
        "T(Intro line one line two)\n\n## T(First *part*)\n\n- T(item one continued)\n- T(item two)"
    )
    assert "> T(quoted text)\n" in translated
    assert "::: definition T(Box title)\nT(Inside the box)\n:::" in translated
    assert "T(Second)\n======\n" in translated
    assert "[^1]: T(A note.)\n" in translated
    assert "```\ncode\n```" in translated
    assert structure(translated) == structure(body)


def test_a_heading_is_stable_when_another_section_changes():
    before = "## One\n\nA.\n\nB.\n\n## Two\n\nC.\n"
    after = "## One\n\nNew.\n\nA.\n\nB.\n\n## Two\n\nC.\n"
    keys = lambda text: {b.text: tb.block_key(b) for b in tb.body_blocks(text)}  # noqa: E731
    assert keys(before)["C."] == keys(after)["C."] == "two/1"


# --- apply ----------------------------------------------------------------------------------


def test_pseudo_round_trip_translates_every_text_and_keeps_structure(jmdi):
    course, _ctx, template = jmdi
    translated = tr.apply(course, tp.pseudo_catalog(template))
    model.Course.model_validate(translated.model_dump())  # still a valid course
    english, after = tr.segments(course), tr.segments(translated)
    assert len(english) == len(after)
    for before, now in zip(english, after, strict=True):
        assert now.text != before.text, before.key
        if "/body/" not in before.key:  # body keys are named after the (now translated) headings
            assert now.key == before.key
    for before, now in zip(course.topics, translated.topics, strict=True):
        assert structure(now.body) == structure(before.body), before.id
        assert tb.body_blocks(now.body) and len(tb.body_blocks(now.body)) == len(tb.body_blocks(before.body))
    for before, now in zip(english, after, strict=True):  # what must not change did not
        assert not check_pair(before.text, now.text, ratio=(0, 99)), before.key
    assert translated.topics[0].id == course.topics[0].id
    assert course.topics[0].title == next(m.id for m in template if m.context == f"topic/{course.topics[0].id}/title")


def test_apply_falls_back_to_english_for_fuzzy_and_missing(jmdi):
    course, _ctx, template = jmdi
    catalog = tp.pseudo_catalog(template)
    title_key = "topic/m1-02/title"
    english = _texts(course)
    catalog.get(english[title_key], context=title_key).flags.add("fuzzy")
    body_key = "topic/m1-02/body/from-projects-to-plans/1"
    catalog.delete(english[body_key], context=body_key)
    pairs = zip(tr.segments(course), tr.segments(tr.apply(course, catalog)), strict=True)
    after = {old.key: new.text for old, new in pairs}
    assert after[title_key] == english[title_key]
    assert after[body_key] == english[body_key]
    assert after["topic/m1-02/body/from-projects-to-plans/2"] != english["topic/m1-02/body/from-projects-to-plans/2"]


def test_svg_translation(jmdi):
    course, _ctx, template = jmdi
    name = "assets/figures/m1-migration-cycle.svg"
    data = (JMDI / name).read_bytes()
    translated = ts.translate_svg(data, name, tp.pseudo_catalog(template))
    assert translated != data
    before = etree.fromstring(data, safe_parser())
    after = etree.fromstring(translated, safe_parser())
    assert [e.tag for e in before.iter()] == [e.tag for e in after.iter()]
    assert after.find("{http://www.w3.org/2000/svg}title").text.startswith("⟦")
    assert ts.translate_svg(data, name, Catalog()) == data
    assert (
        ts.translate_svg(b'<!DOCTYPE x [<!ENTITY a "b">]><svg/>', name, template)
        == b'<!DOCTYPE x [<!ENTITY a "b">]><svg/>'
    )


def test_pseudo_keeps_markup():
    text = "See [the *guide*](glossary:guide-1), `code`, {n} and <https://x.org/a>: 2010."
    out = tp.pseudo(text)
    assert out.startswith("⟦") and out.endswith("⟧")
    assert "](glossary:guide-1)" in out and "`code`" in out and "{n}" in out and "<https://x.org/a>" in out
    assert "2010" in out
    assert tp.pseudo("- item\n1. two\n## head") == "- ⟦ítém⟧\n1. ⟦twó⟧\n## ⟦héád⟧"


# --- files, update, status ------------------------------------------------------------------


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    target = tmp_path / "course"
    shutil.copytree(MINIMAL, target, ignore=shutil.ignore_patterns(".jmdi-cache", "locale"))
    return target


def _translate_all(path: Path, language: str = "fr") -> None:
    catalog = read_catalog(path, language)
    for message in catalog:
        if message.id:
            message.string = tp.pseudo(str(message.id))
    atomic_write(path, po_bytes(catalog))


def test_extract_and_update_are_deterministic(course_copy: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    pot, _ = extract_files(course_copy)
    first = pot.read_bytes()
    extract_files(course_copy)
    assert pot.read_bytes() == first
    assert b"POT-Creation-Date: 1970-01-01 00:00+0000" in first
    assert b"python-format" not in first
    po, _ = update_files(course_copy, "fr")
    once = po.read_bytes()
    update_files(course_copy, "fr")
    assert po.read_bytes() == once
    assert not list(pot.parent.glob("*.tmp"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    extract_files(course_copy)
    assert b"POT-Creation-Date: 2023-11-14 22:13+0000" in pot.read_bytes()


def test_update_keeps_translations_and_marks_changed_text_fuzzy(course_copy: Path):
    po, _ = update_files(course_copy, "fr")
    _translate_all(po)
    topic = course_copy / "modules" / "intro" / "intro-01.md"
    text = topic.read_text()
    topic.write_text(
        text.replace("Migrants send", "Many migrants send").replace(
            "## What this topic says\n", "## What this topic says\n\nA new first paragraph.\n"
        )
    )
    update_files(course_copy, "fr")
    catalog = read_catalog(po, "fr")
    changed = next(m for m in catalog if str(m.id).startswith("Many migrants send"))
    assert changed.fuzzy
    assert changed.previous_id and str(changed.previous_id[0]).startswith("Migrants send")
    assert changed.string == tp.pseudo(str(changed.previous_id[0]))
    new = next(m for m in catalog if m.id == "A new first paragraph.")
    assert not new.string
    moved = next(m for m in catalog if str(m.id).startswith("![Two boxes"))
    assert moved.context == "topic/intro-01/body/what-this-topic-says/3"  # was /2: moved, still translated
    assert moved.string and not moved.fuzzy
    title = next(m for m in catalog if m.context == "topic/intro-01/title")
    assert title.string == tp.pseudo("First topic") and not title.fuzzy
    [status] = status_files(course_copy)
    assert (status.language, status.fuzzy, status.untranslated) == ("fr", 1, 1)
    assert status.translated == status.total - 2
    assert status.words_left == len(str(changed.id).split()) + len(str(new.id).split())


def test_status_counts_a_stale_catalogue(course_copy: Path):
    po, _ = update_files(course_copy, "es")
    _translate_all(po, "es")
    [status] = status_files(course_copy)
    assert status.translated == status.total and status.words_left == 0 and status.words > 50
    topic = course_copy / "modules" / "intro" / "intro-02.md"
    topic.write_text(topic.read_text().replace("The [diaspora]", "Their [diaspora]"))
    [status] = status_files(course_copy)  # not updated: the changed text counts as fuzzy
    assert (status.fuzzy, status.untranslated, status.translated) == (1, 0, status.total - 1)


def test_language_codes():
    assert check_language("fr") == "fr"
    assert check_language("pt-BR") == "pt_BR"
    for bad in ("../x", "xx", "FR", ""):
        with pytest.raises(TranslationError):
            check_language(bad)


def test_translation_problems_for_validate(course_copy: Path):
    po, _ = update_files(course_copy, "fr")
    course, ctx = load_course(course_copy)
    problems = translation_problems(course, ctx)
    assert len(problems) == 1 and problems[0].severity == "warning"
    assert problems[0].message.startswith("untranslated: ") and problems[0].path.endswith("locale/fr.po")
    each = translation_problems(course, ctx, each=True)
    assert len(each) > 10 and all(p.field and "untranslated" in p.message for p in each)
    _translate_all(po)
    catalog = read_catalog(po, "fr")
    message = next(m for m in catalog if m.context == "topic/intro-01/questions/q2/feedback/correct")
    message.string = "2 et 6 sont pairs."
    atomic_write(po, po_bytes(catalog))
    problems = translation_problems(course, ctx)
    assert [p.field for p in problems] == ["topic/intro-01/questions/q2/feedback/correct"]
    assert problems[0].path.endswith("locale/fr.po") and "numbers" in problems[0].message
    assert catalog_path(course_copy, "fr") == po


# --- the QA checks --------------------------------------------------------------------------


def _checks(source: str, translated: str) -> set[str]:
    return {check for check, _ in check_pair(source, translated, ratio=(0, 99))}


@pytest.mark.parametrize(
    ("source", "translated", "check"),
    [
        ("In 2010, 15 cities joined.", "En 2011, 15 villes.", "numbers"),
        ("About 1,000 people.", "Environ 1\u202f000 personnes.", None),
        ("See https://iom.int/wmr for more.", "Voir https://iom.int pour plus.", "urls"),
        ("Read [the guide](guide.pdf).", "Lisez [le guide](guide-fr.pdf).", "links"),
        ("Read [topic 2](m1-02.md#from-projects-to-plans).", "Lisez [le thème 2](m1-02.md#des-projets).", "links"),
        ("[Migrants](glossary:migrant) send money.", "[Les migrants](glossary:migrants) envoient.", "glossary"),
        ("[Migrants](glossary:migrant) send money.", "Les migrants envoient.", "glossary"),
        ("Question {n} of {total}", "Question {n} sur {totale}", "placeholders"),
        ("A fact[^1].", "Un fait.", "placeholders"),
        ("- one\n- two", "- un, deux", "markdown"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "| a b |\n|---|\n| 1 | 2 |", "markdown"),
        ("Title", "# Titre", "markdown"),
        ("Plain text.", "Texte **simple**.", None),
    ],
)
def test_pair_checks(source: str, translated: str, check: str | None):
    found = _checks(source, translated)
    assert found == ({check} if check else set())


def test_length_ratio():
    source = "A sentence of a reasonable length for the check."
    assert {c for c, _ in check_pair(source, "Court.")} == {"length"}
    assert {c for c, _ in check_pair(source, source * 4)} == {"length"}
    assert not check_pair(source, "Une phrase d'une longueur raisonnable pour la vérification.")
    assert not check_pair("Short", "Beaucoup plus long ici")  # short texts are not measured


def _template(*entries: tuple[str, str]) -> Catalog:
    catalog = Catalog()
    for key, text in entries:
        catalog.add(text, context=key, locations=[("course.yaml", 1)])
    return catalog


def _language(template: Catalog, translations: dict[str, str], fuzzy: set[str] = frozenset()) -> Catalog:
    catalog = Catalog(locale="fr")
    for message in template:
        if message.id and message.context in translations:
            flags = {"fuzzy"} if message.context in fuzzy else set()
            catalog.add(message.id, translations[message.context], context=message.context, flags=flags)
    return catalog


def test_qa_untranslated_fuzzy_obsolete():
    template = _template(("a", "One"), ("b", "Two"), ("c", "Three"))
    catalog = _language(template, {"a": "Un", "b": "Deux"}, fuzzy={"b"})
    catalog.add("Old", "Vieux", context="d")
    found = {(f.key, f.check) for f in qa(template, catalog)}
    assert found == {("b", "fuzzy"), ("c", "untranslated"), ("d", "obsolete")}
    stale = _language(_template(("a", "One")), {"a": "Un"})
    message = qa(_template(("a", "One!")), stale)
    assert {(f.key, f.check) for f in message} == {("a", "untranslated"), ("a", "obsolete")}
    assert any("English changed" in f.message for f in message)


def test_qa_questions_partly_translated_and_same_options():
    q = "topic/t/questions/q1"
    template = _template((f"{q}/prompt", "Pick one"), (f"{q}/choices/a", "Red"), (f"{q}/choices/b", "Rose"))
    half = qa(template, _language(template, {f"{q}/prompt": "Choisissez", f"{q}/choices/a": "Rouge"}))
    assert any(f.check == "questions" and "choices/b" in f.message for f in half)
    same = {f"{q}/prompt": "Choisissez", f"{q}/choices/a": "Rouge", f"{q}/choices/b": "rouge"}
    found = [f for f in qa(template, _language(template, same)) if f.check == "questions"]
    assert len(found) == 1 and "choices a, b" in found[0].message


def test_qa_glossary_terms_consistent():
    template = _template(
        ("glossary/remittances/term", "Remittances"),
        ("glossary/duty/term", "Duty-bearer / rights-holder"),
        ("t/1", "Remittances grow each year."),
        ("t/2", "[Money sent home](glossary:remittances) matters."),
        ("t/3", "A remittance is private money."),
        ("t/4", "Every duty-bearer answers."),
    )
    good = {
        "glossary/remittances/term": "Envois de fonds",
        "glossary/duty/term": "Débiteur d'obligations / titulaire de droits",
        "t/1": "Les envois de fonds augmentent.",
        "t/2": "[L'argent envoyé](glossary:remittances) compte.",
        "t/3": "Un envoi de fonds est privé.",
        "t/4": "Chaque débiteur d'obligations répond.",
    }
    found = [f for f in qa(template, _language(template, good)) if f.check == "terms"]
    assert [f.key for f in found] == ["t/2"]  # the link text is the author's; the term is not used
    bad = dict(good, **{"t/1": "Les transferts augmentent."})
    assert "t/1" in {f.key for f in qa(template, _language(template, bad)) if f.check == "terms"}


def _term_findings(terms: dict[str, tuple[str, str]], texts: dict[str, tuple[str, str]]) -> set[str]:
    """Keys with a ``terms`` finding: ``terms`` glossary id → (English, term base), ``texts`` key → (English, French)."""
    entries = [(f"glossary/{i}/term", en) for i, (en, _fr) in terms.items()] + [
        (k, en) for k, (en, _fr) in texts.items()
    ]
    template = _template(*entries)
    translations = {f"glossary/{i}/term": fr for i, (_en, fr) in terms.items()} | {
        k: fr for k, (_en, fr) in texts.items()
    }
    return {f.key for f in qa(template, _language(template, translations)) if f.check == "terms"}


REMITTANCES = {
    "remittances": ("Remittances", "Transferts de fonds"),
    "social-remittances": ("Social remittances", "Transferts sociaux"),
}


def test_terms_another_word_is_found():
    found = _term_findings(
        REMITTANCES,
        {
            "t/1": ("Remittances are private money.", "Les envois de fonds sont de l'argent privé."),
            "t/2": ("Remittances are private money.", "Les transferts de fonds sont de l'argent privé."),
            "t/3": ("Who controls remittances?", "Qui contrôle les transferts ?"),  # the term shortened
        },
    )
    assert found == {"t/1", "t/3"}


def test_terms_the_longest_term_wins():
    texts = {
        "t/1": ("Social remittances are ideas.", "Les transferts sociaux sont des idées."),
        "t/2": (
            "They pass on [social remittances](glossary:social-remittances).",
            "Ils transmettent des [transferts sociaux](glossary:social-remittances).",
        ),
        "t/3": ("Social remittances and remittances.", "Les transferts sociaux et l'argent."),
        "t/4": ("Social remittances are ideas.", "Les envois sociaux sont des idées."),
    }
    assert _term_findings(REMITTANCES, texts) == {"t/3", "t/4"}


def test_terms_in_names_and_titles_kept_in_english():
    texts = {
        # a name with its own official translation
        "t/1": (
            "16 June is the International Day of Family Remittances.",
            "Le 16 juin est la Journée internationale des envois de fonds à la famille.",
        ),
        "t/2": ("Read *Migrant Women and Remittances* (2020).", "Lire *Migrant Women and Remittances* (2020)."),
        "t/3": (
            "Levitt (2011). Remittances Revisited. A journal.",
            "Levitt (2011). Remittances Revisited. Une revue.",
        ),  # kept as published
        # kept once, used once more: the other use needs the term
        "t/4": (
            "*Remittances Revisited* shows that remittances grow.",
            "*Remittances Revisited* montre que les envois augmentent.",
        ),
        "t/5": (
            "Lower the cost: remittances grow.",
            "Réduire le coût : les envois augmentent.",
        ),  # lower case: not a name
        "t/6": ("**Remittances.** They grow.", "**Envois.** Ils augmentent."),  # a sentence's first word
    }
    assert _term_findings(REMITTANCES, texts) == {"t/4", "t/5", "t/6"}


def test_terms_homonyms_count_only_where_linked():
    terms = {"agency": ("Agency", "Capacité d'agir")}
    texts = {
        "t/1": ("UN agencies and a recruitment agency.", "Les agences des Nations Unies et une agence de recrutement."),
        "t/2": ("A global inter-agency programme.", "Un programme mondial interinstitutions."),
        "t/3": (
            "Migrants' [agency](glossary:agency) grows.",
            "La [capacité d'agir](glossary:agency) des migrants grandit.",
        ),
        "t/4": ("Migrants' [agency](glossary:agency) grows.", "L'[autonomie](glossary:agency) des migrants grandit."),
    }
    assert _term_findings(terms, texts) == {"t/4"}


def test_terms_hyphenated_compounds_are_other_words():
    terms = {"migrant": ("Migrant", "Migrant")}
    texts = {
        "t/1": ("Non-migrant households share the income.", "Les ménages sans émigré partagent les revenus."),
        "t/2": ("Migrant-led projects.", "Des projets menés par la diaspora."),
        "t/3": ("Members chosen by migrant communities.", "Des membres choisis par les communautés."),
    }
    assert _term_findings(terms, texts) == {"t/3"}


def test_terms_abbreviations_optional_on_both_sides():
    terms = {"led": ("Local economic development (LED)", "Développement économique local (DEL)")}
    texts = {
        "t/1": ("Local economic development matters.", "Le développement économique local compte."),
        "t/2": ("Local economic development (LED) matters.", "Le développement économique local compte."),
        "t/3": ("LED planning decides.", "La planification du DEL décide."),
        "t/4": ("LED planning decides.", "La planification locale décide."),  # the abbreviation alone is the term
        "t/5": ("The forum was led by the mayor.", "Le forum était présidé par le maire."),  # "led" is not "LED"
        "t/6": ("Local economic development matters.", "Le DEL compte."),
        "t/7": ("Local economic development matters.", "L'économie locale compte."),
    }
    assert _term_findings(terms, texts) == {"t/4", "t/7"}


def test_terms_endings_elision_case_and_hyphens():
    terms = {
        "integration": ("Integration", "Intégration"),
        "mlg": ("Multi-level governance", "Gouvernance multiniveaux"),
    }
    texts = {
        "t/1": ("Integration policies.", "Des politiques d'intégration."),
        "t/2": ("Integration policies.", "INTÉGRATIONS locales."),
        "t/3": ("It needs multi-level governance.", "Il faut une gouvernance multi-niveaux."),
        "t/4": ("It needs multi-level governance.", "Il faut une gouvernance à plusieurs niveaux."),
        "t/5": ("Integration policies.", "Des politiques d'inclusion."),
    }
    assert _term_findings(terms, texts) == {"t/4", "t/5"}


def test_terms_alternatives_on_both_sides():
    terms = {
        "wg": (
            "Whole-of-government / whole-of-society approach",
            "Approche mobilisant l'ensemble des pouvoirs publics / l'ensemble de la société",
        )
    }
    texts = {
        "t/1": ("A whole-of-society approach.", "Une approche mobilisant l'ensemble de la société."),
        "t/2": ("A whole-of-government approach.", "Une approche mobilisant l'ensemble des pouvoirs publics."),
        "t/3": ("A whole-of-society approach.", "Une approche participative."),
    }
    assert _term_findings(terms, texts) == {"t/3"}


def test_terms_a_link_in_another_form_of_the_words():
    terms = {"transnationalism": ("Transnationalism", "Transnationalisme")}
    texts = {
        "t/1": (
            "They live [transnational](glossary:transnationalism) lives.",
            "Ils mènent une vie [transnationale](glossary:transnationalism).",
        ),
        "t/2": (
            "They live [transnational](glossary:transnationalism) lives.",
            "Ils mènent une vie [mondialisée](glossary:transnationalism).",
        ),
        "t/3": (
            "[Transnationalism](glossary:transnationalism) grows.",
            "Le [transnationalisme](glossary:transnationalism) progresse.",
        ),
        "t/4": ("Transnationalism grows.", "La vie transnationale progresse."),  # the noun itself: the noun is expected
    }
    assert _term_findings(terms, texts) == {"t/2", "t/4"}


def test_terms_svg_label_lines_read_with_their_neighbours():
    terms = {"diaspora": ("Diaspora", "Diaspora"), "dc": ("Decentralized cooperation", "Coopération décentralisée")}
    figure = "svg/assets/figures/f.svg"
    texts = {
        f"{figure}/#f-title": ("A diaspora figure", "Une figure"),
        f"{figure}/text/1": ("Decentralized cooperation", "Accord de coopération"),
        f"{figure}/text/2": ("agreement", "décentralisée"),
        f"{figure}/text/13": ("Migrant or diaspora", "Association de migrants"),
        f"{figure}/text/14": ("association (the bridge)", "ou de la diaspora (le pont)"),
        f"{figure}/text/20": ("Remote label", "Étiquette"),
        f"{figure}/text/21": ("Far away", "Loin"),
        f"{figure}/text/22": ("The diaspora", "Les émigrés"),  # its neighbours do not have the word either
    }
    assert _term_findings(terms, texts) == {f"{figure}/#f-title", f"{figure}/text/22"}


def test_terms_accepted_answers_are_forms_learners_type():
    terms = {"fi": ("Financial inclusion", "Inclusión financiera")}
    q = "topic/t/questions/q5"
    texts = {
        f"{q}/prompt": ("It is called financial ______.", "Se denomina ______ financiera."),
        f"{q}/answers/a": ("inclusion", "inclusión"),
        f"{q}/answers/b": ("financial inclusion", "inclusion"),  # the form without the accent
        f"{q}/feedback/correct": ("**Financial inclusion** helps.", "La **inclusión** ayuda."),
        "t/choices": ("Financial inclusion matters.", "La inclusión importa."),  # running text: read
    }
    assert _term_findings(terms, texts) == {f"{q}/feedback/correct", "t/choices"}


ARABIC_TERMS = {
    "migrant": ("Migrant", "المهاجر"),
    "remittances": ("Remittances", "التحويلات المالية"),
    "integration": ("Integration", "الإدماج"),
    "mrc": ("Migrant resource centre (MRC)", "مركز موارد المهاجرين (MRC)"),
    "dc": ("Decentralized cooperation", "التعاون اللامركزي"),
    "cr": ("Collective remittances", "التحويلات الجماعية"),
}


def test_terms_arabic_words_by_their_light_stems():
    texts = {
        "t/1": ("Services for migrants.", "خدمات للمهاجرين."),  # li- + al-, sound plural
        "t/2": ("Migrants' remittances.", "تحويلات المهاجرين المالية."),  # construct: no article
        "t/3": ("And with remittances.", "وبالتحويلاتِ الماليةِ."),  # wa- + bi- + al-, short vowels
        "t/4": ("Who counts as a migrant?", "من يُعدّ مهاجرًا؟"),  # tanwin and the accusative's alif
        "t/5": ("Migrants and their remittances.", "المهاجرون وتحويلاتهم المالية."),  # a pronoun
        "t/6": ("Migrant resource centres open.", "تُفتح مراكز موارد المهاجرين."),  # a broken plural
        "t/7": ("Decentralized cooperation grows.", "ينمو تعاون لامركزي."),  # « لا » is no preposition
        "t/8": ("Female migrants send remittances.", "ترسل المهاجرات تحويلات مالية."),
        "t/9": ("Collective remittances build schools.", "تبني تحويلات جماعية مدارس."),
        # real inconsistencies
        "t/20": ("Remittances grow.", "تزداد الحوالات المالية."),  # another word for the term
        "t/21": ("Remittances grow.", "وتزداد بالحوالات."),
        "t/22": ("Integration matters.", "الاندماج مهم."),  # another derived form
        "t/23": ("Remittances grow.", "تزداد التحويلات."),  # the term shortened
        "t/24": ("Migrant resource centres open.", "تُفتح مراكز الموارد."),
        "t/25": ("Collective remittances build schools.", "تبني تحويلات الجمعية مدارس."),  # "association"
    }
    assert _term_findings(ARABIC_TERMS, texts) == {"t/20", "t/21", "t/22", "t/23", "t/24", "t/25"}


def test_terms_arabic_parenthesised_form_is_an_alternative():
    terms = {
        "diaspora": ("Diaspora", "المغتربون (الشتات)"),
        "hrba": ("Human rights-based approach (HRBA)", "النهج القائم على حقوق الإنسان (HRBA)"),
    }
    texts = {
        "t/1": ("The diaspora invests.", "يستثمر المغتربون."),
        "t/2": ("The diaspora invests.", "يستثمر أبناء الشتات."),
        "t/3": ("Know your diaspora.", "اعرف مغتربيك."),  # -ka, "your"
        "t/4": ("The diaspora invests.", "تستثمر الجالية في الخارج."),
        "t/5": ("An HRBA helps.", "يساعد نهج HRBA."),  # an abbreviation, not a second form
        "t/6": ("A human rights-based approach helps.", "يساعد النهج المستند إلى حقوق الإنسان."),
    }
    assert _term_findings(terms, texts) == {"t/4", "t/6"}


def test_terms_arabic_link_in_another_form_needs_the_last_word():
    terms = {"ic": ("Interculturalism", "النهج المشترك بين الثقافات")}
    texts = {
        "t/1": ("[Intercultural](glossary:ic) mediation.", "الوساطة [بين الثقافات](glossary:ic)."),
        "t/2": ("[Intercultural](glossary:ic) mediation.", "الوساطة [المجتمعية](glossary:ic)."),
        "t/3": ("Interculturalism grows.", "ينمو الحوار بين الثقافات."),  # the noun: every word
        "t/4": ("[Interculturalism](glossary:ic) grows.", "ينمو [النهج المشترك بين الثقافات](glossary:ic)."),
    }
    assert _term_findings(terms, texts) == {"t/2", "t/3"}


def test_length_not_checked_for_accepted_answers():
    q = "topic/t/questions/q2"
    template = _template(
        (f"{q}/prompt", "It is called ______ remittances."),
        (f"{q}/answers/a", "collective remittances"),
        ("t/1", "collective remittances"),
    )
    translations = {f"{q}/prompt": "تُسمى التحويلات ______.", f"{q}/answers/a": "جماعية", "t/1": "جماعية"}
    found = {(f.key, f.check) for f in qa(template, _language(template, translations))}
    assert found == {("t/1", "length")}  # the answer follows the translated blank; running text does not


def test_qa_of_a_pseudo_translation_is_clean(jmdi):
    _course, _ctx, template = jmdi
    found = qa(template, tp.pseudo_catalog(template))
    assert not [f for f in found if f.check not in ("terms", "length")], found[:5]
    assert Counter(f.check for f in found)["length"] == 0


def test_translated_course_for_the_build(course_copy: Path):
    po, _ = update_files(course_copy, "fr")
    _translate_all(po)
    course, _ctx = load_course(course_copy)
    translated, catalog = translated_course(course, "fr")
    assert translated.meta.language == "fr" and course.meta.language == "en"
    assert translated.meta.title == tp.pseudo(course.meta.title)
    assert translated.topics[0].body != course.topics[0].body
    model.Course.model_validate(translated.model_dump())  # still a valid course
    svg = (course_copy / "assets" / "diagram.svg").read_bytes()
    assert "⟦Twó bóxés⟧".encode() in translated_asset("assets/diagram.svg", svg, catalog)
    narrow = (course_copy / "assets" / "diagram.narrow.svg").read_bytes()  # no keys: the figure's words
    assert "<title>⟦Twó bóxés⟧</title>".encode() in translated_asset("assets/diagram.narrow.svg", narrow, catalog)
    assert not [m for m in catalog if "narrow" in str(m.context)]
    assert translated_asset("assets/handout.txt", b"x", catalog) == b"x"
    with pytest.raises(TranslationError, match="no catalogue"):
        translated_course(course, "es")
    with pytest.raises(TranslationError, match="no interface strings"):
        translated_course(course, "de")


SNIPPETS = [
    "A paragraph\nwrapped over\nthree lines.",
    "## A heading",
    "### A *sub* heading ###",
    "Setext title\n============",
    "- one\n- two\n  continued\n- three",
    "1. first\n2. second\n\n   more of the second\n3. third",
    "- outer\n  - inner one\n  - inner two",
    "> A quote\n> on two lines.",
    "> - a list\n> - in a quote",
    "::: definition A term\nIts meaning, with a [link](glossary:diaspora).\n:::",
    "::: takeaway\n- a point\n- another\n:::",
    "| Col | Other |\n|---|:-:|\n| 1 | two |\n| 3 | four |",
    "```\nkeep(this)\n```",
    "    indented code",
    "A fact[^1].\n\n[^1]: The source,\n    2019.",
    "<!-- an editor note -->",
    '![A chart](../../assets/chart.svg "The caption, 2020.")',
    "Hard break  \nafter two spaces.",
    "---",
]


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.sampled_from(SNIPPETS), min_size=1, max_size=8))
def test_any_body_round_trips(parts: list[str]):
    body = "\n\n".join(parts) + "\n"
    blocks = tb.body_blocks(body)
    same = tb.replace_blocks(body, blocks, {tb.block_key(b): b.text for b in blocks})
    assert [b.text for b in tb.body_blocks(same)] == [b.text for b in blocks]
    assert structure(same) == structure(body)
    pseudo = tb.replace_blocks(body, blocks, {tb.block_key(b): tp.pseudo(b.text) for b in blocks})
    assert structure(pseudo) == structure(body)
    assert len(tb.body_blocks(pseudo)) == len(blocks)
    assert "keep(this)" in pseudo if "```\nkeep(this)\n```" in parts else True


SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg">'


def test_a_narrow_layout_has_no_keys_and_takes_its_figures_translations() -> None:
    """``NAME.narrow.svg`` beside ``NAME.svg`` is translated with the figure's messages, by their
    English (issue 15): the translator translates each text once, in the figure."""
    wide = f'{SVG_OPEN}<title id="t">Steps</title><text>Plan</text><text>Act <tspan>now</tspan></text></svg>'
    narrow = f'{SVG_OPEN}<title id="tn">Steps</title><text>Act <tspan>now</tspan></text><text>Plan</text></svg>'
    svgs = {"f/a.svg": wide.encode(), "f/a.narrow.svg": narrow.encode(), "f/b.narrow.svg": narrow.encode()}
    template = tr.extract(load_course(MINIMAL)[0], None, svgs)
    keys = sorted(str(m.context) for m in template if str(m.context).startswith("svg/"))
    assert keys == [
        *(f"svg/f/a.svg/{k}" for k in ("#t", "text/0", "text/1", "tspan/2")),
        *(f"svg/f/b.narrow.svg/{k}" for k in ("#tn", "text/0", "text/2", "tspan/1")),  # no wide figure: its own
    ]
    catalog = Catalog(locale="fr")
    for english, french, key in [("Steps", "Étapes", "#t"), ("Plan", "Planifier", "text/0"), ("Act", "Agir", "text/1")]:
        catalog.add(english, french, context=f"svg/f/a.svg/{key}")
    catalog.add("now", "maintenant", context="svg/f/a.svg/tspan/2", flags=["fuzzy"])  # not usable: stays English
    out = ts.translate_svg(narrow.encode(), "f/a.narrow.svg", catalog).decode()
    assert out.endswith('<title id="tn">Étapes</title><text>Agir <tspan>now</tspan></text><text>Planifier</text></svg>')
    assert ts.translate_svg(narrow.encode(), "f/b.narrow.svg", catalog) == narrow.encode()  # b.svg has none
    catalog.add("Act", "Faire", context="svg/f/a.narrow.svg/text/0")  # a key of its own comes first
    assert "<text>Faire <tspan>" in ts.translate_svg(narrow.encode(), "f/a.narrow.svg", catalog).decode()
