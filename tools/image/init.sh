#!/bin/sh
# /init of the guests `armz image build` makes (busybox, Debian's arm64
# kernel). In the initramfs it loads the virtio drivers listed in
# /modules/order; with root=/dev/vdX on the kernel command line it mounts
# that disk and continues there (/sbin/init is this script again).
# Then: a shell on the console, DHCP on eth0, and the power key (virsh
# shutdown) powers the guest off. Prints "ARMZ-IMAGE READY" when up.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
/bin/busybox mkdir -p /proc /sys /dev /tmp /run /root /etc /usr/bin /usr/sbin
/bin/busybox --install -s 2>/dev/null
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null

if [ -f /modules/order ]; then
  while read -r m; do
    [ -n "$m" ] && insmod "/modules/$m" 2>/dev/null
  done < /modules/order
  root=$(sed -n 's/.*root=\([^ ]*\).*/\1/p' /proc/cmdline)
  case $root in
    /dev/*)
      n=50
      while [ ! -b "$root" ] && [ $n -gt 0 ]; do usleep 100000; n=$((n - 1)); done
      mkdir -p /newroot
      if mount -o rw "$root" /newroot 2>/dev/null && [ -x /newroot/sbin/init ]; then
        umount /proc /sys /dev 2>/dev/null
        exec switch_root /newroot /sbin/init
      fi
      echo "armz guest: cannot boot from $root; staying in the initramfs" ;;
  esac
fi

hostname armz-guest
[ -e /etc/hostname ] || echo armz-guest > /etc/hostname 2>/dev/null
echo "ARMZ-IMAGE READY ncpu=$(nproc)"

# the power key: one input event on the gpio-keys device ends the guest
(
  n=50
  while [ ! -c /dev/input/event0 ] && [ $n -gt 0 ]; do usleep 100000; n=$((n - 1)); done
  if [ -c /dev/input/event0 ]; then
    dd if=/dev/input/event0 of=/dev/null bs=24 count=1 2>/dev/null
    echo "armz guest: power key pressed, powering off"
    sync
    poweroff -f
  fi
) &

if ip link show eth0 >/dev/null 2>&1; then
  cat > /tmp/udhcpc.sh <<'SCRIPT'
#!/bin/sh
case $1 in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "${router%% *}"
    for d in $dns; do echo "nameserver $d"; done > /etc/resolv.conf ;;
esac
SCRIPT
  chmod +x /tmp/udhcpc.sh
  ip link set eth0 up
  udhcpc -b -q -i eth0 -s /tmp/udhcpc.sh >/dev/null 2>&1 &
fi

while :; do
  setsid cttyhack sh -l
  sleep 1
done
