#!/usr/bin/env bash
# make serve: action server + Rasa server (REST channel and HTTP API) in the foreground; Ctrl-C stops both.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap stop_all EXIT INT TERM
start_actions
echo "action server on :$ACTIONS_PORT (log: $LOG_DIR/actions.log)"
cd "$ROOT"
"$ROOT/.venv-rasa/bin/rasa" run --enable-api -m "$MODEL" --port "$RASA_PORT" \
  --endpoints endpoints.yml --credentials credentials.yml
