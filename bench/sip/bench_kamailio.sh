#!/usr/bin/env bash
# bench_kamailio.sh [USERS] [CALLS] - the SIP load figures of the reference
# registrar/proxy (Kamailio, bench/sip/kamailio.cfg) on this machine.
#
#  1. make_users.sh USERS+1: user 1000 is the callee, 1001.. register and call
#  2. run_kamailio.sh starts Kamailio on a free loopback port
#  3. bench_register.xml registers USERS users (REGISTER, 401, REGISTER with
#     digest, 200) at up to REG_RATE/s with at most REG_LIMIT open
#  4. the callee 1000 registers from a uas port (register_only.xml) and
#     uas_answer.xml answers there; bench_call.xml places CALLS calls from
#     the registered users at up to CALL_RATE/s with at most CALL_LIMIT open
#  5. prints sipp's cumulative "Call Rate" (= registrations/s, calls/s),
#     successful / failed counts; exits non-zero if any failed.
# Environment: REG_RATE (default 20000/s offered), REG_LIMIT (400 open at
# most), CALL_RATE (3000/s), CALL_LIMIT (400), BENCH_LOGS (default: a temp
# dir, printed), and run_kamailio.sh's (KAM_HTABLE_AUTH=1, KAM_SHM_MB...).
# sipp's Call Rate is the achieved rate: it equals the offered rate when
# that is below what the machine does (raise REG_RATE/CALL_RATE then), and
# collapses with failed calls when far above it (UDP retransmissions).
# Kamailio's own CPU time (all its processes, from /proc) is printed per
# phase: sipp (caller and callee) runs on the same 2 cores.
# Every sipp run is bounded (-m, -timeout); loopback only.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
USERS=${1:-1000}
CALLS=${2:-1000}
export REG_RATE=${REG_RATE:-20000} REG_LIMIT=${REG_LIMIT:-400}
export CALL_RATE=${CALL_RATE:-3000} CALL_LIMIT=${CALL_LIMIT:-400}
export BENCH_LOGS=${BENCH_LOGS:-$(mktemp -d /tmp/sip-bench.XXXXXX)}
export USERS CALLS
mkdir -p "$BENCH_LOGS"
DB=$BENCH_LOGS/db
"$HERE/make_users.sh" $((USERS + 1)) "$DB" >/dev/null
# callers: every user but the callee (line 2 of users.csv is user 1000)
{ echo SEQUENTIAL; tail -n +3 "$DB/users.csv"; } > "$BENCH_LOGS/callers.csv"
{ echo SEQUENTIAL; sed -n 2p "$DB/users.csv"; } > "$BENCH_LOGS/callee.csv"

echo "users $USERS, calls $CALLS, offered $REG_RATE registrations/s (max $REG_LIMIT open), $CALL_RATE calls/s (max $CALL_LIMIT open), credentials: $([ "${KAM_HTABLE_AUTH:-0}" = 1 ] && echo htable || echo auth_db/db_text)"
KAM_DB=$DB "$HERE/run_kamailio.sh" bash -c '
set -uo pipefail
SCEN='"$HERE"'/../../tests/sip/scenarios
L=$BENCH_LOGS
common=(-key domain "$SIP_DOMAIN" -i 127.0.0.1 -nostdin -recv_timeout 10000 -trace_err)
summary() { # summary NAME OUTFILE
  local rate ok bad el
  rate=$(grep "Call Rate" "$2" | tail -1 | awk -F"|" "{gsub(/ /,\"\",\$3); print \$3}")
  ok=$(grep "Successful call" "$2" | tail -1 | awk -F"|" "{gsub(/ /,\"\",\$3); print \$3}")
  bad=$(grep "Failed call" "$2" | tail -1 | awk -F"|" "{gsub(/ /,\"\",\$3); print \$3}")
  el=$(grep -A1 "Total-time" "$2" | tail -1 | grep -oE "[0-9.]+ s " | head -1)
  printf "%-9s sipp Call Rate %-14s successful %-6s failed %-4s total time %s\n" "$1" "$rate" "$ok" "$bad" "$el"
}

tck=$(getconf CLK_TCK)
kcpu() { # CPU seconds used so far by Kamailio (main process and children)
  for p in $KAM_PID $(pgrep -P $KAM_PID); do cat /proc/$p/stat 2>/dev/null; done |
    sed "s/^.*) //" | awk -v t=$tck "{s += \$12 + \$13} END {printf \"%.2f\", s / t}"
}
cpu() { awk -v a=$1 -v b=$2 -v n=$3 -v w=$4 "BEGIN {printf \"          kamailio CPU %.2f s = %.3f ms per %s\n\", b - a, (b - a) * 1000 / n, w}"; }

# 1. registrations
c0=$(kcpu)
timeout -k 5 150 sipp -sf $SCEN/bench_register.xml -inf $L/callers.csv "${common[@]}" \
     -error_file $L/register.err -r $REG_RATE -l $REG_LIMIT -m $USERS \
     -timeout 120s -timeout_error $SIP_SERVER > $L/register.out 2>&1
r1=$?
c1=$(kcpu)
summary REGISTER $L/register.out
cpu $c0 $c1 $USERS registration

# 2. calls: callee 1000 registered from the uas port
port=$(python3 -c "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])")
timeout -k 5 20 sipp -sf $SCEN/register_only.xml -inf $L/callee.csv "${common[@]}" -error_file $L/callee-reg.err \
     -p $port -m 1 -timeout 10s -timeout_error $SIP_SERVER > $L/callee-reg.out 2>&1
r2=$?
timeout -k 5 330 sipp -sf $SCEN/uas_answer.xml "${common[@]}" -error_file $L/uas.err -p $port -m $CALLS \
     -timeout 300s -timeout_error > $L/uas.out 2>&1 &
uas=$!
sleep 0.3
c2=$(kcpu)
timeout -k 5 330 sipp -sf $SCEN/bench_call.xml -inf $L/callers.csv -s 1000 "${common[@]}" -error_file $L/call.err \
     -r $CALL_RATE -l $CALL_LIMIT -m $CALLS -timeout 300s -timeout_error $SIP_SERVER > $L/call.out 2>&1
r3=$?
# the uas ends after CALLS calls; if calls were lost it would wait for its
# -timeout: give it 15 s after the caller is done, then stop it
for _ in $(seq 150); do kill -0 $uas 2>/dev/null || break; sleep 0.1; done
kill $uas 2>/dev/null
wait $uas; r4=$?
c3=$(kcpu)
summary CALL $L/call.out
cpu $c2 $c3 $CALLS call
summary UAS $L/uas.out
echo "exit codes: register $r1, callee register $r2, calls $r3, uas $r4 (logs: $L)"
[ $r1 = 0 ] && [ $r2 = 0 ] && [ $r3 = 0 ] && [ $r4 = 0 ]
'
