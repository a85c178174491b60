# virtio-net on a tap: the host makes tap armz0 (10.0.0.1/24) and starts
# the VMM with --net tap=armz0,mac=52:54:00:12:34:56; the guest sees that
# MAC on eth0, takes 10.0.0.2/24 and pings the host; then the host pings the
# guest; a line typed on the serial line tells the guest to power off.
set -u
need_vmm_opts --net
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
ping -c 3 -W 20 10.0.0.1 > /tmp/ping 2>&1 || { tail -3 /tmp/ping; bad "ping guest -> host 10.0.0.1"; }
ok "ping guest -> host: $(grep -o '[0-9]* packets received' /tmp/ping)"
echo "ARMZ-NET READY"
# the host pings us now, then types a line
read -r -t 120 line || bad "no word from the host within 120 s"
echo "ARMZ-NET DONE"
EOF
guest_payload guest.sh

start_vmm net --vcpus 1 --cmdline "$(guest_cmdline run)" --net "tap=$tap,mac=52:54:00:12:34:56"
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
