/* Userspace PSCI 1.0 (HVC calls that exit with KVM_EXIT_HYPERCALL), for
 * kernels without in-kernel PSCI (s390x kvm-arm64) and for the s390 KVM
 * profile, where the SMCCC filter forwards the PSCI ranges (kvm/smccc.c).
 * With in-kernel PSCI the kernel handles the calls and reports
 * SYSTEM_OFF/RESET as KVM_EXIT_SYSTEM_EVENT (see kvm/vcpu.c).
 *
 * SMCCC itself is 1.0 here: PSCI_FEATURES says SMCCC_VERSION is not
 * supported, so guests do not go on to SMCCC_ARCH_FEATURES (the
 * firmware workaround queries), which the s390 host could not answer.
 *
 * This file holds the decisions only (no KVM calls), so that unit tests can
 * drive it; kvm/vcpu.c reads x0-x3 and writes x0 back. */
#include <glib/gi18n-lib.h>
#include "psci/psci.h"
#include "vmmlog.h"

void
armz_psci_reset_power(ArmzVm *vm)
{
    g_mutex_lock(&vm->lock);
    for (unsigned i = 0; i < vm->nvcpus; i++)
        vm->vcpus[i].power = (i == 0 || vm->kernel_psci) ? ARMZ_VCPU_ON : ARMZ_VCPU_OFF;
    g_mutex_unlock(&vm->lock);
}

ArmzVcpu *
armz_psci_find_mpidr(ArmzVm *vm, uint64_t mpidr)
{
    mpidr &= 0xff00ffffffull;
    for (unsigned i = 0; i < vm->nvcpus; i++)
        if (vm->vcpus[i].mpidr == mpidr)
            return &vm->vcpus[i];
    return NULL;
}

static int64_t
psci_cpu_on(ArmzVcpu *self, uint64_t target, uint64_t entry, uint64_t ctx)
{
    ArmzVm *vm = self->vm;
    ArmzVcpu *t = armz_psci_find_mpidr(vm, target);
    int64_t ret = ARMZ_PSCI_RET_SUCCESS;

    if (!t)
        return ARMZ_PSCI_RET_INVALID_PARAMS;
    g_mutex_lock(&vm->lock);
    switch (t->power) {
    case ARMZ_VCPU_ON:
        ret = ARMZ_PSCI_RET_ALREADY_ON;
        break;
    case ARMZ_VCPU_ON_PENDING:
        ret = ARMZ_PSCI_RET_ON_PENDING;
        break;
    case ARMZ_VCPU_OFF:
        t->entry = entry;
        t->context = ctx;
        t->power = ARMZ_VCPU_ON_PENDING;
        g_cond_broadcast(&vm->cond);
        break;
    }
    g_mutex_unlock(&vm->lock);
    armz_vmm_debug("PSCI CPU_ON 0x%" G_GINT64_MODIFIER "x entry 0x%" G_GINT64_MODIFIER
                   "x: %" G_GINT64_FORMAT, (guint64)target, (guint64)entry, (gint64)ret);
    return ret;
}

static int64_t
psci_affinity_info(ArmzVm *vm, uint64_t target, uint64_t level)
{
    ArmzVcpu *t;
    int64_t ret;

    if (level != 0)
        return ARMZ_PSCI_RET_INVALID_PARAMS;
    t = armz_psci_find_mpidr(vm, target);
    if (!t)
        return ARMZ_PSCI_RET_INVALID_PARAMS;
    g_mutex_lock(&vm->lock);
    ret = t->power == ARMZ_VCPU_ON ? ARMZ_PSCI_AFFINITY_ON :
          t->power == ARMZ_VCPU_ON_PENDING ? ARMZ_PSCI_AFFINITY_ON_PENDING :
          ARMZ_PSCI_AFFINITY_OFF;
    g_mutex_unlock(&vm->lock);
    return ret;
}

static int64_t
psci_features(uint32_t fn)
{
    switch (fn) {
    case ARMZ_PSCI_VERSION:
    case ARMZ_PSCI_CPU_SUSPEND:
    case ARMZ_PSCI_CPU_SUSPEND64:
    case ARMZ_PSCI_CPU_OFF:
    case ARMZ_PSCI_CPU_ON:
    case ARMZ_PSCI_CPU_ON64:
    case ARMZ_PSCI_AFFINITY_INFO:
    case ARMZ_PSCI_AFFINITY_INFO64:
    case ARMZ_PSCI_MIGRATE_INFO_TYPE:
    case ARMZ_PSCI_SYSTEM_OFF:
    case ARMZ_PSCI_SYSTEM_RESET:
    case ARMZ_PSCI_FEATURES:
        return 0;
    default:
        return ARMZ_PSCI_RET_NOT_SUPPORTED;
    }
}

int64_t
armz_psci_call(ArmzVm *vm, ArmzVcpu *vcpu, const uint64_t x[4], ArmzPsciAction *action)
{
    uint32_t fn = (uint32_t)x[0];
    uint64_t a1 = x[1], a2 = x[2], a3 = x[3];

    *action = ARMZ_PSCI_ACT_RETURN;
    switch (fn) {
    case ARMZ_PSCI_VERSION:
        return 0x00010000;      /* PSCI 1.0 */
    case ARMZ_PSCI_FEATURES:
        return psci_features((uint32_t)a1);
    case ARMZ_PSCI_CPU_ON:
    case ARMZ_PSCI_CPU_ON64:
        if (fn == ARMZ_PSCI_CPU_ON) {   /* SMC32: 32-bit arguments */
            a1 &= 0xffffffffu;
            a2 &= 0xffffffffu;
            a3 &= 0xffffffffu;
        }
        return psci_cpu_on(vcpu, a1, a2, a3);
    case ARMZ_PSCI_CPU_OFF:
        g_mutex_lock(&vm->lock);
        vcpu->power = ARMZ_VCPU_OFF;
        g_mutex_unlock(&vm->lock);
        *action = ARMZ_PSCI_ACT_NONE;   /* does not return */
        return 0;
    case ARMZ_PSCI_CPU_SUSPEND:
    case ARMZ_PSCI_CPU_SUSPEND64:
        /* standby: wake up at once, as an interrupt would */
        return ARMZ_PSCI_RET_SUCCESS;
    case ARMZ_PSCI_AFFINITY_INFO:
    case ARMZ_PSCI_AFFINITY_INFO64:
        if (fn == ARMZ_PSCI_AFFINITY_INFO)
            a1 &= 0xffffffffu;
        return psci_affinity_info(vm, a1, a2);
    case ARMZ_PSCI_MIGRATE_INFO_TYPE:
        return 2;               /* no trusted OS to migrate */
    case ARMZ_PSCI_SYSTEM_OFF:
        *action = ARMZ_PSCI_ACT_SYSTEM_OFF;
        return 0;
    case ARMZ_PSCI_SYSTEM_RESET:
        *action = ARMZ_PSCI_ACT_SYSTEM_RESET;
        return 0;
    case ARMZ_SMCCC_VERSION:        /* SMCCC 1.0: neither call exists */
    case ARMZ_SMCCC_ARCH_FEATURES:
        return ARMZ_PSCI_RET_NOT_SUPPORTED;
    default:
        armz_vmm_debug("vCPU %u: unsupported hypercall 0x%08x", vcpu->index, fn);
        return ARMZ_PSCI_RET_NOT_SUPPORTED;
    }
}
