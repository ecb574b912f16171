#!/usr/bin/env bash
# Capture benchmark (not run by CI). Figures go to docs/capture.md.
#   bench/capture/run.sh BUILD_DIR [WORK_DIR] [RUNS]
# Needs: cc, libpcap-dev, tcpdump, tshark, /usr/bin/time (apt-get install tcpdump tshark time).
# SKIP_TSHARK=1 leaves tshark out (one run of it takes 10-20 s here); it is left out when not installed.
# With perf installed, CPU time is also measured with `perf stat -r RUNS -e task-clock` (milliseconds, mean of the
# runs): on a shared machine the wall time mostly measures the other work, the CPU time does not.
# The tools run in turn (RUNS rounds, default 7), so a busy machine slows each alike; each line gives the median
# wall time, the median CPU time (user + system) and the largest RSS. "mskprobe" reads a classic pcap in place
# (mmap, the default reader); "mskprobe-libpcap" is the same run through libpcap's reads (--reader libpcap).
# The goal figure is mskprobe against tcpdump with the same filter ('tcp port 2181'); memory must not grow with the
# file (mixed-2x is a file twice as large).
set -euo pipefail
build=$(realpath "$1") work=${2:-/tmp/mskprobe-bench} runs=${3:-7}
src=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$work"
cc -O2 -Wall -Wextra -I"$src/tests/capture" -o "$work/gen" "$src/bench/capture/gen.c" "$src/tests/capture/craft.c" -lpcap
[[ -f $work/mixed.pcap ]] || "$work/gen" mixed "$work/mixed.pcap" 600
[[ -f $work/mixed-2x.pcap ]] || "$work/gen" mixed "$work/mixed-2x.pcap" 1200
[[ -f $work/flood.pcap ]] || "$work/gen" flood "$work/flood.pcap" 10000000
set +e
m=$build/mskprobe f=$work/mixed.pcap
zk='tcp port 2181' all='tcp or udp port 4789'
cat "$f" "$work/mixed-2x.pcap" >/dev/null # warm the page cache
one() { # name command...: "name wall cpu rss_kb"
	local name=$1; shift
	/usr/bin/time -f "$name %e %U %S %M" "$@" 2>&1 >/dev/null | tail -1 | awk '{ print $1, $2, $3 + $4, $5 }'
}
size=$(stat -c %s "$f") size2=$(stat -c %s "$work/mixed-2x.pcap") fsize=$(stat -c %s "$work/flood.pcap")
pkts=$("$m" capture -r "$f" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["packets"])' || true)
pkts2=$("$m" capture -r "$work/mixed-2x.pcap" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["packets"])' || true)
echo "file $size bytes, $pkts packets (mixed-2x: $size2 bytes, $pkts2 packets); $runs runs each, medians"
{
	for _ in $(seq "$runs"); do
		one mskprobe "$m" capture -r "$f" --filter "$zk"
		one mskprobe-libpcap "$m" capture -r "$f" --filter "$zk" --reader libpcap
		one tcpdump tcpdump -r "$f" -w /dev/null "$zk"
		one mskprobe-all "$m" capture -r "$f" --filter "$all"
		one tcpdump-all tcpdump -r "$f" -w /dev/null "$all"
		one mixed-2x "$m" capture -r "$work/mixed-2x.pcap" --filter "$zk"
	done
	[[ ${SKIP_TSHARK:-} == 1 ]] || ! command -v tshark >/dev/null || one tshark tshark -r "$f" -q -z conv,tcp
	one flood "$m" capture -r "$work/flood.pcap"
} | awk '{ w[$1] = w[$1] " " $2; c[$1] = c[$1] " " $3; if ($4 > r[$1]) r[$1] = $4; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
	function median(s,  a, k, i, j, t) { k = split(s, a, " "); for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((k + 1) / 2)] }
	END { for (i = 1; i <= n; i++) print order[i], median(w[order[i]]), median(c[order[i]]), r[order[i]] }' |
	while read -r name secs cpu rss; do
		b=$size p=$pkts
		[[ $name == mixed-2x ]] && b=$size2 p=$pkts2
		[[ $name == flood ]] && b=$fsize p=10000000
		awk -v n="$name" -v s="$secs" -v c="$cpu" -v r="$rss" -v b="$b" -v p="$p" \
			'BEGIN { printf "%-17s %6.2f s (cpu %5.2f s) %7.0f MB/s %6.2f Mpkt/s %8.1f MB peak RSS\n", n, s, c, b/s/1e6, p/s/1e6, r/1024 }'
	done
if command -v perf >/dev/null; then
	ms() { # name command...: "name: N ms CPU (mean of RUNS)"
		local name=$1; shift
		perf stat -r "$runs" -x, -e task-clock "$@" 2>&1 >/dev/null | awk -F, -v n="$name" -v r="$runs" \
			'$3 == "task-clock" || $3 ~ /^task-clock/ { printf "%-17s %7.1f ms CPU (perf task-clock, mean of %d)\n", n, $1, r }'
	}
	ms mskprobe "$m" capture -r "$f" --filter "$zk"
	ms mskprobe-libpcap "$m" capture -r "$f" --filter "$zk" --reader libpcap
	ms tcpdump tcpdump -r "$f" -w /dev/null "$zk"
	ms cat cat "$f"
fi
