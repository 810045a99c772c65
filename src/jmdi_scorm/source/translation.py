"""The translatable texts of a course as gettext messages, and a course rebuilt from translations.

:func:`segments` walks the validated model and yields one
:class:`~jmdi_scorm.source.translation_catalog.Segment` per translatable text: course, module and
topic fields, questions (prompt, options, pairs, items, accepted answers, feedback), glossary and
resources, and each block of the topic bodies (:mod:`~jmdi_scorm.source.translation_blocks`). The
texts of course SVG figures are read by :mod:`~jmdi_scorm.source.translation_svg` (a figure's narrow
layout has none: it takes the figure's translations). :func:`extract`
turns segments into a Babel :class:`~babel.messages.catalog.Catalog` (``msgctxt`` = key, ``msgid``
= English text, location = file:line relative to the course directory); :func:`apply` returns a
translated copy of the model. Everything here is pure: the files are read and written by
:mod:`jmdi_scorm.source.translation_files`.

Keys (``msgctxt``) name where a text is, never what it says, so editing one text leaves the
keys of the others alone::

    course/title                                course/objectives/2
    module/m1/aim                               module/m1/assessment/questions/a3/choices/b
    topic/m1-02/summary                         topic/m1-02/questions/q3/pairs/a/left
    topic/m1-02/body/from-projects-to-plans/3   topic/m1-02/body/_/1   (before the first heading)
    glossary/diaspora/definition                resource/iom-2024-world-migration-report/title
    svg/assets/figures/m1-migration-cycle.svg/#m1cycle-title   (or .../text/7: no id)

Body keys and the normalisation of texts for translators: :mod:`~jmdi_scorm.source.translation_blocks`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from string import ascii_lowercase

from babel.messages.catalog import Catalog

from jmdi_scorm.source import model
from jmdi_scorm.source.files import Loc
from jmdi_scorm.source.translation_blocks import LETTER, block_key, body_blocks, markdown_text, plain, replace_blocks
from jmdi_scorm.source.translation_catalog import FORMAT_FLAGS, Segment, creation_date, new_catalog, translation
from jmdi_scorm.source.translation_svg import narrow_layouts, svg_segments

#: ``Lines(path, loc)``: line of the YAML node ``loc`` in the course file ``path`` (relative to the course).
Lines = Callable[[str, Loc], int]
#: Writes a segment's translation into the model walked.
Put = Callable[[str], None]


# --- the walk over the model ----------------------------------------------------------------


def _letter(index: int) -> str:
    return ascii_lowercase[index] if index < 26 else f"z{index}"


class _Walk:
    """Collects the segments of a course; each can write its translation into the model walked."""

    def __init__(self, course: model.Course, lines: Lines | None) -> None:
        self.course = course
        self.lines = lines or (lambda path, loc: 1)
        self.html = course.meta.allow_html
        self.out: list[Segment] = []
        self.finish: list[Callable[[], None]] = []

    def text(
        self, key: str, value: str | None, path: str, loc: Loc, note: str, put: Put, markdown: bool = False
    ) -> None:
        if value is None or not LETTER.search(value):
            return  # nothing to translate in a text without letters ("6", "2010")
        msgid = markdown_text(value, self.html) if markdown else plain(value)
        self.out.append(Segment(key, msgid, path, self.lines(path, loc), note, put))

    def field(self, key: str, obj: object, attr: str, path: str, loc: Loc, note: str, markdown: bool = False) -> None:
        value = getattr(obj, attr)
        newline = "\n" if markdown and isinstance(value, str) and value.endswith("\n") else ""

        def put(translated: str) -> None:
            setattr(obj, attr, translated + newline)

        self.text(key, value, path, loc, note, put, markdown)

    def items(self, key: str, values: list[str], path: str, loc: Loc, note: str, letters: bool = False) -> None:
        for index, value in enumerate(values):

            def put(translated: str, index: int = index) -> None:
                values[index] = translated

            name = _letter(index) if letters else str(index + 1)
            self.text(f"{key}/{name}", value, path, (*loc, index), note, put)

    # --- parts of the course

    def course_file(self) -> None:
        meta, path = self.course.meta, "course.yaml"
        self.field("course/title", meta, "title", path, ("title",), "course title")
        self.field("course/description", meta, "description", path, ("description",), "home page", markdown=True)
        for name in ("audience", "objectives", "outcomes"):
            self.items(f"course/{name}", getattr(meta, name), path, (name,), f"course {name}")
        self.field("course/how_to_use", meta, "how_to_use", path, ("how_to_use",), "home page", markdown=True)
        for index, credit in enumerate(meta.credits):
            key, loc = f"course/credits/{index + 1}", ("credits", index)
            self.field(f"{key}/role", credit, "role", path, (*loc, "role"), f"role of {credit.name}")
            # an organisation has an official name in each UN language; a person's name is kept
            note = "credited name: an organisation's official name in your language; a person's name as it is"
            self.field(f"{key}/name", credit, "name", path, (*loc, "name"), note)

    def module(self, module: model.Module) -> None:
        meta, path, key = module.meta, _relative(self.course, module.source), f"module/{module.id}"
        self.field(f"{key}/title", meta, "title", path, ("title",), "module title")
        self.field(f"{key}/aim", meta, "aim", path, ("aim",), "module aim", markdown=True)
        self.items(f"{key}/objectives", meta.objectives, path, ("objectives",), "module objective")
        if meta.assessment:
            loc: Loc = ("assessment",)
            self.field(f"{key}/assessment/title", meta.assessment, "title", path, (*loc, "title"), "assessment title")
            self.questions(f"{key}/assessment", meta.assessment.questions, path, loc)
        for topic in module.topics:
            self.topic(topic)

    def topic(self, topic: model.Topic) -> None:
        meta, path, key = topic.meta, topic.source, f"topic/{topic.id}"
        self.field(f"{key}/title", meta, "title", path, ("title",), "topic title (the page heading)")
        self.field(f"{key}/summary", meta, "summary", path, ("summary",), "topic summary")
        self.items(f"{key}/objectives", meta.objectives, path, ("objectives",), "topic objective")
        self.questions(key, meta.questions, path, ())
        self.body(topic, key, path)

    def body(self, topic: model.Topic, key: str, path: str) -> None:
        original = topic.body
        blocks = body_blocks(original, self.html)
        translations: dict[str, str] = {}
        for block in blocks:

            def put(translated: str, name: str = block_key(block)) -> None:
                translations[name] = translated

            line = topic.body_line + block.start
            self.out.append(Segment(f"{key}/body/{block_key(block)}", block.text, path, line, block.note, put))

        def finish() -> None:
            if translations:
                topic.body = replace_blocks(original, blocks, translations)

        self.finish.append(finish)

    def questions(self, key: str, questions: list, path: str, loc: Loc) -> None:
        for index, question in enumerate(questions):
            qkey, qloc = f"{key}/questions/{question.id}", (*loc, "questions", index)
            kind = f"{question.type} question {question.id}"
            self.field(f"{qkey}/prompt", question, "prompt", path, (*qloc, "prompt"), f"{kind}: prompt", True)
            if isinstance(question, model.SingleChoice | model.MultipleResponse):
                for number, choice in enumerate(question.choices):
                    ckey, cloc = f"{qkey}/choices/{_letter(number)}", (*qloc, "choices", number)
                    right = "right" if choice.correct else "wrong"
                    self.field(ckey, choice, "text", path, (*cloc, "text"), f"{kind}: option ({right})", True)
                    self.field(
                        f"{ckey}/feedback",
                        choice,
                        "feedback",
                        path,
                        (*cloc, "feedback"),
                        f"{kind}: option feedback",
                        True,
                    )
            elif isinstance(question, model.FillIn):
                note = f"{kind}: an accepted answer (learners type it: keep it short)"
                self.items(f"{qkey}/answers", question.answers, path, (*qloc, "answers"), note, letters=True)
            elif isinstance(question, model.Matching):
                for number, pair in enumerate(question.pairs):
                    pkey, ploc = f"{qkey}/pairs/{_letter(number)}", (*qloc, "pairs", number)
                    self.field(f"{pkey}/left", pair, "left", path, (*ploc, "left"), f"{kind}: item to match")
                    self.field(f"{pkey}/right", pair, "right", path, (*ploc, "right"), f"{kind}: its match")
            elif isinstance(question, model.Ordering):
                note = f"{kind}: item, in the right order"
                self.items(f"{qkey}/items", question.items, path, (*qloc, "items"), note, letters=True)
            for name in ("correct", "incorrect", "hint"):
                floc = (*qloc, "feedback", name)
                self.field(
                    f"{qkey}/feedback/{name}", question.feedback, name, path, floc, f"{kind}: feedback ({name})", True
                )

    def glossary(self) -> None:
        for index, term in enumerate(self.course.glossary):
            key, loc = f"glossary/{term.id}", ("terms", index)
            self.field(f"{key}/term", term, "term", "glossary.yaml", (*loc, "term"), "glossary term")
            self.field(
                f"{key}/definition",
                term,
                "definition",
                "glossary.yaml",
                (*loc, "definition"),
                f"definition of '{term.term}'",
            )
            self.field(f"{key}/source", term, "source", "glossary.yaml", (*loc, "source"), "source of a definition")

    def resources(self) -> None:
        for index, resource in enumerate(self.course.resources):
            key, loc = f"resource/{resource.id}", ("resources", index)
            self.field(f"{key}/title", resource, "title", "resources.yaml", (*loc, "title"), "resource title")
            self.field(
                f"{key}/description",
                resource,
                "description",
                "resources.yaml",
                (*loc, "description"),
                "resource description",
            )

    def run(self) -> list[Segment]:
        self.course_file()
        for module in self.course.modules:
            self.module(module)
        self.glossary()
        self.resources()
        return self.out


def _relative(course: model.Course, shown: str) -> str:
    """A path as the loader shows it (relative to the course's parent), relative to the course."""
    root = Path(course.root)
    path = Path(shown) if Path(shown).is_absolute() else root.parent / shown
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return PurePosixPath(shown).as_posix()


def segments(course: model.Course, lines: Lines | None = None) -> list[Segment]:
    """Every translatable text of the course model, in reading order (SVG figures: ``svg_segments``)."""
    return _Walk(course, lines).run()


# --- catalogues -----------------------------------------------------------------------------


def extract(
    course: model.Course, lines: Lines | None = None, svgs: dict[str, bytes] | None = None, epoch: str | None = None
) -> Catalog:
    """The template catalogue of the course: one message per segment, SVG figures (``svgs``: name to
    bytes) last, their narrow layouts left out (``translate_svg`` gives them their wide figure's)."""
    catalog = new_catalog(course.id, course.meta.version, date=creation_date(epoch))
    found = segments(course, lines)
    narrow = narrow_layouts(svgs or {})  # translated with their wide figure's texts (translate_svg)
    for name in sorted(set(svgs or {}) - narrow):
        found.extend(svg_segments((svgs or {})[name], name))
    for segment in found:
        message = catalog.add(
            segment.text,
            context=segment.key,
            locations=[(segment.path, segment.line)],
            auto_comments=[segment.note] if segment.note else [],
        )
        if message is not None:
            message.flags.difference_update(FORMAT_FLAGS)
    return catalog


def apply(course: model.Course, catalog: Catalog) -> model.Course:
    """A copy of ``course`` with every translated segment; the others (missing, fuzzy) stay English."""
    copy = course.model_copy(deep=True)
    walk = _Walk(copy, None)
    for segment in walk.run():
        translated = translation(catalog, segment.key, segment.text)
        if translated is not None and segment.put is not None:
            segment.put(translated)
    for finish in walk.finish:
        finish()
    return copy
