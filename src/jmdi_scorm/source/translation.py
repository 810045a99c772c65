"""The translatable texts of a course as gettext messages, and a course rebuilt from translations.

:func:`segments` walks the validated model and yields one :class:`Segment` per translatable text:
course, module and topic fields, questions (prompt, options, pairs, items, accepted answers,
feedback), glossary and resources, and each block of the topic bodies (paragraph, heading, list
item paragraph, whole table, ``:::`` box title and the blocks inside the box, footnote). The text
of course SVG figures is read by :func:`svg_segments` (a figure's narrow layout has none: it takes
the figure's translations, :func:`translate_svg`). :func:`extract` turns segments into a
Babel :class:`~babel.messages.catalog.Catalog` (``msgctxt`` = key, ``msgid`` = English text,
location = file:line relative to the course directory); :func:`apply` returns a translated copy
of the model and :func:`translate_svg` a translated SVG file. Everything here is pure: the files
are read and written by :mod:`jmdi_scorm.source.translation_files`.

Keys (``msgctxt``) name where a text is, never what it says, so editing one text leaves the
keys of the others alone::

    course/title                                course/objectives/2
    module/m1/aim                               module/m1/assessment/questions/a3/choices/b
    topic/m1-02/summary                         topic/m1-02/questions/q3/pairs/a/left
    topic/m1-02/body/from-projects-to-plans/3   topic/m1-02/body/_/1   (before the first heading)
    glossary/diaspora/definition                resource/iom-2024-world-migration-report/title
    svg/assets/figures/m1-migration-cycle.svg/#m1cycle-title   (or .../text/7: no id)

Body blocks are numbered within their section, the part of the body under one top-level
heading, named by the heading's anchor (``0`` is the heading itself). The trade-off: adding or
removing a block renumbers the blocks after it in that section only, and renaming a heading
renames its section's keys; ``translate update`` then carries a translation over by its
identical English text (a block that moved keeps its translation) or, for a key whose English
changed, marks it fuzzy. A content hash would survive moves but change with every edit of the
text itself, which is the far more frequent change.

Texts are normalised for translators: a plain text or a single Markdown paragraph becomes one
line (the source's hard-wrapped lines joined with spaces); a Markdown text of several blocks is
kept as written. Inline Markdown (emphasis, links, images with their alt text and caption) stays
in the segment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path, PurePosixPath
from string import ascii_lowercase

from babel.messages.catalog import Catalog
from lxml import etree
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors.index import slugify

from jmdi_scorm.safexml import doctype_line, safe_parser
from jmdi_scorm.source import model
from jmdi_scorm.source.files import Loc
from jmdi_scorm.source.markdown import new_parser
from jmdi_scorm.source.narrow_layouts import wide_of

#: ``Lines(path, loc)``: line of the YAML node ``loc`` in the course file ``path`` (relative to the course).
Lines = Callable[[str, Loc], int]
#: Writes a segment's translation into the model walked.
Put = Callable[[str], None]
SVG_NS = "http://www.w3.org/2000/svg"
SVG_TEXT_TAGS = ("title", "desc", "text", "tspan", "textPath")
_LETTER = re.compile(r"[^\W\d_]")
FORMAT_FLAGS = ("python-format", "python-brace-format")  # Babel guesses them from "%" and "{}": not ours
HEADER = (
    "# Translatable texts of the course PROJECT (version VERSION).\n"
    "# Written by `jmdi-scorm translate`: translate msgstr only; see docs/translating.md."
)


@dataclass
class Segment:
    """One translatable text: its key (``msgctxt``), English text (``msgid``) and place."""

    key: str
    text: str
    path: str  # relative to the course directory, POSIX
    line: int
    note: str  # for the translator (``#.`` comment)
    put: Callable[[str], None] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Block:
    """A translatable block of a Markdown body: lines ``start``..``end`` (0-based, end excluded)."""

    section: str
    number: int
    text: str
    start: int
    end: int
    prefix: str  # what precedes the text on its first line (list marker, ``> ``, ``## ``, ``::: name ``)
    note: str

    @property
    def continuation(self) -> str:
        """What precedes the text on its following lines: the prefix with markers made spaces."""
        return re.sub(r"[^>\s]", " ", self.prefix)


# --- text normalisation ---------------------------------------------------------------------


def plain(text: str) -> str:
    """A plain text on one line."""
    return " ".join(text.split())


def _unwrap(content: str) -> str:
    """The lines of one paragraph joined with spaces; a hard line break stays, as ``\\`` + newline."""
    raw = content.split("\n")
    out = raw[0].strip()
    for before, line in zip(raw, raw[1:], strict=False):
        if before.endswith("\\"):
            out += "\n" + line.strip()
        elif before.endswith("  "):
            out = out.rstrip() + "\\\n" + line.strip()
        else:
            out = out.rstrip() + " " + line.strip()
    return out


@cache
def _parser(html: bool) -> MarkdownIt:
    return new_parser(html=html)


def markdown_text(text: str, html: bool = False) -> str:
    """A Markdown text as a segment: one paragraph on one line, several blocks as written."""
    tokens = _parser(html).parse(text)
    if [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]:
        return _unwrap(tokens[1].content)
    return text.strip("\n").rstrip()


# --- Markdown bodies ------------------------------------------------------------------------


def body_blocks(text: str, html: bool = False) -> list[Block]:
    """The translatable blocks of a Markdown body, in order (see the module's key scheme)."""
    lines = text.splitlines()
    tokens = _parser(html).parse(text)
    blocks: list[Block] = []
    section, number, used = "_", 0, set()

    def add(start: int, end: int, content: str, prefix: str, note: str) -> None:
        nonlocal number
        blocks.append(Block(section, number, content, start, end, prefix, note))
        number += 1

    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.map:
            base = slugify(tokens[index + 1].content) or "section"
            section, counter = base, 2
            while section in used or section == "_":
                section, counter = f"{base}-{counter}", counter + 1
            used.add(section)
            number = 0
        elif token.type == "footnote_open":
            section, number = f"footnote-{token.meta.get('label', token.meta.get('id', 0))}", 1
        if not token.map:
            continue
        start, end = token.map
        if token.type in ("paragraph_open", "heading_open"):
            inline = tokens[index + 1]
            if token.type == "heading_open" and not token.markup.startswith("#"):
                end -= 1  # setext heading: its underline stays
            first = inline.content.split("\n", 1)[0]
            at = lines[start].find(first) if first else -1
            prefix = lines[start][:at] if at >= 0 else _lead(r"^[\s>]*", lines[start])
            kind = "heading" if token.type == "heading_open" else _paragraph_kind(tokens, index)
            if _LETTER.search(inline.content):
                add(start, end, _unwrap(inline.content), prefix, kind)
        elif token.type == "table_open":
            prefix = _lead(r"^[ \t>]*", lines[start])
            rows = [
                line[len(prefix) :].rstrip() if line.startswith(prefix) else line.strip() for line in lines[start:end]
            ]
            add(start, end, "\n".join(rows), prefix, "table: keep the | of every row and the --- row")
        elif token.type.startswith("container_") and token.type.endswith("_open"):
            parts = token.info.strip().split(" ", 1)
            title = parts[1].strip() if len(parts) == 2 else ""
            at = lines[start].rfind(title) if title else -1
            if at >= 0:
                add(start, start + 1, title, lines[start][:at], f"title of a '{parts[0]}' box")
    return blocks


def _lead(pattern: str | re.Pattern[str], line: str) -> str:
    """What ``pattern`` matches at the start of ``line`` (empty if nothing)."""
    match = re.match(pattern, line)
    return match.group() if match else ""


def _paragraph_kind(tokens: list[Token], index: int) -> str:
    if any(c.type == "image" and c.attrGet("title") for c in tokens[index + 1].children or []):
        return "figure: translate the alt text [..] and the caption in quotes; keep the file path"
    if index and tokens[index - 1].type == "list_item_open":
        return "list item"
    return "paragraph"


def block_key(block: Block) -> str:
    return f"{block.section}/{block.number}"


def replace_blocks(text: str, blocks: list[Block], translations: dict[str, str]) -> str:
    """``text`` with each block's lines replaced by its translation (by ``block_key``), if any."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    position = 0
    for block in sorted(blocks, key=lambda b: b.start):
        translated = translations.get(block_key(block))
        if translated is None or block.start < position:
            continue
        out.extend(lines[position : block.start])
        ending = "\n" if lines[block.end - 1].endswith("\n") else ""
        if block.note.startswith("title of"):
            translated = plain(translated)
            tail = lines[block.start][len(block.prefix) + len(block.text) :].rstrip("\n")
            out.append(block.prefix + translated + tail + ("\n" if lines[block.start].endswith("\n") else ""))
        else:
            new = translated.split("\n")
            rendered = [block.prefix + new[0]] + [block.continuation + line for line in new[1:]]
            if block.note.startswith("table"):
                rendered = [block.prefix + line for line in new]
            out.append("\n".join(rendered) + ending)
        position = block.end
    out.extend(lines[position:])
    return "".join(out)


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
        if value is None or not _LETTER.search(value):
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
            loc = ("credits", index, "role")
            self.field(f"course/credits/{index + 1}/role", credit, "role", path, loc, f"role of {credit.name}")

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


# --- SVG figures ----------------------------------------------------------------------------


def _svg_root(data: bytes) -> etree._Element | None:
    if doctype_line(data):
        return None
    try:
        return etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError:
        return None


def _svg_texts(root: etree._Element, name: str) -> Iterator[tuple[str, etree._Element, str]]:
    """(key, element, "text" or "tail") of every text of an SVG worth translating."""
    number = 0
    for element in root.iter(*(f"{{{SVG_NS}}}{tag}" for tag in SVG_TEXT_TAGS)):
        tag = etree.QName(element).localname
        ident = element.get("id")
        base = f"svg/{name}/#{ident}" if ident else f"svg/{name}/{tag}/{number}"
        number += 0 if ident else 1
        if element.text and element.text.strip():
            yield base, element, "text"
        if tag in ("tspan", "textPath") and element.tail and element.tail.strip():
            yield f"{base}/tail", element, "tail"


def svg_segments(data: bytes, name: str) -> list[Segment]:
    """The texts of the SVG file ``name`` (relative to the course): titles, descriptions, labels."""
    root = _svg_root(data)
    if root is None:
        return []
    notes = {"title": "figure title (read aloud)", "desc": "figure description (read aloud)"}
    out = []
    for key, element, part in _svg_texts(root, name):
        tag = etree.QName(element).localname
        value = element.text if part == "text" else element.tail
        note = notes.get(tag, "label in a figure: keep it about as short as the English")
        out.append(Segment(key, plain(value or ""), name, element.sourceline or 1, note))
    return out


def translate_svg(data: bytes, name: str, catalog: Catalog) -> bytes:
    """The SVG file ``name`` with its translated texts (``data`` itself if none is translated).

    A narrow layout ``NAME.narrow.svg`` (``narrow_layouts``) has no keys of its own: each of its
    texts takes the translation of the same English text in its wide figure ``NAME.svg``.
    """
    root = _svg_root(data)
    if root is None:
        return data
    wide = wide_of(name)
    by_text = _translations_of(catalog, wide) if wide else {}
    changed = False
    for key, element, part in _svg_texts(root, name):
        value = element.text if part == "text" else element.tail
        text = plain(value or "")
        translated = translation(catalog, key, text) or by_text.get(text)
        if translated is None:
            continue
        lead = (value or "")[: len(value or "") - len((value or "").lstrip())]
        trail = (value or "")[len((value or "").rstrip()) :]
        setattr(element, part, lead + translated + trail)
        changed = True
    if not changed:
        return data
    declaration = data.lstrip().startswith(b"<?xml")
    return etree.tostring(root, encoding="utf-8", xml_declaration=declaration) + (
        b"\n" if data.endswith(b"\n") else b""
    )


def _translations_of(catalog: Catalog, name: str) -> dict[str, str]:
    """English text to usable translation of the texts of the SVG file ``name`` in ``catalog``
    (the first, in the catalogue's order, when a text is there twice)."""
    prefix = f"svg/{name}/"
    found: dict[str, str] = {}
    for message in catalog:
        if isinstance(message.context, str) and message.context.startswith(prefix) and isinstance(message.id, str):
            usable = translation(catalog, message.context, message.id)
            if usable is not None:
                found.setdefault(message.id, usable)
    return found


def narrow_layouts(svgs: Iterable[str]) -> set[str]:
    """The narrow layouts among the SVG files ``svgs``: those whose wide figure is there too."""
    names = set(svgs)
    return {name for name in names if wide_of(name) in names}


# --- catalogues -----------------------------------------------------------------------------


def creation_date(epoch: str | None) -> datetime:
    """The catalogue date: ``SOURCE_DATE_EPOCH`` when given, else a fixed date (reproducible files)."""
    seconds = int(epoch) if epoch and epoch.strip().isdigit() else 0
    return datetime.fromtimestamp(seconds, UTC)


def as_datetime(value: datetime | str) -> datetime:
    """A catalogue's date as Babel keeps it (read from a file: maybe text) as a datetime."""
    return value if isinstance(value, datetime) else creation_date(None)


def new_catalog(project: str, version: str, locale: str | None = None, date: datetime | None = None) -> Catalog:
    """An empty catalogue with the course's header (``locale`` None: the template)."""
    date = date or creation_date(None)
    return Catalog(
        locale=locale,
        domain="course",
        header_comment=HEADER,
        project=project,
        version=version,
        copyright_holder=None,
        msgid_bugs_address=None,
        creation_date=date,
        revision_date=date,
        fuzzy=locale is None,
    )


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


def translation(catalog: Catalog, key: str, text: str) -> str | None:
    """The usable translation of ``text`` at ``key``: present, not empty, not fuzzy; else None."""
    message = catalog.get(text, context=key)
    if message is None or message.fuzzy or not isinstance(message.string, str) or not message.string.strip():
        return None
    return message.string


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


# --- pseudo-translation ---------------------------------------------------------------------

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
        lead = _lead(_LEAD, line)
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
