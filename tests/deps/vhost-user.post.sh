#!/bin/bash
# The arm64 vhost-user back-ends for the emulated test host (tests/host
# run-host packs them when a vhost-user-* scenario is selected):
# qemu-storage-daemon and virtiofsd (Debian's qemu-system-common), qemu-img
# (qemu-utils) and the libraries they need that the cross sysroots lack,
# unpacked into $ARMZ_CACHE/qemuroot-arm64.
set -euo pipefail
exec "$(dirname "$0")/unpack-arm64.sh" vhost-user.post \
  "${ARMZ_CACHE:-/var/cache/armz-test}/qemuroot-arm64" \
  qemu-system-common qemu-utils \
  libaio1 libcap-ng0 libfuse3-3 libnuma1 liburing2 \
  libgmp10 libnettle8 libhogweed6 zlib1g libzstd1
