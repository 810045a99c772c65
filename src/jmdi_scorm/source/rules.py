"""Checks the schema cannot make: ids, links, files, images and sizes across the course.

Rules read the course and the load context and report into ``ctx.problems``; they never change
the course. They run over every file that could be read (``loader.read_course``) and stay quiet
about what follows from a file that could not (``LoadContext.unreadable``).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from jmdi_scorm.errors import Problem
from jmdi_scorm.source import model
from jmdi_scorm.source.files import inside_course, portable, resolved_inside
from jmdi_scorm.source.id_rules import check_page_ids, check_unique_ids
from jmdi_scorm.source.loader import GLOSSARY_FILE, MODULES_DIR, LoadContext
from jmdi_scorm.source.markdown import is_plain
from jmdi_scorm.source.narrow_layouts import narrow_of, wide_of
from jmdi_scorm.source.token_cache import find_links, text_facts

SAFE_SCHEMES = {"http", "https", "mailto"}
LONG_TOPIC_WORDS = 4000
SVG_SUFFIXES = (".svg", ".svgz")  # checked by svg_rules
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


@dataclass(frozen=True)
class Known:
    """What links may point at: glossary term ids and topic files (relative to the course).

    ``unread`` holds the topic files that could not be read (a link to one is not reported) and
    ``glossary_unread`` says glossary.yaml could not be read (no ``glossary:`` link is reported).
    """

    glossary: frozenset[str]
    topics: frozenset[str]
    unread: frozenset[str] = frozenset()
    glossary_unread: bool = False
    #: What the file system says of each path a link names (``_file_facts``), asked once per load
    #: (``LoadContext.rule_memo``): many topics link the same figures.
    files: dict[Hashable, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, course: model.Course, ctx: LoadContext | None = None) -> Known:
        unread = frozenset(ctx.unreadable if ctx else ())
        return cls(
            frozenset(t.id for t in course.glossary),
            frozenset(t.source for t in course.topics),
            unread,
            GLOSSARY_FILE in unread,
            ctx.rule_memo if ctx else {},
        )


@dataclass(frozen=True)
class FileFacts:
    """A path a link names: why it is not a safe file of the course (``inside_course``), whether
    it is a file, and where it leads inside the course (a POSIX path; None when outside or missing)."""

    problem: str | None
    is_file: bool
    relative: str | None


def _file_facts(root: Path, base: PurePosixPath, path_text: str, memo: dict[Hashable, Any]) -> FileFacts:
    """The facts of ``path_text`` in the folder ``base`` of the course, asked once per load (``memo``)."""
    key = ("path", str(base), path_text)
    facts: FileFacts | None = memo.get(key)
    if facts is None:
        path = root / base / path_text
        resolved, problem = resolved_inside(root, path)
        is_file = problem is None and path.is_file()
        relative = None if problem else resolved.relative_to(root).as_posix()
        facts = memo[key] = FileFacts(problem, is_file, relative)
    return facts


def check_course(course: model.Course, ctx: LoadContext) -> None:
    """Every rule over the course; ``course.assets`` is the loader's (``course_assets``)."""
    check_unique_ids(course, ctx)
    check_page_ids(course, ctx)
    known = Known.of(course, ctx)
    # A text's problems follow from the text, where it is and what links may point at: kept.
    memo = ctx.rule_memo.setdefault(("markdown", known.glossary, known.topics, known.unread), {})
    for text, path, line, where, base in markdown_texts(course, ctx):
        if is_plain(text):
            continue  # no links, tables or headings: nothing to check (most questions' texts)
        found: tuple[Problem, ...] | None = memo.get((text, path, line, where, base))
        if found is None:
            start = len(ctx.problems)
            check_markdown(course, ctx, text, path, line, where, base, known)
            found = memo[text, path, line, where, base] = tuple(ctx.problems[start:])
        else:
            ctx.problems.extend(found)
    for topic in course.topics:
        check_topic_size(topic, ctx)
    check_resources(course, ctx)
    check_asset_files(course, ctx)


def check_asset_files(course: model.Course, ctx: LoadContext) -> None:
    """``check_svg_assets`` and ``check_narrow_layouts``, which read the asset files and nothing
    else: their problems are kept in ``ctx.rule_memo`` for the same assets (a topic read again)."""
    key = ("asset checks", tuple(course.assets))
    known: tuple[Problem, ...] | None = ctx.rule_memo.get(key)
    if known is None:
        start = len(ctx.problems)
        check_svg_assets(course, ctx)
        check_narrow_layouts(course, ctx)
        known = ctx.rule_memo[key] = tuple(ctx.problems[start:])
    else:
        ctx.problems.extend(known)


def course_assets(course: model.Course, ctx: LoadContext) -> list[str]:
    """The course files the course uses, sorted: files its Markdown links to or shows, resource files,
    and the narrow layout ``NAME.narrow.svg`` of each SVG file among them that has one (``narrow_layouts``).

    Only files that exist inside the course count (the rules report the others).
    """
    root = Path(course.root)
    names: set[str] = set()
    for text, base in texts_and_folders(course, ctx):
        if not is_plain(text):  # a plain text links to nothing
            names.update(_text_files(root, base, text, ctx))
    for resource in course.resources:
        if resource.file and _is_course_file(root, resource.file, ctx.rule_memo):
            names.add(PurePosixPath(resource.file).as_posix())
    narrow = [narrow_of(name) for name in names]
    names.update(name for name in narrow if name and _is_course_file(root, name, ctx.rule_memo))
    return sorted(names)


def _text_files(root: Path, base: PurePosixPath, text: str, ctx: LoadContext) -> tuple[str, ...]:
    """The course files (not topics) the Markdown ``text`` in the folder ``base`` links to or shows."""
    key = ("files", base, text)
    found: tuple[str, ...] | None = ctx.rule_memo.get(key)
    if found is None:
        linked = (_linked_file(root, base, ref.target, ctx.rule_memo) for ref in find_links(ctx.tokens, text))
        found = ctx.rule_memo[key] = tuple(name for name in linked if name)
    return found


def _is_course_file(root: Path, name: str, memo: dict[Hashable, Any]) -> bool:
    """Whether ``name`` (relative to the course) is a file inside the course."""
    facts = _file_facts(root, PurePosixPath("."), name, memo)
    return facts.problem is None and facts.is_file


def _linked_file(root: Path, base: PurePosixPath, target: str, files: dict[Hashable, Any]) -> str | None:
    """The course file (not a topic) a link target in folder ``base`` names, if it exists."""
    target = target.strip()
    if SCHEME.match(target) or target.startswith("//"):
        return None
    path_text = unquote(urlsplit(target).path)
    if not path_text or _absolute(path_text) or path_text.endswith(".md"):
        return None
    facts = _file_facts(root, base, path_text, files)
    return facts.relative if facts.is_file else None


def _absolute(path_text: str) -> bool:
    return path_text.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", path_text) is not None


def check_svg_assets(course: model.Course, ctx: LoadContext) -> None:
    """Refuse the course's SVG files that could run script or load other files (``svg_rules``)."""
    names = [name for name in course.assets if name.lower().endswith(SVG_SUFFIXES)]
    if not names:
        return

    from jmdi_scorm.source import svg_rules  # lxml is loaded only for courses with SVG files

    root = Path(course.root)
    for name in names:
        shown = ctx.shown(root / name)
        for problem in svg_rules.file_problems(root / name):
            ctx.error(shown, problem.line, problem.field, problem.message)


def check_narrow_layouts(course: model.Course, ctx: LoadContext) -> None:
    """Check each narrow layout the course has against its wide figure (``narrow_rules``), and
    refuse one that is a symbolic link out of the course (it would be left out of the packages)."""
    root = Path(course.root)
    assets = set(course.assets)
    pairs = [(wide, name) for name in course.assets if (wide := wide_of(name)) in assets]
    for name in course.assets:
        narrow = narrow_of(name)
        if narrow is None or narrow in assets or not (root / narrow).is_symlink():
            continue
        reason = inside_course(root, root / narrow)
        if reason:
            message = f"{reason}: the narrow layout of {name} must be a file of the course"
            ctx.error(ctx.shown(root / narrow), 1, "", message)
    if not pairs:
        return

    from jmdi_scorm.source import narrow_rules  # lxml is loaded only for courses with narrow layouts

    for wide, narrow in pairs:
        try:
            wide_data, narrow_data = (root / wide).read_bytes(), (root / narrow).read_bytes()
        except OSError:
            continue  # svg_rules reports a file it cannot read
        shown = ctx.shown(root / narrow)
        for problem in narrow_rules.layout_problems(wide_data, wide, narrow_data, narrow):
            report = ctx.error if problem.severity == "error" else ctx.warn
            report(shown, problem.line, problem.field, problem.message)


MarkdownText = tuple[str, str, int, str, PurePosixPath]
#: A Markdown text where it is: text, shown path, its place (a line, or the YAML path whose line it
#: is: looked up only by who needs it), field, folder relative to the course.
_PlacedText = tuple[str, str, int | tuple, str, PurePosixPath]


def markdown_texts(course: model.Course, ctx: LoadContext) -> Iterator[MarkdownText]:
    """(text, shown path, first line, field, folder relative to the course) of every Markdown text."""
    for text, shown, at, where, base in _placed_texts(course, ctx):
        yield text, shown, at if isinstance(at, int) else ctx.line(shown, at), where, base


def texts_and_folders(course: model.Course, ctx: LoadContext) -> Iterator[tuple[str, PurePosixPath]]:
    """(text, folder) of every text ``markdown_texts`` gives, in its order, without looking up their
    lines (what ``course_assets`` reads of them: 41,000 texts in a 1,000-topic course)."""
    return ((text, base) for text, _shown, _at, _where, base in _placed_texts(course, ctx))


def _placed_texts(course: model.Course, ctx: LoadContext) -> Iterator[_PlacedText]:
    root = Path(course.root)
    course_file = ctx.shown(root / "course.yaml")
    for name in ("description", "how_to_use"):
        value = getattr(course.meta, name)
        if value:
            yield value, course_file, (name,), name, PurePosixPath(".")
    course_folder = PurePosixPath(ctx.shown(root))
    for module in course.modules:
        folder = PurePosixPath(module.source).parent.relative_to(course_folder)
        yield module.meta.aim, module.source, ("aim",), "aim", folder
        if module.meta.assessment:
            yield from _question_texts(
                module.meta.assessment.questions, module.source, ("assessment", "questions"), folder
            )
        for topic in module.topics:
            shown = ctx.shown(root / topic.source)
            base = PurePosixPath(topic.source).parent
            yield topic.body, shown, topic.body_line, "body", base
            yield from _question_texts(topic.questions, shown, ("questions",), base)


def _question_texts(questions: list, shown: str, loc: tuple, base: PurePosixPath) -> Iterator[_PlacedText]:
    for index, question in enumerate(questions):
        here = (*loc, index)
        where = ".".join(str(p) for p in loc) + f"[{index}]"
        yield question.prompt, shown, (*here, "prompt"), f"{where}.prompt", base
        for kind in ("correct", "incorrect"):
            yield getattr(question.feedback, kind), shown, (*here, "feedback", kind), f"{where}.feedback.{kind}", base


def check_markdown(
    course: model.Course,
    ctx: LoadContext,
    text: str,
    shown: str,
    line: int,
    where: str,
    base: PurePosixPath,
    known: Known | None = None,
) -> None:
    """Links, images and headings of one Markdown text."""
    known = known or Known.of(course, ctx)
    facts = text_facts(ctx.tokens, text)
    for ref in facts.links:
        at = line + ref.line
        problem = _link_problem(course, ctx, ref.target, base, known, is_image=ref.kind == "image")
        if problem:
            ctx.error(shown, at, where, problem)
        if ref.kind == "image" and not ref.text:
            ctx.error(shown, at, where, f"image '{ref.target}' has no alt text")
    for offset in dict.fromkeys(facts.empty_header_cells):
        ctx.warn(
            shown, line + offset, where, "a table header cell is empty: name the column (screen readers read it out)"
        )
    if where == "body":
        for level, title, offset in facts.headings:
            if level == 1:
                ctx.warn(
                    shown,
                    line + offset,
                    where,
                    f"heading '{title}' is level 1; the topic title is the page's h1, start at ##",
                )


def _link_problem(
    course: model.Course, ctx: LoadContext, target: str, base: PurePosixPath, known: Known, *, is_image: bool
) -> str | None:
    target = target.strip()
    scheme = SCHEME.match(target)
    if scheme:
        name = scheme.group(1).lower()
        if name == "glossary" and not is_image:
            term = target.split(":", 1)[1]
            return (
                None
                if term in known.glossary or known.glossary_unread
                else f"glossary term '{term}' not found in glossary.yaml"
            )
        if is_image:
            return f"image '{target}' must be a file inside the course, not a '{name}:' address"
        return (
            None
            if name in SAFE_SCHEMES
            else f"unsafe link scheme '{name}:' (use https, http, mailto or a relative path)"
        )
    if target.startswith("//"):
        return f"protocol-relative link '{target}' (use https://)"
    parts = urlsplit(target)
    if not parts.path:
        return None  # same-page anchor
    path_text = unquote(parts.path)
    if _absolute(path_text):
        return f"absolute path '{path_text}' (use a path relative to this file)"
    root = Path(course.root)
    facts = _file_facts(root, base, path_text, known.files)
    if facts.problem:
        return f"'{path_text}': {facts.problem}"
    assert facts.relative is not None  # inside the course
    if path_text.endswith(".md"):
        if facts.relative not in known.topics and facts.relative not in known.unread:
            return f"link to '{path_text}' does not resolve to a topic of the course"
        return None
    if not facts.is_file:
        return f"file '{path_text}' not found"
    return portable(facts.relative)


def check_topic_size(topic: model.Topic, ctx: LoadContext) -> None:
    shown = ctx.shown(Path(ctx.root) / topic.source)
    if topic.word_count > LONG_TOPIC_WORDS:
        ctx.warn(shown, topic.body_line, "body", f"very long topic ({topic.word_count} words); consider splitting it")
    if not topic.questions:
        ctx.warn(shown, ctx.line(shown, ("id",)), "questions", "topic has no knowledge-check questions")
    if not topic.body.strip():
        ctx.warn(shown, topic.body_line, "body", "topic has no text")


def check_resources(course: model.Course, ctx: LoadContext) -> None:
    root = Path(course.root)
    shown = ctx.shown(root / "resources.yaml")
    module_ids = {m.id for m in course.modules}
    modules_unread = any(
        name.startswith(f"{MODULES_DIR}/") and name.endswith("/module.yaml") for name in ctx.unreadable
    )
    for index, resource in enumerate(course.resources):
        if resource.module and resource.module not in module_ids and not modules_unread:
            ctx.error(
                shown,
                ctx.line(shown, ("resources", index, "module")),
                f"resources[{index}].module",
                f"unknown module '{resource.module}'",
            )
        if resource.file:
            facts = _file_facts(root, PurePosixPath("."), resource.file, ctx.rule_memo)
            problem = (
                facts.problem
                or (None if facts.is_file else f"file '{resource.file}' not found")
                or portable(PurePosixPath(resource.file).as_posix())
            )
            if problem:
                ctx.error(shown, ctx.line(shown, ("resources", index, "file")), f"resources[{index}].file", problem)
