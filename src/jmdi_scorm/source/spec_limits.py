"""The SCORM limits the build and the runtime rely on, stated once (sections of docs/standards.md).

Python code imports them from here; the SCORM adapters receive theirs at build time:
``render/runtime_files.py`` writes :func:`runtime_limits` into the adapter file it joins, in place of
the placeholder ``SPEC_LIMITS`` (docs/architecture.md). A limit is in characters unless it says
otherwise; the keys are the SCORM version (``"1.2"``, ``"2004"``) or, where the editions of 2004
differ, the edition (``"2004-3"``, ``"2004-4"``).
"""

from __future__ import annotations

from typing import Final

#: ``cmi.suspend_data`` per edition (§3.3, §4.2, §5.3).
SUSPEND_DATA: Final = {"1.2": 4096, "2004-3": 4000, "2004-4": 64000}
#: ``cmi.core.lesson_location`` (1.2, CMIString255) and ``cmi.location`` (2004) (§3.3, §5.3).
LOCATION: Final = {"1.2": 255, "2004": 1000}
#: A typed answer inside ``student_response`` / ``learner_response`` and each fill-in
#: ``correct_responses.n.pattern`` (§3.5 CMIString255; §5.5 localized string of 250).
INTERACTION_TEXT: Final = {"1.2": 255, "2004": 250}
#: ``cmi.interactions.n.description`` (2004 localized string, §5.5).
INTERACTION_DESCRIPTION: Final = 250
#: Correct-response patterns of a fill-in interaction an LMS must keep (§5.5; the adapters
#: write at most this many in 1.2 too).
FILL_IN_PATTERNS: Final = 10
#: ``adlcp:datafromlms`` (1.2, §2.3) and ``adlcp:dataFromLMS`` (2004, §4.3) in the manifest.
DATA_FROM_LMS: Final = {"1.2": 255, "2004": 4000}
#: ``adlcp:prerequisites`` of a 1.2 item (§2.3).
PREREQUISITES_12: Final = 200


def runtime_limits(adapter: str) -> dict[str, int]:
    """What the JS adapter ``scorm12`` or ``scorm2004`` guards at run time.

    One adapter serves both 2004 editions, so it guards 4th Edition's suspend data; the build
    refuses a 3rd Edition package whose learner state could outgrow 3rd Edition's 4000
    (``targets/scorm_common.py check_state_size``).
    """
    key = {"scorm12": "1.2", "scorm2004": "2004"}[adapter]
    return {
        "location": LOCATION[key],
        "suspend": SUSPEND_DATA["2004-4" if key == "2004" else key],
        "text": INTERACTION_TEXT[key],
        "patterns": FILL_IN_PATTERNS,
    }
