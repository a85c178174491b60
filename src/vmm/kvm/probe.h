/* What a KVM device offers armz-vmm, found with the VMM's own code
 * (kvm/kvm.c): armz-host-validate reports it, so its verdict is the one
 * armz-vmm would reach when it starts a guest. */
#pragma once
#include <string.h>
#include <sys/ioctl.h>
#include <glib.h>
#include "kvm/arm64-uapi.h"
#include "kvm/profile.h"

typedef struct {
    char *device;           /* the device opened (NULL: none could be) */
    int api_version;
    int ipa_bits;           /* KVM_CAP_ARM_VM_IPA_SIZE; 0: not arm64 KVM */
    int max_vcpus;          /* KVM_CAP_MAX_VCPUS (or NR_VCPUS, or 4) */
    gboolean vm_created;    /* KVM_CREATE_VM with guest memory */
    char *vm_error;         /* why not */
    gboolean vgic_v3;       /* in-kernel GICv3 (KVM_CREATE_DEVICE test) */
    gboolean vgic_v2;
    gboolean user_irq;      /* KVM_CAP_ARM_USER_IRQ: userspace GIC fallback */
    gboolean ioeventfd;     /* KVM_CAP_IOEVENTFD */
    gboolean psci_0_2;      /* KVM_CAP_ARM_PSCI_0_2: PSCI in the kernel */
    gboolean smccc_filter;  /* KVM_ARM_VM_SMCCC_FILTER: --kvm-profile=s390 works here */
    ArmzKvmProfile profile; /* what the device is: s390 for /dev/kvm-arm64 */
    gboolean vcpu_created;  /* KVM_CREATE_VCPU + KVM_ARM_VCPU_INIT */
    char *vcpu_error;
} ArmzKvmProbe;

/* Opens DEVICE (NULL: /dev/kvm-arm64, then /dev/kvm, as armz-vmm does)
 * and fills PROBE. FALSE with ERROR when no KVM device can be opened or
 * it has the wrong API version; a device that opens but cannot make an
 * arm64 VM returns TRUE with the shortcomings in PROBE. */
gboolean armz_kvm_probe(const char *device, ArmzKvmProbe *probe, GError **error);
void armz_kvm_probe_clear(ArmzKvmProbe *probe);

/* Whether the VM VM_FD can have an in-kernel vGIC of TYPE
 * (ARMZ_KVM_DEV_TYPE_ARM_VGIC_V3/_V2): KVM_CREATE_DEVICE with the TEST
 * flag, which creates nothing. armz-vmm's interrupt controller choice
 * (irq/irqchip.c) and this probe both ask it here, so they cannot differ;
 * inline because armz-vmm does not link the probe. */
static inline gboolean
armz_kvm_vgic_available(int vm_fd, uint32_t type)
{
    struct kvm_create_device cd;

    memset(&cd, 0, sizeof(cd));
    cd.type = type;
    cd.flags = ARMZ_KVM_CREATE_DEVICE_TEST;
    return ioctl(vm_fd, KVM_CREATE_DEVICE, &cd) == 0;
}
