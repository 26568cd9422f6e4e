#!/usr/bin/env bash
# The browser of the explorer's test (test/explorer/): Debian's Chromium package, driven
# by puppeteer-core (no browser download). Installed when missing and we are root with
# apt-get; otherwise a note says how, and the browser test skips (except under CI=true).
set -euo pipefail

for candidate in "${HIGHWAY_CHROMIUM:-}" chromium chromium-browser; do
  if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1; then exit 0; fi
done
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing Chromium (Debian package) for the explorer's browser test"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null; }
else
  echo "setup: Chromium is missing, so the explorer's browser test will skip: install it with \`sudo apt-get install -y chromium\` (or set HIGHWAY_CHROMIUM to a Chromium executable)"
fi
