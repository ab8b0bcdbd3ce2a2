#!/usr/bin/env bash
# Media benchmark (issue 15): relayed G.711 calls through Durchwahl's media service against
# the anchor, rtpengine (user space only: no kernel module, --table=-1), on this machine,
# one after the other, with the same load tool (durchwahl-load media) driving both through
# the same ng control protocol (ping, offer, answer, delete). Two kinds of call (modes):
#   rtp     RTP <-> RTP: two phones;
#   webrtc  WebRTC <-> RTP: the caller is a browser (str0m: full ICE, DTLS-SRTP), the
#           callee a phone; the relay bridges DTLS-SRTP to plain RTP (rtpengine asked with
#           its ng keys transport-protocol RTP/AVP, ICE remove, rtcp-mux demux on the
#           offer and ICE force, DTLS passive on the answer; Durchwahl reads the caller's
#           SDP). The timeline of a step starts once every browser has connected.
# Each mode runs against a freshly started relay.
#
# Per relay the load tool ramps the number of concurrent calls (50, 100, 200, ... until a
# step fails, then bisects to 5 %); a step passes with < 0.1 % packet loss and < 5 ms
# added jitter (p99 over all packets of all streams of transit minus the stream's
# fastest transit). Each call: two phones on 127.0.0.1, 50 packets/s of 160-byte PCMA
# each way, a 2 s warm-up and a 10 s measuring window. Prints and checks:
#   - max concurrent calls, Durchwahl / rtpengine                  goal >= 1.00
# and, for information, each relay's CPU per call (ms of CPU per second per call, at its
# max), memory per call (VmRSS growth over idle / calls, at the largest passing step that
# no larger step preceded), and the load tool's own CPU (when one of its threads nears a
# full core the limit may be the tool's; both relays share the 2 cores with it).
# Writes a table per mode into bench/media/README.md (between that mode's results markers)
# and exits non-zero when a goal is missed.
#
# Usage: bench/media.sh
# Environment: MEDIA_RELAYS ("rtpengine durchwahl", the default, or one of them),
#   MEDIA_MODE ("rtp webrtc", the default, or one of them), MEDIA_TIME (seconds per
#   relay's ramp, default 170 with both modes, 270 with one: the whole script stays
#   under 15 minutes after the build), MEDIA_START (first step, 50), MEDIA_CEILING (most calls
#   tried, 4000: the relays' port range holds 4,096 calls of 4 ports), MEDIA_WARMUP (2),
#   MEDIA_DURATION (10), LOAD_THREADS (the load tool's threads, 2), RELAY_THREADS (each
#   relay's media threads, 2), BENCH_LOGS (default: a new temp dir, printed), BENCH_BIN
#   (a built durchwahl binary instead of `cargo build --release -p durchwahl`),
#   MEDIA_README (default bench/media/README.md; "-" to leave it alone), BENCH_RT (1, the
#   default: relay and load tool run with real-time round-robin priority 1, `chrt -r 1`,
#   so that other work on the machine, e.g. a compiler, does not decide the result; the
#   kernel still keeps 5 % of each second for the rest; 0: normal priority).
# Loopback only; every run is bounded (the tool's --max-time, `timeout`), the relays are
# stopped at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib/postgres.sh # apt_install
command -v rtpengine >/dev/null || apt_install rtpengine-daemon

RELAYS=${MEDIA_RELAYS:-rtpengine durchwahl}
MODES=${MEDIA_MODE:-rtp webrtc}
for mode in $MODES; do
  case $mode in rtp|webrtc) ;; *) echo "unknown mode $mode (rtp, webrtc)" >&2; exit 2 ;; esac
done
if [ "$(echo $MODES | wc -w)" -gt 1 ]; then MEDIA_TIME=${MEDIA_TIME:-170}; else MEDIA_TIME=${MEDIA_TIME:-270}; fi
MEDIA_START=${MEDIA_START:-50}
MEDIA_CEILING=${MEDIA_CEILING:-4000}
MEDIA_WARMUP=${MEDIA_WARMUP:-2}
MEDIA_DURATION=${MEDIA_DURATION:-10}
LOAD_THREADS=${LOAD_THREADS:-2}
RELAY_THREADS=${RELAY_THREADS:-2}
README=${MEDIA_README:-bench/media/README.md}
# Below the kernel's range for outgoing ports (32768-60999), where the load tool's
# sockets get theirs: relay and load never reach for the same port.
PORT_MIN=16384 PORT_MAX=32767
export BENCH_LOGS=${BENCH_LOGS:-$(mktemp -d /tmp/media-bench.XXXXXX)}
L=$BENCH_LOGS
mkdir -p "$L"
ulimit -n "$(ulimit -Hn)" # 2 sockets per call in the tool, 4 in the relay

PRIO=()
if [ "${BENCH_RT:-1}" = 1 ]; then
  if command -v chrt >/dev/null && chrt -r 1 true 2>/dev/null; then
    PRIO=(chrt -r 1)
  else
    echo "note: no real-time priority here (chrt -r 1 failed); running at normal priority" >&2
  fi
fi

read -r eph_low _ < /proc/sys/net/ipv4/ip_local_port_range
if [ "$eph_low" -le $PORT_MAX ]; then
  echo "the kernel hands out ports from $eph_low; the relays' range $PORT_MIN-$PORT_MAX would collide" >&2
  exit 1
fi

cargo build --release --quiet -p loadgen
LOAD=$ROOT/target/release/durchwahl-load
case " $RELAYS " in *" durchwahl "*)
  if [ -n "${BENCH_BIN:-}" ]; then
    BIN=$BENCH_BIN
  else
    cargo build --release --quiet -p durchwahl
    BIN=$ROOT/target/release/durchwahl
  fi ;;
esac

RELAY_PID=
cleanup() {
  if [ -n "$RELAY_PID" ] && kill -0 "$RELAY_PID" 2>/dev/null; then
    kill -TERM "$RELAY_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$RELAY_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$RELAY_PID" 2>/dev/null || true
  fi
  [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$L/durchwahl-data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_udp_port() { # a UDP port on 127.0.0.1 nobody holds, below the relays' media ports
  python3 -c '
import random, socket
while True:
    p = random.randint(10000, 16383)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass'
}

stop_relay() {
  local tag=$1
  if ! kill -0 "$RELAY_PID" 2>/dev/null; then
    echo "$tag was no longer running at the end of the load; stderr:" >&2
    tail -20 "$L/$tag.err" >&2
  else
    kill -TERM "$RELAY_PID"
    for _ in $(seq 100); do kill -0 "$RELAY_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$RELAY_PID" 2>/dev/null; then
      echo "$tag did not stop within 10 s of SIGTERM" >&2
      kill -KILL "$RELAY_PID" || true
    fi
  fi
  wait "$RELAY_PID" 2>/dev/null || true
  RELAY_PID=
}

# load TAG NG_PORT MODE: the ramp against the relay in $RELAY_PID; figures in $L/TAG.json.
load() {
  local tag=$1 ng=$2 mode=$3 rc extra=()
  [ "$mode" = webrtc ] && extra=(--webrtc)
  set +e
  timeout $((MEDIA_TIME + 120)) "${PRIO[@]}" "$LOAD" media --ng "127.0.0.1:$ng" --relay-pid "$RELAY_PID" \
    "${extra[@]}" --label "$tag" --start "$MEDIA_START" --ceiling "$MEDIA_CEILING" --max-time "$MEDIA_TIME" \
    --warmup "$MEDIA_WARMUP" --duration "$MEDIA_DURATION" --threads "$LOAD_THREADS" \
    --json "$L/$tag.json" 2>&1 | grep -v '^result ' | tee "$L/$tag.txt"
  rc=${PIPESTATUS[0]}
  set -e
  [ "$rc" = 0 ] || echo "the load against $tag ended with exit code $rc" >&2
}

# The tag of a relay's run in a mode: its name, with -webrtc for WebRTC calls.
tag_of() { if [ "$2" = webrtc ]; then echo "$1-webrtc"; else echo "$1"; fi; }

run_rtpengine() {
  local ng mode=$1 tag
  tag=$(tag_of rtpengine "$mode")
  ng=$(free_udp_port)
  echo "== [$mode] rtpengine $(rtpengine --version 2>&1 | awk '/Version/ {print $2}'), user space, $RELAY_THREADS threads, ng on 127.0.0.1:$ng"
  # --config-file=none: not the Debian service's file (kernel table 0, any interface).
  # --delete-delay=0: a deleted call frees its ports at once, as between ramp steps.
  "${PRIO[@]}" rtpengine --config-file=none --foreground --table=-1 --interface=127.0.0.1 \
    --listen-ng="127.0.0.1:$ng" --port-min=$PORT_MIN --port-max=$PORT_MAX \
    --num-threads="$RELAY_THREADS" --delete-delay=0 --log-stderr --log-level=4 \
    > "$L/$tag.out" 2> "$L/$tag.err" &
  RELAY_PID=$!
  load "$tag" "$ng" "$mode"
  stop_relay "$tag"
}

run_durchwahl() {
  local ng sip mode=$1 tag
  tag=$(tag_of durchwahl "$mode")
  ng=$(free_udp_port)
  sip=$(free_udp_port)
  # Issue 15's settings of the media service: the ng control port (loopback only, off
  # by default) and the media ports; media bound to and announced as loopback.
  cat > "$L/durchwahl.toml" <<EOF
[media]
ng_listen = "127.0.0.1:$ng"
port_range = "$PORT_MIN-$PORT_MAX"
bind = "127.0.0.1"
public_address = "127.0.0.1"
threads = $RELAY_THREADS
EOF
  rm -rf "$L/durchwahl-data"
  echo "== [$mode] Durchwahl $("$BIN" --version | awk '{print $2}'), $RELAY_THREADS media threads, ng on 127.0.0.1:$ng"
  "${PRIO[@]}" "$BIN" serve --config "$L/durchwahl.toml" --data-dir "$L/durchwahl-data" \
    --http-listen 127.0.0.1:0 --sip-listen "127.0.0.1:$sip" --log-level warn \
    > "$L/$tag.out" 2> "$L/$tag.err" &
  RELAY_PID=$!
  for _ in $(seq 1200); do # at most 120 s
    grep -q '^listening on http' "$L/$tag.out" 2>/dev/null && break
    kill -0 "$RELAY_PID" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q '^listening on http' "$L/$tag.out" 2>/dev/null || ! kill -0 "$RELAY_PID" 2>/dev/null; then
    echo "durchwahl did not start; stderr:" >&2
    tail -20 "$L/$tag.err" >&2
    RELAY_PID=
    return 0
  fi
  load "$tag" "$ng" "$mode"
  stop_relay "$tag"
}

echo "== media benchmark: modes '$MODES', relays '$RELAYS', $MEDIA_TIME s per ramp, load threads $LOAD_THREADS, scheduling: ${PRIO[*]:-normal}; logs: $L"
for mode in $MODES; do
  for relay in $RELAYS; do
    case $relay in
      rtpengine) run_rtpengine "$mode" ;;
      durchwahl) run_durchwahl "$mode" ;;
      *) echo "unknown relay $relay" >&2; exit 2 ;;
    esac
  done
done

# --- the tables (and the README's results sections), one per mode
python3 - "$L" "$README" "$RELAYS" "$MEDIA_WARMUP" "$MEDIA_DURATION" "$LOAD_THREADS" "$RELAY_THREADS" \
  "$(rtpengine --version 2>&1 | awk '/Version/ {print $2}')" "$(git rev-parse --short HEAD)" "${PRIO[*]:-normal}" \
  "$MODES" <<'PY'
import datetime, json, os, platform, re, sys
logs, readme, relays, warmup, duration, load_threads, relay_threads, rte_version, commit, prio, modes = sys.argv[1:]
relays, modes = relays.split(), modes.split()
TITLE = {"rtp": "RTP <-> RTP", "webrtc": "WebRTC (DTLS-SRTP) <-> RTP"}
MARKER = {"rtp": "results", "webrtc": "results-webrtc"}

rows = [
    ("max concurrent calls (loss < 0.1 %, added jitter p99 < 5 ms)", "max_calls", "{}", ">= 1.00"),
    ("relay CPU, ms per second per call (at max)", "relay_cpu_ms_per_s_per_call", "{:.3f}", "(lower is better)"),
    ("relay CPU, cores (at max)", "relay_cpu_cores", "{:.2f}", "(info)"),
    ("relay memory, KB per call (VmRSS growth)", "relay_kb_per_call", "{:.1f}", "(lower is better)"),
    ("relay VmRSS idle, MB", "relay_idle_rss_kb", None, "(info)"),
    ("load tool CPU, cores (at max)", "load_cpu_cores", "{:.2f}", "(info)"),
    ("busiest load thread, cores (at max)", "load_thread_max_cores", "{:.2f}", "(info: 1.0 = saturated)"),
    ("CPU pressure (some task waited), % of the window (at max)", "cpu_pressure_pct", "{:.0f}", "(info: noise)"),
    ("first failing step, calls", "first_fail_calls", "{}", "(info)"),
    ("CPU pressure in the first failing step, %", "first_fail_cpu_pressure_pct", "{:.0f}", "(info)"),
]

def table(mode):
    res = {}
    for relay in ("rtpengine", "durchwahl"):
        tag = relay if mode == "rtp" else f"{relay}-webrtc"
        try:
            res[relay] = json.load(open(f"{logs}/{tag}.json"))
        except (OSError, ValueError):
            res[relay] = None

    def get(relay, key, fmt):
        r = res.get(relay)
        v = r.get(key) if r else None
        return "-" if v is None else fmt.format(v)

    def ratio(key):
        k, d = res.get("rtpengine"), res.get("durchwahl")
        if not k or not d or not k.get(key) or d.get(key) is None:
            return "-"
        return f"{d[key] / k[key]:.2f}"

    lines = []
    fmt = "{:<62} {:>10} {:>10} {:>7}  {}"
    lines.append(fmt.format("metric", "rtpengine", "durchwahl", "ratio", "goal"))
    for name, key, f, goal in rows:
        if f is None:  # KiB -> MB
            cells = [get(t, key, "{}") for t in ("rtpengine", "durchwahl")]
            cells = [c if c == "-" else f"{int(c) * 1.024 / 1000:.1f}" for c in cells]
            r = "-"
        else:
            cells = [get(t, key, f) for t in ("rtpengine", "durchwahl")]
            r = ratio(key) if key in ("max_calls", "relay_cpu_ms_per_s_per_call", "relay_kb_per_call") else "-"
        lines.append(fmt.format(name, *cells, r, goal))
    for relay in ("rtpengine", "durchwahl"):
        r = res.get(relay)
        if r and r.get("first_fail_why"):
            lines.append(f"{relay}: first failing step {r['first_fail_calls']} calls: {r['first_fail_why']}")
        if r and r.get("bound_by_load_tool"):
            lines.append(f"{relay}: a load thread was saturated in the first failing step (the limit may be the tool's)")
    k, d = res.get("rtpengine"), res.get("durchwahl")
    if "durchwahl" in relays and "rtpengine" in relays:
        ok = bool(k and d and k.get("max_calls") and d["max_calls"] / k["max_calls"] >= 1.0)
        verdict = (f"== [{mode}] goal met: Durchwahl carries at least as many calls as rtpengine" if ok
                   else f"== [{mode}] goal missed (or a relay has no result)")
    else:
        ok = all(res[r] for r in relays)
        verdict = f"== [{mode}] one relay only: the ratio is not checked"
    return lines, ok, verdict

all_ok = True
text = open(readme).read() if readme != "-" and os.path.exists(readme) else None
for mode in modes:
    lines, ok, verdict = table(mode)
    all_ok &= ok
    print()
    print(f"== results, {TITLE[mode]}: ratio = Durchwahl / rtpengine; MB = 10^6 bytes, KB = 1,024 bytes")
    print("\n".join(lines))
    print(verdict)
    if text is not None:
        when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
        m = MARKER[mode]
        block = (f"<!-- {m}:begin (written by bench/media.sh) -->\n"
                 f"Last run {when}, commit {commit}, {os.cpu_count()} cores, Linux {platform.release()}, "
                 f"rtpengine {rte_version} (user space, {relay_threads} threads), {relay_threads} Durchwahl "
                 f"media threads, {load_threads} load threads, scheduling {prio}, {warmup} s warm-up + {duration} s measured per step:\n\n"
                 "```text\n" + "\n".join(lines) + "\n```\n" + f"<!-- {m}:end -->")
        text = re.sub(rf"<!-- {m}:begin.*?<!-- {m}:end -->", lambda _: block, text, flags=re.S)
if text is not None:
    open(readme, "w").write(text)
    print(f"(written to {readme})")
sys.exit(0 if all_ok else 1)
PY
