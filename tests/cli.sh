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
check "asff without an account names the options" 2 "--format asff needs --aws-account ID and --aws-region REGION" "$bin" scan --bootstrap 127.0.0.1:1 --format asff
check "bad --aws-account" 2 "--aws-account '12345': want the 12-digit" "$bin" scan --bootstrap 127.0.0.1:1 --format asff --aws-account 12345 --aws-region eu-west-1
check "bad --aws-region" 2 "--aws-region 'eu_west': want a region like eu-west-1" "$bin" scan --bootstrap 127.0.0.1:1 --format asff --aws-account 123456789012 --aws-region eu_west
check "--aws-account without --aws-region" 2 "--aws-account and --aws-region go together" "$bin" scan --bootstrap 127.0.0.1:1 --aws-account 123456789012
check "scan --format asff with --aws-account and --aws-region" 3 '"AwsAccountId":	"123456789012"' "$bin" scan --bootstrap 127.0.0.1:1 --no-discovery --timeout-ms 500 --format asff --aws-account 123456789012 --aws-region eu-west-1
check "GovCloud region: partition aws-us-gov" 3 '"ProductArn":	"arn:aws-us-gov:securityhub:us-gov-west-1:' "$bin" scan --bootstrap 127.0.0.1:1 --no-discovery --timeout-ms 500 --format asff --aws-account 123456789012 --aws-region us-gov-west-1
printf '2.4\tzk\t2.4.0\t0:0-8 0:0-9\n' > "$tmp/bad.tsv"
check "bad fingerprint table names file and line" 2 "$tmp/bad.tsv:1:" "$bin" scan --bootstrap 127.0.0.1:1 --fingerprint-table "$tmp/bad.tsv"
check "missing CA file is named" 2 "$tmp/none.pem" "$bin" scan --bootstrap 127.0.0.1:1 --ca-file "$tmp/none.pem"
# a FIFO (or any non-regular file) as a file input is refused at once, never waited on
mkfifo "$tmp/fifo"
for opt in --ca-file --fingerprint-table --capture-file --sasl-password-file --sign-key; do
  check "$opt FIFO is refused at once" 2 "$opt $tmp/fifo: not a regular file" \
    timeout 20 "$bin" scan --bootstrap 127.0.0.1:1 --no-discovery --timeout-ms 500 "$opt" "$tmp/fifo"
done
check "--cert FIFO is refused at once" 2 "--cert $tmp/fifo: not a regular file" \
  timeout 20 "$bin" scan --bootstrap 127.0.0.1:1 --cert "$tmp/fifo" --key "$tmp/fifo"
# a corrupt --capture-file is bad input (exit 2, named), and the report still holds what was read
python3 - "$tmp/cut.pcap" <<'PY'
import struct, sys
hdr = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
rec = struct.pack("<IIII", 1, 0, 60, 60) + bytes(10)  # says 60 bytes, holds 10
open(sys.argv[1], "wb").write(hdr + rec)
PY
check "a cut --capture-file exits 2 naming the file" 2 "--capture-file '$tmp/cut.pcap'" \
  "$bin" scan --bootstrap 127.0.0.1:1 --no-discovery --timeout-ms 500 --capture-file "$tmp/cut.pcap" \
  --format json --output "$tmp/cut.json"
n=$((n + 1))
if python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["clusters"][0]["capture"]; assert "truncated" in c["stats"]["error"]' "$tmp/cut.json" 2>/dev/null; then
  echo "ok $n - the report of a scan over a cut capture keeps the capture section and its error"
else failed=$((failed + 1)); echo "not ok $n - cut capture report"; fi
check "a directory as --ca-file is refused" 2 "--ca-file $tmp: not a regular file" \
  "$bin" scan --bootstrap 127.0.0.1:1 --ca-file "$tmp"
check "unwritable output is named" 2 "$tmp/no/such/dir/r.json" "$bin" scan --bootstrap 127.0.0.1:1 --no-discovery --timeout-ms 500 --output "$tmp/no/such/dir/r.json"
check "nothing answers: exit 3 (unverified, no finding)" 3 "no broker answered" "$bin" scan --bootstrap 127.0.0.1:1 --no-discovery --timeout-ms 500

# an interrupted scan (SIGINT) still writes the report of what it measured
n=$((n + 1))
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True); time.sleep(60)' >"$tmp/silent.port" &
lpid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$tmp/silent.port" ] && break; sleep 0.2; done
sport=$(cat "$tmp/silent.port")
"$bin" scan --bootstrap "127.0.0.1:$sport" --zookeeper "127.0.0.1:$sport" --no-discovery \
  --timeout-ms 30000 --format json --output "$tmp/int.json" 2>"$tmp/int.err" &
spid=$!
sleep 1.5
kill -INT "$spid"
wait "$spid"
irc=$?
kill "$lpid" 2>/dev/null
if [ "$irc" = 3 ] && grep -q "interrupted" "$tmp/int.err" && python3 - "$tmp/int.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["provenance"]["interrupted"] is True
c = r["clusters"][0]
assert "interrupted" in c["kafka"]["brokers"][0]["error"]
assert "interrupted" in c["zookeeper"][0]["error"]
assert r["provenance"]["duration_ms"] < 20000
assert not c["findings"]
PY
then echo "ok $n - SIGINT: the scan stops waiting and reports what it measured"
else failed=$((failed + 1)); echo "not ok $n - interrupted scan (exit $irc)"; sed 's/^/#   /' "$tmp/int.err" | head -3; fi

# out of descriptors: --concurrency 2000 under ulimit -n 64 is sized to the limit up front and
# says so; no endpoint is blamed for this machine's limit
n=$((n + 1))
python3 -c 'import socket, time
ls = [socket.socket() for _ in range(150)]
for s in ls: s.bind(("127.0.0.1", 0)); s.listen(8)
print(",".join("127.0.0.1:%d" % s.getsockname()[1] for s in ls), flush=True); time.sleep(60)' >"$tmp/many.eps" &
mpid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$tmp/many.eps" ] && break; sleep 0.2; done
(ulimit -n 64 && exec "$bin" scan --bootstrap "$(cat "$tmp/many.eps")" --no-discovery --tls off \
  --timeout-ms 500 --concurrency 2000 --format json --output "$tmp/many.json") 2>"$tmp/many.err"
mrc=$?
kill "$mpid" 2>/dev/null
if [ "$mrc" = 3 ] && grep -q -- "--concurrency 2000 lowered to 32: the open-file limit (ulimit -n) is 64" "$tmp/many.err" &&
  python3 - "$tmp/many.json" <<'PY'
import json, sys
bs = json.load(open(sys.argv[1]))["clusters"][0]["kafka"]["brokers"]
assert len(bs) == 150, len(bs)
assert not [b["error"] for b in bs if "open files" in (b["error"] or "")]
assert all("no bytes within" in b["error"] or "partial answer" in b["error"] for b in bs), {b["error"] for b in bs}
PY
then echo "ok $n - ulimit -n 64, --concurrency 2000: sized to the limit, said on stderr, nobody blamed"
else failed=$((failed + 1)); echo "not ok $n - out of descriptors (exit $mrc)"; sed 's/^/#   /' "$tmp/many.err" | head -3; fi
n=$((n + 1))
if (ulimit -n 40 && exec "$bin" scan --bootstrap "$(cut -d, -f1-20 "$tmp/many.eps")" --timeout-ms 500) 2>"$tmp/few.err"; then frc=0; else frc=$?; fi
if [ "$frc" = 2 ] && grep -q "the open-file limit (ulimit -n) is 40" "$tmp/few.err"; then
  echo "ok $n - a limit too low for discovery is refused up front (exit 2)"
else failed=$((failed + 1)); echo "not ok $n - limit too low (exit $frc)"; sed 's/^/#   /' "$tmp/few.err" | head -3; fi

# the demo: the README's first command (scan, upgrade, scan, diff, trend, signature)
check "demo runs" 0 "reports written to $tmp/demo:" "$bin" demo --output-dir "$tmp/demo"
cp "$tmp/out" "$tmp/demo.out"
cp "$tmp/err" "$tmp/demo.err"
n=$((n + 1))
if python3 - "$tmp/demo" "$tmp/demo.out" <<'PY'
import json, sys
d, out = sys.argv[1], open(sys.argv[2]).read()
captured = "capture: on lo" in out
def load(phase):
    r = json.load(open("%s/%s/report.json" % (d, phase)))
    assert r["schema"] == "mskprobe.report/1"
    c = {x["name"]: x for x in r["clusters"]}
    return c, {name: {f["id"] for f in x.get("findings", [])} for name, x in c.items()}
c, ids = load("before")
gap_proof = {"ZK_CLIENT_TLS_DISABLED", "ZK_PLAINTEXT_TRAFFIC_OBSERVED"}
# the scans read the fleet inventory the demo writes, as `scan --inventory FILE --require-tags Owner`
assert "inventory: the scan reads %s/inventory.json " % d in out
assert "inventory: the scan reads %s/inventory-after.json" % d in out
before = json.load(open(d + "/before/report.json"))
assert [(i["role"], i["file"]) for i in before["provenance"]["inputs"]] == [("inventory", d + "/inventory.json")]
assert before["policy"]["required_tags"] == ["Owner"]
arn = "arn:aws:kafka:us-east-1:123456789012:cluster/"
owner = {"lab-2.2-zookeeper": "team-orders", "lab-2.8-zookeeper-tls": "team-payments", "lab-3.7-kraft-tls": "team-analytics"}
for name, x in c.items():
    inv = x["inventory"]
    assert inv["arn"].startswith(arn + name + "/") and inv["source"] == "aws kafka list-clusters-v2", name
    assert inv["owners"] == ({"Owner": owner[name]} if name in owner else {}), (name, inv["owners"])
    assert ("TAG_OWNER_MISSING" in ids[name]) == (name == "lab-librdkafka-mock"), name
# the client inventory from the brokers' metrics (Open Monitoring stand-in), a TLS-only cluster
om = json.load(open(d + "/open-monitoring/report.json"))["clusters"][0]
assert [x["status"] for x in om["open_monitoring"]] == ["ok"], om["open_monitoring"]
byname = {(x["software_name"], x["software_version"], x["role"]): x["target"]["compatible"] for x in om["clients"]}
assert byname == {("apache-kafka-java", "3.9.2", "client"): True, ("librdkafka", "1.6.0", "client"): None,
                  (None, None, "client"): False, ("apache-kafka-java", "3.7.2", "broker"): True}, byname
omids = {f["id"] for f in om["findings"]}
assert "CLIENT_INCOMPATIBLE_WITH_TARGET" in omids and "CLIENT_PLAINTEXT_IN_USE" not in omids, omids
assert "connections on CLIENT_SECURE (tls)" in out
# owners in every format
for f in ("txt", "html", "md"):
    text = open("%s/before/report.%s" % (d, f)).read()
    assert all(o in text for o in owner.values()), f
assert "Owner=team-orders" in out
# ASFF: account and region from each ARN
asff = json.load(open(d + "/before/report.asff.json"))
asff = asff["Findings"] if isinstance(asff, dict) else asff
assert {(x["AwsAccountId"], x["Region"]) for x in asff} == {("123456789012", "us-east-1")}
assert any(x["Id"].startswith("mskprobe/" + arn + "lab-2.2-zookeeper/") and x["Id"].endswith("/DECLARED_VERSION_MISMATCH") for x in asff)
# declared vs measured: the stale inventory says 2.6.2 and TLS only, the brokers answer as 2.2 in plaintext
z22 = c["lab-2.2-zookeeper"]
mm = [f for f in z22["findings"] if f["id"] == "DECLARED_VERSION_MISMATCH"]
assert mm and mm[0]["evidence"]["declared_kafka_version"] == "2.6.2" and mm[0]["evidence"]["measured_releases"] == ["2.2"]
po = [f for f in z22["findings"] if f["id"] == "DECLARED_TLS_ONLY_PLAINTEXT_OPEN"]
assert po and len(po[0]["evidence"]["plaintext_endpoints_answering"]) == 3
assert not {"DECLARED_VERSION_MISMATCH", "DECLARED_TLS_ONLY_PLAINTEXT_OPEN"} & (ids["lab-2.8-zookeeper-tls"] | ids["lab-3.7-kraft-tls"])
# before: 2.2, ZooKeeper mode, a plaintext ZooKeeper that anyone may list
z22 = c["lab-2.2-zookeeper"]
assert z22["verdict"] == "non_compliant"
assert z22["kafka"]["releases"] == ["2.2"]
assert {"KAFKA_VERSION_BELOW_MINIMUM", "ZK_PLAINTEXT_REACHABLE", "ZK_TLS_UNAVAILABLE", "ZK_ANONYMOUS_READ"} <= ids[z22["name"]]
assert [z["plaintext"]["speaks_zookeeper"] for z in z22["zookeeper"]] == [True]
assert z22["zookeeper"][0]["anonymous_read"]["allowed"] is True
assert z22["proven"]["encrypted_zookeeper_endpoint"] is False
# 2.8, ZooKeeper mode behind TLS, ZooKeeper with a plaintext and a TLS port:
# the version can encrypt and the TLS endpoint verifies (compliant), the
# plaintext port is still a finding; only a gap proof (the wire) overrides
z28 = c["lab-2.8-zookeeper-tls"]
assert z28["kafka"]["releases"] == ["2.8"] and z28["kafka"]["mode"] == "zookeeper"
assert z28["proven"]["version_can_encrypt"] is True
assert z28["proven"]["encrypted_zookeeper_endpoint"] is True
assert "ZK_PLAINTEXT_REACHABLE" in ids[z28["name"]]
assert "ZK_TLS_UNAVAILABLE" not in ids[z28["name"]] and "ZK_ANONYMOUS_READ" not in ids[z28["name"]]
assert all(z["anonymous_read"]["allowed"] is False for z in z28["zookeeper"])
tls_zk = [z for z in z28["zookeeper"] if z["tls"]]
assert len(tls_zk) == 1 and tls_zk[0]["tls"]["verify"] == "ok" and tls_zk[0]["tls"]["speaks_zookeeper"]
assert z28["verdict"] == "compliant", z28["verdict"]
if captured:
    # the scan's own connections are never evidence
    assert z22["capture"]["stats"]["own_flows_excluded"] > 0
    # the client inventory: the lab's two applications on 2.2's plaintext listener, none of the scan's
    # own probes, judged against the newest MSK release: the legacy one would break
    inv = {x["client_id"]: x for x in z22["clients"]}
    assert set(inv) == {"billing-legacy", "orders-api"}, sorted(inv)
    assert inv["billing-legacy"]["target"]["compatible"] is False
    assert ("Produce", 2) in [(r["api"], r["version"]) for r in inv["billing-legacy"]["target"]["rejected"]]
    assert inv["orders-api"]["software_name"] == "apache-kafka-java" and inv["orders-api"]["target"]["compatible"] is True
    assert {"CLIENT_INCOMPATIBLE_WITH_TARGET", "CLIENT_PLAINTEXT_IN_USE"} <= ids[z22["name"]]
    # the lab's 2.2 brokers talk to ZooKeeper in plaintext: seen on the wire, proof of the gap
    zk22 = "127.0.0.1:%d" % z22["zookeeper"][0]["port"]
    assert "ZK_PLAINTEXT_TRAFFIC_OBSERVED" in ids[z22["name"]]
    assert any(f["server"] == zk22 and f["class"] == "zookeeper-plaintext" for f in z22["capture"]["flows"])
    # the 2.8 brokers use the TLS port: all three proofs hold
    assert z28["proven"]["traffic_encrypted"] is True
    assert "ZK_PLAINTEXT_TRAFFIC_OBSERVED" not in ids[z28["name"]]
else:
    assert not (ids[z22["name"]] | ids[z28["name"]]) & gap_proof - {"ZK_CLIENT_TLS_DISABLED"}
assert c["lab-3.7-kraft-tls"]["verdict"] == "compliant"
assert c["lab-3.7-kraft-tls"]["kafka"]["mode"] == "kraft"
assert c["lab-librdkafka-mock"]["kafka"]["discovery"]["status"] == "ok"
assert len(c["lab-librdkafka-mock"]["kafka"]["brokers"]) == 3
# after: the same cluster upgraded to 2.8, TLS listeners, ZooKeeper with ACLs and a TLS port
c, ids = load("after")
a22 = c["lab-2.2-zookeeper"]
assert a22["verdict"] == "compliant", a22["verdict"]
assert a22["kafka"]["releases"] == ["2.8"] and a22["kafka"]["mode"] == "zookeeper"
assert a22["proven"]["encrypted_zookeeper_endpoint"] is True
assert not {"KAFKA_VERSION_BELOW_MINIMUM", "ZK_TLS_UNAVAILABLE", "ZK_ANONYMOUS_READ"} & ids[a22["name"]]
assert [z["anonymous_read"]["allowed"] for z in a22["zookeeper"]] == [False, False]
assert "NOAUTH" in a22["zookeeper"][0]["anonymous_read"]["detail"]
# the refreshed inventory declares what the brokers now answer as
assert a22["inventory"]["declared"]["kafka_version"] == "2.8.1"
assert not {"DECLARED_VERSION_MISMATCH", "DECLARED_TLS_ONLY_PLAINTEXT_OPEN", "TAG_OWNER_MISSING"} & ids[a22["name"]]
if captured:
    assert a22["proven"]["traffic_encrypted"] is True
    assert "ZK_PLAINTEXT_TRAFFIC_OBSERVED" not in ids[a22["name"]]
assert c["lab-2.8-zookeeper-tls"]["verdict"] == "compliant"
# the diff: non_compliant -> compliant, the findings closed, nothing regressed
diff = json.load(open(d + "/diff.json"))
assert diff["schema"] == "mskprobe.diff/1" and diff["regressed"] is False
dc = {x["name"]: x for x in diff["clusters"]}["lab-2.2-zookeeper"]
assert (dc["verdict_before"], dc["verdict_after"]) == ("non_compliant", "compliant")
closed = {f["id"] for f in dc["findings_closed"]}
assert {"KAFKA_VERSION_BELOW_MINIMUM", "ZK_TLS_UNAVAILABLE", "ZK_ANONYMOUS_READ",
        "DECLARED_VERSION_MISMATCH", "DECLARED_TLS_ONLY_PLAINTEXT_OPEN"} <= closed, closed
# only an informational capture note may open (another test's traffic on lo can hide the plaintext)
assert all(f["severity"] == "info" for f in dc["findings_opened"]), dc["findings_opened"]
assert "lab-2.2-zookeeper                non_compliant  -> compliant" in out
assert "non_compliant -> compliant" in open(d + "/diff.txt").read()
assert "| lab-2.2-zookeeper | non_compliant | compliant | no |" in open(d + "/diff.md").read()
# the trend over the two, and the signed after report
assert "over 2 reports" in open(d + "/trend.txt").read()
assert "<svg" in open(d + "/trend.html").read()
assert "signature verified: %s/after/report.json" % d in out
assert "signature verified: %s/after/manifest.json" % d in out
assert "one byte changed: BAD signature" in out
PY
then echo "ok $n - demo: before, after, diff, trend and signature as expected"; else failed=$((failed + 1)); echo "not ok $n - demo reports"; fi
# the verify commands the demo prints work as printed
n=$((n + 1))
grep '^    mskprobe verify ' "$tmp/demo.out" | sed "s|^    mskprobe |\"\$bin\" |" >"$tmp/verify.sh"
if [ "$(wc -l <"$tmp/verify.sh")" = 2 ] && bin=$bin bash -e "$tmp/verify.sh" >"$tmp/verify.out" 2>&1 \
  && grep -q "^ok report.html" "$tmp/verify.out"; then
  echo "ok $n - the printed mskprobe verify commands pass"
else failed=$((failed + 1)); echo "not ok $n - printed verify commands"; sed 's/^/#   /' "$tmp/verify.out" | head -5; fi
n=$((n + 1))
if grep -q "^capture: on lo" "$tmp/demo.out" || grep -q "capture skipped" "$tmp/demo.err"; then
  echo "ok $n - demo says whether it captured"
else failed=$((failed + 1)); echo "not ok $n - demo says nothing about capture"; fi
n=$((n + 1))
mode=$(stat -c %a "$tmp/demo/after/report.json" "$tmp/demo"/pki-*/report-signing-key.pem | sort -u)
if [ "$mode" = 600 ]; then echo "ok $n - reports and signing key written mode 0600"; else failed=$((failed + 1)); echo "not ok $n - modes $mode"; fi
# without CAP_NET_RAW the demo says why it skips capture and still runs, into the same folder
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
  check "demo again into the same folder, without CAP_NET_RAW, skips capture" 0 "capture skipped" \
    setpriv --bounding-set -net_raw "$bin" demo --output-dir "$tmp/demo"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
