#!/bin/sh
# Screenshot an HTML report in headless Chromium (Debian package `chromium`):
#   scripts/screenshot-report.sh lrgate-report-3.html report.png [width,height]
# The flags keep Chromium off the network (no background fetches, updates or sync) and out of the
# user's profile, so it works in CI containers and sandboxes.
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 <report.html> <screenshot.png> [width,height]" >&2
  exit 2
fi
html=$(realpath "$1")
png=$(realpath -m "$2")
size=${3:-1280,2000}
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "$chromium not found: apt-get install chromium (or set CHROMIUM)" >&2; exit 2; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$profile" --window-size="$size" \
  --screenshot="$png" "file://$html" 2>"$profile/chromium.log" || { cat "$profile/chromium.log" >&2; exit 1; }
[ -s "$png" ] || { echo "chromium wrote no screenshot" >&2; cat "$profile/chromium.log" >&2; exit 1; }
echo "$png"
