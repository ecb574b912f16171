#!/usr/bin/env bash
# Builds of mskprobe (and tcpdump) in turn on one file: wall and CPU time, the figures docs/capture.md compares.
#   bench/capture/cmp.sh FILE RUNS MSKPROBE... [tcpdump]
# Each round runs every command twice, one after the other: once timed by `date +%s%N` around it (wall), once
# under perf's task-clock (CPU, all threads); as root each run is SCHED_FIFO (chrt -f 50), so the other jobs of a
# shared machine wait (both tools alike). Filter 'tcp port 2181'. Prints the median and the minimum of RUNS, and
# the load average before and after (the figures depend on it).
set -euo pipefail
[[ $# -ge 3 ]] || { echo "usage: bench/capture/cmp.sh FILE RUNS MSKPROBE... [tcpdump]" >&2; exit 2; }
f=$1 runs=$2; shift 2
rt=(); [[ $(id -u) == 0 ]] && command -v chrt >/dev/null && rt=(chrt -f 50)
cat "$f" >/dev/null # warm the page cache
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores); ${rt[*]:-no SCHED_FIFO (not root)}"
for _ in $(seq "$runs"); do
	for b in "$@"; do
		if [[ $b == tcpdump ]]; then cmd=(tcpdump -r "$f" -w /dev/null 'tcp port 2181') name=tcpdump
		else cmd=("$b" capture -r "$f" --filter 'tcp port 2181') name=$b; fi
		t0=$(date +%s%N); "${rt[@]}" "${cmd[@]}" >/dev/null 2>&1 || true; t1=$(date +%s%N)
		echo "wall $name $(( (t1 - t0) / 1000 ))"
		c=$("${rt[@]}" perf stat -x, -e task-clock "${cmd[@]}" 2>&1 >/dev/null | awk -F, '$3 ~ /^task-clock/ { print $1 * 1000 }' || true)
		echo "cpu $name ${c%.*}"
	done
done | python3 -c '
import sys, collections
v = collections.defaultdict(list)
for line in sys.stdin:
    m, k, us = line.split()
    v[(m, k)].append(int(us) / 1000)
for (m, k), a in v.items():
    a.sort()
    print("%-4s %-40s median %7.1f ms  min %7.1f ms  (%d runs)" % (m, k, a[len(a) // 2], a[0], len(a)))
'
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
