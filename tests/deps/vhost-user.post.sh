#!/bin/bash
# The arm64 vhost-user back-ends for the emulated test host (tests/host
# run-host packs them when a vhost-user-* scenario is selected):
# qemu-storage-daemon and virtiofsd (Debian's qemu-system-common), qemu-img
# (qemu-utils) and the libraries they need that the cross sysroots lack,
# unpacked from Debian's arm64 .debs into $ARMZ_CACHE/qemuroot-arm64
# (installing them as :arm64 would replace the native QEMU). Redone only
# when the package versions change.
set -euo pipefail
cache=${ARMZ_CACHE:-/var/cache/armz-test}
dest=$cache/qemuroot-arm64
pkgs=(qemu-system-common qemu-utils
      libaio1 libcap-ng0 libfuse3-3 libnuma1 liburing2
      libgmp10 libnettle8 libhogweed6 zlib1g libzstd1)

# without arm64 in dpkg's architectures (tests/deps/cross.pre.sh adds it)
# there is nothing to unpack: the vhost-user scenarios then skip
dpkg --print-foreign-architectures | grep -qx arm64 || exit 0
want=$(apt-cache policy $(printf '%s:arm64 ' "${pkgs[@]}") 2>/dev/null |
       awk '/^[^ ]/{sub(/:$/,""); p=$0} /^  Candidate:/{print p "=" $2}')
if [ "$(grep -c '=' <<<"$want")" -ne "${#pkgs[@]}" ] || grep -q '=(none)' <<<"$want"; then
  echo "vhost-user.post: not every arm64 package has a candidate (apt-get update?)" >&2
  exit 1
fi
[ -f "$dest/.stamp" ] && [ "$(cat "$dest/.stamp")" = "$want" ] && exit 0

echo "vhost-user.post: unpacking the arm64 qemu-storage-daemon, virtiofsd and qemu-img"
mkdir -p "$cache/debs"
dl=$(mktemp -d "$cache/debs/qemu.XXXXXX")
trap 'rm -rf "$dl"' EXIT
sandbox=()
[ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)
# shellcheck disable=SC2046
(cd "$dl" && apt-get download -q "${sandbox[@]}" \
   $(sed 's/^\([^:=]*\)\(:arm64\)\{0,1\}=/\1:arm64=/' <<<"$want") >/dev/null)
rm -rf "$dest.new"
mkdir -p "$dest.new"
for deb in "$dl"/*.deb; do
  dpkg-deb -x "$deb" "$dest.new"
done
printf '%s\n' "$want" > "$dest.new/.stamp"
rm -rf "$dest"
mv "$dest.new" "$dest"
