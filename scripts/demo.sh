#!/usr/bin/env bash
# Installs what mskprobe needs, builds it (release build in ./build) and runs
# `mskprobe demo` on the built-in lab. Extra arguments go to the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release
fi
ninja -C build
exec build/mskprobe demo "$@"
