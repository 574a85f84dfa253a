#!/usr/bin/env bash
# make serve-scaled: Rasa with WORKERS workers and the action server with WORKERS workers, sharing
# PostgreSQL (conversations and needs log) and Redis (conversation locks). PostgreSQL and redis-server
# run as plain processes under var/scaled/ (no system service). Ctrl-C stops everything it started.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
WORKERS="${WORKERS:-2}"
REDIS_PORT="${REDIS_PORT:-6380}"
PG_PORT="${PG_PORT:-5433}"
SCALED_DIR="${SCALED_DIR:-$ROOT/var/scaled}"
mkdir -p "$SCALED_DIR/redis" "$SCALED_DIR/postgres"
PIDS=()

stop_scaled() {
  trap - EXIT
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  "$ROOT/.venv/bin/python" "$ROOT/scripts/scaled_db.py" stop "$SCALED_DIR/postgres" || true
  echo "stopped Rasa, the action server, redis-server and PostgreSQL"
}
trap stop_scaled EXIT
trap 'exit 130' INT TERM

start_group() {  # start_group LOG CMD...: a command in its own process group, logging to LOG
  local log=$1; shift
  setsid "$@" >>"$log" 2>&1 </dev/null &
  PIDS+=($!)
}

command -v redis-server >/dev/null || { echo "redis-server is missing: run 'make install'" >&2; exit 1; }
start_group "$LOG_DIR/redis.log" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$SCALED_DIR/redis" \
  --save "" --appendonly no --daemonize no
export DATABASE_URL
DATABASE_URL="$("$ROOT/.venv/bin/python" "$ROOT/scripts/scaled_db.py" start "$SCALED_DIR/postgres" "$PG_PORT")"
echo "PostgreSQL on :$PG_PORT ($SCALED_DIR/postgres), redis-server on :$REDIS_PORT"
(cd "$ROOT" && "$ROOT/.venv/bin/jujube" db upgrade)

export REDIS_HOST=127.0.0.1 REDIS_PORT REDIS_DB="${REDIS_DB:-1}"
# Workers each listen on the port themselves (SO_REUSEPORT, jujube/workers.py), so load spreads evenly.
export SANIC_WORKERS="$WORKERS" ACTION_SERVER_SANIC_WORKERS="$WORKERS" PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
cd "$ROOT"
start_group "$LOG_DIR/actions.log" "$ROOT/.venv/bin/python" -m jujube.workers rasa_sdk --actions actions --port "$ACTIONS_PORT"
start_group "$LOG_DIR/rasa.log" "$ROOT/.venv-rasa/bin/python" -m jujube.workers rasa run --enable-api -m "$MODEL" --port "$RASA_PORT" \
  --endpoints endpoints-scaled.yml --credentials credentials.yml
RASA_GROUP=${PIDS[-1]}
echo "starting $WORKERS Rasa workers on :$RASA_PORT and $WORKERS action-server workers on :$ACTIONS_PORT" \
  "(logs: $LOG_DIR/rasa.log, $LOG_DIR/actions.log)"
wait_for "http://localhost:$RASA_PORT/status" 600
echo "ready: http://localhost:$RASA_PORT/webhooks/rest/webhook  (Ctrl-C stops everything)"
while kill -0 "$RASA_GROUP" 2>/dev/null; do sleep 1; done
echo "the Rasa server exited (log: $LOG_DIR/rasa.log)" >&2
exit 1
