# armz-timeout: 2400
# UEFI firmware boot of a kernel handed to AAVMF through fw_cfg (--kernel,
# --initrd, --cmdline with --flash-code), twice:
#  - without --acpi: the guest runs on the device tree (no ACPI tables) and
#    sees the SMBIOS product given with --smbios type=1,product=...;
#  - with --acpi, once per interrupt controller of the profile (irqchips):
#    the guest runs on ACPI (/sys/firmware/acpi/tables/DSDT, no device
#    tree), with the same SMBIOS product, and QMP system_powerdown still
#    shuts it down (the PL061 pin's ACPI event notifies the ACPI power
#    button; poweroff is PSCI from the FADT flags). These boots have --pci:
#    the guest finds the host bridge from the MCFG and DSDT, its virtio-pci
#    disk below a root port, with MSI-X vectors through the ITS (IORT) or
#    the GICv2m frame (MADT) whenever armz-vmm offers MSIs, with its 64-bit
#    BAR 4 above 4 GiB (the _CRS QWordMemory window), and reads it.
set -u
need_vmm_opts --flash-code --flash-vars --acpi --smbios --pci
[ -f /firmware/AAVMF_CODE.fd ] || skip "no /firmware in the test host (qemu-efi-aarch64 not installed on the build machine)"

cat > guest.sh <<'GUEST'
#!/bin/sh
echo "ARMZ-FW product=$(cat /sys/class/dmi/id/product_name 2>/dev/null)"
[ -e /sys/firmware/acpi/tables/DSDT ] && echo "ARMZ-FW acpi=yes" || echo "ARMZ-FW acpi=no"
[ -d /sys/firmware/devicetree/base ] && echo "ARMZ-FW dt=yes" || echo "ARMZ-FW dt=no"
echo "ARMZ-FW tables: $(ls /sys/firmware/acpi/tables 2>/dev/null | tr '\n' ' ')"
[ -e /sys/firmware/acpi/tables/DSDT ] || exit 0
# ACPI with --pci: the disk (its driver binds while /init loads the
# modules), lspci from sysfs
n=100; while [ ! -b /dev/vda ] && [ $n -gt 0 ]; do usleep 100000; n=$((n - 1)); done
for d in /sys/bus/pci/devices/*; do
  [ -e "$d/vendor" ] || continue
  n=0; [ -d $d/msi_irqs ] && n=$(ls $d/msi_irqs | wc -l)
  echo "ARMZ-FW PCI $(basename $d) $(cat $d/vendor):$(cat $d/device) msi-vectors $n bar4 $(sed -n 5p $d/resource | cut -d' ' -f1)"
done
dmesg | grep -E 'PCI Root Bridge|MCFG|IORT|GICv2m|ITS' | head -8 | sed 's/^/ARMZ-FW DMESG /'
[ -b /dev/vda ] && echo "ARMZ-FW vda=$(sha256sum < /dev/vda | cut -d' ' -f1)"
# on ACPI, wait for the power button (the /init's watcher powers off)
echo "ARMZ-FW waiting"; sleep 600
GUEST
dd if=/dev/urandom of=a.img bs=1M count=2 2>/dev/null || fail "cannot create a.img"
sum=$(sha256sum < a.img | cut -d' ' -f1)
guest_payload guest.sh
s390_firmware_opts
cp /firmware/AAVMF_VARS.fd vars.fd || fail "cannot copy AAVMF_VARS.fd"

# fw_boot NAME ACPI(yes|no) [OPTION...]
fw_boot() {
  local name=$1 acpi=$2 want_dt=yes
  shift 2
  [ "$acpi" = yes ] && want_dt=no
  start_vmm "$name" $FW_OPTS --flash-code /firmware/AAVMF_CODE.fd --flash-vars "$PWD/vars.fd" \
    --memory 512 --cmdline "$(guest_cmdline run)" --smbios "type=1,product=OpenStack Nova" "$@"
  if [ "$acpi" = yes ]; then
    expect_out "ARMZ-FW waiting" 1000 "guest script through AAVMF ($name)"
  else
    expect_out "ARMZ-GUEST RUN-END" 1000 "guest script through AAVMF ($name)"
  fi
  echo "$name: reached the guest script in $(( $(now_ms) - VMM_START_MS )) ms"
  grep -a "ARMZ-FW" "$VMM_OUT"
  grep -q "ARMZ-FW product=OpenStack Nova" "$VMM_OUT" ||
    { show_vmm; fail "$name: the guest's SMBIOS product is not 'OpenStack Nova'"; }
  grep -q "ARMZ-FW acpi=$acpi" "$VMM_OUT" || { show_vmm; fail "$name: ACPI tables: expected $acpi"; }
  grep -q "ARMZ-FW dt=$want_dt" "$VMM_OUT" || { show_vmm; fail "$name: device tree: expected $want_dt"; }
  if [ "$acpi" = yes ]; then
    expect_out "ARMZ-GUEST (POWERKEY-READY|NO-POWERKEY)" 60 "the guest's power key watcher"
    grep -q "ARMZ-GUEST NO-POWERKEY" "$VMM_OUT" &&
      { show_vmm; fail "$name: no input device for the ACPI power button"; }
    qmp system_powerdown wait:POWERDOWN > qmp.log 2>&1 ||
      { cat qmp.log; show_vmm; fail "QMP: $(tail -1 qmp.log)"; }
    expect_out "ARMZ-GUEST POWERKEY($|[^-])" 60 "the guest saw the ACPI power button"
    echo "$name: system_powerdown reached the guest through ACPI"
    grep -q "ARMZ-FW PCI 0000:01:00.0 0x1af4:0x1042 " "$VMM_OUT" ||
      { show_vmm; fail "$name: no virtio-pci disk at 01:00.0 (below the root port) on ACPI"; }
    grep -q "ARMZ-FW vda=$sum" "$VMM_OUT" || { show_vmm; fail "$name: /dev/vda does not read as a.img"; }
    bar4=$(sed -n 's/.*ARMZ-FW PCI 0000:01:00.0 0x1af4:0x1042 .* bar4 \(0x[0-9a-f]*\).*/\1/p' "$VMM_OUT" | head -1)
    [ -n "$bar4" ] && [ $((bar4)) -ge $((0x100000000)) ] ||
      { show_vmm; fail "$name: the disk's BAR 4 is at '$bar4', not above 4 GiB"; }
    msi=$(sed -n 's/.*PCI MSIs: //p' "$VMM_ERR" | head -1)
    case $msi in
      none*|"") ;;
      *) grep -q "ARMZ-FW PCI 0000:01:00.0 0x1af4:0x1042 msi-vectors [1-9]" "$VMM_OUT" ||
           { show_vmm; fail "$name: the disk uses no MSI-X vectors although armz-vmm offers $msi"; } ;;
    esac
    case $msi in
      *ITS*) grep -q "ARMZ-FW tables:.*IORT" "$VMM_OUT" || { show_vmm; fail "$name: no IORT for the ITS"; } ;;
    esac
    echo "$name: virtio-pci disk found and read on ACPI (MSIs: ${msi:-not logged})"
  fi
  expect_exit 0 300
}
fw_boot fw-dt no
for irqchip in $(irqchips); do
  fw_boot "fw-acpi-$irqchip" yes --acpi --qmp "$PWD/qmp.sock" --irqchip "$irqchip" --debug \
    --pcie-root-port index=1,addr=2,chassis=1,port=0x10 --disk "path=$PWD/a.img,pci=1:0,readonly=on"
  grep -q "ARMZ-FW tables:.*APIC.*FACP.*GTDT.*MCFG.*SPCR" "fw-acpi-$irqchip.out" ||
    fail "ACPI tables missing: $(grep -a 'ARMZ-FW tables' "fw-acpi-$irqchip.out")"
done
