#!/usr/bin/env bash
# Progress lines (cmd/cli_common.c cli_progress): drawn on stderr when it is
# a terminal (a pty from util-linux `script`), with the counts a person
# needs (bytes read of the file's size for `capture -r FILE`, endpoints done
# of known for `scan`), wiped at the end; never a byte of it when stderr is
# a pipe or a file. The scan's one endpoint is a closed loopback port.
#
# usage: progress.sh MSKPROBE MKPCAPS
set -uo pipefail
mskprobe=$1 mkpcaps=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v script >/dev/null || { echo "1..0 # SKIP util-linux script is not installed"; exit 0; }
"$mkpcaps" "$tmp" >/dev/null || { echo "Bail out! mkpcaps failed"; exit 1; }
pcap=$tmp/tls.pcap
size=$(stat -c %s "$pcap")

n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }
# cli_bytes: "812 B", "4.0 kB", ...
human() { awk -v b="$1" 'BEGIN { if (b < 1000) printf "%d B", b;
  else if (b < 1e6) printf "%.1f kB", b / 1e3; else printf "%.1f MB", b / 1e6 }'; }

# capture -r FILE on a terminal: stdout goes to the report file, so the
# typescript holds stderr only
script -qec "'$mskprobe' capture -r '$pcap' -o '$tmp/cap.json'" /dev/null </dev/null >"$tmp/cap.tty" 2>&1
tr '\r' '\n' <"$tmp/cap.tty" >"$tmp/cap.lines"
check "capture on a tty shows bytes read of the file's size" \
  "grep -q 'capture: $(human "$size") of $(human "$size") read (100%), [0-9][0-9]* packets' '$tmp/cap.lines'"
# the line is rewritten in place: no newline, the last bytes blank it out
wiped() { [ "$(tail -c 1 "$1")" = $'\r' ] && [ -z "$(tr '\r' '\n' <"$1" | tail -n 1 | tr -d ' ')" ]; }
check "capture's progress line is rewritten with CR, never a newline" \
  "[ \"\$(tr -cd '\\n' <'$tmp/cap.tty' | wc -c)\" -eq 0 ] && [ \"\$(tr -cd '\\r' <'$tmp/cap.tty' | wc -c)\" -ge 3 ]"
check "capture's progress line is wiped at the end (CR, blanks, CR)" "wiped '$tmp/cap.tty'"
check "capture on a tty still writes its report" "grep -q '\"flows\"' '$tmp/cap.json'"

# the same with stderr a pipe and a file: not one byte of progress
"$mskprobe" capture -r "$pcap" -o "$tmp/cap2.json" 2>&1 | cat >"$tmp/cap.pipe"
check "capture with stderr a pipe prints no progress" "[ ! -s '$tmp/cap.pipe' ]"
"$mskprobe" capture -r "$pcap" -o "$tmp/cap3.json" 2>"$tmp/cap.err"
check "capture with stderr a file prints no progress" "[ ! -s '$tmp/cap.err' ]"

# scan on a terminal: one endpoint, refused at once on loopback
scan=(scan --bootstrap 127.0.0.1:1 --no-discovery --timeout-ms 2000 --format json)
script -qec "'$mskprobe' ${scan[*]} --output '$tmp/scan.json'" /dev/null </dev/null >"$tmp/scan.tty" 2>&1
tr '\r' '\n' <"$tmp/scan.tty" >"$tmp/scan.lines"
check "scan on a tty shows endpoints done of known" \
  "grep -q '^scan: 1 of 1 endpoints done, 1 cluster(s)' '$tmp/scan.lines'"
check "scan's progress line is wiped at the end" "wiped '$tmp/scan.tty'"
check "scan on a tty still writes its report" "grep -q '127.0.0.1' '$tmp/scan.json'"
"$mskprobe" "${scan[@]}" --output "$tmp/scan2.json" 2>&1 | cat >"$tmp/scan.pipe"
check "scan with stderr a pipe prints no progress" "! grep -q 'endpoints done' '$tmp/scan.pipe' && ! grep -q \$'\\r' '$tmp/scan.pipe'"

echo "1..$n"
[ "$fails" -eq 0 ]
