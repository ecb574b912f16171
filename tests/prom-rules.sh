#!/usr/bin/env bash
# contrib/prometheus (TAP): the alert rules load (`promtool check rules`) and
# their unit tests pass (`promtool test rules`: non-compliant, unverified, past
# and near MSK end of support, a stale and an absent scan, each with the
# owner label where a cluster has one); the Alertmanager example loads
# (`amtool check-config`) and routes by owner (`amtool config routes test`).
# usage: prom-rules.sh SRCDIR. Exit 77 (skip) only when promtool is absent;
# CI installs it (prometheus) and amtool (prometheus-alertmanager); without
# amtool its checks are skipped and say so.
set -u
P=$1/contrib/prometheus
command -v promtool >/dev/null 2>&1 || { echo "1..0 # SKIP promtool not installed"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
check() { local what=$1; shift; if "$@" >"$T/log" 2>&1; then ok "$what"; else no "$what"; sed 's/^/# /' "$T/log" | head -30; fi; }

check "promtool check rules mskprobe.rules.yml" promtool check rules "$P/mskprobe.rules.yml"
# promtool resolves rule_files relative to the test file
check "promtool test rules mskprobe.rules.test.yml" promtool test rules "$P/mskprobe.rules.test.yml"
if command -v amtool >/dev/null 2>&1; then
	check "amtool check-config alertmanager.example.yml" amtool check-config "$P/alertmanager.example.yml"
	route() { amtool config routes test --config.file="$P/alertmanager.example.yml" --verify.receivers="$1" "${@:2}"; }
	check "owner=team-orders goes to team-orders" route team-orders alertname=MskprobeClusterNonCompliant owner=team-orders cluster=x
	check "owner=team-payments goes to team-payments" route team-payments alertname=MskprobeKafkaVersionEndOfSupport owner=team-payments cluster=y
	check "no owner (a stopped scan) goes to the default receiver" route kafka-platform alertname=MskprobeScanStale
else
	n=$((n + 1)); echo "ok $n - amtool checks # SKIP amtool not installed (Debian prometheus-alertmanager)"
fi
echo "1..$n"
exit $((fail > 0))
