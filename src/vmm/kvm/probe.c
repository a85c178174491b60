/* Capability probe of a KVM device for armz-host-validate, made of the
 * calls armz-vmm itself makes at start (kvm/kvm.c): open, KVM_CREATE_VM
 * with the IPA size it would choose, one vCPU, and the capabilities the
 * interrupt controller choice (irq/irqchip.c), virtio (ioeventfd) and
 * PSCI depend on. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vmm.h"
#include "layout.h"
#include "kvm/probe.h"

static void
vm_release(ArmzVm *vm)
{
    for (unsigned i = 0; vm->vcpus && i < vm->nvcpus; i++) {
        if (vm->vcpus[i].run)
            munmap(vm->vcpus[i].run, vm->run_size);
        if (vm->vcpus[i].fd > 0)
            close(vm->vcpus[i].fd);
    }
    g_free(vm->vcpus);
    /* the guest memory mapping of armz_kvm_create_vm is left to the
     * process's exit: its start is not kept */
    if (vm->vm_fd >= 0)
        close(vm->vm_fd);
    if (vm->kvm_fd >= 0)
        close(vm->kvm_fd);
    g_free(vm->kvm_path);
}

gboolean
armz_kvm_probe(const char *device, ArmzKvmProbe *probe, GError **error)
{
    ArmzOptions opts;
    ArmzVm vm;
    g_autoptr(GError) err = NULL;

    memset(probe, 0, sizeof(*probe));
    memset(&opts, 0, sizeof(opts));
    memset(&vm, 0, sizeof(vm));
    opts.kvm_device = (char *)device;
    vm.opts = &opts;
    vm.kvm_fd = vm.vm_fd = vm.vgic_fd = -1;
    vm.nvcpus = 1;
    vm.ram_base = ARMZ_RAM_BASE;
    vm.ram_size = 2 * 1024 * 1024;

    if (!armz_kvm_open(&vm, error)) {
        vm_release(&vm);
        return FALSE;
    }
    probe->device = g_strdup(vm.kvm_path);
    /* IBM Z's kvm-arm64 is the only /dev/kvm-arm64 */
    probe->profile = g_str_equal(vm.kvm_path, "/dev/kvm-arm64") ? ARMZ_KVM_PROFILE_S390
                                                                 : ARMZ_KVM_PROFILE_NATIVE;
    probe->api_version = ioctl(vm.kvm_fd, KVM_GET_API_VERSION, 0);
    probe->ipa_bits = armz_kvm_check_cap(&vm, ARMZ_KVM_CAP_ARM_VM_IPA_SIZE);
    probe->max_vcpus = armz_kvm_check_cap(&vm, ARMZ_KVM_CAP_MAX_VCPUS);
    if (probe->max_vcpus <= 0)
        probe->max_vcpus = armz_kvm_check_cap(&vm, ARMZ_KVM_CAP_NR_VCPUS);
    if (probe->max_vcpus <= 0)
        probe->max_vcpus = 4;

    if (!armz_kvm_create_vm(&vm, &err)) {
        probe->vm_error = g_strdup(err->message);
        vm_release(&vm);
        return TRUE;
    }
    probe->vm_created = TRUE;
    /* asked of the VM, as armz-vmm does once it has one */
    probe->vgic_v3 = armz_kvm_vgic_available(vm.vm_fd, ARMZ_KVM_DEV_TYPE_ARM_VGIC_V3);
    probe->vgic_v2 = armz_kvm_vgic_available(vm.vm_fd, ARMZ_KVM_DEV_TYPE_ARM_VGIC_V2);
    probe->user_irq = armz_kvm_check_cap(&vm, ARMZ_KVM_CAP_ARM_USER_IRQ) > 0;
    probe->ioeventfd = armz_kvm_check_cap(&vm, ARMZ_KVM_CAP_IOEVENTFD) > 0;
    probe->psci_0_2 = armz_kvm_check_cap(&vm, ARMZ_KVM_CAP_ARM_PSCI_0_2) > 0;
    probe->smccc_filter = armz_kvm_has_smccc_filter(vm.vm_fd);

    if (armz_kvm_create_vcpus(&vm, &err))
        probe->vcpu_created = TRUE;
    else
        probe->vcpu_error = g_strdup(err->message);
    vm_release(&vm);
    return TRUE;
}

void
armz_kvm_probe_clear(ArmzKvmProbe *probe)
{
    g_free(probe->device);
    g_free(probe->vm_error);
    g_free(probe->vcpu_error);
    memset(probe, 0, sizeof(*probe));
}
