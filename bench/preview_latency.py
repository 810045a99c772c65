"""Preview edit → visible latency (issue 16), measured in headless Chromium.

Runs ``jmdi-scorm preview`` in-process on a copy of a course (default: the JMDI course), opens
the debug page in Debian's Chromium, goes to a topic in the course frame, then, ``--repeat``
times, appends a new sentence to that topic's Markdown file and times how long until the
sentence is in the course frame's page (polled every few milliseconds from here). It also says
whether the frame's document survived the edit (a ``window`` variable set before it), i.e.
whether the learner's place was kept. Medians per format.

    python3 bench/preview_latency.py [COURSE_DIR] [--formats scorm12,xapi] [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from browser import chromium  # noqa: E402

from jmdi_scorm.preview import Preview, PreviewOptions  # noqa: E402

TOPIC = "modules/core/core-02.md"
TIMEOUT = 30.0
PAGE_HAS = "([id, text]) => { const p = document.querySelector('#jmdi-page');"
PAGE_HAS += " return !!p && p.getAttribute('data-page') === id && (!text || p.textContent.includes(text)); }"

# A relaunched course (new document: no mark) that shows another page is sent back to the topic.
BACK = "id => { const p = document.querySelector('#jmdi-page'); if (window.JMDI && !window.__jmdiLatencyMark"
BACK += " && p && p.getAttribute('data-page') && p.getAttribute('data-page') !== id) location.hash = '#/' + id; }"

SHOWN = "() => [location.href, document.querySelector('#jmdi-page')?.getAttribute('data-page')]"


def course_frame(page: Any) -> Any:
    for frame in page.frames:
        if frame is not page.main_frame and "index.html" in frame.url:
            return frame
    return None


def wait_for_text(page: Any, topic_id: str, text: str, deadline: float) -> float:
    """Poll the course frame until its page ``topic_id`` shows ``text``; the time it did. A course
    relaunched elsewhere (a full reload) is sent back to the topic, as the learner would go."""
    while time.perf_counter() < deadline:
        frame = course_frame(page)
        if frame is not None:
            try:
                if frame.evaluate(PAGE_HAS, [topic_id, text]):
                    return time.perf_counter()
                frame.evaluate(BACK, topic_id)
            except Exception:  # the frame navigates: try again
                pass
        page.wait_for_timeout(3)  # (not time.sleep: Playwright sees frames change only while it waits)
    frame = course_frame(page)
    where = frame.evaluate(SHOWN) if frame else [f.url for f in page.frames]
    raise TimeoutError(f"'{text}' not shown in {TIMEOUT} s; the frame shows {where}; {page.inner_text('#build')}")


def go_to(page: Any, topic_id: str) -> None:
    deadline = time.perf_counter() + TIMEOUT
    while time.perf_counter() < deadline:
        frame = course_frame(page)
        try:
            if frame is not None and frame.evaluate("() => !!window.JMDI && !!document.querySelector('#jmdi-page')"):
                frame.evaluate("id => { location.hash = '#/' + id; }", topic_id)
                break
        except Exception:
            pass
        page.wait_for_timeout(50)
    wait_for_text(page, topic_id, "", time.perf_counter() + TIMEOUT)


def measure(browser: Any, course: Path, fmt: str, repeat: int, verbose: bool = False) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="jmdi-latency-"))
    copy = work / "course"
    shutil.copytree(course, copy, ignore=shutil.ignore_patterns(".jmdi-cache"))
    topic = copy / TOPIC
    topic_id = topic.stem
    session = Preview(PreviewOptions(copy, fmt, workdir=work / "preview"))
    session.start()
    context = browser.new_context()
    page = context.new_page()
    times, kept, failures = [], [], 0
    try:
        page.goto(session.url)
        page.wait_for_selector("#build.ok")
        go_to(page, topic_id)
        source = topic.read_text(encoding="utf-8")
        for run in range(repeat):
            frame = course_frame(page)
            frame.evaluate("() => { window.__jmdiLatencyMark = 1; window.scrollTo(0, 200); }")
            marker = f"Latency marker {fmt} {run} {time.time_ns()}."
            page.wait_for_timeout(400)  # the watcher is idle again
            started = time.perf_counter()
            topic.write_text(f"{source}\n{marker}\n", encoding="utf-8")
            try:
                seen = wait_for_text(page, topic_id, marker, started + TIMEOUT)
            except TimeoutError as exc:
                print(f"{fmt} run {run}: {exc}", file=sys.stderr)
                failures += 1
                page.click("#relaunch")
                try:
                    go_to(page, topic_id)
                except TimeoutError:
                    break
                continue
            times.append(seen - started)
            if verbose:
                print(f"{fmt} run {run}: {times[-1]:.3f} s", file=sys.stderr)
            try:
                kept.append(bool(course_frame(page).evaluate("() => window.__jmdiLatencyMark === 1")))
            except Exception:
                kept.append(False)
            if not kept[-1]:
                go_to(page, topic_id)  # a relaunch may resume elsewhere
            page.wait_for_timeout(300)
        status = session.status()
    finally:
        context.close()
        session.stop()
        shutil.rmtree(work, ignore_errors=True)
    return {
        "format": fmt,
        "median_s": round(statistics.median(times), 3) if times else None,
        "failures": failures,
        "times_s": [round(t, 3) for t in times],
        "place_kept": all(kept),
        "last_build_s": status["latest"]["seconds"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("course", nargs="?", type=Path, default=ROOT / "course")
    parser.add_argument("--formats", default="scorm12,xapi")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="print each run's time on stderr")
    args = parser.parse_args()
    results = []
    with chromium() as browser:
        for fmt in args.formats.split(","):
            results.append(measure(browser, args.course, fmt, args.repeat, args.verbose))
            if not args.json:
                r = results[-1]
                print(f"{fmt:10} edit → visible median {r['median_s']} s of {r['times_s']}  place kept: "
                      f"{r['place_kept']}  failures {r['failures']}  last build {r['last_build_s']} s")  # fmt: skip
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
