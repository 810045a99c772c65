"""Start ralph's LRS API on 127.0.0.1 with the file backend made append-only.

``ralph_server.py PORT USER PASSWORD MBOX``: the first start in a data directory writes the user's
credentials with ralph's own ``auth`` command, run in this process (a ``ralph auth`` process of its
own would import ralph a second time, doubling the start-up); later starts (after a simulated
outage) find them written.

ralph 5.1's fs LRS backend inherits create-only writes, so every statement POST after the first
into one data directory fails with 500 (docs/standards.md §10.3, note 1); switching its default
operation to APPEND before the app is imported fixes it.
"""

import sys
from pathlib import Path

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
from ralph.cli import cli
from ralph.conf import settings

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402 - must come after the patch


def write_credentials(user: str, password: str, mbox: str) -> None:
    """The user's credentials in ralph's auth file, unless a previous start wrote them."""
    auth_file = Path(settings.AUTH_FILE)
    if auth_file.is_file() and auth_file.stat().st_size:
        return
    cli.main(["auth", "-u", user, "-p", password, "-s", "all", "-M", mbox, "-w"], standalone_mode=False)


if __name__ == "__main__":
    port, user, password, mbox = sys.argv[1:5]
    write_credentials(user, password, mbox)
    uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning")
