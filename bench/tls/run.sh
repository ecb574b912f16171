#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The TLS benchmark (docs/bench-tls.md): TLS verification of 200 loopback
# endpoints (one real ZooKeeper TLS port from tests/zk/zk-harness.sh plus
# `openssl s_server` instances) by `mskprobe scan`, beside sslscan and
# testssl.sh on the same endpoints.
#
#   bench/tls/run.sh             # about 5 minutes; not run by CI; needs root for apt-get
#
# Environment (defaults in brackets):
#   BUILD        release build folder [/tmp/build-bench-tls]
#   OUT          results folder [$BUILD/bench-tls]
#   ENDPOINTS    endpoints in all, the ZooKeeper one included [200]
#   RUNS         runs per cheap measurement, the median is reported [3]
#   SLOW_RUNS    runs of the slow measurements (sslscan --no-cipher-details,
#                testssl.sh) [1]
#   SAMPLE       s_server endpoints of the sequential testssl.sh run [20]
#   SSLSCAN_SAMPLE  the same for sequential sslscan --no-cipher-details [10]
#                Both also run on the ZooKeeper endpoint alone, and the figure
#                for all ENDPOINTS is ZooKeeper + sample x (ENDPOINTS-1)/SAMPLE.
#   PAR          parallel sslscan processes (xargs -P) [16]
#   CONCURRENCY  mskprobe --concurrency [64]
#   TIMEOUT_MS   mskprobe --timeout-ms [1000]
#   PORT_BASE    first s_server port tried (below the ephemeral range) [15000]
#
# Results: $OUT/raw.tsv (every run), $OUT/found.tsv (what each tool determined)
# and $OUT/results.md (medians), printed at the end. Every server binds
# 127.0.0.1 only; everything started here is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-/tmp/build-bench-tls}
OUT=${OUT:-$BUILD/bench-tls}
ENDPOINTS=${ENDPOINTS:-200}
RUNS=${RUNS:-3}
SLOW_RUNS=${SLOW_RUNS:-1}
SAMPLE=${SAMPLE:-20}
SSLSCAN_SAMPLE=${SSLSCAN_SAMPLE:-10}
PAR=${PAR:-16}
CONCURRENCY=${CONCURRENCY:-64}
TIMEOUT_MS=${TIMEOUT_MS:-1000}
PORT_BASE=${PORT_BASE:-15000}
NSRV=$((ENDPOINTS - 1))

log() { printf 'bench-tls: %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }
((SAMPLE < ENDPOINTS && SSLSCAN_SAMPLE < ENDPOINTS && SAMPLE >= 1 && SSLSCAN_SAMPLE >= 1)) ||
	die "need 1 <= SAMPLE, SSLSCAN_SAMPLE < ENDPOINTS"

# --- tools -----------------------------------------------------------------
APT_UPDATED=
need_pkg() { # test-command package...
	eval "$1" >/dev/null 2>&1 && return 0
	shift
	[ "$(id -u)" = 0 ] || die "missing: apt-get install $*"
	log "installing $*"
	if ! apt-get install -y -q "$@" >/dev/null 2>&1; then
		[ -n "$APT_UPDATED" ] || { apt-get update -q >/dev/null 2>&1 || true; APT_UPDATED=1; }
		apt-get install -y -q "$@" >/dev/null || die "could not install $*"
	fi
}
need_pkg 'command -v sslscan' sslscan
need_pkg 'command -v testssl' testssl.sh
need_pkg 'test -x /usr/bin/time' time
need_pkg 'command -v openssl' openssl
need_pkg 'command -v python3' python3
need_pkg 'command -v meson' meson
need_pkg 'command -v ninja' ninja-build
need_pkg 'test -f /usr/share/java/zookeeper.jar && test -f /usr/share/java/netty-codec.jar && test -f /usr/share/java/slf4j-simple.jar' \
	zookeeper libnetty-java libslf4j-java

# --- build -----------------------------------------------------------------
if [ ! -f "$BUILD/build.ninja" ]; then
	(cd "$ROOT" && meson setup "$BUILD" --buildtype=release) >"$BUILD.setup.log" 2>&1 ||
		die "meson setup failed, see $BUILD.setup.log"
fi
[ "$(meson introspect --buildoptions "$BUILD" | python3 -c \
	'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="buildtype"][0])')" = release ] ||
	die "$BUILD is not a release build (meson configure $BUILD --buildtype=release)"
ninja -C "$BUILD" mskprobe >"$BUILD.ninja.log" 2>&1 || die "build failed, see $BUILD.ninja.log"
MSKPROBE=$BUILD/mskprobe

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
rm -rf "$OUT"
mkdir -p "$OUT/pki" "$OUT/tmp"
RAW=$OUT/raw.tsv FOUND=$OUT/found.tsv
printf 'tool\tmode\tpart\trun\tendpoints\twall_s\tuser_s\tsys_s\tmaxrss_kb\ttarget_cpu_s\n' >"$RAW"

# --- servers ---------------------------------------------------------------
SPIDS=()
ZKDIR=$OUT/zk
ZK_STARTED=
cleanup() {
	local p
	for p in "${SPIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${SPIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	[ -z "$ZK_STARTED" ] || "$ROOT/tests/zk/zk-harness.sh" stop "$ZKDIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "starting ZooKeeper (tests/zk/zk-harness.sh)"
ZK_STARTED=1
"$ROOT/tests/zk/zk-harness.sh" start "$ZKDIR" >"$OUT/zk-harness.log" 2>&1 ||
	die "zk-harness start failed, see $OUT/zk-harness.log"
# shellcheck disable=SC1091
. "$ZKDIR/zk.env"
[ -n "${ZK_MAIN_TLS:-}" ] || die "no ZK_MAIN_TLS in $ZKDIR/zk.env"

# Our own CA and one RSA-2048 server certificate (as MSK's are) for every
# s_server; the --ca-file handed to mskprobe holds this CA and the harness's.
PKI=$OUT/pki
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.pem" -days 30 \
	-subj "/CN=mskprobe bench-tls CA" -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$PKI/server.key" -out "$PKI/server.csr" \
	-subj "/CN=localhost" 2>/dev/null
printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
	'extendedKeyUsage=serverAuth' 'subjectAltName=DNS:localhost,IP:127.0.0.1' >"$PKI/server.ext"
openssl x509 -req -in "$PKI/server.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -CAcreateserial \
	-days 30 -extfile "$PKI/server.ext" -out "$PKI/server.pem" 2>/dev/null
cat "$PKI/ca.pem" "$ZK_CA" >"$PKI/trust.pem"

# Ports from PORT_BASE up that no socket uses (below the harness's 20000+).
# local_ports [STATE]: local ports of /proc/net/tcp{,6} sockets (in STATE, hex), one a line
local_ports() {
	local _sl addr _rem st _rest
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | while read -r _sl addr _rem st _rest; do
		[[ $addr == *:* && (-z ${1:-} || $st == "$1") ]] || continue
		echo $((16#${addr##*:}))
	done
}
used=" $(local_ports | tr '\n' ' ') "
PORTS=()
p=$PORT_BASE
while ((${#PORTS[@]} < NSRV)); do
	((p < 20000)) || die "not enough free ports from $PORT_BASE"
	[[ $used == *" $p "* ]] || PORTS+=("$p")
	p=$((p + 1))
done
log "starting $NSRV openssl s_server on 127.0.0.1:${PORTS[0]}..${PORTS[-1]}"
for p in "${PORTS[@]}"; do
	openssl s_server -accept "127.0.0.1:$p" -cert "$PKI/server.pem" -key "$PKI/server.key" \
		-www -quiet </dev/null >/dev/null 2>>"$OUT/s_server.err" &
	SPIDS+=($!)
done
# Ready when every port listens (state 0A), within 30 s.
want=$(printf '%s\n' "${PORTS[@]}" | sort)
for ((i = 0; ; i++)); do
	have=$(local_ports 0A | sort -u | comm -12 - <(echo "$want") | wc -l)
	((have == NSRV)) && break
	((i < 300)) || die "only $have of $NSRV s_server listen after 30 s, see $OUT/s_server.err"
	sleep 0.1
done

TARGETS=$OUT/targets.txt SAMPLEF=$OUT/sample.txt ZKF=$OUT/zk.txt
{ echo "$ZK_MAIN_TLS"; printf '127.0.0.1:%s\n' "${PORTS[@]}"; } >"$TARGETS"
head -n 1 "$TARGETS" >"$ZKF"
sed -n "2,$((SAMPLE + 1))p" "$TARGETS" >"$SAMPLEF"
sed -n "2,$((SSLSCAN_SAMPLE + 1))p" "$TARGETS" >"$OUT/sample-sslscan.txt"
# One invocation for all endpoints: `scan --zookeeper` takes at most 64, so
# the endpoints go into an inventory (--inventory, the `aws kafka
# list-clusters-v2` form) of clusters of at most 50 ZooKeeper TLS endpoints
# each, every cluster's bootstrap a refused port (nothing listens on 1).
INVENTORY=$OUT/inventory.json
python3 - "$TARGETS" >"$INVENTORY" <<'EOF'
import json, sys
eps = open(sys.argv[1]).read().split()
clusters = [{"ClusterName": f"bench-tls-{i // 50 + 1}",
             "Provisioned": {"ZookeeperConnectStringTls": ",".join(eps[i:i + 50])},
             "BootstrapBrokers": {"BootstrapBrokerString": "127.0.0.1:1"}}
            for i in range(0, len(eps), 50)]
json.dump({"ClusterInfoList": clusters}, sys.stdout, indent=1)
EOF

{
	echo "- machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r), $(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release)"
	echo "- load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- mskprobe $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?') (release build), $(openssl version | cut -d' ' -f1-2), sslscan $(dpkg-query -W -f '${Version}' sslscan), testssl.sh $(dpkg-query -W -f '${Version}' testssl.sh), ZooKeeper $(dpkg-query -W -f '${Version}' zookeeper)"
	echo "- endpoints: 1 ZooKeeper TLS port ($ZK_MAIN_TLS) + $NSRV openssl s_server -www, RSA-2048 certificate for localhost/127.0.0.1 from a test CA"
	echo
} >"$OUT/machine.md"

# --- measuring -------------------------------------------------------------
# CPU (user+sys ticks) the s_server processes have used so far: the load a
# tool puts on its targets, which /usr/bin/time of the client cannot see.
target_ticks() { cat "${SSTAT[@]}" 2>/dev/null | sed 's/.*) //' | awk '{ t += $12 + $13 } END { print t + 0 }'; }
SSTAT=("${SPIDS[@]/%//stat}")
SSTAT=("${SSTAT[@]/#//proc/}")
TCK=$(getconf CLK_TCK)

# measure TOOL MODE PART RUN N command...: one /usr/bin/time -v run into
# raw.tsv. PART: all (every endpoint), zk (the ZooKeeper one alone) or
# sample (SAMPLE s_servers), the last two combined in results.md.
measure() {
	local tool=$1 mode=$2 part=$3 run=$4 n=$5 tv=$OUT/tmp/time.txt t0 t1
	shift 5
	t0=$(target_ticks)
	/usr/bin/time -v -o "$tv" "$@" >/dev/null 2>>"$OUT/tmp/stderr.log" || true
	t1=$(target_ticks)
	awk -F': ' -v tool="$tool" -v mode="$mode" -v part="$part" -v run="$run" -v n="$n" \
		-v tc="$((t1 - t0))" -v tck="$TCK" '
		/User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { m = $2 }
		/Elapsed \(wall clock\)/ { k = split($2, a, ":"); w = 0; for (i = 1; i <= k; i++) w = w * 60 + a[i] }
		END { printf "%s\t%s\t%s\t%s\t%d\t%.2f\t%.2f\t%.2f\t%d\t%.2f\n", tool, mode, part, run, n, w, u, s, m, tc / tck }' \
		"$tv" >>"$RAW"
	tail -1 "$RAW" | awk -F'\t' '{ printf "bench-tls: %-8s %-34s %-6s run %s: %7.2f s wall, %6.2f s CPU, %6d KB\n",
		$1, $2, $3, $4, $6, $7 + $8, $9 }' >&2
}

# per_endpoint DIR PAR LIST command...: sets PER to an xargs command line that
# runs the command once per endpoint of LIST, PAR at a time, its output in
# DIR/<host:port>.txt
per_endpoint() {
	local dir=$1 par=$2 list=$3
	shift 3
	mkdir -p "$dir"
	# shellcheck disable=SC2016 # $0 and $@ belong to the inner sh
	PER=(xargs -a "$list" -P "$par" -I{} sh -c '"$@" "${0##*/}" >"$0.txt" 2>&1' "$dir/{}" "$@")
}

# sequential TOOL MODE DIR SAMPLEFILE command...: SLOW_RUNS runs on the
# ZooKeeper endpoint alone and on the sample of s_servers
sequential() {
	local tool=$1 mode=$2 dir=$3 sample=$4 r
	shift 4
	for r in $(seq "$SLOW_RUNS"); do
		per_endpoint "$dir" 1 "$ZKF" "$@"
		measure "$tool" "$mode" zk "$r" 1 "${PER[@]}"
		per_endpoint "$dir" 1 "$sample" "$@"
		measure "$tool" "$mode" sample "$r" "$(wc -l <"$sample")" "${PER[@]}"
	done
}

log "mskprobe: $ENDPOINTS endpoints in one scan, $RUNS runs each"
MSK_JSON=$OUT/mskprobe.json
for c in "$CONCURRENCY" "$ENDPOINTS"; do
	for r in $(seq "$RUNS"); do
		measure mskprobe "scan, --concurrency $c" all "$r" "$ENDPOINTS" \
			"$MSKPROBE" scan --inventory "$INVENTORY" --no-discovery \
			--ca-file "$PKI/trust.pem" --timeout-ms "$TIMEOUT_MS" --concurrency "$c" \
			--format json --output "$OUT/mskprobe-c$c.json"
	done
done
cp "$OUT/mskprobe-c$CONCURRENCY.json" "$MSK_JSON"

log "sslscan"
sequential sslscan "--no-cipher-details, sequential" "$OUT/sslscan-seq" "$OUT/sample-sslscan.txt" \
	sslscan --no-cipher-details
per_endpoint "$OUT/sslscan" "$PAR" "$TARGETS" sslscan --no-cipher-details
for r in $(seq "$SLOW_RUNS"); do
	measure sslscan "--no-cipher-details, -P $PAR" all "$r" "$ENDPOINTS" "${PER[@]}"
done
# The closest sslscan gets to mskprobe's TLS work: protocol versions and the
# certificate, no cipher-suite, group, heartbleed, renegotiation, compression
# or fallback tests.
SSLSCAN_MIN=(sslscan --no-ciphersuites --no-groups --no-heartbleed --no-renegotiation
	--no-compression --no-fallback)
for par in 1 "$PAR"; do
	per_endpoint "$OUT/sslscan-min" "$par" "$TARGETS" "${SSLSCAN_MIN[@]}"
	mode="protocols+cert only, sequential"
	[ "$par" = 1 ] || mode="protocols+cert only, -P $par"
	for r in $(seq "$RUNS"); do measure sslscan "$mode" all "$r" "$ENDPOINTS" "${PER[@]}"; done
done

# testssl.sh: --nodns none because the targets are IP addresses (its DNS and
# rDNS look-ups cost seconds each), --warnings off and --quiet so it never asks.
log "testssl.sh"
sequential testssl "--protocols, sequential" "$OUT/testssl" "$SAMPLEF" \
	testssl --protocols --warnings off --quiet --color 0 --nodns none

# --- what each tool determined ----------------------------------------------
python3 - "$OUT" "$MSK_JSON" "$ZK_MAIN_TLS" >"$FOUND" <<'EOF'
import json, os, re, sys
from collections import Counter
out, msk_json, zk = sys.argv[1:4]

def protos(d):
    return "+".join(d) if d else "none"

rows = []
# mskprobe
zs = [z for cl in json.load(open(msk_json))["clusters"] for z in cl["zookeeper"]]
c = Counter()
for z in zs:
    t = z.get("tls") or {}
    c["endpoints"] += 1
    c["handshake ok"] += t.get("handshake") == "ok"
    c["protocols " + protos(t.get("accepted_protocols") or [])] += 1
    c["chain verified"] += t.get("verify") == "ok"
    c["hostname match"] += t.get("hostname_match") is True
    c["client cert " + str(t.get("client_cert"))] += 1
    c["ZooKeeper inside TLS"] += t.get("speaks_zookeeper") is True
    c["certificate read"] += bool(t.get("chain"))
rows.append(("mskprobe", c))

ansi = re.compile(r"\x1b\[[0-9;]*m")
def files(d):
    d = os.path.join(out, d)
    return [os.path.join(d, f) for f in sorted(os.listdir(d))] if os.path.isdir(d) else []

for name, d in (("sslscan --no-cipher-details", "sslscan"), ("sslscan protocols+cert", "sslscan-min")):
    c = Counter()
    for f in files(d):
        s = ansi.sub("", open(f, errors="replace").read())
        c["endpoints"] += 1
        on = [v for v in ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")
              if re.search(r"^%s\s+enabled" % re.escape(v), s, re.M)]
        c["protocols " + protos(on)] += 1
        c["certificate read"] += "Subject:" in s
        c["cipher suites listed"] += "Supported Server Cipher" in s
        c["groups listed"] += "Key Exchange Group" in s
    rows.append((name, c))

c = Counter()
for f in files("testssl"):
    s = open(f, errors="replace").read()
    c["endpoints"] += 1
    on = [v for v, pat in (("SSLv2", "SSLv2"), ("SSLv3", "SSLv3"), ("TLSv1.0", "TLS 1 "), ("TLSv1.1", "TLS 1.1"),
                           ("TLSv1.2", "TLS 1.2"), ("TLSv1.3", "TLS 1.3"))
          if re.search(r"^\s*%s\s+offered" % re.escape(pat), s, re.M)]
    c["protocols " + protos(on)] += 1
    m = re.search(r"Service detected:\s+(.*)", s)
    svc = m.group(1).strip() if m else "?"
    c["service " + ("not determined" if svc.startswith("Couldn't") else svc)] += 1
rows.append(("testssl --protocols", c))

print("tool\tfinding\tendpoints")
for name, c in rows:
    for k, v in c.items():
        print(f"{name}\t{k}\t{v}")
EOF

# --- results ------------------------------------------------------------------
cp "$OUT/machine.md" "$OUT/results.md"
python3 - "$RAW" "$ENDPOINTS" >>"$OUT/results.md" <<'EOF'
import csv, statistics, sys
raw, n_all = sys.argv[1], int(sys.argv[2])
groups = {}
for r in csv.DictReader(open(raw), delimiter="\t"):
    groups.setdefault((r["tool"], r["mode"]), {}).setdefault(r["part"], []).append(r)

def med(rs, f):
    return statistics.median(f(r) for r in rs)

def fig(rs):  # medians: wall, user+sys, peak RSS MB, target CPU, endpoints
    return (med(rs, lambda r: float(r["wall_s"])),
            med(rs, lambda r: float(r["user_s"]) + float(r["sys_s"])),
            med(rs, lambda r: float(r["maxrss_kb"])) / 1024,
            med(rs, lambda r: float(r["target_cpu_s"])),
            int(rs[0]["endpoints"]))

print(f"| tool | mode | runs | measured on | wall, {n_all} endpoints | CPU user+sys | peak RSS (largest process) | CPU in the s_servers |")
print("|---|---|---|---|---|---|---|---|")
for (tool, mode), parts in groups.items():
    if "all" in parts:
        w, c, m, t, n = fig(parts["all"])
        runs, on = len(parts["all"]), f"all {n}"
    else:
        zw, zc, zm, zt, _ = fig(parts["zk"])
        sw, sc, sm, st, n = fig(parts["sample"])
        k = (n_all - 1) / n
        w, c, m, t = zw + sw * k, zc + sc * k, max(zm, sm), zt + st * k
        runs = len(parts["sample"])
        on = f"ZooKeeper ({zw:.1f} s) + {n} s_servers ({sw:.1f} s) x {k:.2f}"
    print(f"| {tool} | {mode} | {runs} | {on} | {w:.1f} s | {c:.1f} s | {m:.1f} MB | {t:.1f} s |")
EOF
log "raw runs: $RAW"
cat "$OUT/results.md"
echo
column -t -s $'\t' "$FOUND"
