#!/usr/bin/env bash
# Runs every Go fuzz target of the repository for a fixed number of
# executions each (default 20000x): enough in CI to catch a decoder that
# panics on odd input.
#
# The budget is a count, not a duration: with a duration, Go's fuzzing
# coordinator can fail a target with a bare "context deadline exceeded" and
# no crasher when its workers are starved of CPU at the deadline
# (golang/go#75804). A count only makes a loaded machine slower.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${1:-20000x}"
found=0
while IFS=: read -r file _ line; do
  name="$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' <<<"$line")"
  [[ -n "$name" ]] || continue
  pkg="./$(dirname "$file")"
  echo "fuzz: ${pkg} ${name} for ${fuzztime}"
  go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime"
  found=$((found + 1))
done < <(git grep -n '^func Fuzz' -- '*_test.go' || true)
echo "fuzz: ${found} targets"
