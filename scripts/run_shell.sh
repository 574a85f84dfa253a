#!/usr/bin/env bash
# make run: action server in the background, a chat in the terminal.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap stop_all EXIT INT TERM
start_actions
wait_for "http://localhost:$ACTIONS_PORT/health" 60
cd "$ROOT"
echo "Type your message (Ctrl-C or /stop to quit). Needs are logged to ${DATABASE_URL:-var/jujube.db}."
"$ROOT/.venv-rasa/bin/rasa" shell -m "$MODEL" --endpoints endpoints.yml --credentials credentials.yml --quiet
