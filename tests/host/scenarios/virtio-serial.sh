# armz-timeout: 480
# virtio-serial: --channel name=org.test.0 gives the guest a port of that
# name (/sys/class/virtio-ports), the guest opening it reaches QMP as
# VSERPORT_CHANGE, and a line sent on the host's socket comes back through
# the guest; with each interrupt controller.
set -u
need_vmm_opts --channel

cat > guest.sh <<'EOF2'
#!/bin/sh
bad() { echo "ARMZ-SERIAL FAIL $*"; exit 1; }
p=
for d in /sys/class/virtio-ports/vport*; do
  [ "$(cat "$d/name" 2>/dev/null)" = org.test.0 ] && p=${d##*/}
done
[ -n "$p" ] || bad "no port named org.test.0 in /sys/class/virtio-ports"
[ -c "/dev/$p" ] || bad "no /dev/$p"
exec 3<>"/dev/$p" || bad "cannot open /dev/$p"
echo "ARMZ-SERIAL OPENED $p"
# reads see end-of-file until the host side connects
n=0
until read -r line <&3; do
  n=$((n + 1))
  [ $n -lt 600 ] || bad "nothing read from /dev/$p in 60 s"
  usleep 100000
done
echo "GUEST-ECHO $line" >&3
echo "ARMZ-SERIAL ECHOED $line"
sleep 1
exec 3>&-
echo "ARMZ-SERIAL OK"
EOF2
guest_payload guest.sh

for irq in $(irqchips); do
  rm -f qmp.sock ch.sock ev.out
  start_vmm "serial-$irq" --irqchip "$irq" --cmdline "$(guest_cmdline run)" \
    --channel "name=org.test.0,path=$PWD/ch.sock,id=channel0" --qmp "$PWD/qmp.sock"
  # listening for the event before the guest opens the port
  qmp wait:VSERPORT_CHANGE > ev.out 2>&1 &
  qpid=$!
  expect_out "ARMZ-SERIAL OPENED" 180 "the guest opening its port ($irq)"
  out=$(unixcat -t 60 ch.sock "hello-$irq") || { show_vmm; fail "echo through the port ($irq): $out"; }
  [ "$out" = "GUEST-ECHO hello-$irq" ] || fail "the guest answered '$out' ($irq)"
  wait "$qpid" || { cat ev.out; fail "no VSERPORT_CHANGE ($irq)"; }
  grep -q '"id": *"channel0"' ev.out && grep -q '"open": *true' ev.out ||
    { cat ev.out; fail "VSERPORT_CHANGE without channel0 open ($irq)"; }
  expect_out "ARMZ-SERIAL OK" 60 "guest port checks ($irq)"
  grep -E "^ARMZ-SERIAL" "$VMM_OUT"
  expect_exit 0 60
  echo "virtio-serial works with irqchip $irq"
done
