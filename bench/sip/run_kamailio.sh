#!/usr/bin/env bash
# run_kamailio.sh [COMMAND [ARGS...]]
#
# Starts Kamailio with bench/sip/kamailio.cfg on 127.0.0.1 and a free UDP
# port, in the foreground mode (-DD -E) as a child of this script, with a
# temporary runtime dir; waits until it answers OPTIONS (sipp, options_ping.xml);
# runs COMMAND with these variables exported, then stops Kamailio (by its pid)
# and exits with COMMAND's exit code:
#   SIP_SERVER   127.0.0.1:PORT   (give it to sipp as the remote host)
#   SIP_PORT     PORT
#   SIP_DOMAIN   the served domain (default bench.local)
#   KAM_RUNDIR   the runtime dir (kamailio.log, ctl socket: kamcmd -s unixs:$KAM_RUNDIR/ctl)
#   KAM_PID      pid of the Kamailio main process (its workers are its children)
# Without COMMAND it only checks that Kamailio starts and answers.
#
# Environment (all optional):
#   KAM_PORT     UDP port (default: a free one)
#   KAM_DB       db_text dir with subscriber/version (default bench/sip/db, from make_users.sh)
#   KAM_SHM_MB   shared memory in MB (default 1024: 100,000 contacts and a few thousand calls/s)
#   KAM_DEBUG=1  log every request (WITH_DEBUG)
#   KAM_HTABLE_AUTH=1  credentials from an in-memory hash table loaded at
#                startup (WITH_HTABLE_AUTH) instead of a db_text query per
#                request: needed for large user counts
#   KAM_KEEP=1   keep the runtime dir (log) after the run
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SCEN=$ROOT/tests/sip/scenarios
export SIP_DOMAIN=${SIP_DOMAIN:-bench.local}
DB=${KAM_DB:-$HERE/db}
SHM=${KAM_SHM_MB:-1024}

command -v kamailio >/dev/null || { echo "kamailio missing: apt-get install -y kamailio kamailio-extra-modules" >&2; exit 2; }
command -v sipp >/dev/null || { echo "sipp missing: apt-get install -y sip-tester" >&2; exit 2; }
[ -f "$DB/subscriber" ] || { echo "no $DB/subscriber: run bench/sip/make_users.sh N first" >&2; exit 2; }

free_udp_port() {
  python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PORT=${KAM_PORT:-$(free_udp_port)}
RUN=$(mktemp -d /tmp/kamailio-bench.XXXXXX)
cp "$DB/subscriber" "$DB/version" "$RUN/"
mkdir -p "$RUN/db" && mv "$RUN/subscriber" "$RUN/version" "$RUN/db/"

DEFS=(-A "LISTEN=udp:127.0.0.1:$PORT" -A "DBURL=\"text://$RUN/db\""
      -A "SIP_DOMAIN=\"$SIP_DOMAIN\"" -A "CTL_SOCKET=\"unixs:$RUN/ctl\"")
[ "${KAM_DEBUG:-0}" = 1 ] && DEFS+=(-A WITH_DEBUG)
[ "${KAM_HTABLE_AUTH:-0}" = 1 ] && DEFS+=(-A WITH_HTABLE_AUTH)

KPID=
cleanup() {
  if [ -n "$KPID" ] && kill -0 "$KPID" 2>/dev/null; then
    kill -TERM "$KPID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$KPID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$KPID" 2>/dev/null || true
  fi
  if [ "${KAM_KEEP:-0}" = 1 ]; then echo "kamailio runtime dir kept: $RUN" >&2; else rm -rf "$RUN"; fi
}
trap cleanup EXIT INT TERM

# -DD: no daemon, stay in the foreground (here: as our background child)
kamailio -f "$HERE/kamailio.cfg" -DD -E -m "$SHM" -M 16 -Y "$RUN" -P "$RUN/kamailio.pid" \
  -w "$RUN" "${DEFS[@]}" >"$RUN/kamailio.log" 2>&1 &
KPID=$!

# wait until it answers OPTIONS (at most ~10 s)
ok=0
for _ in $(seq 20); do
  if ! kill -0 "$KPID" 2>/dev/null; then break; fi
  if timeout -k 2 5 sipp -sf "$SCEN/options_ping.xml" -key domain "$SIP_DOMAIN" -i 127.0.0.1 \
       -m 1 -timeout 2s -recv_timeout 1000 -timeout_error -nostdin \
       127.0.0.1:"$PORT" >/dev/null 2>&1; then ok=1; break; fi
  sleep 0.5
done
if [ $ok != 1 ]; then
  echo "kamailio did not come up on 127.0.0.1:$PORT; log:" >&2
  tail -30 "$RUN/kamailio.log" >&2
  exit 1
fi
echo "kamailio $(kamailio -v | head -1 | awk '{print $3}') up on udp 127.0.0.1:$PORT (pid $KPID, domain $SIP_DOMAIN, runtime $RUN)" >&2

export SIP_SERVER=127.0.0.1:$PORT SIP_PORT=$PORT KAM_RUNDIR=$RUN KAM_PID=$KPID
[ $# -eq 0 ] && exit 0
set +e
"$@"
rc=$?
set -e
exit $rc
