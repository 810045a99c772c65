"""Start ralph's LRS API on 127.0.0.1 with the file backend made append-only.

ralph 5.1's fs LRS backend inherits create-only writes, so every statement POST after the first
into one data directory fails with 500 (docs/standards.md §10.3, note 1); switching its default
operation to APPEND before the app is imported fixes it.
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402 - must come after the patch

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
