"""Interface strings of the learner-facing site, from the catalogues of :mod:`jmdi_scorm.locale`.

Templates read them as ``s.<key>``; the JS core receives the :data:`CLIENT_KEYS` subset in its
configuration. ``{n}``-style fields are filled with ``str.format`` (Python) or ``fmt`` (JS).
"""

from __future__ import annotations

from jmdi_scorm.locale import direction, strings

__all__ = ["CLIENT_KEYS", "client_strings", "direction", "strings"]

#: Strings the JS core needs at run time.
CLIENT_KEYS = (
    "state_0",
    "state_1",
    "state_2",
    "completed",
    "incomplete",
    "passed",
    "failed",
    "unknown",
    "no_score",
    "loading",
    "load_error",
    "not_in_package",
    "save_failed",
    "exited",
    "return_to_course",
    "local_unavailable",
    "lms_unavailable",
    "previous",
    "next",
    "page_link",
    "percent",
    "fraction",
    "score_value",
)


def client_strings(language: str) -> dict[str, str]:
    table = strings(language)
    return {key: table[key] for key in CLIENT_KEYS}
