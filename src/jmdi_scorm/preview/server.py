"""The preview's HTTP side on 127.0.0.1: the debug page and its scripts, the built package under
``/course/``, and the small JSON endpoints the panel polls.

=========================  ====================================================================
``/``                      the debug page (``static/panel.html``)
``/__preview/<file>``      the page's own scripts and stylesheet (package data)
``/__preview/status``      the latest build and the one being served (the panel reloads the
                           course, or shows the pages changed, when the served build number
                           changes), with the new content of the pages the last one changed;
                           ``?after=N`` answers once a build numbered above N is done (≤ 20 s)
``/__preview/launch``      POST ``{"newAttempt": bool}``: a new xAPI / cmi5 launch URL
``/__preview/xapi``        statements and requests since ``?statements=N&requests=M``
``/course/<path>``         the files of the package being served (a print page a topic edit
                           left out of date rendered first); ``index.html`` with the
                           preview's ``jmdi-preview-live.js`` added
=========================  ====================================================================
"""

from __future__ import annotations

import http.server
import json
import mimetypes
import sys
import threading
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from jmdi_scorm.errors import JmdiError
from jmdi_scorm.loopback import names_this_server

STATIC = ("panel.html", "panel.js", "panel.css", "scorm-model.js", "scorm-api.js")
PREFIX, COURSE = "/__preview/", "/course/"
LAUNCH = "index.html"
#: The in-course side of the live reload, served beside the launch page (its CSP allows 'self' only).
LIVE = "jmdi-preview-live.js"
NO_STORE = {"Cache-Control": "no-store"}


def static_file(name: str) -> bytes:
    return resources.files(__package__).joinpath("static", name).read_bytes()


def with_live_script(launch_page: bytes) -> bytes:
    """The launch page as the preview serves it: with ``static/live.js``, which shows a page the
    preview rebuilt again in place when the debug page says so (the file on disk is unchanged)."""
    tag = f'<script src="{LIVE}"></script>'.encode()
    head, found, tail = launch_page.rpartition(b"</body>")
    return head + tag + found + tail if found else launch_page + tag


class PreviewServer:
    """A threading HTTP server for one ``Preview`` (its ``status``, ``launch``, ``xapi``, ``package_dir``)."""

    def __init__(self, preview: Any, port: int = 0):
        handler = type("Handler", (_Handler,), {"preview": preview})
        try:
            self._server = _Server(("127.0.0.1", port), handler)
        except OSError as exc:
            raise JmdiError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from exc
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="jmdi-preview", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser closing a connection (a status request it waits on) is no error to print."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    preview: Any
    protocol_version = "HTTP/1.1"
    #: An answer is written in two parts (headers, body): with Nagle's algorithm the body would wait
    #: for the client's delayed ACK of the headers, ~40 ms on a kept-alive connection.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def _foreign_host(self) -> bool:
        """Refuse other Host names: a web page using DNS rebinding cannot read the preview."""
        if names_this_server(self):
            return False
        self._json(421, {"error": "the preview answers 127.0.0.1 and localhost only"})
        return True

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        if self._foreign_host():
            return
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        if path in ("/", "/index.html"):
            return self._send(200, static_file("panel.html"), "text/html; charset=utf-8")
        if path.startswith(COURSE):
            return self._course(path[len(COURSE) :])
        if path == PREFIX + "status":
            after = dict(parse_qsl(parts.query)).get("after", "")
            if after.isdigit():
                self.preview.wait(int(after))
            return self._json(200, self.preview.status())
        if path == PREFIX + "xapi":
            return self._xapi(dict(parse_qsl(parts.query)))
        name = path[len(PREFIX) :] if path.startswith(PREFIX) else ""
        if name in STATIC:
            return self._send(200, static_file(name), _content_type(name))
        return self._json(404, {"error": f"{path}: not found"})

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self._foreign_host():
            return
        if urlsplit(self.path).path != PREFIX + "launch":
            return self._json(404, {"error": "not found"})
        try:
            wanted = json.loads(body or b"{}")
            return self._json(200, self.preview.launch(bool(wanted.get("newAttempt"))))
        except (JmdiError, ValueError, FileNotFoundError) as exc:
            return self._json(409, {"error": str(exc)})

    def _xapi(self, query: dict[str, str]) -> None:
        if not self.preview.xapi:
            return self._json(404, {"error": "not an xapi or cmi5 preview"})
        since = [int(query.get(name, "0") or 0) for name in ("statements", "requests")]
        return self._json(200, self.preview.xapi.events(*since))

    def _course(self, name: str) -> None:
        parts = PurePosixPath(name or "index.html").parts
        root: Path = self.preview.package_dir
        file = root.joinpath(*parts)
        if parts == (LIVE,):
            return self._send(200, static_file("live.js"), _content_type(LIVE))
        if ".." in parts or name.startswith("/"):
            return self._json(404, {"error": f"{name}: not in the package"})
        self.preview.fresh(PurePosixPath(*parts).as_posix())
        if not file.is_file():
            return self._json(404, {"error": f"{name}: not in the package"})
        data = file.read_bytes()
        self._send(200, with_live_script(data) if parts == (LAUNCH,) else data, _content_type(name))

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": content_type, **NO_STORE}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _content_type(name: str) -> str:
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml", "application/json"):
        kind += "; charset=utf-8"
    return kind
