#!/bin/bash
# Debian's arm64 qemu-guest-agent for the nested test guest (tests/host/
# run-host puts it in the guest's initramfs for the daemon tests), with the
# libraries it needs that no :arm64 package of cross.list brings (glib and
# its own come from there), in $ARMZ_CACHE/agentroot-arm64.
set -euo pipefail
cache=${ARMZ_CACHE:-/var/cache/armz-test}
exec "$(dirname "$0")/unpack-arm64.sh" agent.post "$cache/agentroot-arm64" \
  qemu-guest-agent libnuma1 libudev1 liburing2
