# QMP system_powerdown presses the power key (PL061 GPIO, gpio-keys): the
# guest powers off, the client sees SHUTDOWN and armz-vmm exits 0.
need_vmm
start_vmm "powerdown" --vcpus 1 --qmp "$PWD/qmp.sock" --cmdline "$(guest_cmdline wait)"
expect_out "ARMZ-GUEST (POWERKEY-READY|NO-POWERKEY)" 90 "guest /init"
grep -q "ARMZ-GUEST NO-POWERKEY" "$VMM_OUT" && { show_vmm; fail "the guest has no power key (/dev/input/event0)"; }
qmp query-status system_powerdown wait:POWERDOWN wait:SHUTDOWN > qmp.log 2>&1 ||
  { cat qmp.log; show_vmm; fail "QMP: $(tail -1 qmp.log)"; }
cat qmp.log
expect_out "ARMZ-GUEST POWERKEY" 30 "guest saw the power key"
expect_exit 0 60
