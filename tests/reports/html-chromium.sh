#!/usr/bin/env bash
# The HTML report in a real headless Chromium: it renders without scripts
# (the page has none and forbids them), the screenshot is a real page, and
# the DOM holds the clusters and findings while a hostile report's strings
# stay text (no element was injected). Exit 77 (skipped) without Chromium.
# usage: html-chromium.sh MSKPROBE SRCDIR
set -u
B=$1
SRC=$2
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "skip: $CHROMIUM not installed (scripts/bootstrap.sh)"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
run() { # url, extra args...
	local url=$1; shift
	timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$(mktemp -d -p "$T")" \
		"$@" "$url" 2>>"$T/chromium.log"
}
fail() { echo "FAIL: $*"; sed 's/^/# /' "$T/chromium.log" | tail -5; exit 1; }

"$B" report "$SRC/tests/reports/data/fleet.json" --format html --output "$T/fleet.html"
[ -s "$T/fleet.html" ] || fail "no HTML written"
(cd "$T" && run "file://$T/fleet.html" --window-size=1280,2000 --screenshot="$T/fleet.png" >/dev/null)
[ -f "$T/fleet.png" ] || fail "no screenshot"
size=$(stat -c %s "$T/fleet.png")
[ "$size" -gt 20000 ] || fail "screenshot only $size bytes: a blank page?"
head -c 8 "$T/fleet.png" | od -An -tx1 | grep -q "89 50 4e 47" || fail "not a PNG"
run "file://$T/fleet.html" --dump-dom >"$T/fleet.dom" || fail "dump-dom failed"
for want in "lab-kafka-2.2-zookeeper" "KAFKA_VERSION_BELOW_MINIMUM" "PCI DSS v4.0 4.2.1" \
	"team-orders" "Provenance" "non_compliant"; do
	grep -q "$want" "$T/fleet.dom" || fail "rendered page lacks '$want'"
done
"$B" report "$SRC/tests/reports/data/hostile.json" --format html --output "$T/hostile.html"
run "file://$T/hostile.html" --dump-dom >"$T/hostile.dom" || fail "dump-dom failed"
grep -qi "<script" "$T/hostile.dom" && fail "a script element was injected"
grep -q "&lt;script&gt;alert(1)&lt;/script&gt;" "$T/hostile.dom" || fail "hostile name not shown as text"
echo "ok: screenshot $size bytes, DOM checked, hostile strings inert"
