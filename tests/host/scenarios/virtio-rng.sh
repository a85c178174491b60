# virtio-rng: --rng fd:8 (the test host's /dev/urandom, opened here) gives
# the guest a hw_random device named virtio (rng_current); reading 4 KiB
# from /dev/hwrng succeeds and the bytes are not all zero.
set -u
need_vmm_opts --rng

cat > guest.sh <<'EOF'
#!/bin/sh
bad() { echo "ARMZ-RNG FAIL $*"; exit 1; }
cur=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)
echo "ARMZ-RNG rng_available: $(cat /sys/class/misc/hw_random/rng_available 2>/dev/null)"
case $cur in *virtio*) ;; *) bad "rng_current is '$cur', not virtio" ;; esac
[ -c /dev/hwrng ] || bad "no /dev/hwrng"
dd if=/dev/hwrng of=/tmp/r bs=512 count=8 iflag=fullblock 2>/tmp/err || bad "reading /dev/hwrng: $(tail -1 /tmp/err)"
n=$(wc -c < /tmp/r)
[ "$n" = 4096 ] || bad "read $n bytes from /dev/hwrng, expected 4096"
nz=$(tr -d '\000' < /tmp/r | wc -c)
[ "$nz" -gt 0 ] || bad "4096 bytes from /dev/hwrng, all zero"
# two reads must differ
dd if=/dev/hwrng of=/tmp/r2 bs=512 count=8 iflag=fullblock 2>/dev/null
cmp -s /tmp/r /tmp/r2 && bad "two reads of /dev/hwrng gave the same bytes"
echo "ARMZ-RNG OK rng_current=$cur, 4096 bytes read, $nz non-zero"
EOF
guest_payload guest.sh

exec 8</dev/urandom
start_vmm rng --vcpus 1 --cmdline "$(guest_cmdline run)" --rng fd:8
exec 8<&-
expect_out "ARMZ-GUEST RUN-END" 180 "guest virtio-rng checks"
grep -E "^ARMZ-RNG|ARMZ-GUEST INSMOD" "$VMM_OUT"
grep -q "ARMZ-RNG OK" "$VMM_OUT" || {
  show_vmm
  fail "guest: $(grep -E 'ARMZ-RNG FAIL|INSMOD-FAILED' "$VMM_OUT" | head -1 | sed 's/^ARMZ-RNG FAIL //')"
}
expect_exit 0 60
