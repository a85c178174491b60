/* Userspace PSCI: the calls a guest makes with HVC when the kernel does not
 * handle them (KVM_EXIT_HYPERCALL). */
#pragma once
#include <stdint.h>
#include "vmm.h"

typedef enum {
    ARMZ_PSCI_ACT_RETURN,       /* write the result to x0, continue */
    ARMZ_PSCI_ACT_NONE,         /* the call does not return (CPU_OFF) */
    ARMZ_PSCI_ACT_SYSTEM_OFF,
    ARMZ_PSCI_ACT_SYSTEM_RESET,
} ArmzPsciAction;

/* X holds x0 (function id) to x3 of the calling VCPU. Returns the value for
 * x0; *ACTION says what the caller must do. Takes vm->lock for vCPU power
 * states; CPU_ON wakes the target's thread (armz_vm_vcpu_wait). */
int64_t armz_psci_call(ArmzVm *vm, ArmzVcpu *vcpu, const uint64_t x[4], ArmzPsciAction *action);
/* Power states at VM creation and after a system reset: vCPU 0 on, the
 * others off until CPU_ON (all on where the kernel does PSCI). */
void armz_psci_reset_power(ArmzVm *vm);
ArmzVcpu *armz_psci_find_mpidr(ArmzVm *vm, uint64_t mpidr);
