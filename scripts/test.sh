#!/usr/bin/env bash
# The whole test suite: set-up, lint, format check, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ruff check .
ruff format --check .
mypy  # type-checks src/ ([tool.mypy] in pyproject.toml)
lint-imports --no-cache  # the layers and no-cycle contracts in pyproject.toml
export JMDI_REQUIRE_BROWSER=1  # a missing Chromium fails the run instead of skipping tests
# Compiled modules are cached (__pycache__/, ignored by git): every pytest worker and every
# `python -m jmdi_scorm` a test starts would otherwise compile the sources again (~2 s each).
unset PYTHONDONTWRITEBYTECODE
export JMDI_THOROUGH=1  # the property tests try their full number of examples (tests/support/budget.py)
# Everything but the browser on every core, then the browser tests one at a time: on two cores,
# Chromiums side by side make the timing-sensitive walks (relaunch, network faults) flaky.
python3 -m pytest -q -p no:cacheprovider -m "not browser" "$@"
python3 -m pytest -q -p no:cacheprovider -m browser -n 0 "$@"
