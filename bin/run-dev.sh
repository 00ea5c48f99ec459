#!/usr/bin/env bash
# Start the web app, a Celery worker and Celery beat for development; Ctrl-C (or SIGTERM) stops all three.
#
# `make run` calls this after installing, migrating and loading the demo data. Each process runs in its own
# process group, so stopping also reaches their children (runserver's autoreloader, worker pool processes).
# If one of them exits on its own, the others are stopped too and the script exits with an error.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
CELERY="$VENV/bin/celery"
WEB_ADDR="${WEB_ADDR:-127.0.0.1:8000}"
export PYTHONUNBUFFERED=1

if [[ ! -x "$PY" ]]; then
    echo "run-dev: $PY not found; run 'make run' (it creates the virtualenv)." >&2
    exit 1
fi

# Job control: every background job below becomes the leader of its own process group.
set -m

pids=()
names=()

# start NAME COMMAND...: run COMMAND in the background, every output line prefixed with NAME.
start() {
    local name="$1"
    shift
    local prefix
    prefix="$(printf '%-6s| ' "$name")"
    (
        # This subshell outlives a TERM to the group so that it reaps the command; the prefixing awk ignores
        # TERM and ends when the command's output does, so the last log lines are not lost.
        trap 'true' TERM
        "$@" 2>&1 | (
            trap '' TERM
            exec awk -v prefix="$prefix" '{ print prefix $0; fflush() }'
        )
    ) </dev/null &
    pids+=("$!")
    names+=("$name")
}

stopping=0
stop_all() {
    [[ $stopping == 1 ]] && return
    stopping=1
    trap - INT TERM
    echo "run-dev: stopping web, worker and beat ..." >&2
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    # Give Celery a warm shutdown (it finishes the task at hand), then make sure nothing is left.
    local _
    for _ in $(seq 1 100); do
        local alive=0
        for pid in "${pids[@]}"; do
            if kill -0 -- "-$pid" 2>/dev/null; then
                alive=1
            fi
        done
        [[ $alive == 0 ]] && break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do
        kill -KILL -- "-$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    echo "run-dev: stopped." >&2
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

start web "$PY" manage.py runserver "$WEB_ADDR"
# Mingle, gossip and heartbeats talk to other workers; one development worker has none to talk to, and
# kombu's filesystem transport (used when REDIS_URL is unset) does not support them.
start worker "$CELERY" -A invoicing_console worker --loglevel=INFO --pool=solo --hostname="dev@%h" \
    --without-mingle --without-gossip --without-heartbeat
start beat "$CELERY" -A invoicing_console beat --loglevel=INFO

# Monitor mode only for creating the groups above; off again so that `sleep` and friends stay in our group.
set +m

if [[ -n "${REDIS_URL:-}" ]]; then broker="Redis"; else broker="filesystem queue under var/celery"; fi
if [[ -n "${DATABASE_URL:-}" ]]; then database="DATABASE_URL"; else database="SQLite under var/"; fi
echo "run-dev: http://$WEB_ADDR/ (database: $database; Celery broker: $broker). Press Ctrl-C to stop." >&2

# Wait until a signal arrives (the traps stop everything) or one process exits on its own (it should not).
set +e
wait -n
status=$?
set -e
echo "run-dev: a process exited on its own (status $status); stopping the others." >&2
stop_all
exit 1
