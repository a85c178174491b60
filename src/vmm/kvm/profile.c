/* KVM profiles (see kvm/profile.h). */
#include <string.h>
#include "kvm/profile.h"
#include "kvm/arm64-uapi.h"

/* KVM_CHECK_EXTENSION answers non-zero on /dev/kvm-arm64 of the series only
 * for these (DESIGN.md section 2) */
static const long s390_caps[] = {
    ARMZ_KVM_CAP_NR_VCPUS,
    ARMZ_KVM_CAP_MAX_VCPUS,
    ARMZ_KVM_CAP_MAX_VCPU_ID,
    ARMZ_KVM_CAP_ARM_VM_IPA_SIZE,
    ARMZ_KVM_CAP_IOEVENTFD,
    ARMZ_KVM_CAP_ARM_USER_IRQ,
};

/* the only vCPU feature of the series: secondaries start powered off until
 * the userspace PSCI's CPU_ON */
#define S390_VCPU_FEATURES (1u << ARMZ_KVM_ARM_VCPU_POWER_OFF)

gboolean
armz_kvm_profile_parse(const char *name, ArmzKvmProfile *profile)
{
    if (g_str_equal(name, "native"))
        *profile = ARMZ_KVM_PROFILE_NATIVE;
    else if (g_str_equal(name, "s390"))
        *profile = ARMZ_KVM_PROFILE_S390;
    else
        return FALSE;
    return TRUE;
}

gboolean
armz_kvm_profile_parse_spec(const char *spec, ArmzKvmProfile *profile, gboolean *readonly_mem)
{
    *readonly_mem = g_str_equal(spec, "s390+readonly-mem");
    return armz_kvm_profile_parse(*readonly_mem ? "s390" : spec, profile);
}

gboolean
armz_kvm_profile_offers_cap(ArmzKvmProfile profile, gboolean readonly_mem, long cap)
{
    return (readonly_mem && cap == ARMZ_KVM_CAP_READONLY_MEM) ||
           armz_kvm_profile_allows_cap(profile, cap);
}

const char *
armz_kvm_profile_name(ArmzKvmProfile profile)
{
    return profile == ARMZ_KVM_PROFILE_S390 ? "s390" : "native";
}

gboolean
armz_kvm_profile_allows_cap(ArmzKvmProfile profile, long cap)
{
    if (profile == ARMZ_KVM_PROFILE_NATIVE)
        return TRUE;
    for (size_t i = 0; i < G_N_ELEMENTS(s390_caps); i++)
        if (s390_caps[i] == cap)
            return TRUE;
    return FALSE;
}

gboolean
armz_kvm_profile_allows_vgic(ArmzKvmProfile profile)
{
    return profile == ARMZ_KVM_PROFILE_NATIVE;
}

uint32_t
armz_kvm_profile_vcpu_features(ArmzKvmProfile profile, uint32_t features0, uint32_t *refused)
{
    uint32_t allowed = profile == ARMZ_KVM_PROFILE_NATIVE ? ~0u : S390_VCPU_FEATURES;

    *refused = features0 & ~allowed;
    return features0 & allowed;
}

const char *
armz_kvm_cap_name(long cap)
{
    static _Thread_local char buf[32];

    switch (cap) {
    case ARMZ_KVM_CAP_NR_VCPUS: return "KVM_CAP_NR_VCPUS";
    case ARMZ_KVM_CAP_IOEVENTFD: return "KVM_CAP_IOEVENTFD";
    case ARMZ_KVM_CAP_MAX_VCPUS: return "KVM_CAP_MAX_VCPUS";
    case ARMZ_KVM_CAP_ONE_REG: return "KVM_CAP_ONE_REG";
    case ARMZ_KVM_CAP_ARM_PSCI: return "KVM_CAP_ARM_PSCI";
    case ARMZ_KVM_CAP_DEVICE_CTRL: return "KVM_CAP_DEVICE_CTRL";
    case ARMZ_KVM_CAP_ARM_PSCI_0_2: return "KVM_CAP_ARM_PSCI_0_2";
    case ARMZ_KVM_CAP_MAX_VCPU_ID: return "KVM_CAP_MAX_VCPU_ID";
    case ARMZ_KVM_CAP_IMMEDIATE_EXIT: return "KVM_CAP_IMMEDIATE_EXIT";
    case ARMZ_KVM_CAP_ARM_USER_IRQ: return "KVM_CAP_ARM_USER_IRQ";
    case ARMZ_KVM_CAP_ARM_VM_IPA_SIZE: return "KVM_CAP_ARM_VM_IPA_SIZE";
    case ARMZ_KVM_CAP_IRQFD: return "KVM_CAP_IRQFD";
    case ARMZ_KVM_CAP_SIGNAL_MSI: return "KVM_CAP_SIGNAL_MSI";
    case ARMZ_KVM_CAP_READONLY_MEM: return "KVM_CAP_READONLY_MEM";
    case ARMZ_KVM_CAP_ARM_PMU_V3: return "KVM_CAP_ARM_PMU_V3";
    case ARMZ_KVM_CAP_ARM_PTRAUTH_ADDRESS: return "KVM_CAP_ARM_PTRAUTH_ADDRESS";
    case ARMZ_KVM_CAP_ARM_PTRAUTH_GENERIC: return "KVM_CAP_ARM_PTRAUTH_GENERIC";
    case ARMZ_KVM_CAP_ARM_SVE: return "KVM_CAP_ARM_SVE";
    default:
        g_snprintf(buf, sizeof(buf), "capability %ld", cap);
        return buf;
    }
}

const char *
armz_kvm_vcpu_feature_name(unsigned bit)
{
    switch (bit) {
    case ARMZ_KVM_ARM_VCPU_POWER_OFF: return "KVM_ARM_VCPU_POWER_OFF";
    case ARMZ_KVM_ARM_VCPU_EL1_32BIT: return "KVM_ARM_VCPU_EL1_32BIT";
    case ARMZ_KVM_ARM_VCPU_PSCI_0_2: return "KVM_ARM_VCPU_PSCI_0_2";
    case ARMZ_KVM_ARM_VCPU_PMU_V3: return "KVM_ARM_VCPU_PMU_V3";
    case ARMZ_KVM_ARM_VCPU_SVE: return "KVM_ARM_VCPU_SVE";
    case ARMZ_KVM_ARM_VCPU_PTRAUTH_ADDRESS: return "KVM_ARM_VCPU_PTRAUTH_ADDRESS";
    case ARMZ_KVM_ARM_VCPU_PTRAUTH_GENERIC: return "KVM_ARM_VCPU_PTRAUTH_GENERIC";
    default: return "KVM_ARM_VCPU feature";
    }
}
