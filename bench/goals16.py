"""The goals of issue 16 (performance, second round) and the preview table, for ``RESULTS.md``.

Each goal reads one measurement of the same ``run.py`` run: the PDF builds of the JMDI course
(cold, warm, one topic changed; in the source language, and in every language as the README's
command builds it), the first pages of every format (weight from the zips, time over the slow
link in Chromium), the preview's edit → visible latency and the 1,000-topic build.
"""

from __future__ import annotations

from typing import Any

#: Issue 16's targets, seconds unless named otherwise.
GOALS = {
    "pdf_warm": 1.5,
    "pdf_one_topic": 4.0,
    "pdf_cold": 8.0,
    "first_page_kb": 60,
    "first_page_requests": 5,
    "slow_link": 1.5,
    "preview": 0.3,
    "scale_wall": 10.0,
}
PDF_ROWS = {
    "pdf_cold": ("all formats + module PDFs", "default build with PDFs, cold (empty PDF cache)"),
    "pdf_warm": ("… PDFs, warm (nothing changed)", "default build with PDFs, warm (nothing changed)"),
    "pdf_one_topic": ("… PDFs, one topic changed", "default build with PDFs, one topic changed"),
}
#: The same goals for the README's command, which builds every language of the course (four for
#: the JMDI course since its translations: 24 module PDFs where the rows above have 6).
EVERY_LANGUAGE_ROWS = {
    "pdf_cold": ("README build (every language) + PDFs, cold", "README build (4 languages), cold"),
    "pdf_warm": ("README build (every language) + PDFs, warm", "README build (4 languages), warm"),
    "pdf_one_topic": (
        "README build (every language) + PDFs, one topic changed",
        "README build (4 languages), one topic changed",
    ),
}


def _verdict(value: float, goal: float) -> str:
    if value <= goal:
        under = (1 - value / goal) * 100
        return f"met ({under:.0f}% under)" if under >= 1 else "met"
    over = (value / goal - 1) * 100
    return f"**missed by {over:.0f}%**" if over >= 1 else "**missed by less than 1%**"


def _row(goal: str, target: str, measured: str, value: float, limit: float) -> str:
    return f"| {goal} | {target} | {measured} | {_verdict(value, limit)} |"


def goals(results: dict[str, Any]) -> str:
    """The table of issue 16's goals; a goal whose measurement this run lacks is left out."""
    rows = ["## Goals (issue 16)", "", "| goal | target | measured | verdict |", "|---|---|---|---|"]
    jmdi = {row.get("label"): row for row in results.get("jmdi", []) if "error" not in row}
    for key, (label, goal) in [*PDF_ROWS.items(), *EVERY_LANGUAGE_ROWS.items()]:
        row = jmdi.get(label)
        if row:
            wall, cpu = row["wall"]["median"], row["cpu"]["median"]
            rows.append(_row(goal, f"≤ {GOALS[key]:g} s", f"{wall:.2f} s wall, {cpu:.2f} s CPU", wall, GOALS[key]))
    rows += _first_pages(results)
    rows += _preview_goal(results.get("preview"))
    big = next((r for r in results.get("scale", []) if r.get("topics") == 1000 and "error" not in r), None)
    if big:
        wall, cpu = big["wall"]["median"], big["cpu"]["median"]
        rows.append(
            _row(
                "1,000 topics, all formats", "≤ 10 s", f"{wall:.2f} s wall, {cpu:.2f} s CPU", wall, GOALS["scale_wall"]
            )
        )
    return "\n".join(rows) if len(rows) > 4 else ""


def _first_pages(results: dict[str, Any]) -> list[str]:
    rows = []
    weighed = [row for row in results.get("packages", []) if row.get("first_page")]
    if weighed:
        worst = max(weighed, key=lambda row: row["first_page"])
        kb = worst["first_page"] / 1000
        rows.append(
            _row("every format's first page, HTML + JS + CSS", "≤ 60 KB", f"{kb:.1f} KB ({worst['format']}, the heaviest)",
                 kb, GOALS["first_page_kb"])
        )  # fmt: skip
    slow = (results.get("browser") or {}).get("slow_first_page") or {}
    if slow:
        name, worst = max(slow.items(), key=lambda item: item[1]["seconds"])
        rows.append(
            _row("every format's first page over the slow link", "≤ 1.5 s", f"{worst['seconds']:.2f} s ({name}, the slowest)",
                 worst["seconds"], GOALS["slow_link"])
        )  # fmt: skip
    return rows


def _preview_goal(preview: list[dict[str, Any]] | None) -> list[str]:
    timed = [row for row in preview or [] if row.get("median_s") is not None]
    if not timed:
        return []
    worst = max(timed, key=lambda row: row["median_s"])
    return [
        _row("preview: a topic edit → visible (SCORM and xAPI)", "≤ 0.3 s",
             f"{worst['median_s']:.3f} s ({worst['format']}, the slower)", worst["median_s"], GOALS["preview"])
    ]  # fmt: skip


def preview_table(preview: list[dict[str, Any]] | None) -> str:
    """Edit → visible in the preview, per format (``bench/preview_latency.py``)."""
    if not preview:
        return ""
    rows = [
        "## Preview: a topic edit → visible (headless Chromium)",
        "",
        "`jmdi-scorm preview` of a copy of the JMDI course: a sentence is appended to a topic's Markdown"
        " file and the time until the course frame shows it is measured (median of the runs). *Place kept*:"
        " the course frame's document survived every edit (the page's content was replaced in place).",
        "",
        "| format | median | runs | place kept | failures |",
        "|---|---|---|---|---|",
    ]
    for row in preview:
        median = f"{row['median_s']:.3f} s" if row.get("median_s") is not None else "–"
        runs = ", ".join(f"{t:.3f}" for t in row.get("times_s", []))
        rows.append(f"| {row['format']} | {median} | {runs} | {'yes' if row.get('place_kept') else 'no'} | {row.get('failures', 0)} |")  # fmt: skip
    return "\n".join(rows)
