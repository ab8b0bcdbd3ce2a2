#!/usr/bin/env bash
# Directory sync benchmark (issue 21), against a real OpenLDAP (testkit::slapd through
# crates/testkit/examples/slapd_fixture.rs: AD-like schema, PEOPLE generated people,
# 500-entry size limit, ldaps with a test CA). Per run, on a fresh slapd and data folder:
#   anchor       ldapsearch as the sync's account, paged, over the same ldaps settings,
#                reading the same entries and attributes as the sync into a file: no sync
#                can be faster than reading the directory;
#   initial      `durchwahl directory sync` into an empty SQLite data folder;
#   incremental  `durchwahl directory sync` after 50 changes (ldapmodify: 20 departments,
#                10 extensions, 10 disabled, 5 leave GG-Softphone, 5 new people), with
#                its own anchor: the id and modifyTimestamp of every entry (what an
#                incremental sync reads to find leavers and changes), then everything of
#                the 50 changed entries.
# Goals from the issue: initial sync of 20,000 people < 60 s; incremental with 50
# changes < 2 s. RUNS runs (default 3); medians. Bounded: slapd is stopped and the
# folder removed however this ends.
set -euo pipefail
export DURCHWAHL_LOG_LEVEL=warn
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh # apt_install
{ command -v slapd >/dev/null || [ -x /usr/sbin/slapd ]; } && command -v ldapsearch >/dev/null ||
  apt_install slapd ldap-utils
PEOPLE=${PEOPLE:-20000}
RUNS=${RUNS:-3}
out=$(mktemp -d /tmp/durchwahl-bench-ldap.XXXXXX)
fixture=""
SLAPD_PID=""
cleanup() {
  if [ -n "$fixture" ]; then kill -TERM "$fixture" 2>/dev/null || true; wait "$fixture" 2>/dev/null || true; fi
  # Should the fixture have died without stopping it, slapd itself.
  if [ -n "$SLAPD_PID" ]; then kill -KILL "$SLAPD_PID" 2>/dev/null || true; fi
  rm -rf "$out"
}
trap cleanup EXIT

cargo build --release --quiet -p durchwahl
cargo build --release --quiet -p testkit --features tls --example slapd_fixture
BIN=target/release/durchwahl
people_dn="ou=Benutzer,dc=landkreis,dc=test"
filter="(objectClass=inetOrgPerson)"
# What the sync reads of each entry on a full sync: the mapping's attributes
# (directory::sync::Mapping::requested_attributes) and the change attribute.
attributes=(entryUUID sAMAccountName displayName cn telephoneNumber memberOf department mail mobile userAccountControl modifyTimestamp)

now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
search() { # ldapsearch as the sync's account over ldaps, paged like the sync
  LDAPTLS_CACERT="$LDAP_CA_FILE" LDAPTLS_REQCERT=demand ldapsearch -x -LLL -o ldif-wrap=no \
    -H "$LDAPS_URL" -D "$LDAP_BIND_DN" -w "$LDAP_BIND_PASSWORD" -E pr=500/noprompt -b "$people_dn" "$@"
}
dw_sync() { "$BIN" --config "$out/durchwahl.toml" --data-dir "$out/data" directory sync "$@"; }

start_slapd() { # slapd with PEOPLE generated people (loaded by slapadd before it starts),
  # the 50 changes to apply later, and its URLs and credentials as shell variables
  target/release/examples/slapd_fixture "$PEOPLE" "$out/changes.ldif" >"$out/fixture.env" 2>"$out/fixture.err" &
  fixture=$!
  for _ in $(seq 600); do
    grep -qx READY "$out/fixture.env" && break
    kill -0 "$fixture" 2>/dev/null || { cat "$out/fixture.err" >&2; echo "FAIL: slapd did not start" >&2; exit 1; }
    sleep 0.2
  done
  grep -qx READY "$out/fixture.env" || { echo "FAIL: slapd not ready within 120 s" >&2; exit 1; }
  source <(grep = "$out/fixture.env")
}

stop_slapd() {
  kill -TERM "$fixture"
  wait "$fixture" || true
  fixture=""
  SLAPD_PID=""
}

write_config() {
  cat >"$out/durchwahl.toml" <<EOF
[directory.ldap]
url = "$LDAPS_URL"
ca_file = "$LDAP_CA_FILE"
bind_dn = "$LDAP_BIND_DN"
bind_password = "$LDAP_BIND_PASSWORD"
base_dn = "$people_dn"
user_filter = "$filter"
page_size = 500
change_attribute = "modifyTimestamp"
interval_minutes = 0

[directory.ldap.mapping]
id_attribute = "entryUUID"
extension_digits = $([ "$PEOPLE" -le 8000 ] && echo 4 || echo 5)

[[directory.ldap.groups]]
group = "GG-Softphone"
features = ["softphone"]

[[directory.ldap.groups]]
group = "GG-Admins"
roles = ["admin"]
EOF
}

one_run() { # prints "anchor initial incremental-anchor incremental" in ms
  start_slapd
  write_config
  rm -rf "$out/data"
  mkdir "$out/data"
  local t0 t1 anchor initial incremental_anchor incremental found since
  # 1. The anchor: read everything the initial sync reads.
  t0=$(now); search "$filter" "${attributes[@]}" >"$out/anchor.ldif"; t1=$(now)
  anchor=$(ms "$t0" "$t1")
  found=$(grep -c '^dn:' "$out/anchor.ldif")
  [ "$found" -eq "$PEOPLE" ] || { echo "FAIL: the anchor read $found entries, not $PEOPLE" >&2; exit 1; }
  # 2. The initial sync into an empty data folder.
  t0=$(now); dw_sync >"$out/initial.txt"; t1=$(now)
  initial=$(ms "$t0" "$t1")
  echo "   initial:     $(tail -1 "$out/initial.txt")" >&2
  # Not timed: everyone but the 1 % disabled in the directory is here, with an extension.
  "$BIN" --config "$out/durchwahl.toml" --data-dir "$out/data" users export - >"$out/export.csv"
  found=$(awk -F, 'NR > 1 && $4 ~ /^[0-9]+$/' "$out/export.csv" | wc -l)
  [ "$found" -eq $((PEOPLE - PEOPLE / 100)) ] || { echo "FAIL: $found people with extensions after the sync" >&2; exit 1; }
  # 3. 50 changes, then an incremental sync. modifyTimestamp counts whole seconds: the
  # changes are made in a later second than the newest entry the initial sync saw.
  sleep 1
  since=$(date -u +%Y%m%d%H%M%SZ)
  LDAPTLS_CACERT="$LDAP_CA_FILE" ldapmodify -x -H "$LDAPS_URL" -D "$LDAP_ADMIN_DN" -w "$LDAP_ADMIN_PASSWORD" \
    -f "$out/changes.ldif" >/dev/null
  t0=$(now)
  search "$filter" entryUUID modifyTimestamp >"$out/marks.ldif"
  search "(&$filter(modifyTimestamp>=$since))" "${attributes[@]}" >"$out/changed.ldif"
  t1=$(now)
  incremental_anchor=$(ms "$t0" "$t1")
  found=$(grep -c '^dn:' "$out/changed.ldif")
  [ "$found" -eq 50 ] || { echo "FAIL: $found entries changed, not 50" >&2; exit 1; }
  t0=$(now); dw_sync >"$out/incremental.txt"; t1=$(now)
  incremental=$(ms "$t0" "$t1")
  echo "   incremental: $(tail -1 "$out/incremental.txt")" >&2
  stop_slapd
  echo "$anchor $initial $incremental_anchor $incremental"
}

echo "== $RUNS runs, $PEOPLE people each; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$out/times"
for _ in $(seq "$RUNS"); do one_run >>"$out/times"; done
column() { awk -v c="$1" '{print $c}' "$out/times" | median; }
anchor=$(column 1)
initial=$(column 2)
incremental_anchor=$(column 3)
incremental=$(column 4)

verdict() { [ "$1" -lt "$2" ] && echo pass || echo FAIL; }
printf '\n%-32s %10s %10s %7s %9s %s\n' "median of $RUNS, $PEOPLE people" durchwahl anchor ratio goal verdict
printf '%-32s %8sms %8sms %7s %7sms %s\n' "initial sync" "$initial" "$anchor" \
  "$(ratio "$initial" "$anchor")" 60000 "$(verdict "$initial" 60000)"
printf '%-32s %8sms %8sms %7s %7sms %s\n' "incremental sync, 50 changes" "$incremental" "$incremental_anchor" \
  "$(ratio "$incremental" "$incremental_anchor")" 2000 "$(verdict "$incremental" 2000)"
echo "runs (anchor initial incremental-anchor incremental, ms): $(paste -sd '|' "$out/times" | sed 's/|/ | /g')"
[ "$initial" -lt 60000 ] && [ "$incremental" -lt 2000 ] || { echo "FAIL: over the goal"; exit 1; }
