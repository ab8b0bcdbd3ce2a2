#!/usr/bin/env bash
# How long the whole test suite takes on a fresh clone, before and after: clones BEFORE
# (default: cbf84e2, the last commit before issue 14's groundwork) and HEAD into fresh
# folders (own target directories, nothing built; the cargo registry and the npm cache
# are shared, as on a CI runner with caches) and runs `scripts/test` in each, one after
# the other, then prints both wall times and their ratio. Both runs must pass.
#
# Usage: bench/test_suite.sh [BEFORE]    (needs ~30 GB free in /tmp; takes ~20 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=${1:-cbf84e2}
AFTER=$(git rev-parse --short HEAD)
WORK=$(mktemp -d /tmp/test-suite.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

run() { # NAME REV -> seconds on stdout, log in $WORK/NAME.log
  local name=$1 rev=$2
  git clone --quiet --no-local . "$WORK/$name"
  git -C "$WORK/$name" checkout --quiet "$rev"
  local start end
  start=$(date +%s)
  if ! (cd "$WORK/$name" && env -u CARGO_TARGET_DIR scripts/test) > "$WORK/$name.log" 2>&1; then
    echo "scripts/test failed at $rev; the end of its log:" >&2
    tail -40 "$WORK/$name.log" >&2
    exit 1
  fi
  end=$(date +%s)
  rm -rf "$WORK/$name/target" # the disk, before the next run
  echo $((end - start))
}

echo "== scripts/test on a fresh clone of $BEFORE (before) and $AFTER (after), one after the other"
before=$(run before "$BEFORE")
echo "before ($BEFORE): ${before} s"
after=$(run after "$AFTER")
echo "after  ($AFTER): ${after} s"
awk -v b="$before" -v a="$after" 'BEGIN { printf "after / before: %.2f (goal < 1.00)\n", a / b; exit !(a < b) }'
