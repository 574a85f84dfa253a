#!/usr/bin/env bash
# `make test`: run every test suite (make target) even when one fails, then print a summary table.
# Usage: scripts/run_tests.sh TARGET...   (the Makefile passes TEST_TARGETS; MAKE is set by make)
# Each suite's output is shown as it runs and kept in results/test-logs/<target>.log.
# Exit status: 0 when every suite passed, 1 when any failed, 2 when no suite was given.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MAKE="${MAKE:-make}"
LOGS="$ROOT/results/test-logs"

targets=()
for t in "$@"; do  # each suite once, in the order given
  [[ " ${targets[*]:-} " == *" $t "* ]] || targets+=("$t")
done
if [ "${#targets[@]}" -eq 0 ]; then
  echo "run_tests.sh: no test suites given (TEST_TARGETS is empty)" >&2
  exit 2
fi

mkdir -p "$LOGS"
trap 'echo; echo "interrupted"; exit 130' INT TERM
results=()
failed=0
for t in "${targets[@]}"; do
  echo
  echo "=================================== $t ==================================="
  started=$SECONDS
  "$MAKE" --no-print-directory -C "$ROOT" "$t" 2>&1 | tee "$LOGS/$t.log"
  status=${PIPESTATUS[0]}
  took=$((SECONDS - started))
  if [ "$status" -eq 0 ]; then
    results+=("$(printf '%-24s %-7s %5ss' "$t" passed "$took")")
  else
    results+=("$(printf '%-24s %-7s %5ss   log: results/test-logs/%s.log' "$t" FAILED "$took" "$t")")
    failed=$((failed + 1))
  fi
done

echo
echo "================================ test summary ================================"
printf '%s\n' "${results[@]}"
echo "suites: $(( ${#targets[@]} - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
