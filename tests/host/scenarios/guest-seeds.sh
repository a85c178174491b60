# armz-timeout: 600
# The device tree's /chosen/kaslr-seed and rng-seed, as on QEMU's virt: the
# guest kernel places itself at a random address (KASLR) and seeds its
# entropy pool before /init. Per GIC path, a boot and a QMP system_reset
# in the same VMM: each boot gets its own seeds, so its own _stext.
need_vmm
texts=
# check_boot N WHAT: the Nth report in the VMM's output
check_boot() {
  local t
  t=$(sed -n 's/.*ARMZ-GUEST SEEDS text=\([0-9a-f]*\).*/\1/p' "$VMM_OUT" | sed -n "${1}p")
  case $t in ''|0000000000000000) show_vmm; fail "$2: no _stext address from the guest" ;; esac
  # the link-time address (_text + 64 KiB): where a kernel without a seed runs
  [ "$t" = ffff800008010000 ] && fail "$2: the kernel runs at its link address $t"
  case " $texts " in *" $t "*) fail "$2: _stext $t again (seen:$texts)" ;; esac
  texts="$texts $t"
  [ "$(grep -c "ARMZ-GUEST DMESG.*crng init done" "$VMM_OUT")" -ge "$1" ] ||
    fail "$2: the guest's entropy pool was not initialised by /init"
}
for irq in $(irqchips); do
  start_vmm "seeds-$irq" --irqchip "$irq" --qmp "$PWD/qmp.sock" --cmdline "$(guest_cmdline seeds)"
  expect_out "ARMZ-GUEST SEEDS-END" 90 "the guest's seeds report"
  check_boot 1 "$irq, first boot"
  qmp system_reset wait:RESET > reset.log 2>&1 || { cat reset.log; show_vmm; fail "QMP system_reset"; }
  n=900
  while [ "$(grep -c "ARMZ-GUEST SEEDS-END" "$VMM_OUT")" -lt 2 ] && [ $n -gt 0 ]; do
    alive "$VMM_PID" || break
    usleep 100000; n=$((n - 1))
  done
  grep "ARMZ-GUEST SEEDS\|ARMZ-GUEST DMESG" "$VMM_OUT"
  check_boot 2 "$irq, after the reset"
  grep -q "ARMZ-GUEST DMESG.*KASLR disabled" "$VMM_OUT" && fail "$irq: the guest kernel did not use the kaslr-seed"
  qmp quit > quit.log 2>&1 || { cat quit.log; fail "QMP quit failed"; }
  expect_exit 0 30
  rm -f qmp.sock
done
echo "the guest kernels ran at:$texts"
