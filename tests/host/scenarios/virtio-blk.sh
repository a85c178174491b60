# virtio-blk, two disks in one boot:
#  - vda: --disk path=a.img,serial=ARMZ-SERIAL-1,discard=unmap (4 MiB of random bytes):
#    the guest sees the size and the serial (/sys/block/vda/serial), reads
#    the whole disk and checks its sha256, writes three patches (64 KiB
#    O_DIRECT at 1 MiB + 12 KiB, 512 bytes buffered at sector 5 with fsync,
#    4 KiB buffered at the very end + sync), reads the first back with
#    O_DIRECT, discards 64 KiB at 2 MiB when the disk offers discard, and
#    powers off; afterwards the host finds exactly these bytes changed in
#    a.img (the discarded range zeroed);
#  - vdb: --disk fd=7,readonly=on (b.img, 1 MiB, opened read-only here): the
#    guest reads it (sha256), a write fails (read-only disk or I/O error),
#    and b.img is unchanged.
#  - before that, without a boot: a missing image file fails (stderr names
#    it), an unknown --disk key is a usage error (exit status 2).
set -u
need_vmm_opts --disk

# refused before any boot: a disk that does not exist (a failure naming the
# file) and an unknown --disk key (usage error, exit status 2)
timeout -s KILL 30 armz-vmm --kernel "$ARMZ_GUEST_IMAGE" --serial none \
  --disk "path=$PWD/missing.img" </dev/null >neg.out 2>neg.err
st=$?
[ "$st" != 0 ] && [ "$st" != 137 ] && grep -q missing.img neg.err ||
  fail "missing disk image: exit status $st, stderr '$(tail -1 neg.err)' (expected a failure naming missing.img)"
echo "missing image refused: $(tail -1 neg.err)"
timeout -s KILL 30 armz-vmm --kernel "$ARMZ_GUEST_IMAGE" --serial none \
  --disk "path=$PWD/neg.out,bogus=1" </dev/null >neg.out 2>neg.err
st=$?
[ "$st" = 2 ] || fail "--disk with an unknown key: exit status $st, expected 2 ($(head -1 neg.err))"
echo "unknown --disk key refused: $(head -1 neg.err)"

dd if=/dev/urandom of=a.img bs=1M count=4 2>/dev/null || fail "cannot create a.img"
dd if=/dev/urandom of=b.img bs=1M count=1 2>/dev/null || fail "cannot create b.img"
dd if=/dev/urandom of=patch1 bs=4096 count=16 2>/dev/null &&
  dd if=/dev/urandom of=patch2 bs=512 count=1 2>/dev/null &&
  dd if=/dev/urandom of=patch3 bs=4096 count=1 2>/dev/null || fail "cannot create the patches"
cp b.img b.orig || fail "cannot copy b.img"
# what a.img must look like afterwards
cp a.img a.expected &&
  dd if=patch1 of=a.expected bs=4096 seek=259 conv=notrunc 2>/dev/null &&
  dd if=patch2 of=a.expected bs=512 seek=5 conv=notrunc 2>/dev/null &&
  dd if=patch3 of=a.expected bs=4096 seek=1023 conv=notrunc 2>/dev/null ||
  fail "cannot build the expected image"
sha256sum < a.img | cut -d' ' -f1 > a.sum
sha256sum < b.img | cut -d' ' -f1 > b.sum

cat > guest.sh <<'EOF'
#!/bin/sh
# guest side of virtio-blk: "ARMZ-BLK OK what" / "ARMZ-BLK FAIL what" lines
ok() { echo "ARMZ-BLK OK $*"; }
bad() { echo "ARMZ-BLK FAIL $*"; exit 1; }
for d in vda vdb; do
  [ -b /dev/$d ] || bad "no /dev/$d ($(ls /sys/block | tr '\n' ' '))"
done
[ -b /dev/vdc ] && bad "a third disk /dev/vdc appeared"
sz=$(blockdev --getsize64 /dev/vda)
[ "$sz" = 4194304 ] || bad "vda has $sz bytes, expected 4194304 (order of the disks?)"
sz=$(blockdev --getsize64 /dev/vdb)
[ "$sz" = 1048576 ] || bad "vdb has $sz bytes, expected 1048576"
ok "sizes vda=4194304 vdb=1048576"
ser=$(cat /sys/block/vda/serial 2>/dev/null)
[ "$ser" = ARMZ-SERIAL-1 ] || bad "vda serial is '$ser', expected ARMZ-SERIAL-1"
ok "serial $ser"
ro=$(cat /sys/block/vda/ro)
[ "$ro" = 0 ] || bad "vda is read-only in the guest (/sys/block/vda/ro=$ro)"
s=$(sha256sum < /dev/vda | cut -d' ' -f1)
[ "$s" = "$(cat /data/a.sum)" ] || bad "vda content differs from a.img (sha256 $s)"
s=$(sha256sum < /dev/vdb | cut -d' ' -f1)
[ "$s" = "$(cat /data/b.sum)" ] || bad "vdb content differs from b.img (sha256 $s)"
ok "read vda and vdb: same sha256 as on the host"

dd if=/data/patch1 of=/dev/vda bs=4096 seek=259 oflag=direct conv=notrunc 2>/tmp/err ||
  bad "O_DIRECT write to vda: $(tail -1 /tmp/err)"
dd if=/data/patch2 of=/dev/vda bs=512 seek=5 conv=notrunc,fsync 2>/tmp/err ||
  bad "buffered write + fsync to vda: $(tail -1 /tmp/err)"
dd if=/data/patch3 of=/dev/vda bs=4096 seek=1023 conv=notrunc 2>/tmp/err ||
  bad "buffered write at the end of vda: $(tail -1 /tmp/err)"
sync
dd if=/dev/vda of=/tmp/back bs=4096 skip=259 count=16 iflag=direct 2>/tmp/err ||
  bad "O_DIRECT read back from vda: $(tail -1 /tmp/err)"
cmp -s /tmp/back /data/patch1 || bad "vda read back after the write differs"
ok "wrote 3 patches to vda, read the first back"
# discard, when offered: the VMM punches a hole, which reads back as zeroes
if [ "$(cat /sys/block/vda/queue/discard_max_bytes)" -gt 0 ]; then
  blkdiscard -o 2097152 -l 65536 /dev/vda 2>/tmp/err || bad "blkdiscard on vda: $(tail -1 /tmp/err)"
  echo "ARMZ-BLK DISCARDED"
fi

rovdb=$(cat /sys/block/vdb/ro)
if dd if=/data/patch3 of=/dev/vdb bs=4096 seek=3 oflag=direct conv=notrunc 2>/tmp/err; then
  bad "writing to the read-only vdb succeeded (/sys/block/vdb/ro=$rovdb)"
fi
ok "write to read-only vdb refused: ro=$rovdb: $(grep -v records /tmp/err | head -1)"
echo "ARMZ-BLK DONE"
EOF
guest_payload guest.sh a.sum b.sum patch1 patch2 patch3

exec 7<b.img
start_vmm blk --vcpus 1 --cmdline "$(guest_cmdline run)" \
  --disk "path=$PWD/a.img,serial=ARMZ-SERIAL-1,discard=unmap" --disk fd=7,readonly=on
exec 7<&-
expect_out "ARMZ-GUEST RUN-END" 180 "guest virtio-blk checks"
grep -E "^ARMZ-BLK|ARMZ-GUEST INSMOD" "$VMM_OUT"
if ! grep -q "ARMZ-BLK DONE" "$VMM_OUT"; then
  show_vmm
  f=$(grep -E "ARMZ-BLK FAIL|ARMZ-GUEST INSMOD-FAILED" "$VMM_OUT" | head -1 | sed 's/^ARMZ-BLK FAIL //')
  fail "guest: ${f:-no ARMZ-BLK DONE}"
fi
expect_exit 0 60
if grep -q "ARMZ-BLK DISCARDED" "$VMM_OUT"; then
  dd if=/dev/zero of=a.expected bs=65536 seek=32 count=1 conv=notrunc 2>/dev/null ||
    fail "cannot zero the discarded range in a.expected"
  echo "the guest discarded 64 KiB at 2 MiB: expected to read back as zeroes"
else
  echo "note: vda offers no discard: not checked"
fi
cmp -s b.img b.orig || fail "the read-only disk b.img was changed"
if ! cmp -s a.img a.expected; then
  cmp -l a.img a.expected | head -5
  fail "a.img after the guest's writes is not as expected ($(cmp -l a.img a.expected | wc -l) bytes differ)"
fi
echo "a.img has exactly the guest's writes, b.img is unchanged"
