"""Benchmarks of jmdi-scorm: build speed and scale, package weight, LMS traffic (issue 8), module
PDFs, first pages over a slow link and the preview's edit → visible latency (issue 16).

    python3 bench/run.py [--quick] [--nice] [--no-browser] [--sizes 10,100,1000] [--runs N]

Measures this checkout (``src/`` comes first on the path) and writes ``bench/RESULTS.md``,
``bench/results.json`` and ``bench/build_time.png``. A previous ``results.json`` is kept as the
"before" column of the new tables. ``--quick`` (a smoke run) builds fewer times and stops the
synthetic series at 100 topics.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import builds
import report
import synthetic

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
COURSE = ROOT / "course"
TOPICS_PER_MODULE = 10  # synthetic modules; with --split module every SCORM package fits


def main() -> None:
    args = _arguments()
    runs = args.runs or (2 if args.quick else 5)
    builds.PRIORITY["nice"] = -20 if args.nice else 0
    sizes = (
        [int(size) for size in args.sizes.split(",")] if args.sizes else ([10, 100] if args.quick else [10, 100, 1000])
    )
    previous = _previous(HERE / "results.json")
    results: dict[str, Any] = {"mode": "quick" if args.quick else "full", "machine": machine(), "nice": args.nice}
    formats = _formats()
    _log("warm-up build")
    builds.build_once(COURSE, ",".join(formats))
    with tempfile.TemporaryDirectory(prefix="jmdi-bench-") as tmp:
        work = Path(tmp)
        results["jmdi"] = jmdi_builds(formats, runs)
        results["scale"] = scale(work, formats, sizes, max(1, runs - 2))
        _log("CPU time by stage")
        results["stages"] = {
            "JMDI course": stages(COURSE),
            f"{sizes[-1]:,} topics (split)": stages(work / f"synthetic-{sizes[-1]}", "module"),
        }
        dist = work / "dist"
        packages = {
            p["format"]: Path(p["package"]) for p in builds.build_once(COURSE, ",".join(formats), out=dist).packages
        }
        results["packages"] = package_sizes(packages)
        if not args.no_browser:
            results["browser"] = browser_section(packages)
            results["preview"] = preview_section()
    results["machine"]["load_after"] = os.getloadavg()
    (HERE / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    report.write_markdown(results, previous, HERE / "RESULTS.md")
    report.write_chart(results, previous, HERE / "build_time.png")
    _log(f"wrote {HERE / 'RESULTS.md'} and {HERE / 'build_time.png'}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, synthetic sizes 10 and 100 only")
    parser.add_argument("--runs", type=int, help="builds per JMDI measurement (default 5, quick 2)")
    parser.add_argument("--sizes", help="synthetic course sizes in topics (default 10,100,1000)")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurements")
    parser.add_argument(
        "--nice",
        action="store_true",
        help="build at the highest CPU priority (root), for wall times closer to an idle machine's on a shared one",
    )
    return parser.parse_args()


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _previous(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _formats() -> list[str]:
    """Every registered package format, in the build's order."""
    sys.path.insert(0, str(ROOT / "src"))
    from jmdi_scorm.targets import TARGETS

    return list(TARGETS)


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    memory = next((line.split()[1] for line in _read("/proc/meminfo").splitlines() if line.startswith("MemTotal")), "0")
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no", "--", "src"))
    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_gib": round(int(memory) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "commit": f"{commit}{' + uncommitted changes in src/' if dirty else ''}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_before": os.getloadavg(),
    }


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip()


#: The README's build (every language of the course, every format, module PDFs), by PDF cache case.
EVERY_LANGUAGE_ROWS = {
    "cold": "README build (every language) + PDFs, cold",
    "warm": "README build (every language) + PDFs, warm",
    "cached": "README build (every language) + PDFs, cached, new output folder",
    "topic": "README build (every language) + PDFs, one topic changed",
}


def jmdi_builds(formats: list[str], runs: int) -> list[dict[str, Any]]:
    """The JMDI course: each format alone, every format together, then with the module PDFs."""
    everything = ",".join(formats)
    cases = [(name, name, False) for name in formats] + [("all formats", everything, False)]
    rows = []
    for label, case, pdf in cases:
        _log(f"JMDI course, {label}: {runs} builds")
        rows.append(builds.measure(COURSE, case, runs, pdf=pdf) | {"label": label})
    if builds.has_pdf_step():
        pdf_cases = [("cold", "all formats + module PDFs")]
        if builds.has_pdf_cache():
            pdf_cases += [
                ("warm", "… PDFs, warm (nothing changed)"),
                ("cached", "… PDFs cached, new output folder"),
                ("topic", "… PDFs, one topic changed"),
            ]
        for pdf_case, label in pdf_cases:
            _log(f"JMDI course, {label}: {runs} builds")
            rows.append(builds.measure(COURSE, everything, runs, pdf=True, pdf_case=pdf_case) | {"label": label})
        if builds.has_lang_option():  # the README's command: every language of the course
            for pdf_case, _ in pdf_cases:
                label = EVERY_LANGUAGE_ROWS[pdf_case]
                _log(f"JMDI course, {label}: {runs} builds")
                row = builds.measure(COURSE, everything, runs, pdf=True, pdf_case=pdf_case, every_language=True)
                rows.append(row | {"label": label})
    return rows


def scale(work: Path, formats: list[str], sizes: list[int], runs: int) -> list[dict[str, Any]]:
    """Synthetic courses of each size, every format, one package per module."""
    rows = []
    for topics in sizes:
        course = synthetic.generate(work / f"synthetic-{topics}", topics, TOPICS_PER_MODULE)
        _log(f"synthetic course, {topics} topics: {runs} builds")
        row = builds.measure(course, ",".join(formats), runs, split="module")
        if "error" in row:
            good, refused = builds.buildable_formats(course, formats, "module")
            _log(f"  {row['error']}; measuring {', '.join(good)}")
            row = builds.measure(course, ",".join(good), runs, split="module") | {"refused": refused}
        rows.append(row | {"topics": topics, "modules": len(synthetic.module_ids(topics, TOPICS_PER_MODULE))})
    return rows


def stages(course: Path, split: str | None = None) -> dict[str, float]:
    """CPU seconds by build stage, in a fresh interpreter (bench/stages.py)."""
    command = [sys.executable, str(HERE / "stages.py"), str(course), *(["--split", split] if split else [])]
    done = subprocess.run(command, capture_output=True, text=True, env=builds.child_env(), check=False)
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}  # type: ignore[dict-item]
    return json.loads(done.stdout)


def package_sizes(packages: dict[str, Path]) -> list[dict[str, Any]]:
    rows = []
    for name, path in packages.items():
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            first = first_page_bytes(archive)
        content = sum(info.file_size for info in infos)
        rows.append(
            {"format": name, "files": len(infos), "zip": path.stat().st_size, "content": content, "first_page": first}
        )
    return rows


def first_page_bytes(archive: zipfile.ZipFile) -> int:
    """Bytes of the launch page ``index.html`` and the scripts and style sheets it names (what a
    browser must fetch before it shows the first page), read from the zip."""
    html = archive.read("index.html")
    named = re.findall(rb'(?:src|href)="([^"#?:]+\.(?:js|css))"', html)
    return len(html) + sum(archive.getinfo(name.decode()).file_size for name in dict.fromkeys(named))


def browser_section(packages: dict[str, Path]) -> dict[str, Any]:
    import browser

    with browser.chromium() as chromium:
        _log("first page load (web)")
        first = browser.first_page_load(chromium, packages["web"].with_suffix(""))
        _log("SCORM 1.2 and 2004 traffic")
        scorm12 = browser.scorm_traffic(chromium, packages["scorm12"], "1.2")
        scorm2004 = browser.scorm_traffic(chromium, packages["scorm2004-4th"], "2004")
        _log("xAPI traffic")
        xapi = browser.xapi_traffic(chromium, packages["xapi"])
        _log("first page over a slow link (every format)")
        adapters = {"web": "local", "scorm12": "scorm12", "scorm2004-4th": "scorm2004", "xapi": "xapi", "cmi5": "cmi5"}
        slow = {
            name: browser.slow_first_page(chromium, packages[name], adapter)
            for name, adapter in adapters.items()
            if name in packages
        }
    return {"first_page": first, "scorm12": scorm12, "scorm2004": scorm2004, "xapi": xapi, "slow_first_page": slow}


def preview_section(formats: tuple[str, ...] = ("scorm12", "xapi"), repeat: int = 5) -> list[dict[str, Any]]:
    """Edit → visible in ``jmdi-scorm preview`` of the JMDI course, per format (issue 16)."""
    import browser
    import preview_latency

    _log("preview: edit → visible (" + ", ".join(formats) + ")")
    with browser.chromium() as chromium:
        return [preview_latency.measure(chromium, COURSE, fmt, repeat) for fmt in formats]


if __name__ == "__main__":
    main()
