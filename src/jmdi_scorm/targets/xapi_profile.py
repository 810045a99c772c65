"""The course's activities and the statements the runtime sends, as an xAPI Profile (JSON-LD).

Reporting tools read it to know what a ``jmdi-scorm`` course emits: one ``Activity`` concept per
course object (course, modules, topics, assessments, questions) and one ``StatementTemplate`` per
statement kind, naming its ADL verb (docs/standards.md §6.3) and the rules the adapters follow.

    python -m jmdi_scorm.targets.xapi_profile COURSE_DIR schemas/xapi-profile.jsonld
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jmdi_scorm.package.archive import zip_timestamp
from jmdi_scorm.source import model
from jmdi_scorm.targets.xapi_activities import ADL_VERBS, TYPE_INTERACTION, TYPE_LESSON, nodes
from jmdi_scorm.targets.xapi_common import EXT_PROGRESS

PROFILE_CONTEXT = "https://w3id.org/xapi/profiles/context"
ACTIVITY_CONTEXT = "https://w3id.org/xapi/profiles/activity-context"
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"

#: The rules of a statement that says whether the learner passed: its success and its score.
SCORED = [
    {"location": "$.result.success", "presence": "included"},
    {"location": "$.result.score", "presence": "included"},
]
# name → (what it records, object type, extra rules): the adapters' statements (jmdi-xapi.js, jmdi-cmi5.js).
TEMPLATES: dict[str, tuple[str, str | None, list[dict[str, Any]]]] = {
    "initialized": ("A launch started (first statement of every cmi5 session).", None, []),
    "resumed": ("A TinCan launch resumed saved progress.", None, []),
    "experienced": ("The learner opened a module, topic or assessment page.", TYPE_LESSON, []),
    "progressed": (
        "The share of topics done went up (integer percent).",
        None,
        [{"location": f"$.result.extensions['{EXT_PROGRESS}']", "presence": "included"}],
    ),
    "answered": (
        "One try at a question: response in SCORM 2004 syntax, success, latency as duration.",
        TYPE_INTERACTION,
        [
            {"location": "$.result.response", "presence": "included"},
            {"location": "$.result.success", "presence": "included"},
        ],
    ),
    "completed": (
        "The course's completion threshold was reached (once per registration).",
        None,
        [
            {"location": "$.result.completion", "presence": "included"},
            {"location": "$.result.duration", "presence": "included"},
        ],
    ),
    "passed": (
        "The mastery score was reached (once per registration); scaled, raw, min and max score.",
        None,
        SCORED,
    ),
    "failed": (
        "The mastery score can no longer be reached; never after passed.",
        None,
        SCORED,
    ),
    "suspended": ("A TinCan learner left before completing; progress is kept in the State API.", None, []),
    "terminated": ("The session ended (last statement of every session), with its duration.", None, []),
}


def _version_id(course: model.Course) -> str:
    return course.iri("profile", f"v{course.meta.version}")


def _generated_at() -> str:
    """Reproducible like the zips: SOURCE_DATE_EPOCH, or 1980-01-01 (package.zip_timestamp)."""
    return datetime(*zip_timestamp(), tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _concept(course: model.Course, node: Any) -> dict[str, Any]:
    definition = node.activity["definition"]
    if definition["type"] == TYPE_INTERACTION:  # prompts change often; the profile names the kind only
        definition = {"type": TYPE_INTERACTION, "interactionType": definition["interactionType"]}
    else:
        definition = {"name": definition["name"], "type": definition["type"]}
    return {
        "id": node.activity["id"],
        "type": "Activity",
        "inScheme": _version_id(course),
        "activityDefinition": {"@context": ACTIVITY_CONTEXT, **definition},
    }


def _template(course: model.Course, name: str) -> dict[str, Any]:
    text, object_type, rules = TEMPLATES[name]
    lang = course.meta.language
    template: dict[str, Any] = {
        "id": course.iri("profile", f"templates/{name}"),
        "type": "StatementTemplate",
        "inScheme": _version_id(course),
        "prefLabel": {"en": name},
        "definition": {"en": text},
        "verb": ADL_VERBS + name,
    }
    if object_type:
        template["objectActivityType"] = object_type
    template["rules"] = [
        {"location": "$.timestamp", "presence": "included"},
        {"location": "$.context.language", "presence": "included", "any": [lang]},
        *rules,
    ]
    return template


def profile_document(course: model.Course) -> dict[str, Any]:
    """The xAPI Profile of ``course`` (xAPI Profiles 1.0)."""
    author = course.meta.credits[0].name if course.meta.credits else "jmdi-scorm"
    return {
        "@context": PROFILE_CONTEXT,
        "id": course.iri("profile", ""),
        "type": "Profile",
        "conformsTo": "https://w3id.org/xapi/profiles#1.0",
        "prefLabel": {course.meta.language: course.meta.title},
        "definition": {"en": f"Activities and statements of the course {course.id}, generated by jmdi-scorm."},
        "author": {"type": "Organization", "name": author},
        "versions": [{"id": _version_id(course), "generatedAtTime": _generated_at()}],
        "concepts": [_concept(course, node) for node in nodes(course)],
        "templates": [_template(course, name) for name in TEMPLATES],
    }


def profile_json(course: model.Course) -> str:
    return json.dumps(profile_document(course), ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str]) -> int:
    from jmdi_scorm.source.validate import load_course

    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    course, _ = load_course(Path(argv[0]))
    Path(argv[1]).write_text(profile_json(course), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
