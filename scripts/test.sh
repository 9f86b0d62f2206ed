#!/usr/bin/env bash
# Install everything the test suite needs into .venv and run it, browser tests included.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-dejavu-core fonts-liberation2 >/dev/null
  else
    echo "Chromium is needed for the browser tests: sudo apt-get install chromium chromium-driver" >&2
    exit 1
  fi
fi

python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[test]"
.venv/bin/ruff check .
BAROMETER_REQUIRE_BROWSER=1 .venv/bin/python -m pytest "$@"
