#!/usr/bin/env bash
# Voicemail benchmark (issue 17, "Speed"): 200 callers leaving messages at once on this
# machine, loopback only: every recording complete and playable, < 0.1 % RTP loss, and
# the server's CPU per recording channel next to its CPU per relayed call measured in
# the same run (the anchor: `durchwahl-load media` through the same server's ng port,
# bench/media.sh's measure), printed as a ratio.
#
# One Durchwahl server (SQLite in a throwaway folder) with an IP trunk whose carrier is the
# load tool, and the load organisation of `durchwahl-load prepare --staff STAFF` (people
# u00001.. with extensions 100000.., nobody signed in, no SIP devices).
# `durchwahl-load voicemail` (crates/loadgen/src/voicemail/) then calls CALLERS of them
# through the trunk at RATE a second (direct number +49 9321 928 + extension): nobody can
# be reached, so each call goes straight to the person's box. Each caller hears the
# greeting and the signal tone (checked frame by frame: downstream loss), then sends its
# own tone (300–900 Hz, one pitch per caller) as PCMA for TALK s and QUIET s of silence,
# and hangs up. After the calls it reads every box from the data folder and the SQLite
# database: one message from that caller, the Ogg Opus file decodes, its length is its
# row's, the tone is the caller's and as long as it was said, without holes (upstream
# loss), the silence after it trimmed to the trim's 300 ms. CPU from /proc over the
# window in which every caller is recorded, per channel. Last, `durchwahl-load media
# --calls RELAY_CALLS` for the CPU per relayed call (2 s warm-up + 10 s).
# Writes the table into bench/voicemail/README.md (between the results markers) and exits
# non-zero when a goal is missed.
#
# Environment: VOICEMAIL_CALLERS (200), VOICEMAIL_RATE (100 calls a second),
#   VOICEMAIL_TALK (10 s), VOICEMAIL_QUIET (1.5 s), VOICEMAIL_STAFF (600, as the demo),
#   RELAY_CALLS (the callers; "": no relay run), MEDIA_THREADS (2, as bench/media.sh),
#   BENCH_PERF (1: `perf record -e cpu-clock -g` on the server during the voicemail load,
#   into BENCH_LOGS/perf.data), BENCH_RT (1: server and load tool at real-time round-robin priority 1 as in
#   bench/media.sh; 0: normal priority), BENCH_BIN (a built server instead of `cargo build
#   --release`), BENCH_COMMIT (the commit named in the results, default HEAD's: say which
#   one BENCH_BIN was built from), BENCH_LOGS (default: a new temp dir, printed), BENCH_LOG_LEVEL (the
#   server's, warn), BENCH_KEEP (1: keep the data folder), VOICEMAIL_README (default
#   bench/voicemail/README.md; "-" to leave it alone). CARGO_TARGET_DIR is honoured.
# Every step is bounded (--max-time, timeout); the server is stopped at exit. About a
# minute after the build (VOICEMAIL_TALK=60: about three).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib/common.sh

CALLERS=${VOICEMAIL_CALLERS:-200}
RATE=${VOICEMAIL_RATE:-100}
TALK=${VOICEMAIL_TALK:-10}
QUIET=${VOICEMAIL_QUIET:-1.5}
STAFF=${VOICEMAIL_STAFF:-600}
RELAY_CALLS=${RELAY_CALLS-$CALLERS}
MEDIA_THREADS=${MEDIA_THREADS:-2}
README=${VOICEMAIL_README:-bench/voicemail/README.md}
[ "$STAFF" -ge "$CALLERS" ] || STAFF=$CALLERS
PORT_MIN=16384 PORT_MAX=32767 # the server's media ports, below the kernel's outgoing range
export BENCH_LOGS=${BENCH_LOGS:-$(mktemp -d /tmp/voicemail-bench.XXXXXX)}
L=$BENCH_LOGS
mkdir -p "$L"
ulimit -n "$(ulimit -Hn)"

bench_priority
bench_build
bench_stop_at_exit

SIP=$(free_port) TRUNK=$(free_port) CARRIER=$(free_port) NG=$(free_port)
bench_config "$TRUNK" "$CARRIER" "$NG"

echo "== voicemail benchmark: $CALLERS callers at $RATE a second, ${TALK} s of tone and ${QUIET} s of quiet each, $STAFF staff, scheduling ${PRIO[*]:-normal}; logs: $L"
rm -rf "$L/data"
timeout 300 "$LOAD" prepare --data-dir "$L/data" --staff "$STAFF" > "$L/prepare.log"

bench_start_server "$SIP"
echo "== server $("$BIN" --version | awk '{print $2}') pid $SERVER_PID on $address, trunk 127.0.0.1:$TRUNK (carrier 127.0.0.1:$CARRIER), $MEDIA_THREADS media threads"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

PERF_PID=
if [ "${BENCH_PERF:-0}" = 1 ]; then
  perf record -q -e cpu-clock -F 499 -g -p "$SERVER_PID" -o "$L/perf.data" 2> "$L/perf.err" &
  PERF_PID=$!
fi
status=0
timeout -k 10 300 "${PRIO[@]}" "$LOAD" voicemail --trunk "127.0.0.1:$TRUNK" --carrier "127.0.0.1:$CARRIER" \
  --data-dir "$L/data" --callers "$CALLERS" --rate "$RATE" --talk "$TALK" --quiet "$QUIET" \
  --server-pid "$SERVER_PID" --max-time 240 --json "$L/voicemail.json" 2>&1 | grep -v '^result ' | tee "$L/voicemail.txt" || true
status=${PIPESTATUS[0]}
if [ -n "$PERF_PID" ]; then
  kill -INT "$PERF_PID" 2>/dev/null || true
  wait "$PERF_PID" 2>/dev/null || true
  echo "== perf: perf report -i $L/perf.data --no-children --sort symbol"
fi

bench_relay_runs "$NG" "$RELAY_CALLS"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_server_warnings

python3 - "$L" "$README" "${BENCH_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}" "${PRIO[*]:-normal}" "$status" "$MEDIA_THREADS" <<'PY'
import json, os, re, sys
sys.dont_write_bytecode = True
sys.path.insert(0, "bench/lib")
from results import finish
logs, readme, commit, prio, status, threads = sys.argv[1:]
def load(name):
    try:
        return json.load(open(f"{logs}/{name}"))
    except (OSError, ValueError):
        return None
v = load("voicemail.json")
relays = {}
for name in sorted(os.listdir(logs)):
    if re.fullmatch(r"media-\d+\.json", name):
        step = ((load(name) or {}).get("steps") or [{}])[0]  # the one step, passed or not
        if step.get("relay_cpu_ms_per_s_per_call") is not None:
            relays[step["calls"]] = step
fmt = "{:<70} {:>10} {:>14} {:>7}  {}"
lines = [fmt.format("figure", "actual", "goal", "ratio", "")]
ok = bool(v and v.get("pass")) and status == "0"
def num(x, f="{:.3f}"):
    return "-" if x is None else f.format(x)
for g in (v or {}).get("goals", []):
    lines.append(fmt.format(g["name"][:70], num(g["actual"]), g["goal_text"],
                            num(g["ratio"], "{:.2f}"), "ok" if g["pass"] else "MISSED"))
if not v:
    lines.append("the voicemail load gave no result (see voicemail.txt)")
cpu = (v or {}).get("cpu_ms_per_s", {})
per_msg = (v or {}).get("cpu_ms_per_message", {})
usage = (v or {}).get("usage", {})
callers = ((v or {}).get("settings") or {}).get("callers")
relay = relays.get(callers) or (relays[min(relays, key=lambda c: abs(c - (callers or 0)))] if relays else None)
relay_ms = relay and relay.get("relay_cpu_ms_per_s_per_call")
lines.append("")
lines.append(fmt.format("server CPU, ms per second (ratio: / per relayed call)", "ms/s", "", "ratio", "(information)"))
def cpu_row(name, value):
    ratio = value / relay_ms if value is not None and relay_ms else None
    lines.append(fmt.format(name[:70], num(value), "", num(ratio, "{:.2f}"), ""))
cpu_row(f"server CPU per recording channel ({callers} recorded at once)", cpu.get("recording_channel"))
cpu_row(f"server CPU per caller hearing the greeting ({callers} at once)", cpu.get("greeting_caller"))
for calls, step in sorted(relays.items()):
    lines.append(fmt.format(f"server CPU per relayed call (RTP <-> RTP, {calls} calls)",
                            num(step["relay_cpu_ms_per_s_per_call"]), "", "1.00", ""))
lines.append("")
lines.append(fmt.format("server CPU per message, ms", "ms", "", "", "(information)"))
lines.append(fmt.format("from the first hang-up to the last file (trim, Opus, write)", num(per_msg.get("storing"), "{:.1f}"), "", "", ""))
lines.append(fmt.format("over the whole run (greeting, recording, storing)", num(per_msg.get("whole_call"), "{:.1f}"), "", "", ""))
if v:
    c, h, r = v["calls"], v["heard"], v["recordings"]
    def spread(s, f="{:.0f}"):
        return f"min {num(s.get('min'), f)} p50 {num(s.get('p50'), f)} max {num(s.get('max'), f)}"
    u = usage.get("recording") or {}
    g = usage.get("greeting") or {}
    lines.append(f"calls: {c['placed']} placed, {c['answered']} answered, {c['failed']} failed, "
                 f"{c['callers_done']} callers spoke to the end, {c['ended_by_server']} ended by the server")
    lines.append(f"call control: INVITE to 200 OK ms {spread(c['setup_ms'], '{:.1f}')}; "
                 f"caller's last frame to the 200 OK of its BYE ms {spread(c['bye_answered_ms'], '{:.1f}')}")
    lines.append(f"heard: {h['frames_intact']} of {h['frames_expected']} frames of greeting and signal intact; "
                 f"by sequence numbers {h['seq_received']} of {h['seq_expected']}")
    lines.append(f"recordings: {r['complete']} complete of {r['boxes_with_a_message']} boxes with a message; "
                 f"length ms {spread(r['duration_ms'])}; tone ms {spread(r['tone_ms'])}; holes {r['holes_ms_total']:.0f} ms in all")
    lines.append(f"recordings: kept after the tone ms {spread(r['tail_ms'])}; tone missing at the start ms "
                 f"{spread(r['tone_missing_at_start_ms'])}; stored after hang-up ms {spread(r['stored_after_hang_up_ms'])}")
    lines.append(f"recording window {num(u.get('seconds'), '{:.1f}')} s: server {num(u.get('server_cores'), '{:.2f}')} cores, "
                 f"load tool {num(u.get('tool_cores'), '{:.2f}')}, CPU pressure {num(u.get('cpu_pressure_pct'), '{:.0f}')} %; "
                 f"greeting window {num(g.get('seconds'), '{:.1f}')} s: server {num(g.get('server_cores'), '{:.2f}')} cores")
    for p in r.get("first_problems", []):
        lines.append(f"problem: {p}")
for calls, step in sorted(relays.items()):
    lines.append(f"relay run: {calls} RTP <-> RTP calls through the ng port, loss {num(step.get('loss_pct'), '{:.4f}')} %, "
                 f"within its goals (loss, jitter): {step.get('passed')}, server {num(step.get('relay_cpu_cores'), '{:.2f}')} cores, "
                 f"load tool {num(step.get('load_cpu_cores'), '{:.2f}')}, CPU pressure {num(step.get('cpu_pressure_pct'), '{:.0f}')} %")
finish(lines, ok, readme, "bench/voicemail.sh", commit, threads, prio)
PY
