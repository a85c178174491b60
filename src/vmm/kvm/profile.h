/* KVM profiles: which parts of the arm64 KVM interface armz-vmm may use.
 *
 * "native" uses whatever the kernel offers.  "s390" uses only what the
 * kvm-arm64 series of IBM Z offers (DESIGN.md section 2): the capabilities
 * below, the SMCCC filter for PSCI, no in-kernel vGIC, no in-kernel PSCI,
 * no SVE, PMU or pointer authentication; on arm64 KVM that makes armz-vmm
 * take the paths it takes on an s390 host.  No KVM calls here, so unit
 * tests can check the masking. */
#pragma once
#include <stdint.h>
#include <glib.h>

typedef enum {
    ARMZ_KVM_PROFILE_NATIVE,
    ARMZ_KVM_PROFILE_S390,
} ArmzKvmProfile;

/* NAME: "native" or "s390". FALSE when unknown. */
gboolean armz_kvm_profile_parse(const char *name, ArmzKvmProfile *profile);
/* SPEC as --kvm-profile and the daemon's kvm_profile take it: a profile
 * NAME, or "s390+readonly-mem" (tests: the s390 profile plus read-only
 * memory slots, which firmware boot needs and the series does not offer
 * yet, so that the firmware runs on the s390 paths), which sets
 * *READONLY_MEM. FALSE when unknown. */
gboolean armz_kvm_profile_parse_spec(const char *spec, ArmzKvmProfile *profile,
                                     gboolean *readonly_mem);
/* armz_kvm_profile_allows_cap() with what "+readonly-mem" adds (READONLY_MEM:
 * that spec was given): armz-vmm's rule, which virtarmzd asks too. */
gboolean armz_kvm_profile_offers_cap(ArmzKvmProfile profile, gboolean readonly_mem, long cap);
const char *armz_kvm_profile_name(ArmzKvmProfile profile);

/* Whether armz-vmm may ask KVM_CHECK_EXTENSION for CAP. */
gboolean armz_kvm_profile_allows_cap(ArmzKvmProfile profile, long cap);
/* Whether it may create an in-kernel vGIC (or ITS). */
gboolean armz_kvm_profile_allows_vgic(ArmzKvmProfile profile);
/* The vCPU feature bits of FEATURES0 (KVM_ARM_VCPU_INIT features[0]) the
 * profile allows; *REFUSED gets the others. */
uint32_t armz_kvm_profile_vcpu_features(ArmzKvmProfile profile, uint32_t features0,
                                        uint32_t *refused);

/* The KVM_CAP_ name of CAP, for messages ("capability 123" if unknown:
 * the returned string then lives until the next call). */
const char *armz_kvm_cap_name(long cap);
/* The KVM_ARM_VCPU_ name of vCPU feature BIT. */
const char *armz_kvm_vcpu_feature_name(unsigned bit);
