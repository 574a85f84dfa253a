#!/usr/bin/env bash
# make eval: start the assistant on spare ports, play the shopper scenarios, check the exported needs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
EVAL_DIR="$(cd "${1:-$ROOT/../shared/eval}" && pwd)"
RASA_PORT="${EVAL_RASA_PORT:-5105}"; ACTIONS_PORT="${EVAL_ACTIONS_PORT:-5155}"
export ACTION_ENDPOINT_URL="http://localhost:$ACTIONS_PORT/webhook"
trap stop_all EXIT INT TERM
start_actions
start_rasa
wait_for "http://localhost:$ACTIONS_PORT/health" 90
wait_for "http://localhost:$RASA_PORT/status" 240
mkdir -p "$ROOT/results"
"$ROOT/.venv/bin/python" "$EVAL_DIR/run_scenarios.py" --scenarios "$EVAL_DIR/scenarios.yml" \
  --url "http://localhost:$RASA_PORT" --json "$ROOT/results/eval.json" \
  --export-cmd "$ROOT/.venv/bin/jujube needs export --format jsonl --conversation {id}"
