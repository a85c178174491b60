# QMP system_reset reboots the guest inside the same VMM process: RESET
# event, and the guest's /init runs a second time.
need_vmm
start_vmm "reset" --vcpus 2 --qmp "$PWD/qmp.sock" --cmdline "$(guest_cmdline counter)"
expect_out "ARMZ-COUNT 1" 90 "guest counter"
qmp system_reset wait:RESET > reset.log 2>&1 || { cat reset.log; show_vmm; fail "QMP system_reset: $(tail -1 reset.log)"; }
cat reset.log
n=900
while [ "$(grep -c "ARMZ-GUEST INIT" "$VMM_OUT")" -lt 2 ] && [ $n -gt 0 ]; do
  alive "$VMM_PID" || break
  usleep 100000; n=$((n - 1))
done
[ "$(grep -c "ARMZ-GUEST INIT" "$VMM_OUT")" -ge 2 ] || { show_vmm; fail "the guest did not boot again after the reset"; }
echo "the guest rebooted: $(grep "ARMZ-GUEST INIT" "$VMM_OUT" | tail -1)"
qmp quit > quit.log 2>&1 || { cat quit.log; fail "QMP quit failed"; }
expect_exit 0 30
