#!/usr/bin/env bash
# load.sh PHASE CALLERS_CSV CALLEE_CSV [SERVER_PID...] - the SIP load of the
# benchmarks, identical for every server under test (bench/sip.sh runs it
# against Kamailio and Durchwahl, bench_kamailio.sh against Kamailio alone).
#
# PHASE is register, calls or all (register, then calls):
#   register  bench_register.xml registers the first USERS users of CALLERS_CSV
#             (REGISTER, 401, REGISTER with digest, 200) at up to REG_RATE/s
#             offered, with at most REG_LIMIT open; the bindings stay
#   calls     the callee (the one user of CALLEE_CSV) registers from a free
#             loopback port (register_only.xml) and uas_answer.xml answers
#             there; bench_call.xml places CALLS calls from the users of
#             CALLERS_CSV to the callee (INVITE, 407, ACK, INVITE with digest,
#             180, 200, ACK, BYE, 200) at up to CALL_RATE/s, at most CALL_LIMIT open
# CALLERS_CSV, CALLEE_CSV: sipp injection files, first line SEQUENTIAL, then
# "user;password" (user = digest username); the callee must not be among the
# callers (its binding must point to the uas port).
# SERVER_PID...: the server's processes; their CPU time and their children's
# (utime + stime from /proc) is measured per phase. Kamailio: its main pid
# (the workers are its children); Durchwahl: its one process.
#
# Environment: SIP_SERVER (host:port) and SIP_DOMAIN (the domain and digest
# realm), both required; USERS (default: every user of CALLERS_CSV), CALLS
# (default 1000), REG_RATE (20000), REG_LIMIT (400), CALL_RATE (3000),
# CALL_LIMIT (400), REG_TIMEOUT and CALL_TIMEOUT (sipp's -timeout in s,
# default 20 s + 1 s per 1,000 registrations / per 200 calls: a server that
# is slower than that fails rather than holding the run), BENCH_LOGS (default:
# a new temp dir), LOAD_TAG (prefix of the log file names, to run several
# servers into one BENCH_LOGS).
#
# Output: human lines, and per phase one machine-readable line:
#   result register rate=R ok=N failed=N time_s=T retrans=N cpu_s=C cpu_ms_per_op=M
#                udp_drops_server=N udp_drops_all=N exit=E
#   result memory processes=N vmrss_kb=K vmhwm_kb=K pss_kb=K   (right after
#                the registrations, in /proc's kB of 1024 bytes, summed over
#                the server processes: for one process VmRSS/VmHWM of
#                /proc/PID/status; for several, Pss from smaps_rollup counts
#                shared memory once; the human line shows MB of 10^6 bytes)
#   result calls rate=R ok=N failed=N time_s=T retrans=N cpu_s=C cpu_ms_per_op=M
#                udp_drops_server=N udp_drops_all=N exit=E callee_register_exit=E
#                uas_ok=N uas_failed=N uas_retrans=N uas_exit=E
# rate is sipp's cumulative "Call Rate" (operations per second over the whole
# sipp run, start-up included; one call = one authenticated registration or
# one complete call). When the offered rate is below what the machine does,
# it is about the offered rate; far above, UDP retransmissions make it
# collapse with failures. retrans: the retransmissions in sipp's scenario
# screen, sent and received (a request or response not answered within 500 ms
# is sent again): a sign of late answers or lost datagrams even when no call
# failed. udp_drops_server: datagrams the kernel dropped during the phase
# because a server socket's receive buffer was full (/proc/net/udp);
# udp_drops_all: the same for the whole machine (RcvbufErrors in
# /proc/net/snmp: sipp's sockets, the server's, and any other process's).
# Exit code 0 = every sipp exited 0 (all successful).
# Every sipp is bounded (-m, -timeout, -timeout_error, -recv_timeout and
# `timeout` around it); loopback only.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SCEN=$(cd "$HERE/../../tests/sip/scenarios" && pwd)
usage() { echo "usage: load.sh register|calls|all CALLERS_CSV CALLEE_CSV [SERVER_PID...]" >&2; exit 2; }
[ $# -ge 3 ] || usage
PHASE=$1 CALLERS=$2 CALLEE_CSV=$3
shift 3
PIDS=("$@")
case $PHASE in register|calls|all) ;; *) usage ;; esac
: "${SIP_SERVER:?SIP_SERVER=host:port of the server under test}" "${SIP_DOMAIN:?SIP_DOMAIN=the served domain}"
[ -f "$CALLERS" ] && [ -f "$CALLEE_CSV" ] || { echo "load.sh: no $CALLERS or $CALLEE_CSV" >&2; exit 2; }
USERS=${USERS:-$(($(wc -l < "$CALLERS") - 1))}
CALLS=${CALLS:-1000}
REG_RATE=${REG_RATE:-20000} REG_LIMIT=${REG_LIMIT:-400}
CALL_RATE=${CALL_RATE:-3000} CALL_LIMIT=${CALL_LIMIT:-400}
REG_TIMEOUT=${REG_TIMEOUT:-$((20 + USERS / 1000))}
CALL_TIMEOUT=${CALL_TIMEOUT:-$((20 + CALLS / 200))}
L=${BENCH_LOGS:-$(mktemp -d /tmp/sip-load.XXXXXX)}
mkdir -p "$L"
T=${LOAD_TAG:+$LOAD_TAG-}
CALLEE=$(sed -n 2p "$CALLEE_CSV" | cut -d';' -f1)
# -buff_size: sipp's default socket buffers (64 KB) overflow in the bursts
# (400 open calls) when the cores are busy, and what sipp's own socket drops
# is not the server's doing; the kernel caps it at net.core.rmem_max
common=(-key domain "$SIP_DOMAIN" -i 127.0.0.1 -nostdin -recv_timeout 10000 -trace_err
        -buff_size 4194304)

stat_value() { # stat_value OUTFILE LABEL: sipp's cumulative value of a statistics line
  grep "^ *$2 " "$1" 2>/dev/null | tail -1 | awk -F'|' '{gsub(/ |cps/, "", $3); print $3}'
}
retransmissions() { # retransmissions OUTFILE: the Retrans column of sipp's scenario screen, summed
  # lines "INVITE ----------> 20000 641 0" (client) or "<---------- 180 300 0"
  # (server: the message after the arrow): Messages, then Retrans
  awk '{ a = 0; n = 0
         for (i = 1; i <= NF; i++) if ($i ~ /^(-+>|<-+)$/) a = i
         if (a) for (i = a + (a == 1 ? 2 : 1); i <= NF; i++) if ($i ~ /^[0-9]+$/ && ++n == 2) r += $i }
       END { print r + 0 }' "$1" 2>/dev/null || echo 0
}
summary() { # summary NAME OUTFILE OPS: prints the human line; sets rate ok failed secs retrans
  rate=$(stat_value "$2" "Call Rate"); ok=$(stat_value "$2" "Successful call")
  failed=$(stat_value "$2" "Failed call")
  secs=$(grep -A1 "Total-time" "$2" 2>/dev/null | tail -1 | grep -oE '[0-9.]+ s ' | head -1 | tr -d ' s')
  # no statistics screen: sipp did not get to the end; count all as failed
  rate=${rate:-0} ok=${ok:-0} secs=${secs:-0} failed=${failed:-$(($3 - ${ok:-0}))}
  retrans=$(retransmissions "$2")
  printf '%-9s sipp Call Rate %-10s/s successful %-7s failed %-5s total time %-6s s retransmissions %s\n' \
    "$1" "$rate" "$ok" "$failed" "$secs" "$retrans"
}

tck=$(getconf CLK_TCK)
server_cpu() { # CPU seconds used so far by the server processes and their children
  local p
  for p in "${PIDS[@]}"; do
    cat "/proc/$p/stat" 2>/dev/null
    for c in $(pgrep -P "$p"); do cat "/proc/$c/stat" 2>/dev/null; done
  done | sed 's/^.*) //' | awk -v t="$tck" '{s += $12 + $13} END {printf "%.2f", s / t}'
}
cpu_line() { # cpu_line BEFORE AFTER OPS WHAT: prints the human line; sets cpu ms
  cpu=$(awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}')
  ms=$(awk -v c="$cpu" -v n="$3" 'BEGIN {printf "%.4f", (n > 0 ? c * 1000 / n : 0)}')
  if [ ${#PIDS[@]} -gt 0 ]; then
    printf '          server CPU %s s = %s ms per %s\n' "$cpu" "$ms" "$4"
  else
    cpu=0 ms=0
  fi
}
server_udp_drops() { # datagrams dropped so far on the servers' UDP sockets (full receive buffer)
  local p q inodes
  inodes=$(for p in "${PIDS[@]}"; do
      for q in "$p" $(pgrep -P "$p"); do ls -l "/proc/$q/fd" 2>/dev/null; done
    done | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p' | sort -u | paste -sd' ')
  # /proc/net/udp: field 10 is the inode, field 13 the drops
  cat /proc/net/udp /proc/net/udp6 2>/dev/null |
    awk -v list="$inodes" 'BEGIN {n = split(list, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1}
                           NR > 1 && ($10 in want) {d += $13} END {print d + 0}'
}
all_udp_drops() { # the machine's UDP receive buffer errors so far (every socket: sipp, servers, others)
  awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ {print $6}' /proc/net/snmp
}
kb() { # kb FIELD FILE: the kB value of a /proc status line, 0 if none
  local v
  v=$(awk -v k="$1:" '$1 == k {print $2}' "$2" 2>/dev/null | tail -1)
  echo "${v:-0}"
}
memory() { # the server's memory now (see the header), human and result line
  [ ${#PIDS[@]} -gt 0 ] || return 0
  local p all=() rss=0 hwm=0 pss=0
  for p in "${PIDS[@]}"; do
    all+=("$p")
    mapfile -t -O ${#all[@]} all < <(pgrep -P "$p")
  done
  for p in "${all[@]}"; do
    rss=$((rss + $(kb VmRSS "/proc/$p/status")))
    hwm=$((hwm + $(kb VmHWM "/proc/$p/status")))
    pss=$((pss + $(kb Pss "/proc/$p/smaps_rollup")))
  done
  awk -v r=$rss -v h=$hwm -v p=$pss -v n=${#all[@]} 'BEGIN {
    printf "          server memory after the registrations: VmRSS %.1f MB, VmHWM %.1f MB, Pss %.1f MB (%d process%s)\n",
      r * 1.024 / 1000, h * 1.024 / 1000, p * 1.024 / 1000, n, (n > 1 ? "es, sums" : "") }'
  echo "result memory processes=${#all[@]} vmrss_kb=$rss vmhwm_kb=$hwm pss_kb=$pss"
}
drops_line() { # drops_line SERVER ALL
  printf '          UDP datagrams dropped (receive buffer full): %s on the server sockets, %s on the machine\n' "$1" "$2"
}
free_udp_port() {
  python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

register_phase() {
  local c0 c1 r d0 d1 s0 s1
  c0=$(server_cpu) d0=$(all_udp_drops) s0=$(server_udp_drops)
  timeout -k 5 $((REG_TIMEOUT + 10)) sipp -sf "$SCEN/bench_register.xml" -inf "$CALLERS" "${common[@]}" \
    -error_file "$L/${T}register.err" -r "$REG_RATE" -l "$REG_LIMIT" -m "$USERS" \
    -timeout "${REG_TIMEOUT}s" -timeout_error "$SIP_SERVER" > "$L/${T}register.out" 2>&1
  r=$?
  c1=$(server_cpu) d1=$(all_udp_drops) s1=$(server_udp_drops)
  summary REGISTER "$L/${T}register.out" "$USERS"
  cpu_line "$c0" "$c1" "$USERS" registration
  drops_line $((s1 - s0)) $((d1 - d0))
  echo "result register rate=$rate ok=$ok failed=$failed time_s=$secs retrans=$retrans cpu_s=$cpu cpu_ms_per_op=$ms udp_drops_server=$((s1 - s0)) udp_drops_all=$((d1 - d0)) exit=$r"
  memory
  return $r
}

calls_phase() {
  local port c2 c3 r2 r3 r4 uas d2 d3 s2 s3
  port=$(free_udp_port)
  timeout -k 5 20 sipp -sf "$SCEN/register_only.xml" -inf "$CALLEE_CSV" "${common[@]}" \
    -error_file "$L/${T}callee-reg.err" -p "$port" -m 1 -timeout 10s -timeout_error \
    "$SIP_SERVER" > "$L/${T}callee-reg.out" 2>&1
  r2=$?
  timeout -k 5 $((CALL_TIMEOUT + 40)) sipp -sf "$SCEN/uas_answer.xml" "${common[@]}" -error_file "$L/${T}uas.err" \
    -p "$port" -m "$CALLS" -timeout "$((CALL_TIMEOUT + 30))s" -timeout_error > "$L/${T}uas.out" 2>&1 &
  uas=$!
  sleep 0.3 # the uas binds its port
  c2=$(server_cpu) d2=$(all_udp_drops) s2=$(server_udp_drops)
  timeout -k 5 $((CALL_TIMEOUT + 10)) sipp -sf "$SCEN/bench_call.xml" -inf "$CALLERS" -s "$CALLEE" "${common[@]}" \
    -error_file "$L/${T}call.err" -r "$CALL_RATE" -l "$CALL_LIMIT" -m "$CALLS" \
    -timeout "${CALL_TIMEOUT}s" -timeout_error "$SIP_SERVER" > "$L/${T}call.out" 2>&1
  r3=$?
  # the uas ends after CALLS calls; if calls were lost it would wait for its
  # -timeout: give it 15 s after the caller is done, then stop it
  for _ in $(seq 150); do kill -0 $uas 2>/dev/null || break; sleep 0.1; done
  kill $uas 2>/dev/null
  wait $uas
  r4=$?
  c3=$(server_cpu) d3=$(all_udp_drops) s3=$(server_udp_drops)
  summary UAS "$L/${T}uas.out" "$CALLS"
  local uas_ok=$ok uas_failed=$failed uas_retrans=$retrans
  summary CALL "$L/${T}call.out" "$CALLS"
  cpu_line "$c2" "$c3" "$CALLS" call
  drops_line $((s3 - s2)) $((d3 - d2))
  echo "result calls rate=$rate ok=$ok failed=$failed time_s=$secs retrans=$retrans cpu_s=$cpu cpu_ms_per_op=$ms udp_drops_server=$((s3 - s2)) udp_drops_all=$((d3 - d2)) exit=$r3 callee_register_exit=$r2 uas_ok=$uas_ok uas_failed=$uas_failed uas_retrans=$uas_retrans uas_exit=$r4"
  [ $r2 = 0 ] && [ $r3 = 0 ] && [ $r4 = 0 ]
}

echo "load on $SIP_SERVER ($SIP_DOMAIN): $PHASE; $USERS users at up to $REG_RATE registrations/s (max $REG_LIMIT open), $CALLS calls to $CALLEE at up to $CALL_RATE/s (max $CALL_LIMIT open); logs: $L"
rc=0
if [ "$PHASE" != calls ]; then register_phase || rc=1; fi
if [ "$PHASE" != register ]; then calls_phase || rc=1; fi
exit $rc
