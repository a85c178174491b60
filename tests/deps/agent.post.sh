#!/bin/bash
# Debian's arm64 qemu-guest-agent for the nested test guest (tests/host/
# run-host puts it in the guest's initramfs), with the libraries it needs
# that no :arm64 package in cross.list brings (glib and its own come from
# there), unpacked from the .debs into $ARMZ_CACHE/agentroot-arm64.
# Redone only when the package versions change.
set -euo pipefail
cache=${ARMZ_CACHE:-/var/cache/armz-test}
dest=$cache/agentroot-arm64
pkgs=(qemu-guest-agent libnuma1 libudev1 liburing2)

# without arm64 in dpkg's architectures there is nothing to unpack: the
# guest then has no agent and the agent tests fail saying so
dpkg --print-foreign-architectures | grep -qx arm64 || exit 0
want=$(apt-cache policy $(printf '%s:arm64 ' "${pkgs[@]}") 2>/dev/null |
       awk '/^[^ ]/{sub(/:$/,""); p=$0} /^  Candidate:/{print p "=" $2}')
if [ "$(grep -c '=' <<<"$want")" -ne "${#pkgs[@]}" ] || grep -q '=(none)' <<<"$want"; then
  echo "agent.post: not every arm64 package has a candidate (apt-get update?)" >&2
  exit 1
fi
[ -f "$dest/.stamp" ] && [ "$(cat "$dest/.stamp")" = "$want" ] && exit 0

echo "agent.post: unpacking the arm64 qemu-guest-agent"
mkdir -p "$cache/debs"
dl=$(mktemp -d "$cache/debs/agent.XXXXXX")
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
