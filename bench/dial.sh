#!/usr/bin/env bash
# Dial-to-ringing benchmark for browser calls: goal p99 under 150 ms on loopback, over
# 1,000 calls. No anchor product does browser calls the same way, so the ratio printed
# is goal / p99 (>= 1.00 passes), from one run on this machine.
#
# The server (SQLite in a throwaway data folder, SIP on a loopback port nobody uses) gets
# the synthetic organisation of `durchwahl-load prepare`; `durchwahl-load dial` signs in
# 2 × CONCURRENCY people over HTTP, connects them over WebSocket as browsers and measures
# call.dial → call.state ringing (caller) and → call.incoming (callee), CONCURRENCY calls
# at a time, each with a fresh str0m WebRTC offer; see crates/loadgen/src/dial/.
#
# Knobs: CALLS (1000), CONCURRENCY (20), GOAL_MS (150), STAFF (2 × CONCURRENCY, at least
# 60), SERVER_BIN (another server build), MAX_TIME (600 s for the calls).
set -euo pipefail
cd "$(dirname "$0")/.."

CALLS=${CALLS:-1000}
CONCURRENCY=${CONCURRENCY:-20}
GOAL_MS=${GOAL_MS:-150}
STAFF=${STAFF:-$(( 2 * CONCURRENCY > 60 ? 2 * CONCURRENCY : 60 ))}
MAX_TIME=${MAX_TIME:-600}

cargo build --release --quiet -p durchwahl -p loadgen
BIN=${SERVER_BIN:-target/release/durchwahl}
LOAD=target/release/durchwahl-load

out=$(mktemp -d /tmp/durchwahl-dial.XXXXXX)
server_pid=""
stop_server() {
  [ -n "$server_pid" ] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
trap 'stop_server; rm -rf "$out"' EXIT

echo "== preparing $STAFF staff"
"$LOAD" prepare --data-dir "$out/data" --staff "$STAFF"

"$BIN" serve --data-dir "$out/data" --http-listen 127.0.0.1:0 --sip-listen 127.0.0.1:0 \
  --log-level warn > "$out/server.out" 2> "$out/server.err" &
server_pid=$!
address=""
for _ in $(seq 600); do
  address=$(sed -n 's|^listening on http://\(.*\)/$|\1|p' "$out/server.out")
  [ -n "$address" ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "the server exited:"; tail -20 "$out/server.err"; exit 1; }
  sleep 0.1
done
[ -n "$address" ] || { echo "the server did not start listening within 60 s"; tail -20 "$out/server.err"; exit 1; }
echo "== server pid $server_pid on $address"

echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on this machine skews the figures)"
status=0
timeout -k 10 $(( MAX_TIME + 120 )) "$LOAD" dial --url "http://$address" --staff "$STAFF" \
  --calls "$CALLS" --concurrency "$CONCURRENCY" --goal-ms "$GOAL_MS" --max-time "$MAX_TIME" \
  || status=$?
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -s "$out/server.err" ]; then
  echo "== server warnings (last 5 of $(wc -l < "$out/server.err"))"
  tail -5 "$out/server.err"
fi
echo "== machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(uname -sr)"
exit "$status"
