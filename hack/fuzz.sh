#!/usr/bin/env bash
# Runs every Go fuzz target of the repository for a short time each
# (default 10s): enough in CI to catch a decoder that panics on odd input.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${1:-10s}"
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
