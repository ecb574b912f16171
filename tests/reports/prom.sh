#!/usr/bin/env bash
# --format prom (reports/rep_prom.c) through the real binary (TAP):
#  - the Prometheus text format promtool accepts (`promtool check metrics`)
#    for the fleet fixture, the hostile one (names and owner tags with quotes,
#    backslashes, markup) and a report naming one cluster twice;
#  - the series and values docs/metrics.md promises, label values escaped;
#  - MSK's end of support: the timestamp on platform msk, none on apache;
#  - --output writes the file atomically (no temporary left beside it);
#  - trend: the oldest version's age since its MSK release and the clusters
#    past end of support.
# usage: prom.sh MSKPROBE SRCDIR. Exit 77 (skip) when promtool is absent; CI
# installs it (Debian package prometheus).
set -u
B=$1
SRC=$2
D=$SRC/tests/reports/data
command -v promtool >/dev/null 2>&1 || { echo "1..0 # SKIP promtool not installed"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
check() { local what=$1; shift; if "$@" >"$T/log" 2>&1; then ok "$what"; else no "$what"; sed 's/^/# /' "$T/log" | head -20; fi; }
has() { grep -qxF -- "$2" "$1"; }

# --- the fleet fixture ---------------------------------------------------------
"$B" report "$D/fleet.json" --format prom --output "$T/fleet.prom" 2>"$T/err"
check "report --format prom writes the file" test -s "$T/fleet.prom"
check "promtool check metrics accepts it" promtool check metrics <"$T/fleet.prom"
check "no temporary file left beside it" bash -c "[ \$(ls -A '$T' | grep -c '^\.') = 0 ]"
F=$T/fleet.prom
check "compliant, with owner and ARN" has "$F" 'mskprobe_cluster_compliant{cluster="lab-kafka-2.2-zookeeper",owner="team-orders",arn="arn:aws:kafka:eu-west-1:123456789012:cluster/orders/0f1e2d3c-aaaa-bbbb-cccc-111122223333-4"} 0'
check "... 1 for the compliant cluster" has "$F" 'mskprobe_cluster_compliant{cluster="lab-kafka-3.7-kraft-tls",owner="",arn=""} 1'
check "verdict one-hot" has "$F" 'mskprobe_cluster_verdict{cluster="lab-librdkafka-mock",owner="",verdict="unverified"} 1'
check "... the others 0" has "$F" 'mskprobe_cluster_verdict{cluster="lab-librdkafka-mock",owner="",verdict="compliant"} 0'
check "findings by severity, 0 included" has "$F" 'mskprobe_cluster_findings{cluster="lab-kafka-2.2-zookeeper",owner="team-orders",severity="critical"} 0'
check "... counted" has "$F" 'mskprobe_cluster_findings{cluster="lab-kafka-2.2-zookeeper",owner="team-orders",severity="high"} 3'
check "one series per finding id" has "$F" 'mskprobe_cluster_finding{cluster="lab-kafka-2.2-zookeeper",owner="team-orders",id="KAFKA_VERSION_BELOW_MINIMUM",severity="high"} 1'
check "version info with the mode" has "$F" 'mskprobe_cluster_kafka_version_info{cluster="lab-kafka-2.2-zookeeper",version="2.2.1",mode="zookeeper"} 1'
check "MSK end of support of 2.2.1: 2024-06-08" has "$F" 'mskprobe_cluster_end_of_support_timestamp_seconds{cluster="lab-kafka-2.2-zookeeper",owner="team-orders"} 1717804800'
check "last scan: generated_at" has "$F" "mskprobe_last_scan_timestamp_seconds $(date -u -d "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['generated_at'])" "$D/fleet.json")" +%s)"
check "HELP and TYPE for every family" bash -c "[ \$(grep -c '^# TYPE mskprobe_.* gauge\$' '$F') = 7 ] && [ \$(grep -c '^# HELP mskprobe_' '$F') = 7 ]"

# --- apache: no MSK dates -------------------------------------------------------
python3 - "$D/fleet.json" "$T/apache.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["policy"]["platform"] = "apache"
json.dump(r, open(sys.argv[2], "w"))
PY
"$B" report "$T/apache.json" --format prom --output "$T/apache.prom" 2>/dev/null
check "platform apache: no end-of-support sample" bash -c "! grep -q '^mskprobe_cluster_end_of_support_timestamp_seconds{' '$T/apache.prom' && grep -q '^# TYPE mskprobe_cluster_end_of_support' '$T/apache.prom'"

# --- hostile names and owners: escaped, still valid -------------------------------
"$B" report "$D/hostile.json" --format prom >"$T/hostile.prom" 2>/dev/null
check "hostile report: promtool accepts it" promtool check metrics <"$T/hostile.prom"
check "... quote and backslash escaped in cluster and owner" grep -qF 'cluster="<script>alert(1)</script>\"'"'"'&|*_[x](javascript:alert(1))`\\u001B' "$T/hostile.prom"
python3 - "$D/fleet.json" "$T/dup.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c = json.loads(json.dumps(r["clusters"][0]))
c["inventory"]["owners"] = {"Owner": 'a"b\\c'}
r["clusters"].append(c)
json.dump(r, open(sys.argv[2], "w"))
PY
"$B" report "$T/dup.json" --format prom >"$T/dup.prom" 2>/dev/null
check "a cluster named twice: promtool accepts it (the first exported)" promtool check metrics <"$T/dup.prom"
check "... and the output says so" grep -qF '# mskprobe: a second cluster named "lab-kafka-2.2-zookeeper" is not exported' "$T/dup.prom"
# promtool parses what we escape back to the original: a quote and a backslash in an owner
python3 - "$D/fleet.json" "$T/owner.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["clusters"][0]["inventory"]["owners"] = {"Owner": 'team "x" \\ y'}
json.dump(r, open(sys.argv[2], "w"))
PY
"$B" report "$T/owner.json" --format prom >"$T/owner.prom" 2>/dev/null
check "owner with quote and backslash: promtool accepts it" promtool check metrics <"$T/owner.prom"
check "... escaped as the format says" grep -qF 'owner="team \"x\" \\ y"' "$T/owner.prom"

# --- trend: age since MSK release, clusters past end of support -------------------
python3 - "$D/fleet.json" "$T" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for i, when in enumerate(("2026-07-01T00:00:00Z", "2026-08-01T00:00:00Z")):
    r["generated_at"] = when
    if i == 1:
        r["clusters"][0]["findings"].append({"id": "KAFKA_VERSION_END_OF_SUPPORT", "severity": "high",
            "title": "Amazon MSK's support for the cluster's Kafka version has ended", "evidence": {}})
    json.dump(r, open("%s/s%d.json" % (sys.argv[2], i), "w"))
PY
"$B" trend "$T/s0.json" "$T/s1.json" --format json --output "$T/trend.json" 2>"$T/err"
check "trend over two reports" test -s "$T/trend.json"
check "... oldest version 2.2.1, released on MSK 2019-07-31, 2558 days old on 2026-08-01; one cluster past end of support" python3 - "$T/trend.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
o = t["oldest_version_in_production"]
assert (o["version"], o["msk_released"], o["age_days"]) == ("2.2.1", "2019-07-31", 2558), o
assert t["past_end_of_support"]["clusters"] == 1 and t["past_end_of_support"]["names"] == ["lab-kafka-2.2-zookeeper"], t["past_end_of_support"]
assert [p["past_end_of_support"] for p in t["series"]] == [0, 1]
PY
"$B" trend "$T/s0.json" "$T/s1.json" --format text --output "$T/trend.txt" 2>/dev/null
check "... and in text" grep -qF "clusters past Amazon MSK end of support: 1 (lab-kafka-2.2-zookeeper)" "$T/trend.txt"

echo "1..$n"
exit $((fail > 0))
