"""One preview session: build → serve → watch → rebuild, until ``stop()``.

``Preview(PreviewOptions(Path("course"), "scorm12")).start()`` builds, serves on 127.0.0.1,
watches the course folder and returns the debug page's URL; ``stop()`` ends all of it.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jmdi_scorm.errors import JmdiError
from jmdi_scorm.preview.builder import Build, Builder, formats
from jmdi_scorm.preview.server import PreviewServer
from jmdi_scorm.preview.watcher import Watcher

DATABASE = "preview.sqlite3"
HISTORY = 50  # served builds whose changes the status lists
WAIT_SECONDS = 20.0  # longest wait of a status request for a new build


@dataclass(frozen=True)
class PreviewOptions:
    course_dir: Path
    fmt: str = "scorm12"
    port: int = 0  # 0: any free port
    workdir: Path | None = None  # default: a new temporary folder
    watch: bool = True


class Preview:
    """Builds ``fmt`` into ``<workdir>/package``, serves it with the debug page, rebuilds on change."""

    def __init__(self, options: PreviewOptions):
        if options.fmt not in formats():
            raise JmdiError(f"unknown format '{options.fmt}' (choose from {', '.join(formats())})")
        if not options.course_dir.is_dir():
            raise JmdiError(f"{options.course_dir}: course directory not found")
        self.options = options
        self.course_dir = options.course_dir.resolve()
        self.workdir = options.workdir or Path(tempfile.mkdtemp(prefix="jmdi-preview-"))
        self.package_dir = self.workdir / "package"
        self.build: Build = Build(0, False, 0.0, "not built yet")  # the latest attempt
        self.served: Build | None = None  # the last good build: what the browser gets
        self.xapi: Any = None  # XapiPreview for the xapi and cmi5 formats
        self.server: PreviewServer | None = None
        self.watcher: Watcher | None = None
        self._lock = threading.Lock()
        self._built = threading.Condition(self._lock)  # notified after every build
        self._builder = Builder(self.course_dir, options.fmt, self.package_dir)
        self._dirty: set[Path] | None = None  # files changed since the last good build (None: unknown)
        self._changes: list[tuple[int, list[str] | None]] = []  # the last served builds' Build.pages
        #: The data of the content scripts the last served build changed, sent with the status so
        #: that the course shows them without loading them: {"build": number, "pages": {id: data}}.
        self._content: dict[str, Any] = {"build": 0, "pages": {}}
        self._stopped = False

    @property
    def kind(self) -> str:
        return {"xapi": "xapi", "cmi5": "cmi5", "web": "web"}.get(self.options.fmt, "scorm")

    @property
    def database(self) -> Path | None:
        """The SQLite file of an xAPI / cmi5 session (kept after ``stop()``)."""
        return self.xapi.database if self.xapi else None

    def start(self) -> str:
        self.rebuild()
        if self.kind in ("xapi", "cmi5"):
            from jmdi_scorm.preview.xapi import XapiPreview

            self.xapi = XapiPreview(self.kind, self.package_dir, self.workdir / DATABASE, self.fresh)
            self.xapi.start()
        self.server = PreviewServer(self, self.options.port)
        if self.options.watch:
            self.watcher = Watcher(self.course_dir, self.rebuild)
            self.watcher.start()
        return self.server.url

    def stop(self) -> None:
        """Stop watching and serving; keep only the SQLite file of an xAPI / cmi5 session."""
        if self._stopped:
            return
        with self._built:
            self._stopped = True
            self._built.notify_all()
        if self.watcher:
            self.watcher.stop()
        if self.server:
            self.server.stop()
        if self.xapi:
            self.xapi.stop()
            shutil.rmtree(self.package_dir, ignore_errors=True)
        elif self.options.workdir is None:
            shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def url(self) -> str:
        if not self.server:
            raise RuntimeError("the preview is not started")
        return self.server.url

    def rebuild(self, changed: list[str] | None = None) -> Build:
        """Build again; the served package changes only if the build succeeded.

        ``changed``: the files changed since the last call (the watcher's); when every file
        changed since the last good build is one topic's Markdown, only what shows that topic is
        built again (``Builder``), else everything."""
        with self._lock:
            if changed is None:
                self._dirty = None
            elif self._dirty is not None:
                self._dirty.update(Path(name) for name in changed)
            topic = self._topic_only()
            result = self._builder.build(self.build.number + 1, topic)
            self.build = result
            if result.ok:
                self.served = result
                self._dirty = set()
                self._changes = [*self._changes[-HISTORY + 1 :], (result.number, result.pages)]
                self._content = {"build": result.number, "pages": self._builder.contents(result.pages or [])}
            self._built.notify_all()
        return result

    def fresh(self, name: str) -> None:
        """Before the package file ``name`` is served: render it if a topic edit left it out of
        date (a print page, ``Builder.fresh``)."""
        if self._builder.due(name):
            with self._lock:
                self._builder.fresh(name)

    def _topic_only(self) -> Path | None:
        """The topic file that is all that changed since the last good build, if that is so."""
        dirty = [path for path in self._dirty or () if path.exists() or self._builder.may_use(path)]
        if len(dirty) != 1:  # (gone files no build reads: an editor's test file, vim's "4913")
            return None
        [path] = dirty
        inside = path.resolve().is_relative_to(self.course_dir / "modules")
        return path if inside and path.suffix == ".md" and path.name != "module.yaml" else None

    def wait(self, after: int, timeout: float = WAIT_SECONDS) -> None:
        """Return once a build numbered above ``after`` is done, or after ``timeout`` seconds."""
        with self._built:
            self._built.wait_for(lambda: self.build.number > after or self._stopped, timeout)

    def status(self) -> dict[str, Any]:
        """What the panel polls: the latest build (maybe failed), the one being served, what the
        last served builds changed (``changes``: ``[number, pages or None]``, see ``Build.pages``)
        and the new content of the pages the last one changed (``content``)."""
        with self._lock:
            latest, served, changes, content = self.build, self.served, list(self._changes), self._content
        return {
            "format": self.options.fmt,
            "kind": self.kind,
            "latest": latest.as_dict(),
            "served": served.as_dict() if served else None,
            "changes": changes,
            "content": content,
            "database": str(self.database) if self.database else None,
        }

    def launch(self, new_attempt: bool) -> dict[str, str]:
        if not self.xapi:
            raise JmdiError("launches by the server are for the xapi and cmi5 formats")
        return self.xapi.launch(new_attempt)
