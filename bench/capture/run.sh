#!/usr/bin/env bash
# Capture benchmark (not run by CI). Figures go to docs/capture.md.
#   bench/capture/run.sh BUILD_DIR [WORK_DIR] [RUNS]
# Needs: cc, libpcap-dev, tcpdump, tshark, /usr/bin/time (apt-get install tcpdump tshark time).
# mskprobe and tcpdump run in turn (RUNS each, default 7), so a busy machine slows both alike;
# each line gives the median wall time, the median CPU time (user + system) and the largest RSS.
set -euo pipefail
build=$(realpath "$1") work=${2:-/tmp/mskprobe-bench} runs=${3:-7}
src=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$work"
cc -O2 -Wall -Wextra -I"$src/tests/capture" -o "$work/gen" "$src/bench/capture/gen.c" "$src/tests/capture/craft.c" -lpcap
[[ -f $work/mixed.pcap ]] || "$work/gen" mixed "$work/mixed.pcap" 1100
[[ -f $work/flood.pcap ]] || "$work/gen" flood "$work/flood.pcap" 10000000
set +e
bpf='tcp or udp port 4789'
cat "$work/mixed.pcap" >/dev/null # warm the page cache
one() { # name command...: "name wall cpu rss_kb"
	local name=$1; shift
	/usr/bin/time -f "$name %e %U %S %M" "$@" 2>&1 >/dev/null | tail -1 | awk '{ print $1, $2, $3 + $4, $5 }'
}
size=$(stat -c %s "$work/mixed.pcap") fsize=$(stat -c %s "$work/flood.pcap")
pkts=$("$build/mskprobe" capture -r "$work/mixed.pcap" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["packets"])' || true)
echo "file $size bytes, $pkts packets; $runs runs each, medians"
{
	for _ in $(seq "$runs"); do
		one mskprobe "$build/mskprobe" capture -r "$work/mixed.pcap" --filter "$bpf"
		one tcpdump tcpdump -r "$work/mixed.pcap" -w /dev/null "$bpf"
	done
	one tshark tshark -r "$work/mixed.pcap" -q -z conv,tcp
	one flood "$build/mskprobe" capture -r "$work/flood.pcap"
} | awk '{ w[$1] = w[$1] " " $2; c[$1] = c[$1] " " $3; if ($4 > r[$1]) r[$1] = $4; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
	function median(s,  a, k, i, j, t) { k = split(s, a, " "); for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((k + 1) / 2)] }
	END { for (i = 1; i <= n; i++) print order[i], median(w[order[i]]), median(c[order[i]]), r[order[i]] }' |
	while read -r name secs cpu rss; do
		b=$size p=$pkts
		[[ $name == flood ]] && b=$fsize p=10000000
		awk -v n="$name" -v s="$secs" -v c="$cpu" -v r="$rss" -v b="$b" -v p="$p" \
			'BEGIN { printf "%-9s %6.2f s (cpu %5.2f s) %7.0f MB/s %6.2f Mpkt/s %8.1f MB peak RSS\n", n, s, c, b/s/1e6, p/s/1e6, r/1024 }'
	done
