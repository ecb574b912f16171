#!/usr/bin/env bash
# Pipes and FIFOs: `-r FIFO` and `-r -` read a pcap from a writer, and SIGTERM ends a read that waits (for the
# writer to appear, or for its next bytes) at once, with what was read reported.
#   stream.sh MSKPROBE MKPCAPS
# A "prompt" end is bounded by 20 s (far above the moment it takes) so a hang fails instead of blocking the suite.
set -uo pipefail
mskprobe=$(realpath "$1") mkpcaps=$(realpath "$2")
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
"$mkpcaps" "$work" || exit 1
cd "$work" || exit 1
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n - $*"; }
# wait_gone PID: wait up to 20 s for PID to end; 0 when it did
wait_gone() {
	local i
	for i in $(seq 200); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}
# packets FILE: stats.packets of a report ("none" when the report is not JSON)
packets() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stats"]["packets"])' "$1" 2>/dev/null || echo none; }
# the report without its source name, for comparing a file with the same bytes read through a pipe
strip_name() { sed -E 's/^(\t\t"name":\t).*/\1NAME/; s/ on file .*, e\.g\. / on file NAME, e.g. /' "$1"; }

"$mskprobe" capture -r zk-plain.pcap >file.json 2>/dev/null
want=$(packets file.json)
[[ $want == 21 ]] || { echo "Bail out! the plain file gives $want packets"; exit 1; }

# 1. a FIFO nobody writes to: SIGTERM ends the wait promptly, the report says nothing was read
mkfifo idle.fifo
"$mskprobe" capture -r idle.fifo >idle.json 2>idle.err &
pid=$!
pids+=("$pid")
sleep 1 # let it reach the open (before the fix, open() blocked here with SIGTERM masked)
kill -TERM "$pid"
if wait_gone "$pid"; then
	wait "$pid"
	rc=$?
	if [[ $rc == 3 && $(packets idle.json) == 0 ]]; then ok "FIFO without a writer: SIGTERM ends it (exit 3, 0 packets)"
	else notok "FIFO without a writer: exit $rc, packets $(packets idle.json)"; sed 's/^/#   /' idle.err; fi
else
	notok "FIFO without a writer: still running 20 s after SIGTERM"
fi

# 2. the same with SIGINT
"$mskprobe" capture -r idle.fifo >idle2.json 2>/dev/null &
pid=$!
pids+=("$pid")
sleep 1
kill -INT "$pid"
if wait_gone "$pid"; then ok "FIFO without a writer: SIGINT ends it"; else notok "FIFO without a writer: still running 20 s after SIGINT"; fi

# 3. a FIFO with a writer feeding a pcap is read to its end
mkfifo fed.fifo
cat zk-plain.pcap >fed.fifo &
pids+=("$!")
disown
rc=0
timeout 20 "$mskprobe" capture -r fed.fifo >fed.json 2>fed.err || rc=$?
if [[ $rc == 1 && $(strip_name fed.json) == "$(strip_name file.json)" ]]; then ok "-r FIFO with a writer: the whole pcap, the same report as the file"
else notok "-r FIFO with a writer: exit $rc, packets $(packets fed.json)"; sed 's/^/#   /' fed.err; fi

# 4. a pipe on stdin (tcpdump -w - | mskprobe capture -r -)
rc=0
cat zk-plain.pcap | timeout 20 "$mskprobe" capture -r - >pipe.json 2>pipe.err || rc=$?
if [[ $rc == 1 && $(strip_name pipe.json) == "$(strip_name file.json)" ]]; then ok "-r - from a pipe: the whole pcap, the same report as the file"
else notok "-r - from a pipe: exit $rc, packets $(packets pipe.json)"; sed 's/^/#   /' pipe.err; fi

# 5. a writer that sends the whole pcap and then keeps the FIFO open: SIGTERM ends the wait for more bytes and
#    the report holds the 21 packets read. The writer says when the reader has taken every byte (FIONREAD 0).
mkfifo slow.fifo
python3 - zk-plain.pcap slow.fifo drained <<'PY' &
import fcntl, os, sys, termios, time, array
data = open(sys.argv[1], "rb").read()
w = os.open(sys.argv[2], os.O_WRONLY)
os.write(w, data)
for _ in range(400):
    buf = array.array("i", [0])
    fcntl.ioctl(w, termios.FIONREAD, buf)
    if buf[0] == 0:
        break
    time.sleep(0.05)
open(sys.argv[3], "w").write("%d\n" % buf[0])
time.sleep(60)
PY
pids+=("$!")
disown
"$mskprobe" capture -r slow.fifo >slow.json 2>slow.err &
pid=$!
pids+=("$pid")
for _ in $(seq 200); do [[ -s drained ]] && break; sleep 0.1; done
sleep 0.5 # the reader's thread parses what it took (a few microseconds)
kill -TERM "$pid"
if wait_gone "$pid"; then
	wait "$pid"
	rc=$?
	if [[ $rc == 1 && $(packets slow.json) == 21 ]]; then ok "FIFO whose writer stays open: SIGTERM ends it, the 21 packets read are reported (exit 1)"
	else notok "FIFO whose writer stays open: exit $rc, packets $(packets slow.json)"; sed 's/^/#   /' slow.err; fi
else
	notok "FIFO whose writer stays open: still running 20 s after SIGTERM"
fi

# 6. not a pcap on a pipe: bad input, one line naming it
rc=0
echo "not a capture" | timeout 20 "$mskprobe" capture -r - >junk.json 2>junk.err || rc=$?
if [[ $rc == 2 && $(wc -l <junk.err) == 1 ]] && grep -q "'-'" junk.err; then ok "-r - with no pcap on it: exit 2, one line naming '-'"
else notok "-r - with no pcap: exit $rc"; sed 's/^/#   /' junk.err; fi

echo "1..$n"
exit $fail
