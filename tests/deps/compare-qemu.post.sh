#!/bin/bash
# QEMU for tests/bench/compare-qemu: Debian's arm64 qemu-system-aarch64
# (qemu-system-arm) and the libraries it needs that the cross sysroots
# lack, unpacked into $ARMZ_CACHE/qemusys-arm64 (the benchmark copies them
# into the emulated test host's /extra).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/arm64-unpack.bash"
arm64_unpack "${ARMZ_CACHE:-/var/cache/armz-test}/qemusys-arm64" compare-qemu.post \
  qemu-system-arm \
  libaio1 libbpf1 libelf1 libcapstone4 libfdt1 libfuse3-3 libglib2.0-0 libffi8 libpcre2-8-0 \
  libmount1 libblkid1 libselinux1 libgmp10 libgnutls30 libp11-kit0 libidn2-0 libunistring2 \
  libtasn1-6 libhogweed6 libnettle8 libibverbs1 libnl-3-200 libnl-route-3-200 libjpeg62-turbo \
  libnuma1 libpixman-1-0 libpmem1 libndctl6 libdaxctl1 libkmod2 libpng16-16 librdmacm1 \
  libsasl2-2 libsasl2-modules-db libdb5.3 libseccomp2 libslirp0 libudev1 liburing2 \
  libvdeplug2 libzstd1 zlib1g liblzma5 libssl3 libuuid1
