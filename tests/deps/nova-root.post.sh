#!/bin/bash
# The newest OpenStack Nova Debian packages (python3-nova of Debian's
# unstable release, falling back to testing), with python3-libvirt, pytest
# and xorriso, in a root of its own at $ARMZ_CACHE/nova-root: Debian 12's
# Nova is Zed, and the newest one needs a newer Python than Debian 12 has.
# Tier 39-nova runs its tests a second time with it (tests/nova/in-root),
# against a virtarmzd on this host. Made once; remove the root to remake
# it. A root that cannot be made (a release in the middle of a transition,
# no network) is not an install failure: the tier then says why it skips.
set -uo pipefail
cache=${ARMZ_CACHE:-/var/cache/armz-test}
dest=$cache/nova-root
pkgs=python3-nova,python3-libvirt,python3-pytest,xorriso
[ -f "$dest/.stamp" ] && exit 0
[ "$(id -u)" = 0 ] || { echo "nova-root: not root, no root made (tier 39 skips its newest-Nova run)"; exit 0; }
command -v debootstrap >/dev/null || { echo "nova-root: debootstrap missing" >&2; exit 0; }
mkdir -p "$cache"
log=$cache/nova-root.log
: > "$log"
drop() {
  # debootstrap may leave its /proc and /sys mounted when it fails
  umount -R "$dest.new/proc" "$dest.new/sys" 2>/dev/null
  rm -rf "$dest.new"
}
for suite in sid forky; do
  echo "nova-root: making a Debian $suite root with ${pkgs//,/ } in $dest (log: $log)"
  drop
  # debootstrap's own resolver misses some dependencies of python3-nova's
  # tree: it makes the base, apt installs the rest
  if debootstrap --variant=minbase "$suite" "$dest.new" http://deb.debian.org/debian >>"$log" 2>&1 &&
     chroot "$dest.new" env DEBIAN_FRONTEND=noninteractive \
       apt-get install -y -q --no-install-recommends ${pkgs//,/ } >>"$log" 2>&1; then
    chroot "$dest.new" apt-get clean >>"$log" 2>&1
    ver=$(chroot "$dest.new" dpkg-query -W -f='${Version}' python3-nova)
    printf '%s python3-nova %s\n' "$suite" "$ver" > "$dest.new/.stamp"
    rm -rf "$dest"
    mv "$dest.new" "$dest"
    echo "nova-root: Debian $suite, python3-nova $ver"
    exit 0
  fi
  echo "nova-root: Debian $suite failed (the end of $log:)"
  tail -5 "$log"
done
drop
exit 0
