#!/usr/bin/env bash
# The bash completion (contrib/bash-completion/mskprobe) through
# bash-completion itself: subcommands, every option each subcommand's
# --help prints (a failure names the missing ones), format lists, fixed
# values, and files where an option takes one. Exit 77 (skipped) only when
# bash-completion is not installed.
#
# usage: completion.sh MSKPROBE COMPLETION_FILE
set -uo pipefail
mskprobe=$1 completion=$2
bc=/usr/share/bash-completion/bash_completion
[ -r "$bc" ] || { echo "bash-completion not installed: skipped"; exit 77; }
# shellcheck disable=SC1090
source "$bc"
# shellcheck disable=SC1090
source "$completion"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }

# what completing the last word of the command line offers, one per line
complete_line() {
	COMP_LINE="mskprobe $*"
	COMP_POINT=${#COMP_LINE}
	read -r -a COMP_WORDS <<<"$COMP_LINE"
	[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_mskprobe mskprobe "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}"
}
expect() { # description, expected word, command line
	local got
	got=$(complete_line "${@:3}")
	if grep -qxF -- "$2" <<<"$got"; then ok "$1"; else not_ok "$1: got '$(echo $got)'"; fi
}

expect "a subcommand" scan "sc"
expect "--version" --version "--ver"
expect "a scan option" --inventory "scan --inv"
expect "a report format" html "scan --format ht"
expect "the last item of a format list" json,asff "report x.json --format json,as"
expect "prom is a format" prom "scan --format pr"
expect "a diff format" md "diff --format m"
expect "a capture reader" mmap "capture --reader mm"
expect "--tls values" auto "scan --tls a"
expect "--platform values" apache "scan --platform ap"
touch "$tmp/fleet.json" "$tmp/key.pem"
expect "a file for --inventory" "$tmp/fleet.json" "scan --inventory $tmp/fl"
expect "a file for --sign-key" "$tmp/key.pem" "report r.json --sign-key $tmp/k"
expect "a file for capture -r" "$tmp/fleet.json" "capture -r $tmp/fl"
expect "a report file for diff" "$tmp/fleet.json" "diff $tmp/f"

# every option of every subcommand's --help is offered
for cmd in $(complete_line "" | grep -v '^-'); do
	offered=$(complete_line "$cmd -")
	# the options --help defines: its usage lines and its option column
	want=$("$mskprobe" "$cmd" --help | awk '
		/^usage:/ { usage = 1 } /^$/ { usage = 0 }
		usage { print; next }
		/^[ \t]+-/ { sub(/^[ \t]+/, ""); split($0, col, /  +/); print col[1] }' |
		grep -oE -- '(^|[[ ,(|])--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z0-9-]+' | sort -u)
	missing=$(comm -23 <(echo "$want") <(echo "$offered" | sort -u) | tr '\n' ' ')
	if [ -z "$missing" ]; then ok "every option of '$cmd --help' is offered"; else not_ok "'$cmd' options not offered: $missing"; fi
done
echo "1..$n"
[ "$fails" -eq 0 ]
