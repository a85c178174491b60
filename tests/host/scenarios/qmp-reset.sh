# armz-timeout: 600
# QMP system_reset reboots the guest inside the same VMM process: RESET
# event, and the guest's /init runs again. The second reset comes right as
# the rebooted guest reaches /init (timer and IPIs busy), which is where an
# interrupt left active in the in-kernel vGIC used to hang the next boot;
# the VMM must clear that state without a warning.
# The boot files are read again at each reset: before the second, the
# initrd is replaced by a rename (the guest boots the one it started
# with); at the end, the kernel rewritten in place is refused by name and
# the guest runs on.
need_vmm
cp "$ARMZ_GUEST_IMAGE" kernel.copy && cp "$ARMZ_GUEST_INITRD" initrd.copy ||
  fail "cannot copy the guest's boot files"
VMM_KERNEL=$PWD/kernel.copy VMM_INITRD=$PWD/initrd.copy
start_vmm "reset" --vcpus 2 --qmp "$PWD/qmp.sock" --cmdline "$(guest_cmdline counter)"
expect_out "ARMZ-COUNT 1" 90 "guest counter"
boots=1
for round in 1 2; do
  if [ $round = 2 ]; then
    head -c 4096 /dev/zero > initrd.new && mv initrd.new initrd.copy || fail "cannot replace the initrd"
  fi
  qmp system_reset wait:RESET > reset.log 2>&1 || { cat reset.log; show_vmm; fail "QMP system_reset $round: $(tail -1 reset.log)"; }
  cat reset.log
  boots=$((boots + 1))
  # (the s390 profile's 2-vCPU boot with userspace PSCI, beside another
  # emulated host on 2 cores, once took more than 90 s here)
  n=2400
  while [ "$(grep -c "ARMZ-GUEST INIT" "$VMM_OUT")" -lt $boots ] && [ $n -gt 0 ]; do
    alive "$VMM_PID" || break
    usleep 100000; n=$((n - 1))
  done
  [ "$(grep -c "ARMZ-GUEST INIT" "$VMM_OUT")" -ge $boots ] ||
    { show_vmm; fail "the guest did not boot again after reset $round"; }
  echo "the guest rebooted ($round): $(grep "ARMZ-GUEST INIT" "$VMM_OUT" | tail -1)"
done
# the last boot's counter runs: its timer interrupts arrive
n=600
while [ "$(grep -c "ARMZ-COUNT 2" "$VMM_OUT")" -lt $boots ] && [ $n -gt 0 ]; do
  alive "$VMM_PID" || break
  usleep 100000; n=$((n - 1))
done
[ "$(grep -c "ARMZ-COUNT 2" "$VMM_OUT")" -ge $boots ] ||
  { show_vmm; fail "the guest's counter did not run after the last reset"; }
if grep -q "resetting the in-kernel GIC" "$VMM_ERR"; then
  show_vmm; fail "vGIC reset: $(grep "resetting the in-kernel GIC" "$VMM_ERR" | head -1)"
fi
# the kernel truncated in place: the reset fails before anything is torn
# down, naming the file and its sizes, and the guest's counter goes on
: > kernel.copy
qmp system_reset > refused.log 2>&1 && { cat refused.log; fail "a reset with the kernel truncated succeeded"; }
cat refused.log
grep -q "kernel.copy has changed size since armz-vmm started" refused.log ||
  fail "the refused reset does not name the kernel: $(tail -1 refused.log)"
counted=$(grep -c "ARMZ-COUNT" "$VMM_OUT")
n=300
while [ "$(grep -c "ARMZ-COUNT" "$VMM_OUT")" -le "$counted" ] && [ $n -gt 0 ]; do
  alive "$VMM_PID" || break
  usleep 100000; n=$((n - 1))
done
[ "$(grep -c "ARMZ-COUNT" "$VMM_OUT")" -gt "$counted" ] ||
  { show_vmm; fail "the guest did not run on after the refused reset"; }
qmp quit > quit.log 2>&1 || { cat quit.log; fail "QMP quit failed"; }
expect_exit 0 30
