# A guest's own reboot (PSCI SYSTEM_RESET) restarts it inside the same VMM
# process: RESET event with "guest": true, and its /init runs again.
need_vmm
start_vmm "reboot" --vcpus 2 --qmp "$PWD/qmp.sock" --cmdline "$(guest_cmdline reboot)"
qmp wait:RESET > reset.log 2>&1 &
client=$!
expect_out "ARMZ-GUEST REBOOTING" 90 "guest reboot"
wait $client || { cat reset.log; show_vmm; fail "no RESET event: $(tail -1 reset.log)"; }
cat reset.log
grep -q '"guest":true' reset.log || fail "the RESET event does not say guest: true"
n=900
while [ "$(grep -c "ARMZ-GUEST INIT" "$VMM_OUT")" -lt 2 ] && [ $n -gt 0 ]; do
  alive "$VMM_PID" || break
  usleep 100000; n=$((n - 1))
done
[ "$(grep -c "ARMZ-GUEST INIT" "$VMM_OUT")" -ge 2 ] || { show_vmm; fail "the guest did not boot again"; }
echo "the guest rebooted itself: $(grep "ARMZ-GUEST INIT" "$VMM_OUT" | tail -1)"
qmp quit > quit.log 2>&1 || { cat quit.log; fail "QMP quit failed"; }
expect_exit 0 30
