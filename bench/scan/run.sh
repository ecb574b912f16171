#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The scan benchmark (docs/bench-scan.md): how long, how much CPU and how
# much memory `mskprobe scan` needs for 500 loopback endpoints, a share of
# them silent or dead, beside `kcat -L` doing the same per endpoint.
#
#   bench/scan/run.sh            # about 4 minutes; not run by CI
#
# Environment (defaults in brackets):
#   BUILD       release build folder [/tmp/mskprobe-bench-build]
#   OUT         results folder [$BUILD/bench-scan]
#   RUNS        runs per measurement, the median is reported [3]
#   ANSWERING TLS SILENT DEAD   stand-in mix [400 40 50 50]; TLS is a share of ANSWERING
#   MOCKS       librdkafka mock clusters of the second scenario [400]
#   SEQ_SAMPLE  endpoints of the sequential kcat run over the stand-ins [50]
#               (each costs kcat its whole -m timeout; the figures are scaled up)
#   TIMEOUT_MS  mskprobe --timeout-ms; kcat gets -m TIMEOUT_MS/1000 [2000]
#   SCALE       endpoints of the scale case, 0 to skip it [10000]: a third
#               silent, a third dead, the rest answering (a tenth of them
#               TLS), as an inventory of clusters of 50, scanned with
#               --concurrency SCALE_CONC [256] (mskprobe only)
#   ONLY_SCALE  1: run the scale case alone [0]
#   SCALE_WRAP  a command the scale case's mskprobe runs under, to see where
#               its memory goes [none], e.g. SCALE_WRAP="heaptrack -o /tmp/h"
#               (then its figures are the profiler's, not mskprobe's)
#
# Results: $OUT/raw.tsv (every run) and $OUT/results.md (medians), printed
# at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-/tmp/mskprobe-bench-build}
OUT=${OUT:-$BUILD/bench-scan}
RUNS=${RUNS:-3}
ANSWERING=${ANSWERING:-400}
TLS=${TLS:-40}
SILENT=${SILENT:-50}
DEAD=${DEAD:-50}
MOCKS=${MOCKS:-400}
SEQ_SAMPLE=${SEQ_SAMPLE:-50}
TIMEOUT_MS=${TIMEOUT_MS:-2000}
SCALE=${SCALE:-10000}
SCALE_CONC=${SCALE_CONC:-256}
ONLY_SCALE=${ONLY_SCALE:-0}
read -r -a SCALE_WRAP <<<"${SCALE_WRAP:-}"
KCAT_M=$(( (TIMEOUT_MS + 999) / 1000 ))

log() { printf 'bench-scan: %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }

# --- tools -----------------------------------------------------------------
need_pkg() { # command package
	command -v "$1" >/dev/null 2>&1 && return 0
	[ "$(id -u)" = 0 ] || die "$1 missing: apt-get install $2"
	log "installing $2"
	apt-get install -y -q "$2" >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "$2" >/dev/null; } ||
		die "could not install $2"
}
need_pkg kcat kcat
[ -x /usr/bin/time ] || need_pkg /usr/bin/time time
need_pkg python3 python3
need_pkg meson meson
need_pkg ninja ninja-build

# --- build -----------------------------------------------------------------
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" "$ROOT" -Dbuildtype=release >"$BUILD.setup.log" 2>&1 ||
		die "meson setup failed, see $BUILD.setup.log"
fi
[ "$(meson introspect --buildoptions "$BUILD" | python3 -c \
	'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="buildtype"][0])')" = release ] ||
	die "$BUILD is not a release build (meson configure $BUILD -Dbuildtype=release)"
ninja -C "$BUILD" mskprobe bench/scan/standin-serve bench/scan/mock-serve >"$BUILD.ninja.log" 2>&1 ||
	die "build failed (is subdir('bench') in the root meson.build?), see $BUILD.ninja.log"
MSKPROBE=$BUILD/mskprobe
STANDIN=$BUILD/bench/scan/standin-serve
MOCKSERVE=$BUILD/bench/scan/mock-serve

# Each endpoint in flight is a descriptor, in the servers and in the clients.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

rm -rf "$OUT"
mkdir -p "$OUT/pki" "$OUT/tmp"
RAW=$OUT/raw.tsv
printf 'scenario\ttool\trun\tendpoints\twall_s\tuser_s\tsys_s\tmaxrss_kb\tanswered\tnote\n' >"$RAW"

# --- servers ---------------------------------------------------------------
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

wait_file() { # file pid
	for _ in $(seq 300); do
		[ -s "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || die "server $2 exited before writing $1"
		sleep 0.1
	done
	die "timed out waiting for $1"
}

"$STANDIN" --manifest "$OUT/standins.tsv" --answering "$ANSWERING" --tls "$TLS" \
	--silent "$SILENT" --dead "$DEAD" --pki-dir "$OUT/pki" \
	>"$OUT/standin-stats.log" 2>"$OUT/standin-serve.log" &
STANDIN_PID=$!
PIDS+=("$STANDIN_PID")
"$MOCKSERVE" --manifest "$OUT/mocks.tsv" --clusters "$MOCKS" \
	>/dev/null 2>"$OUT/mock-serve.log" &
PIDS+=("$!")
wait_file "$OUT/standins.tsv" "$STANDIN_PID"
wait_file "$OUT/mocks.tsv" "${PIDS[1]}"
CA=$OUT/pki/ca.pem

# --- measuring -------------------------------------------------------------
# timed SCENARIO TOOL RUN N NOTE ANSWER-CMD -- CMD...: one measured run;
# ANSWER-CMD (a shell function name) prints how many endpoints answered.
timed() {
	local scen=$1 tool=$2 run=$3 n=$4 note=$5 count=$6
	shift 7
	local tf=$OUT/tmp/time.$$
	/usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" || true
	# GNU time puts "Command exited with non-zero status N" first
	read -r wall usr sys rss < <(tail -n 1 "$tf")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scen" "$tool" "$run" "$n" \
		"$wall" "$usr" "$sys" "$rss" "$("$count")" "$note" >>"$RAW"
	log "$scen / $tool / run $run: ${wall}s wall, ${usr}+${sys}s CPU, ${rss} KB"
}

# Endpoints with an ApiVersions table in the last mskprobe report.
mskprobe_answered() {
	python3 - "$OUT/tmp/report.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print(sum(1 for c in r["clusters"] for b in c["kafka"]["brokers"]
          if b.get("api_versions") is not None and not b.get("error")))
EOF
}

# kcat: endpoints whose Metadata arrived (stdout names the answering
# broker); "/N up" adds the endpoints whose connection reached librdkafka's
# UP state, i.e. whose ApiVersions exchange (and TLS handshake) succeeded.
kcat_answered() {
	local md up
	md=$( { grep -o 'from broker [0-9]*: [0-9.]*:[0-9]*' "$OUT/tmp/kcat.out" || true; } |
		sort -u | wc -l)
	up=$( { grep -o 'from broker [0-9]*: [0-9.]*:[0-9]*' "$OUT/tmp/kcat.out" || true
		grep -o '[0-9.]*:[0-9]*/bootstrap: .*in state UP' "$OUT/tmp/kcat.err" || true; } |
		sed 's|/bootstrap.*||; s|.*: ||' | sort -u | wc -l)
	printf '%s metadata / %s up' "$md" "$up"
}

# One kcat argument line per manifest line: "-b EP" and, for TLS stand-ins,
# the TLS settings (kcat is told what mskprobe finds out by itself).
kcat_args() { # manifest
	awk -F'\t' -v ca="$CA" '{ printf "-b %s", $1
		if ($2 == "tls") printf " -X security.protocol=ssl -X ssl.ca.location=%s", ca
		printf "\n" }' "$1"
}

kcat_seq() { # argsfile
	while read -r -a a; do
		kcat -L -m "$KCAT_M" "${a[@]}" || true
	done <"$1" >"$OUT/tmp/kcat.out" 2>"$OUT/tmp/kcat.err"
}

kcat_par() { # argsfile parallelism
	xargs -P "$2" -L 1 kcat -L -m "$KCAT_M" <"$1" >"$OUT/tmp/kcat.out" 2>"$OUT/tmp/kcat.err" || true
}

# scenario NAME MANIFEST SEQ-MANIFEST SEQ-NOTE
scenario() {
	local name=$1 man=$2 seqman=$3 seqnote=$4 n list c r
	n=$(wc -l <"$man")
	list=$(cut -f1 "$man" | paste -sd, -)
	kcat_args "$man" >"$OUT/tmp/args.$name"
	kcat_args "$seqman" >"$OUT/tmp/seqargs.$name"
	for c in 64 "$n"; do
		for r in $(seq "$RUNS"); do
			timed "$name" "mskprobe scan --concurrency $c" "$r" "$n" "" mskprobe_answered -- \
				"$MSKPROBE" scan --bootstrap "$list" --no-discovery \
				--timeout-ms "$TIMEOUT_MS" --concurrency "$c" --ca-file "$CA" \
				--format json --output "$OUT/tmp/report.json"
		done
	done
	for r in $(seq "$RUNS"); do
		timed "$name" "kcat -L, xargs -P 64" "$r" "$n" "" kcat_answered -- \
			bash -c "$(declare -f kcat_par); OUT='$OUT' KCAT_M=$KCAT_M kcat_par '$OUT/tmp/args.$name' 64"
	done
	local seqruns=$RUNS
	[ -n "$seqnote" ] && seqruns=1
	for r in $(seq "$seqruns"); do
		timed "$name" "kcat -L, sequential" "$r" "$(wc -l <"$seqman")" "$seqnote" kcat_answered -- \
			bash -c "$(declare -f kcat_seq); OUT='$OUT' KCAT_M=$KCAT_M kcat_seq '$OUT/tmp/seqargs.$name'"
	done
}

# Sequential kcat over the stand-ins pays its full -m timeout on every
# endpoint (none answers Metadata), so it runs on a sample with the same mix:
# the first SEQ_SAMPLE*share lines of each kind of the (shuffled) manifest.
N_STANDINS=$(wc -l <"$OUT/standins.tsv")
awk -F'\t' -v s="$SEQ_SAMPLE" -v n="$N_STANDINS" '
	NR == FNR { total[$2]++; next }
	{ if (taken[$2] < int(total[$2] * s / n + 0.5)) { taken[$2]++; print } }' \
	"$OUT/standins.tsv" "$OUT/standins.tsv" >"$OUT/standins-sample.tsv"

# The scale case: SCALE endpoints as an inventory (one --bootstrap list holds
# at most 1024), clusters of 50 as in a fleet, mskprobe alone.
scale() {
	local silent=$((SCALE / 3)) dead=$((SCALE / 3)) ans r
	ans=$((SCALE - silent - dead))
	mkdir -p "$OUT/scale-pki"
	"$STANDIN" --manifest "$OUT/scale.tsv" --answering "$ans" --tls "$((ans / 10))" \
		--silent "$silent" --dead "$dead" --pki-dir "$OUT/scale-pki" \
		>/dev/null 2>"$OUT/scale-serve.log" &
	PIDS+=("$!")
	wait_file "$OUT/scale.tsv" "$!"
	python3 - "$OUT/scale.tsv" "$OUT/scale-inventory.json" <<'PY'
import json, sys
eps = [l.split("\t")[0] for l in open(sys.argv[1])]
arn = "arn:aws:kafka:us-east-1:123456789012:cluster/"
inv = [{"ClusterType": "PROVISIONED", "ClusterName": "scale-%04d" % (i // 50), "State": "ACTIVE",
        "ClusterArn": "%sscale-%04d/%08d" % (arn, i // 50, i), "Tags": {"Owner": "bench"},
        "BootstrapBrokers": {"BootstrapBrokerString": ",".join(eps[i:i + 50])}}
       for i in range(0, len(eps), 50)]
json.dump({"ClusterInfoList": inv}, open(sys.argv[2], "w"))
PY
	for r in $(seq "$RUNS"); do
		timed scale "mskprobe scan --inventory (clusters of 50) --concurrency $SCALE_CONC" "$r" \
			"$SCALE" "" mskprobe_answered -- \
			${SCALE_WRAP[@]+"${SCALE_WRAP[@]}"} "$MSKPROBE" scan --inventory "$OUT/scale-inventory.json" --no-discovery \
			--timeout-ms "$TIMEOUT_MS" --concurrency "$SCALE_CONC" \
			--ca-file "$OUT/scale-pki/ca.pem" --format json --output "$OUT/tmp/report.json"
	done
}

T0=$(date +%s)
if [ "$ONLY_SCALE" != 1 ]; then
	kill -USR1 "$STANDIN_PID"
	scenario standins "$OUT/standins.tsv" "$OUT/standins-sample.tsv" \
		"sample of $(wc -l <"$OUT/standins-sample.tsv"), 1 run"
	kill -USR1 "$STANDIN_PID"
	scenario mocks "$OUT/mocks.tsv" "$OUT/mocks.tsv" ""
fi
if [ "$SCALE" -gt 0 ]; then scale; fi
log "measured in $(( $(date +%s) - T0 )) s"

# --- report ----------------------------------------------------------------
{
	echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')," \
		"$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), Linux $(uname -r)"
	echo "$("$MSKPROBE" --version 2>&1 | head -1) ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))," \
		"kcat $(kcat -V 2>&1 | sed -n 's/^Version \([^ ]*\).*librdkafka \([^ ]*\).*/\1 (librdkafka \2)/p')"
	echo "mix: $ANSWERING answering stand-ins ($TLS TLS), $SILENT silent, $DEAD dead; $MOCKS mock clusters;" \
		"scale: $SCALE endpoints, a third silent, a third dead;" \
		"--timeout-ms $TIMEOUT_MS / kcat -m $KCAT_M; median of $RUNS runs"
	echo
	python3 - "$RAW" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
groups = {}
for r in rows:
    groups.setdefault((r["scenario"], r["tool"]), []).append(r)
print("| scenario | tool | endpoints | wall s | user+sys CPU s | peak RSS MB | answered |")
print("|---|---|---:|---:|---:|---:|---|")
for (scen, tool), rs in groups.items():
    n = int(rs[0]["endpoints"])
    wall = statistics.median(float(r["wall_s"]) for r in rs)
    cpu = statistics.median(float(r["user_s"]) + float(r["sys_s"]) for r in rs)
    rss = statistics.median(int(r["maxrss_kb"]) for r in rs) / 1024
    ans = rs[len(rs) // 2]["answered"]
    note = rs[0]["note"]
    if note:
        total = sum(1 for _ in open(sys.argv[1].replace("raw.tsv", "standins.tsv")))
        k = total / n
        print(f"| {scen} | {tool} ({note}; scaled x{k:g} to {total}) | {total} | "
              f"{wall * k:.1f} | {cpu * k:.2f} | {rss:.1f} | {ans} of {n} |")
    else:
        print(f"| {scen} | {tool} | {n} | {wall:.2f} | {cpu:.2f} | {rss:.1f} | {ans} |")
EOF
	echo
	if [ "$ONLY_SCALE" != 1 ]; then
		echo "stand-in counters (stand-ins scenario, before / after):"
		sed -n '1p;2p' "$OUT/standin-stats.log"
	fi
} >"$OUT/results.md"
cat "$OUT/results.md"
