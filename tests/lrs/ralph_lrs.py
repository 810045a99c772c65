"""A real ralph LRS on loopback for the xAPI and cmi5 tests."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

USER, PASSWORD, MBOX = "lrs-tester", "not-a-secret-test-password", "mailto:lrs-tester@example.org"
XAPI_VERSION = "1.0.3"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RalphLRS:
    """ralph-malph's LRS in a subprocess; ``stop()`` and ``start()`` simulate an outage."""

    def __init__(self, workdir: Path, *, cors_origins: list[str] | None = None):
        self.workdir, self.port = workdir, _free_port()
        self.env = {
            **os.environ,
            "RALPH_APP_DIR": str(workdir / "app"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(workdir / "statements"),
        }
        if cors_origins:  # ralph sends CORS headers only for the origins named here
            self.env["RALPH_RUNSERVER_CORS_ALLOW_ORIGINS"] = json.dumps(cors_origins)
        self.process: subprocess.Popen[bytes] | None = None
        (workdir / "statements").mkdir(parents=True, exist_ok=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    @property
    def auth(self) -> str:
        return "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    def start(self, timeout: float = 30) -> None:
        launcher = Path(__file__).with_name("ralph_server.py")
        with (self.workdir / "ralph.log").open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(launcher), str(self.port), USER, PASSWORD, MBOX],  # its first start adds USER
                env=self.env,
                cwd=self.workdir,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError(f"ralph did not start; see {self.workdir / 'ralph.log'}")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def statements(self, **params: str) -> list[dict]:
        """Every statement stored (follows ``more`` links, guarding ralph's self-link on empty stores)."""
        headers = {"Authorization": self.auth, "X-Experience-API-Version": XAPI_VERSION}
        url, seen, out = f"{self.endpoint}statements", set(), []
        query: dict[str, str] | None = {"limit": "500", **params}
        while url and url not in seen:
            seen.add(url)
            body = requests.get(url, params=query, headers=headers, timeout=10).json()
            out.extend(body.get("statements", []))
            more = body.get("more")
            url, query = (f"http://127.0.0.1:{self.port}{more}" if more and body.get("statements") else ""), None
        return out
