#!/usr/bin/env bash
# The Debian package, end to end, without touching this machine (issue 20; called by
# scripts/test, also alone: tests/package/test.sh):
#
# 1. builds it from target/debug/durchwahl (scripts/build-deb.sh --debug) and checks its
#    files, owners, control fields and Depends (every linked library's package);
# 2. installs it with dpkg into a throwaway root (dpkg --root --force-script-chrootless:
#    the maintainer scripts run with DPKG_ROOT, so the system user and the configuration
#    are made in that root's /etc, never in this machine's);
# 3. verifies the unit (systemd-analyze verify and its offline security score);
# 4. runs the installed binary as the unit does: its ExecStart line, as the package's
#    user, with CAP_NET_BIND_SERVICE only (binding a port below 1024), no new privileges,
#    no memory both writable and executable, the whole file system read-only but the data
#    folder, a private /tmp, no /home and /root. systemd itself does not run here (it is
#    not PID 1), so these are made with unshare, setpriv and the kernel's PR_SET_MDWE;
# 5. imports a person, sets a password and signs in over HTTP, runs `durchwahl doctor`
#    and `durchwahl backup` beside the running server;
# 6. installs it again over itself (an upgrade: an edited configuration stays, its mode is
#    repaired), removes it (configuration and data stay) and purges it (both go).
#
# Root is needed (dpkg --root keeps owners, unshare and setpriv); only a temp folder is
# written, and the test fails if this machine's accounts or /etc/durchwahl changed.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/postgres.sh # free_tcp_port

fail() {
  echo "Debian package test FAILED: $*" >&2
  exit 1
}
say() { echo "-- $*"; }

[ "$(id -u)" = 0 ] || fail "run as root (dpkg --root, unshare, setpriv); only a temp folder is written"

host_state() {
  md5sum /etc/passwd /etc/group /etc/shadow /etc/gshadow 2>/dev/null || true
  ls -d /etc/durchwahl /var/lib/durchwahl /usr/bin/durchwahl 2>/dev/null || true
}
host_before=$(host_state)

if [ -d /run/systemd/system ]; then
  say "systemd is PID 1 here, but the test never starts units on this machine: it emulates the unit"
else
  say "systemd is not PID 1 here ($(cat /proc/1/comm)): the unit is verified offline and its settings emulated"
fi

# Under /var/tmp, not /tmp: the sandbox below puts a private /tmp over /tmp.
T=$(mktemp -d /var/tmp/durchwahl-package.XXXXXX)
chmod 0755 "$T" # the package's user reads its root through it
R="$T/root"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$T"
}
trap cleanup EXIT

# --- 1. the package ------------------------------------------------------------------
say "building the package from target/debug/durchwahl"
deb=$(scripts/build-deb.sh --debug | tail -1) || fail "scripts/build-deb.sh --debug"
pkgid=$(cargo pkgid -p durchwahl)
version=${pkgid##*[@#]}
arch=$(dpkg --print-architecture)
[ "$deb" = "target/debian/durchwahl_${version}_${arch}.deb" ] || fail "package file $deb"

say "checking $deb"
listing=$(dpkg-deb -c "$deb")
files=$(awk '$6 !~ /\/$/ { sub(/^\.\//, "", $6); print $6 }' <<<"$listing" | sort)
expected="usr/bin/durchwahl
usr/lib/systemd/system/durchwahl.service
usr/share/doc/durchwahl/README.Debian
usr/share/doc/durchwahl/changelog.Debian.gz
usr/share/doc/durchwahl/copyright
usr/share/durchwahl/durchwahl.toml"
[ "$files" = "$expected" ] || fail "files in the package:"$'\n'"$files"$'\n'"expected:"$'\n'"$expected"
not_root=$(awk '$2 != "root/root"' <<<"$listing")
[ -z "$not_root" ] || fail "files not owned by root:"$'\n'"$not_root"
grep -q '^-rwxr-xr-x root/root .* ./usr/bin/durchwahl$' <<<"$listing" || fail "usr/bin/durchwahl is not 0755"
control_files=$(dpkg-deb --ctrl-tarfile "$deb" | tar -t | sed 's|^\./||' | grep . | sort | paste -sd' ')
[ "$control_files" = "control md5sums postinst postrm prerm" ] ||
  fail "control files: $control_files (no conffiles: the configuration is the postinst's)"
[ "$(dpkg-deb -f "$deb" Package)" = durchwahl ] || fail "Package"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "Version"
[ "$(dpkg-deb -f "$deb" Architecture)" = "$arch" ] || fail "Architecture"
depends=$(dpkg-deb -f "$deb" Depends)
recommends=$(dpkg-deb -f "$deb" Recommends)
echo "   Depends: $depends"
echo "   Recommends: $recommends"
dep_names=$(tr ',' '\n' <<<"$depends" | sed -E 's/^ +//; s/[ (].*//')
# Every shared library the binary links (as ldd resolves it here) comes from a package in
# Depends.
libraries=$(ldd target/debug/durchwahl | awk '$2 == "=>" { print $3 } $1 ~ /^\// { print $1 }')
[ -n "$libraries" ] || fail "ldd found no libraries"
for path in $libraries; do
  owner=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null || true)
  owner=${owner%%:*}
  [ -n "$owner" ] || fail "no package owns $path"
  grep -qx "$owner" <<<"$dep_names" || fail "$path ($owner) is not in Depends: $depends"
done
grep -q 'libc6 (>= ' <<<"$depends" || fail "Depends has no lowest glibc version: $depends"
grep -qx tzdata <<<"$dep_names" || fail "Depends lacks tzdata (Europe/Berlin for opening hours)"
for r in libspandsp2 ghostscript libtiff-tools ca-certificates; do
  grep -qw "$r" <<<"$recommends" || fail "Recommends lacks $r"
done

# --- 2. a throwaway root -------------------------------------------------------------
say "installing into a throwaway root ($R)"
mkdir -p "$R/etc" "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers"
touch "$R/var/lib/dpkg/available"
# The accounts of a fresh Debian: base-passwd's own tables, with shadow files.
cp /usr/share/base-passwd/passwd.master "$R/etc/passwd"
cp /usr/share/base-passwd/group.master "$R/etc/group"
awk -F: '{ print $1 ":*:20000:0:99999:7:::" }' "$R/etc/passwd" >"$R/etc/shadow"
awk -F: '{ print $1 ":*::" }' "$R/etc/group" >"$R/etc/gshadow"
chmod 0640 "$R/etc/shadow" "$R/etc/gshadow"
# dpkg's database knows the packages Depends names, as this machine has them (their files
# are this machine's): dpkg checks the Depends for real, and fails on a missing one.
for p in $dep_names; do
  dpkg-query -s "$p" >>"$R/var/lib/dpkg/status" 2>/dev/null ||
    fail "Depends: $p is not installed on this machine"
  echo >>"$R/var/lib/dpkg/status"
  touch "$R/var/lib/dpkg/info/$(dpkg-query -W -f='${binary:Package}' "$p").list"
done
dpkg_root() { dpkg --root="$R" --force-script-chrootless --log="$T/dpkg.log" "$@" >"$T/dpkg.out" 2>&1 || {
  cat "$T/dpkg.out" >&2
  fail "dpkg $*"
}; }
dpkg_root -i "$deb"

dpkg --root="$R" -s durchwahl | grep -x 'Status: install ok installed' >/dev/null || fail "not installed"
IFS=: read -r _ _ uid gid _ home shell < <(grep '^durchwahl:' "$R/etc/passwd") || fail "no user durchwahl"
[ "$uid" -lt 1000 ] || fail "durchwahl is no system user (uid $uid)"
[ "$home:$shell" = "/var/lib/durchwahl:/usr/sbin/nologin" ] || fail "durchwahl's home and shell: $home:$shell"
[ "$(awk -F: '$1 == "durchwahl" { print $3 }' "$R/etc/group")" = "$gid" ] || fail "no group durchwahl"
grep -q '^durchwahl:' "$R/etc/shadow" || fail "durchwahl not in the root's /etc/shadow"
mode() { stat -c '%a %u:%g' "$1"; }
[ "$(mode "$R/etc/durchwahl")" = "750 0:$gid" ] || fail "/etc/durchwahl: $(mode "$R/etc/durchwahl")"
[ "$(mode "$R/etc/durchwahl/durchwahl.toml")" = "640 0:$gid" ] ||
  fail "durchwahl.toml: $(mode "$R/etc/durchwahl/durchwahl.toml")"
[ "$(mode "$R/var/lib/durchwahl")" = "750 $uid:$gid" ] || fail "/var/lib/durchwahl: $(mode "$R/var/lib/durchwahl")"
target/debug/durchwahl config example | cmp -s - "$R/etc/durchwahl/durchwahl.toml" ||
  fail "the default configuration is not the binary's example"
echo "   user durchwahl ($uid:$gid), /etc/durchwahl 0750 root:durchwahl, durchwahl.toml 0640, /var/lib/durchwahl 0750"

# --- 3. the unit, offline ------------------------------------------------------------
unit="$R/usr/lib/systemd/system/durchwahl.service"
if command -v systemd-analyze >/dev/null; then
  say "systemd-analyze verify and security (offline, in the throwaway root)"
  # verify follows the unit's dependencies (sysinit.target, network-online.target…): the
  # root gets this machine's unit files, as a Debian with systemd has them.
  cp -rn /usr/lib/systemd/system/. "$R/usr/lib/systemd/system/"
  out=$(systemd-analyze verify --root="$R" /usr/lib/systemd/system/durchwahl.service 2>&1) ||
    fail "systemd-analyze verify: $out"
  [ -z "$out" ] || fail "systemd-analyze verify warns: $out"
  # The exposure score (0 = locked down, 10 = none): 2.5 at most, so loosening it fails.
  security=$(systemd-analyze security --offline=yes --root="$R" --threshold=25 --no-pager durchwahl.service 2>&1) ||
    fail "systemd-analyze security (threshold 2.5):"$'\n'"$security"
  grep 'Overall exposure' <<<"$security" | sed 's/^/   /'
else
  say "systemd-analyze is missing (package systemd): the unit is not verified"
fi

# --- 4. the unit's settings, emulated --------------------------------------------------
# The command line is the unit's ExecStart, with the root's paths.
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[ "$exec_start" = "/usr/bin/durchwahl serve --config /etc/durchwahl/durchwahl.toml" ] ||
  fail "ExecStart changed: $exec_start (adjust this test)"
read -r -a command <<<"$exec_start"
command[0]="$R${command[0]}"
command[3]="$R${command[3]}"
grep -qx 'MemoryDenyWriteExecute=yes' "$unit" || fail "the unit lost MemoryDenyWriteExecute"
grep -qx 'AmbientCapabilities=CAP_NET_BIND_SERVICE' "$unit" || fail "the unit's capabilities changed"

# A free loopback port below 1024 for HTTP, so the ambient capability is what lets it bind.
free_low_port() {
  local port
  while :; do
    port=$((600 + RANDOM % 400))
    grep -qs -- "$(printf ':%04X ' "$port")" /proc/net/tcp /proc/net/tcp6 || break
  done
  echo "$port"
}
http_port=$(free_low_port)
sip_port=$(free_tcp_port)
data="$R/var/lib/durchwahl"

# prctl(PR_SET_MDWE = 65, PR_MDWE_REFUSE_EXEC_GAIN = 1), then exec: the kernel's form of
# MemoryDenyWriteExecute, inherited by everything the server starts (Linux 6.3+).
case "$(uname -m)" in
  x86_64) prctl=157 mmap=9 ;;
  aarch64) prctl=167 mmap=222 ;;
  *) prctl="" ;;
esac
mdwe=()
if [ -n "$prctl" ] && perl -e "exit(syscall($prctl, 65, 1, 0, 0, 0) == 0 ? 0 : 1)"; then
  mdwe=(perl -e "syscall($prctl, 65, 1, 0, 0, 0) == 0 or die \"PR_SET_MDWE: \$!\"; exec { \$ARGV[0] } @ARGV or die \"exec: \$!\"" --)
  # It holds: a mapping both writable and executable is refused.
  "${mdwe[@]}" perl -e "exit(syscall($mmap, 0, 4096, 7, 0x22, -1, 0) == -1 ? 0 : 1)" ||
    fail "PR_SET_MDWE did not refuse a writable and executable mapping"
else
  say "PR_SET_MDWE is not available on this kernel ($(uname -r)): MemoryDenyWriteExecute not emulated"
fi

# As the unit runs it: in a mount namespace (only this process sees it) every mount is
# read-only but the data folder (ProtectSystem=strict, StateDirectory), /tmp is private
# (PrivateTmp), /home, /root and /run/user are empty (ProtectHome); then as durchwahl with
# CAP_NET_BIND_SERVICE alone (AmbientCapabilities, CapabilityBoundingSet), no new
# privileges (NoNewPrivileges), MDWE, the environment systemd gives a service. Every
# command below runs behind this prefix; each part execs the next, so the pid the test
# signals is the server's own.
sandbox=(
  unshare --mount -- /bin/sh -c '
    set -e
    data=$1
    shift
    mount --bind "$data" "$data"
    for mp in $(awk "{ print \$5 }" /proc/self/mountinfo); do
      case "$mp" in /proc | /proc/* | /sys | /sys/* | /dev | /dev/* | "$data") continue ;; esac
      mount -o remount,bind,ro "$mp"
    done
    mount -t tmpfs -o mode=1777,size=64m tmpfs /tmp
    for home in /home /root /run/user; do
      if [ -d "$home" ]; then mount -t tmpfs -o ro,mode=0755 tmpfs "$home"; fi
    done
    exec "$@"' sh "$data"
  setpriv --reuid="$uid" --regid="$gid" --clear-groups --no-new-privs
  --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service
  --bounding-set=-all,+net_bind_service --
  "${mdwe[@]}"
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/var/lib/durchwahl USER=durchwahl
  DURCHWAHL_DATA_DIR="$data" DURCHWAHL_HTTP_LISTEN="127.0.0.1:$http_port"
  DURCHWAHL_SIP_LISTEN="127.0.0.1:$sip_port" DURCHWAHL_MEDIA_BIND=127.0.0.1
)
sandboxed() { "${sandbox[@]}" "$@"; }
durchwahl_cli() { sandboxed "$R/usr/bin/durchwahl" --config "$R/etc/durchwahl/durchwahl.toml" "$@"; }

# The sandbox holds: nothing outside the data folder is writable, and the capability is
# the only one.
sandboxed /bin/sh -c 'touch "$DURCHWAHL_DATA_DIR/.probe" && rm "$DURCHWAHL_DATA_DIR/.probe" &&
  ! touch /var/tmp/durchwahl-probe 2>/dev/null && ! touch /etc/durchwahl-probe 2>/dev/null &&
  touch /tmp/probe && [ "$(id -u)" != 0 ] &&
  for set in CapPrm CapEff CapBnd CapAmb; do
    grep -qx "$set:[[:space:]]*0000000000000400" /proc/self/status || exit 1
  done &&
  grep -qx "NoNewPrivs:[[:space:]]*1" /proc/self/status' || fail "the sandbox does not hold"

# Fax under the same settings (MemoryDenyWriteExecute is inherited): SpanDSP is opened as
# the server opens it (dlopen), a page is made with Ghostscript and turned into a PDF with
# tiff2pdf in the private /tmp, as crates/fax does.
if ldconfig -p | grep -c 'libspandsp.so.2 ' >/dev/null && command -v gs >/dev/null && command -v tiff2pdf >/dev/null; then
  sandboxed /bin/sh -c 'perl -MDynaLoader -e "DynaLoader::dl_load_file(q(libspandsp.so.2)) or die DynaLoader::dl_error()" &&
    cd /tmp && printf "/Helvetica findfont 24 scalefont setfont 72 720 moveto (Fax) show showpage\n" |
    gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=tiffg3 -r204x196 -sOutputFile=page.tif - &&
    tiff2pdf -o page.pdf page.tif && [ -s page.pdf ]' || fail "fax (SpanDSP, gs, tiff2pdf) under the unit's settings"
  say "SpanDSP, Ghostscript and tiff2pdf work under the unit's settings"
else
  say "libspandsp2, ghostscript or libtiff-tools missing: fax under the unit's settings not tried"
fi

# --- 5. the first administrator, the server, a sign-in, doctor -----------------------
say "first administrator: durchwahl users import, set-password (as durchwahl)"
printf 'login,name,unit,extension,email,mobile,home_phone,roles\na.admin,Anna Admin,IT,2001,,,,admin\n' \
  >"$T/staff.csv"
chmod 0644 "$T/staff.csv"
durchwahl_cli users import "$T/staff.csv" >"$T/import.out" 2>&1 || {
  cat "$T/import.out" >&2
  fail "users import"
}
durchwahl_cli users export - 2>/dev/null | grep '^a\.admin,Anna Admin,IT,2001,,,,admin' >/dev/null ||
  fail "a.admin was not imported as an administrator"
password="Paket-Test-$RANDOM-Passwort"
echo "$password" | durchwahl_cli users set-password a.admin >"$T/password.out" 2>&1 || {
  cat "$T/password.out" >&2
  fail "users set-password"
}

say "starting the installed server as the unit would (HTTP on 127.0.0.1:$http_port, SIP on $sip_port)"
: >"$T/server.out" # before tail below opens it
(exec "${sandbox[@]}" "${command[@]}" >>"$T/server.out" 2>"$T/server.err") &
server_pid=$!
# Its "listening on http://" line says it is ready (or it exited: tail stops with it).
if ! grep -q -m1 'listening on http://' < <(timeout 60 tail -n +1 -f --pid="$server_pid" "$T/server.out"); then
  cat "$T/server.out" "$T/server.err" >&2
  fail "the server did not start"
fi

# HTTP over bash's /dev/tcp (no curl on the machine): one request, Connection: close.
http() { # METHOD PATH [JSON]
  local body="${3:-}"
  exec 3<>"/dev/tcp/127.0.0.1/$http_port"
  printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
    "$1" "$2" "$http_port" "${#body}" "$body" >&3
  cat <&3
  exec 3<&-
}
say "signing in as a.admin over HTTP"
answer=$(http POST /api/v1/auth/login "{\"login\":\"a.admin\",\"password\":\"$password\"}")
head -1 <<<"$answer" | grep -q '^HTTP/1.1 200' || fail "sign-in answered:"$'\n'"$answer"
grep -q '"status":"ok"' <<<"$answer" || fail "sign-in answered:"$'\n'"$answer"
wrong=$(http POST /api/v1/auth/login '{"login":"a.admin","password":"falsch"}')
head -1 <<<"$wrong" | grep -q '^HTTP/1.1 200' && grep -q '"status":"ok"' <<<"$wrong" && fail "a wrong password signed in"
health=$(http GET /healthz)
head -1 <<<"$health" | grep -q '^HTTP/1.1 200' || fail "/healthz answered:"$'\n'"$health"

say "durchwahl doctor (as durchwahl, beside the running server)"
if ! durchwahl_cli doctor >"$T/doctor.out" 2>&1; then
  cat "$T/doctor.out" >&2
  fail "durchwahl doctor"
fi
sed 's/^/   /' "$T/doctor.out"

say "durchwahl backup (as durchwahl, while the server runs)"
sandboxed /bin/sh -c '"$0" --config "$1" backup /tmp/durchwahl.tar.gz && [ -s /tmp/durchwahl.tar.gz ]' \
  "$R/usr/bin/durchwahl" "$R/etc/durchwahl/durchwahl.toml" >"$T/backup.out" 2>&1 || {
  cat "$T/backup.out" >&2
  fail "durchwahl backup"
}

say "stopping the server (SIGTERM, as systemctl stop)"
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
[ "$status" = 0 ] || {
  cat "$T/server.err" >&2
  fail "the server exited with $status on SIGTERM"
}
[ -f "$data/durchwahl.db" ] || fail "no database in the data folder"
strangers=$(find "$data" ! -user "$uid")
[ -z "$strangers" ] || fail "files in the data folder not owned by durchwahl:"$'\n'"$strangers"

# --- 6. upgrade, remove, purge -------------------------------------------------------
say "installing it again over itself (an upgrade), then remove, then purge"
echo '# edited by the package test' >>"$R/etc/durchwahl/durchwahl.toml"
chmod 0644 "$R/etc/durchwahl/durchwahl.toml"
dpkg_root -i "$deb"
tail -1 "$R/etc/durchwahl/durchwahl.toml" | grep -qx '# edited by the package test' ||
  fail "the upgrade changed the edited configuration"
[ "$(mode "$R/etc/durchwahl/durchwahl.toml")" = "640 0:$gid" ] ||
  fail "the upgrade left the configuration world-readable: $(mode "$R/etc/durchwahl/durchwahl.toml")"
[ "$(grep -c '^durchwahl:' "$R/etc/passwd")" = 1 ] || fail "the upgrade made a second user"
[ -f "$data/durchwahl.db" ] || fail "the upgrade lost the database"
dpkg_root --remove durchwahl
[ ! -e "$R/usr/bin/durchwahl" ] || fail "remove left the binary"
[ -f "$R/etc/durchwahl/durchwahl.toml" ] && [ -f "$data/durchwahl.db" ] ||
  fail "remove deleted configuration or data (only purge may)"
dpkg_root --purge durchwahl
[ ! -e "$R/etc/durchwahl" ] && [ ! -e "$data" ] || fail "purge left configuration or data"
grep -q '^durchwahl:' "$R/etc/passwd" || fail "purge removed the system user (it stays)"

[ "$(host_state)" = "$host_before" ] || fail "this machine's accounts or /etc/durchwahl changed"
say "Debian package OK ($SECONDS s)"
