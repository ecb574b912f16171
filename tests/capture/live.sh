#!/usr/bin/env bash
# Live capture test (suite 'live'): as root on loopback, a real ZooKeeper (tests/zk/zk-harness.sh), one client over
# plaintext (a ConnectRequest through bash's /dev/tcp) and one over TLS (openssl s_client), captured by
# `mskprobe capture -i lo` and checked: the plaintext flow is zookeeper-plaintext, the TLS flow is tls.
#   live.sh MSKPROBE SOURCE_ROOT
# Skips (77) when not root, or when the harness, ZooKeeper, openssl or python3 are missing.
set -uo pipefail
mskprobe=$1 root=$2
harness=$root/tests/zk/zk-harness.sh
skip() { echo "# skip: $*"; exit 77; }
[[ $(id -u) == 0 ]] || skip "not root"
[[ -f $harness ]] || skip "no $harness"
for t in openssl timeout python3; do command -v "$t" >/dev/null || skip "no $t"; done
dir=$(mktemp -d)
cleanup() { bash "$harness" stop "$dir" >/dev/null 2>&1; rm -rf "$dir"; }
trap cleanup EXIT
bash "$harness" start "$dir" >"$dir/harness.log" 2>&1 || { sed 's/^/# /' "$dir/harness.log" | tail -5; skip "the harness could not start ZooKeeper"; }
# shellcheck disable=SC1091
. "$dir/zk.env"
plain=${ZK_MAIN_PLAIN##*:} tls=${ZK_MAIN_TLS##*:}
"$mskprobe" capture -i lo --duration 8 --zk-ports "$plain,$tls" --filter "tcp port $plain or tcp port $tls" \
	>"$dir/cap.json" 2>"$dir/cap.err" &
cap=$!
sleep 2 # the handle is open and filtering
# ConnectRequest: len 45, protocol 0, lastZxid 0, timeout 18000, session 0, passwd 16 x 0, readOnly 0
if exec 3<>"/dev/tcp/127.0.0.1/$plain"; then
	printf '\x00\x00\x00\x2d\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x46\x50' >&3
	printf '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10' >&3
	printf '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' >&3
	timeout 3 head -c 41 <&3 >/dev/null
	exec 3>&-
fi
timeout 5 openssl s_client -connect "127.0.0.1:$tls" -CAfile "$ZK_CA" -servername localhost </dev/null \
	>"$dir/s_client.log" 2>&1
wait "$cap"
rc=$?
python3 - "$dir/cap.json" "$plain" "$tls" "$rc" <<'PY'
import json, sys
path, plain, tls, rc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
d = json.load(open(path))
flows = d["flows"]
def cls(port):
    return [f["class"] for f in flows if f["server"].endswith(":" + port)]
ok = True
def check(cond, what):
    global ok
    print(("ok - " if cond else "not ok - ") + what)
    ok = ok and cond
check(d["schema"] == "mskprobe.capture/1" and d["source"]["kind"] == "interface", "capture JSON from an interface")
check("zookeeper-plaintext" in cls(plain), "plaintext port flow is zookeeper-plaintext: %s" % cls(plain))
check("tls" in cls(tls), "TLS port flow is tls: %s" % cls(tls))
check(any(f["id"] == "ZK_PLAINTEXT_TRAFFIC_OBSERVED" for f in d["findings"]), "plaintext finding raised")
check(rc == 1, "exit code 1 (finding), got %d" % rc)
sys.exit(0 if ok else 1)
PY
r=$?
[[ $r == 0 ]] || { sed 's/^/# /' "$dir/cap.err"; }
exit $r
