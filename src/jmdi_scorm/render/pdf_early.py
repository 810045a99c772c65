"""Module PDFs started early: WeasyPrint imported while the build loads and renders the course.

Importing WeasyPrint takes 0.6–1 s (Pango, HarfBuzz and fontconfig through cffi), and a build
that renders a PDF used to do it after rendering its pages, on the critical path. A build that is
likely to render one forks a helper process before it loads the course (:class:`EarlyRenderer`);
the helper imports WeasyPrint on another core meanwhile, then renders what
:func:`pdf.editions_pdfs` hands it, in itself or in a pool it forks (whose workers inherit the
import). The PDFs are the same bytes whichever process renders them.

Whether a build will render is guessed before anything is loaded (:func:`likely_to_render`): yes
without a cache, with an empty one, or when a file of the course is newer than the newest cache
entry (every build touches the entries it reuses and writes those it renders). A wrong guess
costs CPU time on another core (the helper of a build that renders nothing) or the import's time
(a build that renders without a helper, as before), never a wrong PDF.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
from collections.abc import Iterator, Mapping, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from types import FrameType
from typing import Any

from jmdi_scorm.errors import BuildError
from jmdi_scorm.render import pdf


def likely_to_render(course: Path, cache: Path | None) -> bool:
    """Whether a build of ``course`` with the PDF cache ``cache`` (None: no cache) will render a PDF."""
    if cache is None:
        return True
    try:
        newest = max((entry.stat().st_mtime for entry in (cache / "pdf").iterdir()), default=None)
    except OSError:
        return True
    if newest is None:
        return True
    for folder, dirs, names in os.walk(course):
        dirs[:] = [name for name in dirs if not name.startswith(".")]  # the cache, .git
        for name in names:
            with contextlib.suppress(OSError):
                if Path(folder, name).stat().st_mtime > newest:
                    return True
    return False


@contextlib.contextmanager
def started(course: Path, cache: Path | None, wanted: bool) -> Iterator[EarlyRenderer | None]:
    """An :class:`EarlyRenderer` if ``wanted`` (PDFs asked for and WeasyPrint installed), more than
    one core is free and a PDF is :func:`likely_to_render`; None otherwise. Ended on leaving."""
    early = None
    if wanted and pdf.cores() > 1 and "fork" in multiprocessing.get_all_start_methods():
        early = EarlyRenderer() if likely_to_render(course, cache) else None
    try:
        yield early
    finally:
        if early:
            early.close()


class EarlyRenderer:
    """A helper process, forked now, that imports WeasyPrint and then renders PDFs on request
    (one request: :meth:`__call__`, with the arguments of ``pdf.render_all``)."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._connection, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(theirs,), name="jmdi-scorm PDFs")
        self._process.start()
        theirs.close()

    def __call__(
        self, files: Sequence[Mapping[str, bytes]], jobs: list[pdf.Job], created: str | None, workers: int | None
    ) -> list[Any]:
        try:
            self._connection.send(([dict(each) for each in files], jobs, created, workers))
            ok, value = self._connection.recv()
        except (OSError, EOFError):  # the helper is gone (killed from outside): render here, as without it
            return pdf.render_all(files, jobs, created, workers)
        if not ok:
            raise value
        return list(value)

    def close(self) -> None:
        """End the helper at once, whatever it is doing (importing, rendering after a failure here)."""
        self._connection.close()
        if self._process.is_alive():
            self._process.terminate()  # its SIGTERM handler ends a pool of its own first
        self._process.join()


def _serve(connection: Connection) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle: it ends us
    signal.signal(signal.SIGTERM, _leave)
    why = pdf.unavailable()  # the import, while the build loads and renders the course
    try:
        files, jobs, created, workers = connection.recv()
    except (OSError, EOFError):  # the build rendered nothing
        return
    try:
        if why:
            raise pdf.Unavailable(why)
        answer: tuple[bool, Any] = (True, pdf.render_all(files, jobs, created, workers))
    except Exception as exc:  # the build raises it
        answer = (False, exc)
    try:
        connection.send(answer)
    except (pickle.PicklingError, TypeError, AttributeError):
        connection.send((False, BuildError(f"rendering the module PDFs failed: {answer[1]!r}")))
    except (OSError, EOFError):  # the build is gone
        return


def _leave(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through pdf.render_all, which terminates its pool
