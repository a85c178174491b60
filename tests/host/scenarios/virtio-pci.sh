# armz-timeout: 480
# virtio-pci (--pci): a disk, a NIC, a console and an rng as virtio-pci
# functions behind the PCIe host bridge (the disk below a root port; the
# rng stays on virtio-mmio beside them: --rng-pci off), with the interrupt controller
# armz-vmm picks (auto: the in-kernel GICv3, MSI-X through its ITS, where
# KVM has them; virtio-pci-userspace.sh runs this with --irqchip=userspace,
# MSI-X through the GICv2m frame).  The guest finds the four functions in
# /sys/bus/pci/devices (vendor 0x1af4, modern IDs 0x1041-0x1043), with
# MSI-X in use whenever the VMM offers an MSI controller, and each one's
# 64-bit BAR 4 (the virtio structures) above 4 GiB, in the 64-bit window
# (/sys/bus/pci/devices/*/resource, as lspci -v shows it); it reads the disk
# (sha256) and writes 4 KiB with O_DIRECT, which the host then finds in
# the image; pings the host over the tap; writes a line to hvc0, which the
# host finds in the console file; reads /dev/hwrng.
set -u
need_vmm_opts --pci --disk --net --rng --console
[ -c /dev/net/tun ] || fail "no /dev/net/tun in the test host (tun module not loaded?)"
PCI_IRQCHIP=${PCI_IRQCHIP:-auto}
PCI_GUEST_EXTRA=${PCI_GUEST_EXTRA:-}
tap=armzp0
ip link show "$tap" >/dev/null 2>&1 && { tunctl -d "$tap" >/dev/null 2>&1; ip link del "$tap" 2>/dev/null; }
tunctl -t "$tap" >tunctl.log 2>&1 || { cat tunctl.log; fail "tunctl -t $tap failed: $(tail -1 tunctl.log)"; }
cleanup_tap() { tunctl -d "$tap" >/dev/null 2>&1; }
trap cleanup_tap EXIT
ip addr add 10.0.1.1/24 dev "$tap" && ip link set "$tap" up ||
  fail "cannot configure $tap with 10.0.1.1/24"

dd if=/dev/urandom of=a.img bs=1M count=4 2>/dev/null &&
  dd if=/dev/urandom of=patch bs=4096 count=1 2>/dev/null || fail "cannot create a.img"
cp a.img a.expected && dd if=patch of=a.expected bs=4096 seek=256 conv=notrunc 2>/dev/null ||
  fail "cannot build the expected image"
sha256sum < a.img | cut -d' ' -f1 > a.sum

cat > guest.sh <<'EOF'
#!/bin/sh
ok() { echo "ARMZ-PCI OK $*"; }
bad() {
  dmesg | grep -iE 'pci|virtio|msi' | tail -40 | sed 's/^/ARMZ-PCI DMESG /'
  echo "ARMZ-PCI FAIL $*"; exit 1
}
# lspci, from sysfs
found=
for d in /sys/bus/pci/devices/*; do
  [ -e "$d/vendor" ] || continue
  v=$(cat $d/vendor) dev=$(cat $d/device) cls=$(cat $d/class)
  n=0; [ -d $d/msi_irqs ] && n=$(ls $d/msi_irqs | wc -l)
  bar4=$(sed -n 5p $d/resource | cut -d' ' -f1)
  echo "ARMZ-PCI DEV $(basename $d) $v:$dev class $cls msi-vectors $n driver $(basename "$(readlink $d/driver)") bar4 $bar4"
  [ "$v" = 0x1af4 ] || continue
  found="$found $dev"
  [ $((bar4)) -ge $((0x100000000)) ] || bad "$(basename $d): BAR 4 at $bar4, not above 4 GiB"
done
for want in 0x1041 0x1042 0x1043; do
  case "$found " in *" $want "*) ;; *) bad "no virtio function $want (found:$found)" ;; esac
done
case "$found " in *" 0x1044 "*) bad "the rng is on PCI, not on virtio-mmio (pci=off)" ;; esac
ls -d /sys/bus/platform/devices/*.virtio_mmio >/dev/null 2>&1 || bad "no virtio-mmio device beside PCI"
ok "functions:$found"
# the disk sits below the root port (1b36:000c at 00:05.0), on its bus
[ -e /sys/bus/pci/devices/0000:00:05.0 ] &&
  [ "$(cat /sys/bus/pci/devices/0000:00:05.0/device)" = 0x000c ] || bad "no root port at 00:05.0"
[ "$(cat /sys/bus/pci/devices/0000:01:00.0/device 2>/dev/null)" = 0x1042 ] ||
  bad "the disk is not at 01:00.0, below the root port"
ok "disk at 01:00.0 below the root port"
[ -b /dev/vda ] || bad "no /dev/vda"
sum=$(sha256sum < /dev/vda | cut -d' ' -f1)
[ "$sum" = "$(cat /data/a.sum)" ] || bad "vda sha256 $sum differs"
dd if=/data/patch of=/dev/vda bs=4096 seek=256 oflag=direct conv=notrunc 2>/tmp/err ||
  bad "write to vda: $(tail -1 /tmp/err)"
sync
ok "vda read and written"
mac=$(cat /sys/class/net/eth0/address 2>/dev/null)
[ "$mac" = 52:54:00:12:34:57 ] || bad "eth0 has MAC '$mac'"
ip link set lo up
ip link set eth0 up && ip addr add 10.0.1.2/24 dev eth0 || bad "cannot configure eth0"
ping -c 3 -W 20 10.0.1.1 > /tmp/ping 2>&1 || { tail -3 /tmp/ping; bad "ping guest -> host"; }
ok "ping: $(grep -o '[0-9]* packets received' /tmp/ping)"
[ -c /dev/hvc0 ] || bad "no /dev/hvc0"
echo "ARMZ-HVC-HELLO" > /dev/hvc0 || bad "cannot write to hvc0"
case $(cat /sys/class/misc/hw_random/rng_current 2>/dev/null) in
  *virtio*) ;; *) bad "rng_current is not virtio" ;;
esac
dd if=/dev/hwrng of=/tmp/r bs=512 count=1 2>/dev/null && [ "$(wc -c < /tmp/r)" = 512 ] ||
  bad "reading /dev/hwrng"
ok "hvc0 written, hwrng read"
echo "ARMZ-PCI DONE"
EOF

guest_payload guest.sh a.sum patch

rm -f console.out
exec 8</dev/urandom
start_vmm pci --vcpus 1 --debug --pci --irqchip "$PCI_IRQCHIP" --cmdline "$(guest_cmdline run "$PCI_GUEST_EXTRA")" \
  --pcie-root-port index=1,addr=5,chassis=1,port=0x10 \
  --disk "path=$PWD/a.img,pci=1:0" --net "tap=$tap,mac=52:54:00:12:34:57" --rng fd:8 --rng-pci off \
  --console "file:$PWD/console.out"
exec 8<&-
expect_out "ARMZ-GUEST RUN-END" 240 "guest virtio-pci checks"
grep -E "^ARMZ-PCI|ARMZ-GUEST INSMOD" "$VMM_OUT"
if ! grep -q "ARMZ-PCI DONE" "$VMM_OUT"; then
  show_vmm
  f=$(grep -E "ARMZ-PCI FAIL|ARMZ-GUEST INSMOD-FAILED" "$VMM_OUT" | head -1 | sed 's/^ARMZ-PCI FAIL //')
  fail "guest: ${f:-no ARMZ-PCI DONE}"
fi
expect_exit 0 60
# MSI-X is in use unless the VMM found no MSI controller (a GICv3 without
# an ITS: INTx then); --debug logged which
msi=$(sed -n 's/.*PCI MSIs: //p' "$VMM_ERR" | head -1)
echo "MSI path: ${msi:-not logged}"
[ -n "$msi" ] || fail "armz-vmm --debug did not log the PCI MSI path"
[ "$PCI_IRQCHIP" = userspace ] && case $msi in GICv2m*) ;; *) fail "userspace GIC: MSIs through '$msi', expected the GICv2m frame" ;; esac
case $PCI_GUEST_EXTRA:$msi in
  *pci=nomsi*) if grep "^ARMZ-PCI DEV .* 0x1af4:" "$VMM_OUT" | grep -v -q "msi-vectors 0 "; then
       fail "pci=nomsi: a virtio function uses MSI-X vectors"
     fi ;;
  *:none*) ;;
  *) if grep "^ARMZ-PCI DEV .* 0x1af4:" "$VMM_OUT" | grep -q "msi-vectors 0 "; then
       fail "a virtio function uses no MSI-X vectors although the VMM offers $msi"
     fi ;;
esac
grep -q "ARMZ-HVC-HELLO" console.out || fail "the guest's line on hvc0 is not in console.out"
cmp -s a.img a.expected || fail "a.img after the guest's write is not as expected"
echo "virtio-pci: disk, net, console, rng work ($msi)"
