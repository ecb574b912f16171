#!/usr/bin/env bash
# `report --output-dir` publishes a whole set with its manifest or nothing,
# and never leaves a hidden temporary (TAP):
#  - an injected failure midway (report.md already exists as a directory, so
#    the fourth artefact cannot be written; a signing key that is not a key)
#    leaves the folder as it was;
#  - SIGINT delivered while the first file is being written (strace injects
#    it at that file's fsync, so no timing is involved) ends the process by
#    the signal and leaves the folder empty;
#  - SIGINT delivered while the staged set is being renamed into place
#    still ends by the signal, with the complete set and its manifest.
# The signal cases are skipped when strace cannot trace here.
# usage: emit-interrupt.sh MSKPROBE SRCDIR
set -u
B=$1
SRC=$2
D=$SRC/tests/reports/data
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n # skip $1"; }
# every entry of a folder, hidden ones too, one line, sorted
listing() { (cd "$1" && find . -mindepth 1 -printf '%P ' | tr ' ' '\n' | sort | tr '\n' ' '); }
same() { # what want got
	if [ "$2" = "$3" ]; then ok "$1"; else no "$1"; echo "#   want: '$2'"; echo "#   got:  '$3'"; fi
}
code() { # what want command...
	local what=$1 want=$2
	shift 2
	"$@" >/dev/null 2>"$T/err"
	local got=$?
	if [ "$got" = "$want" ]; then ok "$what (exit $got)"; else no "$what: exit $got, want $want"; sed 's/^/# /' "$T/err" | head -5; fi
}

# --- injected failures --------------------------------------------------------
mkdir -p "$T/a/report.md"
code "a format target that cannot be written fails the run" 2 \
	"$B" report "$D/fleet.json" --format json,text,html,md --output-dir "$T/a"
same "nothing written beside the obstacle, no temporary" "report.md " "$(listing "$T/a")"
grep -q "report.md" "$T/err" && ok "the error names the obstacle" || no "the error names the obstacle"

mkdir -p "$T/b"
echo "not a key" >"$T/notakey.pem"
code "a signing key that is not a key fails the run" 2 \
	"$B" report "$D/fleet.json" --format json,text --output-dir "$T/b" --sign-key "$T/notakey.pem"
same "no report.json without its signature and manifest" "" "$(listing "$T/b")"

# --- signals, injected at a fixed system call ----------------------------------
if ! strace -f -o /dev/null true 2>/dev/null; then
	skip "strace cannot trace here"
	skip "strace cannot trace here"
	skip "strace cannot trace here"
	skip "strace cannot trace here"
else
	export ASAN_OPTIONS=detect_leaks=0 # LeakSanitizer does not run under ptrace
	mkdir -p "$T/c"
	strace -f -o /dev/null -e trace=fsync -e inject=fsync:signal=INT:when=1 \
		"$B" report "$D/fleet.json" --format json,text,html --output-dir "$T/c" >/dev/null 2>"$T/err"
	rc=$?
	[ $rc = 130 ] && ok "SIGINT while writing ends the run by the signal" ||
		{ no "SIGINT while writing: exit $rc, want 130"; sed 's/^/# /' "$T/err" | head -5; }
	same "SIGINT while writing leaves nothing, no temporary" "" "$(listing "$T/c")"

	mkdir -p "$T/d"
	# three staged files are renamed into the stage (1-3), then published (4-6)
	strace -f -o /dev/null -e trace=rename -e inject=rename:signal=INT:when=5 \
		"$B" report "$D/fleet.json" --format json,text --output-dir "$T/d" >/dev/null 2>"$T/err"
	rc=$?
	[ $rc = 130 ] && ok "SIGINT while publishing ends the run by the signal" ||
		{ no "SIGINT while publishing: exit $rc, want 130"; sed 's/^/# /' "$T/err" | head -5; }
	same "SIGINT while publishing: the whole set and its manifest" \
		"manifest.json report.json report.txt " "$(listing "$T/d")"
fi

echo "1..$n"
[ $fail = 0 ]
