"""What a check finds: one located problem per finding, gathered per package."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]

#: More findings than this in one package are counted, not listed (a hostile zip can have 50 000 bad names).
MAX_FINDINGS = 500


@dataclass(frozen=True)
class Finding:
    """One problem, printed as ``ZIP:ENTRY[:line]: message [CODE]``."""

    zip: str
    entry: str
    line: int
    message: str
    code: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.zip + (f":{self.entry}" if self.entry else "") + (f":{self.line}" if self.line else "")
        label = "warning: " if self.severity == "warning" else ""
        code = f" [{self.code}]" if self.code else ""
        return f"{where}: {label}{self.message}{code}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Report:
    """Everything a check found in one package, plus notes that are not problems (skipped steps)."""

    zip: str
    kind: str = "unknown"  # scorm12, scorm2004, tincan, cmi5 or unknown
    edition: str = ""  # "1.2", "2004 4th Edition", ...
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    suppressed: int = 0
    suppressed_errors: int = 0

    def add(self, entry: str, message: str, code: str = "", line: int = 0, severity: Severity = "error") -> None:
        if len(self.findings) >= MAX_FINDINGS:
            self.suppressed += 1
            self.suppressed_errors += severity == "error"
            return
        self.findings.append(Finding(self.zip, entry, line or 0, message, code, severity))

    def error(self, entry: str, message: str, code: str = "", line: int | None = 0) -> None:
        self.add(entry, message, code, line or 0, "error")

    def warn(self, entry: str, message: str, code: str = "", line: int | None = 0) -> None:
        self.add(entry, message, code, line or 0, "warning")

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings) + self.suppressed_errors

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings) + self.suppressed - self.suppressed_errors

    def sorted_findings(self) -> list[Finding]:
        """Archive-level problems first, then by entry and line; discovery order otherwise."""
        return sorted(self.findings, key=lambda f: (f.entry != "", f.entry, f.line))

    def lines(self) -> list[str]:
        out = [str(f) for f in self.sorted_findings()]
        if self.suppressed:
            out.append(f"{self.zip}: {self.suppressed} more problem(s) not shown")
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            "zip": self.zip,
            "kind": self.kind,
            "edition": self.edition,
            "errors": self.errors,
            "warnings": self.warnings,
            "suppressed": self.suppressed,
            "notes": self.notes,
            "problems": [f.as_dict() for f in self.sorted_findings()],
        }
