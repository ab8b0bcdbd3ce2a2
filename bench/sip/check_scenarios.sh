#!/usr/bin/env bash
# check_scenarios.sh - run the functional SIP scenarios of tests/sip/scenarios
# against a registrar/proxy and report "N passed, M failed".
#
#   SIP_SERVER=127.0.0.1:5060 SIP_DOMAIN=bench.local bench/sip/check_scenarios.sh [TEST...]
#   bench/sip/run_kamailio.sh bench/sip/check_scenarios.sh      # against Kamailio
#
# Tests (default: all except blf and blf_server): register call busy cancel
# fork unknown blf blf_server
#   register  register_auth.xml for 3 users (register, check Contact, unregister)
#   call      callee registers (register_only.xml), uas_answer.xml answers,
#             uac_call.xml calls it (auth, 200, ACK, 300 ms, BYE)
#   busy      uas_busy.xml / uac_call_busy.xml (486)
#   cancel    uas_ring_only.xml / uac_cancel.xml (CANCEL after 180 -> 200 + 487)
#   fork      the same user registered from two ports: uas_answer.xml (rings
#             300 ms, then answers) and uas_ring_only.xml (must get CANCEL);
#             uac_call.xml calls that user
#   unknown   uac_call_unknown.xml calls 9999 (no such user): 407, then 404
#   blf       blf_subscribe.xml against the sipp test double
#             blf_notifier_stub.xml (no server needed; Kamailio has no
#             presence in this setup)
#   blf_server  blf_subscribe.xml against the server: user 1 watches user 2
#             (registered, uas_answer.xml) while user 3 calls user 2; the
#             watcher must see the call early, confirmed and terminated, and
#             the final NOTIFY (Durchwahl; Kamailio answers 489)
# Users: lines of $USERS_CSV (default bench/sip/db/users.csv from
# make_users.sh); each test takes its own users so that registrations of
# one test do not disturb another: register 1-3, call 4-5, busy 6-7,
# cancel 8-9, fork 10-11, unknown 12, blf_server 1-3 (after register).
# Logs: $CHECK_LOGS (default a temp dir, kept when a test fails).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SCEN=$(cd "$HERE/../../tests/sip/scenarios" && pwd)
: "${SIP_SERVER:?set SIP_SERVER=host:port (or run under run_kamailio.sh)}"
SIP_DOMAIN=${SIP_DOMAIN:-bench.local}
USERS_CSV=${USERS_CSV:-$HERE/db/users.csv}
LOGS=${CHECK_LOGS:-$(mktemp -d /tmp/sip-check.XXXXXX)}
mkdir -p "$LOGS"
[ -f "$USERS_CSV" ] || { echo "no $USERS_CSV (make_users.sh N)" >&2; exit 2; }
[ "$(wc -l < "$USERS_CSV")" -ge 13 ] || { echo "$USERS_CSV needs at least 12 users" >&2; exit 2; }

TESTS=("$@")
[ ${#TESTS[@]} -eq 0 ] && TESTS=(register call busy cancel fork unknown)

passed=0; failed=0; PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done' EXIT

# csv FILE N... : injection file with the users on lines N... of USERS_CSV
csv() { local f=$LOGS/$1; shift; echo SEQUENTIAL > "$f"
        for n in "$@"; do sed -n "$((n + 1))p" "$USERS_CSV" >> "$f"; done; echo "$f"; }
user() { sed -n "$(($1 + 1))p" "$USERS_CSV" | cut -d';' -f1; }
# port: a UDP port in 20000-32767 that no socket holds (ports are hex after the colon in
# /proc/net/udp*), below the kernel's range for outgoing sockets so it is not handed out
# meanwhile; no python3 needed
port() { local p; while :; do p=$((20000 + RANDOM % 12768))
  grep -qs -- "$(printf ':%04X ' "$p")" /proc/net/udp /proc/net/udp6 || break; done; echo "$p"; }

# run NAME SCENARIO ARGS... : a bounded sipp run, logs in $LOGS/NAME.*
run() { local name=$1 sf=$2; shift 2
  timeout -k 5 60 sipp -sf "$SCEN/$sf" -key domain "$SIP_DOMAIN" -i 127.0.0.1 -nostdin \
       -timeout 30s -timeout_error -recv_timeout 10000 \
       -trace_err -error_file "$LOGS/$name.err" \
       -trace_msg -message_file "$LOGS/$name.msg" "$@" > "$LOGS/$name.out" 2>&1
}
# uas NAME SCENARIO PORT ARGS... : a sipp UAS in the background
uas() { local name=$1 sf=$2 p=$3; shift 3
  run "$name" "$sf" -p "$p" -m 1 "$@" & PIDS+=($!); LASTPID=$!; sleep 0.3; }
register() { run "$1" register_only.xml -inf "$2" -p "$3" -m 1 "$SIP_SERVER"; }
# uac NAME SCENARIO ARGS... : a caller on a fresh port (stray retransmissions
# of an earlier test cannot reach it)
uac() { local name=$1 sf=$2; shift 2; run "$name" "$sf" -p "$(port)" "$@"; }

result() { # result NAME rc...  (also fails on anything sipp logged with -trace_err)
  local name=$1; shift; local bad=0
  for rc in "$@"; do [ "$rc" = 0 ] || bad=1; done
  for e in "$LOGS/$name"*.err; do
    [ -s "$e" ] || continue
    # every event sipp logged counts, except a recv timeout that jumps to
    # its ontimeout label (blf_subscribe.xml waits for NOTIFYs that way)
    local events benign
    events=$(grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}.[0-9:.]+.[0-9.]+: ' "$e" | wc -l)
    benign=$(grep -o 'jumping to label' "$e" | wc -l)
    [ "$events" -gt "$benign" ] && { bad=1; set -- "$@" "see $(basename "$e")"; }
  done
  if [ $bad = 0 ]; then passed=$((passed + 1)); echo "PASS $name"
  else failed=$((failed + 1)); echo "FAIL $name (exit codes: $*; logs: $LOGS/$name*)"; fi
}

t_register() {
  uac register register_auth.xml -inf "$(csv reg.csv 1 2 3)" -m 3 "$SIP_SERVER"
  result register $?
}

t_call() {
  local p; p=$(port)
  register call-reg "$(csv call-callee.csv 4)" "$p"; local r0=$?
  uas call-uas uas_answer.xml "$p"; local upid=$LASTPID
  uac call-uac uac_call.xml -inf "$(csv call-caller.csv 5)" -s "$(user 4)" -d 300 -m 1 "$SIP_SERVER"; local r1=$?
  wait "$upid"; local r2=$?
  result call $r0 $r1 $r2
}

t_busy() {
  local p; p=$(port)
  register busy-reg "$(csv busy-callee.csv 6)" "$p"; local r0=$?
  uas busy-uas uas_busy.xml "$p"; local upid=$LASTPID
  uac busy-uac uac_call_busy.xml -inf "$(csv busy-caller.csv 7)" -s "$(user 6)" -m 1 "$SIP_SERVER"; local r1=$?
  wait "$upid"; local r2=$?
  result busy $r0 $r1 $r2
}

t_cancel() {
  local p; p=$(port)
  register cancel-reg "$(csv cancel-callee.csv 8)" "$p"; local r0=$?
  uas cancel-uas uas_ring_only.xml "$p"; local upid=$LASTPID
  uac cancel-uac uac_cancel.xml -inf "$(csv cancel-caller.csv 9)" -s "$(user 8)" -m 1 "$SIP_SERVER"; local r1=$?
  wait "$upid"; local r2=$?
  result cancel $r0 $r1 $r2
}

t_unknown() {
  uac unknown-uac uac_call_unknown.xml -inf "$(csv unknown-caller.csv 12)" -s 9999 -m 1 "$SIP_SERVER"
  result unknown $?
}

t_fork() {
  local pa pb; pa=$(port); pb=$(port); while [ "$pb" = "$pa" ]; do pb=$(port); done
  local c; c=$(csv fork-callee.csv 10)
  register fork-reg-a "$c" "$pa"; local r0=$?
  register fork-reg-b "$c" "$pb"; local r1=$?
  uas fork-uas-answer uas_answer.xml "$pa" -d 300; local ua=$LASTPID
  uas fork-uas-ring uas_ring_only.xml "$pb"; local ub=$LASTPID
  uac fork-uac uac_call.xml -inf "$(csv fork-caller.csv 11)" -s "$(user 10)" -d 300 -m 1 "$SIP_SERVER"; local r2=$?
  wait "$ua"; local r3=$?
  wait "$ub"; local r4=$?
  result fork $r0 $r1 $r2 $r3 $r4
}

t_blf() {
  local p; p=$(port)
  uas blf-notifier blf_notifier_stub.xml "$p" -inf "$(csv blf-watcher.csv 1)"; local upid=$LASTPID
  run blf-subscribe blf_subscribe.xml -inf "$(csv blf-watcher2.csv 1)" -s "$(user 2)" -m 1 "127.0.0.1:$p"; local r1=$?
  wait "$upid"; local r2=$?
  result blf $r1 $r2
}

t_blf_server() {
  local p; p=$(port)
  register blf-server-reg "$(csv blf-server-callee.csv 2)" "$p"; local r0=$?
  uas blf-server-uas uas_answer.xml "$p"; local upid=$LASTPID
  uac blf-server-watch blf_subscribe.xml -inf "$(csv blf-server-watcher.csv 1)" \
      -s "$(user 2)" -m 1 "$SIP_SERVER" & local wpid=$!; PIDS+=($wpid)
  # the call starts once the watcher has its first NOTIFY (idle)
  local msg=$LOGS/blf-server-watch.msg i
  for i in $(seq 50); do grep -q '^NOTIFY ' "$msg" 2>/dev/null && break; sleep 0.1; done
  uac blf-server-call uac_call.xml -inf "$(csv blf-server-caller.csv 3)" -s "$(user 2)" \
      -d 300 -m 1 "$SIP_SERVER"; local r1=$?
  wait "$upid"; local r2=$?
  wait "$wpid"; local r3=$?
  # what the lamp showed, in the NOTIFY bodies the watcher received
  local seen=0 s
  for s in '<state>early</state>' '<state>confirmed</state>' '<state>terminated</state>' \
           'Subscription-State: terminated'; do
    grep -q "$s" "$msg" || { echo "blf_server: no NOTIFY with $s" >&2; seen=1; }
  done
  result blf_server $r0 $r1 $r2 $r3 $seen
}

for t in "${TESTS[@]}"; do "t_$t"; done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ -z "${CHECK_LOGS:-}" ] && rm -rf "$LOGS"
[ "$failed" = 0 ]
