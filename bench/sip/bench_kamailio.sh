#!/usr/bin/env bash
# bench_kamailio.sh [USERS] [CALLS] - the SIP load figures of the reference
# registrar/proxy (Kamailio, bench/sip/kamailio.cfg) on this machine.
#
#  1. make_users.sh USERS+1: user 1000 is the callee, 1001.. register and call
#  2. run_kamailio.sh starts Kamailio on a free loopback port
#  3. load.sh (the load of bench/sip.sh too): bench_register.xml registers
#     USERS users (REGISTER, 401, REGISTER with digest, 200) at up to
#     REG_RATE/s with at most REG_LIMIT open
#  4. the callee 1000 registers from a uas port (register_only.xml) and
#     uas_answer.xml answers there; bench_call.xml places CALLS calls from
#     the registered users at up to CALL_RATE/s with at most CALL_LIMIT open
#  5. prints sipp's cumulative "Call Rate" (= registrations/s, calls/s),
#     successful / failed counts, Kamailio's CPU per operation and memory
#     (and load.sh's "result ..." lines); exits non-zero if any failed.
# Environment: REG_RATE (default 20000/s offered), REG_LIMIT (400 open at
# most), CALL_RATE (3000/s), CALL_LIMIT (400), REG_TIMEOUT, CALL_TIMEOUT
# (see load.sh), BENCH_LOGS (default: a temp dir, printed), and
# run_kamailio.sh's (KAM_HTABLE_AUTH=1, KAM_SHM_MB...).
# sipp's Call Rate is the achieved rate: it equals the offered rate when
# that is below what the machine does (raise REG_RATE/CALL_RATE then), and
# collapses with failed calls when far above it (UDP retransmissions).
# Kamailio's own CPU time (all its processes, from /proc) is printed per
# phase: sipp (caller and callee) runs on the same 2 cores.
# Every sipp run is bounded (-m, -timeout); loopback only. bench/sip.sh
# runs the same load against Durchwahl too and prints the ratios.
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
KAM_DB=$DB "$HERE/run_kamailio.sh" bash -c 'exec "$0" all "$1" "$2" "$KAM_PID"' \
  "$HERE/load.sh" "$BENCH_LOGS/callers.csv" "$BENCH_LOGS/callee.csv"
