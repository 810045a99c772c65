"""Read a course directory into a :class:`~jmdi_scorm.source.model.Course`: files, schema, nothing more.

Every file is read, parsed and validated even when others fail, and the course is made of the
files that could be read, so the checks (``rules.py``, run by ``validate.py``) see every file
that parsed: one run reports every problem. ``LoadContext.unreadable`` names the files that
could not be read, so the checks do not report what follows from them.
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from jmdi_scorm.errors import CourseError, Problem
from jmdi_scorm.source import model, problem_text
from jmdi_scorm.source.context import BuildContext
from jmdi_scorm.source.files import (
    Positions,
    SourceProblem,
    dotted,
    inside_course,
    parse_yaml,
    read_text,
    split_front_matter,
)
from jmdi_scorm.source.token_cache import TokenCache

M = TypeVar("M", bound=BaseModel)
COURSE_FILE, GLOSSARY_FILE, RESOURCES_FILE, MODULES_DIR = "course.yaml", "glossary.yaml", "resources.yaml", "modules"


@dataclass
class LoadContext:
    """What a load gathers besides the model: problems, the line map of every file, what could
    not be read, and the build's context (``build``: parsed Markdown and the like)."""

    root: Path
    problems: list[Problem] = field(default_factory=list)
    positions: dict[str, Positions] = field(default_factory=dict)
    #: Course files (relative to the course, POSIX) that exist but could not be read into the model.
    unreadable: set[str] = field(default_factory=set)
    build: BuildContext = field(default_factory=BuildContext)
    #: What the rules learnt that holds while no file changes but topic files: what the file
    #: system says of each path a link names, the files and problems of each Markdown text (keyed
    #: by the text), those of the SVG files and narrow layouts. A load starts it empty;
    #: ``reread_topic`` keeps it, as only the topic file changed.
    rule_memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    @property
    def tokens(self) -> TokenCache:
        """The build's parsed Markdown: each text parsed once for the checks and the site."""
        return self.build.tokens

    def shown(self, path: Path) -> str:
        """The path as printed in messages: relative to the course's parent when possible."""
        try:
            return path.relative_to(self.root.parent).as_posix()
        except ValueError:
            return path.as_posix()

    def error(self, path: str, line: int, where: str, message: str) -> None:
        self.problems.append(Problem(path, line, where, message))

    def warn(self, path: str, line: int, where: str, message: str) -> None:
        self.problems.append(Problem(path, line, where, message, "warning"))

    def line(self, shown: str, loc: tuple[str | int, ...]) -> int:
        positions = self.positions.get(shown)
        return positions.line(loc) if positions else 1

    def unread(self, path: Path) -> None:
        """Note that the course file ``path`` exists but could not be read into the model."""
        resolved = path.resolve()
        if resolved.is_relative_to(self.root):  # outside, nothing of the course refers to it
            self.unreadable.add(resolved.relative_to(self.root).as_posix())

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def read_course(root: Path) -> tuple[model.Course, LoadContext]:
    """Read the course in ``root`` from every file that could be read; ``ctx.problems`` says what
    could not. Only a missing course.yaml raises CourseError: then there is no course to read."""
    root = root.resolve()
    ctx = LoadContext(root)
    if not (root / COURSE_FILE).is_file():
        raise CourseError([Problem(ctx.shown(root / COURSE_FILE), 1, "", "course.yaml not found")])
    meta = _load_yaml_model(ctx, root / COURSE_FILE, model.CourseFile)
    glossary = _optional(ctx, root / GLOSSARY_FILE, model.GlossaryFile)
    resources = _optional(ctx, root / RESOURCES_FILE, model.ResourcesFile)
    modules = _load_modules(ctx, root)
    course = model.Course(
        meta=meta or _unread_course_file(),
        root=str(root),
        modules=modules,
        glossary=glossary.terms if glossary else [],
        resources=resources.resources if resources else [],
    )
    return course, ctx


def _unread_course_file() -> model.CourseFile:
    """Stands for a course.yaml that could not be read, so the other files are still checked."""
    empty: dict[str, Any] = {name: "" for name in ("id", "title", "version", "base_iri", "description")}
    return model.CourseFile.model_construct(language="en", audience=[], objectives=[], outcomes=[], **empty)


def _optional(ctx: LoadContext, path: Path, cls: type[M]) -> M | None:
    return _load_yaml_model(ctx, path, cls) if path.exists() else None


def _load_yaml_model(ctx: LoadContext, path: Path, cls: type[M]) -> M | None:
    shown = ctx.shown(path)
    escape = inside_course(ctx.root, path)
    if escape:
        ctx.error(shown, 1, "", escape)
        return None
    try:
        data, positions = parse_yaml(read_text(path, shown), shown)
    except SourceProblem as exc:
        ctx.problems.append(exc.problem)
        ctx.unread(path)
        return None
    ctx.positions[shown] = positions
    loaded = validate_data(ctx, data, positions, cls)
    if loaded is None:
        ctx.unread(path)
    return loaded


def validate_data(ctx: LoadContext, data: Any, positions: Positions, cls: type[M]) -> M | None:
    """Validate parsed data against a model, turning pydantic errors into located problems."""
    if not isinstance(data, dict):
        ctx.error(positions.path, positions.line(()), "", f"expected a mapping of {cls.__name__} fields")
        return None
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            ctx.problems.append(_problem_from_pydantic(err, data, positions))
        return None


def _problem_from_pydantic(err: Any, data: Any, positions: Positions) -> Problem:
    loc = _data_loc(err["loc"], data)
    if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
        loc = (*loc, "type")
    where = dotted(loc)
    message = err["msg"]
    if err["type"] == "missing":
        message = "field required"
    elif err["type"] == "extra_forbidden":
        message = f"unknown key '{loc[-1]}'" + _did_you_mean(str(loc[-1]))
    elif err["type"] == "union_tag_not_found":
        message = f"field required; one of {', '.join(model.QUESTION_TYPES)}"
    elif err["type"] == "union_tag_invalid":
        message = f"unknown question type; expected one of {', '.join(model.QUESTION_TYPES)}"
    elif message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    else:
        message = problem_text.message(err) or message
    return Problem(positions.path, positions.line(loc), where, message)


def _data_loc(loc: tuple[Any, ...], data: Any) -> tuple[str | int, ...]:
    """Drop pydantic's union-tag entries from ``loc`` so it names the path in the data."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if (
            isinstance(node, dict)
            and part in node
            or isinstance(node, list)
            and isinstance(part, int)
            and part < len(node)
        ):
            node = node[part]
        elif isinstance(node, dict) and part in model.QUESTION_TYPES:
            continue
        else:
            node = None
        out.append(part)
    return tuple(out)


def _all_field_names() -> set[str]:
    names: set[str] = set()
    for value in vars(model).values():
        if isinstance(value, type) and issubclass(value, model.StrictModel):
            names.update(value.model_fields)
    return names


def _did_you_mean(key: str) -> str:
    # A name valid elsewhere (feedback's hint) is no suggestion for itself.
    close = difflib.get_close_matches(key, sorted(_all_field_names() - {key}), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _load_modules(ctx: LoadContext, root: Path) -> list[model.Module]:
    modules_dir = root / MODULES_DIR
    folders = sorted(p for p in modules_dir.iterdir() if p.is_dir()) if modules_dir.is_dir() else []
    if not folders:
        ctx.error(ctx.shown(modules_dir), 1, "", "no module folders found (expected modules/<id>/module.yaml)")
    modules = [m for m in (_load_module(ctx, folder) for folder in folders) if m is not None]
    return sorted(modules, key=lambda m: (m.meta.order, m.id))


def _load_module(ctx: LoadContext, folder: Path) -> model.Module | None:
    yaml_path = folder / "module.yaml"
    if not yaml_path.is_file():
        ctx.error(ctx.shown(folder), 1, "", "module folder has no module.yaml")
        return None
    meta = _load_yaml_model(ctx, yaml_path, model.ModuleFile)
    if meta is None:
        for path in folder.glob("*.md"):  # its topics are not read: links to them are not broken
            ctx.unread(path)
        return None
    shown = ctx.shown(yaml_path)
    topics = [t for t in (_load_listed_topic(ctx, folder, meta, i) for i in range(len(meta.topics))) if t]
    _report_stray_topics(ctx, folder, meta)
    if not meta.topics:
        ctx.error(shown, ctx.line(shown, ("topics",)), "topics", "module has no topics")
    return model.Module(meta=meta, source=shown, topics=topics)


def _load_listed_topic(ctx: LoadContext, folder: Path, meta: model.ModuleFile, index: int) -> model.Topic | None:
    shown_module = ctx.shown(folder / "module.yaml")
    where, line = f"topics[{index}]", ctx.line(shown_module, ("topics", index))
    path = folder / meta.topics[index]
    problem = inside_course(ctx.root, path)
    if problem:
        ctx.error(shown_module, line, where, problem)
        return None
    if not path.is_file():
        ctx.error(shown_module, line, where, f"topic file '{meta.topics[index]}' not found")
        return None
    return _read_topic(ctx, path, meta.id)


def load_topic(ctx: LoadContext, path: Path, module_id: str) -> model.Topic | None:
    """Load one topic Markdown file (front matter validated, body kept as text)."""
    escape = inside_course(ctx.root, path)
    if escape:
        ctx.error(ctx.shown(path), 1, "", escape)
        return None
    return _read_topic(ctx, path, module_id)


def _read_topic(ctx: LoadContext, path: Path, module_id: str) -> model.Topic | None:
    """``load_topic`` of a file known to be inside the course."""
    shown = ctx.shown(path)
    try:
        text = read_text(path, shown)
        front, body, body_line = split_front_matter(text, shown)
        data, positions = parse_yaml(front or "{}", shown, first_line=2)
    except SourceProblem as exc:
        ctx.problems.append(exc.problem)
        ctx.unread(path)
        return None
    ctx.positions[shown] = positions
    meta = validate_data(ctx, data, positions, model.TopicFrontMatter)
    if meta is None:
        ctx.unread(path)
        return None
    source = path.relative_to(ctx.root).as_posix()
    return model.Topic(meta=meta, module_id=module_id, source=source, body=body, body_line=body_line)


def _report_stray_topics(ctx: LoadContext, folder: Path, meta: model.ModuleFile) -> None:
    named = set(meta.topics)  # a file listed by its name needs no resolving
    listed = None
    for path in sorted(folder.glob("*.md")):
        if path.name in named:
            continue
        listed = listed if listed is not None else {(folder / name).resolve() for name in meta.topics}
        if path.resolve() not in listed:
            ctx.error(ctx.shown(path), 1, "", f"topic file is not listed in {ctx.shown(folder / 'module.yaml')} topics")


def reread_topic(course: model.Course, previous: LoadContext, path: Path) -> tuple[model.Course, LoadContext] | None:
    """``course`` with the one topic file ``path`` read again, as ``read_course`` would read it now.

    For a preview that saw only ``path`` change since ``previous`` (the load that made ``course``):
    the new context keeps the line maps of the other files, the build's parsed Markdown and what the
    rules learnt of the other files and texts (``rule_memo``), so only this file is parsed and
    checked again and no other file is looked at again; the rules still run over the whole course.
    ``None`` when the file is no topic ``course`` holds, is gone, or ``previous`` could not read
    every file: then read the whole course.
    """
    root = previous.root
    if previous.unreadable or previous.has_errors or not path.is_file():
        return None
    try:
        source = path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None
    found = [(m, i) for m in course.modules for i, topic in enumerate(m.topics) if topic.source == source]
    if len(found) != 1:
        return None
    module, index = found[0]
    ctx = LoadContext(root, positions=dict(previous.positions), build=previous.build, rule_memo=previous.rule_memo)
    topic = load_topic(ctx, root / source, module.id)
    topics = [*module.topics[:index], *([topic] if topic else []), *module.topics[index + 1 :]]
    changed = module.model_copy(update={"topics": topics})
    modules = [changed if m is module else m for m in course.modules]
    return course.model_copy(update={"modules": modules, "assets": []}), ctx
