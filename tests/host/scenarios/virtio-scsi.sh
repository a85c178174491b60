# virtio-scsi: a SCSI disk and a SCSI CD-ROM on the controller, one boot
#  per interrupt controller (--irqchip kernel: GICv3, userspace: GICv2)
#  - sda: --scsi-disk path=a.img,lun=0,serial=ARMZ-SCSI-1 (4 MiB random):
#    the guest sees the size and the serial (VPD 0x80), reads it all
#    (sha256), writes 64 KiB with O_DIRECT and 512 bytes buffered + fsync,
#    reads the first back, unmaps 64 KiB when UNMAP is offered; afterwards
#    a.img holds exactly these writes (and zeroes where unmapped);
#  - sr0: --scsi-cdrom fd=7,lun=2,id=cd0: config-1.iso (ISO 9660, label
#    config-2, built by run-host with xorriso), mounted by the guest, which
#    reads openstack/latest/meta_data.json; then media change through QMP:
#    eject (the guest sees no medium), getfd + blockdev-change-medium with
#    config-2.iso (the guest mounts it and reads the new file), with a
#    DEVICE_TRAY_MOVED event each time.
set -u
need_vmm_opts --scsi-disk
iso1=$(dirname "$ARMZ_GUEST_IMAGE")/config-1.iso
iso2=$(dirname "$ARMZ_GUEST_IMAGE")/config-2.iso
[ -f "$iso1" ] && [ -f "$iso2" ] || skip "no config drive ISOs (xorriso missing when run-host ran)"

dd if=/dev/urandom of=a.img bs=1M count=4 2>/dev/null &&
  dd if=/dev/urandom of=patch1 bs=4096 count=16 2>/dev/null &&
  dd if=/dev/urandom of=patch2 bs=512 count=1 2>/dev/null || fail "cannot create the images"
cp a.img a.orig && cp a.img a.expected &&
  dd if=patch1 of=a.expected bs=4096 seek=100 conv=notrunc 2>/dev/null &&
  dd if=patch2 of=a.expected bs=512 seek=3 conv=notrunc 2>/dev/null || fail "cannot build a.expected"
sha256sum < a.img | cut -d' ' -f1 > a.sum

cat > guest.sh <<'EOF2'
#!/bin/sh
ok() { echo "ARMZ-SCSI OK $*"; }
bad() { echo "ARMZ-SCSI FAIL $*"; exit 1; }
n=0
while [ ! -b /dev/sda ] || [ ! -b /dev/sr0 ]; do
  n=$((n + 1)); [ $n -gt 100 ] && bad "no /dev/sda or /dev/sr0 ($(ls /sys/block | tr '\n' ' '))"
  sleep 0.1
done
sz=$(blockdev --getsize64 /dev/sda)
[ "$sz" = 4194304 ] || bad "sda has $sz bytes, expected 4194304"
s=$(sha256sum < /dev/sda | cut -d' ' -f1)
[ "$s" = "$(cat /data/a.sum)" ] || bad "sda content differs from a.img (sha256 $s)"
ok "sda: 4194304 bytes, same sha256 as a.img"
grep -q ARMZ-SCSI-1 /sys/block/sda/device/vpd_pg80 2>/dev/null ||
  bad "no serial ARMZ-SCSI-1 in VPD page 0x80 ($(cat /sys/block/sda/device/vpd_pg80 2>&1))"
ok "serial from VPD 0x80"
dd if=/data/patch1 of=/dev/sda bs=4096 seek=100 oflag=direct conv=notrunc 2>/tmp/err ||
  bad "O_DIRECT write to sda: $(tail -1 /tmp/err)"
dd if=/data/patch2 of=/dev/sda bs=512 seek=3 conv=notrunc,fsync 2>/tmp/err ||
  bad "buffered write + fsync to sda: $(tail -1 /tmp/err)"
dd if=/dev/sda of=/tmp/back bs=4096 skip=100 count=16 iflag=direct 2>/tmp/err ||
  bad "O_DIRECT read back: $(tail -1 /tmp/err)"
cmp -s /tmp/back /data/patch1 || bad "sda read back differs"
ok "wrote sda, read back"
# UNMAP, offered (VPD 0xb2 LBPU) when a.img's file system punches holes
if [ "$(cat /sys/block/sda/queue/discard_max_bytes)" -gt 0 ]; then
  blkdiscard -o 2097152 -l 65536 /dev/sda 2>/tmp/err || bad "blkdiscard on sda: $(tail -1 /tmp/err)"
  echo "ARMZ-SCSI DISCARDED"
fi

mkdir -p /mnt
mount -t iso9660 -o ro /dev/sr0 /mnt 2>/tmp/err || bad "mount /dev/sr0: $(tail -1 /tmp/err)"
grep -q armz-config-1 /mnt/openstack/latest/meta_data.json || bad "config-1 meta_data.json: $(cat /mnt/openstack/latest/meta_data.json)"
# the volume id of the primary volume descriptor (sector 16, offset 40)
label=$(dd if=/dev/sr0 bs=1 skip=32808 count=8 2>/dev/null)
[ "$label" = config-2 ] || bad "the CD-ROM's volume label is '$label', expected config-2"
ok "mounted the config drive (label $label)"
umount /mnt || bad "umount"
echo "ARMZ-SCSI EJECT-NOW"
n=0
while dd if=/dev/sr0 of=/dev/null bs=2048 count=1 2>/dev/null; do
  n=$((n + 1)); [ $n -gt 600 ] && bad "the medium is still readable after the eject"
  sleep 0.1
done
ok "no medium after the eject"
echo "ARMZ-SCSI INSERT-NOW"
n=0
until dd if=/dev/sr0 of=/dev/null bs=2048 count=1 2>/dev/null; do
  n=$((n + 1)); [ $n -gt 600 ] && bad "no medium after the insert"
  sleep 0.1
done
mount -t iso9660 -o ro /dev/sr0 /mnt 2>/tmp/err || bad "mount the new medium: $(tail -1 /tmp/err)"
grep -q armz-config-2 /mnt/openstack/latest/meta_data.json || bad "new medium: $(cat /mnt/openstack/latest/meta_data.json)"
umount /mnt
ok "the new medium is mounted and read"
echo "ARMZ-SCSI DONE"
EOF2
guest_payload guest.sh a.sum patch1 patch2

# both interrupt controllers: the in-kernel GICv3 and the userspace GICv2
# (the s390 profile has only the userspace one)
irqs="kernel userspace"
[ "${ARMZ_KVM_PROFILE:-native}" = s390 ] && irqs=userspace
for irq in $irqs; do
  echo "--- --irqchip $irq"
  cp a.orig a.img || fail "cannot reset a.img"
  rm -f qmp.sock
  exec 7<"$iso1"
  start_vmm "scsi-$irq" --vcpus 1 --irqchip "$irq" --cmdline "$(guest_cmdline run)" --qmp "$PWD/qmp.sock" \
    --scsi-disk "path=$PWD/a.img,lun=0,serial=ARMZ-SCSI-1" --scsi-cdrom fd=7,lun=2,id=cd0
  exec 7<&-
  expect_out "ARMZ-SCSI EJECT-NOW|ARMZ-SCSI FAIL" 240 "guest disk and config drive checks"
  grep -q "ARMZ-SCSI FAIL" "$VMM_OUT" && { show_vmm; fail "guest: $(grep 'ARMZ-SCSI FAIL' "$VMM_OUT" | head -1)"; }
  qmp '{"execute": "eject", "arguments": {"id": "cd0", "force": true}}' wait:DEVICE_TRAY_MOVED \
    > qmp1.out || { cat qmp1.out; fail "QMP eject failed"; }
  grep -Eq '"tray-open": ?true' qmp1.out || { cat qmp1.out; fail "no DEVICE_TRAY_MOVED tray-open true"; }
  expect_out "ARMZ-SCSI INSERT-NOW|ARMZ-SCSI FAIL" 120 "guest sees the eject"
  qmp "fd:$iso2" '{"execute": "getfd", "arguments": {"fdname": "iso2"}}' \
    '{"execute": "blockdev-change-medium", "arguments": {"id": "cd0", "filename": "fd:iso2", "format": "raw"}}' \
    wait:DEVICE_TRAY_MOVED > qmp2.out || { cat qmp2.out; fail "QMP getfd/blockdev-change-medium failed"; }
  grep -Eq '"tray-open": ?false' qmp2.out || { cat qmp2.out; fail "no DEVICE_TRAY_MOVED tray-open false"; }
  expect_out "ARMZ-GUEST RUN-END" 180 "guest mounts the new medium"
  grep -E "^ARMZ-SCSI|ARMZ-GUEST INSMOD" "$VMM_OUT"
  if ! grep -q "ARMZ-SCSI DONE" "$VMM_OUT"; then
    show_vmm
    fail "guest: $(grep -E 'ARMZ-SCSI FAIL|INSMOD-FAILED' "$VMM_OUT" | head -1)"
  fi
  expect_exit 0 60
  cp a.expected a.want || fail "cannot copy a.expected"
  if grep -q "ARMZ-SCSI DISCARDED" "$VMM_OUT"; then
    dd if=/dev/zero of=a.want bs=65536 seek=32 count=1 conv=notrunc 2>/dev/null ||
      fail "cannot zero the discarded range"
    echo "the guest unmapped 64 KiB at 2 MiB: expected to read back as zeroes"
  else
    echo "note: sda offers no UNMAP here: not checked"
  fi
  if ! cmp -s a.img a.want; then
    cmp -l a.img a.want | head -5
    fail "a.img after the guest's writes is not as expected"
  fi
  echo "a.img has exactly the guest's writes"
done
