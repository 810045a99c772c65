"""The module PDFs of the JMDI course made by two engines, for issue 16's engine decision.

    python3 bench/pdf_engines.py [--runs N]

- **WeasyPrint**, as the build makes them (``pdf.render_all``: one forked process per core, the
  longest pages first, Python's cycle collector paused);
- **Chromium** (``/usr/bin/chromium``, driven by Playwright as the tests drive it): each print page
  opened from a folder and printed with ``page.pdf`` (A4, the page's own CSS page size, tagged,
  with an outline), one page after the other in one browser, then two at a time.

The print pages are those of the web package of a ``--no-pdf`` build (every language's site is
in it), so both engines read the same files: the source language's six, then all 24 of the four
languages (what the README's build makes). Wall time is measured around the rendering alone
(the browser's start is counted apart); CPU time is the machine's busy time meanwhile (``/proc/stat``:
the pool's workers, Playwright's driver and the browser's processes; whatever else runs too, so
the load average is written with the results).
Prints a Markdown table and writes it to ``bench/PDF_ENGINES.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from browser import CHROMIUM, CHROMIUM_ARGS  # the browser and flags of the other Chromium measurements

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

OUT = ROOT / "bench" / "PDF_ENGINES.md"


@dataclass(frozen=True)
class Made:
    """One engine's run over every print page: its PDFs and what they cost."""

    pdfs: dict[str, bytes]
    wall: float
    cpu: float
    start: float = 0.0  # the browser's start, not in ``wall``


def web_site(out: Path) -> Path:
    """The unzipped web package of the JMDI course (every language, no PDFs)."""
    command = [sys.executable, "-m", "jmdi_scorm", "build", str(ROOT / "course"), "--out", str(out / "dist")]
    subprocess.run([*command, "--format", "web", "--no-pdf", "-q"], check=True)
    (package,) = (out / "dist").glob("*-web.zip")
    site = out / "site"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(site)
    return site


def print_pages(site: Path) -> list[tuple[str, str]]:
    """(language folder, print page) for every print page of the site, the source language's first."""
    pages = sorted(site.glob("print/*.html")) + sorted(site.glob("*/print/*.html"))
    return [(p.parent.parent.relative_to(site).as_posix(), p.relative_to(p.parent.parent).as_posix()) for p in pages]


def cpu_now() -> float:
    """Seconds of CPU the whole machine has spent busy (``/proc/stat``): the browser's processes are
    not this process's children, so their time is not in its ``getrusage``. On a quiet machine,
    this is the engine's."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def weasyprint(site: Path, pages: list[tuple[str, str]]) -> Made:
    from jmdi_scorm.render import pdf

    folders = sorted({folder for folder, _ in pages})
    files = [
        {p.relative_to(site / folder).as_posix(): p.read_bytes() for p in (site / folder).rglob("*") if p.is_file()}
        for folder in folders
    ]
    jobs = [(folders.index(folder), page) for folder, page in pages]
    pdf.unavailable()  # the import, as the build's early process does it meanwhile
    cpu, started = cpu_now(), time.perf_counter()
    made = pdf.render_all(files, jobs, None, None)
    wall = time.perf_counter() - started
    return Made({f"{f}/{p}": m.pdf for (f, p), m in zip(pages, made, strict=True)}, wall, cpu_now() - cpu)


def chromium(site: Path, pages: list[tuple[str, str]], tabs: int) -> Made:
    return asyncio.run(_chromium(site, pages, tabs))


async def _chromium(site: Path, pages: list[tuple[str, str]], tabs: int) -> Made:
    from playwright.async_api import async_playwright

    cpu, started = cpu_now(), time.perf_counter()
    pdfs: dict[str, bytes] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        start = time.perf_counter() - started
        began = time.perf_counter()
        queue = list(pages)

        async def tab() -> None:
            page = await browser.new_page()
            while queue:
                folder, name = queue.pop(0)
                await page.goto((site / folder / name).as_uri())
                pdfs[f"{folder}/{name}"] = await page.pdf(
                    format="A4", prefer_css_page_size=True, tagged=True, outline=True
                )
            await page.close()

        await asyncio.gather(*(tab() for _ in range(tabs)))
        wall = time.perf_counter() - began
        await browser.close()
    return Made(dict(sorted(pdfs.items())), wall, cpu_now() - cpu, start)


def page_count(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def row(name: str, made: Made, walls: list[float], cpus: list[float], same: bool) -> str:
    pages = sum(page_count(data) for data in made.pdfs.values())
    size = sum(len(data) for data in made.pdfs.values()) / 1024
    start = f"{made.start:.2f} s" if made.start else "–"
    return (
        f"| {name} | {len(made.pdfs)} | {pages} | {size:,.0f} KiB | {statistics.median(walls):.2f} s "
        f"({min(walls):.2f}–{max(walls):.2f}) | {statistics.median(cpus):.2f} s | {start} | {'yes' if same else 'no'} |"
    )


def table(site: Path, pages: list[tuple[str, str]], runs: int) -> list[str]:
    """The rows of each engine over ``pages``."""
    rows = []
    cases: list[tuple[str, Callable[[], Made]]] = [
        ("WeasyPrint, one process per core (the build)", lambda: weasyprint(site, pages)),
        ("Chromium, one tab", lambda: chromium(site, pages, 1)),
        ("Chromium, two tabs", lambda: chromium(site, pages, 2)),
    ]
    for name, engine in cases:
        print(f"[pdf engines] {len(pages)} print pages, {name}: {runs} runs", file=sys.stderr)
        made = [engine() for _ in range(runs)]
        same = made[0].pdfs == made[-1].pdfs
        rows.append(row(name, made[-1], [m.wall for m in made], [m.cpu for m in made], same))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2, help="runs of each engine (median; default 2)")
    args = parser.parse_args()
    load = os.getloadavg()
    head = "| engine | PDFs | pages | size | wall (rendering) | CPU | browser start | same bytes each run |"
    sections = []
    with tempfile.TemporaryDirectory(prefix="jmdi-pdf-engines-") as tmp:
        site = web_site(Path(tmp))
        pages = print_pages(site)
        source = [(folder, page) for folder, page in pages if folder == "."]
        for title, chosen in (
            ("The source language (English)", source),
            ("Every language (the README's build)", pages),
        ):
            sections += [
                f"## {title}",
                "",
                head,
                "|---|---|---|---|---|---|---|---|",
                *table(site, chosen, args.runs),
                "",
            ]
    after = os.getloadavg()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    text = "\n".join(
        [
            "# Module PDFs: WeasyPrint and Chromium",
            "",
            f"Written by `python3 bench/pdf_engines.py` on {stamp} at commit {commit.strip()}, {os.cpu_count()} "
            f"cores ({platform.machine()}), load average {load[0]:.1f} before and {after[0]:.1f} after; the median "
            f"of {args.runs} runs, range in brackets. *Same bytes*: the last run's PDFs equal the first's. The "
            "module docstring says what is measured.",
            "",
            *sections,
        ]
    )
    OUT.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
