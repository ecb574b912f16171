#!/usr/bin/env bash
# run-zk-tests.sh TEST_BINARY [ARGS...]: start the real ZooKeeper harness (zk-harness.sh, bounded), run
# TEST_BINARY with DIR/zk.env as its first argument, and always stop the harness (trap), whatever happens.
# Exit 77 (meson: skipped) only when ZooKeeper is not installed at all; a harness that is installed but does
# not start is a failure, so CI cannot hide a real problem behind a skip.
set -u
here=$(cd "$(dirname "$0")" && pwd)
(($# >= 1)) || { echo "usage: $0 TEST_BINARY [ARGS...]" >&2; exit 2; }
bin=$1
shift
java_dir=${ZK_JAVA_DIR:-/usr/share/java}
if ! command -v "${JAVA:-java}" >/dev/null 2>&1 || [[ ! -r $java_dir/zookeeper.jar ]]; then
    echo "1..0 # SKIP ZooKeeper not installed (apt-get install zookeeper libnetty-java libslf4j-java)"
    exit 77
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/mskprobe-zk.XXXXXX") || exit 1
cleanup() {
    "$here/zk-harness.sh" stop "$dir" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# the harness bounds its own start (ZK_HARNESS_TIMEOUT); timeout(1) bounds it again in case it hangs
if ! ZK_HARNESS_TIMEOUT=${ZK_HARNESS_TIMEOUT:-60} timeout -k 5 90 "$here/zk-harness.sh" start "$dir" >&2; then
    echo "Bail out! the ZooKeeper harness did not start (see its messages above)"
    exit 1
fi
"$bin" "$dir/zk.env" "$@"
