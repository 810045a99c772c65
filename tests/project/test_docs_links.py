"""The repository stands alone: comments and docs cite docs/standards.md by its own sections and
point to no file outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STANDARDS = ROOT / "docs" / "standards.md"
SCANNED = ["src", "tests", "docs", "bench", "scripts", "templates", ".ci"]
TOP_FILES = ["README.md", "SECURITY.md", "pyproject.toml"]
SUFFIXES = {".py", ".js", ".md", ".html", ".css", ".toml", ".yml", ".yaml", ".json", ".txt", ".sh", ".cfg", ".j2"}
SKIPPED_DIRS = {"node_modules", "__pycache__", ".pytest_cache", ".jmdi-cache"}  # .jmdi-cache: what builds leave

#: Paths that lie outside the repository (a shared drive, another checkout).
OUTSIDE = re.compile(r"shared[/]docs|/work/|\.\./shared")
#: A run of section references: "§6.6", "§8.3-8.5", "§4.2–§4.5", "§7.2, §8.2", "§1 and §4".
REFS = re.compile(r"§\d+(?:\.\d+)*(?:(?:\s*[-–]\s*§?|\s*,\s*§|\s+and\s+§)\d+(?:\.\d+)*)*")
NUMBER = re.compile(r"\d+(?:\.\d+)*")
#: A run right after one of these names cites that document, not docs/standards.md.
FOREIGN = re.compile(r"(?:cmi5|Part Two|Part Three|Part 2|APPNOTE|RTE|CAM)\s*$")


def sections() -> set[str]:
    heads = re.findall(r"^#{2,3} (\d+(?:\.\d+)*)\.? ", STANDARDS.read_text(encoding="utf-8"), flags=re.M)
    return set(heads)


def scanned_files() -> list[Path]:
    files = [ROOT / name for name in TOP_FILES if (ROOT / name).is_file()]
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES and not SKIPPED_DIRS & set(path.parts):
                files.append(path)
    return files


def section_refs(text: str) -> list[tuple[int, str]]:
    """(line, number) of every reference to a docs/standards.md section in ``text``."""
    out = []
    for run in REFS.finditer(text):
        if FOREIGN.search(text[max(0, run.start() - 20) : run.start()]):
            continue
        line = text.count("\n", 0, run.start()) + 1
        out.extend((line, number) for number in NUMBER.findall(run.group()))
    return out


def test_standards_has_numbered_sections():
    assert {"1", "1.1", "6.6", "8.9", "11"} <= sections()


def test_no_path_outside_the_repository():
    found = []
    for path in scanned_files():
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if path.name != "test_docs_links.py" and OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert found == []


def test_cited_sections_exist():
    known = sections()
    missing, unnamed = [], []
    for path in scanned_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        refs = section_refs(text)
        missing += [f"{path.relative_to(ROOT)}:{line}: §{number}" for line, number in refs if number not in known]
        if refs and path != STANDARDS and "standards.md" not in text:
            unnamed.append(f"{path.relative_to(ROOT)}: cites § without naming docs/standards.md")
    assert missing == []
    assert unnamed == []


def test_the_reference_parser():
    text = "a (§6.6) b §8.3-8.5 c §4.2–§4.5, §9 and §10.1 (cmi5 §9.3.8, §7.1.2) Part Two §2.4.7, §4.5"
    assert [n for _, n in section_refs(text)] == ["6.6", "8.3", "8.5", "4.2", "4.5", "9", "10.1"]
