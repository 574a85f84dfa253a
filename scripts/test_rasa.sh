#!/usr/bin/env bash
# The Rasa half of `make test`: data validation, NLU held-out evaluation, story tests,
# then the live tests (real Rasa server + action server + database) and the shopper scenarios.
# Every part runs even when an earlier one failed; the failed parts are listed at the end.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
RASA="$ROOT/.venv-rasa/bin/rasa"
mkdir -p results
failed=()

step() {  # step NAME COMMAND...: run one part; a failure is remembered, not fatal
  local name=$1
  shift
  echo "== $name"
  "$@" || failed+=("$name")
}

quietly() {  # quietly LOG COMMAND...: output to LOG, shown only when the command fails
  local log=$1
  shift
  "$@" >"$log" 2>&1 || { tail -n 40 "$log"; echo "(full output: $log)"; return 1; }
}

evaluate() {  # the model's evaluations, then their figures against the thresholds (tests/nlu)
  rm -rf results/nlu results/nlu_zh results/core
  quietly results/rasa-test-nlu.log "$RASA" test nlu --nlu tests/nlu/heldout.yml -m "$MODEL" --out results/nlu
  quietly results/rasa-test-nlu-zh.log "$RASA" test nlu --nlu tests/heldout/intents_zh.yml -m "$MODEL" \
    --out results/nlu_zh
  quietly results/rasa-test-core.log "$RASA" test core --stories tests/stories -m "$MODEL" --out results/core
  "$ROOT/.venv-rasa/bin/pytest" -q -s tests/nlu
}

step "rasa data validate" "$RASA" data validate --fail-on-warnings --quiet
step "NLU held-out evaluation (tests/nlu/heldout.yml, never used for training) and story tests (tests/stories)" \
  evaluate
step "live tests: Rasa server, action server, database" "$ROOT/.venv/bin/pytest" -q tests/live
step "Telegram end to end: fake Bot API, the real bot, Rasa and the action server" \
  "$ROOT/.venv/bin/pytest" -q tests/telegram -m e2e
step "shopper scenarios (make eval)" "$ROOT/scripts/eval.sh" "${EVAL_DIR:-$ROOT/../shared/eval}"

if [ "${#failed[@]}" -gt 0 ]; then
  echo "test-rasa: ${#failed[@]} part(s) failed:"
  printf '  - %s\n' "${failed[@]}"
  exit 1
fi
