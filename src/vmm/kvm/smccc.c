/* Where PSCI is answered: by the kernel (in-kernel PSCI 0.2+), or by
 * armz-vmm (psci/psci.c) when the guest's HVC/SMC reaches user space as
 * KVM_EXIT_HYPERCALL: on the s390 host, which has no in-kernel PSCI, and in
 * the s390 profile on arm64 KVM, where the SMCCC filter (Linux 6.4+)
 * forwards the PSCI function ranges to user space. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <glib/gi18n-lib.h>
#include "vmm.h"
#include "vmmlog.h"

/* KVM_HAS_DEVICE_ATTR of the SMCCC filter on the VM */
gboolean
armz_kvm_has_smccc_filter(int vm_fd)
{
    struct kvm_device_attr a;

    memset(&a, 0, sizeof(a));
    a.group = ARMZ_KVM_ARM_VM_SMCCC_CTRL;
    a.attr = ARMZ_KVM_ARM_VM_SMCCC_FILTER;
    return ioctl(vm_fd, KVM_HAS_DEVICE_ATTR, &a) == 0;
}

static int
forward_range(ArmzVm *vm, uint32_t base)
{
    struct armz_kvm_smccc_filter f;
    struct kvm_device_attr a;

    memset(&f, 0, sizeof(f));
    f.base = base;
    f.nr_functions = ARMZ_PSCI_RANGE_SIZE;
    f.action = ARMZ_KVM_SMCCC_FILTER_FWD_TO_USER;
    memset(&a, 0, sizeof(a));
    a.group = ARMZ_KVM_ARM_VM_SMCCC_CTRL;
    a.attr = ARMZ_KVM_ARM_VM_SMCCC_FILTER;
    a.addr = (uintptr_t)&f;
    return ioctl(vm->vm_fd, KVM_SET_DEVICE_ATTR, &a);
}

gboolean
armz_kvm_psci_setup(ArmzVm *vm, GError **error)
{
    struct utsname u;

    if (armz_vm_kvm_profile(vm) == ARMZ_KVM_PROFILE_NATIVE) {
        vm->kernel_psci = armz_kvm_check_cap(vm, ARMZ_KVM_CAP_ARM_PSCI_0_2) > 0;
        return TRUE;
    }
    /* s390 profile: never the kernel's PSCI */
    vm->kernel_psci = FALSE;
    armz_vmm_info(_("KVM profile s390: not using the in-kernel PSCI (the s390 host lacks it)"));
    if (armz_kvm_has_smccc_filter(vm->vm_fd)) {
        /* before any vCPU runs: KVM refuses (EBUSY) afterwards */
        if (forward_range(vm, ARMZ_PSCI_FN(0)) < 0 || forward_range(vm, ARMZ_PSCI_FN64(0)) < 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("KVM device %s: the SMCCC filter refuses to forward the PSCI "
                          "functions to user space (KVM_ARM_VM_SMCCC_FILTER): %s"),
                        vm->kvm_path, g_strerror(errno));
            return FALSE;
        }
        vm->smccc_filter = TRUE;
        armz_vmm_debug("PSCI calls forwarded to user space by the SMCCC filter");
        return TRUE;
    }
    /* the series' device passes every hypercall to user space: no filter
     * is needed there.  An arm64 kernel without the filter would answer
     * PSCI itself, which is not what the s390 host does. */
    if (vm->kvm_path && g_str_equal(vm->kvm_path, "/dev/kvm-arm64"))
        return TRUE;
    if (uname(&u) < 0)
        g_strlcpy(u.release, "?", sizeof(u.release));
    g_set_error(error, ARMZ_VMM_ERROR, 0,
                _("--kvm-profile=s390 answers PSCI in user space, which needs the SMCCC "
                  "filter of KVM (KVM_ARM_VM_SMCCC_FILTER, Linux 6.4 or later); KVM device "
                  "%s of Linux %s lacks it"), vm->kvm_path, u.release);
    return FALSE;
}
