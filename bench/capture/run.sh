#!/usr/bin/env bash
# Capture benchmark (not run by CI). Figures go to docs/capture.md.
#   bench/capture/run.sh BUILD_DIR [WORK_DIR] [RUNS]
# Needs: cc, libpcap-dev, tcpdump, tshark, /usr/bin/time (apt-get install tcpdump tshark time).
# SKIP_TSHARK=1 leaves tshark out (one run of it takes 10-20 s here); it is left out when not installed.
# With perf installed, CPU time is also measured with perf's task-clock (milliseconds, median of RUNS runs, two
# page-cache states, with bare walks of the file by bench/capture/walk.c for the floor): on a shared machine the
# wall time mostly measures the other work, the CPU time does not.
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
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)" # the figures depend on it
{
	for _ in $(seq "$runs"); do
		one mskprobe "$m" capture -r "$f" --filter "$zk"
		one mskprobe-libpcap "$m" capture -r "$f" --filter "$zk" --reader libpcap
		one tcpdump tcpdump -r "$f" -w /dev/null "$zk"
		one mskprobe-all "$m" capture -r "$f" --filter "$all"
		one tcpdump-all tcpdump -r "$f" -w /dev/null "$all"
		one mixed-2x "$m" capture -r "$work/mixed-2x.pcap" --filter "$zk"
		# the reader alone (no packet matches: no flows, an empty report): its memory against the file's size
		one reader-only "$m" capture -r "$f" --filter 'tcp port 1'
		one reader-only-2x "$m" capture -r "$work/mixed-2x.pcap" --filter 'tcp port 1'
	done
	[[ ${SKIP_TSHARK:-} == 1 ]] || ! command -v tshark >/dev/null || one tshark tshark -r "$f" -q -z conv,tcp
	one flood "$m" capture -r "$work/flood.pcap"
} | awk '{ w[$1] = w[$1] " " $2; c[$1] = c[$1] " " $3; if ($4 > r[$1]) r[$1] = $4; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
	function median(s,  a, k, i, j, t) { k = split(s, a, " "); for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((k + 1) / 2)] }
	END { for (i = 1; i <= n; i++) print order[i], median(w[order[i]]), median(c[order[i]]), r[order[i]] }' |
	while read -r name secs cpu rss; do
		b=$size p=$pkts
		[[ $name == mixed-2x || $name == reader-only-2x ]] && b=$size2 p=$pkts2
		[[ $name == flood ]] && b=$fsize p=10000000
		awk -v n="$name" -v s="$secs" -v c="$cpu" -v r="$rss" -v b="$b" -v p="$p" \
			'BEGIN { printf "%-17s %6.2f s (cpu %5.2f s) %7.0f MB/s %6.2f Mpkt/s %8.1f MB peak RSS\n", n, s, c, b/s/1e6, p/s/1e6, r/1024 }'
	done
if command -v perf >/dev/null; then
	# CPU time from perf's task-clock, per run, median of RUNS; the commands run in turn so each
	# sees the same load and the same page cache. The page cache decides much of it: a file
	# written in 4 KiB pieces (gen's stdio, tcpdump -w) stays cached in 4 KiB folios, one written
	# in large pieces or read back from disk (readahead) in folios of up to 2 MiB; every reader
	# pays per folio (mapping it, or copying out of it), so both states are measured: mixed.pcap
	# as gen wrote it, and mixed-big.pcap, the same bytes written with dd bs=4M.
	big=$work/mixed-big.pcap
	[[ -f $big ]] || dd if="$f" of="$big" bs=4M status=none
	cat "$big" >/dev/null
	cc -O2 -Wall -Wextra -o "$work/walk" "$src/bench/capture/walk.c"
	for file in "$f" "$big"; do # folio sizes (root: /proc/kpageflags)
		echo "$(basename "$file"): page cache $("$work/walk" folios "$file" 2>/dev/null | tr '\n' ';' || echo '?')"
	done
	cpu() { # one run: task-clock ms
		perf stat -x, -e task-clock "$@" 2>&1 >/dev/null | awk -F, '$3 ~ /^task-clock/ { print $1 }'
	}
	for _ in $(seq "$runs"); do
		cat "$f" "$big" >/dev/null # what the machine evicted meanwhile comes back (in large folios)
		for file in "$f" "$big"; do
			b=$(basename "$file" .pcap)
			echo "$b mskprobe $(cpu "$m" capture -r "$file" --filter "$zk")"
			echo "$b mskprobe-libpcap $(cpu "$m" capture -r "$file" --filter "$zk" --reader libpcap)"
			echo "$b tcpdump $(cpu tcpdump -r "$file" -w /dev/null "$zk")"
			echo "$b cat $(cpu cat "$file")"
			echo "$b walk-mmap $(PF=16384 cpu "$work/walk" chunk-pop "$file")"
			echo "$b walk-read $(cpu "$work/walk" read "$file")"
		done
	done | awk '{ k = $1 " " $2; v[k] = v[k] " " $3; if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
		function median(s,  a, k, i, j, t) { k = split(s, a, " "); for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((k + 1) / 2)] }
		END { for (i = 1; i <= n; i++) { split(order[i], q, " "); m = median(v[order[i]]); if (q[2] == "tcpdump") td[q[1]] = m; med[i] = m }
		      for (i = 1; i <= n; i++) { split(order[i], q, " "); printf "%-12s %-17s %7.1f ms CPU (task-clock, median)  tcpdump/this %.2f\n", q[1], q[2], med[i], td[q[1]] / med[i] } }'
	# Wall time, the figure the issue asks for: the commands in turn, RUNS rounds, the median. Run as root,
	# each command runs SCHED_FIFO (chrt -f 10) so the other jobs of a shared machine do not decide it (both
	# tools alike); without root, as they come. mskprobe's reader has two threads (the walker and the mapping
	# thread), tcpdump one.
	rt=(); [[ $(id -u) == 0 ]] && command -v chrt >/dev/null && rt=(chrt -f 10)
	wall() { # one run: wall ms
		local t0 t1; t0=$(date +%s%N); "${rt[@]}" "$@" >/dev/null 2>&1; t1=$(date +%s%N)
		echo $(( (t1 - t0) / 1000 ))
	}
	for _ in $(seq "$runs"); do
		cat "$f" "$big" >/dev/null
		for file in "$f" "$big"; do
			b=$(basename "$file" .pcap)
			echo "$b mskprobe $(wall "$m" capture -r "$file" --filter "$zk")"
			echo "$b tcpdump $(wall tcpdump -r "$file" -w /dev/null "$zk")"
		done
	done | awk -v rt="${rt[*]:-as they come}" '{ k = $1 " " $2; v[k] = v[k] " " $3; if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
		function median(s,  a, k, i, j, t) { k = split(s, a, " "); for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((k + 1) / 2)] }
		END { for (i = 1; i <= n; i++) { split(order[i], q, " "); m = median(v[order[i]]); if (q[2] == "tcpdump") td[q[1]] = m; med[i] = m }
		      for (i = 1; i <= n; i++) { split(order[i], q, " "); printf "%-12s %-17s %7.1f ms wall (median, %s)  tcpdump/this %.2f\n", q[1], q[2], med[i] / 1000, rt, td[q[1]] / med[i] } }'
	for file in "$f" "$big"; do # again: the state the runs ended in
		echo "$(basename "$file") after: page cache $("$work/walk" folios "$file" 2>/dev/null | tr '\n' ';' || echo '?')"
	done
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
