"""The item-writing lint of ``jmdi-scorm validate``: warnings about how the questions are written.

Each rule is one function and comes from a guideline of Haladyna, Downing and Rodriguez (2002),
"A review of multiple-choice item-writing guidelines for classroom assessment", *Applied
Measurement in Education* 15(3), 309-334 (the guideline numbers of its table 1; see
docs/authoring.md, "Item-writing lint"). The findings are warnings: ``validate --strict``
makes them errors. Every rule reads the model only (no parse), so the lint adds little time.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from jmdi_scorm.locale import strings
from jmdi_scorm.source import model
from jmdi_scorm.source.loader import LoadContext

#: Rule 1: the right option is the only long one when it is this much longer than the next.
LENGTH_RATIO, LENGTH_MARGIN = 1.25, 10
#: Rule 2: a module's keys are checked from this many items; a position may hold half of them.
MIN_ITEMS, MAX_POSITION_SHARE, TRUE_SHARE = 4, 0.5, (0.25, 0.75)
#: Rule 4: multiple-response items with this many options are checked.
MIN_OPTIONS_ALL_BUT_ONE = 4

COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
MARKUP = re.compile(r"[*_`]|!?\[([^\]]*)\]\([^)]*\)")


def _plain(text: str) -> str:
    """The text a learner reads, roughly: comments, emphasis marks and link targets left out."""
    text = COMMENT.sub("", text)
    return " ".join(MARKUP.sub(lambda m: m.group(1) or "", text).split())


ABOVE = re.compile(
    r"\b(all|none|both|neither) (of )?(the|these) (above|previous|options|answers)\b|\ball the above\b"
    r"|\b(toutes|aucune|tous|aucun) (les |des |de )?(r[ée]ponses|propositions|options|choix)? ?"
    r"(ci-dessus|pr[ée]c[ée]dent(e|es|s)?)\b|\b(toutes|aucune) de ces r[ée]ponses\b|\btout ce qui pr[ée]c[èe]de\b"
    r"|\b(todas|ninguna|todos|ninguno) (de )?(las |los )?(respuestas |opciones )?anteriores\b"
    r"|\b(todo|nada de) lo anterior\b"
    r"|(كل|جميع) (ما سبق|الإجابات السابقة|ما ذكر)|لا شيء مما (سبق|ذكر)|(ليس|لا) أيا مما سبق",
    re.IGNORECASE,
)
VERDICT = re.compile(
    r"^(?:correct|incorrect|not correct|not quite|well done|wrong|right|exactly|excellent|good job|great job"
    r"|that(?:'s| is) (?:right|correct|wrong|incorrect)|(?:correct|right|wrong|incorrect) answer"
    r"|bonne r[ée]ponse|mauvaise r[ée]ponse|bravo|exact|pas tout [àa] fait|pas exactement|c'est (?:juste|exact)"
    r"|correcto|incorrecto|respuesta (?:correcta|incorrecta)|muy bien|bien hecho|no exactamente|no del todo"
    r"|إجابة (?:صحيحة|خاطئة|غير صحيحة)|أحسنت|ليس تمام[اًا]+)"
    r"(?=\s*[.!:,;—–…-]|\s*$)",
    re.IGNORECASE,
)
INSTRUCTION = re.compile(
    r"\b(select|choose|check|tick|mark|pick) (all|every option|each option|everything) (that|which) appl(y|ies)\b"
    r"|\b(select|choose|pick|tick) (only )?one( answer| option)?\s*[.:)]"
    r"|\b(s[ée]lectionnez|cochez|choisissez) (toutes les|une seule|une) (bonnes? |justes? )?r[ée]ponses?\b"
    r"|\bplusieurs r[ée]ponses (sont )?possibles\b"
    r"|\b(seleccione|marque|elija) (todas las|una sola|una) (respuestas?|opci[óo]n|opciones)\b"
    r"|اختر (كل|جميع) الإجابات الصحيحة|اختر إجابة واحدة",
    re.IGNORECASE,
)
NUMBER = re.compile(r"^[-+]?\d[\d\s.,]*(\s*%)?$")
PERCENT_WORDS = ("percent", "per cent", "pour cent", "por ciento", "por cien", "في المائة", "بالمائة")
#: Rule 8: markers in capitals (``todo`` is Spanish for "all"), and phrases in any case.
MARKERS = re.compile(
    r"(?-i:\b(?:TODO|TBD|TBC|FIXME|XXX)\b)|should be checked|not confirmed in the sources consulted|\[check\]"
    r"|\bto be (?:confirmed|checked)\b",
    re.IGNORECASE,
)
#: What every marker contains, in lower case: a cheap test that lets most texts skip the search.
MARKER_HINTS = ("todo", "tbd", "tbc", "fixme", "xxx", "should be checked", "not confirmed", "[check]", "to be ")


@dataclass(frozen=True)
class Place:
    """A question and where it is written: the shown file, the key path of the question, its field."""

    question: model.Question
    shown: str
    loc: tuple[str | int, ...]

    @property
    def where(self) -> str:
        return _dotted(self.loc)

    def line(self, ctx: LoadContext, *sub: str | int) -> int:
        return ctx.line(self.shown, (*self.loc, *sub))


def lint_course(course: model.Course, ctx: LoadContext) -> None:
    """Add the item-writing warnings of the course to ``ctx``."""
    for module in course.modules:
        places = list(module_questions(course, module, ctx))
        for place in places:
            for rule in QUESTION_RULES:
                rule(place, ctx)
            check_number_answers(place, ctx, course.meta.language)
        check_key_balance(module, places, ctx)
    check_repeated_items(course, ctx)
    check_editor_markers(course, ctx)


def module_questions(course: model.Course, module: model.Module, ctx: LoadContext) -> Iterator[Place]:
    """Every question of a module: its topics' knowledge checks, then its assessment."""
    for topic in module.topics:
        shown = ctx.shown(Path(course.root) / topic.source)
        for index, question in enumerate(topic.questions):
            yield Place(question, shown, ("questions", index))
    if module.meta.assessment:
        for index, question in enumerate(module.meta.assessment.questions):
            yield Place(question, module.source, ("assessment", "questions", index))


# --- rules on one question -------------------------------------------------------------------


def check_longest_option(place: Place, ctx: LoadContext) -> None:
    """Guideline 24 (choices of about equal length), 28d (no conspicuous right choice)."""
    question = place.question
    if not isinstance(question, model.SingleChoice):
        return
    lengths = [len(_plain(c.text)) for c in question.choices]
    right = next(i for i, c in enumerate(question.choices) if c.correct)
    longest_other = max(n for i, n in enumerate(lengths) if i != right)
    if lengths[right] >= LENGTH_RATIO * longest_other and lengths[right] - longest_other >= LENGTH_MARGIN:
        ctx.warn(
            place.shown,
            place.line(ctx, "choices", right, "text"),
            f"{place.where}.choices[{right}]",
            f"the right option is by far the longest ({lengths[right]} characters, the next {longest_other}): "
            "a learner who picks the longest option gets it right; make the options about as long "
            "(item-writing guidelines 24 and 28d)",
        )


def check_above_options(place: Place, ctx: LoadContext) -> None:
    """Guidelines 25 (none of the above, carefully) and 26 (avoid all of the above)."""
    for index, choice in enumerate(getattr(place.question, "choices", [])):
        match = ABOVE.search(_plain(choice.text))
        if match:
            ctx.warn(
                place.shown,
                place.line(ctx, "choices", index, "text"),
                f"{place.where}.choices[{index}]",
                f"option '{match.group(0)}': knowing two options right (or one wrong) finds the answer "
                "without knowing the rest; write a plain option instead (item-writing guidelines 25 and 26)",
            )


def check_all_but_one(place: Place, ctx: LoadContext) -> None:
    """Guideline 26 (the cue of all of the above) and 20 (vary where the key is), for multiple response."""
    question = place.question
    if not isinstance(question, model.MultipleResponse) or len(question.choices) < MIN_OPTIONS_ALL_BUT_ONE:
        return
    right = sum(c.correct for c in question.choices)
    if right == len(question.choices) - 1:
        ctx.warn(
            place.shown,
            place.line(ctx, "choices"),
            f"{place.where}.choices",
            f"{right} of {len(question.choices)} options are right: ticking every box is nearly right; "
            "balance right and wrong options (item-writing guidelines 20 and 26)",
        )


def check_feedback_verdict(place: Place, ctx: LoadContext) -> None:
    """Guidelines 13 (minimise reading) and 16 (no window dressing), applied to feedback."""
    texts: list[tuple[tuple[str | int, ...], str]] = [
        (("feedback", "correct"), place.question.feedback.correct),
        (("feedback", "incorrect"), place.question.feedback.incorrect),
    ]
    if place.question.feedback.hint:  # shown under "Not quite. Try again."
        texts.append((("feedback", "hint"), place.question.feedback.hint))
    for index, choice in enumerate(getattr(place.question, "choices", [])):
        if choice.feedback:
            texts.append((("choices", index, "feedback"), choice.feedback))
    for sub, text in texts:
        match = VERDICT.match(_plain(text))
        if match:
            field = place.where + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in sub)
            ctx.warn(
                place.shown,
                place.line(ctx, *sub),
                field,
                f"feedback begins with '{match.group(0)}', which the page already shows above it; "
                "begin with why (item-writing guidelines 13 and 16)",
            )


def check_prompt_instructions(place: Place, ctx: LoadContext) -> None:
    """Guidelines 13 (minimise reading) and 16 (no window dressing): the page gives the instruction."""
    match = INSTRUCTION.search(_plain(place.question.prompt))
    if match:
        ctx.warn(
            place.shown,
            place.line(ctx, "prompt"),
            f"{place.where}.prompt",
            f"the prompt says '{match.group(0)}', which the page already says under it; leave it out "
            "(item-writing guidelines 13 and 16)",
        )


def _number_variants(answer: str, language: str) -> list[str]:
    """The forms of a numeric answer a learner may type that ``answer`` does not cover.

    The page compares whole answers (spaces collapsed), so each form is written out: the other
    decimal mark in the same shape (``6.18 %`` -> ``6,18 %``), and a percent in words.
    """
    answer = " ".join(answer.split())
    value = answer.replace(" ", "").removesuffix("%")
    wanted = []
    if re.fullmatch(r"[-+]?\d+\.\d+", value):
        wanted.append(answer.replace(".", ","))
    elif re.fullmatch(r"[-+]?\d+,\d{1,2}", value):
        wanted.append(answer.replace(",", "."))
    if answer.endswith("%"):
        word = strings(language)["percent_word"]
        wanted.append(f"{value} {word}")
    return wanted


def check_number_answers(place: Place, ctx: LoadContext, language: str = "en") -> None:
    """Guideline 2 (important content, not trivia); accepting the forms learners write is ours."""
    question = place.question
    if not isinstance(question, model.FillIn):
        return
    numbers = [a for a in question.answers if NUMBER.match(a.strip())]
    if not numbers:
        return
    accepted = {" ".join(a.lower().split()) for a in question.answers}
    missing = [
        variant
        for answer in numbers
        for variant in _number_variants(answer, language)
        if not _covered(variant, accepted)
    ]
    reasons = []
    if len(numbers) == len(question.answers):
        reasons.append(f"every accepted answer is a bare number ({', '.join(numbers)}): it asks to recall a figure")
    if missing:
        reasons.append(
            f"'{missing[0]}' is marked wrong" + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
        )
    if reasons:
        ctx.warn(
            place.shown,
            place.line(ctx, "answers"),
            f"{place.where}.answers",
            "; ".join(reasons) + ": accept the other forms of the number (decimal comma or point, "
            "percent sign or word) or ask for understanding (item-writing guideline 2)",
        )


def _covered(variant: str, accepted: set[str]) -> bool:
    if variant in accepted:
        return True
    number, _, word = variant.partition(" ")
    if word in PERCENT_WORDS:  # a percent in words: either decimal mark and any spelling will do
        other = number.replace(",", ".") if "," in number else number.replace(".", ",")
        return any(f"{n} {w}" in accepted for n in (number, other) for w in PERCENT_WORDS)
    return False


QUESTION_RULES = (
    check_longest_option,
    check_above_options,
    check_all_but_one,
    check_feedback_verdict,
    check_prompt_instructions,
)


# --- rules on a module -----------------------------------------------------------------------


def check_key_balance(module: model.Module, places: list[Place], ctx: LoadContext) -> None:
    """Guideline 20 (vary the place of the right option), and its two-option case, true/false."""
    line = ctx.line(module.source, ("id",))
    positions = Counter(
        next(i for i, c in enumerate(p.question.choices) if c.correct)
        for p in places
        if isinstance(p.question, model.SingleChoice)
    )
    total = sum(positions.values())
    if total >= MIN_ITEMS:
        position, count = positions.most_common(1)[0]
        if count / total > MAX_POSITION_SHARE:
            ctx.warn(
                module.source,
                line,
                "questions",
                f"the right option is option {position + 1} in {count} of {total} single-choice questions "
                "of the module: vary its place (item-writing guideline 20)",
            )
    keys = [p.question.answer for p in places if isinstance(p.question, model.TrueFalse)]
    if len(keys) >= MIN_ITEMS:
        share = sum(keys) / len(keys)
        if not TRUE_SHARE[0] <= share <= TRUE_SHARE[1]:
            ctx.warn(
                module.source,
                line,
                "questions",
                f"{sum(keys)} of {len(keys)} true/false statements of the module are true: a learner who always "
                "answers the same scores well; balance them (item-writing guideline 20, for two options)",
            )


# --- rules on the course ---------------------------------------------------------------------


def _item_content(question: model.Question) -> tuple[object, ...]:
    """What a question asks a learner to get right, whatever its wording and order: its options
    and which are right, its items, its pairs, its accepted answers or its statement."""
    if isinstance(question, model.SingleChoice | model.MultipleResponse):
        return ("choice", frozenset((_plain(c.text).lower(), c.correct) for c in question.choices))
    if isinstance(question, model.Ordering):
        return ("ordering", tuple(_plain(item).lower() for item in question.items))
    if isinstance(question, model.Matching):
        return ("matching", frozenset((_plain(p.left).lower(), _plain(p.right).lower()) for p in question.pairs))
    if isinstance(question, model.FillIn):
        return ("fill-in", _plain(question.prompt).lower(), frozenset(a.lower() for a in question.answers))
    return (question.type, _plain(question.prompt).lower())


def check_repeated_items(course: model.Course, ctx: LoadContext) -> None:
    """Guideline 4 (keep each item independent of the others): a module assessment question that
    asks what a knowledge check already asked is answered by that check's feedback and revealed
    answer, before the graded attempt."""
    checks: dict[tuple[object, ...], Place] = {}
    assessed: list[Place] = []
    for module in course.modules:
        for place in module_questions(course, module, ctx):
            if place.loc[0] == "assessment":
                assessed.append(place)
            else:
                checks.setdefault(_item_content(place.question), place)
    for place in assessed:
        check = checks.get(_item_content(place.question))
        if check is not None:
            ctx.warn(
                place.shown,
                place.line(ctx),
                place.where,
                f"repeats the knowledge check at {check.shown}:{check.line(ctx)} ({check.where}), with the "
                f"same {'statement' if isinstance(place.question, model.TrueFalse) else 'answers'}: its feedback "
                "and revealed answer give this graded question away; ask something else "
                "(item-writing guideline 4)",
            )


# --- editor markers --------------------------------------------------------------------------


def _markers(text: str) -> Iterator[re.Match[str]]:
    lower = text.lower()
    if not any(hint in lower for hint in MARKER_HINTS):
        return iter(())
    if "<!--" in text:  # an editor note may say TODO: its lines are kept, its words not
        text = COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return MARKERS.finditer(text)


def check_editor_markers(course: model.Course, ctx: LoadContext) -> None:
    """Guideline 11 (edit and proof items): notes to editors do not reach the learner."""
    for text, shown, at in learner_texts(course, ctx):
        for match in _markers(text):
            if isinstance(at, int):  # a topic body, from its first line
                line, where = at + text[: match.start()].count("\n"), "body"
            else:
                line, where = ctx.line(shown, at), _dotted(at)
            ctx.warn(
                shown,
                line,
                where,
                f"'{match.group(0)}' is a note to editors, shown to learners: resolve it, or keep it as an "
                "editor note <!-- ... --> (item-writing guideline 11)",
            )


LearnerText = tuple[str, str, "int | tuple[str | int, ...]"]


def learner_texts(course: model.Course, ctx: LoadContext) -> Iterator[LearnerText]:
    """(text, shown path, first line of a topic body or key path of a field) of every text a learner reads."""
    root = Path(course.root)
    course_file = ctx.shown(root / "course.yaml")
    meta = course.meta
    yield from _fields(course_file, (), {"title": meta.title, "description": meta.description})
    yield from _fields(course_file, (), {"how_to_use": meta.how_to_use or ""})
    for name in ("audience", "objectives", "outcomes"):
        yield from _fields(course_file, (name,), dict(enumerate(getattr(meta, name))))
    glossary = ctx.shown(root / "glossary.yaml")
    for index, term in enumerate(course.glossary):
        yield from _fields(glossary, ("terms", index), {"term": term.term, "definition": term.definition})
    resources = ctx.shown(root / "resources.yaml")
    for index, res in enumerate(course.resources):
        yield from _fields(resources, ("resources", index), {"title": res.title, "description": res.description})
    for module in course.modules:
        shown = module.source
        yield from _fields(shown, (), {"title": module.title, "aim": module.meta.aim})
        yield from _fields(shown, ("objectives",), dict(enumerate(module.meta.objectives)))
        if module.meta.assessment:
            yield from _fields(shown, ("assessment",), {"title": module.meta.assessment.title})
        for topic in module.topics:
            topic_file = ctx.shown(root / topic.source)
            meta_t = topic.meta
            yield from _fields(topic_file, (), {"title": meta_t.title, "summary": meta_t.summary})
            yield from _fields(topic_file, ("objectives",), dict(enumerate(meta_t.objectives)))
            yield topic.body, topic_file, topic.body_line
        for place in module_questions(course, module, ctx):
            yield from _question_fields(place)


def _question_fields(place: Place) -> Iterator[LearnerText]:
    question, shown, loc = place.question, place.shown, place.loc
    yield from _fields(shown, loc, {"prompt": question.prompt})
    yield from _fields(shown, (*loc, "feedback"), {"correct": question.feedback.correct})
    yield from _fields(shown, (*loc, "feedback"), {"incorrect": question.feedback.incorrect})
    for index, choice in enumerate(getattr(question, "choices", [])):
        yield from _fields(shown, (*loc, "choices", index), {"text": choice.text, "feedback": choice.feedback})
    for index, pair in enumerate(getattr(question, "pairs", [])):
        yield from _fields(shown, (*loc, "pairs", index), {"left": pair.left, "right": pair.right})
    for name in ("items", "answers"):
        yield from _fields(shown, (*loc, name), dict(enumerate(getattr(question, name, []))))


def _fields(shown: str, loc: tuple[str | int, ...], values: dict) -> Iterator[LearnerText]:
    for key, value in values.items():
        if value:
            yield str(value), shown, (*loc, key)


def _dotted(loc: tuple[str | int, ...]) -> str:
    """``("questions", 0, "prompt")`` -> ``questions[0].prompt``."""
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(loc))
