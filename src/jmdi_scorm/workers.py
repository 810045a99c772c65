"""Work spread over the machine's cores: pools of forked processes, results in order.

A build's big steps are made of independent parts (the module PDFs, the Markdown of each topic,
the pages of each module, the packages of each module and format). :func:`fork_map` runs such
parts in ``fork``ed processes: the workers inherit everything the build has made so far (the
course, the site, imported libraries), so only a part's name goes to a worker and only its result
comes back (pickled), and results come back in the order of the parts, so the output is the same
bytes whichever process made each part (docs/architecture.md, Parallel work).

How many processes: ``jobs`` (``build --jobs`` or ``JMDI_JOBS``) when given, else one per core the
process may run on (at most :data:`MAX_JOBS`) when the work is large enough to pay for the pool
(:func:`count`); never more than there are parts; one (the calling process, no pool) without
``fork``.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: At most this many processes by default, whatever the number of cores (memory: each worker
#: holds what it makes).
MAX_JOBS = 8


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def count(jobs: int | None, parts: int, pays: bool = True) -> int:
    """How many processes to run ``parts`` independent parts in.

    ``jobs`` given: that many (the user asked). Otherwise one per core (at most ``MAX_JOBS``) when
    ``pays`` (the caller's estimate that the work outweighs starting a pool), else one.
    """
    if not can_fork():
        return 1
    wanted = jobs if jobs is not None else (min(cores(), MAX_JOBS) if pays else 1)
    return max(1, min(wanted, parts))


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


# What the workers of the current pool run: set before the pool forks, so a worker has it (a
# closure or a bound method needs no pickling, and only the index of a part is sent).
_WORK: list[tuple[Callable[[Any], Any], Sequence[Any]]] = []


class Spread(Generic[T, R]):
    """``task(part)`` for each of ``parts``, started at once in ``processes`` forked workers (when
    more than one and there are several parts), or computed here as the results are read.

    Iterating gives the results in order; a part that raised raises there, and a worker that died
    (killed, out of memory) is an error too. :meth:`close` (or leaving the ``with`` block) cancels
    the parts not started and waits for those running. ``start`` runs in each worker once forked.
    """

    def __init__(
        self, task: Callable[[T], R], parts: Sequence[T], processes: int, start: Callable[[], None] | None = None
    ) -> None:
        self.task, self.parts = task, parts
        self._taken = 0
        self._futures: list[Future[R]] = []
        self._executor: ProcessPoolExecutor | None = None
        if processes > 1 and len(parts) > 1:
            self._executor = ProcessPoolExecutor(
                processes, mp_context=multiprocessing.get_context("fork"), initializer=_worker_start, initargs=(start,)
            )
            _WORK.append((task, parts))
            try:
                self._futures.append(self._executor.submit(_run, 0))  # forks every worker (fork start method)
            finally:
                _WORK.pop()  # the workers have their copy
            self._futures += [self._executor.submit(_run, index) for index in range(1, len(parts))]

    def __iter__(self) -> Iterator[R]:
        while self._taken < len(self.parts):
            index = self._taken
            result = self._futures[index].result() if self._executor else self.task(self.parts[index])
            self._taken += 1
            yield result

    def close(self) -> list[R]:
        """Stop: the parts not started are cancelled, those running are waited for (parts are short).
        Returns the results made and not read (their side effects may need undoing)."""
        if self._executor is None:
            return []
        for future in self._futures:
            future.cancel()
        wait(self._futures)
        self._executor.shutdown(wait=True)
        self._executor = None
        left = self._futures[self._taken :]
        self._taken = len(self.parts)
        return [f.result() for f in left if not f.cancelled() and f.exception() is None]

    def __enter__(self) -> Spread[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def fork_map(
    task: Callable[[T], R],
    parts: Sequence[T],
    processes: int,
    *,
    start: Callable[[], None] | None = None,
    each: Callable[[R], None] | None = None,
    undo: Callable[[R], None] | None = None,
) -> list[R]:
    """``[task(part) for part in parts]``, in ``processes`` forked workers when that is more
    than one, else here (:class:`Spread`); ``each`` gets each result here, in order, as it comes
    (and takes charge of it).

    All or nothing: when a part raises (or Ctrl-C, SIGTERM), the parts not started are cancelled,
    those running are waited for, ``undo`` gets every result made that ``each`` did not get (to
    remove what they wrote) and the exception is raised.
    """
    done: list[R] = []
    spread = Spread(task, parts, processes, start)
    try:
        for result in spread:
            if each is not None:
                each(result)
            done.append(result)
    except BaseException:
        left = spread.close() if each is not None else done + spread.close()
        for result in left:
            if undo is not None:
                undo(result)
        raise
    spread.close()
    return done


def _worker_start(start: Callable[[], None] | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the command's handler: end at once
    if start is not None:
        start()


def _run(index: int) -> Any:
    task, parts = _WORK[-1]
    return task(parts[index])


def chunks(items: Iterable[T], size: int) -> list[list[T]]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    batch: list[T] = []
    out: list[list[T]] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            out.append(batch)
            batch = []
    if batch:
        out.append(batch)
    return out
