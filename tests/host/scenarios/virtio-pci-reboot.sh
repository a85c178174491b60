# armz-timeout: 480
# virtio-pci across a guest reboot (PSCI SYSTEM_RESET inside the same VMM):
# with the interrupt controller armz-vmm picks (ITS where KVM has one) and
# a disk below a root port, the first boot writes a marker to the disk and
# reboots; the second boot finds the disk again (the bus renumbered, MSI-X
# set up afresh), reads the marker back and powers off.
set -u
need_vmm_opts --pci --disk
dd if=/dev/zero of=d.img bs=1M count=2 2>/dev/null || fail "cannot create d.img"
cat > guest.sh <<'EOF'
#!/bin/sh
[ -b /dev/vda ] || { echo "ARMZ-PCIR FAIL no /dev/vda"; exit 1; }
n=$(ls /sys/bus/pci/devices/0000:01:00.0/msi_irqs 2>/dev/null | wc -l)
if [ "$(dd if=/dev/vda bs=16 count=1 2>/dev/null)" = ARMZ-PCI-MARKER1 ]; then
  echo "ARMZ-PCIR SECOND-BOOT marker read back, msi-vectors $n"
  exit 0
fi
printf ARMZ-PCI-MARKER1 | dd of=/dev/vda bs=16 count=1 conv=notrunc oflag=direct 2>/dev/null ||
  { echo "ARMZ-PCIR FAIL cannot write the marker"; exit 1; }
sync
echo "ARMZ-PCIR FIRST-BOOT marker written, msi-vectors $n, rebooting"
reboot -f
sleep 30
EOF
guest_payload guest.sh
start_vmm pcir --vcpus 1 --debug --qmp "$PWD/qmp.sock" --cmdline "$(guest_cmdline run)" \
  --pcie-root-port index=1,addr=3 --disk "path=$PWD/d.img,pci=1:0"
expect_out "ARMZ-PCIR (SECOND-BOOT|FAIL)|RUN-END rc=[1-9]" 360 "second boot"
grep -E "^ARMZ-PCIR|ARMZ-GUEST INIT" "$VMM_OUT"
grep -q "ARMZ-PCIR SECOND-BOOT" "$VMM_OUT" || { show_vmm; fail "no second boot with the disk"; }
grep "ARMZ-PCIR SECOND-BOOT" "$VMM_OUT" | grep -q "msi-vectors 0" &&
  ! grep -q "PCI MSIs: none" "$VMM_ERR" && fail "no MSI-X vectors after the reboot"
expect_out "ARMZ-GUEST RUN-END" 60 "guest end"
expect_exit 0 60
echo "virtio-pci survives a guest reboot ($(sed -n 's/.*PCI MSIs: //p' "$VMM_ERR" | head -1))"
