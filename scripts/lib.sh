# Shared shell helpers: start the action server and the Rasa server, wait for them.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RASA_PORT="${RASA_PORT:-5005}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
MODEL="${MODEL:-$ROOT/models/jujube.tar.gz}"
LOG_DIR="${LOG_DIR:-$ROOT/var/log}"
mkdir -p "$LOG_DIR"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://localhost:$ACTIONS_PORT/webhook}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=3
# Rasa's dependencies print pages of deprecation warnings; keep the logs readable.
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning,ignore::FutureWarning}"

start_actions() {  # background action server; logs to var/log/actions.log
  (cd "$ROOT" && exec "$ROOT/.venv/bin/python" -m rasa_sdk --actions actions --port "$ACTIONS_PORT") \
    >>"$LOG_DIR/actions.log" 2>&1 &
  ACTIONS_PID=$!
}

start_rasa() {  # background Rasa server (REST channel + HTTP API); logs to var/log/rasa.log
  (cd "$ROOT" && exec "$ROOT/.venv-rasa/bin/rasa" run --enable-api -m "$MODEL" --port "$RASA_PORT" \
     --endpoints endpoints.yml --credentials credentials.yml) >>"$LOG_DIR/rasa.log" 2>&1 &
  RASA_PID=$!
}

wait_for() {  # wait_for URL SECONDS
  local url=$1 limit=${2:-180} i=0
  until curl -fs "$url" >/dev/null 2>&1; do
    i=$((i + 1)); if [ "$i" -gt "$limit" ]; then echo "timed out waiting for $url" >&2; return 1; fi
    sleep 1
  done
}

stop_all() {
  for pid in ${RASA_PID:-} ${ACTIONS_PID:-}; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
