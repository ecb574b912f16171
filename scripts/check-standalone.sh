#!/usr/bin/env bash
# The project stands alone: code, comments, data files and docs cite public
# sources or the project's own docs/, never material outside the repository
# (a sibling folder of notes, a FACTS file that is not ours).
set -euo pipefail
cd "$(dirname "$0")/.."
hits=$(git ls-files -z -- . ':!scripts/check-standalone.sh' |
  xargs -0 grep -nIE '\.\./shared|\bshared/(FACTS|STYLE|ARCHITECTURE|realworld)|\bFACTS\.md|\bFACTS\b' 2>/dev/null || true)
if [ -n "$hits" ]; then
  echo "cites material outside the repository (move it into docs/ and cite that):"
  echo "$hits"
  exit 1
fi
