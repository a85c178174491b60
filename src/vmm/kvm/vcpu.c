/* vCPU threads: the KVM_RUN loop and its exits. */
#include <inttypes.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <glib/gi18n-lib.h>
#include "vmm.h"
#include "psci/psci.h"
#include "sandbox/seccomp.h"
#include "vmmlog.h"

#define ARMZ_KICK_SIGNAL SIGUSR1

__thread ArmzVcpu *armz_current_vcpu;

static void
kick_handler(int sig)
{
    (void)sig;      /* only interrupts KVM_RUN */
}

void
armz_vcpu_kick(ArmzVcpu *vcpu)
{
    /* immediate_exit covers a kick that lands just before KVM_RUN */
    vcpu->run->immediate_exit = 1;
    if (vcpu->started)
        pthread_kill(vcpu->thread, ARMZ_KICK_SIGNAL);
}

int
armz_vcpu_set_entry(ArmzVcpu *vcpu, uint64_t pc, uint64_t x0)
{
    if (armz_kvm_set_reg(vcpu, ARMZ_CORE_REG(ARMZ_CORE_OFF_PSTATE), ARMZ_PSTATE_EL1H_DAIF) < 0 ||
        armz_kvm_set_reg(vcpu, ARMZ_CORE_REG(ARMZ_CORE_OFF_X(0)), x0) < 0 ||
        armz_kvm_set_reg(vcpu, ARMZ_CORE_REG(ARMZ_CORE_OFF_X(1)), 0) < 0 ||
        armz_kvm_set_reg(vcpu, ARMZ_CORE_REG(ARMZ_CORE_OFF_X(2)), 0) < 0 ||
        armz_kvm_set_reg(vcpu, ARMZ_CORE_REG(ARMZ_CORE_OFF_X(3)), 0) < 0 ||
        armz_kvm_set_reg(vcpu, ARMZ_CORE_REG(ARMZ_CORE_OFF_PC), pc) < 0)
        return -1;
    return 0;
}

static void
handle_mmio(ArmzVcpu *vcpu)
{
    struct kvm_run *run = vcpu->run;
    armz_mmio_bus_access(vcpu->vm->bus, run->mmio.phys_addr, run->mmio.data,
                         run->mmio.len, run->mmio.is_write != 0);
}

static gboolean
handle_system_event(ArmzVcpu *vcpu)
{
    ArmzVm *vm = vcpu->vm;
    switch (vcpu->run->system_event.type) {
    case ARMZ_KVM_SYSTEM_EVENT_SHUTDOWN:
        armz_vmm_debug("vCPU %u: system event SHUTDOWN", vcpu->index);
        armz_vm_request_shutdown(vm);
        return TRUE;
    case ARMZ_KVM_SYSTEM_EVENT_RESET:
        armz_vmm_debug("vCPU %u: system event RESET", vcpu->index);
        armz_vm_request_reset(vm);
        return TRUE;
    case ARMZ_KVM_SYSTEM_EVENT_CRASH:
        armz_vm_request_fatal(vm, g_strdup(_("the guest reported a crash (system event CRASH)")));
        return FALSE;
    default:
        armz_vmm_warn(_("vCPU %u: ignoring system event type %u"), vcpu->index,
                      vcpu->run->system_event.type);
        return TRUE;
    }
}

/* An HVC (or SMC) the kernel passed to user space: PSCI.  The function id
 * is hypercall.nr, the arguments are in x1..x3; PC already points past the
 * HVC or SMC (the uAPI of KVM_EXIT_HYPERCALL on arm64), so only x0 is
 * written back. */
void
armz_vcpu_hypercall(ArmzVcpu *vcpu)
{
    ArmzVm *vm = vcpu->vm;
    uint64_t x[4] = { vcpu->run->hypercall.nr, 0, 0, 0 };
    uint64_t flags;
    ArmzPsciAction action;
    int64_t ret;

    for (unsigned i = 1; i < 4; i++) {
        if (armz_kvm_get_reg(vcpu, ARMZ_CORE_REG(ARMZ_CORE_OFF_X(i)), &x[i]) < 0) {
            armz_vm_request_fatal(vm, g_strdup_printf(
                _("vCPU %u: cannot read x%u for a hypercall: %s"), vcpu->index, i,
                g_strerror(errno)));
            return;
        }
    }
    /* flags is a u64 where older headers have the u32 longmode */
    memcpy(&flags, (const char *)vcpu->run + offsetof(struct kvm_run, hypercall.longmode),
           sizeof(flags));
    armz_vmm_debug("vCPU %u: %s 0x%08" G_GINT64_MODIFIER "x", vcpu->index,
                   flags & ARMZ_KVM_HYPERCALL_EXIT_SMC ? "SMC" : "HVC", (guint64)x[0]);
    ret = armz_psci_call(vm, vcpu, x, &action);
    switch (action) {
    case ARMZ_PSCI_ACT_RETURN:
        if (armz_kvm_set_reg(vcpu, ARMZ_CORE_REG(ARMZ_CORE_OFF_X(0)), (uint64_t)ret) < 0)
            armz_vm_request_fatal(vm, g_strdup_printf(
                _("vCPU %u: cannot return a hypercall's result in x0: %s"), vcpu->index,
                g_strerror(errno)));
        break;
    case ARMZ_PSCI_ACT_SYSTEM_OFF:
        armz_vm_request_shutdown(vm);
        break;
    case ARMZ_PSCI_ACT_SYSTEM_RESET:
        armz_vm_request_reset(vm);
        break;
    case ARMZ_PSCI_ACT_NONE:
        break;
    }
}

/* Returns FALSE when the thread must end. */
static gboolean
vcpu_run_once(ArmzVcpu *vcpu)
{
    ArmzVm *vm = vcpu->vm;
    struct kvm_run *run = vcpu->run;
    int r, err;

    if (vm->irqchip == ARMZ_IRQ_USER_GICV2)
        armz_irqchip_apply_line(vcpu);
    r = ioctl(vcpu->fd, KVM_RUN, 0);
    err = errno;

    if (vm->irqchip == ARMZ_IRQ_USER_GICV2)
        armz_irqchip_sync_timer(vcpu);
    if (r < 0) {
        if (err == EINTR || err == EAGAIN)
            return TRUE;
        armz_vm_request_fatal(vm, g_strdup_printf(_("KVM_RUN of vCPU %u failed: %s"),
                                                  vcpu->index, g_strerror(err)));
        return FALSE;
    }
    switch (run->exit_reason) {
    case ARMZ_KVM_EXIT_MMIO:
        handle_mmio(vcpu);
        return TRUE;
    case ARMZ_KVM_EXIT_HYPERCALL:
        armz_vcpu_hypercall(vcpu);
        return TRUE;
    case ARMZ_KVM_EXIT_SYSTEM_EVENT:
        return handle_system_event(vcpu);
    case ARMZ_KVM_EXIT_INTR:
        return TRUE;
    case ARMZ_KVM_EXIT_ARM_NISV:
        armz_vm_request_fatal(vm, g_strdup_printf(
            _("vCPU %u accessed device memory at 0x%" PRIx64
              " with an instruction KVM cannot decode"),
            vcpu->index, (guint64)run->arm_nisv.fault_ipa));
        return FALSE;
    case ARMZ_KVM_EXIT_FAIL_ENTRY:
        armz_vm_request_fatal(vm, g_strdup_printf(
            _("vCPU %u failed to enter the guest (reason 0x%" PRIx64 ")"),
            vcpu->index, (guint64)run->fail_entry.hardware_entry_failure_reason));
        return FALSE;
    case ARMZ_KVM_EXIT_INTERNAL_ERROR:
        armz_vm_request_fatal(vm, g_strdup_printf(
            _("vCPU %u: KVM internal error (suberror %u)"),
            vcpu->index, run->internal.suberror));
        return FALSE;
    default:
        armz_vm_request_fatal(vm, g_strdup_printf(_("vCPU %u: unexpected KVM exit reason %u"),
                                                  vcpu->index, run->exit_reason));
        return FALSE;
    }
}

static void *
vcpu_thread(void *opaque)
{
    ArmzVcpu *vcpu = opaque;
    sigset_t set;
    char name[16];

    g_snprintf(name, sizeof(name), "vcpu%u", vcpu->index);
    pthread_setname_np(pthread_self(), name);
    armz_mmio_cpu = vcpu->index;
    armz_current_vcpu = vcpu;
    sigemptyset(&set);
    sigaddset(&set, ARMZ_KICK_SIGNAL);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    armz_seccomp_enter(ARMZ_SANDBOX_VCPU);     /* before the guest runs */

    while (armz_vm_vcpu_wait(vcpu)) {
        if (!vcpu_run_once(vcpu)) {
            /* fatal: park until the main thread ends the process */
            g_mutex_lock(&vcpu->vm->lock);
            vcpu->vm->hold++;
            g_mutex_unlock(&vcpu->vm->lock);
        }
    }
    return NULL;
}

gboolean
armz_vcpus_start(ArmzVm *vm, GError **error)
{
    struct sigaction sa;
    sigset_t set, old;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = kick_handler;      /* no SA_RESTART: KVM_RUN returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(ARMZ_KICK_SIGNAL, &sa, NULL);

    /* threads start with every signal blocked (the main loop handles them),
     * then unblock the kick signal themselves */
    sigfillset(&set);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    /* under the lock: kicks (which read STARTED) are made under it too */
    g_mutex_lock(&vm->lock);
    for (unsigned i = 0; i < vm->nvcpus; i++) {
        ArmzVcpu *v = &vm->vcpus[i];
        int r = pthread_create(&v->thread, NULL, vcpu_thread, v);
        if (r != 0) {
            g_mutex_unlock(&vm->lock);
            pthread_sigmask(SIG_SETMASK, &old, NULL);
            g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot start the thread of vCPU %u: %s"),
                        i, g_strerror(r));
            return FALSE;
        }
        v->started = TRUE;
    }
    g_mutex_unlock(&vm->lock);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return TRUE;
}
