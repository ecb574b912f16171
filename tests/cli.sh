#!/usr/bin/env bash
# The CLI contract: exit codes, precise errors naming the bad option or
# input, and the demo (the README's first command) end to end.
# TAP output; usage: cli.sh PATH/TO/mskprobe
set -u
bin=$1
n=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # description, expected exit code, expected stderr/stdout substring, command...
  local what=$1 want=$2 pat=$3
  shift 3
  n=$((n + 1))
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" -eq "$want" ] && grep -qF -- "$pat" "$tmp/out" "$tmp/err"; then
    echo "ok $n - $what"
  else
    failed=$((failed + 1))
    echo "not ok $n - $what (exit $rc, want $want; looked for '$pat')"
    sed 's/^/#   /' "$tmp/err" | head -5
  fi
}

check "--version" 0 "mskprobe " "$bin" --version
check "--help lists the commands" 0 "scan" "$bin" --help
check "no command is bad usage" 2 "usage" "$bin"
check "unknown command" 2 "unknown command 'frobnicate'" "$bin" frobnicate
check "scan --help" 0 "--bootstrap" "$bin" scan --help
check "demo --help" 0 "output-dir" "$bin" demo --help
check "scan without --bootstrap" 2 "--bootstrap is required" "$bin" scan
check "unknown option" 2 "see 'mskprobe scan --help'" "$bin" scan --bogus
check "port 0 is named" 2 "bad port '0'" "$bin" scan --bootstrap 127.0.0.1:0
check "port out of range" 2 "bad port '70000'" "$bin" scan --bootstrap 127.0.0.1:70000
check "bad min version" 2 "--min-version 'two'" "$bin" scan --bootstrap 127.0.0.1:1 --min-version two
check "bad platform" 2 "--platform must be msk or apache" "$bin" scan --bootstrap 127.0.0.1:1 --platform gcp
check "bad timeout" 2 "--timeout-ms '0'" "$bin" scan --bootstrap 127.0.0.1:1 --timeout-ms 0
check "timeout not a number" 2 "--timeout-ms '5s'" "$bin" scan --bootstrap 127.0.0.1:1 --timeout-ms 5s
check "cert without key" 2 "--cert and --key go together" "$bin" scan --bootstrap 127.0.0.1:1 --cert x.pem
check "missing password file" 2 "--sasl-password-file $tmp/nope" "$bin" scan --bootstrap 127.0.0.1:1 --sasl-password-file "$tmp/nope"
printf '2.4\tzk\t2.4.0\t0:0-8 0:0-9\n' > "$tmp/bad.tsv"
check "bad fingerprint table names file and line" 2 "$tmp/bad.tsv:1:" "$bin" scan --bootstrap 127.0.0.1:1 --fingerprint-table "$tmp/bad.tsv"
check "missing CA file is named" 2 "$tmp/none.pem" "$bin" scan --bootstrap 127.0.0.1:1 --ca-file "$tmp/none.pem"
check "unwritable output is named" 2 "$tmp/no/such/dir/r.json" "$bin" scan --bootstrap 127.0.0.1:1 --no-discovery --timeout-ms 500 --output "$tmp/no/such/dir/r.json"
check "nothing answers: exit 3 (unverified, no finding)" 3 "no broker answered" "$bin" scan --bootstrap 127.0.0.1:1 --no-discovery --timeout-ms 500

# the demo: the README's first command
check "demo runs" 0 "reports written to $tmp/demo" "$bin" demo --output-dir "$tmp/demo"
n=$((n + 1))
if python3 - "$tmp/demo/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["schema"] == "mskprobe.report/1"
c = {x["name"]: x for x in r["clusters"]}
assert c["lab-kafka-2.2-zookeeper"]["verdict"] == "non_compliant"
assert c["lab-kafka-2.2-zookeeper"]["kafka"]["releases"] == ["2.2"]
assert c["lab-kafka-3.7-kraft-tls"]["verdict"] == "compliant"
assert c["lab-kafka-3.7-kraft-tls"]["kafka"]["mode"] == "kraft"
assert c["lab-librdkafka-mock"]["kafka"]["discovery"]["status"] == "ok"
assert len(c["lab-librdkafka-mock"]["kafka"]["brokers"]) == 3
PY
then echo "ok $n - demo report holds the lab's expected verdicts"; else failed=$((failed + 1)); echo "not ok $n - demo report"; fi
n=$((n + 1))
mode=$(stat -c %a "$tmp/demo/report.json")
if [ "$mode" = 600 ]; then echo "ok $n - report written mode 0600"; else failed=$((failed + 1)); echo "not ok $n - report mode $mode"; fi

echo "1..$n"
[ "$failed" -eq 0 ]
