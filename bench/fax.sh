#!/usr/bin/env bash
# Fax benchmark (issue 17, "Speed"): 20 faxes received at once, all pages complete, on
# this machine, loopback only; the server's CPU per fax channel next to the anchor
# measured in the same run: the load tool's own CPU per fax machine (the same SpanDSP
# modem work and RTP at the other end of each line, without the server's call control,
# storage and PDF), printed as a ratio.
#
# One Durchwahl server (SQLite in a throwaway folder) with an IP trunk whose carrier is the
# load tool, and the load organisation of `durchwahl-load prepare --staff STAFF`.
# `durchwahl-load fax` (crates/loadgen/src/fax/) makes a fax box for the unit
# "Lastprobe/Einheit 0001" under the number FAX_NUMBER (straight in the database, as an
# administrator's POST /api/v1/admin/fax/boxes would; the server looks boxes up per call),
# then FAXES fax machines call its direct number (+49 9321 928 FAX_NUMBER) through the
# trunk within FAX_SPREAD seconds. Each is SpanDSP's modem (the `fax` crate, as in the
# server's tests) sending the same PAGES-page TIFF (a Ghostscript PDF, made once) as G.711
# A-law over RTP in real time on a socket of its own; the server answers with its modem,
# writes the PDF and hangs up. Afterwards the load reads the database and the data folder:
# a row per fax, `received` with every page, and its PDF with as many pages.
# Writes the table into bench/fax/README.md (between the results markers) and exits
# non-zero when a goal is missed.
#
# Environment: FAXES (20), FAX_PAGES (2), FAX_SPREAD (1 s), FAX_THREADS (the load tool's
#   RTP threads, 2), FAX_NUMBER (190000), FAX_STAFF (30), MEDIA_THREADS (2, as
#   bench/media.sh), BENCH_RT (1: server and load tool at real-time round-robin priority 1
#   as in bench/voicemail.sh; 0: normal priority), BENCH_BIN (a built server instead of
#   `cargo build --release`), BENCH_COMMIT (the commit named in the results, default
#   HEAD's), BENCH_LOGS (default: a new temp dir, printed), BENCH_LOG_LEVEL (the server's,
#   warn), BENCH_KEEP (1: keep the data folder), FAX_README (default bench/fax/README.md;
#   "-" to leave it alone). CARGO_TARGET_DIR is honoured.
# Every step is bounded (timeout, --max-time); the server is stopped at exit. About 45 s
# after the build (3 s of it idle, for the CPU of server and load tool without faxes).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib/common.sh

FAXES=${FAXES:-20}
PAGES=${FAX_PAGES:-2}
SPREAD=${FAX_SPREAD:-1}
THREADS=${FAX_THREADS:-2}
NUMBER=${FAX_NUMBER:-190000}
STAFF=${FAX_STAFF:-30}
MEDIA_THREADS=${MEDIA_THREADS:-2}
README=${FAX_README:-bench/fax/README.md}
PORT_MIN=16384 PORT_MAX=32767 # the server's media ports, below the kernel's outgoing range
export BENCH_LOGS=${BENCH_LOGS:-$(mktemp -d /tmp/fax-bench.XXXXXX)}
L=$BENCH_LOGS
mkdir -p "$L"

bench_priority
bench_build
bench_stop_at_exit

SIP=$(free_port) TRUNK=$(free_port) CARRIER=$(free_port)
bench_config "$TRUNK" "$CARRIER"

echo "== fax benchmark: $FAXES fax machines within $SPREAD s, $PAGES pages each, to box $NUMBER; scheduling ${PRIO[*]:-normal}; logs: $L"
rm -rf "$L/data"
timeout 300 "$LOAD" prepare --data-dir "$L/data" --staff "$STAFF" > "$L/prepare.log"

bench_start_server "$SIP"
echo "== server $("$BIN" --version | awk '{print $2}') pid $SERVER_PID on $address, trunk 127.0.0.1:$TRUNK (carrier 127.0.0.1:$CARRIER), $MEDIA_THREADS media threads"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== load average before: $LOAD_BEFORE"

status=0
timeout -k 10 300 "${PRIO[@]}" "$LOAD" fax --trunk "127.0.0.1:$TRUNK" --carrier "127.0.0.1:$CARRIER" \
  --data-dir "$L/data" --number "$NUMBER" --faxes "$FAXES" --pages "$PAGES" --spread "$SPREAD" \
  --threads "$THREADS" --server-pid "$SERVER_PID" --max-time 240 --json "$L/fax.json" 2>&1 \
  | grep -v '^result ' | tee "$L/fax.txt" || true
status=${PIPESTATUS[0]}
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== load average after: $LOAD_AFTER"
bench_server_warnings

python3 - "$L" "$README" "${BENCH_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}" "${PRIO[*]:-normal}" "$status" "$MEDIA_THREADS" "$LOAD_BEFORE" "$LOAD_AFTER" <<'PY'
import json, sys
sys.dont_write_bytecode = True
sys.path.insert(0, "bench/lib")
from results import finish
logs, readme, commit, prio, status, threads, load_before, load_after = sys.argv[1:]
try:
    v = json.load(open(f"{logs}/fax.json"))
except (OSError, ValueError):
    v = None
fmt = "{:<70} {:>10} {:>14} {:>7}  {}"
lines = [fmt.format("figure", "actual", "goal", "ratio", "")]
ok = bool(v and v.get("pass")) and status == "0"
def num(x, f="{:.3f}"):
    return "-" if x is None else f.format(x)
for g in (v or {}).get("goals", []):
    lines.append(fmt.format(g["name"][:70], num(g["actual"], "{:.0f}"), g["goal_text"],
                            num(g["ratio"], "{:.2f}"), "ok" if g["pass"] else "MISSED"))
if not v:
    lines.append("the fax load gave no result (see fax.txt)")
if v:
    n = v["settings"]["faxes"]
    per_s, per_fax, usage = v["cpu_ms_per_s"], v["cpu_ms_per_fax"], v["usage"]
    a, w, i = usage.get("at_once") or {}, usage.get("whole") or {}, usage.get("idle") or {}
    lines.append("")
    lines.append(fmt.format("CPU (ratio: server / load tool, the anchor)", "", "", "ratio", "(information)"))
    lines.append(fmt.format(f"server CPU per fax channel, {n} under way, ms/s", num(per_s["server_per_channel"]),
                            "", num(per_s["ratio"], "{:.2f}"), ""))
    lines.append(fmt.format(f"load tool CPU per fax machine, same window, ms/s (anchor)", num(per_s["tool_per_machine"]),
                            "", "1.00", ""))
    lines.append(fmt.format("server CPU per fax channel, net of its idle CPU, ms/s", num(per_s.get("server_net_per_channel")),
                            "", num(per_s.get("net_ratio"), "{:.2f}"), ""))
    lines.append(fmt.format("load tool CPU per fax machine, net of its idle CPU, ms/s (anchor)",
                            num(per_s.get("tool_net_per_machine")), "", "1.00", ""))
    lines.append(fmt.format("server CPU per fax, first INVITE to last PDF, ms (with tiff2pdf)", num(per_fax["server"], "{:.0f}"),
                            "", num(per_fax["ratio"], "{:.2f}"), ""))
    lines.append(fmt.format("load tool CPU per fax, same window, ms (anchor)", num(per_fax["tool"], "{:.0f}"),
                            "", "1.00", ""))
    f, c, l = v["faxes"], v["calls"], v["line"]
    def spread(s, fm="{:.0f}"):
        return f"min {num(s.get('min'), fm)} p50 {num(s.get('p50'), fm)} max {num(s.get('max'), fm)}"
    lines.append("")
    lines.append(f"faxes: {f['complete']} of {f['machines']} complete at both ends; {f['rows']} rows, "
                 f"{f['pages_received']} pages received by the rows, {f['pages_in_pdfs']} pages in the PDFs "
                 f"({f['pages_each']} each)")
    lines.append(f"fax time, 200 OK to the end of T.30 at the machine (or the server's hang-up if sooner), s: "
                 f"{spread(f['fax_s'], '{:.1f}')}")
    others = "" if f["ended_by_the_hang_up"] >= n else (
        f"; at the others the BYE came after the machine's end, ms: {spread(c['end_of_fax_to_hang_up_ms'])}")
    lines.append(f"T.30 ended by the server's hang-up at {f['ended_by_the_hang_up']} of {n} machines (the server hangs up "
                 f"once their DCN has arrived, a sender ends about 1 s later){others}")
    lines.append(f"PDF written after the fax's end at the machine, ms: {spread(f['pdf_after_end_ms'])}")
    lines.append(f"calls: {c['placed']} placed, {c['answered']} answered, {c['failed']} failed, "
                 f"{c['ended_by_server']} ended by the server; INVITE to 200 OK ms {spread(c['setup_ms'], '{:.1f}')}")
    lines.append(f"line: {l['packets_sent']} packets sent, {l['packets_heard']} heard, {l['late_dropped']} late, "
                 f"{l['gap_samples']} samples of gaps, {l['foreign']} foreign, {l['send_errors']} send errors")
    lines.append(f"idle before the first call {num(i.get('seconds'), '{:.1f}')} s: server {num(i.get('server_cores'), '{:.3f}')} cores, "
                 f"load tool {num(i.get('tool_cores'), '{:.3f}')} (its threads' 1 ms tick), CPU pressure {num(i.get('cpu_pressure_pct'), '{:.0f}')} %")
    lines.append(f"window with all faxes under way {num(a.get('seconds'), '{:.1f}')} s: server {num(a.get('server_cores'), '{:.3f}')} cores, "
                 f"load tool {num(a.get('tool_cores'), '{:.3f}')}, CPU pressure {num(a.get('cpu_pressure_pct'), '{:.0f}')} %; "
                 f"whole run {num(w.get('seconds'), '{:.1f}')} s: server {num(w.get('server_cpu_s'), '{:.2f}')} s "
                 f"+ tiff2pdf {num(w.get('server_children_cpu_s'), '{:.2f}')} s, load tool {num(w.get('tool_cpu_s'), '{:.2f}')} s "
                 f"(its RTP threads {num(per_fax.get('tool_rtp_threads'), '{:.0f}')} ms per fax)")
    lines.append(f"machine load average (1, 5, 15 min): {load_before} before, {load_after} after")
    for p in f.get("problems", []) + f.get("stray_rows", []):
        lines.append(f"problem: {p}")
finish(lines, ok, readme, "bench/fax.sh", commit, threads, prio)
PY
