#!/usr/bin/env bash
# Builds the Debian package target/debian/durchwahl_VERSION_ARCH.deb.
#
#   scripts/build-deb.sh           # builds the release binary (stripped), then the package
#   scripts/build-deb.sh --debug   # packages target/debug/durchwahl as it is (for the test)
#
# The package is assembled in a staging folder and built with `dpkg-deb --build
# --root-owner-group`: Debian's own tool, on every Debian machine, so CI compiles no
# extra crate (cargo-deb) and the package's layout is written out here, file by file.
# What goes in and why: docs/debian-package.md; the unit and the maintainer scripts are
# in packaging/debian/.
#
# --debug builds nothing: scripts/test has built target/debug/durchwahl with the
# workspace's features already, and `cargo build -p durchwahl` would build it again with
# fewer. The debug package is not stripped and is compressed with zstd -1 (xz on the
# 180 MB binary takes a minute; Debian 12's dpkg reads zstd): it is for tests only.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
case "${1:-}" in
  --debug) profile=debug ;;
  "") ;;
  *) echo "usage: scripts/build-deb.sh [--debug]" >&2; exit 2 ;;
esac

# The version of the cargo package durchwahl (crates/server/Cargo.toml, which takes the
# workspace's): `cargo pkgid` ends in @VERSION (or #VERSION on older cargo).
pkgid=$(cargo pkgid -p durchwahl)
version=${pkgid##*[@#]}
arch=$(dpkg --print-architecture)
out=target/debian
deb="$out/durchwahl_${version}_${arch}.deb"

if [ "$profile" = release ]; then
  cargo build --release -p durchwahl --locked
fi
binary="target/$profile/durchwahl"
[ -x "$binary" ] || { echo "build-deb: $binary is missing (cargo build -p durchwahl)" >&2; exit 1; }

# Timestamps from the last commit, so the same commit gives the same package
# (dpkg-deb clamps file times to SOURCE_DATE_EPOCH).
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH

stage="$out/staging"
rm -rf "$stage"
mkdir -p "$stage/DEBIAN"

if [ "$profile" = release ]; then
  install -d "$stage/usr/bin"
  strip --strip-unneeded --remove-section=.comment -o "$stage/usr/bin/durchwahl" "$binary"
  chmod 0755 "$stage/usr/bin/durchwahl"
else
  # A hard link, not a copy: the debug binary is 180 MB, and CI disks are not endless.
  install -d "$stage/usr/bin"
  ln "$binary" "$stage/usr/bin/durchwahl" 2>/dev/null || cp "$binary" "$stage/usr/bin/durchwahl"
fi
# /usr/lib/systemd/system: found by systemd on Debian 12 and 13 (merged /usr).
install -D -m 0644 packaging/debian/durchwahl.service "$stage/usr/lib/systemd/system/durchwahl.service"
# The example configuration, as the packaged binary prints it (so it never names a setting
# that binary does not know): the postinst copies it to /etc/durchwahl/durchwahl.toml
# when that is absent. Not under /usr/share/doc, which minimal systems leave out (dpkg
# path-exclude).
install -d "$stage/usr/share/durchwahl"
"$binary" config example >"$stage/usr/share/durchwahl/durchwahl.toml"
chmod 0644 "$stage/usr/share/durchwahl/durchwahl.toml"
doc="$stage/usr/share/doc/durchwahl"
install -D -m 0644 packaging/debian/copyright "$doc/copyright"
install -D -m 0644 docs/debian-package.md "$doc/README.Debian"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  echo "durchwahl ($version) unstable; urgency=medium"
  echo
  echo "  * Built from commit $commit."
  echo
  echo " -- Durchwahl <durchwahl@invalid>  $(date -R -u -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.Debian.gz"
chmod 0644 "$doc/changelog.Debian.gz"

for script in postinst prerm postrm; do
  install -m 0755 "packaging/debian/$script" "$stage/DEBIAN/$script"
done
# No DEBIAN/conffiles: the package ships nothing under /etc. The configuration is made
# by the postinst and is the administrator's (docs/debian-package.md says why).

# Depends on the shared libraries the binary links (SpanDSP is opened at run time and
# is a Recommends). dpkg-shlibdeps (dpkg-dev) knows the lowest versions; without it the
# libraries are mapped by hand and glibc's version is the newest GLIBC_ symbol used.
shlibs=""
if command -v dpkg-shlibdeps >/dev/null; then
  work=$(mktemp -d)
  mkdir "$work/debian"
  printf 'Source: durchwahl\n\nPackage: durchwahl\nArchitecture: any\n' >"$work/debian/control"
  bin_abs="$PWD/$stage/usr/bin/durchwahl"
  shlibs=$(cd "$work" && dpkg-shlibdeps -O --warnings=0 -e"$bin_abs" | sed -n 's/^shlibs:Depends=//p')
  rm -rf "$work"
else
  needed=$(objdump -p "$binary" | awk '$1 == "NEEDED" { print $2 }')
  glibc=$(objdump -T "$binary" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -Vu | tail -1)
  deps=()
  for lib in $needed; do
    case "$lib" in
      libc.so.6 | libm.so.6 | ld-linux*.so.* | libpthread.so.0 | libdl.so.2 | librt.so.1)
        deps+=("libc6 (>= $glibc)") ;;
      libgcc_s.so.1) deps+=("libgcc-s1") ;;
      *) echo "build-deb: no Depends known for $lib: install dpkg-dev (dpkg-shlibdeps)" >&2; exit 1 ;;
    esac
  done
  shlibs=$(printf '%s\n' "${deps[@]}" | sort -u | paste -sd, | sed 's/,/, /g')
fi
[ -n "$shlibs" ] || { echo "build-deb: no shared-library Depends found" >&2; exit 1; }

installed_size=$(du -sk --apparent-size "$stage/usr" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SHLIBS@/$shlibs/" \
  -e "s/@INSTALLED_SIZE@/$installed_size/" \
  -e "s/@MAINTAINER@/${DEB_MAINTAINER:-Durchwahl <durchwahl@invalid>}/" \
  packaging/debian/control.in >"$stage/DEBIAN/control"
(cd "$stage" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

if [ "$profile" = release ]; then compress=(-Zxz); else compress=(-Zzstd -z1); fi
rm -f "$deb"
dpkg-deb --root-owner-group "${compress[@]}" --build "$stage" "$deb" >/dev/null
rm -rf "$stage"
echo "$deb"

# A bonus where it is installed; its findings are printed, not enforced.
if [ "$profile" = release ] && command -v lintian >/dev/null; then
  lintian --info "$deb" || true
fi
