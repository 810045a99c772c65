"""A build-time worst case of the save Moodle sends when the learner closes a SCORM package.

Moodle's SCORM player (``mod/scorm/datamodels``) saves the learner's data model with a POST per
``Commit``/``LMSCommit`` and per ``Terminate``/``LMSFinish``. While the page unloads it cannot
wait for an answer, so it sends that POST with ``navigator.sendBeacon(FormData)``: a
``multipart/form-data`` body with one part per data-model element, named with ``.`` replaced by
``__`` (``cmi__interactions__0__id``), plus its own request parameters (``id``, ``a``,
``scoid``, ``attempt``, ``sesskey``) and, in the final save, ``total_time``. Chromium refuses a
beacon when the bodies of the keepalive requests the page has in flight would pass 64 KiB, and
then that save is lost.

- SCORM 2004: every save carries every writable element the learner's data model holds, so the
  final save carries every interaction record (one per recorded question).
- SCORM 1.2: Moodle sends the elements whose value changed since the session's previous save,
  so the final save carries the status elements and at most one new interaction record. The
  first save of a session carries every stored record (one per question and session in which it
  was answered: 1.2 records are appended). The runtime makes it at launch (synchronous, no quota)
  in normal mode; a review or browse session that saved nothing before makes it as the window
  closes, and then only that session's time is at stake.

Which questions are recorded is ``course.yaml`` ``tracking.interactions`` (docs/authoring.md).
Every size is an upper bound of what the runtime (``runtime/jmdi-scorm*.js``) writes: the
longest value each element can take for this course. The estimate is for one SCO per package
(the default); with ``--sco module`` or ``--sco topic`` each SCO holds a part of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from jmdi_scorm.render.questions import FILL_IN_INPUT_LENGTH, LETTERS, letters_length, record_pattern
from jmdi_scorm.render.site import COURSE, Scope, assessment_page_id, scope_pages
from jmdi_scorm.render.state_codec import worst_case_length
from jmdi_scorm.source import model
from jmdi_scorm.source.question_kinds import kind_of
from jmdi_scorm.source.spec_limits import FILL_IN_PATTERNS, INTERACTION_TEXT
from jmdi_scorm.targets.scorm_common import LAUNCH, plan, scope_modules

#: What Chromium lets a page have in flight in keepalive requests (beacons), in bytes.
BEACON_QUOTA = 64 * 1024
#: Chromium's multipart boundary: ``----WebKitFormBoundary`` and 16 random characters.
BOUNDARY_LENGTH = len("----WebKitFormBoundary") + 16
_HEAD = len('\r\nContent-Disposition: form-data; name=""\r\n\r\n')
#: Bytes of one form part besides its name and value: ``--<boundary>``, the header, CRLF after the value.
PART_OVERHEAD = 2 + BOUNDARY_LENGTH + _HEAD + 2
#: The closing line ``--<boundary>--\r\n``.
CLOSING = 2 + BOUNDARY_LENGTH + 2 + 2
#: Moodle's own request parameters and the bytes their values take (ids, attempt, session key).
MOODLE_PARAMETERS = (("id", 15), ("a", 15), ("scoid", 15), ("attempt", 5), ("sesskey", 10))
#: Records per question a SCORM 1.2 learner can leave with unlimited tries (``attempts: 0``).
UNLIMITED_TRIES = 3
#: Bytes per character of a typed fill-in answer: 2 covers accented Latin, Greek, Cyrillic, Arabic.
TYPED_BYTES = 2

# Longest value of each element the runtime writes (docs/architecture.md, jmdi-scorm*.js).
_SCALED, _RAW, _MIN, _MAX = "0.8571", "85.71", "0", "100"
_DURATION_2004 = "PT999H59M59.99S"  # cmi.session_time
_TOTAL_2004 = "P999DT23H59M59.99S"  # cmi.total_time as Moodle adds it up (days past 24 hours)
_TIMESTAMP_2004 = "2026-12-07T10:11:12.34Z"
_TIMESPAN_12 = "9999:59:59.99"  # cmi.core.session_time and total_time
_TIME_12 = "10:11:12"

Field = tuple[str, int]  # data-model element, bytes of its value


def part_bytes(name: str, value_bytes: int) -> int:
    """Bytes of one form part named ``name`` (already with ``__``) holding ``value_bytes`` bytes."""
    return PART_OVERHEAD + len(name.encode()) + value_bytes


def form_bytes(parts: Iterable[tuple[str, int]]) -> int:
    """Bytes of a ``multipart/form-data`` body of ``parts`` (form name, bytes of the value)."""
    return sum(part_bytes(name, size) for name, size in parts) + CLOSING


def multipart_bytes(fields: Iterable[Field]) -> int:
    """Bytes of the form body Moodle makes of data-model ``fields`` and its request parameters."""
    return form_bytes([*MOODLE_PARAMETERS, *((element.replace(".", "__"), size) for element, size in fields)])


def _utf8(text: str) -> int:
    return len(text.encode())


def _one_line(text: str, limit: int, brace: bool = False) -> str:
    """The runtime's ``oneLine``: whitespace collapsed, trimmed, (2004) no leading ``{``, cut."""
    line = " ".join(text.split())
    return (line.lstrip("{") if brace else line)[:limit]


def _family(edition: str) -> str:
    return "1.2" if edition == "1.2" else "2004"


def recorded_questions(course: model.Course, scope: Scope | None = None) -> list[tuple[str, Any]]:
    """The questions a package records as interactions (``tracking.interactions``), with their ids."""
    policy = course.meta.tracking.interactions
    found: list[tuple[str, Any]] = []
    if policy == "none":
        return found
    for module in scope_modules(course, scope or COURSE):
        if policy == "all":
            found += [(f"{topic.id}.{q.id}", q) for topic in module.topics for q in topic.questions]
        if module.meta.assessment:
            found += [(f"{assessment_page_id(module.id)}.{q.id}", q) for q in module.meta.assessment.questions]
    return found


# --- responses and correct-response patterns, as the adapters format them ------------------------


def _separators(edition: str) -> tuple[str, str]:
    """Between values and inside a matching pair: ``[,]``/``[.]`` in 2004, ``,``/``.`` in 1.2."""
    return (",", ".") if _family(edition) == "1.2" else ("[,]", "[.]")


def _lang(course: model.Course, edition: str) -> str:
    return "" if _family(edition) == "1.2" else "{lang=" + course.meta.language + "}"


def _patterns(course: model.Course, question: Any, edition: str) -> list[int]:
    """Bytes of each ``correct_responses.n.pattern`` the adapter writes for ``question``."""
    comma, dot = _separators(edition)
    values = record_pattern(question)
    encoding = kind_of(question).encoding
    if encoding == "text":
        limit, family = INTERACTION_TEXT[_family(edition)], _family(edition)
        flags = (
            "" if family == "1.2" else f"{{case_matters={str(question.case_sensitive).lower()}}}{{order_matters=true}}"
        )
        lang = _lang(course, edition)
        return [_utf8(flags + lang + _one_line(v, limit, family == "2004")) for v in values[:FILL_IN_PATTERNS]]
    if encoding == "boolean":
        return [len(values[0]) if _family(edition) == "2004" else 1]  # "true"/"false", 1.2 "t"/"f"
    return [len(comma.join(value.replace(".", dot) for value in values))]


def _response(course: model.Course, question: Any, edition: str) -> int:
    """Bytes of the longest learner response (2004 ``learner_response``, 1.2 ``student_response``)."""
    comma, dot = _separators(edition)
    encoding = kind_of(question).encoding
    if encoding == "text":
        typed = min(FILL_IN_INPUT_LENGTH, INTERACTION_TEXT[_family(edition)])
        return _utf8(_lang(course, edition)) + typed * TYPED_BYTES
    if encoding == "boolean":
        return len("false") if _family(edition) == "2004" else 1
    count = letters_length(question)
    if encoding == "pairs":
        pairs = [f"{index}{dot}{LETTERS[index - 1]}" for index in range(1, count + 1)]
        return len(comma.join(pairs))
    return len(comma.join(LETTERS[:count]))  # ids: every identifier (single choice: one)


def _record(course: model.Course, index: int, ident: str, question: Any, edition: str) -> list[Field]:
    """The elements of interaction record ``index`` the adapter writes, at their longest."""
    prefix = f"cmi.interactions.{index}."
    kind = kind_of(question)
    kind_type = kind.scorm12 if _family(edition) == "1.2" else kind.interaction
    fields = [(prefix + "id", len(ident)), (prefix + "type", len(kind_type))]
    fields += [
        (f"{prefix}correct_responses.{k}.pattern", size) for k, size in enumerate(_patterns(course, question, edition))
    ]
    if _family(edition) == "1.2":
        return [
            *fields,
            (prefix + "time", len(_TIME_12)),
            (prefix + "student_response", _response(course, question, edition)),
            (prefix + "result", len("correct")),  # longer than "wrong"
        ]
    return [
        *fields,
        (prefix + "timestamp", len(_TIMESTAMP_2004)),
        (prefix + "learner_response", _response(course, question, edition)),
        (prefix + "result", len("incorrect")),
    ]


# --- the saves ----------------------------------------------------------------------------------


def _location(course: model.Course, scope: Scope) -> int:
    return max(len(page.id) for page in scope_pages(course, scope))


def _scalars_2004(course: model.Course, scope: Scope, state: int | None = None) -> Iterator[Field]:
    yield from [
        ("cmi.location", _location(course, scope)),
        ("cmi.suspend_data", worst_case_length(course, scope) if state is None else state),
        ("cmi.completion_status", len("incomplete")),
        ("cmi.success_status", len("passed")),
        ("cmi.score.scaled", len(_SCALED)),
        ("cmi.score.min", len(_MIN)),
        ("cmi.score.max", len(_MAX)),
        ("cmi.score.raw", len(_RAW)),
        ("cmi.progress_measure", len("0.9999")),
        ("cmi.exit", len("suspend")),
        ("cmi.session_time", len(_DURATION_2004)),
        ("cmi.total_time", len(_TOTAL_2004)),  # added by Moodle to the final save
    ]
    leaf = plan(course, scope, [LAUNCH]).leaves()[0]
    if leaf.assessed:  # the manifest's primary objective
        yield ("cmi.objectives.0.id", len(leaf.ident))


def _scalars_12(course: model.Course, scope: Scope, final: bool = True, state: int | None = None) -> list[Field]:
    fields = [
        ("cmi.core.lesson_location", _location(course, scope)),
        ("cmi.suspend_data", worst_case_length(course, scope) if state is None else state),
        ("cmi.core.lesson_status", len("incomplete")),
        ("cmi.core.exit", len("suspend")),
        ("cmi.core.session_time", len(_TIMESPAN_12)),
        ("cmi.core.score.raw", len(_RAW)),
        ("cmi.core.score.min", len(_MIN)),
        ("cmi.core.score.max", len(_MAX)),
    ]
    return [*fields, ("cmi.core.total_time", len(_TIMESPAN_12))] if final else fields


def _records_12(course: model.Course, scope: Scope) -> int:
    """Most 1.2 records a learner's data model can hold: one per question and session answered."""
    tries = course.meta.tracking.attempts or UNLIMITED_TRIES
    return tries * len(recorded_questions(course, scope))


def unload_payload_bytes(course: model.Course, scope: Scope | None, edition: str, state: int | None = None) -> int:
    """Most bytes of the form body Moodle sends by beacon when the package closes.

    ``edition`` is ``"1.2"``, ``"2004-3"`` or ``"2004-4"``; ``scope`` the part of the course the
    package covers (``None``: the whole course); ``state``: the longest suspend data of the scope
    when known (``state_codec.worst_case_length``).
    """
    scope = scope or COURSE
    recorded = recorded_questions(course, scope)
    if _family(edition) == "2004":
        fields = list(_scalars_2004(course, scope, state))
        for index, (ident, question) in enumerate(recorded):
            fields += _record(course, index, ident, question, edition)
        return multipart_bytes(fields)
    # 1.2: the changed elements only, with the largest record the last answer can have added.
    last = max(_records_12(course, scope) - 1, 0)
    records = [_record(course, last, ident, question, edition) for ident, question in recorded]
    return multipart_bytes(_scalars_12(course, scope, state=state) + max(records, key=multipart_bytes, default=[]))


def first_save_bytes(course: model.Course, scope: Scope | None = None, state: int | None = None) -> int:
    """SCORM 1.2: most bytes of a session's first save, the whole data model (at launch; or as the
    window closes for a review or browse session that saved nothing before: ``total_time`` counted)."""
    scope = scope or COURSE
    recorded = recorded_questions(course, scope)
    copies = course.meta.tracking.attempts or UNLIMITED_TRIES
    fields = _scalars_12(course, scope, state=state)
    for copy in range(copies):
        for offset, (ident, question) in enumerate(recorded):
            fields += _record(course, copy * len(recorded) + offset, ident, question, "1.2")
    return multipart_bytes(fields)


def kib(size: int) -> str:
    return f"{size / 1024:.1f} KiB"


@dataclass(frozen=True)
class Saves:
    """The largest saves of one package, worked out once for its notes and its import sheet."""

    unload: int  # unload_payload_bytes
    first: int | None  # first_save_bytes (SCORM 1.2; None for 2004)


def saves(course: model.Course, scope: Scope | None, edition: str, state: int | None = None) -> Saves:
    """The largest saves of the package of ``scope`` (``state``: see ``unload_payload_bytes``)."""
    first = first_save_bytes(course, scope, state) if _family(edition) != "2004" else None
    return Saves(unload_payload_bytes(course, scope, edition, state), first)


def notes(course: model.Course, scope: Scope | None, edition: str, sizes: Saves | None = None) -> tuple[str, list[str]]:
    """What the build says of one SCORM package's saves: the estimate (a detail of the package),
    and a warning when it is over the quota (a note)."""
    scope = scope or COURSE
    sizes = sizes or saves(course, scope, edition)
    policy = course.meta.tracking.interactions
    records = len(recorded_questions(course, scope))
    unload = sizes.unload
    quota = "64 KiB"  # BEACON_QUOTA
    if _family(edition) == "2004":
        detail = f"{records} interaction record(s), tracking.interactions: {policy}"
    else:
        first = sizes.first if sizes.first is not None else first_save_bytes(course, scope)
        over = ", over the quota: lost if sent as the window closes" if first > BEACON_QUOTA else ""
        detail = (
            f"changed values only; a session's first save carries the whole data model with up to "
            f"{_records_12(course, scope)} record(s): at most {kib(first)}{over}; the course makes it at launch, "
            "or, in a review or browse session, as the window closes (only the session time at stake)"
        )
    estimate = f"Moodle unload save: at most {kib(unload)} of the {quota} beacon quota ({detail})"
    if unload <= BEACON_QUOTA:
        return estimate, []
    advice = {
        "all": 'set tracking.interactions to "assessments" (or "none") in course.yaml',
        "assessments": 'set tracking.interactions to "none" in course.yaml',
        "none": "build with --split module",
    }[policy]
    if policy != "none" and scope.module is None:
        advice += ", or build with --split module"
    warning = (
        f"warning: Moodle's save when the learner closes the window can reach {kib(unload)}, over the "
        f"{quota} Chromium lets a closing page send: that save (the last answers, the bookmark and the "
        f"exit status) would be lost; {advice}"
    )
    return estimate, [warning]
