#!/usr/bin/env bash
# Import and start-up benchmark (issue: foundation). Prints medians and ratios, one run,
# same machine:
#   - `users import` of 20,000 rows into a fresh database, SQLite and PostgreSQL,
#     against the anchor: the database's own bulk loader (sqlite3 .import, psql \copy)
#     loading the same file into a plain table;
#   - re-import of the unchanged file;
#   - `durchwahl demo` start to a 200 from /healthz on an existing data folder.
# Budgets from the issue: import < 5 s, re-import < 2 s, demo start < 2 s.
set -euo pipefail
export DURCHWAHL_LOG_LEVEL=warn
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh
for tool in sqlite3 curl; do command -v $tool >/dev/null || apt_install $tool; done
ROWS=${ROWS:-20000}
RUNS=${RUNS:-3}
out=$(mktemp -d /tmp/durchwahl-bench.XXXXXX)
cargo build --release --quiet -p durchwahl
BIN=target/release/durchwahl
start_throwaway_postgres
python3 bench/gen_staff.py "$ROWS" > "$out/staff.csv"

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
fresh_pg() { psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"; echo "${PG_URL%/*}/bench"; }
fresh_sqlite() { rm -rf "$out/db"; echo "sqlite://$out/db/durchwahl.db"; }

import_times() { # backend → lines "first reimport" in ms
  for _ in $(seq "$RUNS"); do
    url=$(fresh_$1)
    t0=$(now); $BIN users import "$out/staff.csv" --database-url "$url" >/dev/null; t1=$(now)
    $BIN users import "$out/staff.csv" --database-url "$url" | grep -q "0 created, 0 updated, $ROWS unchanged"
    t2=$(now)
    echo "$(ms $t0 $t1) $(ms $t1 $t2)"
  done
}

anchor_times() { # the database's own bulk loader, same file, plain table
  for _ in $(seq "$RUNS"); do
    if [ "$1" = sqlite ]; then
      rm -f "$out/anchor.db"
      t0=$(now); sqlite3 "$out/anchor.db" ".mode csv" ".import $out/staff.csv staff"; t1=$(now)
    else
      url=$(fresh_pg)
      psql -q "$url" -c "CREATE TABLE staff (login text, name text, unit text, extension text, email text, mobile text, roles text, features text)"
      t0=$(now); psql -q "$url" -c "\\copy staff FROM '$out/staff.csv' CSV HEADER"; t1=$(now)
    fi
    ms $t0 $t1
  done
}

printf '%-34s %10s %10s %10s %8s\n' "benchmark ($ROWS rows, median of $RUNS)" "durchwahl" "anchor" "budget" "ratio"
for backend in sqlite pg; do
  times=$(import_times $backend)
  first=$(echo "$times" | awk '{print $1}' | median)
  again=$(echo "$times" | awk '{print $2}' | median)
  anchor=$(anchor_times $backend | median)
  printf '%-34s %8sms %8sms %8sms %8s\n' "import, $backend" "$first" "$anchor" 5000 "$(ratio $first $anchor)x anchor"
  printf '%-34s %8sms %10s %8sms %8s\n' "re-import unchanged, $backend" "$again" "-" 2000 "$(ratio $again 2000)x budget"
  [ "$first" -lt 5000 ] && [ "$again" -lt 2000 ] || { echo "FAIL: over budget"; exit 1; }
done

# Demo start on an existing data folder: seed once, then time start → /healthz 200.
demo_dir="$out/demo"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_demo() {
  $BIN demo --data-dir "$demo_dir" --http-listen "127.0.0.1:$port" --sip-listen 127.0.0.1:0 >/dev/null 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.01; done
}
start_demo; kill -TERM $pid; wait $pid
startups=$(for _ in $(seq 5); do t0=$(now); start_demo; t1=$(now); kill -TERM $pid; wait $pid; ms $t0 $t1; done | median)
printf '%-34s %8sms %10s %8sms %8s\n' "demo start to /healthz (existing)" "$startups" "-" 2000 "$(ratio $startups 2000)x budget"
[ "$startups" -lt 2000 ] || { echo "FAIL: over budget"; exit 1; }
rm -rf "$out"
