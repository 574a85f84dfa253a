#!/usr/bin/env bash
# make eval / the scenario part of make test: start the assistant on spare ports, then play
#   1. the public sample shoppers (../shared/eval/scenarios.yml, and scenarios_zh.yml in Chinese):
#      every one must pass;
#   2. the team's shopper suite (tests/scenarios/shoppers.yml), the held-out shoppers
#      (tests/scenarios/shoppers_heldout.yml) and single behaviours (tests/scenarios/behaviours.yml):
#      pass rates at or above SHOPPERS_MIN, HELDOUT_MIN and BEHAVIOURS_MIN
#      (measured figures minus a margin for other machines; see README "Tests");
#   3. with SELFPLAY=1 (make eval), the rehearsal personas as shoppers (jujube.selfplay).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
EVAL_DIR="$(cd "${1:-$ROOT/../shared/eval}" && pwd)"
RASA_PORT="${EVAL_RASA_PORT:-5105}"; ACTIONS_PORT="${EVAL_ACTIONS_PORT:-5155}"
SHOPPERS_MIN="${SHOPPERS_MIN:-0.90}"; BEHAVIOURS_MIN="${BEHAVIOURS_MIN:-0.90}"; HELDOUT_MIN="${HELDOUT_MIN:-0.64}"
ZH_MIN="${ZH_MIN:-0.52}"
export ACTION_ENDPOINT_URL="http://localhost:$ACTIONS_PORT/webhook"
trap stop_all EXIT INT TERM
start_actions
start_rasa
wait_for "http://localhost:$ACTIONS_PORT/health" 180
wait_for "http://localhost:$RASA_PORT/status" 240
mkdir -p "$ROOT/results"
URL="http://localhost:$RASA_PORT"
EXPORT="$ROOT/.venv/bin/jujube needs export --format jsonl --conversation {id}"
PY="$ROOT/.venv/bin/python"
status=0

echo "== public sample shoppers ($EVAL_DIR/scenarios.yml)"
"$PY" "$EVAL_DIR/run_scenarios.py" --scenarios "$EVAL_DIR/scenarios.yml" --url "$URL" \
  --json "$ROOT/results/eval.json" --export-cmd "$EXPORT" || status=1

if [ -f "$EVAL_DIR/scenarios_zh.yml" ]; then
  echo "== public sample shoppers in Chinese ($EVAL_DIR/scenarios_zh.yml)"
  "$PY" "$EVAL_DIR/run_scenarios.py" --scenarios "$EVAL_DIR/scenarios_zh.yml" --url "$URL" \
    --json "$ROOT/results/eval_zh.json" --export-cmd "$EXPORT" || status=1
fi

echo "== Chinese shoppers (tests/scenarios/shoppers_zh.yml, held out, never tuned to)"
"$PY" "$EVAL_DIR/run_scenarios.py" --scenarios "$ROOT/tests/scenarios/shoppers_zh.yml" --url "$URL" \
  --json "$ROOT/results/shoppers_zh.json" --export-cmd "$EXPORT" >"$ROOT/results/shoppers_zh.txt" || true
"$PY" "$ROOT/scripts/suite_gate.py" chinese "$ROOT/results/shoppers_zh.json" "$ZH_MIN" || status=1

echo "== the team's shopper suite (tests/scenarios/shoppers.yml)"
"$PY" "$EVAL_DIR/run_scenarios.py" --scenarios "$ROOT/tests/scenarios/shoppers.yml" --url "$URL" \
  --json "$ROOT/results/shoppers.json" --export-cmd "$EXPORT" >"$ROOT/results/shoppers.txt" || true
grep -E "^FAIL|^ +- " "$ROOT/results/shoppers.txt" | head -60 || true
"$PY" "$ROOT/scripts/suite_gate.py" shoppers "$ROOT/results/shoppers.json" "$SHOPPERS_MIN" || status=1

echo "== held-out shoppers (tests/scenarios/shoppers_heldout.yml, never tuned to)"
"$PY" "$EVAL_DIR/run_scenarios.py" --scenarios "$ROOT/tests/scenarios/shoppers_heldout.yml" --url "$URL" \
  --json "$ROOT/results/shoppers_heldout.json" --export-cmd "$EXPORT" >"$ROOT/results/shoppers_heldout.txt" || true
"$PY" "$ROOT/scripts/suite_gate.py" held-out "$ROOT/results/shoppers_heldout.json" "$HELDOUT_MIN" || status=1

echo "== single behaviours (tests/scenarios/behaviours.yml)"
"$PY" "$ROOT/tests/scenarios/run_behaviours.py" --url "$URL" --export-cmd "$EXPORT" \
  --json "$ROOT/results/behaviours.json" >"$ROOT/results/behaviours.txt" || true
grep -E "^FAIL|^ +- " "$ROOT/results/behaviours.txt" | head -60 || true
"$PY" "$ROOT/scripts/suite_gate.py" behaviours "$ROOT/results/behaviours.json" "$BEHAVIOURS_MIN" || status=1

if [ "${SELFPLAY:-0}" = 1 ]; then
  echo "== self-play: the rehearsal personas shop with the assistant"
  "$PY" -m jujube.selfplay --url "$URL" --export-cmd "$EXPORT" --json "$ROOT/results/selfplay.json" \
    --min-success "${SELFPLAY_MIN:-0.85}" || status=1
fi
exit $status
