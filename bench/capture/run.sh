#!/usr/bin/env bash
# Capture benchmark (not run by CI). Figures go to docs/capture.md.
#   bench/capture/run.sh BUILD_DIR [WORK_DIR]
# Needs: cc, libpcap-dev, tcpdump, tshark, /usr/bin/time (apt-get install tcpdump tshark time).
set -euo pipefail
build=$(realpath "$1") work=${2:-/tmp/mskprobe-bench}
src=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$work"
cc -O2 -Wall -Wextra -I"$src/tests/capture" -o "$work/gen" "$src/bench/capture/gen.c" "$src/tests/capture/craft.c" -lpcap
[[ -f $work/mixed.pcap ]] || "$work/gen" mixed "$work/mixed.pcap" 1100
[[ -f $work/flood.pcap ]] || "$work/gen" flood "$work/flood.pcap" 10000000
set +e
bpf='tcp or udp port 4789'
cat "$work/mixed.pcap" >/dev/null # warm the page cache
median() { sort -n | sed -n "$((($1 + 1) / 2))p"; }
run() { # name runs command...: median "seconds max_rss_kb"
	local name=$1 n=$2; shift 2
	for _ in $(seq "$n"); do /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1; done | median "$n" | sed "s/^/$name /"
}
size=$(stat -c %s "$work/mixed.pcap") fsize=$(stat -c %s "$work/flood.pcap")
pkts=$("$build/mskprobe" capture -r "$work/mixed.pcap" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["packets"])' || true)
echo "file $size bytes, $pkts packets"
{
	run mskprobe 5 "$build/mskprobe" capture -r "$work/mixed.pcap" --filter "$bpf"
	run tcpdump 5 tcpdump -r "$work/mixed.pcap" -w /dev/null "$bpf"
	run tshark 1 tshark -r "$work/mixed.pcap" -q -z conv,tcp
	run flood 1 "$build/mskprobe" capture -r "$work/flood.pcap"
} | while read -r name secs rss; do
	b=$size p=$pkts
	[[ $name == flood ]] && b=$fsize p=10000000
	awk -v n="$name" -v s="$secs" -v r="$rss" -v b="$b" -v p="$p" \
		'BEGIN { printf "%-9s %7.2f s %8.0f MB/s %6.2f Mpkt/s %8.1f MB peak RSS\n", n, s, b/s/1e6, p/s/1e6, r/1024 }'
done
