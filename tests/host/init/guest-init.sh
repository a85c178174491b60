#!/bin/sh
# /init of the nested guest payload (runs inside armz-vmm inside the test
# host). Prints marker lines on the serial console; what it does next comes
# from armz.mode= on its kernel command line:
#   poweroff  print the markers and power off (PSCI SYSTEM_OFF)
#   shell     an interactive shell on the serial line
#   reboot    reboot (PSCI SYSTEM_RESET) 3 s after /init, at every boot
#   counter   print "ARMZ-COUNT n" every second, forever
#   seeds     print "ARMZ-GUEST SEEDS text=ADDR" (the kernel's _stext) and
#             its KASLR and crng lines of dmesg ("ARMZ-GUEST DMESG ..."),
#             "ARMZ-GUEST SEEDS-END", then wait
#   blksum    print "ARMZ-GUEST BLKSUM vdX SIZE MD5" for each virtio disk
#             (SIZE in bytes) and "ARMZ-GUEST PCIDEV BDF VENDOR:DEVICE
#             PARENT DRIVER" for each PCI function (PARENT: the bridge above
#             it, pci0000:00 on the root bus; DRIVER: of its virtio device,
#             - when none), then "ARMZ-GUEST BLKSIZE vdX SIZE" whenever a
#             disk's size changes
#   blkwrite  write 2 MiB (O_DIRECT) to the last virtio disk: "ARMZ-GUEST
#             BLKWRITE vdX MD5", then "ARMZ-GUEST BLKWRITE-END ok|failed: ..."
#   blkstamp  blksum for vda, then write "ARMZ-STAMP <armz.stamp=>" at 1 MiB
#             into it (synced), print its BLKSUM again, the BLKSUM of the
#             other virtio disks (read only) and "ARMZ-GUEST BLKSTAMP-END", then "ARMZ-GUEST BLKSIZE vdX SIZE"
#             whenever a disk's size changes, each time followed by an
#             O_DIRECT read of vda's first 4 MiB and an O_DIRECT write of
#             1 MiB of zeroes at 8 MiB ("ARMZ-GUEST DIRECTIO vda ok|failed:
#             ...": the test's domblkstat)
#   virtiofs  mount the virtiofs share armz.tag= on /mnt, print "ARMZ-GUEST
#             VIRTIOFS <md5 of its file hostfile>", write its file from-guest
#             ("ARMZ-FROM-GUEST"), unmount, print "ARMZ-GUEST VIRTIOFS-END",
#             then wait
#   dhcp      take a DHCP lease on eth0 (busybox udhcpc), print
#             "ARMZ-GUEST DHCP ip=IP router=R", ping the router and print
#             "ARMZ-GUEST PING-OK R" or "ARMZ-GUEST PING-FAIL R", then wait
#   memfill   take 64 MiB of memory (a file in the initramfs) once the
#             balloon took 4 MiB, print "ARMZ-GUEST MEMFILLED"; free it when
#             the balloon has given its memory back ("ARMZ-GUEST MEMFREED")
#   oomfill   once the balloon holds 64 MiB, take 96 MiB (more than the
#             guest has left: deflate-on-oom must give it back), print
#             "ARMZ-GUEST OOMFILLED rc=N", then wait
#   nova      an instance as Nova writes it (tests/host/daemon/test_nova.py):
#             "ARMZ-GUEST CONFIG-DRIVE ID" with the uuid of the config
#             drive's openstack/latest/meta_data.json, then dhcp, then
#             hotplug (Nova's volume and interface attach/detach)
#   cdrom     watch /dev/sr0: "ARMZ-GUEST CDROM ID" when a medium with
#             openstack/latest/meta_data.json {"uuid": "ID"} is in,
#             "ARMZ-GUEST CDROM EMPTY" when none is, at each change
#   hotplug   print "ARMZ-GUEST HOTPLUG-READY" and its disks, then watch
#             for disks and NICs that come and go (virsh attach-disk,
#             detach-disk, attach-interface): a new disk gets 1 MiB of
#             random bytes, read back ("HOTDISK NAME MD5"), a gone one
#             "HOTDISK-GONE NAME", a new NIC a DHCP lease as in mode dhcp
#             ("DHCP NAME ip=IP router=R"), a gone one "HOTNIC-GONE NAME"
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
# virtio-mmio nodes or ACPI describes the devices (firmware boots with
# <acpi/>): loading them costs time under nested TCG
if [ -e /sys/firmware/acpi/tables/DSDT ] ||
   find /sys/firmware/devicetree/base -name compatible \
     -exec grep -lE 'virtio,mmio|pci-host-ecam-generic' {} + 2>/dev/null |
   grep -q .; then
  while read -r m; do
    [ -n "$m" ] && { insmod "/modules/$m" || echo "ARMZ-GUEST INSMOD-FAILED $m"; }
  done < /modules/virtio.order
  # virtio id 8: virtio-scsi
  if grep -qx 0x0008 /sys/bus/virtio/devices/*/device 2>/dev/null; then
    while read -r m; do
      [ -n "$m" ] && { insmod "/modules/$m" || echo "ARMZ-GUEST INSMOD-FAILED $m"; }
    done < /modules/scsi.order
  fi
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

# "ARMZ-GUEST BLKSIZE vdX SIZE" at every change of a disk's size (virsh
# blockresize), forever
watch_sizes() {
  sizes() { for d in /sys/block/vd*; do echo "${d##*/} $(($(cat "$d/size") * 512))"; done; }
  last=$(sizes)
  while :; do
    sleep 1
    now=$(sizes)
    if [ "$now" != "$last" ]; then
      echo "$now" | grep -vxF "$last" | sed 's/^/ARMZ-GUEST BLKSIZE /'
      # then $1, a command, if given
      [ -z "$1" ] || "$1"
    fi
    last=$now
  done
}

# blkstamp, after a size change: I/O the test's domblkstat must count
direct_io() {
  if dd if=/dev/vda of=/dev/null bs=1M count=4 iflag=direct 2>/tmp/err &&
     dd if=/dev/zero of=/dev/vda bs=1M seek=8 count=1 oflag=direct conv=notrunc 2>>/tmp/err; then
    echo "ARMZ-GUEST DIRECTIO vda ok"
  else
    echo "ARMZ-GUEST DIRECTIO vda failed: $(tail -1 /tmp/err)"
  fi
}

# dhcp and nova modes: a lease on eth0, then a ping of the router
take_lease() {
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
}

# hotplug and nova modes: report disks and NICs that come and go
watch_hotplug() {
  cat > /tmp/udhcpc.sh <<'EOF'
#!/bin/sh
case "$1" in
bound|renew)
  ip addr flush dev "$interface"
  ip addr add "$ip/${mask:-24}" dev "$interface"
  echo "ARMZ-GUEST DHCP $interface ip=$ip router=${router%% *}" > /dev/console ;;
esac
EOF
  chmod +x /tmp/udhcpc.sh
  ip link set lo up
  disks=$(cd /sys/block && ls -d vd* 2>/dev/null | tr '\n' ' ')
  nets=$(cd /sys/class/net && ls | tr '\n' ' ')
  echo "ARMZ-GUEST HOTPLUG-READY $disks"
  while :; do
    for d in /sys/block/vd*; do
      [ -e "$d" ] || continue
      n=${d##*/}
      case " $disks " in *" $n "*) continue ;; esac
      disks="$disks $n"
      dd if=/dev/urandom of=/tmp/w bs=1M count=1 2>/dev/null
      w=$(md5sum < /tmp/w | cut -d' ' -f1)
      dd if=/tmp/w of=/dev/$n bs=1M oflag=direct conv=notrunc 2>/dev/null
      r=$(dd if=/dev/$n bs=1M count=1 2>/dev/null | md5sum | cut -d' ' -f1)
      if [ "$r" = "$w" ]; then echo "ARMZ-GUEST HOTDISK $n $w"; else echo "ARMZ-GUEST HOTDISK-FAIL $n"; fi
    done
    for n in $disks; do
      [ -e /sys/block/$n ] && continue
      echo "ARMZ-GUEST HOTDISK-GONE $n"
      disks=$(echo " $disks " | sed "s/ $n / /")
    done
    for i in /sys/class/net/eth*; do
      [ -e "$i" ] || continue
      n=${i##*/}
      case " $nets " in *" $n "*) continue ;; esac
      nets="$nets $n"
      ip link set "$n" up
      { udhcpc -i "$n" -n -q -f -t 20 -T 2 -s /tmp/udhcpc.sh >/dev/null 2>&1 ||
        echo "ARMZ-GUEST DHCP-FAIL $n"; } &
    done
    for n in $nets; do
      [ -e /sys/class/net/$n ] && continue
      echo "ARMZ-GUEST HOTNIC-GONE $n"
      nets=$(echo " $nets " | sed "s/ $n / /")
    done
    sleep 1
  done
}

# nova mode: the instance uuid from the config drive Nova made
config_drive_id() {
  mkdir -p /mnt
  n=100
  while [ ! -b /dev/sr0 ] && [ $n -gt 0 ]; do usleep 100000; n=$((n - 1)); done
  if mount -t iso9660 -o ro /dev/sr0 /mnt 2>/dev/null; then
    id=$(sed -n 's/.*"uuid": *"\([^"]*\)".*/\1/p' /mnt/openstack/latest/meta_data.json)
    umount /mnt
    echo "ARMZ-GUEST CONFIG-DRIVE ${id:-NO-ID}"
  else
    echo "ARMZ-GUEST CONFIG-DRIVE NONE"
  fi
}

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
    # Debian's qemu-guest-agent on org.qemu.guest_agent.0 (tests/host/
    # run-host adds it for the daemon tests), with what it runs that
    # busybox lacks or that must tell the test it ran: /sbin/shutdown,
    # /sbin/hwclock (no RTC to sync here), /sbin/chpasswd. eth0, if there
    # is one, gets 192.0.2.7/24 for domifaddr --source agent; the user
    # armz's password is checked against "armz-Pass-1" when it changes.
    p=
    for d in /sys/class/virtio-ports/vport*; do
      [ "$(cat "$d/name" 2>/dev/null)" = org.qemu.guest_agent.0 ] && p=/dev/${d##*/}
    done
    mkdir -p /etc /var/run
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'armz:x:1000:1000:armz:/tmp:/bin/sh' > /etc/passwd
    printf '%s\n' 'root:*:1::::::' 'armz:!:1::::::' > /etc/shadow
    echo 'ID=armz-test' > /etc/os-release
    hostname armz-guest
    cat > /sbin/shutdown <<'EOF'
#!/bin/sh
case " $* " in
  *" -r "*) echo "ARMZ-GUEST AGENT REBOOT" > /dev/console; (sleep 1; reboot -f) & ;;
  *) echo "ARMZ-GUEST AGENT SHUTDOWN" > /dev/console; (sync; sleep 1; poweroff -f) & ;;
esac
exit 0
EOF
    cat > /sbin/hwclock <<'EOF'
#!/bin/sh
echo "ARMZ-GUEST AGENT HWCLOCK $*" > /dev/console
[ -c /dev/rtc0 ] || exit 0
exec /bin/busybox hwclock "$@"
EOF
    cat > /sbin/chpasswd <<'EOF'
#!/bin/sh
while IFS=: read -r u pw; do
  [ "$1" = -e ] || pw=$(mkpasswd -m sha512 "$pw")
  sed -i "s|^$u:[^:]*:|$u:$pw:|" /etc/shadow
done
EOF
    chmod +x /sbin/shutdown /sbin/hwclock /sbin/chpasswd
    ip link set lo up 2>/dev/null
    if [ -e /sys/class/net/eth0 ]; then
      ip link set eth0 up
      ip addr add 192.0.2.7/24 dev eth0
    fi
    (
      old='!'
      while :; do
        h=$(sed -n 's/^armz:\([^:]*\):.*/\1/p' /etc/shadow)
        if [ "$h" != "$old" ]; then
          salt=$(echo "$h" | cut -d'$' -f3)
          if [ "$(mkpasswd -m sha512 -S "$salt" armz-Pass-1)" = "$h" ]; then
            echo "ARMZ-GUEST AGENT PASSWORD-OK"
          else
            echo "ARMZ-GUEST AGENT PASSWORD-OTHER"
          fi
          old=$h
        fi
        sleep 1
      done
    ) &
    # a disk: an ext4 file system on it, mounted on /mnt/data (what the
    # agent's domfsinfo and domfsfreeze see)
    if [ -b /dev/vda ]; then
      while read -r m; do
        [ -n "$m" ] && insmod "/modules/$m" 2>/dev/null
      done < /modules/ext4.order
      mkdir -p /mnt/data
      if mke2fs -q /dev/vda >/dev/null 2>&1 && mount -t ext4 /dev/vda /mnt/data; then
        echo "ARMZ-GUEST AGENT FS /mnt/data"
      else
        echo "ARMZ-GUEST AGENT FS-FAILED"
      fi
    fi
    # a pty channel beside the agent (<channel type='pty'>, org.armz.pty):
    # a greeting, then each line the host writes comes back on the console
    for d in /sys/class/virtio-ports/vport*; do
      [ "$(cat "$d/name" 2>/dev/null)" = org.armz.pty ] || continue
      (
        exec 3<>"/dev/${d##*/}"
        echo "ARMZ-PTY-HELLO" >&3
        while read -r l <&3; do echo "ARMZ-GUEST PTY GOT $l"; done
      ) &
    done
    echo "ARMZ-GUEST AGENT ${p:-none}"
    if [ -x /usr/sbin/qemu-ga ]; then
      /usr/sbin/qemu-ga -m virtio-serial -p "$p" -f /var/run/qemu-ga.pid
      echo "ARMZ-GUEST AGENT EXIT $?"
    else
      echo "ARMZ-GUEST AGENT MISSING (no /usr/sbin/qemu-ga)"
    fi
    while :; do sleep 3600; done ;;
  memfill)
    # 64 MiB taken once the balloon has taken 4 MiB (the test's signal,
    # given after it read the guest's figures)
    t0=$(awk '/^MemTotal/ {print $2}' /proc/meminfo)
    # the test moves the balloon only after this (else t0 may come too late)
    echo "ARMZ-GUEST MEMFILL-READY $t0"
    while [ "$(awk '/^MemTotal/ {print $2}' /proc/meminfo)" -gt $((t0 - 4096)) ]; do sleep 1; done
    dd if=/dev/zero of=/tmp/fill bs=1M count=64 2>/dev/null
    echo "ARMZ-GUEST MEMFILLED"
    # given back once the balloon is gone again (free page reporting's test)
    while [ "$(awk '/^MemTotal/ {print $2}' /proc/meminfo)" -lt "$t0" ]; do sleep 1; done
    rm -f /tmp/fill
    echo "ARMZ-GUEST MEMFREED"
    while :; do sleep 3600; done ;;
  oomfill)
    # autodeflate's test: once the balloon holds 64 MiB (MemFree drops: with
    # deflate-on-oom MemTotal stays), take 96 MiB, more than is left; the
    # balloon must deflate for the guest to get it
    f0=$(awk '/^MemFree/ {print $2}' /proc/meminfo)
    echo "ARMZ-GUEST OOMFILL-READY $f0"
    while [ "$(awk '/^MemFree/ {print $2}' /proc/meminfo)" -gt $((f0 - 65536)) ]; do sleep 1; done
    echo "ARMZ-GUEST BALLOONED"
    # a tmpfs of its own: the root's is half the RAM and holds the initramfs
    mkdir -p /mnt/fill && mount -t tmpfs -o size=240m fill /mnt/fill
    dd if=/dev/zero of=/mnt/fill/fill bs=1M count=96 2>/dev/null
    echo "ARMZ-GUEST OOMFILLED rc=$?"
    while :; do sleep 3600; done ;;
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
    for d in /sys/bus/pci/devices/*; do
      [ -e "$d" ] || continue
      p=$(readlink -f "$d"); p=${p%/*}
      drv=$(readlink "$d"/virtio*/driver 2>/dev/null); drv=${drv##*/}
      echo "ARMZ-GUEST PCIDEV ${d##*/} $(cat "$d/vendor"):$(cat "$d/device") ${p##*/} ${drv:--}"
    done
    echo "ARMZ-GUEST BLKSUM-END"
    watch_sizes ;;
  blkwrite)
    # 2 MiB of random bytes onto the last disk, then their md5
    d=$(ls -d /sys/block/vd* | tail -1); d=${d##*/}
    dd if=/dev/urandom of=/tmp/w bs=1M count=2 2>/dev/null
    echo "ARMZ-GUEST BLKWRITE $d $(md5sum < /tmp/w | cut -d' ' -f1)"
    if dd if=/tmp/w of=/dev/$d bs=1M oflag=direct conv=notrunc 2>/tmp/err; then
      echo "ARMZ-GUEST BLKWRITE-END ok"
    else
      echo "ARMZ-GUEST BLKWRITE-END failed: $(tail -1 /tmp/err)"
    fi
    while :; do sleep 3600; done ;;
  virtiofs)
    tag=$(sed -n 's/.*armz\.tag=\([^ ]*\).*/\1/p' /proc/cmdline)
    mkdir -p /mnt
    if mount -t virtiofs "$tag" /mnt 2>/tmp/err; then
      echo "ARMZ-GUEST VIRTIOFS $(md5sum < /mnt/hostfile | cut -d' ' -f1)"
      echo ARMZ-FROM-GUEST > /mnt/from-guest
      sync
      umount /mnt
    else
      echo "ARMZ-GUEST VIRTIOFS-FAIL $(tail -1 /tmp/err)"
    fi
    echo "ARMZ-GUEST VIRTIOFS-END"
    while :; do sleep 3600; done ;;
  blkstamp)
    sz=$(($(cat /sys/block/vda/size) * 512))
    echo "ARMZ-GUEST BLKSUM vda $sz $(md5sum < /dev/vda | cut -d' ' -f1)"
    stamp=$(sed -n 's/.*armz\.stamp=\([^ ]*\).*/\1/p' /proc/cmdline)
    printf 'ARMZ-STAMP %s' "$stamp" | dd of=/dev/vda bs=512 seek=2048 conv=notrunc,fsync 2>/dev/null ||
      echo "ARMZ-GUEST BLKSTAMP-FAIL"
    echo 3 > /proc/sys/vm/drop_caches
    echo "ARMZ-GUEST BLKSUM vda $sz $(md5sum < /dev/vda | cut -d' ' -f1)"
    for d in /sys/block/vd*; do
      n=${d##*/}
      [ "$n" = vda ] || [ ! -e "$d" ] ||
        echo "ARMZ-GUEST BLKSUM $n $(($(cat "$d/size") * 512)) $(md5sum < "/dev/$n" | cut -d' ' -f1)"
    done
    echo "ARMZ-GUEST BLKSTAMP-END"
    watch_sizes direct_io ;;
  hotplug)
    watch_hotplug ;;
  dhcp)
    take_lease
    while :; do sleep 3600; done ;;
  nova)
    config_drive_id
    take_lease
    watch_hotplug ;;
  cdrom)
    mkdir -p /mnt
    last=
    while :; do
      now=EMPTY
      if mount -t iso9660 -o ro /dev/sr0 /mnt 2>/dev/null; then
        now=$(sed -n 's/.*"uuid": *"\([^"]*\)".*/\1/p' /mnt/openstack/latest/meta_data.json 2>/dev/null)
        umount /mnt
      fi
      [ "$now" != "$last" ] && echo "ARMZ-GUEST CDROM ${now:-NO-ID}"
      last=$now
      sleep 1
    done ;;
  seeds)
    # what the device tree's kaslr-seed and rng-seed gave the kernel
    echo "ARMZ-GUEST SEEDS text=$(grep ' _stext$' /proc/kallsyms | cut -d' ' -f1)"
    dmesg | grep -i 'kaslr\|crng' | sed 's/^/ARMZ-GUEST DMESG /'
    echo "ARMZ-GUEST SEEDS-END"
    while :; do sleep 3600; done ;;
  counter)
    i=0
    while :; do echo "ARMZ-COUNT $i"; i=$((i + 1)); sleep 1; done ;;
  *)
    echo "ARMZ-GUEST WAITING"
    while :; do sleep 3600; done ;;
esac
