# The KVM profile of this run (ARMZ_KVM_PROFILE: native on Debian 12's 6.1
# kernel, s390 on 6.12; in s390 runs every armz-vmm gets --kvm-profile=s390).
#   s390:   the userspace GIC, PSCI answered by armz-vmm (the SMCCC filter
#           forwards it: CPU_ON of the second vCPU, SYSTEM_OFF), and each
#           part of KVM the s390 host lacks is logged as not used.
#   native: the kernel answers PSCI; on a kernel without the SMCCC filter
#           --kvm-profile=s390 is refused with a message naming it.
need_vmm
if [ "${ARMZ_KVM_PROFILE:-native}" = s390 ]; then
  start_vmm "profile" --vcpus 2 --debug --cmdline "$(guest_cmdline poweroff)"
  expect_out "ARMZ-GUEST INIT" 90 "guest /init"
  grep -q "ARMZ-GUEST INIT ncpu=2 " "$VMM_OUT" ||
    { show_vmm; fail "guest sees $(grep -o 'ncpu=[0-9]*' "$VMM_OUT") CPUs, expected 2"; }
  expect_exit 0 60
  for want in 'not using an in-kernel GIC' 'not using the in-kernel PSCI' \
              'forwarded to user space by the SMCCC filter' 'interrupt controller: userspace GICv2' \
              'vCPU 0: HVC 0xc4000003' 'PSCI CPU_ON 0x1 ' 'HVC 0x84000008'; do
    grep -qF "$want" "$VMM_ERR" || { show_vmm; fail "armz-vmm --debug did not log '$want'"; }
  done
  grep -E 'not using|CPU_ON|HVC 0x84000008' "$VMM_ERR"
else
  start_vmm "profile" --vcpus 2 --debug --cmdline "$(guest_cmdline poweroff)"
  expect_out "ARMZ-GUEST INIT ncpu=2 " 90 "guest /init with 2 CPUs"
  expect_exit 0 60
  grep -q 'PSCI in kernel' "$VMM_ERR" || { show_vmm; fail "PSCI is not in the kernel"; }
  grep -q 'not using' "$VMM_ERR" && { show_vmm; fail "the native profile refused something"; }
  case $(uname -r) in
    6.1.*)
      armz-vmm --kvm-profile=s390 --kernel "$ARMZ_GUEST_IMAGE" --initrd "$ARMZ_GUEST_INITRD" \
        --memory 128 --serial none >refused.out 2>&1
      st=$?
      cat refused.out
      [ "$st" = 1 ] || fail "--kvm-profile=s390 on Linux $(uname -r): exit status $st, expected 1"
      grep -q 'KVM_ARM_VM_SMCCC_FILTER, Linux 6.4 or later' refused.out ||
        fail "the refusal does not name the SMCCC filter and the kernel needed"
      ;;
  esac
fi
