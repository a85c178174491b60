# vhost-user-blk with qemu-storage-daemon, once per GIC (in-kernel, then
# --irqchip=userspace): a qcow2 overlay on a raw backing file (8 MiB of
# random bytes) exported by qemu-storage-daemon as vhost-user-blk is the
# guest's /dev/vda (--vhost-user-blk socket=...): the guest sees its size
# and the backing file's content (sha256), writes two patches (O_DIRECT,
# buffered + fsync) and reads the first back. Afterwards the backing file
# is byte-identical, `qemu-img check` finds the overlay clean and the
# overlay reads as the backing file with exactly these patches.
# armz-timeout: 600
set -u
need_vmm_opts --vhost-user-blk
for t in qemu-storage-daemon qemu-img; do
  command -v $t >/dev/null || skip "no arm64 $t in the test host (tests/deps/vhost-user.post.sh)"
done

dd if=/dev/urandom of=base.img bs=1M count=8 2>/dev/null || fail "cannot create base.img"
dd if=/dev/urandom of=patch1 bs=4096 count=16 2>/dev/null &&
  dd if=/dev/urandom of=patch2 bs=512 count=3 2>/dev/null || fail "cannot create the patches"
sha256sum < base.img | cut -d' ' -f1 > base.sum
cp base.img expected.img &&
  dd if=patch1 of=expected.img bs=4096 seek=300 conv=notrunc 2>/dev/null &&
  dd if=patch2 of=expected.img bs=512 seek=7 conv=notrunc 2>/dev/null ||
  fail "cannot build the expected image"

cat > guest.sh <<'GEOF'
#!/bin/sh
ok() { echo "ARMZ-VUB OK $*"; }
bad() { echo "ARMZ-VUB FAIL $*"; exit 1; }
[ -b /dev/vda ] || bad "no /dev/vda ($(ls /sys/block | tr '\n' ' '))"
sz=$(blockdev --getsize64 /dev/vda)
[ "$sz" = 8388608 ] || bad "vda has $sz bytes, expected 8388608"
s=$(sha256sum < /dev/vda | cut -d' ' -f1)
[ "$s" = "$(cat /data/base.sum)" ] || bad "vda differs from the backing file (sha256 $s)"
ok "vda: 8388608 bytes, the backing file's content"
dd if=/data/patch1 of=/dev/vda bs=4096 seek=300 oflag=direct conv=notrunc 2>/tmp/err ||
  bad "O_DIRECT write: $(tail -1 /tmp/err)"
dd if=/data/patch2 of=/dev/vda bs=512 seek=7 conv=notrunc,fsync 2>/tmp/err ||
  bad "buffered write + fsync: $(tail -1 /tmp/err)"
dd if=/dev/vda of=/tmp/back bs=4096 skip=300 count=16 iflag=direct 2>/tmp/err ||
  bad "O_DIRECT read back: $(tail -1 /tmp/err)"
cmp -s /tmp/back /data/patch1 || bad "read back differs from what was written"
ok "wrote 2 patches, read the first back"
echo "ARMZ-VUB DONE"
GEOF
guest_payload guest.sh base.sum patch1 patch2

for ic in $(irqchips); do
  ov=$PWD/ov-$ic.qcow2 sock=$PWD/vu-$ic.sock
  qemu-img create -q -f qcow2 -b "$PWD/base.img" -F raw "$ov" || fail "qemu-img create $ov"
  qemu-storage-daemon \
    --blockdev "driver=file,node-name=f0,filename=$ov" \
    --blockdev driver=qcow2,node-name=d0,file=f0 \
    --export "type=vhost-user-blk,id=e0,node-name=d0,addr.type=unix,addr.path=$sock,writable=on" \
    >qsd-$ic.log 2>&1 &
  qsd=$!
  wait_socket "$sock" qsd-$ic.log "qemu-storage-daemon ($ic GIC)"
  start_vmm vub-$ic --vcpus 1 --irqchip $ic --cmdline "$(guest_cmdline run)" \
    --vhost-user-blk "socket=$sock,id=disk0"
  expect_out "ARMZ-GUEST RUN-END" 300 "guest vhost-user-blk checks ($ic GIC)"
  guest_done ARMZ-VUB "guest ($ic GIC)" qsd-$ic.log
  expect_exit 0 60
  kill $qsd; wait $qsd
  [ "$(sha256sum < base.img | cut -d' ' -f1)" = "$(cat base.sum)" ] ||
    fail "the backing file changed ($ic GIC)"
  qemu-img check -q "$ov" || fail "qemu-img check $ov: status $?"
  qemu-img convert -O raw "$ov" out-$ic.img || fail "qemu-img convert $ov"
  cmp -s out-$ic.img expected.img ||
    fail "the overlay does not read as the backing file with the guest's writes ($ic GIC)"
  echo "$ic GIC: backing file unchanged, overlay clean with exactly the guest's writes"
done
