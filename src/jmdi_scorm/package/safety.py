"""What every package must satisfy before it is written (SECURITY.md, "What it writes").

The renderer and the targets already produce safe packages; this is the last gate, so that a
course's template override or a pasted credential cannot quietly weaken what ships:

- every HTML page carries a Content-Security-Policy ``<meta>`` before anything it loads, and
  that policy allows only the package's own files (``'self'`` or ``'none'``; ``connect-src`` may
  add ``https:``/``http:`` for an LRS named at launch, ``img-src`` ``data:``: an image written in
  the page itself, which loads nothing; ``style-src`` and ``script-src`` the SHA-256 hash of each
  ``<style>`` and each ``<script>`` that runs written in the page, and no other: the launch
  page's style sheet and core, in the page so that the first page needs no second round trip;
  a hash allows that exact text, so no other inline style or script may apply);
- no text file looks like it carries LRS credentials (the patterns of
  ``credentials.find_credentials``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jmdi_scorm.errors import BuildError
from jmdi_scorm.package.credentials import credential_memo, find_credentials

CSP_META = re.compile(
    r"<meta\s+http-equiv=[\"']?Content-Security-Policy[\"']?\s+content=\"([^\"]*)\"\s*/?>", re.IGNORECASE
)
FIRST_LOAD = re.compile(r"<(script|link|style|img|iframe|object|embed|base)\b", re.IGNORECASE)
OWN_FILES = {"'self'", "'none'"}
LAUNCH_TIME_ORIGINS = {"connect-src": {"https:", "http:"}}  # the LRS endpoint arrives at launch
IN_THE_PAGE = {"img-src": {"data:"}}  # the launch page's icon: no request, nothing that runs
REQUIRED = {"default-src": "'self'", "script-src": "'self'", "object-src": "'none'", "base-uri": "'none'"}
HASH_SOURCE = re.compile(r"'sha256-[A-Za-z0-9+/]+={0,2}'")
#: Directives that may name elements written in the page by their hash (CSP level 2), and those
#: elements, each an opening tag and the first closing tag after it (the text between them is the
#: element's): exactly the page's ``<style>`` elements, exactly its ``<script>`` elements that run
#: (not a data block such as ``type="application/json"``, which CSP does not apply to).
HASHED = {
    "style-src": (re.compile(r"<style\b[^>]*>", re.IGNORECASE), re.compile(r"</style\s*>", re.IGNORECASE)),
    "script-src": (
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"?application/json)[^>]*>", re.IGNORECASE),
        re.compile(r"</script\s*>", re.IGNORECASE),
    ),
}
Element = tuple[re.Pattern[str], re.Pattern[str]]


def parse_csp(policy: str) -> dict[str, list[str]]:
    """``{directive: [source, ...]}`` of a policy string."""
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0].lower(), words[1:])
    return directives


def csp_problem(page: str) -> str | None:
    """Why an HTML page's policy does not keep it to the package's own files, or None."""
    found = CSP_META.search(page)
    if not found:
        return "no Content-Security-Policy <meta>"
    first = FIRST_LOAD.search(page)
    if first and first.start() < found.start():
        return f"the Content-Security-Policy <meta> comes after a <{first.group(1).lower()}>"
    policy = parse_csp(html.unescape(found.group(1)))
    for name, value in REQUIRED.items():
        unhashed = [source for source in policy.get(name, []) if not (name in HASHED and HASH_SOURCE.fullmatch(source))]
        if unhashed != [value]:
            return f"Content-Security-Policy must have {name} {value}"
    for name, sources in policy.items():
        extra = set(sources) - OWN_FILES - LAUNCH_TIME_ORIGINS.get(name, set()) - IN_THE_PAGE.get(name, set())
        if name in HASHED:
            extra = {source for source in extra if not HASH_SOURCE.fullmatch(source)}
        if extra:
            return f"Content-Security-Policy {name} allows {' '.join(sorted(extra))}"
    for name, elements in HASHED.items():
        problem = _hash_problem(page, policy, name, elements)
        if problem:
            return problem
    return None


def _hash_problem(page: str, policy: dict[str, list[str]], name: str, elements: Element) -> str | None:
    """Why the hashes of directive ``name`` are not exactly those of the page's inline ``elements``."""
    tag = "style" if name == "style-src" else "script"
    allowed = {source for source in policy.get(name, []) if HASH_SOURCE.fullmatch(source)}
    written = {_hash_source(text) for text in element_texts(page, elements)}
    if allowed - written:
        return f"Content-Security-Policy {name} allows {' '.join(sorted(allowed - written))}, no <{tag}> of the page"
    if written - allowed:
        return f"a <{tag}> of the page that its Content-Security-Policy does not allow by its hash"
    return None


def element_texts(page: str, elements: Element) -> list[str]:
    """The text of each of the page's ``elements`` (``HASHED``), in order: what
    ``re.findall("<opening>(.*?)<closing>", page, re.DOTALL)`` gives, without trying the closing
    tag after every character of a long inline script (a launch page's core: 1 ms a page)."""
    opening, closing = elements
    texts: list[str] = []
    position = 0
    while (opened := opening.search(page, position)) is not None:
        closed = closing.search(page, opened.end())
        if closed is None:
            break  # no closing tag after this one, nor after any later one
        texts.append(page[opened.end() : closed.start()])
        position = closed.end()
    return texts


def _hash_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@dataclass
class Audited:
    """What the audit found in each distinct content, so that a file many packages share is read
    once per build (:func:`audit_memo`); every file of every package is still audited."""

    csp: dict[bytes, str | None] = field(default_factory=dict)  # HTML page → csp_problem()
    credentials: dict[bytes, tuple[int, ...]] = field(default_factory=dict)  # text → credential lines


def audit_memo(site: Any) -> Audited:
    """The audit memo of one build, kept with its site (shared with the targets' credential check)."""
    return site.once("audit", lambda: Audited(credentials=credential_memo(site)))


def audit_package(files: Mapping[str, bytes], label: str, memo: Audited | None = None) -> None:
    """Refuse a package whose pages could load others' files or that carries credentials."""
    memo = memo or Audited()
    problems = []
    for name in sorted(files):
        if _is_html(name):
            problem = _csp_problem(files[name], memo)
            if problem:
                problems.append(f"{name}: {problem}")
    problems += [f"{where}: looks like a credential (Authorization value, auth=, user:password@ URL or auth-token)"
                 for where in find_credentials(files, memo.credentials)]  # fmt: skip
    if problems:
        shown = "; ".join(problems[:5]) + (f" and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise BuildError(f"{label}: refusing to write an unsafe package: {shown}")


@lru_cache(maxsize=65536)
def _is_html(name: str) -> bool:
    return name.lower().endswith((".html", ".htm"))


def _csp_problem(data: bytes, memo: Audited) -> str | None:
    """:func:`csp_problem` of an HTML file, read once per distinct content."""
    if data not in memo.csp:
        memo.csp[data] = csp_problem(data.decode("utf-8", errors="replace"))
    return memo.csp[data]
