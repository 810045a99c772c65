"""Start ralph's LRS API on 127.0.0.1 with the file backend made append-only.

``ralph_server.py PORT USER PASSWORD MBOX``: the first start in a data directory writes the user's
credentials (``write_credentials``); later starts (after a simulated outage) find them written.

ralph 5.1's fs LRS backend inherits create-only writes, so every statement POST after the first
into one data directory fails with 500 (docs/standards.md §10.3, note 1); switching its default
operation to APPEND before the app is imported fixes it.
"""

import sys
from pathlib import Path

import bcrypt
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
from ralph.conf import settings

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402 - must come after the patch
from ralph.api.auth.basic import ServerUsersCredentials, UserCredentials  # noqa: E402
from ralph.models.xapi.base.agents import BaseXapiAgentWithMbox  # noqa: E402


def write_credentials(user: str, password: str, mbox: str) -> None:
    """ralph's auth file as ``ralph auth -u USER -p PASSWORD -s all -M MBOX -w`` writes it (ralph's own
    models), unless a previous start wrote it; the password hashed at bcrypt's lowest cost, as fits
    a test password (the ralph command, with the default cost and its own imports, took two seconds)."""
    auth_file = Path(settings.AUTH_FILE)
    if auth_file.is_file() and auth_file.stat().st_size:
        return
    hashed = bcrypt.hashpw(password.encode(settings.LOCALE_ENCODING), bcrypt.gensalt(rounds=4)).decode("ascii")
    agent = BaseXapiAgentWithMbox(mbox=mbox, objectType="Agent")
    users = ServerUsersCredentials.model_validate(
        [UserCredentials(username=user, hash=hashed, scopes=["all"], agent=agent)]
    )
    auth_file.parent.mkdir(parents=True, exist_ok=True)
    auth_file.write_text(users.model_dump_json(indent=2, exclude_none=True), encoding=settings.LOCALE_ENCODING)


if __name__ == "__main__":
    port, user, password, mbox = sys.argv[1:5]
    write_credentials(user, password, mbox)
    uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning")
