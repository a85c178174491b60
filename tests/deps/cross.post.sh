#!/bin/bash
# Unpacks, from Debian .debs, what cannot be installed beside the native
# packages, into $ARMZ_CACHE (default /var/cache/armz-test):
#   sysroot-arm64/   libfdt for arm64 (libfdt-dev is not multi-arch)
#   sysroot-s390x/   libfdt, GLib and yajl for s390x with their -dev closure
#                    (bookworm-security carries no s390x since Debian 12 LTS,
#                    so :s390x multi-arch copies of security-updated libraries
#                    such as libpcre2/libssl cannot match the native versions)
#   arm64-kernel/    Debian's newest linux-image-6.1.0-N-arm64-unsigned, unpacked
#   arm64-kernel-6.12/  the newest linux-image-6.12.*-arm64-unsigned of
#                    bookworm-backports (pinned by cross.pre.sh), for the
#                    s390-profile runs: it has the SMCCC filter (modules
#                    decompressed)
#   busybox-arm64/   busybox-static:arm64, unpacked
# Each part is redone only when its stamp (the package versions) changes.
set -euo pipefail
cache=${ARMZ_CACHE:-/var/cache/armz-test}
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
mkdir -p "$cache/debs"

# unpack NAME ARCH PKG... : downloads PKG:ARCH and unpacks them into
# $cache/NAME, unless the stamp shows the same versions are already there.
unpack() {
  local name=$1 arch=$2; shift 2
  local dest=$cache/$name want=
  local p v
  # one apt-cache call for all of them: each call reads the whole cache
  want=$(apt-cache policy $(printf "%s:$arch " "$@") 2>/dev/null |
         awk '/^[^ ]/{sub(/:$/,""); p=$0} /^  Candidate:/{print p "=" $2}')
  for p in "$@"; do
    # names such as linux-image-6.12.1+deb12-... are no regular expressions
    v=$(awk -F= -v p="$p" -v pa="$p:$arch" '$1 == p || $1 == pa { print $2; exit }' <<<"$want")
    if [ -z "$v" ] || [ "$v" = "(none)" ]; then
      echo "cross.post: no candidate for $p:$arch (apt-get update?)" >&2
      return 1
    fi
  done
  if [ -f "$dest/.stamp" ] && [ "$(cat "$dest/.stamp")" = "$want" ]; then
    return 0
  fi
  echo "cross.post: unpacking $name"
  local dl
  dl=$(mktemp -d "$cache/debs/dl.XXXXXX")
  local sandbox=()
  # as root, apt would drop to _apt and warn that it cannot write here
  [ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)
  # shellcheck disable=SC2046
  if ! (cd "$dl" && apt-get download -q "${sandbox[@]}" $(sed "s/^\([^:=]*\)=/\1:$arch=/" <<<"$want") >/dev/null); then
    # stale package lists name versions the mirror no longer has
    rm -rf "$dl"
    if [ -z "${ARMZ_CROSS_UPDATED:-}" ]; then
      echo "cross.post: download failed, updating the package lists and retrying"
      $SUDO apt-get update -q >/dev/null
      ARMZ_CROSS_UPDATED=1
      unpack "$name" "$arch" "$@"
      return
    fi
    echo "cross.post: cannot download $name packages" >&2
    return 1
  fi
  rm -rf "$dest.new"
  mkdir -p "$dest.new"
  for deb in "$dl"/*.deb; do
    dpkg-deb -x "$deb" "$dest.new"
  done
  rm -rf "$dl" "$dest"
  printf '%s\n' "$want" > "$dest.new/.stamp"
  mv "$dest.new" "$dest"
}

unpack sysroot-arm64 arm64 libfdt-dev libfdt1

unpack sysroot-s390x s390x libfdt-dev libfdt1 \
  libglib2.0-dev libglib2.0-0 libyajl-dev libyajl2 \
  libffi-dev libffi8 libpcre2-dev libpcre2-8-0 zlib1g-dev zlib1g \
  libmount-dev libmount1 libblkid-dev libblkid1 libselinux1-dev libselinux1 \
  libsepol-dev libsepol2 uuid-dev libuuid1

# Absolute .so links in -dev packages (e.g. libfoo.so -> /lib/...) point
# outside the sysroot: make them relative to it.
for root in "$cache/sysroot-arm64" "$cache/sysroot-s390x"; do
  find "$root" -type l -lname '/*' 2>/dev/null | while read -r l; do
    t=$(readlink "$l")
    ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$root$t")" "$l"
  done
done

kpkg=$(apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
       grep -E '^linux-image-6\.1\.0-[0-9]+-arm64-unsigned$' | sort -V | tail -1)
if [ -z "$kpkg" ]; then
  echo "cross.post: no linux-image-6.1.0-*-arm64-unsigned package found" >&2
  exit 1
fi
unpack arm64-kernel arm64 "$kpkg"
k612=$(apt-cache pkgnames linux-image-6.12. 2>/dev/null |
       grep -E '^linux-image-6\.12\.[0-9.]+\+(deb12|bpo)-arm64-unsigned$' | sort -V | tail -1)
if [ -z "$k612" ]; then
  echo "cross.post: no linux-image-6.12.*-arm64-unsigned in bookworm-backports" >&2
  exit 1
fi
unpack arm64-kernel-6.12 arm64 "$k612"
# its modules are .ko.xz: unpack them once, so that busybox insmod and
# `armz image build` (tests/cli/host-extra) take them as 6.1's
find "$cache/arm64-kernel-6.12/lib/modules" -name '*.ko.xz' -exec xz -d {} +
unpack busybox-arm64 arm64 busybox-static
exit 0
