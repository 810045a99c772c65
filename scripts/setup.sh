#!/usr/bin/env bash
# Install everything the build and the test suite need on a fresh Debian machine (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ] || ! command -v pdftotext >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # chromium: browser tests; fonts: readable screenshots; pango: WeasyPrint PDFs; poppler: PDF checks
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core fonts-noto-core \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b poppler-utils >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e ".[test,pdf]"
if [ ! -d node_modules/scorm-again ] || [ package.json -nt node_modules ]; then
  npm install --no-audit --no-fund --loglevel=error
  touch node_modules
fi
