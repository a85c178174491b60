# Sourced by the *.post.sh hooks that unpack Debian arm64 packages into a
# directory of the cache for the emulated test host (installing them as
# :arm64 would replace the native tools).
#   arm64_unpack DEST NAME PKG...: unpacks the candidates of PKG...:arm64
#   into DEST (NAME in messages); redone only when their versions change.
# Without arm64 in dpkg's architectures (tests/deps/cross.pre.sh adds it)
# there is nothing to unpack: the tests that need DEST then skip.
arm64_unpack() {
  local dest=$1 name=$2 want dl deb
  shift 2
  local cache=${ARMZ_CACHE:-/var/cache/armz-test}
  dpkg --print-foreign-architectures | grep -qx arm64 || return 0
  want=$(apt-cache policy $(printf '%s:arm64 ' "$@") 2>/dev/null |
         awk '/^[^ ]/{sub(/:$/,""); p=$0} /^  Candidate:/{print p "=" $2}')
  if [ "$(grep -c '=' <<<"$want")" -ne "$#" ] || grep -q '=(none)' <<<"$want"; then
    echo "$name: not every arm64 package has a candidate (apt-get update?)" >&2
    return 1
  fi
  [ -f "$dest/.stamp" ] && [ "$(cat "$dest/.stamp")" = "$want" ] && return 0

  echo "$name: unpacking into $dest"
  mkdir -p "$cache/debs"
  dl=$(mktemp -d "$cache/debs/unpack.XXXXXX")
  local sandbox=()
  [ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)
  # shellcheck disable=SC2046
  (cd "$dl" && apt-get download -q "${sandbox[@]}" \
     $(sed 's/^\([^:=]*\)\(:arm64\)\{0,1\}=/\1:arm64=/' <<<"$want") >/dev/null) ||
    { rm -rf "$dl"; return 1; }
  rm -rf "$dest.new"
  mkdir -p "$dest.new"
  for deb in "$dl"/*.deb; do
    dpkg-deb -x "$deb" "$dest.new"
  done
  rm -rf "$dl"
  printf '%s\n' "$want" > "$dest.new/.stamp"
  rm -rf "$dest"
  mv "$dest.new" "$dest"
}
