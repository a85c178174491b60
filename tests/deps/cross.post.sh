#!/bin/bash
# Unpacks, from Debian .debs, what cannot be installed beside the native
# packages, into $ARMZ_CACHE (default /var/cache/armz-test):
#   sysroot-arm64/   libfdt for arm64 (libfdt-dev is not multi-arch)
#   sysroot-s390x-daemon/
#                    libfdt, GLib, yajl, libseccomp and liburing for s390x with their -dev closure;
#                    for virtarmzd, its unit tests and the armz CLI also
#                    libxml2, libtirpc and libvirt's client library with the
#                    shared libraries they need at link and run time (a new
#                    name: older checkouts still unpack sysroot-s390x with
#                    the VMM's libraries only, and each would undo the other)
#                    (bookworm-security carries no s390x since Debian 12 LTS,
#                    so :s390x multi-arch copies of security-updated libraries
#                    such as libpcre2/libssl cannot match the native versions)
#   arm64-kernel/    Debian's newest linux-image-6.1.0-N-arm64-unsigned, unpacked
#   arm64-kernel-6.12/  the newest linux-image-6.12.*-arm64-unsigned of
#                    bookworm-backports (pinned by cross.pre.sh), for the
#                    s390-profile runs: it has the SMCCC filter (modules
#                    decompressed)
#   busybox-arm64/   busybox-static:arm64, unpacked
#   systemd-boot-efi-arm64/  systemd-boot-efi:arm64 (linuxaa64.efi.stub), unpacked
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

unpack sysroot-s390x-daemon s390x libfdt-dev libfdt1 \
  libglib2.0-dev libglib2.0-0 libyajl-dev libyajl2 \
  libffi-dev libffi8 libpcre2-dev libpcre2-8-0 zlib1g-dev zlib1g \
  libmount-dev libmount1 libblkid-dev libblkid1 libselinux1-dev libselinux1 \
  libsepol-dev libsepol2 uuid-dev libuuid1 libseccomp-dev libseccomp2 \
  liburing-dev liburing2 \
  libxml2-dev libxml2 libicu72 liblzma5 \
  libtirpc-dev libtirpc3 libgssapi-krb5-2 libkrb5-3 libk5crypto3 \
  libkrb5support0 libcom-err2 libkeyutils1 \
  libvirt-dev libvirt0 libacl1 libapparmor1 libaudit1 libcap-ng0 \
  libcurl3-gnutls libgnutls30 libnl-3-200 libnuma1 libsasl2-2 libssh-4 \
  libssh2-1 libbrotli1 libdb5.3 libgmp10 libhogweed6 libnettle8 libidn2-0 \
  libldap-2.5-0 libnghttp2-14 libp11-kit0 libpsl5 librtmp1 libssl3 \
  libtasn1-6 libunistring2 libzstd1 \
  libgnutls28-dev nettle-dev libtasn1-6-dev libidn2-dev libp11-kit-dev libgmp-dev

# Absolute .so links in -dev packages (e.g. libfoo.so -> /lib/...) point
# outside the sysroot: make them relative to it.
for root in "$cache/sysroot-arm64" "$cache/sysroot-s390x-daemon"; do
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
# systemd-boot's EFI stub, for the unified kernel image of the firmware
# boot scenarios (tools/image/build-esp)
unpack systemd-boot-efi-arm64 arm64 systemd-boot-efi
exit 0
