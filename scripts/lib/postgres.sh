# Sourced by scripts/test and bench/*: installs Debian's PostgreSQL when missing and starts
# a throwaway cluster on a free loopback port. Sets PG_URL and PG_BIN; removes the cluster
# when the calling script exits.

apt_install() {
  echo "== installing: $*"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# A TCP port in 20000-32767 that no socket on this machine holds (checked in
# /proc/net/tcp and tcp6, where ports are hex after the address's colon). Below Linux's
# default range for outgoing connections (32768-60999), so the kernel does not hand it out
# meanwhile. No python3 or ss needed.
free_tcp_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 12768))
    grep -qs -- "$(printf ':%04X ' "$port")" /proc/net/tcp /proc/net/tcp6 || break
  done
  echo "$port"
}

start_throwaway_postgres() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    apt_install postgresql
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  # PostgreSQL refuses to run as root; the Debian package brings a 'postgres' user.
  _as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  _PG_DIR=$(mktemp -d /tmp/durchwahl-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres "$_PG_DIR"
  # Set before anything can fail: the cluster goes when the calling script ends, however
  # it ends (also on errors and SIGINT/SIGTERM, after which bash runs the EXIT trap too).
  trap '_as_pg "$PG_BIN/pg_ctl" -D "$_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$_PG_DIR"' EXIT
  _as_pg "$PG_BIN/initdb" -D "$_PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  # A free port: one nobody listens on (per /proc/net/tcp*), below the kernel's range
  # for outgoing connections; should it be taken in the meantime, the start fails and
  # the next port is tried.
  local port tries=0
  while :; do
    port=$(free_tcp_port)
    _as_pg "$PG_BIN/pg_ctl" -D "$_PG_DIR/data" -l "$_PG_DIR/log" -w \
      -o "-h 127.0.0.1 -p $port -k $_PG_DIR -c max_connections=300 $*" start >/dev/null && break
    tries=$((tries + 1))
    if [ "$tries" -ge 5 ]; then cat "$_PG_DIR/log" >&2; return 1; fi
  done
  PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "== throwaway PostgreSQL on 127.0.0.1:$port"
}
