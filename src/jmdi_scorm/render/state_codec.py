"""The learner state as a compact ASCII string (``cmi.suspend_data``, xAPI state, localStorage).

The JS core (``runtime/jmdi-core.js``, ``encodeState``/``decodeState``) implements the same
encoding; ``tests/render/test_state_codec.py`` runs both on the same states. The state object is::

    {"location": "m1-02",                       # page id of the bookmark ("" for none)
     "pages": {"m1-01": 2, "m1-02": 1},         # tracked pages: 1 visited, 2 done
     "answers": {"m1-01.q1": {"response": "a", "tries": 1, "correct": True}}}

and its text form (grammar)::

    state  = "1" "~" location "~" [entry *("," entry)]        ; entries sorted by page id
    entry  = page-id "*" status *("!" question-id "." tries mark answer)   ; sorted by question id
    status = "0" / "1" / "2"       tries = 1*2DIGIT (capped at 99)     mark = "y" / "n"
    answer = escaped answer string: [A-Za-z0-9_-] kept, space as "+", any other code point
             as "%" and four base-36 digits (0000-zzzz)

Answers other than fill-in are letters (see questions.py), so they are never escaped. The
runtime keeps the longest prefix of a fill-in answer whose escaped form fits
:func:`fill_in_budget`, which bounds the state size: :func:`worst_case_length`.

Ids are never abbreviated, so a state survives reordering, retitling or adding topics.
ASCII only, so characters equal bytes in every LMS database (docs/standards.md §3.3).
"""

from __future__ import annotations

import re
from typing import Any

from jmdi_scorm.render.questions import letters_length
from jmdi_scorm.render.site import COURSE, Scope, scope_pages
from jmdi_scorm.source import model
from jmdi_scorm.source.question_kinds import kind_of

VERSION = "1"
MAX_TRIES = 99
FILL_IN_MIN_BUDGET = 40  # escaped characters kept of a fill-in answer, at least
_KEEP = re.compile(r"[A-Za-z0-9_-]")
_UNESCAPE = re.compile(r"\+|%([0-9a-z]{4})")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_STATE = re.compile(r"^1~([^~]*)~(.*)$", re.DOTALL)
_HEAD = re.compile(r"^([a-z0-9.-]+)\*([0-2])$")
_ANSWER = re.compile(r"^([a-z0-9-]+)\.(\d{1,2})([yn])([A-Za-z0-9_+%-]*)$")


def _base36(number: int) -> str:
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = _DIGITS[digit] + out
        if not number:
            return out.rjust(4, "0")


def escape(text: str) -> str:
    out = []
    for char in text:
        if _KEEP.fullmatch(char):
            out.append(char)
        elif char == " ":
            out.append("+")
        else:
            out.append("%" + _base36(ord(char)))
    return "".join(out)


def unescape(text: str) -> str:
    return _UNESCAPE.sub(lambda m: " " if m.group(0) == "+" else chr(int(m.group(1), 36)), text)


def fill_in_budget(question: model.FillIn) -> int:
    """Most escaped characters kept of a fill-in answer: twice the longest accepted answer."""
    longest = max(len(escape(answer)) for answer in question.answers)
    return max(FILL_IN_MIN_BUDGET, 2 * longest)


def answer_width(question: Any) -> int:
    """Most characters the escaped answer of ``question`` takes in the state text."""
    return letters_length(question) if kind_of(question).letters else fill_in_budget(question)


def encode(state: dict[str, Any]) -> str:
    """The text form of a state object."""
    owners: dict[str, tuple[int, dict[str, dict[str, Any]]]] = {
        page: (int(status), {}) for page, status in (state.get("pages") or {}).items()
    }
    for key, answer in (state.get("answers") or {}).items():
        page, _, question = key.rpartition(".")
        owners.setdefault(page, (0, {}))[1][question] = answer
    entries = []
    for page in sorted(owners):
        status, answers = owners[page]
        parts = [f"{page}*{status}"]
        for question in sorted(answers):
            answer = answers[question]
            tries = min(int(answer.get("tries") or 0), MAX_TRIES)
            mark = "y" if answer.get("correct") else "n"
            parts.append(f"!{question}.{tries}{mark}{escape(str(answer.get('response') or ''))}")
        entries.append("".join(parts))
    return f"{VERSION}~{state.get('location') or ''}~{','.join(entries)}"


def decode(text: str) -> dict[str, Any] | None:
    """The state object of a text form, or None when the text is not one (start afresh)."""
    match = _STATE.match(text) if isinstance(text, str) else None
    if not match:
        return None
    state: dict[str, Any] = {"location": match.group(1), "pages": {}, "answers": {}}
    for entry in match.group(2).split(",") if match.group(2) else []:
        head, *answers = entry.split("!")
        found = _HEAD.match(head)
        if not found:
            return None
        page, status = found.group(1), int(found.group(2))
        if status:
            state["pages"][page] = status
        for answer in answers:
            parsed = _ANSWER.match(answer)
            if not parsed:
                return None
            try:
                response = unescape(parsed.group(4))
            except ValueError:
                return None
            state["answers"][f"{page}.{parsed.group(1)}"] = {
                "response": response,
                "tries": int(parsed.group(2)),
                "correct": parsed.group(3) == "y",
            }
    return state


def worst_case_length(course: model.Course, scope: Scope | None = None) -> int:
    """The longest state text the runtime can write for ``course``, or for the part of it that
    ``scope`` packages (``--split module``: a module package keeps the state of its pages only).

    Every tracked page has an entry, every question its longest answer and most tries, and the
    bookmark is the longest page id.
    """
    pages = scope_pages(course, scope or COURSE)
    owned = _questions_by_page(course, scope)
    tries_width = len(str(min(course.meta.tracking.attempts or MAX_TRIES, MAX_TRIES)))
    entries = []
    for page in pages:
        if not page.tracked:
            continue
        size = len(page.id) + 2  # "<page>*<status>"
        for question in owned.get(page.id, ()):
            size += 1 + len(question.id) + 1 + tries_width + 1 + answer_width(question)
        entries.append(size)
    location = max(len(page.id) for page in pages)
    return len(VERSION) + 1 + location + 1 + sum(entries) + max(len(entries) - 1, 0)


def _questions_by_page(course: model.Course, scope: Scope | None = None) -> dict[str, list[Any]]:
    owned: dict[str, list[Any]] = {}
    for module in course.modules:
        if scope is not None and scope.module not in (None, module.id):
            continue
        for topic in module.topics:
            owned[topic.id] = list(topic.questions)
        if module.meta.assessment:
            owned[f"{module.id}.assessment"] = list(module.meta.assessment.questions)
    return owned


def _questions_of(course: model.Course, page_id: str) -> list[Any]:
    return _questions_by_page(course).get(page_id, [])
