#!/usr/bin/env bash
# Install everything the build and the test suite need on a fresh Debian machine (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
# chromium: browser tests; fonts (Latin and Arabic): screenshots and module PDFs; Pango,
# HarfBuzz with its font subsetter, and fontconfig: the libraries WeasyPrint loads to make the
# module PDFs (without libharfbuzz-subset0 it warns on import); poppler: PDF checks in tests;
# faketime: the reproducible-build test runs a build under another clock.
DEBIAN_PACKAGES=(chromium fonts-dejavu-core fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b
  libharfbuzz-subset0 libfontconfig1 poppler-utils faketime)
missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e ".[test,pdf]"
if [ ! -d node_modules/scorm-again ] || [ package.json -nt node_modules ]; then
  npm install --no-audit --no-fund --loglevel=error
  touch node_modules
fi
