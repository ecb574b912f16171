#!/usr/bin/env bash
# The anchors, side by side: run the tools a user would otherwise pick (franz-go's
# kcl misc probe-version, kafka-python's check_version, kcat -L, sslyze) and
# mskprobe scan against real Apache Kafka brokers, per listener kind, and print
# a markdown table: what each names (right, wrong, nothing, needs credentials)
# and its wall time (median of MSKPROBE_ANCHORS_REPEAT runs, default 3).
#
# Usage: scripts/interop/anchors.sh MSKPROBE [RELEASE:MODE...] [-o FILE.md]
#        (default releases: 2.8.2:zk-tls 4.1.2:kraft)
# The tools come from scripts/interop/clients-setup.sh (run first, cached under
# ~/.cache/mskprobe-interop/clients); a missing tool is a "-" column with its
# reason below the table. Brokers: fetch-kafka.sh + broker.sh, loopback only,
# stopped on exit. docs/anchors.md keeps the last table.
set -u
HERE=$(cd "$(dirname "$0")" && pwd -P)
"$HERE/clients-setup.sh" kcl python sslyze >&2 || echo "anchors: some tools are missing (above); their columns say so" >&2
exec python3 "$HERE/clients/anchors.py" "$@"
