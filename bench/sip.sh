#!/usr/bin/env bash
# SIP benchmark: Durchwahl's registrar/proxy against the anchor, Kamailio
# (bench/sip/kamailio.cfg with in-memory credentials), on this machine, one
# after the other, with the same sipp load (bench/sip/load.sh) and the same
# users. Prints a table of both servers' figures and the ratios, and checks:
#   - authenticated REGISTERs/s, Durchwahl / Kamailio      goal >= 1.00
#   - call set-ups/s through the proxy (INVITE, 407, INVITE with digest,
#     180, 200, ACK, BYE), Durchwahl / Kamailio              goal >= 1.00
#   - failed registrations and calls (any server)          goal 0
#   - Durchwahl's VmRSS and VmHWM (/proc/PID/status) right after the
#     registrations, with 100,000 registered devices       goal < 200 MB
#     (checked only when USERS >= 100,000, otherwise shown for information)
# and exits non-zero when a goal is missed or any call failed.
#
# Usage: bench/sip.sh [USERS] [CALLS]    (defaults 100000 and 20000)
#   With BENCH_BEFORE_BIN=PATH (an earlier release build, e.g. of the commit before a
#   change), that build gets the same load after this one, and a second table compares
#   them (after / before) with issue 14's goals: >= 1.2 x Kamailio's registrations/s,
#   >= 1.6 x its calls/s, <= 145 MB VmRSS at 100,000 devices.
#   USERS+1 staff with one softphone each are provisioned in Durchwahl
#   (users import, phones import); the credentials it writes become sipp's
#   users file and Kamailio's db_text subscriber table (ha1 = MD5 of
#   user:realm:password), so both servers see identical users and requests.
#   The first device is the callee; the other USERS register and call it.
# Environment: REG_RATE (offered registrations/s, default 30000), REG_LIMIT
#   (400 open), CALL_RATE (offered calls/s, default 4500), CALL_LIMIT (400),
#   REG_TIMEOUT/CALL_TIMEOUT (load.sh). The default rates are above what
#   either server does on this machine (2 cores shared with sipp: ~18,000-
#   22,000 registrations/s, ~3,500-4,300 calls/s), so the ratio compares
#   capacity, not the offered rate;
#   BENCH_LOGS (default: a new temp dir, printed; the server data is removed
#   at the end unless BENCH_KEEP=1), BENCH_BIN (a built durchwahl binary
#   instead of `cargo build --release -p durchwahl`; not DURCHWAHL_*, which
#   the server reads as its configuration), KAM_SHM_MB (run_kamailio.sh).
# The rates are sipp's cumulative "Call Rate". When the offered rate is below
# what both servers do, both report about the offered rate and their ratio is
# sipp's noise (+-1 %), not a difference of the servers. A rate goal passes
# only when the ratio (2 decimals, as printed) is >= 1.00; when both servers
# reached >= 95 % of the offered rate the FAIL says so (raise REG_RATE or
# CALL_RATE to compare capacity). Printed beside them for
# information: sipp's retransmissions, datagrams dropped at the server's
# sockets, each server's CPU time per operation and Pss. Loopback only; every
# sipp is bounded (-m, -timeout, `timeout`), the servers are stopped at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib/postgres.sh # apt_install
command -v sipp >/dev/null || apt_install sip-tester
command -v kamailio >/dev/null || apt_install kamailio kamailio-extra-modules

USERS=${1:-100000}
CALLS=${2:-20000}
export REG_RATE=${REG_RATE:-30000} REG_LIMIT=${REG_LIMIT:-400}
export CALL_RATE=${CALL_RATE:-4500} CALL_LIMIT=${CALL_LIMIT:-400}
export USERS CALLS SIP_DOMAIN=bench.local DURCHWAHL_SIP_DOMAIN=bench.local
export BENCH_LOGS=${BENCH_LOGS:-$(mktemp -d /tmp/sip-bench.XXXXXX)}
L=$BENCH_LOGS
D=$L/durchwahl-data
MEMORY_GOAL_MB=200 MEMORY_AT_USERS=100000
mkdir -p "$L"

if [ -n "${BENCH_BIN:-}" ]; then
  BIN=$BENCH_BIN
else
  cargo build --release --quiet -p durchwahl
  BIN=$ROOT/target/release/durchwahl
fi

DW=
cleanup() {
  if [ -n "$DW" ] && kill -0 "$DW" 2>/dev/null; then
    kill -TERM "$DW" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$DW" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DW" 2>/dev/null || true
  fi
  [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$D" "$L/kamailio-db" "$L/before-data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== SIP benchmark: $USERS users, $CALLS calls; offered $REG_RATE registrations/s (max $REG_LIMIT open), $CALL_RATE calls/s (max $CALL_LIMIT open); logs: $L"

# --- users: provisioned in Durchwahl, the same credentials for Kamailio
echo "== provisioning $((USERS + 1)) staff with a softphone each"
rm -rf "$D" "$L/creds.csv" "$L/kamailio-db"
python3 - "$USERS" "$L" <<'PY'
import sys
n, d = int(sys.argv[1]) + 1, sys.argv[2]
with open(f"{d}/staff.csv", "w") as staff, open(f"{d}/phones.csv", "w") as phones:
    staff.write("login;name;unit;extension;email;roles;features\n")
    phones.write("login,label,password\n")
    for i in range(n):
        ext = 1000 + i
        staff.write(f"u{ext};Person {i};Bench;{ext};;user;softphone\n")
        phones.write(f"u{ext},Bench,pw{ext}-bench-secret\n")
PY
timeout 600 "$BIN" users import "$L/staff.csv" --data-dir "$D" --log-level warn > "$L/provision.log"
timeout 600 "$BIN" phones import "$L/phones.csv" --out "$L/creds.csv" --data-dir "$D" --log-level warn >> "$L/provision.log"
python3 - "$L" "$SIP_DOMAIN" <<'PY'
# creds.csv (login,label,sip_username,sip_password,extension,domain) ->
# callee.csv (the first device), callers.csv (all others): sipp -inf files;
# kamailio-db/subscriber + version: Kamailio's db_text tables (as make_users.sh)
import csv, hashlib, os, sys
d, realm = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(f"{d}/creds.csv", newline="")))
for r in rows:
    if r["domain"] != realm:
        sys.exit(f"device {r['sip_username']} is in domain {r['domain']}, not {realm}")
esc = lambda s: s.replace("\\", "\\\\").replace(":", "\\:")
os.makedirs(f"{d}/kamailio-db")
with open(f"{d}/kamailio-db/subscriber", "w") as sub, open(f"{d}/callers.csv", "w") as callers, \
     open(f"{d}/callee.csv", "w") as callee:
    sub.write("id(int,auto) username(string) domain(string) password(string) "
              "ha1(string) ha1b(string)\n")
    callers.write("SEQUENTIAL\n")
    callee.write("SEQUENTIAL\n")
    for i, r in enumerate(rows):
        user, pw = r["sip_username"], r["sip_password"]
        ha1 = hashlib.md5(f"{user}:{realm}:{pw}".encode()).hexdigest()
        ha1b = hashlib.md5(f"{user}@{realm}:{realm}:{pw}".encode()).hexdigest()
        sub.write(f"{i + 1}:{esc(user)}:{esc(realm)}:{esc(pw)}:{ha1}:{ha1b}\n")
        (callee if i == 0 else callers).write(f"{user};{pw}\n")
with open(f"{d}/kamailio-db/version", "w") as v:
    v.write("id(int,auto) table_name(string) table_version(int)\n1:version:1\n2:subscriber:7\n")
print(f"{len(rows)} devices, callee {rows[0]['sip_username']}")
PY
[ "$(($(wc -l < "$L/callers.csv") - 1))" -ge "$USERS" ] || { echo "fewer devices than $USERS" >&2; exit 1; }

# --- Kamailio first
echo "== Kamailio $(kamailio -v | head -1 | awk '{print $3}') (htable credentials)"
set +e
KAM_DB=$L/kamailio-db KAM_HTABLE_AUTH=1 LOAD_TAG=kamailio bench/sip/run_kamailio.sh \
  bash -c 'exec "$0" all "$1" "$2" "$KAM_PID"' bench/sip/load.sh "$L/callers.csv" "$L/callee.csv" \
  2>&1 | tee "$L/kamailio.txt"
kam_rc=${PIPESTATUS[0]}
set -e

# --- then Durchwahl, the same load (and, with BENCH_BEFORE_BIN, an earlier build of it)
# serve_and_load BIN DATA TAG: starts BIN on DATA, runs load.sh, stops it; the figures go
# to $L/TAG.txt, the exit code of load.sh to rc_TAG, the VmRSS at start to start_rss_TAG.
serve_and_load() {
  local bin=$1 data=$2 tag=$3 port rc
  port=$(python3 -c '
import socket
while True:  # a port free for both UDP and TCP
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
    p = u.getsockname()[1]; t = socket.socket()
    try:
        t.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass')
  echo "== $tag: Durchwahl $("$bin" --version | awk '{print $2}') on 127.0.0.1:$port"
  "$bin" serve --data-dir "$data" --http-listen 127.0.0.1:0 --sip-listen "127.0.0.1:$port" \
    --log-level warn > "$L/$tag.out" 2> "$L/$tag.err" &
  DW=$!
  for _ in $(seq 1200); do # at most 120 s
    grep -q '^listening on http' "$L/$tag.out" 2>/dev/null && break
    kill -0 $DW 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q '^listening on http' "$L/$tag.out" 2>/dev/null || ! kill -0 $DW 2>/dev/null; then
    echo "durchwahl ($tag) did not start; stderr:" >&2
    tail -20 "$L/$tag.err" >&2
    exit 1
  fi
  printf -v "start_rss_$tag" '%s' "$(awk '/^VmRSS:/ {print $2}' /proc/$DW/status)"
  set +e
  SIP_SERVER=127.0.0.1:$port LOAD_TAG=$tag bench/sip/load.sh all "$L/callers.csv" "$L/callee.csv" $DW \
    2>&1 | tee "$L/$tag.txt"
  rc=${PIPESTATUS[0]}
  set -e
  printf -v "rc_$tag" '%s' "$rc"
  kill -TERM $DW 2>/dev/null || echo "durchwahl ($tag) was no longer running at the end of the load" >&2
  for _ in $(seq 100); do kill -0 $DW 2>/dev/null || break; sleep 0.1; done
  if kill -0 $DW 2>/dev/null; then echo "durchwahl ($tag) did not stop within 10 s of SIGTERM" >&2; fi
  if [ -s "$L/$tag.err" ]; then
    echo "durchwahl ($tag) stderr ($(wc -l < "$L/$tag.err") lines, first 5):"
    head -5 "$L/$tag.err"
  fi
  DW=
}
serve_and_load "$BIN" "$D" durchwahl
dw_rc=$rc_durchwahl start_rss=$start_rss_durchwahl
if [ -n "${BENCH_BEFORE_BIN:-}" ]; then
  # The earlier build provisions its own data folder (its own schema) with the same
  # people and passwords, so sipp's credentials are the same.
  timeout 600 "$BENCH_BEFORE_BIN" users import "$L/staff.csv" --data-dir "$L/before-data" --log-level warn > "$L/provision-before.log"
  timeout 600 "$BENCH_BEFORE_BIN" phones import "$L/phones.csv" --out "$L/creds-before.csv" --data-dir "$L/before-data" --log-level warn >> "$L/provision-before.log"
  serve_and_load "$BENCH_BEFORE_BIN" "$L/before-data" before
fi

# --- the table
get() { # get FILE PHASE KEY: a value of load.sh's result line, "-" if none
  local v
  v=$(grep "^result $2 " "$1" | tail -1 | tr ' ' '\n' | sed -n "s/^$3=//p")
  echo "${v:--}"
}
K=$L/kamailio.txt W=$L/durchwahl.txt
ok=1
row() { # row METRIC KAMAILIO DURCHWAHL RATIO GOAL STATUS
  printf '%-40s %10s %10s %7s %-22s %s\n' "$@"
  case "$6" in FAIL*) ok=0 ;; esac
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a + 0 > 0 && b != "-") printf "%.2f", b / a; else print "-"}'; }
rate_status() { # rate_status RATIO KAMAILIO DURCHWAHL OFFERED
  if [ "$1" != - ] && awk -v r="$1" 'BEGIN {exit !(r + 0 >= 1)}'; then echo PASS
  elif [ "$1" != - ] && awk -v k="$2" -v w="$3" -v o="$4" 'BEGIN {exit !(k >= 0.95 * o && w >= 0.95 * o)}'; then
    echo "FAIL (both near the offered rate: raise it to compare capacity)"
  else echo FAIL; fi
}
mb() { [ "$1" = - ] && echo - || awk -v k="$1" 'BEGIN {printf "%.1f", k * 1.024 / 1000}'; }
pass() { if "$@"; then echo PASS; else echo FAIL; fi; }

kreg=$(get "$K" register rate) wreg=$(get "$W" register rate)
kcall=$(get "$K" calls rate) wcall=$(get "$W" calls rate)
rreg=$(ratio "$kreg" "$wreg") rcall=$(ratio "$kcall" "$wcall")
failed() { # failed FILE: failed registrations + calls + uas calls; "-" if a result is missing
  local a b c
  a=$(get "$1" register failed) b=$(get "$1" calls failed) c=$(get "$1" calls uas_failed)
  if [ "$a" = - ] || [ "$b" = - ] || [ "$c" = - ]; then echo -; else echo $((a + b + c)); fi
}
kfail=$(failed "$K") wfail=$(failed "$W")
retrans() { # retrans FILE "PHASE KEY"...: the sum of these result values
  local f=$1 p v t=0
  shift
  for p in "$@"; do
    v=$(get "$f" ${p% *} ${p#* })
    [ "$v" = - ] && { echo -; return; }
    t=$((t + v))
  done
  echo $t
}
rss=$(get "$W" memory vmrss_kb) hwm=$(get "$W" memory vmhwm_kb)
under_goal() { [ "$1" != - ] && awk -v k="$1" -v g=$MEMORY_GOAL_MB 'BEGIN {exit !(k * 1.024 / 1000 < g)}'; }
memory_status() {
  if [ "$USERS" -lt $MEMORY_AT_USERS ]; then echo "n/a (USERS < $MEMORY_AT_USERS)"; else pass under_goal "$1"; fi
}

echo
echo "== results: $USERS registered devices, $CALLS calls; ratio = Durchwahl / Kamailio; MB = 10^6 bytes"
printf '%-40s %10s %10s %7s %-22s %s\n' metric kamailio durchwahl ratio goal result
row "registrations/s (REGISTER 401 REGISTER)" "$kreg" "$wreg" "$rreg" ">= 1.00" "$(rate_status "$rreg" "$kreg" "$wreg" "$REG_RATE")"
row "calls/s (INVITE ... BYE via the proxy)" "$kcall" "$wcall" "$rcall" ">= 1.00" "$(rate_status "$rcall" "$kcall" "$wcall" "$CALL_RATE")"
row "failed registrations + calls" "$kfail" "$wfail" - "0, all sipp exit 0" \
  "$(pass test "$kfail" = 0 -a "$wfail" = 0 -a "$kam_rc" = 0 -a "$dw_rc" = 0)"
row "sipp retransmissions, registrations" "$(retrans "$K" "register retrans")" "$(retrans "$W" "register retrans")" \
  - "(info: late answers)" info
row "sipp retransmissions, calls (both ends)" "$(retrans "$K" "calls retrans" "calls uas_retrans")" \
  "$(retrans "$W" "calls retrans" "calls uas_retrans")" - "(info: late answers)" info
row "UDP drops at the server, regs + calls" "$(retrans "$K" "register udp_drops_server" "calls udp_drops_server")" \
  "$(retrans "$W" "register udp_drops_server" "calls udp_drops_server")" - "(info: buffer full)" info
row "server CPU ms per registration" "$(get "$K" register cpu_ms_per_op)" "$(get "$W" register cpu_ms_per_op)" \
  "$(ratio "$(get "$K" register cpu_ms_per_op)" "$(get "$W" register cpu_ms_per_op)")" "(lower is better)" info
row "server CPU ms per call" "$(get "$K" calls cpu_ms_per_op)" "$(get "$W" calls cpu_ms_per_op)" \
  "$(ratio "$(get "$K" calls cpu_ms_per_op)" "$(get "$W" calls cpu_ms_per_op)")" "(lower is better)" info
row "durchwahl MB at start, VmRSS" - "$(mb "$start_rss")" - "" info
row "MB after registrations, VmRSS" - "$(mb "$rss")" - "< $MEMORY_GOAL_MB MB at 100,000" "$(memory_status "$rss")"
row "MB after registrations, VmHWM" - "$(mb "$hwm")" - "< $MEMORY_GOAL_MB MB at 100,000" "$(memory_status "$hwm")"
row "MB after registrations, Pss (all procs)" "$(mb "$(get "$K" memory pss_kb)")" "$(mb "$(get "$W" memory pss_kb)")" \
  "$(ratio "$(get "$K" memory pss_kb)" "$(get "$W" memory pss_kb)")" "(lower is better)" info
echo "exit codes of load.sh: kamailio $kam_rc, durchwahl $dw_rc (logs: $L)"
if [ -n "${BENCH_BEFORE_BIN:-}" ]; then
  B=$L/before.txt
  breg=$(get "$B" register rate) bcall=$(get "$B" calls rate)
  echo
  echo "== before ($BENCH_BEFORE_BIN) and after ($BIN), the same load in this run; ratio = after / before"
  printf '%-40s %10s %10s %7s %-22s %s\n' metric before after ratio goal result
  row "registrations/s, x Kamailio" "$(ratio "$kreg" "$breg")" "$rreg" - ">= 1.20 (issue 14)" \
    "$(pass awk -v r="$rreg" 'BEGIN {exit !(r + 0 >= 1.2)}')"
  row "calls/s, x Kamailio" "$(ratio "$kcall" "$bcall")" "$rcall" - ">= 1.60 (issue 14)" \
    "$(pass awk -v r="$rcall" 'BEGIN {exit !(r + 0 >= 1.6)}')"
  row "registrations/s" "$breg" "$wreg" "$(ratio "$breg" "$wreg")" "(info)" info
  row "calls/s" "$bcall" "$wcall" "$(ratio "$bcall" "$wcall")" "(info)" info
  row "failed registrations + calls" "$(failed "$B")" "$wfail" - "0" "$(pass test "$(failed "$B")" = 0 -a "$rc_before" = 0)"
  row "server CPU ms per registration" "$(get "$B" register cpu_ms_per_op)" "$(get "$W" register cpu_ms_per_op)" \
    "$(ratio "$(get "$B" register cpu_ms_per_op)" "$(get "$W" register cpu_ms_per_op)")" "(lower is better)" info
  row "server CPU ms per call" "$(get "$B" calls cpu_ms_per_op)" "$(get "$W" calls cpu_ms_per_op)" \
    "$(ratio "$(get "$B" calls cpu_ms_per_op)" "$(get "$W" calls cpu_ms_per_op)")" "(lower is better)" info
  row "MB after registrations, VmRSS" "$(mb "$(get "$B" memory vmrss_kb)")" "$(mb "$rss")" \
    "$(ratio "$(get "$B" memory vmrss_kb)" "$rss")" "<= 145 MB (issue 14)" "$(pass awk -v k="$rss" 'BEGIN {exit !(k * 1.024 / 1000 <= 145)}')"
  row "MB after registrations, VmHWM" "$(mb "$(get "$B" memory vmhwm_kb)")" "$(mb "$hwm")" \
    "$(ratio "$(get "$B" memory vmhwm_kb)" "$hwm")" "(info)" info
fi
if [ "$kfail" != 0 ] || [ "$kam_rc" != 0 ]; then
  echo "note: Kamailio had failures, so its rates are not its capacity and the ratios mean little;"
  echo "      a busy machine does this (UDP losses, retransmissions): rerun when the cores are idle"
fi
if [ $ok = 1 ]; then echo "== all goals met"; else echo "== some goals missed"; exit 1; fi
