# The seccomp sandbox (default --seccomp=on): every thread of a running
# armz-vmm (main loop, vCPUs, virtio workers, GLib's) is filtered
# (Seccomp: 2), the guest boots and runs with its devices, and the QMP
# debug command x-armz-debug-syscall (a syscall no role allows) gets the
# VMM killed by SIGSYS (exit status 128+31).
need_vmm_opts --seccomp
exec 8</dev/urandom
start_vmm seccomp --vcpus 2 --qmp "$PWD/qmp.sock" --rng fd:8 --cmdline "$(guest_cmdline wait)"
exec 8<&-
expect_out "ARMZ-GUEST (POWERKEY-READY|NO-POWERKEY)" 120 "guest /init"
n=0
for t in /proc/"$VMM_PID"/task/*; do
  s=$(sed -n 's/^Seccomp:[[:space:]]*//p' "$t/status")
  echo "thread $(cat "$t/comm"): Seccomp: $s"
  [ "$s" = 2 ] || { stop_vmm; fail "thread $(cat "$t/comm") of armz-vmm has Seccomp: $s, not 2"; }
  n=$((n + 1))
done
# main, 2 vCPUs, the rng worker, GLib's worker
[ "$n" -ge 4 ] || { stop_vmm; fail "armz-vmm has $n threads, expected at least 4"; }
qmp query-status x-armz-debug-syscall > qmp.log 2>&1
cat qmp.log
grep -q '"running"' qmp.log || { stop_vmm; fail "QMP query-status did not answer before the debug command"; }
dmesg | grep 'type=1326' | tail -3
expect_exit 159 30
grep -q 'the forbidden system call' "$VMM_ERR" && fail "the forbidden syscall ran under --seccomp=on"
echo "armz-vmm killed by SIGSYS after x-armz-debug-syscall"

# --seccomp=log: the same filters, but the forbidden call only gets logged
# and runs (reboot(2) with a bad magic fails harmlessly); the VMM answers.
rm -f qmp.sock
start_vmm seccomp-log --paused --seccomp log --qmp "$PWD/qmp.sock" --cmdline "$(guest_cmdline wait)"
qmp x-armz-debug-syscall query-status quit > qmp-log.log 2>&1 ||
  { cat qmp-log.log; show_vmm; stop_vmm; fail "QMP with --seccomp=log: $(tail -1 qmp-log.log)"; }
cat qmp-log.log
expect_exit 0 30
grep -q 'the forbidden system call reboot(2) returned' "$VMM_ERR" ||
  { show_vmm; fail "--seccomp=log: the forbidden call did not run and return"; }
grep -q '"paused"' qmp-log.log || fail "--seccomp=log: query-status did not answer after the call"
echo "--seccomp=log: the forbidden call ran and the VMM went on"
