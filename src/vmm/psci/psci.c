/* Userspace PSCI 1.0 (HVC calls that exit with KVM_EXIT_HYPERCALL), for
 * kernels without in-kernel PSCI (s390x kvm-arm64).  With in-kernel PSCI the
 * kernel handles the calls and reports SYSTEM_OFF/RESET as
 * KVM_EXIT_SYSTEM_EVENT (see kvm/vcpu.c). */
#include <glib/gi18n-lib.h>
#include "vmm.h"
#include "vmmlog.h"

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

void
armz_psci_hypercall(ArmzVcpu *vcpu)
{
    ArmzVm *vm = vcpu->vm;
    uint64_t x[4] = { 0, 0, 0, 0 };
    int64_t ret = ARMZ_PSCI_RET_NOT_SUPPORTED;
    gboolean set_ret = TRUE;
    uint32_t fn;

    for (unsigned i = 0; i < 4; i++) {
        if (armz_kvm_get_reg(vcpu, ARMZ_CORE_REG(ARMZ_CORE_OFF_X(i)), &x[i]) < 0) {
            armz_vm_request_fatal(vm, g_strdup_printf(
                _("vCPU %u: cannot read x%u for a hypercall"), vcpu->index, i));
            return;
        }
    }
    fn = (uint32_t)x[0];
    /* an SMC (flag bit 0) exits with PC on the instruction: step over it */
    if (vcpu->run->hypercall.longmode & 1) {
        uint64_t pc;
        if (armz_kvm_get_reg(vcpu, ARMZ_CORE_REG(ARMZ_CORE_OFF_PC), &pc) == 0)
            armz_kvm_set_reg(vcpu, ARMZ_CORE_REG(ARMZ_CORE_OFF_PC), pc + 4);
    }

    switch (fn) {
    case ARMZ_PSCI_VERSION:
        ret = 0x00010000;       /* PSCI 1.0 */
        break;
    case ARMZ_PSCI_FEATURES:
        ret = psci_features((uint32_t)x[1]);
        break;
    case ARMZ_PSCI_CPU_ON:
    case ARMZ_PSCI_CPU_ON64:
        if (fn == ARMZ_PSCI_CPU_ON) {
            x[1] &= 0xffffffffu;
            x[2] &= 0xffffffffu;
            x[3] &= 0xffffffffu;
        }
        ret = psci_cpu_on(vcpu, x[1], x[2], x[3]);
        break;
    case ARMZ_PSCI_CPU_OFF:
        g_mutex_lock(&vm->lock);
        vcpu->power = ARMZ_VCPU_OFF;
        g_mutex_unlock(&vm->lock);
        set_ret = FALSE;        /* does not return */
        break;
    case ARMZ_PSCI_CPU_SUSPEND:
    case ARMZ_PSCI_CPU_SUSPEND64:
        /* standby: wake up at once, as an interrupt would */
        ret = ARMZ_PSCI_RET_SUCCESS;
        break;
    case ARMZ_PSCI_AFFINITY_INFO:
    case ARMZ_PSCI_AFFINITY_INFO64:
        ret = psci_affinity_info(vm, x[1], x[2]);
        break;
    case ARMZ_PSCI_MIGRATE_INFO_TYPE:
        ret = 2;                /* no trusted OS to migrate */
        break;
    case ARMZ_PSCI_SYSTEM_OFF:
        armz_vm_request_shutdown(vm);
        set_ret = FALSE;
        break;
    case ARMZ_PSCI_SYSTEM_RESET:
        armz_vm_request_reset(vm);
        set_ret = FALSE;
        break;
    default:
        armz_vmm_debug("vCPU %u: unsupported hypercall 0x%08x", vcpu->index, fn);
        break;
    }
    if (set_ret)
        armz_kvm_set_reg(vcpu, ARMZ_CORE_REG(ARMZ_CORE_OFF_X(0)), (uint64_t)ret);
}
