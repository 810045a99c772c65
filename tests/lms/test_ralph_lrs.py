"""The real LRS used by the xAPI and cmi5 tests accepts and returns statements."""

from __future__ import annotations

import uuid
from pathlib import Path

import requests

from tests.lrs.ralph_lrs import XAPI_VERSION, RalphLRS


def test_ralph_stores_and_returns_statements(tmp_path: Path) -> None:
    lrs = RalphLRS(tmp_path)
    lrs.start()
    try:
        headers = {"Authorization": lrs.auth, "X-Experience-API-Version": XAPI_VERSION}
        ids = [str(uuid.uuid4()) for _ in range(3)]
        for ident in ids:
            statement = {
                "id": ident,
                "actor": {"objectType": "Agent", "mbox": "mailto:learner@example.org", "name": "Learner"},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
                "object": {"objectType": "Activity", "id": "https://example.org/courses/mini/topic/intro-01"},
            }
            response = requests.post(f"{lrs.endpoint}statements", json=statement, headers=headers, timeout=10)
            assert response.status_code == 200, response.text
        assert sorted(s["id"] for s in lrs.statements()) == sorted(ids)
    finally:
        lrs.stop()
