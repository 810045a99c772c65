"""First-page weight of the web package and the time to build it.

Builds the web target of a course (default: the test fixture), serves the folder on a loopback
HTTP server, opens ``index.html`` in headless Chromium and counts every request of the first
page load and the bytes of its HTML, JS and CSS (uncompressed). Goal (issue 3): at most
5 requests and 60 KB; Adapt's example course needs about 51 requests and 2 MB.

    python3 bench/first_page.py [COURSE_DIR] [--repeat 5] [--pdf] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from jmdi_scorm.build import BuildOptions, build  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
KINDS = {".html": "html", ".js": "js", ".css": "css"}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


def options(out: Path, pdf: bool) -> BuildOptions:
    """Web-only build options; module PDFs (when the build makes them) only if ``pdf``, never
    from the PDF cache (this times rendering them)."""
    fields = {f.name for f in dataclasses.fields(BuildOptions)}
    if "use_cache" in fields:
        return BuildOptions(formats=("web",), out=out, pdf=pdf, use_cache=False)  # type: ignore[call-arg]
    if "pdf" in fields:
        return BuildOptions(formats=("web",), out=out, pdf=pdf)  # type: ignore[call-arg]
    return BuildOptions(formats=("web",), out=out)


def build_times(course: Path, out: Path, repeat: int, pdf: bool = False) -> tuple[list[float], Path]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = build(course, options(out, pdf))
        times.append(time.perf_counter() - started)
    folder = result.artifacts[0].folder
    assert folder is not None
    return times, folder


def cold_build_seconds(course: Path, out: Path) -> float:
    """Wall time of ``python -m jmdi_scorm build --format web [--no-pdf]`` in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "jmdi_scorm", "build", str(course), "--format", "web", "--out", str(out)]
    usage = subprocess.run([*command[:4], "--help"], env=env, capture_output=True, text=True).stdout
    command += ["--no-pdf"] if "--no-pdf" in usage else []
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, capture_output=True)
    return time.perf_counter() - started


def first_page(folder: Path) -> dict:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    responses = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            page = browser.new_page()
            page.on("response", lambda response: responses.append(response))
            started = time.perf_counter()
            page.goto(base + "index.html", wait_until="load")
            page.wait_for_function("document.querySelector('#jmdi-page h1') !== null")
            ready = time.perf_counter() - started
            page.wait_for_load_state("networkidle")
            rows = [(r.url[len(base) :] or "index.html", len(r.body())) for r in responses]
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    by_kind: dict[str, int] = {}
    for name, size in rows:
        kind = KINDS.get(Path(name.split("?")[0].split("#")[0]).suffix, "other")
        by_kind[kind] = by_kind.get(kind, 0) + size
    code = sum(size for kind, size in by_kind.items() if kind != "other")
    return {"requests": len(rows), "files": rows, "bytes": by_kind, "html_js_css": code, "ready_seconds": ready}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("course", nargs="?", type=Path, default=ROOT / "tests" / "fixtures" / "minimal")
    parser.add_argument("--repeat", type=int, default=5, help="builds to time (median reported)")
    parser.add_argument("--pdf", action="store_true", help="also time one build that makes the module PDFs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cold = cold_build_seconds(args.course, Path(tmp) / "cold")
        times, folder = build_times(args.course, Path(tmp), args.repeat)
        with_pdf = build_times(args.course, Path(tmp) / "pdf", 1, pdf=True)[0][0] if args.pdf else None
        report = {
            "course": str(args.course),
            "cold_build_seconds": cold,
            "build_seconds": statistics.median(times),
            "build_with_pdf_seconds": with_pdf,
            **first_page(folder),
        }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"course: {report['course']}")
    print(f"web build: {report['cold_build_seconds']:.2f} s cold (new process, CLI)", end=", ")
    print(f"{report['build_seconds']:.3f} s warm (median of {args.repeat} in one process), without module PDFs")
    if report["build_with_pdf_seconds"] is not None:
        print(f"web build with module PDFs: {report['build_with_pdf_seconds']:.2f} s")
    print(f"first page: {report['requests']} requests, {report['html_js_css'] / 1024:.1f} KiB HTML+JS+CSS")
    for name, size in report["files"]:
        print(f"  {size:>8}  {name}")
    print(f"  first page shown after {report['ready_seconds'] * 1000:.0f} ms (loopback)")


if __name__ == "__main__":
    main()
