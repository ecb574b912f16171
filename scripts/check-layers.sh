#!/usr/bin/env bash
# The layers run one way (README "Architecture"): every quoted #include of a
# product source must resolve inside its own folder or a folder below it.
#   base/                      -> base/
#   probe/ capture/ reports/   -> own folder, base/
#   lab/                       -> lab/, probe/, base/
#   cmd/                       -> any (never another folder's *-internal.h)
# The meson include paths already make a wrong include fail to compile; this
# check also names the offence and covers headers nothing compiles alone.
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A allowed=(
  [base]="base"
  [probe]="probe base"
  [capture]="capture base"
  [reports]="reports base"
  [lab]="lab probe base"
  [cmd]="cmd probe capture reports lab base"
)
bad=0
for layer in "${!allowed[@]}"; do
  for f in $(git ls-files "$layer/*.c" "$layer/*.h"); do
    while IFS= read -r inc; do
      [ "$inc" = "mp_config.h" ] && continue # generated into the build root
      found=""
      for dir in ${allowed[$layer]}; do
        if [ -f "$dir/$inc" ]; then found=$dir; break; fi
      done
      if [ -z "$found" ]; then
        where=$(git ls-files "*/$inc" | head -n 1)
        echo "layers: $f includes \"$inc\" (${where:-no such file}): not allowed from $layer/"
        bad=1
      elif [ "$found" != "$layer" ] && [[ "$inc" == *-internal.h ]]; then
        echo "layers: $f includes $found/$inc, another folder's private header"
        bad=1
      fi
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
  done
done
exit $bad
