#!/usr/bin/env bash
# Builds mskprobe with AddressSanitizer and UBSan, warnings as errors, and
# runs every test suite (unit, fuzz corpus replay, golden, integration
# against real peers on loopback). Prints "N passed, N failed" last.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
build=${MSKPROBE_TEST_BUILD:-build-test}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
fi
ninja -C "$build"
rc=0
# leak checking is on; librdkafka and OpenSSL keep process-lifetime caches
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
meson test -C "$build" --print-errorlogs --num-processes 2 || rc=$?
python3 scripts/test-summary.py "$build/meson-logs/testlog.json"
exit $rc
