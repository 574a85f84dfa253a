#!/usr/bin/env bash
# The Rasa half of `make test`: data validation, NLU held-out evaluation, story tests,
# then the live tests (real Rasa server + action server + database) and the shopper scenarios.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
RASA="$ROOT/.venv-rasa/bin/rasa"
mkdir -p results

echo "== rasa data validate"
"$RASA" data validate --fail-on-warnings --quiet

echo "== NLU held-out evaluation (tests/nlu/heldout.yml, never used for training)"
rm -rf results/nlu
"$RASA" test nlu --nlu tests/nlu/heldout.yml -m "$MODEL" --out results/nlu --quiet >/dev/null
"$ROOT/.venv-rasa/bin/pytest" -q -s tests/nlu

echo "== story tests (tests/stories)"
rm -rf results/core
"$RASA" test core --stories tests/stories -m "$MODEL" --out results/core --fail-on-prediction-errors --quiet >/dev/null
"$ROOT/.venv-rasa/bin/python" - <<'PY'
import json; r = json.load(open("results/core/story_report.json"))
print(f"stories: {r['conversation_accuracy']['correct']}/{r['conversation_accuracy']['total']} correct, "
      f"action accuracy {r['weighted avg']['f1-score']:.3f}")
PY

echo "== live tests: Rasa server, action server, database"
"$ROOT/.venv/bin/pytest" -q tests/live

echo "== Telegram end to end: fake Bot API, the real bot, Rasa and the action server"
"$ROOT/.venv/bin/pytest" -q tests/telegram -m e2e

echo "== shopper scenarios (make eval)"
"$ROOT/scripts/eval.sh" "${EVAL_DIR:-$ROOT/../shared/eval}"
