#!/bin/bash
# unpack-arm64.sh NAME DEST PKG...: Debian's arm64 .debs of PKG... unpacked
# into DEST (a tree for the emulated test host, not installed: installing
# them as :arm64 would replace native packages), redone only when their
# versions change. The one unpacker of the *.post.sh hooks and of
# tests/bench/compare-qemu-deps; NAME is theirs, for messages.
# Without arm64 in dpkg's architectures (tests/deps/cross.pre.sh adds it)
# there is nothing to unpack and DEST stays absent: the tests that need it
# then skip.
set -euo pipefail
name=$1 dest=$2
shift 2
pkgs=("$@")
cache=$(dirname "$dest")

dpkg --print-foreign-architectures | grep -qx arm64 || exit 0
want=$(apt-cache policy $(printf '%s:arm64 ' "${pkgs[@]}") 2>/dev/null |
       awk '/^[^ ]/{sub(/:$/,""); p=$0} /^  Candidate:/{print p "=" $2}')
if [ "$(grep -c '=' <<<"$want")" -ne "${#pkgs[@]}" ] || grep -q '=(none)' <<<"$want"; then
  echo "$name: not every arm64 package has a candidate (apt-get update?)" >&2
  exit 1
fi
[ -f "$dest/.stamp" ] && [ "$(cat "$dest/.stamp")" = "$want" ] && exit 0

echo "$name: unpacking ${#pkgs[@]} arm64 packages into $dest"
mkdir -p "$cache/debs"
dl=$(mktemp -d "$cache/debs/$name.XXXXXX")
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
