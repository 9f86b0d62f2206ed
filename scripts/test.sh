#!/usr/bin/env bash
# Install everything the test suite needs into .venv and run it, browser tests included.
# System services the tests start themselves: Chromium (browser tests), redis-server (shared cache,
# Celery broker), nginx (the deployment test). As root, missing Debian packages are installed.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(chromium chromium-driver fonts-dejavu-core fonts-liberation2 redis-server nginx)
missing=()
for cmd in chromium redis-server nginx; do
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("$cmd")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
  else
    echo "Missing ${missing[*]}; install with: sudo apt-get install ${PACKAGES[*]}" >&2
    exit 1
  fi
fi

python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[test]"
.venv/bin/ruff check .
BAROMETER_REQUIRE_BROWSER=1 BAROMETER_REQUIRE_SERVICES=1 .venv/bin/python -m pytest "$@"
