#!/bin/bash
# The arm64 network tools for the emulated test host (tests/host/run-host
# packs them when it serves the daemon): dnsmasq, nft and ip with the
# libraries they need, unpacked from Debian's arm64 .debs into
# $ARMZ_CACHE/netroot-arm64 (installing them as :arm64 would replace the
# native tools). Redone only when the package versions change.
set -euo pipefail
cache=${ARMZ_CACHE:-/var/cache/armz-test}
dest=$cache/netroot-arm64
pkgs=(dnsmasq-base nftables iproute2
      libnftables1 libnftnl11 libmnl0 libjansson4 libgmp10 libxtables12 libedit2 libbsd0
      libmd0 libtinfo6 libdbus-1-3 libsystemd0 libgcrypt20 libgpg-error0 liblz4-1 libzstd1
      liblzma5 libcap2 libhogweed6 libnettle8 libidn2-0 libunistring2
      libnetfilter-conntrack3 libnfnetlink0 libbpf1 libelf1 libdb5.3 zlib1g)

# without arm64 in dpkg's architectures (tests/deps/cross.pre.sh adds it)
# there is nothing to unpack: the network guest test then skips
dpkg --print-foreign-architectures | grep -qx arm64 || exit 0
want=$(apt-cache policy $(printf '%s:arm64 ' "${pkgs[@]}") 2>/dev/null |
       awk '/^[^ ]/{sub(/:$/,""); p=$0} /^  Candidate:/{print p "=" $2}')
if [ "$(grep -c '=' <<<"$want")" -ne "${#pkgs[@]}" ] || grep -q '=(none)' <<<"$want"; then
  echo "network.post: not every arm64 package has a candidate (apt-get update?)" >&2
  exit 1
fi
[ -f "$dest/.stamp" ] && [ "$(cat "$dest/.stamp")" = "$want" ] && exit 0

echo "network.post: unpacking the arm64 network tools"
mkdir -p "$cache/debs"
dl=$(mktemp -d "$cache/debs/net.XXXXXX")
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
