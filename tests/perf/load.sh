#!/usr/bin/env bash
# Load test: 50 simulated auditors open, save and submit their returns against gunicorn (4 workers)
# on loopback, for LOAD_DURATION (default 3m), on SQLite or PostgreSQL.
#
#   bash tests/perf/load.sh [sqlite|postgres]
#
# It makes its own database (a temporary SQLite file, or the PostgreSQL database "load_test",
# dropped again afterwards), migrates it, adds an open audit and one auditor per agency, starts
# gunicorn on a free 127.0.0.1 port, runs locust headless, stops gunicorn and checks that every
# save the server acknowledged is in the database. The last line is:
#   load db=<db> users=50 requests=<n> failures=<n> lost=<n> p95_ms=<ms> ratio=<r>
# ratio: how many return pages the server serves in the time it serves one trivial signed-in page
# (GET /account), i.e. mean time of /account ÷ mean time of the return page, in the same run.
# Also: LOAD_USERS (50), LOAD_WORKERS (4 gunicorn workers), LOAD_APP (wsgi:app, the WSGI app to serve).
set -euo pipefail
cd "$(dirname "$0")/../.."

ENGINE="${1:-sqlite}"
USERS="${LOAD_USERS:-50}"
DURATION="${LOAD_DURATION:-3m}"
WORKERS="${LOAD_WORKERS:-4}"
PG_SERVER="postgresql+psycopg://postgres@127.0.0.1:5432"
VENV=.venv/bin
WORK="$(mktemp -d -t load-XXXXXX)"
GUNICORN_PID=""

cleanup() {
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID" && wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  if [ "$ENGINE" = postgres ]; then drop_pg_database; fi
  rm -rf "$WORK"
}

server_cpu_ticks() {  # CPU used so far by gunicorn's master and workers, reaped workers included
  local total=0 pid stat
  for pid in "$GUNICORN_PID" $(pgrep -P "$GUNICORN_PID"); do
    stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
    read -r -a f <<<"${stat##*) }"  # the fields after the command name: utime is the 12th
    total=$((total + f[11] + f[12] + f[13] + f[14]))
  done
  echo "$total"
}

drop_pg_database() {
  PGOPTIONS='--client-min-messages=warning' psql -h 127.0.0.1 -U postgres -q -c 'DROP DATABASE IF EXISTS load_test WITH (FORCE)' >/dev/null
}

case "$ENGINE" in
  sqlite) export DATABASE_URL="sqlite:///$WORK/load.db" ;;
  postgres)
    drop_pg_database
    PGOPTIONS='--client-min-messages=warning' psql -h 127.0.0.1 -U postgres -q -c 'CREATE DATABASE load_test' >/dev/null
    export DATABASE_URL="$PG_SERVER/load_test" ;;
  *) echo "usage: $0 [sqlite|postgres]" >&2; exit 2 ;;
esac
trap cleanup EXIT

export FLASK_APP=wsgi.py FLASK_CONFIG=development AUDIT_MFA_ENFORCED=false
SECRET_KEY="$($VENV/python -c 'import secrets; print(secrets.token_urlsafe(48))')"
LOAD_PASSWORD="load test $($VENV/python -c 'import secrets; print(secrets.token_urlsafe(12))')"
export SECRET_KEY LOAD_PASSWORD LOAD_USERS="$USERS" LOAD_ACKS="$WORK/saves.json"

echo "== $ENGINE: migrating and filling the database"
$VENV/flask db upgrade >/dev/null 2>&1
$VENV/python tests/perf/load_data.py setup

PORT="$($VENV/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
echo "== gunicorn: $WORKERS workers on 127.0.0.1:$PORT"
GUNICORN_ACCESS_LOG="$WORK/access.log" $VENV/gunicorn -c gunicorn.conf.py --workers "$WORKERS" \
  --bind "127.0.0.1:$PORT" "${LOAD_APP:-wsgi:app}" 2>"$WORK/gunicorn.log" &
GUNICORN_PID=$!
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null

echo "== locust: $USERS auditors for $DURATION"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
cpu_before="$(server_cpu_ticks)" started="$(date +%s)"
$VENV/locust -f tests/perf/locustfile.py --headless --users "$USERS" --spawn-rate 10 --run-time "$DURATION" \
  --host "http://127.0.0.1:$PORT" --csv "$WORK/locust" --only-summary --stop-timeout 10 \
  >"$WORK/locust.log" 2>&1 || true  # locust exits 1 when any request failed: counted below
grep '^sign-in:' "$WORK/locust.log" || true
sed -n '/Response time percentiles/,$p' "$WORK/locust.log" | head -40 || true
grep -E "Failures|Error report" -A12 "$WORK/locust.log" | head -30 || true

cpu_used=$(( ($(server_cpu_ticks) - cpu_before) / $(getconf CLK_TCK) )) elapsed=$(( $(date +%s) - started ))
echo "machine: $(nproc) CPUs, load average before the run $load_before, at its end" \
  "$(cut -d' ' -f1-3 /proc/loadavg); gunicorn used ${cpu_used} CPU-seconds in ${elapsed} s"
kill -TERM "$GUNICORN_PID" && wait "$GUNICORN_PID" 2>/dev/null || true
GUNICORN_PID=""
locked="$(grep -c 'database is locked' "$WORK/gunicorn.log" || true)"
errors="$(grep -c 'Traceback' "$WORK/gunicorn.log" || true)"
echo "gunicorn log: tracebacks=$errors database_is_locked=$locked"
if [ "$errors" != 0 ]; then grep -B2 -A30 -m1 'Traceback' "$WORK/gunicorn.log" | tail -12; fi

$VENV/python tests/perf/load_data.py check "$WORK/saves.json" >"$WORK/check.txt"
cat "$WORK/check.txt"
check="$(head -1 "$WORK/check.txt")"
$VENV/python - "$WORK/locust_stats.csv" "$ENGINE" "$USERS" "$check" <<'EOF'
import csv, sys

path, engine, users, check = sys.argv[1:]
rows = {row["Name"]: row for row in csv.DictReader(open(path, encoding="utf-8"))}
total = rows["Aggregated"]
lost = dict(part.split("=", 1) for part in check.split()[1:])["lost"]
ratio = float(rows["GET /account"]["Average Response Time"]) / float(rows["GET /returns/[id]"]["Average Response Time"])
print(f"load db={engine} users={users} requests={total['Request Count']} failures={total['Failure Count']} "
      f"lost={lost} p95_ms={total['95%']} ratio={ratio:.2f}")
EOF
