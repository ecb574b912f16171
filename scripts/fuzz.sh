#!/usr/bin/env bash
# A libFuzzer campaign on mskprobe's fuzz targets (tests/fuzz/meson.build).
#
#   scripts/fuzz.sh [--merge] [--build DIR] [--findings DIR] [--runs N] SECONDS [TARGET...]
#
# Builds with clang and -Dfuzzing=true in its own directory (build-fuzz),
# then fuzzes each target (default: every test of suite 'fuzz', e.g.
# fuzz-apiv or just apiv) for SECONDS (or, with --runs, until N
# executions if that comes first: the long campaign's "30 minutes or 10
# million executions"), one after the other, each in one
# forked worker (-fork=1) with -rss_limit_mb and a per-input timeout.
# Generated inputs go to BUILD/fuzz-corpus/TARGET (kept between runs); the
# seed corpus in the repository is only read, unless --merge: then inputs
# that add coverage are minimised into it (-merge=1) after the run.
# Crash, leak, timeout and out-of-memory inputs are kept in the findings
# directory (BUILD/findings/TARGET/), each with its stack in NAME.txt;
# only those this run wrote (or rewrote) count.
#
# One line per target: executions, coverage (cov: the corpus's covered
# edges after the run, seeds alone in brackets), findings; a finding's
# kind and first frames below it. Last line "N passed, N failed" (a target
# fails on any finding, or when it does not run). Exit 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

build=${MSKPROBE_FUZZ_BUILD:-build-fuzz}
findings=""
merge=0
runs=""
usage() {
  echo "usage: scripts/fuzz.sh [--merge] [--build DIR] [--findings DIR] [--runs N] SECONDS [TARGET...]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --merge) merge=1; shift ;;
    --build) [ $# -ge 2 ] || usage; build=$2; shift 2 ;;
    --findings) [ $# -ge 2 ] || usage; findings=$2; shift 2 ;;
    --runs) [ $# -ge 2 ] || usage; runs=$2; shift 2
      case "$runs" in '' | *[!0-9]* | 0) usage ;; esac ;;
    -h|--help) usage ;;
    -*) usage ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || usage
seconds=$1
shift
case "$seconds" in '' | *[!0-9]* | 0) echo "fuzz.sh: SECONDS must be a whole number above 0" >&2; exit 2 ;; esac
findings=${findings:-$build/findings}

if [ ! -f "$build/build.ninja" ]; then
  setup_log=$(mktemp)
  CC=clang meson setup "$build" -Dfuzzing=true -Db_lundef=false >"$setup_log" 2>&1 || {
    cat "$setup_log" >&2; rm -f "$setup_log"
    echo "fuzz.sh: meson setup failed"; echo "0 passed, 1 failed"; exit 1; }
  rm -f "$setup_log"
fi
if ! meson introspect --buildoptions "$build" | python3 -c '
import json, sys
sys.exit(0 if any(o["name"] == "fuzzing" and o["value"] for o in json.load(sys.stdin)) else 1)'; then
  echo "fuzz.sh: $build is not a -Dfuzzing=true build" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# a build dir made before the meson files last changed (a target added since): regenerate it first
ninja -C "$build" build.ninja >"$build/fuzz-regen.log" 2>&1 || {
  tail -n 30 "$build/fuzz-regen.log" >&2; echo "fuzz.sh: meson could not regenerate $build"
  echo "0 passed, 1 failed"; exit 1; }

# "name<TAB>executable<TAB>seed corpus" for every test of suite 'fuzz'
list=$(meson introspect --tests "$build" | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if any(s.split(":")[-1] == "fuzz" for s in t["suite"]):
        print("%s\t%s\t%s" % (t["name"], t["cmd"][0], t["cmd"][-1]))') || exit 1
if [ $# -gt 0 ]; then
  want=""
  for t in "$@"; do
    case "$t" in fuzz-*) ;; *) t=fuzz-$t ;; esac
    line=$(printf '%s\n' "$list" | awk -F'\t' -v n="$t" '$1 == n')
    if [ -z "$line" ]; then echo "fuzz.sh: no fuzz target $t" >&2; exit 2; fi
    want+="$line"$'\n'
  done
  list=$want
fi

exes=$(printf '%s\n' "$list" | awk -F'\t' 'NF { print $2 }')
# shellcheck disable=SC2086 # one word per executable
ninja -C "$build" -j "${FUZZ_NINJA_JOBS:-2}" $(for e in $exes; do realpath --relative-to="$build" "$e"; done) \
  >"$build/fuzz-build.log" 2>&1 || {
  tail -n 30 "$build/fuzz-build.log" >&2; echo "fuzz.sh: build failed"; echo "0 passed, 1 failed"; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
root=$(pwd)

# kind and the first frames in this repository of a crash report on stdin
signature() {
  python3 -c '
import os, re, sys
root = sys.argv[1] + "/"
kind, frames = "", []
for line in sys.stdin:
    if not kind:
        m = re.search(r"(ERROR: (?:libFuzzer|AddressSanitizer|LeakSanitizer): [^(]*?|runtime error: .*)\s*$", line)
        if m:
            kind = m.group(1).replace("ERROR: ", "")
    m = re.match(r"\s*#\d+ 0x[0-9a-f]+ in (\S+) (\S+?):(\d+)", line)
    if m and len(frames) < 3:
        path = os.path.normpath(m.group(2))
        if path.startswith(root):
            frames.append("%s %s:%s" % (m.group(1), path[len(root):], m.group(3)))
if not kind:
    print("did not reproduce alone (state across inputs?): replay it, or see the run log")
else:
    print("%s; %s" % (kind, " < ".join(frames) or "no frame in this repository"))
' "$root"
}

pass=0
fail=0
while IFS=$'\t' read -r name exe seeds; do
  [ -n "$name" ] || continue
  work="$build/fuzz-corpus/$name"
  found="$findings/$name"
  mkdir -p "$work" "$found"
  log="$build/fuzz-logs/$name.log"
  mkdir -p "$(dirname "$log")"
  stamp="$build/fuzz-logs/$name.stamp"
  touch "$stamp" # a finding this run writes is newer (nanosecond mtimes)
  "$exe" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$seconds" ${runs:+-runs="$runs"} -rss_limit_mb=1024 -malloc_limit_mb=1024 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$found/" "$work" "$seeds" >"$log" 2>&1
  rc=$?
  execs=$(grep -oE '^#[0-9]+:' "$log" | tail -n 1 | tr -d '#:')
  # covered edges of the corpus now, and of the seeds alone
  cov_now=$("$exe" -runs=0 "$work" "$seeds" 2>&1 | grep -oE 'INITED cov: [0-9]+' | grep -oE '[0-9]+$')
  cov_seed=$("$exe" -runs=0 "$seeds" 2>&1 | grep -oE 'INITED cov: [0-9]+' | grep -oE '[0-9]+$')
  mapfile -t arts < <(find "$found" -maxdepth 1 -type f ! -name '*.txt' -newer "$stamp" | sort)
  state=ok
  if [ "${#arts[@]}" -gt 0 ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; } || [ -z "$execs" ]; then
    state=FAIL
  fi
  printf '%-20s %-4s execs %-10s cov %s (seeds %s) findings %d%s\n' "$name" "$state" \
    "${execs:-0}" "${cov_now:-?}" "${cov_seed:-?}" "${#arts[@]}" \
    "$([ -z "$execs" ] && echo "; did not run, see $log")"
  # one line per distinct signature, with a count and one input
  if [ "${#arts[@]}" -gt 0 ]; then
    for a in "${arts[@]}"; do
      timeout 60 "$exe" -timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=1024 "$a" >"$a.txt" 2>&1
      size=$(stat -c %s "$a")
      printf '%s\t%s\t%s\n' "$(signature <"$a.txt")" "$size" "$a"
    done | sort -t$'\t' -k1,1 -k2,2n | awk -F'\t' '{ n[$1]++; if (!($1 in f)) f[$1] = $3 }
      END { for (s in n) printf "%d\t%s\t%s\n", n[s], s, f[s] }' |
      while IFS=$'\t' read -r n sig a; do
        # the smallest input of each signature, in base64 when short
        b64=""
        [ "$(stat -c %s "$a")" -le 96 ] && b64=" base64 $(base64 -w0 "$a")"
        echo "    ${n}x $sig"
        echo "       input $a$b64"
      done
  fi
  if [ "$merge" -eq 1 ]; then
    "$exe" -merge=1 -rss_limit_mb=1024 -timeout=10 "$seeds" "$work" >"$build/fuzz-logs/$name.merge.log" 2>&1 ||
      echo "    merge into $seeds failed: $build/fuzz-logs/$name.merge.log"
  fi
  if [ "$state" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done <<<"$list"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
