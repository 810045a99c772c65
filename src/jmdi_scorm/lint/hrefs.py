"""Hrefs inside descriptors: where they point in the zip, and whether they may point there [PKG-11]."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

EXTERNAL_SCHEMES = {"http", "https"}


@dataclass
class Target:
    """Where an href leads: an entry name inside the package, or outside it."""

    href: str
    entry: str | None = None
    external: bool = False
    query: str = ""
    problems: list[str] = field(default_factory=list)


def resolve(href: str, base: str = "") -> Target:
    """Resolve ``href`` (after an optional ``xml:base`` prefix) to a zip entry name."""
    target = Target(href)
    raw = base + href
    if not href.strip():
        target.problems.append("empty href")
        return target
    if "\\" in raw:
        target.problems.append(f"backslash in href '{raw}'; use '/'")
        return target
    try:
        parts = urlsplit(raw)
    except ValueError as exc:
        target.problems.append(f"malformed href '{raw}': {exc}")
        return target
    target.query = parts.query
    if parts.scheme:
        if parts.scheme.lower() in EXTERNAL_SCHEMES:
            target.external = True
        elif len(parts.scheme) == 1:
            target.problems.append(f"href '{raw}' is an absolute Windows path")
        else:
            target.problems.append(f"href '{raw}' uses the '{parts.scheme}:' scheme; only relative paths and http(s)")
        return target
    if parts.netloc or raw.startswith("/"):
        target.problems.append(f"href '{raw}' is absolute; hrefs are relative to the package root")
        return target
    entry = normalise(unquote(parts.path))
    if entry is None:
        target.problems.append(f"href '{raw}' leads outside the package ('..')")
    elif not entry:
        target.problems.append(f"href '{raw}' names no file")
    else:
        target.entry = entry
    return target


def normalise(path: str) -> str | None:
    """Collapse '.' and '..' segments; None when '..' climbs above the package root."""
    out: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not out:
                return None
            out.pop()
        else:
            out.append(segment)
    return "/".join(out)


@dataclass
class Contents:
    """The file entries of a package, as descriptors see them."""

    names: set[str]
    digests: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.folded = {name.lower(): name for name in sorted(self.names)}

    def missing(self, entry: str) -> str | None:
        """None when ``entry`` is in the zip; otherwise why it is not found."""
        if entry in self.names:
            return None
        other = self.folded.get(entry.lower())
        if other:
            return (
                f"'{entry}' is not in the package; '{other}' differs only by case (LMS file stores are case-sensitive)"
            )
        return f"'{entry}' is not in the package"
