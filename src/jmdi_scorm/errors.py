"""User-facing problems with the course source (not bugs: those keep their traceback)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One problem, located as ``path:line: field: message``."""

    path: str
    line: int
    field: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        label = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {self.field or '-'}: {label}{self.message}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class JmdiError(Exception):
    """Base of every error the user can fix; the CLI prints it without a traceback."""


class CourseError(JmdiError):
    """The course source has errors; ``problems`` lists all of them (warnings included)."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in the course source")

    def __reduce__(self) -> tuple[type[CourseError], tuple[list[Problem]]]:
        return type(self), (self.problems,)  # pickled as made: a worker's error reaches the build whole


class BuildError(JmdiError):
    """A build could not be completed (bad option, unwritable output, size limit exceeded)."""
