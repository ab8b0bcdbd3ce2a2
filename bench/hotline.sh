#!/usr/bin/env bash
# Hotline benchmark (issue 16): citizens waiting in a hotline's queue and talking to its
# agents, on this machine, loopback only. No anchor product plays the same part, so each
# figure is printed next to its goal with a ratio (goal/actual where lower is better,
# actual/goal where higher is better; >= 1.00 passes), and the server's CPU per waiting
# caller and per bridged call next to its CPU per relayed call (the softphone issue's
# media benchmark, measured here on the same server by a short `durchwahl-load media` run).
#
# One Durchwahl server (SQLite in a throwaway folder) with an IP trunk whose carrier is the
# load tool, and the load organisation of `durchwahl-load prepare --hotline-agents`: a
# hotline (extension 2900, direct number +49 9321 928-2900, one longest-idle queue, no
# wrap-up, the position every HOTLINE_POSITION_EVERY s, the built-in German prompts),
# AGENTS agents with a SIP device each (`durchwahl phones import`), one supervisor.
# `durchwahl-load hotline` (crates/loadgen/src/hotline/) then runs the phases:
#   waiting  the agents' phones are not registered (nobody can be offered a call);
#            WAITING callers arrive through the trunk at RATE a second, each stays STAY s
#            with a PCMA stream both ways; goals: < 0.1 % RTP loss on the streams the server
#            plays them, every position announcement within 100 ms of its schedule, the
#            wallboard (a supervisor's WebSocket) shows each new caller within 1 s (p99);
#            CPU per waiting caller over the window in which all wait.
#   bridged  the agents' phones register; BRIDGED callers at RATE, answered by them, TALK s
#            of voice both ways; CPU per bridged call.
#   both     BRIDGED callers talk (they come first) while WAITING wait (information).
# Then the queue event log (the supervisor's report) must count every call placed as
# offered, and each as answered, abandoned, overflowed or waiting. Last, `durchwahl-load
# media --calls RELAY_CALLS` relays RTP <-> RTP calls through the same server's ng port
# for its CPU per relayed call (bench/media.sh's figure, 2 s warm-up + 10 s).
# Writes the table into bench/hotline/README.md (between the results markers) and exits
# non-zero when a goal is missed.
#
# Two knobs for servers before commit 4109d2b, whose faults this benchmark found
# (bench/hotline/README.md, "Server faults found"): MEDIA_THREADS=1 (with more media
# threads, caller and agent landed on different threads and could not be bridged) and
# HOTLINE_AGENT_SETS=2 (an agent on a SIP phone stayed "on the phone" after a call and was
# never offered another; two sets of HOTLINE_AGENTS agents, the bridged phase registers
# the first, the both phase the second). CARGO_TARGET_DIR is honoured.
#
# Environment: HOTLINE_WAITING (500), HOTLINE_BRIDGED (100), HOTLINE_AGENTS (100),
#   HOTLINE_AGENT_SETS (1), HOTLINE_RATE (50), HOTLINE_STAY (32), HOTLINE_TALK (22),
#   HOTLINE_POSITION_EVERY (10, the smallest the queue allows: the most announcements),
#   HOTLINE_PHASES (waiting,bridged,both), RELAY_CALLS ("100 500": a relay run per count,
#   each compared with the phase of that size; "": none), MEDIA_THREADS (the server's
#   media threads, 2 as in bench/media.sh), BENCH_RT (1: server and load tool at real-time
#   round-robin priority 1 as in bench/media.sh, so that a compiler elsewhere on the
#   machine does not decide the result; 0: normal priority), BENCH_BIN (a built server instead of `cargo build
#   --release`), BENCH_LOGS (default: a new temp dir, printed), BENCH_LOG_LEVEL (the
#   server's, warn), BENCH_KEEP (1: keep the data folder), HOTLINE_README (default
#   bench/hotline/README.md; "-" to leave it alone).
# Every step is bounded (--max-time, timeout); the server is stopped at exit. About 4
# minutes after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib/common.sh

WAITING=${HOTLINE_WAITING:-500}
BRIDGED=${HOTLINE_BRIDGED:-100}
AGENTS=${HOTLINE_AGENTS:-100}
AGENT_SETS=${HOTLINE_AGENT_SETS:-1}
RATE=${HOTLINE_RATE:-50}
STAY=${HOTLINE_STAY:-32}
TALK=${HOTLINE_TALK:-22}
EVERY=${HOTLINE_POSITION_EVERY:-10}
PHASES=${HOTLINE_PHASES:-waiting,bridged,both}
RELAY_CALLS=${RELAY_CALLS-"100 500"}
MEDIA_THREADS=${MEDIA_THREADS:-2}
README=${HOTLINE_README:-bench/hotline/README.md}
STAFF=$((AGENTS * AGENT_SETS + 30))
PORT_MIN=16384 PORT_MAX=32767 # the server's media ports, below the kernel's outgoing range
export BENCH_LOGS=${BENCH_LOGS:-$(mktemp -d /tmp/hotline-bench.XXXXXX)}
L=$BENCH_LOGS
mkdir -p "$L"
ulimit -n "$(ulimit -Hn)"

bench_priority
bench_build
bench_stop_at_exit

SIP=$(free_port) TRUNK=$(free_port) CARRIER=$(free_port) NG=$(free_port)
bench_config "$TRUNK" "$CARRIER" "$NG"

echo "== hotline benchmark: $WAITING waiting, $BRIDGED bridged of $AGENTS agents, $RATE calls/s, phases $PHASES, scheduling ${PRIO[*]:-normal}; logs: $L"
rm -rf "$L/data" "$L/creds.csv"
timeout 300 "$LOAD" prepare --data-dir "$L/data" --staff "$STAFF" --hotline-agents "$((AGENTS * AGENT_SETS))" \
  --hotline-position-every "$EVERY" > "$L/prepare.log"
python3 - "$((AGENTS * AGENT_SETS))" > "$L/phones.csv" <<'PY'
import sys
print("login,label,password")
for i in range(int(sys.argv[1])):
    print(f"u{i + 1:05},Lastprobe,Lastprobe-Telefon-{i + 1:05}")
PY
timeout 300 "$BIN" phones import "$L/phones.csv" --out "$L/creds.csv" --config "$L/durchwahl.toml" \
  --data-dir "$L/data" --log-level warn >> "$L/prepare.log"

bench_start_server "$SIP"
echo "== server $("$BIN" --version | awk '{print $2}') pid $SERVER_PID on $address, SIP 127.0.0.1:$SIP, trunk 127.0.0.1:$TRUNK (carrier 127.0.0.1:$CARRIER), $MEDIA_THREADS media threads"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

status=0
timeout -k 10 600 "${PRIO[@]}" "$LOAD" hotline --url "http://$address" --sip "127.0.0.1:$SIP" \
  --trunk "127.0.0.1:$TRUNK" --carrier "127.0.0.1:$CARRIER" --devices "$L/creds.csv" \
  --agents "$AGENTS" --agent-sets "$AGENT_SETS" --waiting "$WAITING" --bridged "$BRIDGED" --rate "$RATE" --stay "$STAY" \
  --talk "$TALK" --position-every "$EVERY" --phases "$PHASES" --server-pid "$SERVER_PID" \
  --max-time 500 --json "$L/hotline.json" 2>&1 | grep -v '^result ' | tee "$L/hotline.txt" || true
status=${PIPESTATUS[0]}

bench_relay_runs "$NG" "$RELAY_CALLS"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_server_warnings

python3 - "$L" "$README" "$(git rev-parse --short HEAD 2>/dev/null || echo "${BENCH_COMMIT:-unknown}")" "${PRIO[*]:-normal}" "$status" "$MEDIA_THREADS" <<'PY'
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
h = load("hotline.json")
# The relay runs: CPU per relayed call by the number of calls.
relays = {}
for name in sorted(os.listdir(logs)):
    if re.fullmatch(r"media-\d+\.json", name):
        step = ((load(name) or {}).get("steps") or [{}])[0]  # the one step, passed or not
        if step.get("relay_cpu_ms_per_s_per_call") is not None:
            relays[step["calls"]] = step
fmt = "{:<66} {:>10} {:>14} {:>7}  {}"
lines = [fmt.format("figure", "actual", "goal", "ratio", "")]
ok = bool(h and h.get("pass")) and status == "0"
def num(v, f="{:.3f}"):
    return "-" if v is None else ("miss" if v >= 1e9 else f.format(v))
for g in (h or {}).get("goals", []):
    lines.append(fmt.format(g["name"][:66], num(g["actual"]), g["goal_text"],
                            num(g["ratio"], "{:.2f}"), "ok" if g["pass"] else "MISSED"))
if not h:
    lines.append("the hotline load gave no result (see hotline.txt)")
cpu = (h or {}).get("cpu_ms_per_s", {})
settings = (h or {}).get("settings", {})
def relay_at(n):  # the relay run with the same number of calls, else the nearest
    if not relays:
        return "-", None
    calls = min(relays, key=lambda c: (abs(c - (n or 0)), c))
    return calls, relays[calls]["relay_cpu_ms_per_s_per_call"]
def ratio(a, b):
    return "-" if a is None or not b else f"{a / b:.2f}"
info = []
for label, key, n in [("waiting caller (waiting phase)", "waiting_caller", settings.get("waiting")),
                      ("bridged call (bridged phase)", "bridged_call", settings.get("bridged")),
                      ("caller of the both phase", "both_per_caller",
                       (settings.get("waiting") or 0) + (settings.get("bridged") or 0))]:
    calls, relay = relay_at(n)
    info.append((f"server CPU per {label}, vs {calls} relayed", cpu.get(key), ratio(cpu.get(key), relay)))
for calls in sorted(relays):
    info.append((f"server CPU per relayed call (RTP <-> RTP, {calls} calls)",
                 relays[calls]["relay_cpu_ms_per_s_per_call"], "1.00"))
lines.append("")
lines.append(fmt.format("server CPU, ms per second (ratio: / per relayed call)", "ms/s", "", "ratio", "(information)"))
for name, v, r in info:
    lines.append(fmt.format(name[:66], num(v), "", r, ""))
for p in (h or {}).get("phases", []):
    u = p.get("usage", {})
    a = p.get("announcements", {})
    lines.append(f"{p['name']}: {p['placed']} placed, {p['answered']} answered, {p['bridged_callers']} bridged, "
                 f"{p['concurrent']} up in the {u.get('seconds', 0):.0f} s window; loss {num(p['waiting_loss']['pct'], '{:.4f}')} %; "
                 f"announcements {a.get('n')} judged, p99 {num(a.get('p99'), '{:.1f}')} ms, max {num(a.get('max'), '{:.1f}')} ms, "
                 f"{p['announcements_missed']} missed; wallboard p99 {num(p['wallboard'].get('p99'), '{:.1f}')} ms; "
                 f"server {num(u.get('server_cores'), '{:.2f}')} cores, load tool {num(u.get('tool_cores'), '{:.2f}')}, "
                 f"CPU pressure {num(u.get('cpu_pressure_pct'), '{:.0f}')} %")
for calls, step in sorted(relays.items()):
    lines.append(f"relay run: {calls} RTP <-> RTP calls through the ng port, loss {num(step.get('loss_pct'), '{:.4f}')} %, "
                 f"within its goals (loss, jitter): {step.get('passed')}, server {num(step.get('relay_cpu_cores'), '{:.2f}')} cores, "
                 f"load tool {num(step.get('load_cpu_cores'), '{:.2f}')}, CPU pressure {num(step.get('cpu_pressure_pct'), '{:.0f}')} %")
e = (h or {}).get("event_log")
if e:
    lines.append(f"event log: placed {e['placed']}, offered {e['offered']} = answered {e['answered']} + abandoned "
                 f"{e['abandoned']} + overflowed {e['overflowed']} + waiting {e['waiting']}")
finish(lines, ok, readme, "bench/hotline.sh", commit, threads, prio)
PY
