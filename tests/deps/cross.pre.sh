#!/bin/bash
# Foreign architectures for the cross builds (aarch64 test host binaries,
# s390x unit tests under qemu-s390x-static). Idempotent; run by tests/deps/install.
set -euo pipefail
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
have=$(dpkg --print-foreign-architectures)
added=
for arch in arm64 s390x; do
  if ! grep -qx "$arch" <<<"$have"; then
    $SUDO dpkg --add-architecture "$arch"
    added=1
  fi
done
# A new architecture needs fresh package lists before anything :arch installs.
if [ -n "$added" ]; then
  $SUDO apt-get update -q
fi
exit 0
