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

# (without arm64 in dpkg's architectures the network guest test skips)
exec "$(dirname "$0")/unpack-arm64.sh" network.post "$dest" "${pkgs[@]}"
