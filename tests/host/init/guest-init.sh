#!/bin/sh
# /init of the nested guest payload (runs inside armz-vmm inside the test
# host). Prints marker lines on the serial console; what it does next comes
# from armz.mode= on its kernel command line:
#   poweroff  print the markers and power off (PSCI SYSTEM_OFF)
#   shell     an interactive shell on the serial line
#   reboot    reboot (PSCI SYSTEM_RESET) 3 s after /init, at every boot
#   counter   print "ARMZ-COUNT n" every second, forever
#   blksum    print "ARMZ-GUEST BLKSUM vdX SIZE MD5" for each virtio disk
#             (SIZE in bytes), then wait
#   dhcp      take a DHCP lease on eth0 (busybox udhcpc), print
#             "ARMZ-GUEST DHCP ip=IP router=R", ping the router and print
#             "ARMZ-GUEST PING-OK R" or "ARMZ-GUEST PING-FAIL R", then wait
#   wait      do nothing (default)
#   run       run /armz-run.sh (a scenario appends it to the initrd, see
#             guest_payload in scenarios/lib.sh), print "ARMZ-GUEST RUN-END
#             rc=N" and power off
# In every mode a press of the power key (gpio-keys, KEY_POWER from QMP
# system_powerdown) prints ARMZ-GUEST POWERKEY and powers off.
export PATH=/bin:/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "ARMZ-GUEST INIT ncpu=$(nproc) uptime=$(cut -d' ' -f1 /proc/uptime)"
while read -r m; do
  [ -n "$m" ] && insmod "/modules/$m" 2>/dev/null
done < /modules/order
# virtio drivers (modules in Debian's kernel), only when the device tree has
# virtio-mmio nodes: loading them costs time under nested TCG
if find /sys/firmware/devicetree/base -name compatible -exec grep -l 'virtio,mmio' {} + 2>/dev/null |
   grep -q .; then
  while read -r m; do
    [ -n "$m" ] && { insmod "/modules/$m" || echo "ARMZ-GUEST INSMOD-FAILED $m"; }
  done < /modules/virtio.order
  echo "ARMZ-GUEST VIRTIO-MODULES"
fi
mode=$(sed -n 's/.*armz\.mode=\([^ ]*\).*/\1/p' /proc/cmdline)

# The power key: one input event on the gpio-keys device ends the guest.
(
  n=50
  while [ ! -c /dev/input/event0 ] && [ $n -gt 0 ]; do usleep 100000; n=$((n - 1)); done
  if [ -c /dev/input/event0 ]; then
    echo "ARMZ-GUEST POWERKEY-READY"
    dd if=/dev/input/event0 of=/dev/null bs=24 count=1 2>/dev/null
    echo "ARMZ-GUEST POWERKEY"
    sync
    poweroff -f
  else
    echo "ARMZ-GUEST NO-POWERKEY"
  fi
) &

case $mode in
  poweroff)
    echo "ARMZ-GUEST BYE"
    poweroff -f ;;
  shell)
    echo "ARMZ-GUEST SHELL"
    PS1='guest# ' exec sh ;;
  run)
    if [ -x /armz-run.sh ]; then
      /armz-run.sh
      rc=$?
    else
      echo "ARMZ-GUEST NO /armz-run.sh"
      rc=127
    fi
    echo "ARMZ-GUEST RUN-END rc=$rc"
    sync
    poweroff -f ;;
  agent)
    # a stand-in for qemu-guest-agent on org.qemu.guest_agent.0, enough for
    # virtarmzd's client: guest-sync-delimited, the clock, the interfaces,
    # guest-shutdown (reads see end-of-file while no host client is there)
    p=
    for d in /sys/class/virtio-ports/vport*; do
      [ "$(cat "$d/name" 2>/dev/null)" = org.qemu.guest_agent.0 ] && p=/dev/${d##*/}
    done
    echo "ARMZ-GUEST AGENT ${p:-none}"
    exec 3<>"$p"
    while :; do
      if ! read -r line <&3; then usleep 100000; continue; fi
      case $line in
        *guest-sync-delimited*)
          id=$(echo "$line" | sed -n 's/.*"id": *\([0-9]*\).*/\1/p')
          printf '\377{"return": %s}\n' "$id" >&3 ;;
        *guest-get-time*)
          printf '{"return": %s000000000}\n' "$(date +%s)" >&3 ;;
        *guest-set-time*)
          echo "ARMZ-GUEST AGENT SET-TIME"
          printf '{"return": {}}\n' >&3 ;;
        *guest-network-get-interfaces*)
          printf '%s\n' '{"return": [{"name": "lo", "hardware-address": "00:00:00:00:00:00", "ip-addresses": [{"ip-address-type": "ipv4", "ip-address": "127.0.0.1", "prefix": 8}]}, {"name": "eth0", "hardware-address": "52:54:00:aa:bb:cc", "ip-addresses": [{"ip-address-type": "ipv4", "ip-address": "192.0.2.7", "prefix": 24}, {"ip-address-type": "ipv6", "ip-address": "fe80::1", "prefix": 64}]}]}' >&3 ;;
        *guest-shutdown*)
          echo "ARMZ-GUEST AGENT SHUTDOWN"
          sync
          poweroff -f ;;
        *)
          printf '{"error": {"class": "CommandNotFound", "desc": "not in the stand-in"}}\n' >&3 ;;
      esac
    done ;;
  memwatch)
    # the guest's MemTotal every second (the balloon changes it)
    while :; do
      echo "ARMZ-GUEST MEMTOTAL $(awk '/^MemTotal/ {print $2}' /proc/meminfo)"
      sleep 1
    done ;;
  reboot)
    # PSCI SYSTEM_RESET from the guest, after a pause (each boot does it)
    sleep 3
    echo "ARMZ-GUEST REBOOTING"
    reboot -f ;;
  blksum)
    for d in /sys/block/vd*; do
      [ -e "$d" ] || continue
      n=${d##*/}
      echo "ARMZ-GUEST BLKSUM $n $(($(cat "$d/size") * 512)) $(md5sum < "/dev/$n" | cut -d' ' -f1)"
    done
    echo "ARMZ-GUEST BLKSUM-END"
    while :; do sleep 3600; done ;;
  dhcp)
    cat > /tmp/udhcpc.sh <<'EOF'
#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    echo "ARMZ-GUEST DHCP ip=$ip router=${router%% *}" > /dev/console
    echo "${router%% *}" > /tmp/router ;;
esac
EOF
    chmod +x /tmp/udhcpc.sh
    ip link set lo up
    ip link set eth0 up
    if udhcpc -i eth0 -n -q -f -t 20 -T 2 -s /tmp/udhcpc.sh >/dev/null 2>&1; then
      r=$(cat /tmp/router 2>/dev/null)
      if [ -n "$r" ] && ping -c 3 -W 10 "$r" >/dev/null 2>&1; then
        echo "ARMZ-GUEST PING-OK $r"
      else
        echo "ARMZ-GUEST PING-FAIL ${r:-no-router}"
      fi
    else
      echo "ARMZ-GUEST DHCP-FAIL"
    fi
    while :; do sleep 3600; done ;;
  counter)
    i=0
    while :; do echo "ARMZ-COUNT $i"; i=$((i + 1)); sleep 1; done ;;
  *)
    echo "ARMZ-GUEST WAITING"
    while :; do sleep 3600; done ;;
esac
