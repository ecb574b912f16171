#!/usr/bin/env bash
# `systemd-analyze verify` on the units as meson configured them, in a
# throw-away root where every program they name exists (the built wrapper
# and binary, at their install paths), so a wrong path, a misspelt or
# unknown directive, or a timer without its service fails here. Also checks
# the wrapper's shell and the sysusers file. Exit 77 (skipped) only when
# systemd-analyze is not installed.
#
# usage: systemd-verify.sh BUILD_UNIT_DIR SOURCE_UNIT_DIR MSKPROBE
set -uo pipefail
built=$1 src=$2 mskprobe=$3
command -v systemd-analyze >/dev/null || { echo "systemd-analyze not installed: skipped"; exit 77; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

unitdir=$root/etc/systemd/system
mkdir -p "$unitdir" "$root/usr/lib/systemd"
# the targets and units ours depend on (network-online.target, timers.target)
for d in /usr/lib/systemd/system /lib/systemd/system; do
	[ -d "$d" ] && { cp -a "$d" "$root/usr/lib/systemd/"; break; }
done
cp "$built/mskprobe-scan.service" "$built/mskprobe-scan.timer" "$unitdir/"
# every absolute program of an Exec line, present in the root
for exe in $(sed -n 's/^Exec[A-Za-z]*=[-+!@:]*\(\/[^ ]*\).*/\1/p' "$unitdir/mskprobe-scan.service"); do
	mkdir -p "$root$(dirname "$exe")"
	case $(basename "$exe") in
	mskprobe-scan) cp "$built/mskprobe-scan" "$root$exe" && chmod 0755 "$root$exe" ;;
	mskprobe) cp "$mskprobe" "$root$exe" ;;
	*) fail "ExecStart names '$exe', which meson does not build" ;;
	esac
done
grep -q '^ExecStart=/' "$unitdir/mskprobe-scan.service" || fail "no absolute ExecStart"

out=$(cd "$root" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no --root="$root" \
	"$unitdir/mskprobe-scan.service" "$unitdir/mskprobe-scan.timer" 2>&1)
rc=$?
echo "$out"
# a container without a running systemd still verifies; what it prints
# about the missing manager or the host's own units is not about ours
ours=$(echo "$out" | grep -E 'mskprobe' | grep -v 'Failed to .*bus' || true)
[ $rc -eq 0 ] || fail "systemd-analyze verify exited $rc"
[ -z "$ours" ] || fail "systemd-analyze verify complained about our units"

# the capability and the sandbox the service promises (mskprobe(1) SECURITY)
svc=$unitdir/mskprobe-scan.service
for want in 'User=mskprobe' 'AmbientCapabilities=CAP_NET_RAW' 'CapabilityBoundingSet=CAP_NET_RAW' \
	'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' \
	'SystemCallFilter=@system-service' 'StateDirectory=mskprobe' 'LogsDirectory=mskprobe'; do
	grep -qx "$want" "$svc" || fail "$want missing from mskprobe-scan.service"
done
# the unit's offline security score: every exposure it lists is a choice
if systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
	(cd "$root" && systemd-analyze security --offline=true --root="$root" "$svc" --no-pager 2>&1 | tail -n 1)
fi

sh -n "$built/mskprobe-scan" || fail "the wrapper is not valid sh"
grep -qE '^u mskprobe ' "$src/mskprobe.sysusers" || fail "the sysusers file does not create mskprobe"
if command -v systemd-sysusers >/dev/null; then
	mkdir -p "$root/usr/lib/sysusers.d"
	cp "$src/mskprobe.sysusers" "$root/usr/lib/sysusers.d/mskprobe.conf"
	users=$(SYSTEMD_LOG_TARGET=console systemd-sysusers --dry-run --root="$root" mskprobe.conf 2>&1)
	grep -q "Creating user 'mskprobe'" <<<"$users" || fail "systemd-sysusers --dry-run does not create mskprobe: $users"
fi
[ "$fails" -eq 0 ] && echo "units verified"
[ "$fails" -eq 0 ]
