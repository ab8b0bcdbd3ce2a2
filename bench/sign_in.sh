#!/usr/bin/env bash
# Sign-in benchmarks (issue: sign-in with a second factor):
#   - TOTP verification time (divan micro-benchmark; goal < 50 µs);
#   - a sign-in storm of the demo's ~600 staff against the reference argon2 implementation
#     as the anchor (bench/sign_in_storm.py).
set -euo pipefail
cd "$(dirname "$0")/.."
export DURCHWAHL_LOG_LEVEL=warn
python3 -c 'import argon2' 2>/dev/null || pip install --quiet argon2-cffi
cargo build --release --quiet -p durchwahl
echo "== TOTP verification (goal: under 50 µs)"
cargo bench --quiet -p auth --bench totp 2>&1 | grep -E 'verify|name|fastest' | head -6
dir=$(mktemp -d /tmp/durchwahl-storm.XXXXXX)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
target/release/durchwahl demo --data-dir "$dir/demo" --http-listen 127.0.0.1:0 --sip-listen 127.0.0.1:0 > "$dir/out" &
pid=$!
until grep -q '^listening on' "$dir/out" 2>/dev/null; do sleep 0.1; done
address=$(sed -n 's|^listening on http://\(.*\)/$|\1|p' "$dir/out")
logins=$(target/release/durchwahl users list --data-dir "$dir/demo" | awk 'NR>1 && $1 !~ /people$/ {print $1}' | grep -v '^[0-9]' | head -600 | paste -sd, -)
echo "== sign-in storm ($(echo "$logins" | tr ',' '\n' | wc -l) staff)"
python3 bench/sign_in_storm.py "$address" "$pid" "$logins"
