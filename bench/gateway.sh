#!/usr/bin/env bash
# Access gateway benchmark (docs/gateway.md), one run on this machine, loopback only:
#
# 1. Throughput and latency of signed-in requests, CONNECTIONS (64) keep-alive clients,
#    wrk for every set-up, DURATION (10) s each after WARMUP (2) s, small (200 bytes) and
#    1 MB responses, from ONE upstream (an nginx serving two static files) shared by:
#      - durchwahl:  Durchwahl's gateway, /apps/bench/… (application published over
#                    POST /api/v1/admin/gateway/apps);
#      - nginx-auth: nginx (Debian) as reverse proxy with auth_request to Durchwahl's own
#                    session check (GET /api/v1/me/calls/ice: the session lookup and an
#                    answer from memory; 200 signed in, 401 not), keep-alive upstreams;
#      - nginx:      the same nginx proxy without authentication: the ceiling.
#    Goal: durchwahl / nginx-auth >= 1.0 in requests per second at equal or better p99.
#    Every response must be a 2xx: wrk's status errors (>= 400) and socket errors count,
#    and so does every request wrk counted that the upstream's log has no 200 for (a
#    redirect or a refusal would not reach it).
# 2. SESSIONS (10,000) concurrent gateway sessions: distinct people, each with a session
#    (written into the database: sign-ins from one address are throttled) and its own
#    keep-alive connection, each asking through the gateway, then all at once again with
#    every connection open (bench/gateway/sessions.py). The server's VmRSS before, with
#    all open, and after; memory per session = (peak - before) / SESSIONS; no errors.
#
# nginx runs with worker_processes 2 (the upstream and the proxy each); the load tool,
# the proxies and the upstream share this machine's cores, so the figures include their
# shares: compare the ratios, not the absolute figures, across machines.
#
# Needs nginx and wrk (Debian packages; installed with apt-get when missing), python3,
# curl. Knobs: CONNECTIONS, DURATION, WARMUP, THREADS (wrk threads, 2), SESSIONS,
# SERVER_BIN (a built server; else `cargo build --release -p durchwahl`), BENCH_KEEP=1
# (keep the logs folder), BENCH_LOG_LEVEL (warn).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
THREADS=${THREADS:-2}
SESSIONS=${SESSIONS:-10000}
SMALL_BYTES=200
BIG_BYTES=$((1024 * 1024))

missing=()
command -v nginx >/dev/null || missing+=(nginx)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
nginx -V 2>&1 | grep -q -- --with-http_auth_request_module \
  || { echo "this nginx has no auth_request module"; exit 1; }

if [ -z "${SERVER_BIN:-}" ]; then
  timeout 3600 cargo build --release --quiet -p durchwahl
  BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/durchwahl
else
  BIN=$SERVER_BIN
fi

HARD=$(ulimit -Hn)
if [ "$HARD" != unlimited ] && [ "$SESSIONS" -gt $((HARD - 200)) ]; then
  SESSIONS=$((HARD - 200))
  echo "NOTE: the open-file hard limit is $HARD: $SESSIONS sessions"
fi
ulimit -n "$HARD"

L=$(mktemp -d /tmp/durchwahl-gateway.XXXXXX)
# nginx's workers run as nobody: they read the files and write their temp folders here.
chmod 755 "$L"
SERVER_PID="" UPSTREAM_PID="" PROXY_PID=""
cleanup() {
  local pid
  for pid in $PROXY_PID $UPSTREAM_PID $SERVER_PID; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $PROXY_PID $UPSTREAM_PID $SERVER_PID; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "logs kept in $L"; else rm -rf "$L"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_ports() { # N TCP ports on 127.0.0.1 nobody listens on, below the ephemeral range
  python3 - "$1" <<'PY'
import random, socket, sys
found = set()
while len(found) < int(sys.argv[1]):
    p = random.randint(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); found.add(p)
    except OSError:
        pass
    finally:
        s.close()
print(" ".join(map(str, found)))
PY
}
read -r UP_PORT AUTH_PORT PLAIN_PORT <<< "$(free_ports 3)"

wait_for_port() { # PORT PID NAME
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 exited:"; tail -20 "$L/$3.err"; exit 1; }
    sleep 0.1
  done
  echo "$3 does not listen on $1 after 10 s"; tail -20 "$L/$3.err"; exit 1
}

# The nginx settings both instances share: 2 workers, logs and temp folders in $L.
nginx_head() { # NAME
  cat <<EOT
worker_processes 2;
worker_rlimit_nofile $HARD;
pid $L/$1.pid;
error_log $L/$1.err warn;
events { worker_connections 16384; }
http {
  access_log off;
  sendfile on;
  tcp_nodelay on;
  keepalive_timeout 300s;
  keepalive_requests 100000000;
  client_body_temp_path $L/$1-tmp/body;
  proxy_temp_path $L/$1-tmp/proxy;
  fastcgi_temp_path $L/$1-tmp/fastcgi;
  uwsgi_temp_path $L/$1-tmp/uwsgi;
  scgi_temp_path $L/$1-tmp/scgi;
EOT
}

start_nginx() { # NAME PORT: starts nginx on $L/NAME.conf, sets NGINX_PID
  mkdir -p "$L/$1-tmp"
  nginx -p "$L" -e "$L/$1.err" -c "$L/$1.conf" -g 'daemon off;' > "$L/$1.out" 2>> "$L/$1.err" &
  NGINX_PID=$!
  wait_for_port "$2" "$NGINX_PID" "$1"
}

# ---- 1. The upstream: nginx with a 200-byte and a 1 MB file; a log of the bench requests.
mkdir -p "$L/www"
head -c "$SMALL_BYTES" /dev/zero | tr '\0' 'x' > "$L/www/small"
head -c "$BIG_BYTES" /dev/urandom > "$L/www/big"
chmod 755 "$L/www"; chmod 644 "$L/www/small" "$L/www/big"
{
  nginx_head upstream
  cat <<EOT
  log_format bench '\$status \$uri';
  server {
    listen 127.0.0.1:$UP_PORT backlog=4096;
    root $L/www;
    default_type application/octet-stream;
    location = /small { access_log $L/upstream.log bench buffer=256k flush=1s; }
    location = /big { access_log $L/upstream.log bench buffer=256k flush=1s; }
    location / { return 200 "ok\n"; }
  }
}
EOT
} > "$L/upstream.conf"
start_nginx upstream "$UP_PORT"; UPSTREAM_PID=$NGINX_PID
echo "== upstream: nginx pid $UPSTREAM_PID on 127.0.0.1:$UP_PORT (/small $SMALL_BYTES bytes, /big $BIG_BYTES bytes)"

# ---- 2. Durchwahl: SESSIONS people and an administrator, a session each in the database.
echo "== importing $SESSIONS staff and an administrator"
python3 - "$SESSIONS" > "$L/staff.csv" <<'PY'
import sys
print("login,name,unit,extension,email,mobile,roles,features")
print("gwadmin,Gateway Admin,Referat 1/Hauptamt,99999,,,admin|user,")
for i in range(int(sys.argv[1])):
    print(f"gw{i:05d},Person {i},Referat {1 + i % 10}/Abteilung {1 + i % 7},{100000 + i},,,user,")
PY
"$BIN" users import "$L/staff.csv" --data-dir "$L/data" --log-level warn > "$L/import.out"
tail -1 "$L/import.out"
python3 - "$L/data/durchwahl.db" "$L" <<'PY'
import hashlib, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
out = sys.argv[2]
now = int(time.time())
columns = [r[1] for r in db.execute("PRAGMA table_info(sessions)")]
how = ", how" if "how" in columns else ""
how_value = ", 'totp'" if how else ""
rows = []
admin = db.execute("SELECT id FROM staff WHERE login = 'gwadmin'").fetchone()[0]
people = [r[0] for r in db.execute("SELECT id FROM staff WHERE login <> 'gwadmin' ORDER BY id")]
for staff in [admin] + people:
    token = f"bench-gw-{staff}-{now}"
    rows.append((hashlib.sha256(token.encode()).hexdigest(), staff, f"csrf-{staff}-{now}", now, now,
                 now + 86400, token))
db.executemany(
    "INSERT INTO sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at, expires_at, "
    f"source, user_agent{how}) VALUES (?, ?, ?, ?, ?, ?, '127.0.0.1', 'bench'{how_value})",
    [r[:6] for r in rows])
db.commit()
with open(f"{out}/admin.cookie", "w") as f:
    f.write(f"{rows[0][6]} {rows[0][2]}\n")
with open(f"{out}/sessions.cookies", "w") as f:
    f.write("\n".join(r[6] for r in rows[1:]) + "\n")
print(f"{len(rows)} sessions{' (how = totp)' if how else ''}")
PY
read -r ADMIN_COOKIE ADMIN_CSRF < "$L/admin.cookie"
LOAD_COOKIES=$(head -n "$CONNECTIONS" "$L/sessions.cookies" | tr '\n' ' ')

# All clients (wrk, nginx, the sessions) come from 127.0.0.1: no cap per address; idle
# keep-alive connections stay open while the 10,000 sessions are opened.
cat > "$L/durchwahl.toml" <<EOT
[http]
connections_per_address = 0
header_timeout_seconds = 300
EOT
"$BIN" serve --config "$L/durchwahl.toml" --data-dir "$L/data" --http-listen 127.0.0.1:0 \
  --sip-listen 127.0.0.1:0 --log-level "${BENCH_LOG_LEVEL:-warn}" > "$L/server.out" 2> "$L/server.err" &
SERVER_PID=$!
address=""
for _ in $(seq 600); do
  address=$(sed -n 's|^listening on http://\(.*\)/$|\1|p' "$L/server.out")
  [ -n "$address" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server exited:"; tail -20 "$L/server.err"; exit 1; }
  sleep 0.1
done
[ -n "$address" ] || { echo "the server did not start within 60 s"; tail -20 "$L/server.err"; exit 1; }
echo "== durchwahl pid $SERVER_PID on $address"

GATEWAY=1
status=$(curl -s -o "$L/publish.json" -w '%{http_code}' -X POST "http://$address/api/v1/admin/gateway/apps" \
  -H "Cookie: dw_session=$ADMIN_COOKIE" -H "X-CSRF-Token: $ADMIN_CSRF" -H 'Content-Type: application/json' \
  --data "{\"name\": \"bench\", \"title\": \"Lastprobe\", \"description\": \"bench/gateway.sh\", \"kind\": \"proxy\",
           \"upstream\": \"http://127.0.0.1:$UP_PORT/\", \"units\": [], \"roles\": [], \"features\": [],
           \"second_factor\": false, \"office_only\": false, \"hours\": null, \"max_users\": null,
           \"timeout_secs\": 30, \"health_path\": \"/\"}")
if [ "$status" = 201 ]; then
  echo "== published the application bench -> http://127.0.0.1:$UP_PORT/"
else
  GATEWAY=0
  echo "NOT PUBLISHED: POST /api/v1/admin/gateway/apps answered $status: $(head -c 300 "$L/publish.json")"
  echo "   (a build without the gateway?) Only the nginx set-ups are measured."
fi

# ---- 3. nginx as reverse proxy: with auth_request to Durchwahl's session check, and plain.
{
  nginx_head proxy
  cat <<EOT
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  # 1 MB answers pass through memory in 64 KiB buffers, never a temp file.
  proxy_buffer_size 16k;
  proxy_buffers 16 64k;
  proxy_busy_buffers_size 128k;
  proxy_max_temp_file_size 0;
  upstream app { server 127.0.0.1:$UP_PORT; keepalive 64; }
  upstream durchwahl { server $address; keepalive 64; }
  server {
    listen 127.0.0.1:$AUTH_PORT backlog=4096;
    location = /_auth {
      internal;
      proxy_pass http://durchwahl/api/v1/me/calls/ice;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header Connection "";
    }
    location /apps/bench/ {
      auth_request /_auth;
      proxy_pass http://app/;
    }
  }
  server {
    listen 127.0.0.1:$PLAIN_PORT backlog=4096;
    location /apps/bench/ { proxy_pass http://app/; }
  }
}
EOT
} > "$L/proxy.conf"
start_nginx proxy "$AUTH_PORT"; PROXY_PID=$NGINX_PID
wait_for_port "$PLAIN_PORT" "$PROXY_PID" proxy
echo "== nginx proxy pid $PROXY_PID: with auth_request on 127.0.0.1:$AUTH_PORT, plain on 127.0.0.1:$PLAIN_PORT"

declare -A BASE=([durchwahl]="http://$address" [nginx-auth]="http://127.0.0.1:$AUTH_PORT"
                 [nginx]="http://127.0.0.1:$PLAIN_PORT")
SETUPS=(nginx-auth nginx)
[ "$GATEWAY" = 1 ] && SETUPS=(durchwahl nginx-auth nginx)

# Each set-up answers a signed-in request with the file, and refuses one without a session
# (the plain proxy has no sign-in: the ceiling).
one_cookie=${LOAD_COOKIES%% *}
for setup in "${SETUPS[@]}"; do
  for size in small big; do
    want=$SMALL_BYTES; [ $size = big ] && want=$BIG_BYTES
    got=$(curl -s -o "$L/check.body" -w '%{http_code} %{size_download}' -H "Cookie: dw_session=$one_cookie" \
      "${BASE[$setup]}/apps/bench/$size")
    [ "$got" = "200 $want" ] || { echo "CHECK FAILED: $setup /apps/bench/$size signed in: $got (want 200 $want)"; head -c 300 "$L/check.body"; echo; exit 1; }
  done
  if [ "$setup" != nginx ]; then
    got=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/json' "${BASE[$setup]}/apps/bench/small")
    [ "$got" = 401 ] || { echo "CHECK FAILED: $setup without a session answered $got (want 401)"; exit 1; }
  fi
done
echo "== checked: each set-up answers 200 with the file signed in, 401 without a session"

upstream_lines() { sleep 1.2; wc -l < "$L/upstream.log"; } # after nginx's 1 s log flush

# wrk against BASE/apps/bench/SIZE: warm-up, then the measured run; appends a row to
# $L/results ("setup size requests seconds p50_us p99_us errors upstream_200").
measure() { # SETUP SIZE
  local url="${BASE[$1]}/apps/bench/$2" from result
  BENCH_COOKIES=$LOAD_COOKIES wrk -t "$THREADS" -c "$CONNECTIONS" -d "${WARMUP}s" --timeout 10s \
    -s bench/gateway/wrk.lua "$url" > /dev/null
  from=$(upstream_lines)
  BENCH_COOKIES=$LOAD_COOKIES wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 10s \
    -s bench/gateway/wrk.lua "$url" > "$L/wrk-$1-$2.txt"
  upstream_lines > /dev/null
  result=$(sed -n 's/^result //p' "$L/wrk-$1-$2.txt")
  [ -n "$result" ] || { echo "wrk printed no result:"; cat "$L/wrk-$1-$2.txt"; exit 1; }
  python3 - "$1" "$2" "$result" "$L/upstream.log" "$from" >> "$L/results" <<'PY'
import json, sys
setup, size, r, log, skip = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4], int(sys.argv[5])
with open(log) as f:
    lines = f.readlines()[skip:]
ok = sum(1 for l in lines if l.split() == ["200", f"/{size}"])
socket_errors = r["connect"] + r["read"] + r["write"] + r["timeout"]
# wrk counts >= 400 as status errors; a 3xx (or any answer not from the upstream) shows as
# a request wrk counted without a 200 in the upstream's log.
errors = r["status"] + socket_errors + max(0, r["requests"] - ok)
print(setup, size, r["requests"], r["duration_us"] / 1e6, r["p50_us"], r["p99_us"], errors, ok)
PY
}

echo "== load: wrk, $CONNECTIONS connections, $THREADS threads, ${DURATION} s each after ${WARMUP} s warm-up"
echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on this machine skews the figures)"
: > "$L/results"
for size in small big; do
  for setup in "${SETUPS[@]}"; do
    measure "$setup" "$size"
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server exited:"; tail -20 "$L/server.err"; exit 1; }
  done
done
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- The table, the ratios and the verdict.
set +e
python3 - "$L/results" "$CONNECTIONS" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    setup, size, requests, secs, p50, p99, errors, ok = line.split()
    rows[(setup, size)] = dict(rps=int(requests) / float(secs), p50=int(p50) / 1000, p99=int(p99) / 1000,
                               errors=int(errors), requests=int(requests))
names = {"small": "200 B", "big": "1 MB"}
print(f"\n{'set-up':<12} {'response':<8} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'non-2xx':>8}")
for size in ("small", "big"):
    for setup in ("durchwahl", "nginx-auth", "nginx"):
        r = rows.get((setup, size))
        if r:
            print(f"{setup:<12} {names[size]:<8} {r['rps']:11.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['requests']:9d} {r['errors']:8d}")
failed = [f"{s} {names[z]}: {r['errors']} non-2xx or failed" for (s, z), r in rows.items() if r["errors"]]
print(f"\n{'durchwahl / nginx-auth':<24} {'req/s ratio':>12} {'p99 ratio':>10}   (goal: req/s >= 1.00 at p99 <= 1.00)")
for size in ("small", "big"):
    d, n, c = rows.get(("durchwahl", size)), rows.get(("nginx-auth", size)), rows.get(("nginx", size))
    if not d:
        failed.append(f"durchwahl {names[size]}: not measured")
        continue
    rps, p99 = d["rps"] / n["rps"], d["p99"] / n["p99"]
    verdict = "ok" if rps >= 1.0 and p99 <= 1.0 else "BELOW GOAL"
    print(f"{names[size]:<24} {rps:12.2f} {p99:10.2f}   {verdict}; of the ceiling (plain nginx): {d['rps'] / c['rps']:.2f}")
    if verdict != "ok":
        failed.append(f"{names[size]}: req/s ratio {rps:.2f}, p99 ratio {p99:.2f}")
for f in failed:
    print("FAILED:", f)
sys.exit(1 if failed else 0)
PY
verdict=$?
set -e

# ---- 4. SESSIONS concurrent gateway sessions, each on its own connection.
if [ "$GATEWAY" = 1 ]; then
  echo
  echo "== $SESSIONS concurrent gateway sessions (one keep-alive connection each, two requests each)"
  python3 bench/gateway/sessions.py "$address" /apps/bench/small "$SERVER_PID" "$L/sessions.cookies" \
    > "$L/sessions.txt" || { echo "the sessions client failed"; cat "$L/sessions.txt"; verdict=1; }
  declare -A S
  while read -r key value; do S[$key]=$value; done < "$L/sessions.txt"
  cat <<EOT
   sessions ${S[sessions]}, connections held open ${S[connections_open]}, answered 200: ${S[ok]} of $((2 * S[sessions])), errors ${S[errors]} (first: ${S[first_error]}), ${S[seconds]} s
   durchwahl VmRSS: before $((S[rss_before_kb] / 1024)) MiB, all open $((S[rss_open_kb] / 1024)) MiB, after the second round $((S[rss_peak_kb] / 1024)) MiB, closed $((S[rss_closed_kb] / 1024)) MiB
   durchwahl open files (client connections + its connections to the upstream): ${S[fds_open]} all open, ${S[fds_peak]} after the second round
EOT
  python3 -c "
import sys
b, o, p, n = (int(x) for x in sys.argv[1:])
print(f'   memory per session: {(p - b) / n:.1f} KiB (peak - before) / {n}; {(o - b) / n:.1f} KiB with all open after the first request')
" "${S[rss_before_kb]}" "${S[rss_open_kb]}" "${S[rss_peak_kb]}" "${S[sessions]}"
  if [ "${S[errors]}" != 0 ] || [ "${S[ok]}" != $((2 * S[sessions])) ]; then
    echo "FAILED: ${S[errors]} errors among the $SESSIONS sessions"
    verdict=1
  fi
else
  echo "== $SESSIONS sessions: skipped (no gateway in this build)"
  verdict=1
fi

if [ -s "$L/server.err" ]; then
  echo "== server warnings (last 5 of $(wc -l < "$L/server.err"))"
  tail -5 "$L/server.err"
fi
echo "== machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(uname -sr), $(nginx -v 2>&1), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
exit "$verdict"
