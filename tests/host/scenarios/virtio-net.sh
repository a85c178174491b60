# virtio-net on a tap: the host makes tap armz0 (10.0.0.1/24) and starts
# the VMM with --net tap=armz0,mac=52:54:00:12:34:56,link=down; the guest
# sees that MAC on eth0 without a carrier, the host's QMP set_link brings it
# up (a virtio-mmio config-change interrupt), the guest takes 10.0.0.2/24 and
# pings the host; then the host pings the guest; a line typed on the serial
# line tells the guest to power off.
set -u
need_vmm_opts --net --qmp
[ -c /dev/net/tun ] || fail "no /dev/net/tun in the test host (tun module not loaded?)"
tap=armz0
ip link show "$tap" >/dev/null 2>&1 && { tunctl -d "$tap" >/dev/null 2>&1; ip link del "$tap" 2>/dev/null; }
tunctl -t "$tap" >tunctl.log 2>&1 || { cat tunctl.log; fail "tunctl -t $tap failed: $(tail -1 tunctl.log)"; }
cleanup_tap() { tunctl -d "$tap" >/dev/null 2>&1; }
trap cleanup_tap EXIT
ip addr add 10.0.0.1/24 dev "$tap" && ip link set "$tap" up ||
  fail "cannot configure $tap with 10.0.0.1/24"

cat > guest.sh <<'EOF'
#!/bin/sh
ok() { echo "ARMZ-NET OK $*"; }
bad() { echo "ARMZ-NET FAIL $*"; exit 1; }
[ -e /sys/class/net/eth0 ] || bad "no eth0 ($(ls /sys/class/net | tr '\n' ' '))"
mac=$(cat /sys/class/net/eth0/address)
[ "$mac" = 52:54:00:12:34:56 ] || bad "eth0 has MAC $mac, expected 52:54:00:12:34:56"
ok "eth0 MAC $mac"
ip link set lo up
ip link set eth0 up && ip addr add 10.0.0.2/24 dev eth0 || bad "cannot configure eth0"
[ "$(cat /sys/class/net/eth0/carrier)" = 0 ] || bad "eth0 has a carrier with link=down"
ok "eth0 carrier 0, operstate $(cat /sys/class/net/eth0/operstate)"
echo "ARMZ-NET CARRIER-DOWN"
n=0
until [ "$(cat /sys/class/net/eth0/carrier)" = 1 ]; do
  n=$((n + 1)); [ $n -gt 600 ] && bad "no carrier within 60 s of set_link up"
  sleep 0.1
done
ok "eth0 carrier 1 after set_link up"
ping -c 3 -W 20 10.0.0.1 > /tmp/ping 2>&1 || { tail -3 /tmp/ping; bad "ping guest -> host 10.0.0.1"; }
ok "ping guest -> host: $(grep -o '[0-9]* packets received' /tmp/ping)"
echo "ARMZ-NET READY"
# the host pings us now, then types a line
read -r -t 120 line || bad "no word from the host within 120 s"
echo "ARMZ-NET DONE"
EOF
guest_payload guest.sh

rm -f qmp.sock
start_vmm net --vcpus 1 --cmdline "$(guest_cmdline run)" --qmp "$PWD/qmp.sock" \
  --net "tap=$tap,mac=52:54:00:12:34:56,id=net0,link=down"
expect_out "ARMZ-NET (CARRIER-DOWN|FAIL)|ARMZ-GUEST RUN-END" 180 "guest sees no carrier"
grep -q "ARMZ-NET CARRIER-DOWN" "$VMM_OUT" || {
  show_vmm; fail "guest: $(grep -E 'ARMZ-NET FAIL|ARMZ-GUEST INSMOD-FAILED' "$VMM_OUT" | head -1)"
}
qmp '{"execute": "set_link", "arguments": {"name": "net0", "up": true}}' > link.out ||
  { cat link.out; show_vmm; fail "set_link net0 up failed"; }
expect_out "ARMZ-NET (READY|FAIL)|ARMZ-GUEST RUN-END" 180 "guest network setup"
grep -E "^ARMZ-NET|ARMZ-GUEST INSMOD" "$VMM_OUT"
grep -q "ARMZ-NET READY" "$VMM_OUT" || {
  show_vmm
  fail "guest: $(grep -E 'ARMZ-NET FAIL|ARMZ-GUEST INSMOD-FAILED' "$VMM_OUT" | head -1 | sed 's/^ARMZ-NET FAIL //')"
}
if ! ping -c 3 -W 20 10.0.0.2 > ping.log 2>&1; then
  cat ping.log; show_vmm; fail "ping host -> guest 10.0.0.2"
fi
echo "ping host -> guest: $(grep -o '[0-9]* packets received' ping.log)"
send_serial "done"
expect_out "ARMZ-GUEST RUN-END" 60 "guest end"
grep -q "ARMZ-NET DONE" "$VMM_OUT" || { show_vmm; fail "guest: no ARMZ-NET DONE"; }
expect_exit 0 60
