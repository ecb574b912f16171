#!/usr/bin/env bash
# Golden tests: crafted captures in, the capture JSON out, compared byte for byte with golden/NAME.json.
#   golden.sh MSKPROBE MKPCAPS GOLDEN_DIR      (UPDATE_GOLDEN=1 rewrites the goldens)
# Inputs are written by mkpcaps at test time with fixed timestamps, so nothing needs normalising
# except nothing: the file names are relative (the test runs inside its scratch directory).
set -euo pipefail
mskprobe=$(realpath "$1") mkpcaps=$(realpath "$2") golden=$(realpath "$3")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$mkpcaps" "$work"
fail=0 n=0
# every case through both readers, compared with the same golden: libpcap's reads and the mapped walker
# (--reader mmap; a pcapng input must be refused by it, exit 2)
while IFS='|' read -r name input want args; do
	name=$(echo "$name" | xargs)
	[[ -z $name || $name == \#* ]] && continue
	input=$(echo "$input" | xargs) want=$(echo "$want" | xargs)
	ext=json
	[[ $args == *"--format text"* ]] && ext=txt
	for reader in libpcap mmap; do
	n=$((n + 1))
	got=0
	(cd "$work" && eval "\"$mskprobe\" capture -r \"$input\" --reader $reader --target-version 4.0.0 $args" >"$name.out" 2>"$name.err") || got=$?
	if [[ $reader == mmap && $input == *.pcapng ]]; then
		if [[ $got == 2 ]] && grep -q -- "--reader mmap" "$work/$name.err"; then echo "ok $n - $name ($reader): refused, a pcapng file"
		else echo "not ok $n - $name ($reader): exit $got for a pcapng file, want 2"; fail=1; fi
		continue
	fi
	if [[ ${UPDATE_GOLDEN:-} == 1 && $reader == libpcap ]]; then
		cp "$work/$name.out" "$golden/$name.$ext"
	fi
	if [[ $got != "$want" ]]; then
		echo "not ok $n - $name ($reader): exit $got, want $want"; sed 's/^/#   /' "$work/$name.err"; fail=1; continue
	fi
	# bad input: one stderr line naming the input (the report above it still holds what was read)
	if [[ $want == 2 ]] && { [[ $(wc -l <"$work/$name.err") != 1 ]] || ! grep -qF "'$input'" "$work/$name.err"; }; then
		echo "not ok $n - $name ($reader): want one stderr line naming '$input'"; sed 's/^/#   /' "$work/$name.err"; fail=1; continue
	fi
	if ! diff -u "$golden/$name.$ext" "$work/$name.out" >"$work/$name.diff"; then
		echo "not ok $n - $name ($reader): output differs from golden/$name.$ext"; sed 's/^/#   /' "$work/$name.diff" | head -40
		fail=1; continue
	fi
	echo "ok $n - $name ($reader)"
	done
done <"$golden/cases.txt"
# the evidence pcap holds only the flagged flow, cut to headers + 8 payload bytes
if [[ -f $work/ev.pcap ]]; then
	n=$((n + 1))
	if cmp -s <(od -An -tx1 "$work/ev.pcap" | tr -d ' \n' | grep -o 'a0a1a2a3' || true) /dev/null; then
		echo "ok $n - evidence pcap holds no session password bytes"
	else
		echo "not ok $n - evidence pcap leaks payload past the cut"; fail=1
	fi
fi
# no payload bytes in any output: the ZooKeeper path and the SNI that failed validation (client ids are
# request-header labels the client inventory reports: kafka-quorum's are checked in its golden)
n=$((n + 1))
if grep -lE 'brokers/ids|<script>' "$work"/*.out >/dev/null; then
	echo "not ok $n - payload bytes reached an output"; fail=1
else
	echo "ok $n - no payload bytes in any output"
fi
echo "1..$n"
exit $fail
