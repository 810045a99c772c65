"""The topics' Markdown of a large course parsed in forked workers while the loader reads the course.

Parsing the topic bodies is most of the check stage's time (markdown-it: 4.5 s of CPU for 1,000
topics). :func:`parsed_early` starts workers that read each topic file of ``modules/`` as the
loader reads one (``files.read_text``, ``files.split_front_matter``: the same functions, so the
same body text), parse its body as ``TokenCache.get`` does and send back what the checks read
of it (``token_cache.Facts``) and the tokens packed (``token_cache.pack_tokens``); meanwhile the
build's process reads the course. Both then go into the build's cache, keyed by the text itself: a
file the loader reads otherwise (or one that changed in between) is simply parsed again on first
use, as without workers. The tokens stay packed until a page is rendered from them.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from jmdi_scorm import workers
from jmdi_scorm.source.files import SourceProblem, inside_course, read_text, split_front_matter
from jmdi_scorm.source.markdown import is_plain
from jmdi_scorm.source.token_cache import Facts, TokenCache, pack_tokens

#: Topic files smaller than this in all are parsed in the build's process, on first use: a pool's
#: start costs more than it saves (the JMDI course's topics have about 400,000 bytes).
POOL_FROM_BYTES = 2_000_000
#: The parts each worker takes, about: a few per worker, so that they finish together.
PARTS_PER_WORKER = 8

Parsed = list[tuple[str, bytes, bool, Facts]]  # (body, packed tokens, links valid, facts) of each file of a part


@contextmanager
def parsed_early(root: Path, jobs: int | None = 1) -> Iterator[Callable[[TokenCache], None]]:
    """Parse the topic bodies of the course in ``root`` in ``jobs`` forked workers (None: one per
    core when the topics are large enough to pay for it; 1: none) while the block runs, or take
    over the parse :func:`started` began. The block calls what this yields with the build's
    cache, once the cache exists, to put the tokens in."""
    root = root.resolve()
    spread = _STARTED.pop(root, None) or _start(root, jobs)
    if spread is None:
        yield lambda cache: None
        return
    with spread:

        def fill(cache: TokenCache) -> None:
            for part in spread:
                for body, packed, valid, facts in part:
                    cache.adopt(body, packed, valid, facts)

        yield fill


@contextmanager
def started(root: Path, jobs: int | None) -> Iterator[None]:
    """Start the parse of the course in ``root`` now, for the next :func:`parsed_early` of it in this
    process. The ``build`` command starts it before it imports the build's modules (0.4 s), which
    then load while the workers parse; whatever happens, the workers are done on leaving."""
    key = root.resolve()
    spread = _start(key, jobs)
    if spread is not None:
        _STARTED[key] = spread
    try:
        yield
    finally:
        left = _STARTED.pop(key, None)
        if left is not None:
            left.close()


_STARTED: dict[Path, workers.Spread[list[Path], Parsed]] = {}


def _start(root: Path, jobs: int | None) -> workers.Spread[list[Path], Parsed] | None:
    """The workers parsing the topics of the course in ``root`` (resolved), or None when the parse
    is left to the build's process."""
    paths = _topic_files(root)
    size = sum(path.stat().st_size for path in paths)
    processes = workers.count(jobs, len(paths), pays=size >= POOL_FROM_BYTES)
    if processes <= 1:
        return None
    parser = TokenCache()
    parts = workers.chunks(paths, -(-len(paths) // (processes * PARTS_PER_WORKER)))

    def parse(part: list[Path]) -> Parsed:
        parsed = []
        for path in part:
            body = _body(root, path)
            if body is not None and not is_plain(body):
                found = parser.get(body)
                parsed.append((body, pack_tokens(found.tokens), found.links_valid, found.facts))
        return parsed

    # no cycle collection in the workers (the build pauses it, but the command starts them first):
    # a parse makes millions of objects and frees them with their counts
    return workers.Spread(parse, parts, processes, start=gc.disable)


def _topic_files(root: Path) -> list[Path]:
    """The Markdown files of the module folders, as the loader looks for topics (``modules/<id>/*.md``)."""
    modules = root / "modules"
    if not modules.is_dir():
        return []
    return sorted(path for folder in sorted(modules.iterdir()) if folder.is_dir() for path in folder.glob("*.md"))


def _body(root: Path, path: Path) -> str | None:
    """The body of a topic file as ``loader.load_topic`` reads it; None for one it would not read."""
    if inside_course(root, path) or not path.is_file():
        return None
    try:
        return split_front_matter(read_text(path, path.name), path.name)[1]
    except SourceProblem:
        return None
