#!/usr/bin/env bash
# Desk sharing (issue 19): "500 people booking desks in the same minute (50 desks): every
# booking answered within 200 ms p99, none double."
#
# For each database: `durchwahl-load desks prepare` writes 500 people, one building with
# 50 desks and a session per person into a fresh database (sessions straight into the
# database: sign-in is not measured, and 500 sign-ins from one address meet the sign-in
# throttle); a release server starts on it; `durchwahl-load desks run` sends the anchor,
# 500 x GET /api/v1/me (a trivial authenticated read: the HTTP and session floor of the
# same server, same run), then 500 bookings of a random desk and part of tomorrow, each
# phase at random moments within the same minute, a connection per request; then it
# reads the database: no half-day of a desk held twice, every 201 stored and nothing
# else, every refusal a 409. Printed: p50/p99 of both and their ratio; goal: the
# bookings' p99 under 200 ms.
#
# Usage: bench/desks.sh [sqlite] [postgres]   (default: sqlite)
#   POSTGRES_URL  a PostgreSQL server (postgres://user@host:port) where a throwaway
#                 database is created and dropped; needed for postgres
#   PEOPLE=500 DESKS=50 WINDOW=60 GOAL_MS=200
#   README        where the results block goes (default bench/desks/README.md; "-": none)
#   BENCH_RT, BENCH_BIN, BENCH_LOG_LEVEL, BENCH_KEEP, CARGO_TARGET_DIR as in bench/lib/common.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PEOPLE=${PEOPLE:-500} DESKS=${DESKS:-50} WINDOW=${WINDOW:-60} GOAL_MS=${GOAL_MS:-200}
README=${README:-bench/desks/README.md}
DATABASES=("$@")
[ ${#DATABASES[@]} -gt 0 ] || DATABASES=(sqlite)
L=$(mktemp -d /tmp/durchwahl-desks.XXXXXX)
# shellcheck source=bench/lib/common.sh
source bench/lib/common.sh
bench_priority
bench_build
bench_stop_at_exit
PG_DB=
drop_pg() {
  if [ -n "$PG_DB" ]; then
    psql -q "$POSTGRES_URL/postgres" -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
  fi
}
trap 'bench_cleanup; drop_pg' EXIT

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}

day=$(TZ=Europe/Berlin date -d tomorrow +%F)
commit=$(git rev-parse --short HEAD)
for db in "${DATABASES[@]}"; do
  rm -rf "$L/data"
  url_args=()
  : > "$L/durchwahl.toml"
  case $db in
    sqlite) ;;
    postgres)
      [ -n "${POSTGRES_URL:-}" ] || { echo "postgres needs POSTGRES_URL"; exit 2; }
      drop_pg
      PG_DB=durchwahl_desks_bench_$$
      psql -q "$POSTGRES_URL/postgres" -c "CREATE DATABASE $PG_DB" >/dev/null
      url_args=(--database-url "$POSTGRES_URL/$PG_DB")
      printf '[database]\nurl = "%s"\n' "$POSTGRES_URL/$PG_DB" > "$L/durchwahl.toml"
      ;;
    *) echo "unknown database $db (sqlite or postgres)"; exit 2 ;;
  esac
  echo "== $db: prepare $PEOPLE people, $DESKS desks, $PEOPLE sessions"
  "$LOAD" desks prepare --data-dir "$L/data" "${url_args[@]}" --people "$PEOPLE" --desks "$DESKS" \
    --sessions "$L/sessions" | tail -2
  bench_start_server "$(free_port)"
  echo "== $db: $PEOPLE x GET /api/v1/me, then $PEOPLE bookings for $day, each within $WINDOW s"
  "${PRIO[@]}" "$LOAD" desks run --url "http://$address" --data-dir "$L/data" "${url_args[@]}" \
    --sessions "$L/sessions" --day "$day" --window "$WINDOW" --goal-ms "$GOAL_MS" \
    --json "$L/$db.json" || echo "(the $db run missed a goal)"
  stop_server
  bench_server_warnings
  drop_pg
  PG_DB=
done

python3 - "$README" "$commit" "${PRIO[*]:-normal}" "$L" "${DATABASES[@]}" <<'PY'
import datetime, json, os, platform, re, sys
readme, commit, prio, logs, dbs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
lines = ["database  phase                             answers                  p50 ms   p99 ms   max ms",
         "--------  --------------------------------  -----------------------  -------  -------  -------"]
ok = True
people, desks, window = "?", "?", 0
for db in dbs:
    path = os.path.join(logs, f"{db}.json")
    if not os.path.exists(path):
        lines.append(f"{db:<8}  (no figures: the run failed)")
        ok = False
        continue
    f = json.load(open(path))
    a, b = f["anchor"], f["bookings"]
    lines.append(f"{db:<8}  anchor: GET /api/v1/me            {a['ok']:>4} x 200               {a['p50_ms']:7.2f}  {a['p99_ms']:7.2f}  {a['max_ms']:7.2f}")
    answers = f"{b['created']} x 201, {b['refused_409']} x 409" + (f", {b['other']} other" if b['other'] else "")
    lines.append(f"{db:<8}  POST /api/v1/desks/bookings       {answers:<23}  {b['p50_ms']:7.2f}  {b['p99_ms']:7.2f}  {b['max_ms']:7.2f}")
    lines.append(f"{db:<8}  ratio bookings / anchor           p50 {f['ratio_p50']:.2f}, p99 {f['ratio_p99']:.2f}")
    goal = b['p99_ms'] <= f['goal_ms']
    lines.append(f"{db:<8}  goal p99 <= {f['goal_ms']:.0f} ms: {'met' if goal else 'MISSED'} ({f['goal_ms'] / max(b['p99_ms'], 0.001):.2f}x); "
                 f"double half-days: {f['double']}; every 201 stored, nothing else: {'yes' if f['all_stored'] else 'NO'}; "
                 f"every refusal a 409: {'yes' if b['other'] == 0 else 'NO'}")
    ok = ok and f["ok"]
    people, desks, window = f["people"], f["desks"], f["window_s"]
print()
print("== results")
print("\n".join(lines))
print("== all goals met" if ok else "== a goal was missed (or the load failed)")
if readme != "-" and os.path.exists(readme):
    text = open(readme).read()
    when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    block = (f"<!-- results:begin (written by bench/desks.sh) -->\n"
             f"Last run {when}, commit {commit}, {os.cpu_count()} cores, Linux {platform.release()}, "
             f"scheduling {prio}; {people} people, {desks} desks, each phase within {window:g} s:\n\n```text\n"
             + "\n".join(lines) + "\n```\n<!-- results:end -->")
    text = re.sub(r"<!-- results:begin.*?<!-- results:end -->", lambda _: block, text, flags=re.S)
    open(readme, "w").write(text)
    print(f"(written to {readme})")
sys.exit(0 if ok else 1)
PY
