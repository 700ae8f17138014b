#!/usr/bin/env bash
# `make test`: every test, first on a normal build, then on an AddressSanitizer + UBSan build,
# both against SQLite and a throwaway PostgreSQL, then a short fuzz run. Ends with one line
# "N passed, N failed" over all suites.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
suite() { # name build-dir
  local name=$1 dir=$2 log
  log=$(mktemp)
  echo "== $name"
  scripts/with-postgres.sh meson test -C "$dir" --print-errorlogs --num-processes 2 2>&1 | tee "$log"
  local ok fail
  ok=$(awk '/^Ok:/ {print $2}' "$log" | tail -n 1)
  fail=$(awk '/^(Fail|Unexpected Pass|Timeout):/ {s += $2} END {print s + 0}' "$log")
  if ! grep -q '^Ok:' "$log"; then
    echo "$name: the test runner did not finish" >&2
    fail=$((fail + 1))
    ok=0
  fi
  if [ "$fail" -gt 0 ]; then
    # meson shows only a failing test's last 100 lines, which a sanitizer's report can fill:
    # the assertions that failed, from the full log.
    echo "== $name: failed assertions and errors (from $dir/meson-logs/testlog.txt)"
    grep -E '^(test: |\[  (ERROR|FAILED)  \]|\[   LINE   \]|ERROR: )' "$dir/meson-logs/testlog.txt" |
      grep -v '^test: ' | head -n 40
  fi
  passed=$((passed + ${ok:-0}))
  failed=$((failed + fail))
  rm -f "$log"
}

suite "tests" build
suite "tests under AddressSanitizer + UBSan" build-asan

echo "== fuzz (short run)"
if make -s fuzz-short; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
