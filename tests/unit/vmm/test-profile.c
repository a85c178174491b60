/* KVM profiles: what the s390 profile lets armz-vmm ask KVM for. */
#include <glib.h>
#include "kvm/profile.h"
#include "kvm/arm64-uapi.h"

static void
test_parse(void)
{
    ArmzKvmProfile p = ARMZ_KVM_PROFILE_NATIVE;
    g_assert_true(armz_kvm_profile_parse("s390", &p));
    g_assert_cmpint(p, ==, ARMZ_KVM_PROFILE_S390);
    g_assert_true(armz_kvm_profile_parse("native", &p));
    g_assert_cmpint(p, ==, ARMZ_KVM_PROFILE_NATIVE);
    g_assert_false(armz_kvm_profile_parse("S390", &p));
    g_assert_false(armz_kvm_profile_parse("", &p));
    g_assert_cmpstr(armz_kvm_profile_name(ARMZ_KVM_PROFILE_S390), ==, "s390");
    g_assert_cmpstr(armz_kvm_profile_name(ARMZ_KVM_PROFILE_NATIVE), ==, "native");
}

/* --kvm-profile's and kvm_profile's values: "s390+readonly-mem" is the s390
 * profile plus read-only memory slots, and nothing else */
static void
test_parse_spec(void)
{
    ArmzKvmProfile p = ARMZ_KVM_PROFILE_NATIVE;
    gboolean ro = TRUE;

    g_assert_true(armz_kvm_profile_parse_spec("s390", &p, &ro));
    g_assert_cmpint(p, ==, ARMZ_KVM_PROFILE_S390);
    g_assert_false(ro);
    g_assert_false(armz_kvm_profile_offers_cap(p, ro, ARMZ_KVM_CAP_READONLY_MEM));
    g_assert_true(armz_kvm_profile_parse_spec("s390+readonly-mem", &p, &ro));
    g_assert_cmpint(p, ==, ARMZ_KVM_PROFILE_S390);
    g_assert_true(ro);
    g_assert_true(armz_kvm_profile_offers_cap(p, ro, ARMZ_KVM_CAP_READONLY_MEM));
    g_assert_false(armz_kvm_profile_offers_cap(p, ro, ARMZ_KVM_CAP_ARM_PSCI_0_2));
    g_assert_true(armz_kvm_profile_parse_spec("native", &p, &ro));
    g_assert_cmpint(p, ==, ARMZ_KVM_PROFILE_NATIVE);
    g_assert_false(ro);
    g_assert_true(armz_kvm_profile_offers_cap(p, ro, ARMZ_KVM_CAP_READONLY_MEM));
    g_assert_false(armz_kvm_profile_parse_spec("native+readonly-mem", &p, &ro));
    g_assert_false(armz_kvm_profile_parse_spec("s390+", &p, &ro));
}

/* s390: exactly the capabilities of the series (DESIGN.md section 2) */
static void
test_caps(void)
{
    static const long offered[] = {
        ARMZ_KVM_CAP_NR_VCPUS, ARMZ_KVM_CAP_MAX_VCPUS, ARMZ_KVM_CAP_MAX_VCPU_ID,
        ARMZ_KVM_CAP_ARM_VM_IPA_SIZE, ARMZ_KVM_CAP_IOEVENTFD, ARMZ_KVM_CAP_ARM_USER_IRQ,
    };
    static const long refused[] = {
        ARMZ_KVM_CAP_ARM_PSCI, ARMZ_KVM_CAP_ARM_PSCI_0_2, ARMZ_KVM_CAP_IRQFD,
        ARMZ_KVM_CAP_SIGNAL_MSI, ARMZ_KVM_CAP_ARM_PMU_V3, ARMZ_KVM_CAP_ARM_SVE,
        ARMZ_KVM_CAP_ARM_PTRAUTH_ADDRESS, ARMZ_KVM_CAP_ARM_PTRAUTH_GENERIC,
        ARMZ_KVM_CAP_DEVICE_CTRL, ARMZ_KVM_CAP_ONE_REG, 0, 255,
    };
    unsigned n = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(offered); i++) {
        g_assert_true(armz_kvm_profile_allows_cap(ARMZ_KVM_PROFILE_S390, offered[i]));
        g_assert_true(armz_kvm_profile_allows_cap(ARMZ_KVM_PROFILE_NATIVE, offered[i]));
    }
    for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
        g_assert_false(armz_kvm_profile_allows_cap(ARMZ_KVM_PROFILE_S390, refused[i]));
        g_assert_true(armz_kvm_profile_allows_cap(ARMZ_KVM_PROFILE_NATIVE, refused[i]));
    }
    /* and nothing else */
    for (long c = 0; c < 512; c++)
        n += armz_kvm_profile_allows_cap(ARMZ_KVM_PROFILE_S390, c);
    g_assert_cmpuint(n, ==, G_N_ELEMENTS(offered));
    g_assert_cmpstr(armz_kvm_cap_name(ARMZ_KVM_CAP_ARM_PSCI_0_2), ==, "KVM_CAP_ARM_PSCI_0_2");
    g_assert_cmpstr(armz_kvm_cap_name(999), ==, "capability 999");
}

static void
test_vgic_and_features(void)
{
    uint32_t want = (1u << ARMZ_KVM_ARM_VCPU_POWER_OFF) | (1u << ARMZ_KVM_ARM_VCPU_PSCI_0_2) |
                    (1u << ARMZ_KVM_ARM_VCPU_PMU_V3) | (1u << ARMZ_KVM_ARM_VCPU_SVE) |
                    (1u << ARMZ_KVM_ARM_VCPU_PTRAUTH_ADDRESS) |
                    (1u << ARMZ_KVM_ARM_VCPU_PTRAUTH_GENERIC);
    uint32_t refused = 0xdead;

    g_assert_false(armz_kvm_profile_allows_vgic(ARMZ_KVM_PROFILE_S390));
    g_assert_true(armz_kvm_profile_allows_vgic(ARMZ_KVM_PROFILE_NATIVE));
    g_assert_cmphex(armz_kvm_profile_vcpu_features(ARMZ_KVM_PROFILE_S390, want, &refused), ==,
                    1u << ARMZ_KVM_ARM_VCPU_POWER_OFF);
    g_assert_cmphex(refused, ==, want & ~(1u << ARMZ_KVM_ARM_VCPU_POWER_OFF));
    g_assert_cmphex(armz_kvm_profile_vcpu_features(ARMZ_KVM_PROFILE_NATIVE, want, &refused), ==,
                    want);
    g_assert_cmphex(refused, ==, 0);
    g_assert_cmpstr(armz_kvm_vcpu_feature_name(ARMZ_KVM_ARM_VCPU_SVE), ==, "KVM_ARM_VCPU_SVE");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/kvm-profile/parse", test_parse);
    g_test_add_func("/vmm/kvm-profile/parse-spec", test_parse_spec);
    g_test_add_func("/vmm/kvm-profile/capabilities", test_caps);
    g_test_add_func("/vmm/kvm-profile/vgic-and-vcpu-features", test_vgic_and_features);
    return g_test_run();
}
