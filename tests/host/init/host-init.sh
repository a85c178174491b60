#!/bin/sh
# /init of the emulated arm64 test host: runs the scenarios named on the
# kernel command line (armz.scenarios=a,b,c) and reports each as
#   ARMZ-RESULT PASS name | ARMZ-RESULT FAIL name reason | ARMZ-RESULT SKIP name why
# then powers off (qemu runs with -no-reboot, so it exits).
export PATH=/usr/bin:/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null   # per-guest cgroups (driver/cgroup.h)
mount -t devtmpfs dev /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
ln -sf /proc/self/fd /dev/fd
echo 1 > /proc/sys/kernel/printk_ratelimit 2>/dev/null
ip link set lo up 2>/dev/null

arg() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
scenarios=$(arg armz.scenarios | tr , ' ')
cpu=$(arg armz.cpu)
profile=$(arg armz.profile)
tmo=$(arg armz.timeout)
[ -n "$tmo" ] || tmo=240

while read -r m; do
  [ -n "$m" ] && insmod "/modules/$m" 2>/dev/null
done < /modules/order

kvm=no
[ -c /dev/kvm ] && kvm=yes
echo "ARMZ-HOST up cpu=$cpu profile=${profile:-native} kvm=$kvm ncpu=$(nproc) $(uname -r)"

# ARMZ_KVM_PROFILE: what the scenarios (and a daemon started by them) run with
export ARMZ_KVM_PROFILE=${profile:-native}
export ARMZ_CPU=$cpu ARMZ_GUEST_IMAGE=/guest/Image ARMZ_GUEST_INITRD=/guest/initrd
for s in $scenarios; do
  export ARMZ_SCENARIO=$s ARMZ_REASON=/tmp/$s.reason ARMZ_WORK=/tmp/work-$s
  rm -f "$ARMZ_REASON"; mkdir -p "$ARMZ_WORK"
  echo "ARMZ-HOST start $s"
  t0=$(date +%s)
  # a scenario may need more time than the default ("# armz-timeout: S")
  stmo=$(sed -n 's/^# armz-timeout: *\([0-9][0-9]*\).*/\1/p' "/scenarios/$s.sh" | head -1)
  [ -n "$stmo" ] && [ "$stmo" -gt "$tmo" ] || stmo=$tmo
  { timeout "$stmo" sh -c "cd $ARMZ_WORK && . /scenarios/lib.sh && . /scenarios/$s.sh" </dev/null
    echo $? > /tmp/$s.rc; } 2>&1 | sed "s/^/[$s] /"
  rc=$(cat /tmp/$s.rc)
  reason=$(tail -1 "$ARMZ_REASON" 2>/dev/null)
  # whatever the scenario left behind (a VMM that still runs) must not
  # disturb the next one
  cleanup_pids=$(cat "$ARMZ_WORK"/*.pid 2>/dev/null)
  [ -n "$cleanup_pids" ] && kill -9 $cleanup_pids 2>/dev/null
  case $rc in
    0)   echo "ARMZ-RESULT PASS $s" ;;
    77)  echo "ARMZ-RESULT SKIP $s ${reason:-skipped}" ;;
    124|143) echo "ARMZ-RESULT FAIL $s timed out after ${tmo}s${reason:+: $reason}" ;;
    *)   echo "ARMZ-RESULT FAIL $s ${reason:-exit status $rc}" ;;
  esac
  echo "ARMZ-HOST end $s $(( $(date +%s) - t0 ))s"
done
echo "ARMZ-HOST done"
sync
poweroff -f
