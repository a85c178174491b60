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

/* CPU_ON of a CPU that is on: ALREADY_ON, and its entry point is kept */
static void
test_cpu_on_online(void)
{
    ArmzPsciAction act;
    setup();
    cpus[2].power = ARMZ_VCPU_ON;
    cpus[2].entry = 0x1000;
    g_assert_cmpint(call(0, ARMZ_PSCI_CPU_ON64, 2, 0x2000, 5, &act), ==,
                    ARMZ_PSCI_RET_ALREADY_ON);
    g_assert_cmpint(act, ==, ARMZ_PSCI_ACT_RETURN);
    g_assert_cmphex(cpus[2].entry, ==, 0x1000);
    g_assert_cmpint(cpus[2].power, ==, ARMZ_VCPU_ON);
    /* the caller itself */
    g_assert_cmpint(call(1, ARMZ_PSCI_CPU_ON, 0, 0x2000, 0, &act), ==, ARMZ_PSCI_RET_ALREADY_ON);
}

/* an MPIDR no vCPU has: INVALID_PARAMETERS, no vCPU changes */
static void
test_cpu_on_invalid_mpidr(void)
{
    ArmzPsciAction act;
    setup();
    g_assert_cmpint(call(0, ARMZ_PSCI_CPU_ON64, 3, 0x2000, 0, &act), ==,
                    ARMZ_PSCI_RET_INVALID_PARAMS);
    /* Aff1 set: cluster 1 does not exist */
    g_assert_cmpint(call(0, ARMZ_PSCI_CPU_ON64, 0x101, 0x2000, 0, &act), ==,
                    ARMZ_PSCI_RET_INVALID_PARAMS);
    /* Aff3 (bits 39:32) set */
    g_assert_cmpint(call(0, ARMZ_PSCI_CPU_ON64, 0x100000001ull, 0x2000, 0, &act), ==,
                    ARMZ_PSCI_RET_INVALID_PARAMS);
    for (unsigned i = 1; i < 3; i++) {
        g_assert_cmpint(cpus[i].power, ==, ARMZ_VCPU_OFF);
        g_assert_cmphex(cpus[i].entry, ==, 0);
    }
    /* bits outside the affinity fields (U, MT) are ignored: that is CPU 1 */
    g_assert_cmpint(call(0, ARMZ_PSCI_CPU_ON64, 0x40000001ull, 0x2000, 0, &act), ==, 0);
    g_assert_cmpint(cpus[1].power, ==, ARMZ_VCPU_ON_PENDING);
}

/* CPU_ON twice before the target runs: ON_PENDING, the first entry point wins */
static void
test_cpu_on_twice(void)
{
    ArmzPsciAction act;
    setup();
    g_assert_cmpint(call(0, ARMZ_PSCI_CPU_ON64, 1, 0x40080000, 0x11, &act), ==, 0);
    g_assert_cmpint(call(0, ARMZ_PSCI_CPU_ON64, 1, 0x50000000, 0x22, &act), ==,
                    ARMZ_PSCI_RET_ON_PENDING);
    g_assert_cmphex(cpus[1].entry, ==, 0x40080000);
    g_assert_cmphex(cpus[1].context, ==, 0x11);
    /* once it runs, then turns itself off, CPU_ON works again */
    cpus[1].power = ARMZ_VCPU_ON;
    call(1, ARMZ_PSCI_CPU_OFF, 0, 0, 0, &act);
    g_assert_cmpint(call(0, ARMZ_PSCI_AFFINITY_INFO64, 1, 0, 0, &act), ==, ARMZ_PSCI_AFFINITY_OFF);
    g_assert_cmpint(call(0, ARMZ_PSCI_CPU_ON64, 1, 0x50000000, 0x22, &act), ==, 0);
    g_assert_cmphex(cpus[1].entry, ==, 0x50000000);
}

/* SYSTEM_RESET while secondaries are on: the reset asks for a system
 * reset, and the power states after it are those of a fresh VM */
static void
test_reset_while_on(void)
{
    ArmzPsciAction act;
    setup();
    cpus[1].power = ARMZ_VCPU_ON;
    cpus[2].power = ARMZ_VCPU_ON_PENDING;
    g_assert_cmpint(call(1, ARMZ_PSCI_SYSTEM_RESET, 0, 0, 0, &act), ==, 0);
    g_assert_cmpint(act, ==, ARMZ_PSCI_ACT_SYSTEM_RESET);
    armz_psci_reset_power(&vm);     /* what vm.c's reset does */
    g_assert_cmpint(cpus[0].power, ==, ARMZ_VCPU_ON);
    g_assert_cmpint(cpus[1].power, ==, ARMZ_VCPU_OFF);
    g_assert_cmpint(cpus[2].power, ==, ARMZ_VCPU_OFF);
    g_assert_cmpint(call(0, ARMZ_PSCI_AFFINITY_INFO64, 2, 0, 0, &act), ==, ARMZ_PSCI_AFFINITY_OFF);
    g_assert_cmpint(call(0, ARMZ_PSCI_CPU_ON64, 2, 0x40080000, 0, &act), ==, 0);
    /* where the kernel does PSCI, every vCPU is on */
    vm.kernel_psci = TRUE;
    armz_psci_reset_power(&vm);
    g_assert_cmpint(cpus[2].power, ==, ARMZ_VCPU_ON);
}

/* SMCCC 1.0: neither SMCCC_VERSION nor ARCH_FEATURES, no SYSTEM_RESET2 (PSCI 1.0) */
static void
test_smccc(void)
{
    ArmzPsciAction act;
    setup();
    g_assert_cmpint(call(0, ARMZ_SMCCC_VERSION, 0, 0, 0, &act), ==, ARMZ_PSCI_RET_NOT_SUPPORTED);
    g_assert_cmpint(call(0, ARMZ_SMCCC_ARCH_FEATURES, 0x80008000, 0, 0, &act), ==,
                    ARMZ_PSCI_RET_NOT_SUPPORTED);
    g_assert_cmpint(call(0, ARMZ_PSCI_FEATURES, ARMZ_PSCI_SYSTEM_RESET2_64, 0, 0, &act), ==,
                    ARMZ_PSCI_RET_NOT_SUPPORTED);
    g_assert_cmpint(call(0, ARMZ_PSCI_SYSTEM_RESET2_64, 0, 0, 0, &act), ==,
                    ARMZ_PSCI_RET_NOT_SUPPORTED);
    g_assert_cmpint(act, ==, ARMZ_PSCI_ACT_RETURN);
    g_assert_cmpint(call(0, ARMZ_PSCI_FEATURES, ARMZ_PSCI_SYSTEM_OFF, 0, 0, &act), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/psci/version-and-features", test_version_features);
    g_test_add_func("/vmm/psci/cpu-on-off-affinity", test_cpu_on_off);
    g_test_add_func("/vmm/psci/system-off-reset", test_system);
    g_test_add_func("/vmm/psci/cpu-on-online", test_cpu_on_online);
    g_test_add_func("/vmm/psci/cpu-on-invalid-mpidr", test_cpu_on_invalid_mpidr);
    g_test_add_func("/vmm/psci/cpu-on-twice", test_cpu_on_twice);
    g_test_add_func("/vmm/psci/system-reset-while-on", test_reset_while_on);
    g_test_add_func("/vmm/psci/smccc-1.0", test_smccc);
    return g_test_run();
}
