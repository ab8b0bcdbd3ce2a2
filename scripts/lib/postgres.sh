# Sourced by scripts/test and bench/*: installs Debian's PostgreSQL when missing and starts
# a throwaway cluster on a free loopback port. Sets PG_URL and PG_BIN; removes the cluster
# when the calling script exits.

apt_install() {
  echo "== installing: $*"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
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
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  trap '_as_pg "$PG_BIN/pg_ctl" -D "$_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$_PG_DIR"' EXIT
  _as_pg "$PG_BIN/initdb" -D "$_PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  _as_pg "$PG_BIN/pg_ctl" -D "$_PG_DIR/data" -l "$_PG_DIR/log" -w \
    -o "-h 127.0.0.1 -p $port -k $_PG_DIR -c max_connections=300 $*" start >/dev/null
  PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "== throwaway PostgreSQL on 127.0.0.1:$port"
}
