/* Device tree generation. */
#include <errno.h>
#include <libfdt.h>
#include <sys/random.h>
#include <glib/gi18n-lib.h>
#include "boot/fdt.h"
#include "boot/image.h"
#include "devices/devices.h"
#include "layout.h"
#include "vmmlog.h"

#define PH_GIC   1
#define PH_CLOCK 2
#define PH_GPIO  3
#define PH_CPU(i) (0x100 + (i))     /* past every other phandle */
#define PH_MSI   4

#define TRY(x) do { int _r = (x); if (_r < 0) return _r; } while (0)

static int
fdt_cells(void *fdt, const char *name, const uint32_t *cells, unsigned n)
{
    fdt32_t buf[16];
    g_assert(n <= G_N_ELEMENTS(buf));
    for (unsigned i = 0; i < n; i++)
        buf[i] = cpu_to_fdt32(cells[i]);
    return fdt_property(fdt, name, buf, (int)(n * sizeof(fdt32_t)));
}

static int
fdt_reg64(void *fdt, const uint64_t *vals, unsigned n)
{
    fdt64_t buf[8];
    g_assert(n <= G_N_ELEMENTS(buf));
    for (unsigned i = 0; i < n; i++)
        buf[i] = cpu_to_fdt64(vals[i]);
    return fdt_property(fdt, "reg", buf, (int)(n * sizeof(fdt64_t)));
}

/* /cpus/cpu-map (Linux's DT topology binding): socketS/cluster0/coreC,
 * threadT below a core when it has more than one */
static int
cpu_map(void *fdt, const ArmzFdtConfig *cfg)
{
    char name[32];
    unsigned cpu = 0;
    int rc;

    if ((rc = fdt_begin_node(fdt, "cpu-map")) < 0)
        return rc;
    for (unsigned s = 0; s < cfg->sockets; s++) {
        g_snprintf(name, sizeof(name), "socket%u", s);
        if ((rc = fdt_begin_node(fdt, name)) < 0 || (rc = fdt_begin_node(fdt, "cluster0")) < 0)
            return rc;
        for (unsigned c = 0; c < cfg->cores; c++) {
            g_snprintf(name, sizeof(name), "core%u", c);
            if ((rc = fdt_begin_node(fdt, name)) < 0)
                return rc;
            for (unsigned t = 0; t < cfg->threads; t++, cpu++) {
                if (cfg->threads > 1) {
                    g_snprintf(name, sizeof(name), "thread%u", t);
                    if ((rc = fdt_begin_node(fdt, name)) < 0)
                        return rc;
                }
                if ((rc = fdt_property_cell(fdt, "cpu", PH_CPU(cpu))) < 0 ||
                    (cfg->threads > 1 && (rc = fdt_end_node(fdt)) < 0))
                    return rc;
            }
            if ((rc = fdt_end_node(fdt)) < 0)
                return rc;
        }
        if ((rc = fdt_end_node(fdt)) < 0 || (rc = fdt_end_node(fdt)) < 0)
            return rc;
    }
    return fdt_end_node(fdt);
}

/* the MSI controller of --pci, a child of the GIC node */
static int
msi_node(void *fdt, ArmzMsiKind kind)
{
    char name[64];
    uint64_t reg[2] = { kind == ARMZ_MSI_ITS ? ARMZ_GIC_ITS_BASE : ARMZ_GICV2M_BASE,
                        kind == ARMZ_MSI_ITS ? ARMZ_GIC_ITS_SIZE : ARMZ_GICV2M_SIZE };

    TRY(fdt_property(fdt, "ranges", NULL, 0));
    g_snprintf(name, sizeof(name), "%s@%" G_GINT64_MODIFIER "x",
               kind == ARMZ_MSI_ITS ? "its" : "v2m", (guint64)reg[0]);
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_string(fdt, "compatible",
                            kind == ARMZ_MSI_ITS ? "arm,gic-v3-its" : "arm,gic-v2m-frame"));
    TRY(fdt_property(fdt, "msi-controller", NULL, 0));
    if (kind == ARMZ_MSI_ITS)
        TRY(fdt_property_cell(fdt, "#msi-cells", 1));
    TRY(fdt_reg64(fdt, reg, 2));
    TRY(fdt_property_cell(fdt, "phandle", PH_MSI));
    return fdt_end_node(fdt);
}

static int
build(void *fdt, size_t bufsize, const ArmzFdtConfig *cfg)
{
    char name[64];
    ArmzFdtCtx ctx = { PH_GIC, PH_CLOCK, PH_GPIO, 0, cfg->nvirtio, cfg->firmware,
                       cfg->pci, cfg->pci ? cfg->msi : ARMZ_MSI_NONE, PH_MSI };
    char *console;
    void *seed;     /* zeroed: the buffer is */
    int r;

    ctx.pci_high = cfg->pci_high;
    if (cfg->gic == ARMZ_GIC_V2)
        ctx.cpu_mask = ((1u << cfg->ncpus) - 1) << 8;

    TRY(fdt_create(fdt, (int)bufsize));
    TRY(fdt_finish_reservemap(fdt));
    TRY(fdt_begin_node(fdt, ""));
    TRY(fdt_property_string(fdt, "compatible", "linux,dummy-virt"));
    TRY(fdt_property_string(fdt, "model", "armz-vmm"));
    TRY(fdt_property_cell(fdt, "#address-cells", 2));
    TRY(fdt_property_cell(fdt, "#size-cells", 2));
    TRY(fdt_property_cell(fdt, "interrupt-parent", PH_GIC));

    /* /chosen */
    TRY(fdt_begin_node(fdt, "chosen"));
    TRY(fdt_property_string(fdt, "bootargs", cfg->cmdline ? cfg->cmdline : ""));
    console = armz_board_console_path();
    r = fdt_property_string(fdt, "stdout-path", console);
    g_free(console);
    TRY(r);
    if (cfg->initrd_end > cfg->initrd_start) {
        TRY(fdt_property_u64(fdt, "linux,initrd-start", cfg->initrd_start));
        TRY(fdt_property_u64(fdt, "linux,initrd-end", cfg->initrd_end));
    }
    /* as on QEMU's virt: seeds for the kernel's KASLR and its entropy
     * pool, which a direct kernel boot has no other early source of;
     * written by armz_fdt_randomize before each boot */
    TRY(fdt_property_u64(fdt, "kaslr-seed", 0));
    TRY(fdt_property_placeholder(fdt, "rng-seed", ARMZ_FDT_RNG_SEED_SIZE, &seed));
    TRY(fdt_end_node(fdt));

    /* /memory */
    g_snprintf(name, sizeof(name), "memory@%" G_GINT64_MODIFIER "x", (guint64)cfg->ram_base);
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_string(fdt, "device_type", "memory"));
    {
        uint64_t reg[2] = { cfg->ram_base, cfg->ram_size };
        TRY(fdt_reg64(fdt, reg, 2));
    }
    TRY(fdt_end_node(fdt));

    /* /cpus */
    TRY(fdt_begin_node(fdt, "cpus"));
    TRY(fdt_property_cell(fdt, "#address-cells", 2));
    TRY(fdt_property_cell(fdt, "#size-cells", 0));
    for (unsigned i = 0; i < cfg->ncpus; i++) {
        uint64_t mpidr = cfg->mpidr[i] & 0xff00ffffffull;
        g_snprintf(name, sizeof(name), "cpu@%" G_GINT64_MODIFIER "x", (guint64)mpidr);
        TRY(fdt_begin_node(fdt, name));
        TRY(fdt_property_string(fdt, "device_type", "cpu"));
        TRY(fdt_property_string(fdt, "compatible", "arm,arm-v8"));
        TRY(fdt_property_u64(fdt, "reg", mpidr));
        if (cfg->ncpus > 1)
            TRY(fdt_property_string(fdt, "enable-method", "psci"));
        if (cfg->sockets)
            TRY(fdt_property_cell(fdt, "phandle", PH_CPU(i)));
        TRY(fdt_end_node(fdt));
    }
    if (cfg->sockets)
        TRY(cpu_map(fdt, cfg));
    TRY(fdt_end_node(fdt));

    /* /psci: PSCI 0.2 function ids, called with HVC */
    TRY(fdt_begin_node(fdt, "psci"));
    TRY(fdt_property(fdt, "compatible", "arm,psci-0.2\0arm,psci", sizeof("arm,psci-0.2\0arm,psci")));
    TRY(fdt_property_string(fdt, "method", "hvc"));
    TRY(fdt_end_node(fdt));

    /* /timer: secure, non-secure, virtual, hypervisor PPIs, level high */
    TRY(fdt_begin_node(fdt, "timer"));
    TRY(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
    {
        uint32_t flags = ctx.cpu_mask | 4;
        uint32_t irqs[12] = { 1, ARMZ_PPI_TIMER_SEC, flags, 1, ARMZ_PPI_TIMER_PHYS, flags,
                              1, ARMZ_PPI_TIMER_VIRT, flags, 1, ARMZ_PPI_TIMER_HYP, flags };
        TRY(fdt_cells(fdt, "interrupts", irqs, 12));
    }
    TRY(fdt_property(fdt, "always-on", NULL, 0));
    TRY(fdt_end_node(fdt));

    /* interrupt controller */
    g_snprintf(name, sizeof(name), "intc@%" G_GINT64_MODIFIER "x", (guint64)ARMZ_GIC_DIST_BASE);
    TRY(fdt_begin_node(fdt, name));
    if (cfg->gic == ARMZ_GIC_V3) {
        uint64_t reg[4] = { ARMZ_GIC_DIST_BASE, ARMZ_GIC_DIST_SIZE,
                            ARMZ_GICV3_REDIST_BASE, ARMZ_GICV3_REDIST_SIZE * cfg->ncpus };
        TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
        TRY(fdt_reg64(fdt, reg, 4));
        TRY(fdt_property_cell(fdt, "#redistributor-regions", 1));
    } else {
        uint64_t reg[4] = { ARMZ_GIC_DIST_BASE, 0x1000, ARMZ_GICV2_CPU_BASE, ARMZ_GICV2_CPU_SIZE };
        TRY(fdt_property_string(fdt, "compatible", "arm,cortex-a15-gic"));
        TRY(fdt_reg64(fdt, reg, 4));
    }
    TRY(fdt_property_cell(fdt, "#interrupt-cells", 3));
    TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
    TRY(fdt_property_cell(fdt, "#address-cells", 2));
    TRY(fdt_property_cell(fdt, "#size-cells", 2));
    TRY(fdt_property_cell(fdt, "phandle", PH_GIC));
    if (ctx.msi != ARMZ_MSI_NONE)
        TRY(msi_node(fdt, ctx.msi));
    TRY(fdt_end_node(fdt));

    /* APB clock the PrimeCells need */
    TRY(fdt_begin_node(fdt, "apb-pclk"));
    TRY(fdt_property_string(fdt, "compatible", "fixed-clock"));
    TRY(fdt_property_cell(fdt, "#clock-cells", 0));
    TRY(fdt_property_cell(fdt, "clock-frequency", 24000000));
    TRY(fdt_property_string(fdt, "clock-output-names", "clk24mhz"));
    TRY(fdt_property_cell(fdt, "phandle", PH_CLOCK));
    TRY(fdt_end_node(fdt));

    TRY(armz_board_fdt_devices(fdt, &ctx));

    TRY(fdt_end_node(fdt));
    return fdt_finish(fdt);
}

void *
armz_fdt_build(const ArmzFdtConfig *cfg, size_t *size, GError **error)
{
    size_t bufsize = 64 * 1024;
    void *fdt;
    int r;

    for (;;) {
        fdt = g_malloc0(bufsize);
        r = build(fdt, bufsize, cfg);
        if (r != -FDT_ERR_NOSPACE || bufsize >= ARMZ_DTB_MAX)
            break;
        g_free(fdt);
        bufsize *= 2;
    }
    if (r < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot build the device tree: %s"),
                    fdt_strerror(r));
        g_free(fdt);
        return NULL;
    }
    r = fdt_pack(fdt);
    if (r < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot build the device tree: %s"),
                    fdt_strerror(r));
        g_free(fdt);
        return NULL;
    }
    *size = fdt_totalsize(fdt);
    return fdt;
}

gboolean
armz_fdt_randomize(void *fdt, GError **error)
{
    uint8_t seeds[8 + ARMZ_FDT_RNG_SEED_SIZE];
    size_t got = 0;
    int node, r;

    while (got < sizeof(seeds)) {
        ssize_t n = getrandom(seeds + got, sizeof(seeds) - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("cannot get random bytes for the guest's kaslr-seed and rng-seed: %s"),
                        g_strerror(errno));
            return FALSE;
        }
        got += (size_t)n;
    }
    node = fdt_path_offset(fdt, "/chosen");
    r = node < 0 ? node : fdt_setprop_inplace(fdt, node, "kaslr-seed", seeds, 8);
    if (r >= 0)
        r = fdt_setprop_inplace(fdt, node, "rng-seed", seeds + 8, ARMZ_FDT_RNG_SEED_SIZE);
    explicit_bzero(seeds, sizeof(seeds));
    if (r < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot write the device tree's seeds: %s"),
                    fdt_strerror(r));
        return FALSE;
    }
    return TRUE;
}
