#!/usr/bin/env bash
# Report formats end to end through the real binary (TAP):
#  - golden files for every format, diff and trend, from fixed input reports
#    (tests/reports/data), normalised for time, host and build;
#  - JSON Schema validation of the report, ASFF and OCSF output
#    (docs/schema, tests/reports/validate.py) and XML well-formedness of JUnit;
#  - hostile input: reports, inventories and policies with odd characters,
#    huge strings and wrong types give a clear error or safe output;
#  - signatures (Ed25519 and ECDSA) that verify, and fail after one byte;
#  - diff and trend over a series this script makes; --help and exit codes.
# usage: formats.sh MSKPROBE SRCDIR [--update]   (--update rewrites the goldens)
set -u
B=$1
SRC=$2
UPDATE=${3:-}
D=$SRC/tests/reports/data
G=$SRC/tests/reports/golden
V="python3 $SRC/tests/reports/validate.py"
S=$SRC/docs/schema
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
check() { local what=$1; shift; if "$@" >"$T/log" 2>&1; then ok "$what"; else no "$what"; sed 's/^/# /' "$T/log" | head -20; fi; }
# exit code of a command, output discarded
code() { "$@" >/dev/null 2>"$T/err"; echo $?; }
expect() { local what=$1 want=$2; shift 2; local got; got=$(code "$@"); if [ "$got" = "$want" ]; then ok "$what (exit $got)"; else no "$what: exit $got, want $want"; sed 's/^/# /' "$T/err" | head -5; fi; }
norm() { sed -E -e 's/20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/TIME/g' \
	-e 's/("probe_host":[[:space:]]*")[^"]*/\1HOST/' -e 's/("build":[[:space:]]*")[^"]*/\1BUILD/' "$1"; }
golden() { # name file
	if [ "$UPDATE" = --update ]; then norm "$2" >"$G/$1"; ok "golden $1 updated"; return; fi
	if diff -u "$G/$1" <(norm "$2") >"$T/d"; then ok "golden $1"; else no "golden $1"; head -30 "$T/d" | sed 's/^/# /'; fi
}
AWS=(--aws-account 123456789012 --aws-region eu-west-1)

# --- every format from the fleet fixture, against its golden file ---------
for f in json text html md asff ocsf junit; do
	ext=$f; case $f in text) ext=txt ;; asff) ext=asff.json ;; ocsf) ext=ocsf.jsonl ;; junit) ext=junit.xml ;; esac
	expect "report --format $f renders (the fixture has findings)" 1 "$B" report "$D/fleet.json" --format $f "${AWS[@]}" --output "$T/fleet.$ext"
	golden "fleet.$ext" "$T/fleet.$ext"
done
check "report JSON valid against docs/schema/report.schema.json" $V "$S/report.schema.json" "$D/fleet.json" "$T/fleet.json"
check "text: each finding line names its endpoint (evidence.endpoint, else the first pair's server)" python3 -c '
import sys; t = [l for l in open(sys.argv[1]) if l.startswith("    [")]
exp = [l for l in t if "TLS_CERT_EXPIRES_SOON" in l]
assert len(exp) == 3 and len(set(exp)) == 3, exp
assert [l.rstrip().rsplit(" ", 1)[1] for l in exp] == ["(127.0.0.1:19095)", "(127.0.0.1:19096)", "(127.0.0.1:19097)"], exp
assert any(l.rstrip().endswith("traffic was observed on the wire (10.0.2.7:2181)") for l in t), t
assert any(l.rstrip().endswith("answers") for l in t), "no endpoint: nothing appended"' "$T/fleet.txt"
check "ASFF has every required attribute within limits" $V "$S/asff.schema.json" "$T/fleet.asff.json"
check "OCSF events are Compliance Findings" $V "$S/ocsf-compliance-finding.schema.json" --jsonl "$T/fleet.ocsf.jsonl"
check "JUnit is well-formed XML" python3 -c 'import sys,xml.dom.minidom as m; m.parse(sys.argv[1])' "$T/fleet.junit.xml"
check "ASFF ids are stable across renders" bash -c "'$B' report '$D/fleet.json' --format asff ${AWS[*]} | grep '\"Id\"' > '$T/ids1'; diff -q '$T/ids1' <(grep '\"Id\"' '$T/fleet.asff.json')"
check "ASFF takes account and region from the ARN" grep -q '"AwsAccountId":[[:space:]]*"123456789012"' "$T/fleet.asff.json"
expect "ASFF without ARN nor --aws-account is refused" 2 "$B" report "$D/fleet.json" --format asff

# --- --output-dir: every format, manifest, signatures -----------------------
openssl genpkey -algorithm ed25519 -out "$T/ed.pem" 2>/dev/null
openssl pkey -in "$T/ed.pem" -pubout -out "$T/ed.pub" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$T/ec.pem" 2>/dev/null
openssl pkey -in "$T/ec.pem" -pubout -out "$T/ec.pub" 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$T/other.pem" 2>/dev/null
openssl pkey -in "$T/other.pem" -pubout -out "$T/other.pub" 2>/dev/null
expect "report --output-dir with every format and an Ed25519 key" 1 "$B" report "$D/fleet.json" --format json,text,html,md,asff,ocsf,junit --output-dir "$T/out" --sign-key "$T/ed.pem" "${AWS[@]}"
for f in report.json report.json.sig report.txt report.html report.md report.asff.json report.ocsf.jsonl report.junit.xml manifest.json manifest.json.sig; do
	check "output-dir holds $f, mode 0600" test "$(stat -c %a "$T/out/$f" 2>/dev/null)" = 600
done
check "manifest lists every artefact with its SHA-256" python3 -c '
import hashlib, json, os, sys
d = sys.argv[1]; m = json.load(open(d + "/manifest.json"))
names = {f["file"] for f in m["files"]}
assert names == set(os.listdir(d)) - {"manifest.json", "manifest.json.sig"}, names
for f in m["files"]:
    assert hashlib.sha256(open(d + "/" + f["file"], "rb").read()).hexdigest() == f["sha256"], f' "$T/out"
expect "verify: good Ed25519 signature" 0 "$B" verify "$T/out/report.json" --pubkey "$T/ed.pub"
expect "verify --manifest: signature and every digest good" 0 "$B" verify "$T/out/manifest.json" --pubkey "$T/ed.pub" --manifest
check "openssl agrees with the Ed25519 signature" openssl pkeyutl -verify -pubin -inkey "$T/ed.pub" -rawin -in "$T/out/report.json" -sigfile "$T/out/report.json.sig"
expect "verify: wrong public key is a bad signature" 1 "$B" verify "$T/out/report.json" --pubkey "$T/other.pub"
cp "$T/out/report.json" "$T/tampered.json"
printf 'X' | dd of="$T/tampered.json" bs=1 seek=100 conv=notrunc 2>/dev/null
cp "$T/out/report.json.sig" "$T/tampered.json.sig"
expect "verify: one byte changed is a bad signature" 1 "$B" verify "$T/tampered.json" --pubkey "$T/ed.pub"
printf 'X' | dd of="$T/out/report.md" bs=1 seek=10 conv=notrunc 2>/dev/null
expect "verify --manifest: a changed artefact fails its digest" 1 "$B" verify "$T/out/manifest.json" --pubkey "$T/ed.pub" --manifest
expect "verify: missing signature file is bad input" 2 "$B" verify "$D/fleet.json" --pubkey "$T/ed.pub"
expect "verify: a private key where the public one belongs is bad input" 2 "$B" verify "$T/out/report.json" --pubkey "$T/ed.pem"
expect "report --format json --output --sign-key with ECDSA" 1 "$B" report "$D/fleet.json" --format json --output "$T/ec.json" --sign-key "$T/ec.pem"
expect "verify: good ECDSA signature" 0 "$B" verify "$T/ec.json" --pubkey "$T/ec.pub"
check "openssl agrees with the ECDSA signature" openssl dgst -sha256 -verify "$T/ec.pub" -signature "$T/ec.json.sig" "$T/ec.json"
expect "--sign-key with a non-JSON single output is refused" 2 "$B" report "$D/fleet.json" --format html --output "$T/x.html" --sign-key "$T/ed.pem"
expect "several formats without --output-dir are refused" 2 "$B" report "$D/fleet.json" --format json,html

# --- hostile reports ---------------------------------------------------------
for f in html md junit text; do
	expect "hostile report renders as $f" 1 "$B" report "$D/hostile.json" --format $f --output "$T/hostile.$f"
done
check "hostile HTML has no injected element" bash -c "! grep -qiE '<script|<a |javascript:alert[^<]*</a>' '$T/hostile.html'"
check "hostile text has no terminal escape" bash -c "! grep -q \$'\\x1b' '$T/hostile.text'"
check "hostile Markdown has no link or raw tag" python3 -c '
import re, sys; t = open(sys.argv[1]).read()
# evidence sits in fenced blocks (literal text): check what is outside them
out, fence = [], None
for line in t.splitlines():
    m = re.match(r"^(`{3,})", line)
    if fence is None and m:
        fence = m.group(1)
    elif fence is not None and line == fence:
        fence = None
    elif fence is None:
        out.append(line)
assert fence is None, "unterminated fence"
t = "\n".join(out)
assert "<script" not in t
assert not re.search(r"(^|[^\\])\[[^\]]*\]\(", t), "unescaped link"' "$T/hostile.md"
check "hostile JUnit is well-formed XML" python3 -c 'import sys,xml.dom.minidom as m; m.parse(sys.argv[1])' "$T/hostile.junit"
expect "hostile report renders as ASFF" 1 "$B" report "$D/hostile.json" --format asff "${AWS[@]}" --output "$T/hostile.asff"
check "hostile ASFF is valid and within limits" $V "$S/asff.schema.json" "$T/hostile.asff"
expect "hostile report renders as OCSF" 1 "$B" report "$D/hostile.json" --format ocsf --output "$T/hostile.ocsf"
check "hostile OCSF lines are valid JSON events" $V "$S/ocsf-compliance-finding.schema.json" --jsonl "$T/hostile.ocsf"
printf '{"schema":"mskprobe.report/1","generated_at":"x","clusters":[{"name":"\xff\xfe","verdict":"compliant","findings":[]}]}' >"$T/bad-utf8.json"
expect "report with invalid UTF-8 is bad input" 2 "$B" report "$T/bad-utf8.json"
check "... and the error names the file" grep -q "bad-utf8.json: .*UTF-8" "$T/err"
printf '{"schema":"mskprobe.report/1","generated_at":"x","clusters":[{"name":"a","verdict":"compliant","findings":[{"id":"X","severity":7,"title":"t"}]}]}' >"$T/bad-type.json"
expect "report with a wrong type is bad input" 2 "$B" report "$T/bad-type.json"
check "... and the error names the field" grep -q "clusters\[0\].findings\[0\]: severity" "$T/err"
printf '{"schema":' >"$T/trunc.json"
expect "truncated JSON is bad input" 2 "$B" report "$T/trunc.json"
check "... with line and column" grep -q "line 1 column" "$T/err"
python3 -c 'print("[" * 5000 + "]" * 5000)' >"$T/deep.json"
expect "deeply nested JSON is bad input" 2 "$B" report "$T/deep.json"
expect "a report that is not a report is bad input" 2 "$B" report "$S/report.schema.json"

# --- diff and trend over a series made here -----------------------------------
python3 - "$D/fleet.json" "$T" <<'PY'
import copy, json, sys
r = json.load(open(sys.argv[1])); out = sys.argv[2]
def at(x, t):
    x = copy.deepcopy(x); x["generated_at"] = t; return x
a = at(r, "2025-03-01T10:00:00Z")
b = at(r, "2025-03-08T10:00:00Z")       # the 2.2 cluster upgraded and fixed
c0 = b["clusters"][0]
c0["verdict"] = "compliant"; c0["kafka"]["releases"] = ["3.6"]; c0["kafka"]["candidates"] = ["3.6.0"]
c0["findings"] = [f for f in c0["findings"] if f["id"] == "DECLARED_VERSION_MISMATCH"]
c = at(b, "2025-03-15T10:00:00Z")       # the KRaft cluster regressed
c["clusters"][1]["verdict"] = "non_compliant"
c["clusters"][1]["findings"].append({"id": "TLS_CERT_EXPIRED", "severity": "high", "title": "expired", "evidence": {}})
for name, x in (("s1", a), ("s2", b), ("s3", c)):
    json.dump(x, open("%s/%s.json" % (out, name), "w"), indent=1)
PY
expect "diff: upgrade fixed one cluster, another still unverified" 1 "$B" diff "$T/s1.json" "$T/s2.json" --output "$T/diff12.txt"
golden "diff-s1-s2.txt" "$T/diff12.txt"
expect "diff --format md" 1 "$B" diff "$T/s1.json" "$T/s2.json" --format md --output "$T/diff12.md"
golden "diff-s1-s2.md" "$T/diff12.md"
expect "diff --format json" 1 "$B" diff "$T/s2.json" "$T/s3.json" --format json --output "$T/diff23.json"
golden "diff-s2-s3.json" "$T/diff23.json"
check "diff s2->s3 marks the KRaft cluster regressed" python3 -c '
import json, sys; d = json.load(open(sys.argv[1]))
c = [x for x in d["clusters"] if x["name"] == "lab-kafka-3.7-kraft-tls"][0]
assert c["regressed"] and "verdict got worse" in c["regressions"], c
assert [f["id"] for f in c["findings_opened"]] == ["TLS_CERT_EXPIRED"]' "$T/diff23.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r["clusters"]=[c for c in r["clusters"] if c["verdict"]=="compliant"]; json.dump(r,open(sys.argv[2],"w"))' "$T/s2.json" "$T/good.json"
expect "diff: a report against itself, all compliant, passes" 0 "$B" diff "$T/good.json" "$T/good.json"
expect "diff with one file is bad usage" 2 "$B" diff "$T/s1.json"
# --format: one registry of (document kind x format), one message, in every command
expect "diff --format html is bad usage" 2 "$B" diff "$T/s1.json" "$T/s2.json" --format html
check "... naming what a diff is written as" grep -qx "mskprobe diff: --format 'html': a diff is written as json, text or md" "$T/err"
expect "trend --format md is bad usage" 2 "$B" trend "$T/s1.json" --format md
check "... naming what a trend is written as" grep -qx "mskprobe trend: --format 'md': a trend is written as json, text or html" "$T/err"
expect "report --format trend is bad usage" 2 "$B" report "$T/s1.json" --format trend
check "... naming what a report is written as" grep -qx "mskprobe report: --format 'trend': a report is written as json, text, html, md, asff, ocsf, junit or prom" "$T/err"
expect "scan --format md,pdf is bad usage before probing" 2 "$B" scan --bootstrap 127.0.0.1:1 --format md,pdf
check "... with the same message" grep -qx "mskprobe scan: --format 'pdf': a report is written as json, text, html, md, asff, ocsf, junit or prom" "$T/err"
check "diff --help lists the registry's diff formats" bash -c "'$B' diff --help | grep -q -- '--format F     json, text, md (default text)'"
check "trend --help lists the registry's trend formats" bash -c "'$B' trend --help | grep -q -- '--format F     json, text, html (default text)'"
expect "trend over three reports (given out of order)" 0 "$B" trend "$T/s3.json" "$T/s1.json" "$T/s2.json" --output "$T/trend.txt"
golden "trend.txt" "$T/trend.txt"
expect "trend --format json" 0 "$B" trend "$T/s1.json" "$T/s2.json" "$T/s3.json" --format json --output "$T/trend.json"
check "trend: MTTR of the fixed cluster is 168 hours" python3 -c '
import json, sys; t = json.load(open(sys.argv[1]))
assert t["mttr"]["mean_hours"] == 168, t["mttr"]
assert t["oldest_version_in_production"]["version"] == "3.6.0", t["oldest_version_in_production"]
assert t["open_findings"]["by_age"]["over_90_days"] == 0' "$T/trend.json"
expect "trend --format html" 0 "$B" trend "$T/s1.json" "$T/s2.json" "$T/s3.json" --format html --output "$T/trend.html"
golden "trend.html" "$T/trend.html"
check "trend HTML carries an inline SVG chart and no script" bash -c "grep -q '<svg' '$T/trend.html' && ! grep -qi '<script' '$T/trend.html'"

# --- inventory and policy files through scan (bad input is caught before probing)
expect "scan --inventory: hostile types give a clear error" 2 "$B" scan --inventory "$D/inventory-badtype.json"
check "... naming the field" grep -q "ClusterInfoList\[1\].Tags: every tag value must be a string" "$T/err"
expect "scan --inventory: bad endpoint is a clear error" 2 "$B" scan --inventory "$D/inventory-badendpoint.json"
check "... naming the endpoint" grep -q "BootstrapBrokerStringTls: endpoint" "$T/err"
expect "scan --policy: unknown member is an error" 2 "$B" scan --bootstrap 127.0.0.1:1 --policy "$D/policy-bad.json"
check "... naming it" grep -q '"min_version": unknown member' "$T/err"
expect "scan --policy: unknown finding id is an error" 2 "$B" scan --bootstrap 127.0.0.1:1 --policy "$D/policy-badid.json"
expect "scan --inventory with --bootstrap is bad usage" 2 "$B" scan --bootstrap 127.0.0.1:1 --inventory "$D/inventory.json"
expect "scan --format with an unknown format" 2 "$B" scan --bootstrap 127.0.0.1:1 --format json,pdf

# --- help and exit codes -------------------------------------------------------
for c in report diff trend verify; do
	expect "$c --help" 0 "$B" $c --help
	expect "$c with a bad option" 2 "$B" $c --no-such-option
done
expect "report of a missing file" 2 "$B" report "$T/nope.json"

echo "1..$n"
[ $fail -eq 0 ]
