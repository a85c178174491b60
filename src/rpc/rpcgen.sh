#!/bin/sh
# rpcgen.sh -h|-c INPUT.x OUTPUT: runs rpcgen in OUTPUT's directory on a copy
# of INPUT, so the generated code says #include "armz_protocol.h".
set -e
mode=$1 in=$2 out=$3
dir=$(dirname "$out")
base=$(basename "$in")
# the files armz_protocol.x includes come along
cp "$(dirname "$in")"/*.x "$dir/"
rm -f "$out"
cd "$dir"
exec rpcgen "$mode" -o "$(basename "$out")" "$base"
