/* Userspace PSCI decisions (the s390x path: HVC exits to the VMM). */
#include <glib.h>
#include <string.h>
#include "psci/psci.h"

static ArmzVm vm;
static ArmzVcpu cpus[3];

static void
setup(void)
{
    memset(&vm, 0, sizeof(vm));
    memset(cpus, 0, sizeof(cpus));
    g_mutex_init(&vm.lock);
    g_cond_init(&vm.cond);
    vm.nvcpus = 3;
    vm.vcpus = cpus;
    for (unsigned i = 0; i < 3; i++) {
        cpus[i].vm = &vm;
        cpus[i].index = i;
        cpus[i].mpidr = i;
        cpus[i].power = i == 0 ? ARMZ_VCPU_ON : ARMZ_VCPU_OFF;
    }
}

static int64_t
call(unsigned cpu, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3, ArmzPsciAction *act)
{
    uint64_t x[4] = { x0, x1, x2, x3 };
    return armz_psci_call(&vm, &cpus[cpu], x, act);
}

static void
test_version_features(void)
{
    ArmzPsciAction act;
    setup();
    g_assert_cmphex(call(0, ARMZ_PSCI_VERSION, 0, 0, 0, &act), ==, 0x10000);
    g_assert_cmpint(act, ==, ARMZ_PSCI_ACT_RETURN);
    g_assert_cmpint(call(0, ARMZ_PSCI_FEATURES, ARMZ_PSCI_CPU_ON64, 0, 0, &act), ==, 0);
    g_assert_cmpint(call(0, ARMZ_PSCI_FEATURES, ARMZ_SMCCC_VERSION, 0, 0, &act), ==,
                    ARMZ_PSCI_RET_NOT_SUPPORTED);
    g_assert_cmpint(call(0, ARMZ_PSCI_MIGRATE_INFO_TYPE, 0, 0, 0, &act), ==, 2);
    g_assert_cmpint(call(0, 0x84000042, 0, 0, 0, &act), ==, ARMZ_PSCI_RET_NOT_SUPPORTED);
    g_assert_cmpint(act, ==, ARMZ_PSCI_ACT_RETURN);
}

static void
test_cpu_on_off(void)
{
    ArmzPsciAction act;
    setup();
    g_assert_cmpint(call(0, ARMZ_PSCI_AFFINITY_INFO64, 1, 0, 0, &act), ==, ARMZ_PSCI_AFFINITY_OFF);
    g_assert_cmpint(call(0, ARMZ_PSCI_CPU_ON64, 1, 0x40081234, 0xabc, &act), ==, 0);
    g_assert_cmpint(cpus[1].power, ==, ARMZ_VCPU_ON_PENDING);
    g_assert_cmphex(cpus[1].entry, ==, 0x40081234);
    g_assert_cmphex(cpus[1].context, ==, 0xabc);
    g_assert_cmpint(call(0, ARMZ_PSCI_CPU_ON64, 1, 0, 0, &act), ==, ARMZ_PSCI_RET_ON_PENDING);
    g_assert_cmpint(call(0, ARMZ_PSCI_AFFINITY_INFO64, 1, 0, 0, &act), ==,
                    ARMZ_PSCI_AFFINITY_ON_PENDING);
    cpus[1].power = ARMZ_VCPU_ON;           /* what its thread does */
    g_assert_cmpint(call(0, ARMZ_PSCI_CPU_ON64, 1, 0, 0, &act), ==, ARMZ_PSCI_RET_ALREADY_ON);
    g_assert_cmpint(call(0, ARMZ_PSCI_CPU_ON64, 0, 0, 0, &act), ==, ARMZ_PSCI_RET_ALREADY_ON);
    /* no such MPIDR */
    g_assert_cmpint(call(0, ARMZ_PSCI_CPU_ON64, 0x100, 0, 0, &act), ==,
                    ARMZ_PSCI_RET_INVALID_PARAMS);
    g_assert_cmpint(call(0, ARMZ_PSCI_AFFINITY_INFO64, 7, 0, 0, &act), ==,
                    ARMZ_PSCI_RET_INVALID_PARAMS);
    /* 32-bit CPU_ON: upper halves are ignored */
    g_assert_cmpint(call(0, ARMZ_PSCI_CPU_ON, 0xffffffff00000002ull, 0xdead00004000beefull,
                         0x1234500000007ull, &act), ==, 0);
    g_assert_cmphex(cpus[2].entry, ==, 0x4000beef);
    g_assert_cmphex(cpus[2].context, ==, 7);
    /* CPU_OFF does not return */
    g_assert_cmpint(call(1, ARMZ_PSCI_CPU_OFF, 0, 0, 0, &act), ==, 0);
    g_assert_cmpint(act, ==, ARMZ_PSCI_ACT_NONE);
    g_assert_cmpint(cpus[1].power, ==, ARMZ_VCPU_OFF);
}

static void
test_system(void)
{
    ArmzPsciAction act;
    setup();
    call(0, ARMZ_PSCI_SYSTEM_OFF, 0, 0, 0, &act);
    g_assert_cmpint(act, ==, ARMZ_PSCI_ACT_SYSTEM_OFF);
    call(0, ARMZ_PSCI_SYSTEM_RESET, 0, 0, 0, &act);
    g_assert_cmpint(act, ==, ARMZ_PSCI_ACT_SYSTEM_RESET);
    g_assert_cmpint(call(0, ARMZ_PSCI_CPU_SUSPEND64, 0, 0, 0, &act), ==, 0);
    g_assert_cmpint(act, ==, ARMZ_PSCI_ACT_RETURN);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/psci/version-and-features", test_version_features);
    g_test_add_func("/vmm/psci/cpu-on-off-affinity", test_cpu_on_off);
    g_test_add_func("/vmm/psci/system-off-reset", test_system);
    return g_test_run();
}
