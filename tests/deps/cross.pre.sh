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
# bookworm-backports, for one package only: the arm64 6.12 kernel of the
# s390-profile test runs (its SMCCC filter lets armz-vmm answer PSCI in user
# space; DESIGN.md section 9). arm64 indexes only, and pinned so that
# nothing else is ever installed or upgraded from it; cross.post.sh unpacks
# the kernel with apt-get download.
src=/etc/apt/sources.list.d/armz-bookworm-backports.sources
pin=/etc/apt/preferences.d/armz-bookworm-backports
if [ ! -f "$src" ] || [ ! -f "$pin" ]; then
  uri=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
        awk '$2 == "bookworm" { print $1; exit }')
  # the same mirror as bookworm's own lists
  if [ -z "$uri" ]; then
    echo "cross.pre: no bookworm source in the apt configuration to add bookworm-backports from" >&2
    exit 1
  fi
  printf '%s\n' "Types: deb" "URIs: $uri" "Suites: bookworm-backports" "Components: main" \
    "Architectures: arm64" "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" |
    $SUDO tee "$src" >/dev/null
  printf '%s\n' "# libvirt-armz tests: from bookworm-backports, only the arm64 6.12 kernel" \
    "Package: /^linux-image-6\\.12\\.[0-9.]+\\+(deb12|bpo)-arm64-unsigned\$/" \
    "Pin: release n=bookworm-backports" "Pin-Priority: 500" "" \
    "Package: *" "Pin: release n=bookworm-backports" "Pin-Priority: -1" |
    $SUDO tee "$pin" >/dev/null
  added=1
fi
# A new architecture (or suite) needs fresh package lists before anything
# :arch installs.
if [ -n "$added" ]; then
  $SUDO apt-get update -q
fi
exit 0
