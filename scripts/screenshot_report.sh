#!/usr/bin/env bash
# Render an evaluation HTML report in headless Chromium and save a PNG, to check it by eye.
# Usage: scripts/screenshot_report.sh REPORT.html OUT.png [HEIGHT]
# Installs Debian's chromium and a CJK font when they are missing (needs root and apt).
set -euo pipefail
report=$(realpath "$1"); out=$2; height=${3:-4000}
if ! command -v chromium >/dev/null; then apt-get update -qq && apt-get install -y -qq chromium; fi
if ! fc-list :lang=zh | grep -q .; then apt-get install -y -qq fonts-noto-cjk; fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --window-size=1200,"$height" \
  --screenshot="$out" "file://$report" 2>/dev/null
echo "wrote $out"
