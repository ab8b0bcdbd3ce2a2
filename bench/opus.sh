#!/usr/bin/env bash
# Opus speed (issue 16, for voicemail and meetings after it): our codec (opus-rs, pure
# Rust) against the anchor, the reference libopus (Debian's libopus-dev), on the same
# audio in one run: encoding as stored recordings and meeting phone legs do, decoding as
# the meeting mixer does. Prints seconds of audio per second of one core ("x real time")
# for both and the ratio ours / libopus, and writes the table into bench/opus/README.md
# (between the results markers). Goals: ours at least 0.75 of libopus's speed in every
# step, and storing recordings >= 200 x real time, so the 200 simultaneous recordings of
# the voicemail benchmark need at most one core for Opus.
#
# Usage: bench/opus.sh          (about a minute, mostly the build)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh # apt_install
pkg-config --exists opus 2>/dev/null || apt_install libopus-dev pkg-config
table=$(cd bench/opus && cargo build --release --quiet && ./target/release/opus-bench)
echo "$table"
readme=bench/opus/README.md
block=$(printf '<!-- results:begin (written by bench/opus.sh) -->\n%s, %s:\n\n%s\n<!-- results:end -->' \
  "$(date -u +%Y-%m-%d)" "$(nproc) cores" "$table")
BLOCK="$block" perl -0pi -e 's/<!-- results:begin.*?<!-- results:end -->/$ENV{BLOCK}/s' "$readme"
# The goals: every ratio >= 0.75; the stored-recording encode >= 200 x real time.
missed=$(echo "$table" | awk -F'|' 'NR > 2 && ($5 + 0 < 0.75 || ($2 ~ /stored/ && $3 + 0 < 200)) { print $2 }')
if [ -n "$missed" ]; then echo "goal missed:$missed"; exit 1; fi
echo "goals met: every step >= 0.75 of libopus; stored recordings >= 200 x real time"
