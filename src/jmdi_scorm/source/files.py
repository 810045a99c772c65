"""Reading source files: UTF-8 text, YAML with line numbers, Markdown front matter."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from jmdi_scorm.errors import Problem

PLAIN_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
STR_TAG = "tag:yaml.org,2002:str"
#: Key tags only ``flatten_mapping`` handles: a merge key (``<<``) and a value key (``=``).
FLATTENED_KEY_TAGS = frozenset({"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})
MAX_YAML_NODES = 200_000  # guards against alias bombs ("billion laughs")
FAST_LOADER = getattr(yaml, "CSafeLoader", None)  # PyYAML built with libyaml
Loc = tuple[str | int, ...]


class SourceProblem(Exception):
    """A file could not be read or parsed; carries the located problem."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Positions:
    """Line of every node of one YAML document, keyed by its path of keys and indexes."""

    path: str
    lines: dict[Loc, int] = field(default_factory=dict)

    def line(self, loc: Loc) -> int:
        """Line of the deepest known node on ``loc`` (1 if none)."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return 1


#: Portable file names (docs/standards.md §1.1): lowercase ASCII letters, digits, ``.``, ``_``, ``-``
#: and ``/``. Every course file a package carries keeps its path, so it must have one.
PORTABLE_PATH = re.compile(r"^[a-z0-9._-]+(/[a-z0-9._-]+)*$")


def portable(name: str) -> str | None:
    """Why the course file ``name`` (relative, POSIX) cannot be a package entry (None if it can)."""
    if PORTABLE_PATH.match(name):
        return None
    return f"file name '{name}' is not portable: use lowercase ASCII letters, digits, '.', '_', '-'"


def inside_course(root: Path, path: Path) -> str | None:
    """Why ``path`` is not a safe file inside ``root`` (None if it is)."""
    return resolved_inside(root, path)[1]


def resolved_inside(root: Path, path: Path) -> tuple[Path, str | None]:
    """``path`` resolved, and why it is not a safe file inside ``root`` (None if it is)."""
    resolved = path.resolve()
    if resolved.is_relative_to(root):
        return resolved, None
    if path.is_symlink():
        return resolved, "symbolic link points outside the course directory"
    return resolved, "path leads outside the course directory"


def read_text(path: Path, shown: str) -> str:
    """Read a source file as UTF-8, refusing a BOM, bad bytes and empty files."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        raise SourceProblem(
            Problem(shown, 1, "", "file starts with a byte order mark (BOM); save it as UTF-8 without BOM")
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceProblem(Problem(shown, line, "", f"not valid UTF-8 (byte 0x{data[exc.start]:02x})")) from None
    if not text.strip():
        raise SourceProblem(Problem(shown, 1, "", "file is empty"))
    return text


def parse_yaml(text: str, shown: str, first_line: int = 1) -> tuple[Any, Positions]:
    """Parse one YAML document safely, recording the line of every node.

    libyaml's parser, when PyYAML has it, is about ten times faster. Any text it refuses, or
    that holds a tab (the one input where the two parsers disagree), goes through the
    pure-Python parser, so accepted documents and error messages are always the latter's.
    """
    try:
        if FAST_LOADER is not None and "\t" not in text:
            with contextlib.suppress(yaml.YAMLError):
                return _parse(FAST_LOADER, text, shown, first_line)
        return _parse(yaml.SafeLoader, text, shown, first_line)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark else first_line
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        if exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            message += f" (the construct starts at line {exc.context_mark.line + first_line})"
        if "\t" in text and "'\\t'" in message:
            message += " (indent with spaces, not tabs)"
        raise SourceProblem(Problem(shown, line, "", f"invalid YAML: {message}")) from None
    except yaml.YAMLError as exc:
        raise SourceProblem(Problem(shown, first_line, "", f"invalid YAML: {exc}")) from None
    except RecursionError:
        raise SourceProblem(Problem(shown, first_line, "", "invalid YAML: nested too deeply")) from None


def _parse(loader_class: Any, text: str, shown: str, first_line: int) -> tuple[Any, Positions]:
    positions = Positions(shown)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        data = _Builder(loader, positions, first_line - 1).build(node, ()) if node else None
    finally:
        loader.dispose()
    return data, positions


class _Builder:
    """Turns composed YAML nodes into Python data while recording node lines."""

    def __init__(self, loader: yaml.SafeLoader, positions: Positions, offset: int):
        self.loader, self.positions, self.offset, self.count = loader, positions, offset, 0

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.count += 1
        if self.count > MAX_YAML_NODES:
            raise SourceProblem(Problem(self.positions.path, 1, "", "YAML document too large (alias expansion?)"))
        line = node.start_mark.line + 1 + self.offset
        self.positions.lines.setdefault(loc, line)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if node.tag not in PLAIN_COLLECTION_TAGS:
            raise SourceProblem(
                Problem(self.positions.path, line, _dotted(loc), f"invalid YAML: unsupported tag {node.tag}")
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        return [self.build(item, (*loc, index)) for index, item in enumerate(node.value)]

    def _scalar(self, node: yaml.Node) -> Any:
        # A text is its node's value: what the constructor returns for it (construct_yaml_str),
        # without its bookkeeping (most of a course's 150,000 scalars are texts).
        if node.tag == STR_TAG:
            return node.value
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        if any(key_node.tag in FLATTENED_KEY_TAGS for key_node, _ in node.value):
            self.loader.flatten_mapping(node)  # merge keys (<<) and value keys (=)
        result: dict[Any, Any] = {}
        lines = self.positions.lines
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1 + self.offset
            if not isinstance(key_node, yaml.ScalarNode):
                raise SourceProblem(Problem(self.positions.path, line, _dotted(loc), "mapping keys must be plain text"))
            key = self._scalar(key_node)
            key = key if isinstance(key, str) else str(key)
            if key in result:
                raise SourceProblem(Problem(self.positions.path, line, _dotted((*loc, key)), "duplicate key"))
            here = (*loc, key)
            lines[here] = line  # the key's line, not its value's
            result[key] = self.build(value_node, here)
        return result


def split_front_matter(text: str, shown: str) -> tuple[str, str, int]:
    """Split a topic file into (front matter YAML, body, first line of the body)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        raise SourceProblem(Problem(shown, 1, "", "topic file must start with '---' and YAML front matter"))
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    raise SourceProblem(Problem(shown, 1, "", "front matter is not closed with a '---' line"))


def _dotted(loc: Loc) -> str:
    """Render a data path as ``questions[0].choices[1].text``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


dotted = _dotted
