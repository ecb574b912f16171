#!/usr/bin/env bash
# Write the fleet inventory `mskprobe scan --inventory FILE` reads: the JSON
# `aws kafka list-clusters-v2` prints, with each cluster's
# `aws kafka get-bootstrap-brokers` output merged in as "BootstrapBrokers".
# Needs the AWS CLI (v2) with credentials allowed kafka:ListClustersV2 and
# kafka:GetBootstrapBrokers, and python3. The probe itself needs no AWS SDK.
#
# usage: scripts/msk-inventory.sh [--region R] [--profile P] > inventory.json
set -euo pipefail
aws_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--region | --profile) aws_args+=("$1" "$2"); shift 2 ;;
	-h | --help) sed -n '2,9p' "$0"; exit 0 ;;
	*) echo "msk-inventory.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
aws "${aws_args[@]}" kafka list-clusters-v2 --output json >"$tmp/clusters.json"
python3 - "$tmp/clusters.json" "$tmp" "${aws_args[@]}" <<'PY'
import json, subprocess, sys
path, tmp, aws_args = sys.argv[1], sys.argv[2], sys.argv[3:]
inv = json.load(open(path))
for c in inv.get("ClusterInfoList", []):
    arn = c.get("ClusterArn")
    # no brokers to reach: mskprobe lists these as not scanned
    if not arn or c.get("State") in ("CREATING", "DELETING", "FAILED"):
        continue
    out = subprocess.run(["aws", *aws_args, "kafka", "get-bootstrap-brokers",
                          "--cluster-arn", arn, "--output", "json"],
                         check=True, capture_output=True, text=True).stdout
    c["BootstrapBrokers"] = json.loads(out)
json.dump(inv, sys.stdout, indent=1)
sys.stdout.write("\n")
PY
