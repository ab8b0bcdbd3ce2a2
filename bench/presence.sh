#!/usr/bin/env bash
# Presence and chat benchmark (issue 4), one run per database on this machine:
#   - N simulated staff (units of 30, 20 favourites each) signed in over WebSocket;
#   - presence phase: PRESENCE_RATE changes per second, p99 delivery budget 100 ms;
#   - chat phase: CHAT_RATE messages per second into the unit rooms (30 members),
#     stored before the ack, p99 delivery budget 150 ms;
#   - server memory per connected client (VmRSS growth), budget 25 KiB.
# The load tool is crates/loadgen (durchwahl-load); it runs on the same 2 cores as the
# server, so the figures include its own CPU share.
#
# Quick try: CLIENTS=2000 DURATION=10 bench/presence.sh
# Other knobs: STAFF (default: CLIENTS as asked), PRESENCE_RATE, CHAT_RATE, DURATION,
# BACKENDS ("sqlite postgres"), SERVER_BIN (another server build to compare).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh

ASKED=${CLIENTS:-20000}
STAFF=${STAFF:-$ASKED}
PRESENCE_RATE=${PRESENCE_RATE:-1000}
CHAT_RATE=${CHAT_RATE:-2000}
DURATION=${DURATION:-30}
BACKENDS=${BACKENDS:-sqlite postgres}

# The server holds one descriptor per client, and the hard limit on open files cannot be
# raised here (no CAP_SYS_RESOURCE): leave 100 for its listener, database and logs.
HARD=$(ulimit -Hn)
CLIENTS=$ASKED
if [ "$HARD" != unlimited ] && [ "$CLIENTS" -gt $((HARD - 100)) ]; then
  CLIENTS=$((HARD - 100))
  echo "NOTE: the open-file hard limit is $HARD, so the server can hold at most $CLIENTS"
  echo "      WebSockets: measuring $CLIENTS clients instead of $ASKED."
fi
[ "$CLIENTS" -le "$STAFF" ] || { echo "CLIENTS ($CLIENTS) must not exceed STAFF ($STAFF)"; exit 2; }
ulimit -n "$HARD"

cargo build --release --quiet -p durchwahl -p loadgen
BIN=${SERVER_BIN:-target/release/durchwahl}
LOAD=target/release/durchwahl-load

out=$(mktemp -d /tmp/durchwahl-presence.XXXXXX)
server_pid=""
stop_pg=""
stop_server() {
  [ -n "$server_pid" ] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
if [[ " $BACKENDS " == *" postgres "* ]]; then
  start_throwaway_postgres
  # The library's EXIT trap removes the cluster; keep it and add ours.
  stop_pg=$(trap -p EXIT); stop_pg=${stop_pg#"trap -- '"}; stop_pg=${stop_pg%"' EXIT"}
fi
trap 'stop_server; rm -rf "$out"; eval "$stop_pg"' EXIT
psql_bin=psql; [ -x "${PG_BIN:-}/psql" ] && psql_bin="$PG_BIN/psql"

# Notes carry the send time; by default only the own unit sees them, favourites would not.
NOTE_ENV=(DURCHWAHL_PRESENCE_NOTE_VISIBLE_TO=organisation)

start_server() { # data dir, extra flags → sets server_pid and address
  local dir=$1; shift
  env "${NOTE_ENV[@]}" "$BIN" serve --data-dir "$dir" --http-listen 127.0.0.1:0 --sip-listen 127.0.0.1:0 \
    --log-level warn "$@" > "$out/server.out" 2> "$out/server.err" &
  server_pid=$!
  address=""
  for _ in $(seq 600); do
    address=$(sed -n 's|^listening on http://\(.*\)/$|\1|p' "$out/server.out")
    [ -n "$address" ] && return 0
    if ! kill -0 "$server_pid" 2>/dev/null; then
      server_pid=""
      if grep -q 'unknown environment variable DURCHWAHL_PRESENCE_NOTE_VISIBLE_TO' "$out/server.err" && [ ${#NOTE_ENV[@]} -gt 0 ]; then
        echo "WARNING: this server does not know DURCHWAHL_PRESENCE_NOTE_VISIBLE_TO; favourites"
        echo "         will not see the notes, so only unit members' deliveries are measured."
        NOTE_ENV=()
        start_server "$dir" "$@"
        return
      fi
      echo "the server exited:"; tail -20 "$out/server.err"; exit 1
    fi
    sleep 0.1
  done
  echo "the server did not start listening within 60 s"; tail -20 "$out/server.err"; exit 1
}

for backend in $BACKENDS; do
  dir="$out/$backend"
  flags=()
  if [ "$backend" = postgres ]; then
    PGOPTIONS='-c client_min_messages=warning' "$psql_bin" -q "$PG_URL" -c "DROP DATABASE IF EXISTS presence" -c "CREATE DATABASE presence"
    flags=(--database-url "${PG_URL%/*}/presence")
  fi
  echo "== $backend: preparing $STAFF staff"
  "$LOAD" prepare --data-dir "$dir" "${flags[@]}" --staff "$STAFF"
  start_server "$dir" "${flags[@]}"
  echo "== $backend: server pid $server_pid on $address"
  "$LOAD" run --url "http://$address" --staff "$STAFF" --clients "$CLIENTS" \
    --presence-rate "$PRESENCE_RATE" --chat-rate "$CHAT_RATE" --duration "$DURATION" \
    --server-pid "$server_pid" --label "$backend" --summary "$out/summary.tsv" \
    || echo "== $backend: the load run failed"
  if [ -s "$out/server.err" ]; then
    echo "== $backend: server warnings (last 5 of $(wc -l < "$out/server.err"))"
    tail -5 "$out/server.err"
  fi
  stop_server
done

echo
echo "== presence and chat, $CLIENTS clients of $STAFF staff, $PRESENCE_RATE presence changes/s, $CHAT_RATE messages/s, ${DURATION} s each"
[ -s "$out/summary.tsv" ] || { echo "no figures"; exit 1; }
awk -F'\t' -v backends="$BACKENDS" '
  { if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
    value[$1, $2] = $3; budget[$1] = $4; ratio[$1, $2] = $5 }
  END {
    nb = split(backends, b, " ")
    printf "%-34s", "figure"
    for (i = 1; i <= nb; i++) printf " %10s", b[i]
    printf " %8s", "budget"
    for (i = 1; i <= nb; i++) printf " %14s", "ratio " b[i]
    printf "\n"
    over = 0
    for (k = 1; k <= n; k++) {
      f = order[k]
      printf "%-34s", f
      for (i = 1; i <= nb; i++) {
        v = ((f, b[i]) in value) ? value[f, b[i]] : "-"
        printf " %10s", v
        if (f ~ /delivered of expected/ && (v == "-" || v + 0 < 99.9)) lost = 1
      }
      printf " %8s", budget[f]
      for (i = 1; i <= nb; i++) {
        r = ((f, b[i]) in ratio) ? ratio[f, b[i]] : "-"
        printf " %14s", r
        if (r != "-" && r + 0 > 1) over = 1
      }
      printf "\n"
    }
    if (lost) print "INCOMPLETE: deliveries went missing; the latencies above cover only those that arrived"
    if (over) print "OVER BUDGET: a ratio above 1.00"
    if (over || lost) exit 1
  }' "$out/summary.tsv"
