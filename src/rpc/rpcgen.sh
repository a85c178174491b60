#!/bin/sh
# rpcgen.sh -h|-c INPUT.x OUTPUT: runs rpcgen in OUTPUT's directory on a copy
# of INPUT, so the generated code says #include "armz_protocol.h"; the code
# decodes strings with armz_xdr_string (xdr_string.h).
set -e
mode=$1 in=$2 out=$3
dir=$(dirname "$out")
base=$(basename "$in")
# the files armz_protocol.x includes come along
cp "$(dirname "$in")"/*.x "$dir/"
rm -f "$out"
cd "$dir"
rpcgen "$mode" -o "$(basename "$out")" "$base"
# Strings are decoded by our filter, which refuses a NUL inside one.
if [ "$mode" = -c ]; then
  sed -i -e 's/\bxdr_string (/armz_xdr_string (/' \
         -e 's|^#include "armz_protocol.h"$|&\n#include "rpc/xdr_string.h"|' "$(basename "$out")"
  grep -q 'armz_xdr_string (' "$(basename "$out")" || { echo "rpcgen.sh: no xdr_string to replace" >&2; exit 1; }
fi
