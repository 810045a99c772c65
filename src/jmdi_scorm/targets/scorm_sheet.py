"""The LMS import sheet: a short Markdown page written next to each SCORM zip that says which
Moodle activity settings match the package's completion and grading rules (docs/moodle.md)."""

from __future__ import annotations

from jmdi_scorm.package.upload import UPLOAD_LIMIT_TEXT, mib, over_upload_limit, size_text, smaller_builds
from jmdi_scorm.render.site import Scope
from jmdi_scorm.source import model
from jmdi_scorm.source.spec_limits import SUSPEND_DATA
from jmdi_scorm.targets.moodle_payload import BEACON_QUOTA, Saves, first_save_bytes, kib, recorded_questions, saves
from jmdi_scorm.targets.scorm_common import ScoMode, decimal, scope_modules


def _has_questions(modules: list[model.Module]) -> bool:
    return any(module.meta.assessment or any(topic.questions for topic in module.topics) for module in modules)


def _pct(share: float) -> str:
    return f"{decimal(share * 100, 1)} %"


def _interactions(course: model.Course, scope: Scope, edition: str, sizes: Saves) -> list[tuple[str, str]]:
    """Which answers become ``cmi.interactions`` records, and the size of Moodle's closing save."""
    policy = course.meta.tracking.interactions
    count = len(recorded_questions(course, scope))
    which = {
        "assessments": f"the {count} questions of the module assessments",
        "all": f"every question ({count})",
        "none": "none",
    }[policy]
    per = "one record per question and session it is answered in" if edition == "1.2" else "one record per question"
    text = f"`cmi.interactions`: {which}" + (f", {per}" if count else "")
    text += f" (`tracking.interactions: {policy}`); every answer is kept in the suspend data"
    unload = sizes.unload
    over = " — **over the quota**: Moodle loses that save" if unload > BEACON_QUOTA else ""
    save = f"at most {kib(unload)} of the 64 KiB a closing page may send (estimated at build time){over}"
    if edition == "1.2":
        save += (
            f"; a session's first save holds the whole data model, at most {kib(first_save_bytes(course, scope) if sizes.first is None else sizes.first)}: "
            "the course makes it at launch (no limit), a review session as the window closes"
        )
    return [("Interactions", text), ("Moodle save on closing", save)]


def _rules(course: model.Course, scored: bool, edition: str, scope: Scope, sizes: Saves) -> list[tuple[str, str]]:
    tracking = course.meta.tracking
    rows = [
        ("Completion", f"completed once the learner has finished {_pct(tracking.completion_threshold)} of the topics")
    ]
    if scored:
        raw = "`cmi.core.score.raw`" if edition == "1.2" else "`cmi.score.raw` (and `cmi.score.scaled` 0-1)"
        rows += [
            ("Success", f"passed with at least {_pct(tracking.mastery_score)} of the question points; "
             "failed when that can no longer be reached"),
            ("Score", f"{raw}: percentage of question points, min 0, max 100, sent once pass/fail is known"),
        ]  # fmt: skip
    if edition == "1.2":
        final = "`passed` or `failed`" if scored else "`completed`"
        rows.append(("Status", f"`cmi.core.lesson_status`: `incomplete`, then {final} once the course is completed"))
    else:
        rows.append(
            (
                "Status",
                "`cmi.completion_status` (`incomplete`, `completed`)"
                + (" and `cmi.success_status` (`passed`, `failed`)" if scored else ""),
            )
        )
    rows += [
        ("Resume", "exit `suspend` while incomplete: the learner comes back to the same page with the answers given"),
        ("Tries per question", f"{tracking.attempts or 'unlimited'} (inside the course, not LMS attempts)"),
        ("Suspend data", f"within {SUSPEND_DATA[edition]} characters (checked at build time)"),
        *_interactions(course, scope, edition, sizes),
    ]
    return rows


def _moodle(scored: bool, multi: bool, edition: str, mastery: float) -> list[tuple[str, str, str, str]]:
    grade = (
        ("Highest grade", "the score is a percentage")
        if scored
        else ("Learning objects", "no score: count completed SCOs")
    )
    rows = [
        ("Appearance", "Display package", "New window", "the course fills the window; Current window also works"),
        ("Appearance", "Student skip content structure page", "Always" if not multi else "Never", ""),
        ("Appearance", "Display course structure in player", "Hidden" if not multi else "To the side",
         "the course has its own table of contents" if not multi else "learners move between SCOs there"),
        ("Appearance", "Show Navigation", "No" if not multi else "Under content",
         "the course has its own Previous/Next" if not multi else "Moodle honours only continue/previous (docs/standards.md §9.1)"),
        ("Grade", "Grading method", *grade),
        ("Grade", "Maximum grade", "100", ""),
        ("Attempts management", "Number of attempts", "Unlimited", ""),
        ("Attempts management", "Attempts grading", "Highest attempt", ""),
        ("Attempts management", "Force new attempt", "No", "a finished course reopens for review"),
        ("Compatibility settings", "Force completed", "No", "the course reports its own status"),
        ("Compatibility settings", "Auto-continue", "Yes" if multi else "No", ""),
        ("Compatibility settings", "Auto-commit", "No", "the course commits on every status change"),
    ]  # fmt: skip
    if edition == "1.2":
        rows.append(
            (
                "Compatibility settings",
                "Mastery score overrides status",
                "Yes" if scored else "No",
                "the manifest's mastery score agrees with the status the course sends" if scored else "",
            )
        )
    status = "Passed" if scored else "Completed"
    rows.append(("Activity completion", "Require status", status, "the course sends it only when the rules are met"))
    if scored:
        rows.append(("Gradebook setup", "Grade to pass", decimal(mastery * 100, 2), "same mastery score as the course"))
    if multi:
        rows.append(("Activity completion", "Require all scos to return completion status", "Yes", ""))
    return rows


def _upload(zip_bytes: int, split: bool, pdfs: bool) -> list[str]:
    """What uploading the zip into Moodle needs (``package/upload.py``)."""
    text = (
        "Upload: Moodle takes a file up to the smallest of PHP's `upload_max_filesize` and `post_max_size` "
        f"(PHP's defaults: {UPLOAD_LIMIT_TEXT} and 8 MiB), the site's *Maximum uploaded file size* (Site administration → "
        "Security → Site security settings) and the course's *Maximum upload size* (Course settings → "
        "Files and uploads). "
    )
    if not over_upload_limit(zip_bytes):
        return [text + f"This zip, {mib(zip_bytes)}, is within PHP's defaults.", ""]
    smaller = smaller_builds(split, pdfs, quote="`")
    text += (
        f"**This zip, {mib(zip_bytes)}, is over PHP's default {UPLOAD_LIMIT_TEXT}**: raise `upload_max_filesize` "
        "and `post_max_size` above it (php.ini), then check the two Moodle settings"
        + (f"; or build smaller packages: {smaller}" if smaller else "")
        + "."
    )
    return [text, ""]


def import_sheet(
    course: model.Course,
    scope: Scope,
    label: str,
    edition: str,
    zip_name: str,
    zip_bytes: int,
    sco_mode: ScoMode,
    scos: int,
    sizes: Saves | None = None,
    pdfs: bool = True,
) -> str:
    """The sheet of one package, a zip of ``zip_bytes`` bytes; ``scos`` is its number of SCOs,
    ``sizes`` its largest saves (``moodle_payload.saves``, worked out here when not given),
    ``pdfs`` whether it holds the module PDFs."""
    sizes = sizes or saves(course, scope, edition)
    modules = scope_modules(course, scope)
    scored = _has_questions(modules)
    multi = scos > 1
    covers = "the whole course" if scope.module is None else f"module “{modules[0].title}” (`{modules[0].id}`)"
    units = "one SCO that uses the course's own navigation" if not multi else f"{scos} SCOs, one per {sco_mode}"
    lines = [
        f"# LMS import sheet: {course.meta.title}",
        "",
        f"Package `{zip_name}`, {size_text(zip_bytes)}: {label}, {covers}, {units}. Course `{course.id}`, version {course.meta.version}"
        + (
            f", in `{course.translation}`: its own course in the LMS (manifest `{course.package_id}`)."
            if course.translation
            else "."
        ),
        "",
        "## What the package reports",
        "",
        "| | |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in _rules(course, scored, edition, scope, sizes)),
        "",
        "## Moodle (mod_scorm)",
        "",
        *_upload(zip_bytes, scope.module is not None, pdfs),
        "Add an activity or resource → SCORM package, upload the zip, then set:",
        "",
        "| Section | Setting | Value | Why |",
        "|---|---|---|---|",
        *(
            f"| {a} | {b} | {c} | {d} |"
            for a, b, c, d in _moodle(scored, multi, edition, course.meta.tracking.mastery_score)
        ),
        "",
    ]
    if edition != "1.2":
        lines += [
            "Moodle runs the SCORM 2004 data model but not its sequencing: only `continue` and `previous` "
            "navigation requests act, and the grade comes from `cmi.score.raw`. Prefer the SCORM 1.2 package "
            "for Moodle when both are offered.",
            "",
        ]
    lines.append("Other LMSs: import the zip as a SCORM package; see docs/moodle.md for what each setting does.")
    return "\n".join(lines) + "\n"
