"""How many examples the property tests try.

A developer's ``pytest -m "not browser"`` gets a quick budget (a fifth, so the run stays under a
minute on two cores); ``scripts/test.sh`` (CI) sets ``JMDI_THOROUGH=1`` for the full budget.
"""

from __future__ import annotations

import os

THOROUGH = os.environ.get("JMDI_THOROUGH") == "1"


def examples(full: int) -> int:
    """The number of examples for a property test whose full budget is ``full``."""
    return full if THOROUGH else max(20, full // 5)
