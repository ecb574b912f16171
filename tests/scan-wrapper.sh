#!/usr/bin/env bash
# The scheduled scan's wrapper (contrib/systemd/mskprobe-scan.in, as meson
# configured it) with the environment mskprobe-scan.service gives it: a real
# scan of an inventory whose one cluster is a closed loopback port (exit 3,
# a published set, "latest", runs.log), the metrics file installed
# atomically with mode 0644 (a stub mskprobe writes report.prom), old runs
# pruned, and a missing inventory refused with exit 2.
#
# usage: scan-wrapper.sh WRAPPER MSKPROBE
set -uo pipefail
wrapper=$1 mskprobe=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0
check() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else fails=$((fails + 1)); echo "not ok $n - $1"; fi; }

cat >"$tmp/inventory.json" <<'JSON'
{ "ClusterInfoList": [
  { "ClusterArn": "arn:aws:kafka:eu-west-1:123456789012:cluster/closed/00000000-1",
    "ClusterName": "closed", "ClusterType": "PROVISIONED", "State": "ACTIVE",
    "Tags": { "Owner": "team" },
    "Provisioned": { "CurrentBrokerSoftwareInfo": { "KafkaVersion": "3.6.0" } },
    "BootstrapBrokers": { "BootstrapBrokerStringTls": "127.0.0.1:1" } } ] }
JSON
mkdir -p "$tmp/state" "$tmp/logs" "$tmp/textfile"
env_common=(STATE_DIRECTORY="$tmp/state" LOGS_DIRECTORY="$tmp/logs"
	MSKPROBE_INVENTORY="$tmp/inventory.json" MSKPROBE_FORMATS=json,text
	MSKPROBE_ARGS="--no-discovery --timeout-ms 2000")

env "${env_common[@]}" MSKPROBE_BIN="$mskprobe" sh "$wrapper" >"$tmp/out1" 2>&1
rc=$?
run=$(readlink "$tmp/state/reports/latest")
check "a real scan of an unreachable cluster exits 3 (unverified)" "[ $rc -eq 3 ]"
check "latest points at the run's folder, named by UTC time" \
	"[[ '$run' =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{6}Z$ ]] && [ -d '$tmp/state/reports/$run' ]"
check "the run's folder holds the published set" \
	"[ -f '$tmp/state/reports/$run/manifest.json' ] && grep -q '127.0.0.1' '$tmp/state/reports/$run/report.json' && [ -f '$tmp/state/reports/$run/report.txt' ]"
check "runs.log has the run and its exit status" "grep -qx '$run exit=3 dir=$tmp/state/reports/$run' '$tmp/logs/runs.log'"

# a stub mskprobe: what `--format ...,prom --output-dir DIR` publishes
cat >"$tmp/stub" <<'STUB'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = --output-dir ] && dir=$2; shift; done
mkdir -p "$dir" && echo 'mskprobe_cluster_compliant{cluster="x"} 1' >"$dir/report.prom" &&
	chmod 0600 "$dir/report.prom" && echo '{}' >"$dir/manifest.json" && exit 1
STUB
chmod +x "$tmp/stub"
mkdir -p "$tmp/state/reports/2020-01-01T000000Z" "$tmp/state/reports/keep-me"
touch -d 2020-01-01 "$tmp/state/reports/2020-01-01T000000Z" "$tmp/state/reports/keep-me"
env "${env_common[@]}" MSKPROBE_BIN="$tmp/stub" MSKPROBE_TEXTFILE="$tmp/textfile/mskprobe.prom" \
	MSKPROBE_KEEP_DAYS=30 sh "$wrapper" >"$tmp/out2" 2>&1
rc=$?
check "the wrapper exits with mskprobe's status (1: findings)" "[ $rc -eq 1 ]"
check "the metrics are installed as the textfile, mode 0644" \
	"grep -q '^mskprobe_cluster_compliant' '$tmp/textfile/mskprobe.prom' && [ \"\$(stat -c %a '$tmp/textfile/mskprobe.prom')\" = 644 ]"
check "no temporary file is left beside the textfile" "[ \"\$(ls -A '$tmp/textfile')\" = mskprobe.prom ]"
check "runs older than MSKPROBE_KEEP_DAYS are removed, other folders kept" \
	"[ ! -e '$tmp/state/reports/2020-01-01T000000Z' ] && [ -d '$tmp/state/reports/keep-me' ] && [ -d '$tmp/state/reports/$run' ]"

env "${env_common[@]}" MSKPROBE_BIN="$mskprobe" MSKPROBE_INVENTORY="$tmp/none.json" sh "$wrapper" >"$tmp/out3" 2>&1
rc=$?
check "a missing inventory is exit 2 with one line naming it" \
	"[ $rc -eq 2 ] && grep -q \"cannot read the inventory '$tmp/none.json'\" '$tmp/out3'"
env "${env_common[@]}" MSKPROBE_BIN="$mskprobe" MSKPROBE_KEEP_DAYS=ninety sh "$wrapper" >"$tmp/out4" 2>&1
check "a bad MSKPROBE_KEEP_DAYS is exit 2" "[ $? -eq 2 ] && grep -q MSKPROBE_KEEP_DAYS '$tmp/out4'"
echo "1..$n"
[ "$fails" -eq 0 ]
