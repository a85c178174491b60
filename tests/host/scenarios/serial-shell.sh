# Typing into the serial line reaches the guest's shell and its answer
# comes back (PL011 receive + interrupts), with each interrupt controller.
need_vmm
irqs="kernel userspace"
# the s390 profile has only the userspace GIC (boot-*-kernel check the refusal)
[ "${ARMZ_KVM_PROFILE:-native}" = s390 ] && irqs=userspace
for irq in $irqs; do
  start_vmm "shell-$irq" --vcpus 1 --irqchip "$irq" --cmdline "$(guest_cmdline shell)"
  expect_out "ARMZ-GUEST SHELL" 90 "guest shell ($irq)"
  sleep 1
  # the guest computes the answer: the echo of what was typed cannot match
  send_serial 'echo ARMZ-ECHO-$((6*7))'
  expect_out "ARMZ-ECHO-42" 60 "answer of the guest shell ($irq)"
  send_serial 'poweroff -f'
  expect_exit 0 60
  echo "serial shell works with irqchip $irq"
done
