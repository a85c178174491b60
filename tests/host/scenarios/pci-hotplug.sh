# armz-timeout: 900
# PCIe hotplug through QMP (device_add / device_del, the hp-vmm contract in
# docs/armz-vmm.8), one boot per interrupt controller (irqchips: the
# in-kernel GICv3 with its ITS and the userspace GICv2 with the GICv2m
# frame; only the latter in the s390 profile).  Three root ports: pci.1 and
# pci.2 empty and hotplug-capable, pci.3 hotplug=off.
#  - a disk image passed with getfd goes into pci.1 (virtio-blk-pci): the
#    guest's pciehp finds it at 01:00.0 with MSI-X vectors and its 64-bit
#    BAR 4 above 4 GiB (the port's prefetchable window), the guest
#    writes a marker to it; device_del: the guest lets go after its 5 s,
#    DEVICE_DELETED comes, the host file has the marker;
#  - a tap fd goes into pci.2 (virtio-net-pci, a MAC): the guest pings the
#    host over it; set_link down: the guest sees carrier 0 (a config-change
#    MSI-X) and its ping fails, set_link up: carrier 1, the ping works;
#  - device_add errors each name their cause (unknown driver, duplicate id,
#    unknown bus, occupied port, port without hotplug, unknown fdname), as
#    does device_del of an unknown id;
#  - a refused unplug: device_del, then a second attention press (a second
#    device_del) while the guest waits its 5 s cancels it: after 30 s
#    DEVICE_UNPLUG_GUEST_ERROR, the NIC is still in query-pci (with its
#    BAR 4 above 4 GiB in the regions) and works;
#  - the disk goes into pci.1 again and reads back the marker.
set -u
need_vmm_opts --pci --pcie-root-port --qmp
[ -c /dev/net/tun ] || fail "no /dev/net/tun in the test host (tun module not loaded?)"
tap=armzh0
ip link show "$tap" >/dev/null 2>&1 && { tunctl -d "$tap" >/dev/null 2>&1; ip link del "$tap" 2>/dev/null; }
tunctl -t "$tap" >tunctl.log 2>&1 || { cat tunctl.log; fail "tunctl -t $tap failed: $(tail -1 tunctl.log)"; }
cleanup() { stop_vmm; tunctl -d "$tap" >/dev/null 2>&1; }
trap cleanup EXIT
ip addr add 10.0.3.1/24 dev "$tap" && ip link set "$tap" up ||
  fail "cannot configure $tap with 10.0.3.1/24"

cat > guest.sh <<'EOF2'
#!/bin/sh
ok() { echo "ARMZ-HP OK $*"; }
bad() {
  dmesg | grep -iE 'pci|virtio|hotplug|msi' | tail -40 | sed 's/^/ARMZ-HP DMESG /'
  echo "ARMZ-HP FAIL $*"; exit 1
}
# waitfor CONDITION SECONDS WHAT
waitfor() {
  n=0
  while ! eval "$1"; do
    n=$((n + 1)); [ $n -gt $(($2 * 10)) ] && bad "$3"
    sleep 0.1
  done
}
msi() { [ -d "$1/msi_irqs" ] && ls "$1/msi_irqs" | wc -l || echo 0; }
waitfor '[ -d /sys/bus/pci/slots/1 ] && [ -d /sys/bus/pci/slots/2 ]' 60 \
  "pciehp made no slots 1 and 2 ($(ls /sys/bus/pci/slots 2>&1 | tr '\n' ' '))"
[ -d /sys/bus/pci/slots/3 ] && bad "the hotplug=off port has a hotplug slot"
ok "pciehp slots: $(ls /sys/bus/pci/slots | tr '\n' ' '); port 00:02.0 msi-vectors $(msi /sys/bus/pci/devices/0000:00:02.0)"
echo "ARMZ-HP READY"
waitfor '[ -b /dev/vda ]' 90 "no /dev/vda after device_add"
[ "$(cat /sys/bus/pci/devices/0000:01:00.0/device 2>/dev/null)" = 0x1042 ] ||
  bad "the hot-added disk is not at 01:00.0"
bar4=$(sed -n 5p /sys/bus/pci/devices/0000:01:00.0/resource | cut -d' ' -f1)
[ $((bar4)) -ge $((0x100000000)) ] || bad "the hot-added disk's BAR 4 is at $bar4, not above 4 GiB"
ok "vda at 01:00.0, msi-vectors $(msi /sys/bus/pci/devices/0000:01:00.0), BAR 4 at $bar4"
{ printf 'ARMZ-HOTPLUG-MARKER'; head -c 493 /dev/zero; } > /tmp/m
dd if=/tmp/m of=/dev/vda bs=512 seek=8 oflag=direct conv=notrunc 2>/tmp/err ||
  bad "write to vda: $(tail -1 /tmp/err)"
echo "ARMZ-HP DISK-WRITTEN"
# the driver lets go first, then the function leaves the bus
waitfor '[ ! -e /sys/block/vda ] && [ ! -e /sys/bus/pci/devices/0000:01:00.0 ]' 90 \
  "vda or 01:00.0 is still there after device_del"
echo "ARMZ-HP DISK-GONE"
waitfor 'grep -l 52:54:00:00:00:42 /sys/class/net/*/address >/dev/null 2>&1' 90 \
  "no interface with MAC 52:54:00:00:00:42 after device_add"
ifc=$(basename "$(dirname "$(grep -l 52:54:00:00:00:42 /sys/class/net/*/address)")")
ip link set lo up
ip link set "$ifc" up && ip addr add 10.0.3.2/24 dev "$ifc" || bad "cannot configure $ifc"
ping -c 3 -W 20 10.0.3.1 > /tmp/ping 2>&1 || { tail -3 /tmp/ping; bad "ping over the hot-added $ifc"; }
echo "ARMZ-HP NET-OK $ifc at $(basename "$(readlink -f /sys/class/net/$ifc/device/..)")"
waitfor '[ "$(cat /sys/class/net/$ifc/carrier)" = 0 ]' 60 "no carrier 0 after set_link down"
[ "$(cat /sys/class/net/$ifc/operstate)" = down ] ||
  bad "operstate $(cat /sys/class/net/$ifc/operstate) with the link down"
ping -c 2 -W 2 10.0.3.1 > /tmp/ping 2>&1 && bad "ping works with the link down"
echo "ARMZ-HP LINK-DOWN"
waitfor '[ "$(cat /sys/class/net/$ifc/carrier)" = 1 ]' 60 "no carrier 1 after set_link up"
waitfor '[ "$(cat /sys/class/net/$ifc/operstate)" = up ]' 30 \
  "operstate $(cat /sys/class/net/$ifc/operstate) with the link up again"
ping -c 3 -W 20 10.0.3.1 > /tmp/ping 2>&1 || { tail -3 /tmp/ping; bad "ping after set_link up"; }
echo "ARMZ-HP LINK-UP"
waitfor 'dmesg | grep -Eq "Slot\(2\):? (Attention button pressed|Button press|Powering off due to button)"' 90 "no attention button press on slot 2"
echo "ARMZ-HP BLINKING"
waitfor 'dmesg | grep -Eq "Slot\(2\): (Button cancel|Action canceled)"' 90 "the second press did not cancel"
echo "ARMZ-HP CANCELED"
sleep 6     # past the 5 s the guest would have waited
[ -e "/sys/class/net/$ifc" ] || bad "$ifc went away although the unplug was canceled"
ping -c 2 -W 20 10.0.3.1 > /tmp/ping 2>&1 || { tail -3 /tmp/ping; bad "ping after the canceled unplug"; }
echo "ARMZ-HP NET-STILL"
waitfor '[ -b /dev/vda ]' 120 "no /dev/vda after the second device_add"
dd if=/dev/vda bs=512 skip=8 count=1 2>/dev/null | grep -q ARMZ-HOTPLUG-MARKER ||
  bad "the re-added disk does not have the marker"
echo "ARMZ-HP DONE"
EOF2
guest_payload guest.sh

dd if=/dev/zero of=a.img bs=1M count=4 2>/dev/null || fail "cannot create a.img"
for irq in $(irqchips); do
  echo "--- --irqchip $irq"
  rm -f qmp.sock
  dd if=/dev/zero of=a.img bs=1M count=4 conv=notrunc 2>/dev/null
  start_vmm "hp-$irq" --vcpus 1 --debug --pci --irqchip "$irq" --cmdline "$(guest_cmdline run)" \
    --qmp "$PWD/qmp.sock" \
    --pcie-root-port index=1,addr=2,chassis=1,port=0x10 \
    --pcie-root-port index=2,addr=3,chassis=2,port=0x11 \
    --pcie-root-port index=3,addr=4,chassis=3,port=0x12,hotplug=off
  expect_out "ARMZ-HP READY|ARMZ-HP FAIL" 300 "guest pciehp slots"
  grep -q "ARMZ-HP FAIL" "$VMM_OUT" && { show_vmm; fail "guest: $(grep 'ARMZ-HP FAIL' "$VMM_OUT" | head -1)"; }

  # a disk into pci.1
  qmp "rwfd:$PWD/a.img" '{"execute": "getfd", "arguments": {"fdname": "d0"}}' \
    '{"execute": "device_add", "arguments": {"driver": "virtio-blk-pci", "id": "disk1", "bus": "pci.1", "fdname": "d0", "serial": "HP1", "cache": "writeback"}}' \
    > add1.out || { cat add1.out; show_vmm; fail "device_add virtio-blk-pci failed"; }
  expect_out "ARMZ-HP DISK-WRITTEN|ARMZ-HP FAIL" 120 "guest sees the hot-added disk"
  grep -q "ARMZ-HP FAIL" "$VMM_OUT" && { show_vmm; fail "guest: $(grep 'ARMZ-HP FAIL' "$VMM_OUT" | head -1)"; }
  qmp '{"execute": "query-block"}' > qb.out && grep -Eq '"device": ?"disk1"' qb.out ||
    { cat qb.out; fail "query-block does not list disk1"; }
  start=$(now_ms)
  qmp '{"execute": "device_del", "arguments": {"id": "disk1"}}' wait:DEVICE_DELETED > del1.out ||
    { cat del1.out; show_vmm; fail "device_del disk1: no DEVICE_DELETED"; }
  grep -Eq '"device": ?"disk1", ?"path": ?"/machine/peripheral/disk1"' del1.out ||
    { cat del1.out; fail "DEVICE_DELETED does not name disk1"; }
  echo "DEVICE_DELETED $(( $(now_ms) - start )) ms after device_del"
  expect_out "ARMZ-HP DISK-GONE|ARMZ-HP FAIL" 60 "guest lets the disk go"
  dd if=a.img bs=512 skip=8 count=1 2>/dev/null | grep -q ARMZ-HOTPLUG-MARKER ||
    fail "a.img does not have the guest's marker"
  echo "the guest's marker is in a.img"

  # a NIC into pci.2
  qmp "tapfd:$tap" '{"execute": "getfd", "arguments": {"fdname": "n0"}}' \
    '{"execute": "device_add", "arguments": {"driver": "virtio-net-pci", "id": "net1", "bus": "pci.2", "fdname": "n0", "mac": "52:54:00:00:00:42"}}' \
    > add2.out || { cat add2.out; show_vmm; fail "device_add virtio-net-pci failed"; }
  expect_out "ARMZ-HP NET-OK|ARMZ-HP FAIL" 120 "guest pings over the hot-added NIC"
  grep -q "ARMZ-HP FAIL" "$VMM_OUT" && { show_vmm; fail "guest: $(grep 'ARMZ-HP FAIL' "$VMM_OUT" | head -1)"; }

  # its link down and up again (QMP set_link, by the device_add id)
  qmp '{"execute": "set_link", "arguments": {"name": "net1", "up": false}}' > link.out ||
    { cat link.out; fail "set_link net1 down failed"; }
  expect_out "ARMZ-HP LINK-DOWN|ARMZ-HP FAIL" 120 "guest sees the link down"
  grep -q "ARMZ-HP FAIL" "$VMM_OUT" && { show_vmm; fail "guest: $(grep 'ARMZ-HP FAIL' "$VMM_OUT" | head -1)"; }
  qmp '{"execute": "set_link", "arguments": {"name": "net1", "up": true}}' > link.out ||
    { cat link.out; fail "set_link net1 up failed"; }
  expect_out "ARMZ-HP LINK-UP|ARMZ-HP FAIL" 120 "guest sees the link up again"
  grep -q "ARMZ-HP FAIL" "$VMM_OUT" && { show_vmm; fail "guest: $(grep 'ARMZ-HP FAIL' "$VMM_OUT" | head -1)"; }
  echo "set_link: carrier and ping follow the link"

  # errors, each with its cause
  qmp "fd:$PWD/a.img" '{"execute": "getfd", "arguments": {"fdname": "d9"}}' \
    '{"execute": "device_add", "arguments": {"driver": "e1000", "id": "x1", "bus": "pci.1"}}' \
    '{"execute": "device_add", "arguments": {"driver": "virtio-blk-pci", "id": "net1", "bus": "pci.1", "fdname": "d9", "readonly": true}}' \
    '{"execute": "device_add", "arguments": {"driver": "virtio-blk-pci", "id": "x2", "bus": "pci.9"}}' \
    '{"execute": "device_add", "arguments": {"driver": "virtio-blk-pci", "id": "x3", "bus": "pci.2"}}' \
    '{"execute": "device_add", "arguments": {"driver": "virtio-blk-pci", "id": "x4", "bus": "pci.3"}}' \
    '{"execute": "device_add", "arguments": {"driver": "virtio-blk-pci", "id": "x5", "bus": "pci.1", "fdname": "nope"}}' \
    '{"execute": "device_del", "arguments": {"id": "nosuch"}}' > err.out
  for want in "'e1000' is not virtio-blk-pci" "Duplicate device ID 'net1'" "Bus 'pci.9' not found" \
      "Bus 'pci.2' is occupied" "Bus 'pci.3' does not support hotplugging" "nope" \
      "Device 'nosuch' not found"; do
    grep -qF "$want" err.out || { cat err.out; fail "no error naming: $want"; }
  done
  [ "$(grep -c '"error"' err.out)" = 7 ] || { cat err.out; fail "expected 7 errors"; }
  echo "device_add/device_del errors name their causes"

  # the guest refuses: a second press cancels; 30 s later the VMM reports it
  qmp-client -t 90 "$PWD/qmp.sock" '{"execute": "device_del", "arguments": {"id": "net1"}}' \
    "waitfile:$PWD/$VMM_OUT:ARMZ-HP BLINKING" \
    '{"execute": "device_del", "arguments": {"id": "net1"}}' \
    wait:DEVICE_UNPLUG_GUEST_ERROR '{"execute": "query-pci"}' > refuse.out ||
    { cat refuse.out; show_vmm; fail "no DEVICE_UNPLUG_GUEST_ERROR after a canceled unplug"; }
  grep -Eq '"device": ?"net1"' refuse.out && ! grep -q DEVICE_DELETED refuse.out &&
    grep -Eq '"qdev_id": ?"net1"' refuse.out ||
    { cat refuse.out; fail "net1: expected DEVICE_UNPLUG_GUEST_ERROR and still in query-pci"; }
  echo "canceled unplug: DEVICE_UNPLUG_GUEST_ERROR, net1 stays"
  # query-pci lists its BARs as QEMU does: BAR 4 where the guest put it, above 4 GiB
  a=$(tr -d '\n' < refuse.out | grep -Eo '"qdev_id": ?"net1", ?"regions": ?\[[^]]*' |
      grep -Eo '"bar": ?4,[^}]*' | grep -Eo '"address": ?[0-9]+' | grep -Eo '[0-9]+$')
  [ -n "$a" ] && [ $((a >= 4294967296)) = 1 ] ||
    { cat refuse.out; fail "net1: query-pci has BAR 4 at '$a', not above 4 GiB"; }
  echo "query-pci: net1's BAR 4 at $(printf 0x%x "$a")"
  expect_out "ARMZ-HP NET-STILL|ARMZ-HP FAIL" 120 "the NIC works after the canceled unplug"

  # the disk again, into the port it left
  qmp "rwfd:$PWD/a.img" '{"execute": "getfd", "arguments": {"fdname": "d1"}}' \
    '{"execute": "device_add", "arguments": {"driver": "virtio-blk-pci", "id": "disk2", "bus": "pci.1", "fdname": "d1"}}' \
    > add3.out || { cat add3.out; show_vmm; fail "device_add into pci.1 again failed"; }
  expect_out "ARMZ-GUEST RUN-END" 180 "guest reads the re-added disk"
  grep -E "^ARMZ-HP" "$VMM_OUT"
  grep -q "ARMZ-HP DONE" "$VMM_OUT" ||
    { show_vmm; fail "guest: $(grep -E 'ARMZ-HP FAIL|INSMOD-FAILED' "$VMM_OUT" | head -1)"; }
  expect_exit 0 60
  echo "pci-hotplug ($irq): disk and NIC hot-added and removed"
done
