"""What a build is asked to make (``jmdi-scorm build``'s options), apart from the build itself so
that the CLI can name a build (``build_record``) without importing what makes one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: The folder of the module PDF cache and the build records, in the course folder unless
#: ``--cache-dir`` names another.
CACHE_FOLDER = ".jmdi-cache"


@dataclass(frozen=True)
class BuildOptions:
    """``formats`` empty or ``("all",)`` builds every registered target."""

    formats: tuple[str, ...] = ()
    out: Path = Path("dist")
    split: str | None = None
    sco: str | None = None  # SCORM formats: one SCO per "module" or "topic" (default: one per package)
    pdf: bool = True  # a PDF per module in every package and next to them (False: --no-pdf)
    cache: Path | None = None  # module PDF cache folder (default: <course>/.jmdi-cache)
    use_cache: bool = True  # False: render every module PDF, read and write no cache (--no-cache)
    progress: Callable[[str, int, int], None] | None = None  # (step, steps done, steps in all)
    # --lang: the languages to build (the source language or a catalogue's, locale/<lang>.po);
    # empty: every language the course has. One package per language and format.
    languages: tuple[str, ...] = ()
    # --jobs: how many processes share the work (parse, pages, PDFs, packages); None: one per core
    # for the steps where a pool pays (workers.py), 1: all in the build's own process.
    jobs: int | None = None

    def cache_folder(self, course_dir: Path) -> Path | None:
        """The cache folder of a build of ``course_dir``; None with ``--no-cache``."""
        return (self.cache or course_dir / CACHE_FOLDER) if self.use_cache else None
