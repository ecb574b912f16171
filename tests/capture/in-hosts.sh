#!/usr/bin/env bash
# in-hosts.sh ZK_ENV TEST_BINARY: run TEST_BINARY ZK_ENV in a private mount namespace (unshare -m) whose
# /etc/hosts is the system's plus "127.0.0.1 zk-1.test.internal zk-2.test.internal" (a bind mount that
# nothing outside the namespace sees), so a scan can be given ZooKeeper endpoints by names only this test
# knows. Run by tests/zk/run-zk-tests.sh, which starts the real ZooKeeper and passes ZK_ENV first.
# Skips (77) when not root or when this machine gives no mount namespace.
set -u
env=$1 bin=$2
skip() { echo "1..0 # SKIP $*"; exit 77; }
[[ $(id -u) == 0 ]] || skip "not root (a live capture and a mount namespace)"
command -v unshare >/dev/null || skip "no unshare"
unshare -m true 2>/dev/null || skip "no privilege for a mount namespace (unshare -m)"
hosts=$(mktemp "${TMPDIR:-/tmp}/mskprobe-hosts.XXXXXX") || exit 1
trap 'rm -f "$hosts"' EXIT
{ cat /etc/hosts; echo "127.0.0.1 zk-1.test.internal zk-2.test.internal"; } >"$hosts"
chmod 0644 "$hosts"
unshare -m sh -c 'mount --make-rprivate / 2>/dev/null; mount --bind "$1" /etc/hosts && exec "$2" "$3"' \
	sh "$hosts" "$bin" "$env"
