#!/usr/bin/env bash
# mskprobe's metrics served by a real node_exporter (TAP): `mskprobe demo`
# scans its lab (broker and ZooKeeper stand-ins and librdkafka's mock cluster,
# all on loopback) and writes before/report.prom; Debian's
# prometheus-node-exporter, started on 127.0.0.1 with its textfile collector
# pointed at that directory (every other collector off), serves it, and the
# scrape over loopback must carry the mskprobe_ series with the lab's owners,
# the MSK end of support of its legacy cluster and no textfile scrape error.
# usage: prom-node-exporter.sh MSKPROBE. Exit 77 (skip) only when node_exporter
# or promtool is absent; CI installs both (prometheus-node-exporter, prometheus).
set -u
B=$1
NE=$(command -v prometheus-node-exporter || command -v node_exporter || true)
[ -n "$NE" ] || { echo "1..0 # SKIP node_exporter not installed"; exit 77; }
command -v promtool >/dev/null 2>&1 || { echo "1..0 # SKIP promtool not installed"; exit 77; }
T=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
check() { local what=$1; shift; if "$@" >"$T/log" 2>&1; then ok "$what"; else no "$what"; sed 's/^/# /' "$T/log" | head -20; fi; }
has() { grep -qxF -- "$2" "$1"; }

"$B" demo --output-dir "$T/demo" >"$T/demo.out" 2>"$T/demo.err"
check "demo: a real scan of the lab writes before/report.prom" test -s "$T/demo/before/report.prom"
check "promtool check metrics accepts the scan's file" promtool check metrics <"$T/demo/before/report.prom"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$NE" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$T/demo/before" >"$T/ne.log" 2>&1 &
pid=$!
# wait until it serves (bounded: 100 tries of 0.1 s)
for _ in $(seq 100); do
	curl -fsS "http://127.0.0.1:$port/metrics" -o "$T/scrape" 2>/dev/null && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
check "node_exporter serves /metrics on 127.0.0.1:$port" test -s "$T/scrape"
S=$T/scrape
check "no textfile scrape error" has "$S" "node_textfile_scrape_error 0"
check "the legacy cluster is served non-compliant, with owner and ARN" grep -qE '^mskprobe_cluster_compliant\{arn="arn:aws:kafka:us-east-1:123456789012:cluster/lab-2\.2-zookeeper/[^"]+",cluster="lab-2\.2-zookeeper",owner="team-orders"\} 0$' "$S"
check "the 2.8 cluster compliant" grep -qE '^mskprobe_cluster_compliant\{arn="[^"]+",cluster="lab-2\.8-zookeeper-tls",owner="team-payments"\} 1$' "$S"
check "verdict" has "$S" 'mskprobe_cluster_verdict{cluster="lab-2.2-zookeeper",owner="team-orders",verdict="non_compliant"} 1'
check "end of support of 2.2.1 (2024-06-08)" has "$S" 'mskprobe_cluster_end_of_support_timestamp_seconds{cluster="lab-2.2-zookeeper",owner="team-orders"} 1.7178048e+09'
check "KAFKA_VERSION_END_OF_SUPPORT on the legacy cluster" has "$S" 'mskprobe_cluster_finding{cluster="lab-2.2-zookeeper",id="KAFKA_VERSION_END_OF_SUPPORT",owner="team-orders",severity="high"} 1'
check "version info" has "$S" 'mskprobe_cluster_kafka_version_info{cluster="lab-3.7-kraft-tls",mode="kraft",version="3.7.x.kraft"} 1'
check "findings by severity" grep -qE '^mskprobe_cluster_findings\{cluster="lab-2\.2-zookeeper",owner="team-orders",severity="high"\} [1-9]' "$S"
check "last scan timestamp within a day of now" python3 - "$S" <<'PY'
import sys, time
v = [l.split()[1] for l in open(sys.argv[1]) if l.startswith("mskprobe_last_scan_timestamp_seconds ")]
assert len(v) == 1 and abs(float(v[0]) - time.time()) < 86400, v
PY
check "HELP text served as written" grep -qF '# HELP mskprobe_cluster_compliant 1 when the cluster' "$S"
echo "1..$n"
exit $((fail > 0))
