"""Watch the course folder and call back once per burst of changes (watchfiles, in a thread)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from watchfiles import DefaultFilter, watch


class Watcher:
    """Calls ``on_change(paths)`` after files under ``folder`` change; ``stop()`` ends it quickly."""

    def __init__(
        self, folder: Path, on_change: Callable[[list[str]], object], debounce_ms: int = 200, step_ms: int = 10
    ):
        self.folder = folder
        self.on_change = on_change
        self.debounce_ms, self.step_ms = debounce_ms, step_ms
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="jmdi-preview-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        # The default filter skips .git, __pycache__, editor swap and backup files; and the module
        # PDF cache that `jmdi-scorm build` writes in the course folder is no course change.
        ignore = DefaultFilter(ignore_dirs=(*DefaultFilter.ignore_dirs, ".jmdi-cache"))
        # A burst is yielded once no change came for `step` ms (a save's events come within a few
        # ms of each other) or `debounce` ms after its first change: an edit costs ~10 ms here.
        changes = watch(self.folder, watch_filter=ignore, debounce=self.debounce_ms, step=self.step_ms,
                        stop_event=self._stop, rust_timeout=500, yield_on_timeout=False,
                        raise_interrupt=False)  # fmt: skip
        for batch in changes:
            if self._stop.is_set():
                return
            self.on_change(sorted(path for _, path in batch))
