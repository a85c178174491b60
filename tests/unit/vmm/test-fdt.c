/* Device tree contents, parsed back with libfdt. */
#include <glib.h>
#include <string.h>
#include <libfdt.h>
#include "boot/fdt.h"
#include "layout.h"

static const void *
prop(const void *fdt, const char *path, const char *name, int *len)
{
    int off = fdt_path_offset(fdt, path);
    const void *p;
    if (off < 0)
        g_error("no node %s: %s", path, fdt_strerror(off));
    p = fdt_getprop(fdt, off, name, len);
    if (!p)
        g_error("no property %s in %s", name, path);
    return p;
}

static uint32_t
cell(const void *p, int i)
{
    fdt32_t v;
    memcpy(&v, (const char *)p + 4 * i, 4);
    return fdt32_to_cpu(v);
}

static uint64_t
u64at(const void *p, int i)
{
    fdt64_t v;
    memcpy(&v, (const char *)p + 8 * i, 8);
    return fdt64_to_cpu(v);
}

static void *
build(ArmzGicVersion gic, unsigned ncpus, gboolean initrd)
{
    uint64_t mpidr[4] = { 0, 1, 2, 3 };
    ArmzFdtConfig cfg = {
        .ram_base = ARMZ_RAM_BASE, .ram_size = 512ull << 20,
        .ncpus = ncpus, .mpidr = mpidr, .gic = gic,
        .cmdline = "console=ttyAMA0 quiet",
        .initrd_start = initrd ? 0x5f000000 : 0, .initrd_end = initrd ? 0x5f123456 : 0,
    };
    size_t size = 0;
    GError *err = NULL;
    void *fdt = armz_fdt_build(&cfg, &size, &err);
    g_assert_no_error(err);
    g_assert_nonnull(fdt);
    g_assert_cmpint(fdt_check_header(fdt), ==, 0);
    g_assert_cmpuint(size, ==, fdt_totalsize(fdt));
    g_assert_cmpuint(size, <=, 2 * 1024 * 1024);
    return fdt;
}

static void
test_chosen_memory(void)
{
    void *fdt = build(ARMZ_GIC_V3, 2, TRUE);
    int len;
    const void *p;

    g_assert_cmpstr(prop(fdt, "/chosen", "bootargs", &len), ==, "console=ttyAMA0 quiet");
    g_assert_cmpstr(prop(fdt, "/chosen", "stdout-path", &len), ==, "/pl011@9000000");
    p = prop(fdt, "/chosen", "linux,initrd-start", &len);
    g_assert_cmpint(len, ==, 8);
    g_assert_cmphex(u64at(p, 0), ==, 0x5f000000);
    p = prop(fdt, "/chosen", "linux,initrd-end", &len);
    g_assert_cmphex(u64at(p, 0), ==, 0x5f123456);

    g_assert_cmpstr(prop(fdt, "/memory@40000000", "device_type", &len), ==, "memory");
    p = prop(fdt, "/memory@40000000", "reg", &len);
    g_assert_cmpint(len, ==, 16);
    g_assert_cmphex(u64at(p, 0), ==, ARMZ_RAM_BASE);
    g_assert_cmphex(u64at(p, 1), ==, 512ull << 20);
    p = prop(fdt, "/", "interrupt-parent", &len);
    g_free(fdt);

    fdt = build(ARMZ_GIC_V3, 1, FALSE);
    g_assert_null(fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "linux,initrd-start", &len));
    g_free(fdt);
}

/* kaslr-seed and rng-seed in /chosen, as on QEMU's virt: zero as built,
 * random once armz_fdt_randomize wrote them, and new at each call (each
 * boot and reset) */
static void
test_seeds(void)
{
    void *fdt = build(ARMZ_GIC_V3, 1, FALSE);
    uint8_t zero[ARMZ_FDT_RNG_SEED_SIZE] = { 0 }, first[8 + ARMZ_FDT_RNG_SEED_SIZE];
    size_t size = fdt_totalsize(fdt);
    GError *err = NULL;
    const void *k, *r;
    int klen, rlen;

    k = prop(fdt, "/chosen", "kaslr-seed", &klen);
    r = prop(fdt, "/chosen", "rng-seed", &rlen);
    g_assert_cmpint(klen, ==, 8);
    g_assert_cmpint(rlen, ==, ARMZ_FDT_RNG_SEED_SIZE);
    g_assert_cmpmem(k, 8, zero, 8);
    g_assert_cmpmem(r, rlen, zero, sizeof(zero));

    g_assert_true(armz_fdt_randomize(fdt, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(fdt_totalsize(fdt), ==, size);     /* in place */
    k = prop(fdt, "/chosen", "kaslr-seed", &klen);
    r = prop(fdt, "/chosen", "rng-seed", &rlen);
    g_assert_true(memcmp(k, zero, 8) != 0);
    g_assert_true(memcmp(r, zero, sizeof(zero)) != 0);
    memcpy(first, k, 8);
    memcpy(first + 8, r, ARMZ_FDT_RNG_SEED_SIZE);

    g_assert_true(armz_fdt_randomize(fdt, &err));
    k = prop(fdt, "/chosen", "kaslr-seed", &klen);
    r = prop(fdt, "/chosen", "rng-seed", &rlen);
    g_assert_true(memcmp(k, first, 8) != 0);
    g_assert_true(memcmp(r, first + 8, ARMZ_FDT_RNG_SEED_SIZE) != 0);
    g_free(fdt);
}

static void
test_cpus_psci_timer(void)
{
    void *fdt = build(ARMZ_GIC_V3, 2, FALSE);
    int len;
    const void *p;

    g_assert_cmpstr(prop(fdt, "/cpus/cpu@0", "device_type", &len), ==, "cpu");
    g_assert_cmpstr(prop(fdt, "/cpus/cpu@0", "enable-method", &len), ==, "psci");
    p = prop(fdt, "/cpus/cpu@1", "reg", &len);
    g_assert_cmpint(len, ==, 8);
    g_assert_cmphex(u64at(p, 0), ==, 1);
    g_assert_cmpint(fdt_path_offset(fdt, "/cpus/cpu@2"), <, 0);

    g_assert_cmpstr(prop(fdt, "/psci", "compatible", &len), ==, "arm,psci-0.2");
    g_assert_cmpstr(prop(fdt, "/psci", "method", &len), ==, "hvc");

    p = prop(fdt, "/timer", "interrupts", &len);
    g_assert_cmpint(len, ==, 12 * 4);
    g_assert_cmpuint(cell(p, 0), ==, 1);                  /* PPI */
    g_assert_cmpuint(cell(p, 1), ==, 13);
    g_assert_cmpuint(cell(p, 7), ==, 11);                 /* virtual timer */
    g_assert_cmpuint(cell(p, 8), ==, 4);                  /* level high, GICv3: no mask */
    g_free(fdt);
}

static void
test_gic(void)
{
    void *fdt = build(ARMZ_GIC_V3, 2, FALSE);
    int len, off;
    const void *p;

    g_assert_cmpstr(prop(fdt, "/intc@8000000", "compatible", &len), ==, "arm,gic-v3");
    p = prop(fdt, "/intc@8000000", "reg", &len);
    g_assert_cmpint(len, ==, 32);
    g_assert_cmphex(u64at(p, 0), ==, ARMZ_GIC_DIST_BASE);
    g_assert_cmphex(u64at(p, 2), ==, ARMZ_GICV3_REDIST_BASE);
    g_assert_cmphex(u64at(p, 3), ==, 2 * ARMZ_GICV3_REDIST_SIZE);
    off = fdt_path_offset(fdt, "/intc@8000000");
    g_assert_nonnull(fdt_getprop(fdt, off, "interrupt-controller", &len));
    p = prop(fdt, "/intc@8000000", "#interrupt-cells", &len);
    g_assert_cmpuint(cell(p, 0), ==, 3);
    /* the root's interrupt-parent is the GIC */
    p = prop(fdt, "/", "interrupt-parent", &len);
    g_assert_cmpint(fdt_node_offset_by_phandle(fdt, cell(p, 0)), ==, off);
    g_free(fdt);

    fdt = build(ARMZ_GIC_V2, 2, FALSE);
    g_assert_cmpstr(prop(fdt, "/intc@8000000", "compatible", &len), ==, "arm,cortex-a15-gic");
    p = prop(fdt, "/intc@8000000", "reg", &len);
    g_assert_cmphex(u64at(p, 2), ==, ARMZ_GICV2_CPU_BASE);
    p = prop(fdt, "/timer", "interrupts", &len);
    g_assert_cmphex(cell(p, 2), ==, (0x3 << 8) | 4);      /* GICv2: CPU mask of 2 CPUs */
    g_free(fdt);
}

static void
test_devices(void)
{
    void *fdt = build(ARMZ_GIC_V3, 1, FALSE);
    int len, gpio;
    const char *s;
    const void *p;

    s = prop(fdt, "/pl011@9000000", "compatible", &len);
    g_assert_cmpint(len, ==, (int)sizeof("arm,pl011\0arm,primecell"));
    g_assert_cmpmem(s, len, "arm,pl011\0arm,primecell", sizeof("arm,pl011\0arm,primecell"));
    p = prop(fdt, "/pl011@9000000", "interrupts", &len);
    g_assert_cmpuint(cell(p, 0), ==, 0);                  /* SPI */
    g_assert_cmpuint(cell(p, 1), ==, ARMZ_UART_SPI);
    p = prop(fdt, "/pl011@9000000", "reg", &len);
    g_assert_cmphex(u64at(p, 0), ==, ARMZ_UART_BASE);
    p = prop(fdt, "/pl011@9000000", "clock-names", &len);
    g_assert_cmpmem(p, len, "uartclk\0apb_pclk", sizeof("uartclk\0apb_pclk"));

    p = prop(fdt, "/pl031@9010000", "interrupts", &len);
    g_assert_cmpuint(cell(p, 1), ==, ARMZ_RTC_SPI);
    s = prop(fdt, "/pl031@9010000", "compatible", &len);
    g_assert_cmpstr(s, ==, "arm,pl031");

    gpio = fdt_path_offset(fdt, "/pl061@9030000");
    g_assert_cmpint(gpio, >=, 0);
    g_assert_nonnull(fdt_getprop(fdt, gpio, "gpio-controller", &len));
    g_assert_cmpstr(prop(fdt, "/gpio-keys", "compatible", &len), ==, "gpio-keys");
    p = prop(fdt, "/gpio-keys/poweroff", "linux,code", &len);
    g_assert_cmpuint(cell(p, 0), ==, 116);                /* KEY_POWER */
    p = prop(fdt, "/gpio-keys/poweroff", "gpios", &len);
    g_assert_cmpint(len, ==, 12);
    g_assert_cmpint(fdt_node_offset_by_phandle(fdt, cell(p, 0)), ==, gpio);
    g_assert_cmpuint(cell(p, 1), ==, ARMZ_GPIO_POWER_PIN);

    /* every clocks phandle resolves to the fixed clock */
    p = prop(fdt, "/pl061@9030000", "clocks", &len);
    g_assert_cmpint(fdt_node_offset_by_phandle(fdt, cell(p, 0)), ==,
                    fdt_path_offset(fdt, "/apb-pclk"));
    g_free(fdt);
}

/* firmware boot: both flash banks in one cfi-flash node and fw_cfg with
 * DMA, as AAVMF looks for them; without firmware neither is there */
static void
test_firmware(void)
{
    uint64_t mpidr[1] = { 0 };
    ArmzFdtConfig cfg = {
        .ram_base = ARMZ_RAM_BASE, .ram_size = 512ull << 20,
        .ncpus = 1, .mpidr = mpidr, .gic = ARMZ_GIC_V3, .firmware = true,
    };
    size_t size = 0;
    GError *err = NULL;
    void *fdt = armz_fdt_build(&cfg, &size, &err);
    void *plain = build(ARMZ_GIC_V3, 1, FALSE);
    const void *p;
    int len;

    g_assert_no_error(err);
    g_assert_cmpstr(prop(fdt, "/flash@0", "compatible", &len), ==, "cfi-flash");
    p = prop(fdt, "/flash@0", "reg", &len);
    g_assert_cmpint(len, ==, 32);
    g_assert_cmphex(u64at(p, 0), ==, 0);
    g_assert_cmphex(u64at(p, 1), ==, 0x4000000);
    g_assert_cmphex(u64at(p, 2), ==, 0x4000000);
    g_assert_cmphex(u64at(p, 3), ==, 0x4000000);
    p = prop(fdt, "/flash@0", "bank-width", &len);
    g_assert_cmpuint(cell(p, 0), ==, 4);
    g_assert_cmpstr(prop(fdt, "/fw-cfg@9020000", "compatible", &len), ==, "qemu,fw-cfg-mmio");
    p = prop(fdt, "/fw-cfg@9020000", "reg", &len);
    g_assert_cmphex(u64at(p, 0), ==, ARMZ_FW_CFG_BASE);
    g_assert_cmphex(u64at(p, 1), ==, 0x18);
    g_assert_nonnull(fdt_getprop(fdt, fdt_path_offset(fdt, "/fw-cfg@9020000"), "dma-coherent",
                                 &len));
    g_assert_cmpint(fdt_path_offset(plain, "/flash@0"), <, 0);
    g_assert_cmpint(fdt_path_offset(plain, "/fw-cfg@9020000"), <, 0);
    g_free(fdt);
    g_free(plain);
}

/* --topology: /cpus/cpu-map names each cpu once, by phandle, in order */
static void
test_cpu_map(void)
{
    uint64_t mpidr[4] = { 0, 1, 2, 3 };
    ArmzFdtConfig cfg = {
        .ram_base = ARMZ_RAM_BASE, .ram_size = 512ull << 20,
        .ncpus = 4, .mpidr = mpidr, .gic = ARMZ_GIC_V3,
        .sockets = 2, .cores = 1, .threads = 2,
    };
    static const char *const paths[4] = {
        "/cpus/cpu-map/socket0/cluster0/core0/thread0", "/cpus/cpu-map/socket0/cluster0/core0/thread1",
        "/cpus/cpu-map/socket1/cluster0/core0/thread0", "/cpus/cpu-map/socket1/cluster0/core0/thread1",
    };
    size_t size = 0;
    GError *err = NULL;
    void *fdt = armz_fdt_build(&cfg, &size, &err);
    int len;

    g_assert_no_error(err);
    for (unsigned i = 0; i < 4; i++) {
        g_autofree char *cpu = g_strdup_printf("/cpus/cpu@%u", i);
        uint32_t ph = cell(prop(fdt, cpu, "phandle", &len), 0);
        g_assert_cmpuint(cell(prop(fdt, paths[i], "cpu", &len), 0), ==, ph);
        g_assert_cmpint(fdt_node_offset_by_phandle(fdt, ph), ==, fdt_path_offset(fdt, cpu));
    }
    g_assert_cmpint(fdt_path_offset(fdt, "/cpus/cpu-map/socket2"), <, 0);
    g_free(fdt);
    /* without a topology there is no cpu-map (Linux then sees one package) */
    fdt = build(ARMZ_GIC_V3, 2, FALSE);
    g_assert_cmpint(fdt_path_offset(fdt, "/cpus/cpu-map"), <, 0);
    g_free(fdt);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/fdt/chosen-and-memory", test_chosen_memory);
    g_test_add_func("/vmm/fdt/seeds", test_seeds);
    g_test_add_func("/vmm/fdt/cpus-psci-timer", test_cpus_psci_timer);
    g_test_add_func("/vmm/fdt/gic", test_gic);
    g_test_add_func("/vmm/fdt/devices", test_devices);
    g_test_add_func("/vmm/fdt/firmware", test_firmware);
    g_test_add_func("/vmm/fdt/cpu-map", test_cpu_map);
    return g_test_run();
}
