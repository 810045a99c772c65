"""No LRS credentials in packages: what one looks like, and the scan of a package's text files.

Credentials belong to the launch: the LMS puts them in the launch URL (TinCan ``auth``) or hands
out a one-time token (cmi5 ``fetch``). The xAPI and cmi5 targets refuse a package that carries
one, and the build's safety audit (``safety.py``) scans every package of every format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jmdi_scorm.errors import BuildError

# What an LRS credential looks like when someone pastes one into a course or a template: an
# Authorization value, a TinCan launch query with ``auth=``, a URL with a user and password, a
# cmi5 auth-token. The runtime itself only ever reads these from the launch URL (docs/standards.md §7.2, §8.2).
_CREDENTIAL_PATTERNS = (
    # (a word of lower-case letters after "Basic" is prose: "Basic infrastructure remains ...")
    re.compile(r"\b(?:Basic|Bearer)(?:\s|%20|\+)+(?![a-z]+(?:[^A-Za-z0-9+/_.~=-]|$))[A-Za-z0-9+/_.~-]{12,}={0,2}"),
    re.compile(r"[?&;]auth=(?!&|$|['\"\s])", re.IGNORECASE),
    re.compile(r"\b(?:https?|wss?)://[^\s/@:'\"<>]+:[^\s/@'\"<>]+@"),
    re.compile(r"[\"']auth-token[\"']\s*:\s*[\"'][^\"']+", re.IGNORECASE),
)
_TEXT_SUFFIXES = (".html", ".htm", ".js", ".mjs", ".json", ".jsonld", ".xml", ".css", ".txt", ".md", ".svg", ".csv")


# Looser forms of the patterns above that start with a literal, which Python's re finds about 50
# times faster: every line matching a pattern above also matches one of these, so a text that
# matches none of them is clean without the line-by-line scan.
_CREDENTIAL_HINTS = (
    re.compile(r"(?:Basic|Bearer)(?:\s|%20|\+)+[A-Za-z0-9+/_.~-]{12,}"),
    re.compile(r"://[^\s/@:'\"<>]+:[^\s/@'\"<>]+@"),
)
_CREDENTIAL_WORDS = ("auth=", "auth-token")  # in the lower-cased text (case-insensitive patterns)
# The only characters whose lower case holds an ASCII letter: "İ" (i and a dot above) and the
# Kelvin sign (k). Without them, a text's lower case has the same ASCII letters as its bytes'.
_LOWERED_TO_ASCII = ("\u0130", "\u212a")


def _may_hold_credentials(text: str, data: bytes) -> bool:
    if any(char in text for char in _LOWERED_TO_ASCII):
        lowered = text.lower()
        found = any(word in lowered for word in _CREDENTIAL_WORDS)
    else:  # bytes.lower() (ASCII letters only) is about eight times faster than str.lower()
        lowered_bytes = data.lower()
        found = any(word.encode() in lowered_bytes for word in _CREDENTIAL_WORDS)
    return found or any(hint.search(text) for hint in _CREDENTIAL_HINTS)


@lru_cache(maxsize=65536)
def is_text(name: str) -> bool:
    """Whether the file ``name`` is one the scan reads (by its suffix): a pure function of the name,
    asked for every file of every package (600 packages of 130 files in a large build)."""
    return name.lower().endswith(_TEXT_SUFFIXES)


def credential_lines(data: bytes) -> tuple[int, ...]:
    """The numbers of the lines of a text file that look like an LRS credential."""
    text = data.decode("utf-8", errors="replace")
    if not _may_hold_credentials(text, data):
        return ()
    lines = enumerate(text.splitlines(), 1)
    return tuple(number for number, line in lines if any(pattern.search(line) for pattern in _CREDENTIAL_PATTERNS))


def credential_memo(site: Any) -> dict[bytes, tuple[int, ...]]:
    """Content → :func:`credential_lines`, kept with ``site`` (one build): each content is read once."""
    return site.once("credential-lines", dict)


def find_credentials(files: Mapping[str, bytes], memo: dict[bytes, tuple[int, ...]] | None = None) -> list[str]:
    """``file:line`` of every text that looks like an LRS credential, in file order.

    ``memo`` (see :func:`credential_memo`) keeps what each distinct content holds: packages of one
    build share most of their files.
    """
    memo = {} if memo is None else memo
    found = []
    for name in sorted(files):
        if not is_text(name):
            continue
        data = files[name]
        lines = memo.get(data)
        if lines is None:
            lines = memo[data] = credential_lines(data)
        found += [f"{name}:{number}" for number in lines]
    return found


def refuse_credentials(
    files: Mapping[str, bytes], label: str, memo: dict[bytes, tuple[int, ...]] | None = None
) -> None:
    """Stop the build when a package would carry LRS credentials (issue 5: a known peer hole).

    Credentials belong to the launch: the LMS puts them in the launch URL (TinCan ``auth``) or
    hands out a one-time token (cmi5 ``fetch``); anything baked into a zip is readable by every
    learner and cannot be revoked per learner.
    """
    found = find_credentials(files, memo)
    if found:
        where = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        raise BuildError(
            f"{label}: refusing to package what looks like LRS credentials ({where}); the LMS passes "
            "them at launch (TinCan launch parameters, cmi5 fetch token) — remove them from the course"
        )
