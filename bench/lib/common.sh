# Sourced by the benchmarks that run one Durchwahl server with an IP trunk whose carrier is
# the load tool (bench/fax.sh, bench/voicemail.sh, bench/hotline.sh): the scheduling
# priority, the build, a free port, the server's configuration, starting the server and
# waiting for it, stopping it at exit, the relay runs for comparison and the server's
# warnings. Each is a function the script calls in its own order; the script's own
# figures and goals stay in the script.
#
# Expects ROOT (the checkout) and L (the logs folder); the server's configuration also
# MEDIA_THREADS, PORT_MIN and PORT_MAX. Honours BENCH_RT, BENCH_BIN, BENCH_LOG_LEVEL,
# BENCH_KEEP and CARGO_TARGET_DIR, as the scripts' headers say.

# PRIO: the command prefix for server and load tool, real-time round-robin priority 1
# (BENCH_RT=1, the default) where chrt may set it, else empty (normal priority).
bench_priority() {
  PRIO=()
  if [ "${BENCH_RT:-1}" = 1 ]; then
    if command -v chrt >/dev/null && chrt -r 1 true 2>/dev/null; then
      PRIO=(chrt -r 1)
    else
      echo "note: no real-time priority here (chrt -r 1 failed); running at normal priority" >&2
    fi
  fi
}

# Builds the load tool (and the server, unless BENCH_BIN names a built one); sets BIN and
# LOAD to their binaries.
bench_build() {
  if [ -n "${BENCH_BIN:-}" ]; then
    timeout 3600 cargo build --release --quiet -p loadgen
    BIN=$BENCH_BIN
  else
    timeout 3600 cargo build --release --quiet -p durchwahl -p loadgen
    BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/durchwahl
  fi
  LOAD=${CARGO_TARGET_DIR:-$ROOT/target}/release/durchwahl-load
}

# Stops the server at exit (TERM, up to 10 s, then KILL) and removes the data folder
# unless BENCH_KEEP=1.
bench_stop_at_exit() {
  SERVER_PID=
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$L/data"
}

free_port() { # a port on 127.0.0.1 free for UDP and TCP, below the media ports
  python3 -c '
import random, socket
while True:
    p = random.randint(10000, 16383)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        u.bind(("127.0.0.1", p)); t.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        u.close(); t.close()'
}

# Writes $L/durchwahl.toml: media on loopback in PORT_MIN-PORT_MAX with MEDIA_THREADS
# threads (and an ng port on 127.0.0.1:NG when NG is given), the area code 9321, and the
# IP trunk listening on 127.0.0.1:TRUNK whose carrier is 127.0.0.1:CARRIER.
# Usage: bench_config TRUNK CARRIER [NG]
bench_config() {
  local trunk=$1 carrier=$2 ng=${3:-}
  {
    cat <<EOT
[media]
port_range = "$PORT_MIN-$PORT_MAX"
bind = "127.0.0.1"
public_address = "127.0.0.1"
threads = $MEDIA_THREADS
EOT
    [ -z "$ng" ] || echo "ng_listen = \"127.0.0.1:$ng\""
    cat <<EOT

[calls]
area_code = "9321"

[[trunks]]
name = "Lastprobe-Träger"
proxy = "127.0.0.1:$carrier"
listen = "127.0.0.1:$trunk"
mode = "ip"
number_block = "+499321928"
EOT
  } > "$L/durchwahl.toml"
}

# Starts the server (at PRIO) on $L/durchwahl.toml and $L/data, HTTP on a port of its
# choosing and SIP on 127.0.0.1:SIP, and waits up to 60 s for it to listen; sets
# SERVER_PID and address (its HTTP host:port). Exits when it does not start.
# Usage: bench_start_server SIP
bench_start_server() {
  "${PRIO[@]}" "$BIN" serve --config "$L/durchwahl.toml" --data-dir "$L/data" \
    --http-listen 127.0.0.1:0 --sip-listen "127.0.0.1:$1" --log-level "${BENCH_LOG_LEVEL:-warn}" > "$L/server.out" 2> "$L/server.err" &
  SERVER_PID=$!
  address=""
  for _ in $(seq 600); do
    address=$(sed -n 's|^listening on http://\(.*\)/$|\1|p' "$L/server.out")
    [ -n "$address" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server exited:"; tail -20 "$L/server.err"; exit 1; }
    sleep 0.1
  done
  [ -n "$address" ] || { echo "the server did not start within 60 s"; tail -20 "$L/server.err"; exit 1; }
}

# For each count in CALLS, `durchwahl-load media --calls N` through the server's ng port
# 127.0.0.1:NG, for its CPU per relayed call (2 s warm-up + 10 s), into $L/media-N.json;
# a failed run is information only.
# Usage: bench_relay_runs NG "CALLS..."
bench_relay_runs() {
  local ng=$1 calls
  for calls in $2; do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    echo "== relayed calls for comparison: durchwahl-load media --calls $calls through the same server's ng port"
    timeout -k 10 180 "${PRIO[@]}" "$LOAD" media --ng "127.0.0.1:$ng" --relay-pid "$SERVER_PID" --label durchwahl \
      --calls "$calls" --warmup 2 --duration 10 --threads 2 --max-time 120 --json "$L/media-$calls.json" 2>&1 \
      | grep -v '^result ' | tee "$L/media-$calls.txt" || echo "the relay run failed (information only)" >&2
  done
}

# The last 5 lines of the server's warnings, if it had any.
bench_server_warnings() {
  if [ -s "$L/server.err" ]; then
    echo "== server warnings (last 5 of $(wc -l < "$L/server.err"))"
    tail -5 "$L/server.err"
  fi
}
