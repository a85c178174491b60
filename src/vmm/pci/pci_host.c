/* PCIe host bridge: see pci_host.h. */
#include <libfdt.h>
#include <glib/gi18n-lib.h>
#include "pci/pci_host.h"
#include "pci/pcie_slot.h"
#include "layout.h"
#include "vmmlog.h"

#define NDEVFN 256

struct _ArmzPciHost {
    /* config space and BAR decoding of every function; taken before a
     * function's own lock (config_written, bar_mapped) */
    GMutex lock;
    ArmzPciFunc *fn[NDEVFN];            /* root bus, by devfn */
    ArmzPcieRootPort *port[NDEVFN];     /* the root ports among them */
    ArmzIrqSetFn intx_set;
    void *intx_opaque;
    /* INTx: which functions assert their pin, and how many per line
     * INTA-D, under its own lock (taken from interrupt paths that hold a
     * device lock) */
    GMutex intx_lock;
    GHashTable *asserted;
    unsigned intx[4];
    ArmzPciWindow high;         /* the 64-bit window (size 0: none) */
};

ArmzPciHost *
armz_pci_host_new(ArmzIrqSetFn intx_set, void *intx_opaque)
{
    ArmzPciHost *h = g_new0(ArmzPciHost, 1);
    g_mutex_init(&h->lock);
    g_mutex_init(&h->intx_lock);
    h->asserted = g_hash_table_new(NULL, NULL);
    h->intx_set = intx_set;
    h->intx_opaque = intx_opaque;
    return h;
}

void
armz_pci_host_free(ArmzPciHost *h)
{
    if (!h)
        return;
    g_hash_table_unref(h->asserted);
    g_mutex_clear(&h->lock);
    g_mutex_clear(&h->intx_lock);
    g_free(h);
}

gboolean
armz_pci_host_add(ArmzPciHost *h, unsigned devfn, ArmzPciFunc *f, GError **error)
{
    if (devfn < 8 || devfn >= NDEVFN || h->fn[devfn]) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("PCI address 00:%02x.%u is taken or cannot be used (slots 1-31)"),
                    devfn >> 3, devfn & 7);
        return FALSE;
    }
    h->fn[devfn] = f;
    f->devfn = (uint8_t)devfn;
    f->upstream = NULL;
    /* Linux looks at functions 1-7 only when function 0 says multi-function */
    for (unsigned i = 1; i < 8; i++) {
        ArmzPciFunc *f0 = h->fn[devfn & ~7u];
        if (f0 && h->fn[(devfn & ~7u) | i])
            f0->cfg[PCI_CFG_HEADER_TYPE] |= 0x80;
    }
    return TRUE;
}

gboolean
armz_pci_host_add_root_port(ArmzPciHost *h, unsigned devfn, ArmzPcieRootPort *rp,
                            GError **error)
{
    if (!armz_pci_host_add(h, devfn, &rp->func, error))
        return FALSE;
    h->port[devfn] = rp;
    return TRUE;
}

gboolean
armz_pci_host_slot_free(ArmzPciHost *h, unsigned slot)
{
    for (unsigned i = 0; i < 8; i++)
        if (slot >= ARMZ_PCIE_MAX_SLOTS || h->fn[slot << 3 | i])
            return FALSE;
    return TRUE;
}

void
armz_pci_host_set_high_window(ArmzPciHost *h, const ArmzPciWindow *w)
{
    h->high = *w;
}

ArmzPcieRootPort *
armz_pci_host_root_port(ArmzPciHost *h, unsigned devfn)
{
    return devfn < NDEVFN ? h->port[devfn] : NULL;
}

gboolean
armz_pci_host_add_below(ArmzPciHost *h, unsigned port_devfn, ArmzPciFunc *f, GError **error)
{
    ArmzPcieRootPort *rp = armz_pci_host_root_port(h, port_devfn);

    if (!rp || rp->child) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    rp ? _("the root port at 00:%02x.%u already has a device")
                       : _("there is no root port at 00:%02x.%u"),
                    port_devfn >> 3, port_devfn & 7);
        return FALSE;
    }
    armz_pcie_root_port_plug(rp, f);
    return TRUE;
}

gboolean
armz_pci_host_hotplug_below(ArmzPciHost *h, unsigned port_devfn, ArmzPciFunc *f, GError **error)
{
    ArmzPcieRootPort *rp = armz_pci_host_root_port(h, port_devfn);
    gboolean ok = FALSE;

    g_mutex_lock(&h->lock);
    if (!rp || !rp->hotplug || (f && rp->child))
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    !rp ? _("there is no root port at 00:%02x.%u")
                        : !rp->hotplug ? _("the root port at 00:%02x.%u is not hotplug-capable")
                                       : _("the root port at 00:%02x.%u already has a device"),
                    port_devfn >> 3, port_devfn & 7);
    else
        ok = TRUE;
    if (ok)
        armz_pcie_slot_set_child(rp, f);
    g_mutex_unlock(&h->lock);
    return ok;
}

void
armz_pci_host_lock(ArmzPciHost *h)
{
    g_mutex_lock(&h->lock);
}

void
armz_pci_host_unlock(ArmzPciHost *h)
{
    g_mutex_unlock(&h->lock);
}

ArmzPciFunc *
armz_pci_host_func(ArmzPciHost *h, unsigned devfn)
{
    return devfn < NDEVFN ? h->fn[devfn] : NULL;
}

unsigned
armz_pci_host_intx_slot(const ArmzPciFunc *f)
{
    const ArmzPciFunc *up = f->upstream;
    return (up ? up->devfn : f->devfn) >> 3;
}

void
armz_pci_host_set_intx(ArmzPciHost *h, const ArmzPciFunc *f, int level)
{
    /* INTA after the standard swizzle: (slot + pin - 1) mod 4 */
    unsigned line = armz_pci_host_intx_slot(f) % 4;
    gboolean was;

    g_mutex_lock(&h->intx_lock);
    was = g_hash_table_contains(h->asserted, f);
    if (level && !was) {
        g_hash_table_add(h->asserted, (gpointer)f);
        if (h->intx[line]++ == 0 && h->intx_set)
            h->intx_set(h->intx_opaque, 32 + ARMZ_PCIE_INTX_SPI + line, 1);
    } else if (!level && was) {
        g_hash_table_remove(h->asserted, f);
        if (--h->intx[line] == 0 && h->intx_set)
            h->intx_set(h->intx_opaque, 32 + ARMZ_PCIE_INTX_SPI + line, 0);
    }
    g_mutex_unlock(&h->intx_lock);
}

/* the function an ECAM offset names and the register offset; NULL for
 * nothing there.  Bus N > 0 is the secondary bus of the root port the
 * guest numbered N, with one function, device 0 function 0. */
static ArmzPciFunc *
ecam_func(ArmzPciHost *h, uint64_t offset, unsigned *reg)
{
    unsigned bus = (unsigned)(offset >> 20) & 0xff;
    unsigned devfn = (unsigned)(offset >> 12) & 0xff;

    *reg = (unsigned)offset & 0xfff;
    if (bus == 0)
        return h->fn[devfn];
    for (unsigned i = 0; i < NDEVFN; i++)
        if (h->port[i] && armz_pcie_root_port_secondary(h->port[i]) == bus)
            return devfn == 0 ? h->port[i]->child : NULL;
    return NULL;
}

uint64_t
armz_pci_host_ecam_read(void *opaque, uint64_t offset, unsigned size)
{
    ArmzPciHost *h = opaque;
    ArmzPciFunc *f;
    unsigned reg;
    uint64_t v;

    if (size > 4 || (offset & (size - 1)))
        return 0;
    g_mutex_lock(&h->lock);
    f = ecam_func(h, offset, &reg);
    /* no function: all ones, which the guest takes as "nothing here" */
    v = f ? armz_pci_cfg_read(f, reg, size) : (size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1);
    g_mutex_unlock(&h->lock);
    return v;
}

void
armz_pci_host_ecam_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    ArmzPciHost *h = opaque;
    ArmzPciFunc *f;
    unsigned reg;

    if (size > 4 || (offset & (size - 1)))
        return;
    g_mutex_lock(&h->lock);
    f = ecam_func(h, offset, &reg);
    if (f)
        armz_pci_cfg_write(f, reg, size, (uint32_t)value);
    g_mutex_unlock(&h->lock);
}

/* the function and BAR decoding guest address ADDR, under the lock (a
 * function below a root port is decoded by its BARs alone: the guest
 * programs the port's window to cover them) */
static ArmzPciFunc *
mem_func(ArmzPciHost *h, uint64_t addr, unsigned *bar, uint64_t *bar_off)
{
    for (unsigned i = 0; i < NDEVFN; i++) {
        ArmzPciFunc *f = h->port[i] ? h->port[i]->child : h->fn[i];
        if (f && armz_pci_func_decodes(f, addr, bar, bar_off))
            return f;
    }
    return NULL;
}

/* BAR accesses run outside the host lock: the function takes its own, and
 * its BAR cannot move meanwhile in a way that matters (a guest moving a
 * BAR while using it gets what it asked for) */
static uint64_t
mem_read(ArmzPciHost *h, uint64_t addr, unsigned size)
{
    ArmzPciFunc *f;
    unsigned bar;
    uint64_t off;

    g_mutex_lock(&h->lock);
    f = mem_func(h, addr, &bar, &off);
    g_mutex_unlock(&h->lock);
    if (!f || !f->ops || !f->ops->bar_read)
        return 0;
    return f->ops->bar_read(f->opaque, bar, off, size);
}

static void
mem_write(ArmzPciHost *h, uint64_t addr, unsigned size, uint64_t value)
{
    ArmzPciFunc *f;
    unsigned bar;
    uint64_t off;

    g_mutex_lock(&h->lock);
    f = mem_func(h, addr, &bar, &off);
    g_mutex_unlock(&h->lock);
    if (f && f->ops && f->ops->bar_write)
        f->ops->bar_write(f->opaque, bar, off, size, value);
}

uint64_t
armz_pci_host_mem_read(void *opaque, uint64_t offset, unsigned size)
{
    return mem_read(opaque, ARMZ_PCIE_MMIO_BASE + offset, size);
}

void
armz_pci_host_mem_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    mem_write(opaque, ARMZ_PCIE_MMIO_BASE + offset, size, value);
}

static uint64_t
high_read(void *opaque, uint64_t offset, unsigned size)
{
    ArmzPciHost *h = opaque;
    return mem_read(h, h->high.base + offset, size);
}

static void
high_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    ArmzPciHost *h = opaque;
    mem_write(h, h->high.base + offset, size, value);
}

gboolean
armz_pci_host_map(ArmzPciHost *h, ArmzMmioBus *bus, GError **error)
{
    ArmzMmioRegion ecam = { "pcie-ecam", ARMZ_PCIE_ECAM_BASE, ARMZ_PCIE_ECAM_SIZE,
                            armz_pci_host_ecam_read, armz_pci_host_ecam_write, h };
    ArmzMmioRegion mem = { "pcie-mmio", ARMZ_PCIE_MMIO_BASE, ARMZ_PCIE_MMIO_SIZE,
                           armz_pci_host_mem_read, armz_pci_host_mem_write, h };
    ArmzMmioRegion high = { "pcie-mmio-high", h->high.base, h->high.size, high_read, high_write,
                            h };

    return !bus || (armz_mmio_bus_add(bus, &ecam, error) && armz_mmio_bus_add(bus, &mem, error) &&
                    (!high.size || armz_mmio_bus_add(bus, &high, error)));
}

void
armz_pci_host_reset(ArmzPciHost *h)
{
    g_mutex_lock(&h->lock);
    for (unsigned i = 0; i < NDEVFN; i++) {
        if (h->port[i] && h->port[i]->child)
            armz_pci_func_reset(h->port[i]->child);
        if (h->fn[i])
            armz_pci_func_reset(h->fn[i]);
    }
    g_mutex_unlock(&h->lock);
}

#define FDT_TRY(x) do { int _r = (x); if (_r < 0) return _r; } while (0)

static int
fdt_cells(void *fdt, const char *name, const uint32_t *cells, unsigned n)
{
    g_autofree fdt32_t *buf = g_new(fdt32_t, n);
    for (unsigned i = 0; i < n; i++)
        buf[i] = cpu_to_fdt32(cells[i]);
    return fdt_property(fdt, name, buf, (int)(n * sizeof(fdt32_t)));
}

int
armz_pci_host_fdt(void *fdt, uint32_t gic_phandle, ArmzMsiKind msi, uint32_t msi_phandle,
                  const ArmzPciWindow *high)
{
    char node[64];
    uint32_t reg[4] = { (uint32_t)(ARMZ_PCIE_ECAM_BASE >> 32), (uint32_t)ARMZ_PCIE_ECAM_BASE,
                        (uint32_t)(ARMZ_PCIE_ECAM_SIZE >> 32), (uint32_t)ARMZ_PCIE_ECAM_SIZE };
    /* 32-bit memory space, then the 64-bit one, identity mapped; the
     * 64-bit one as QEMU's virt describes it, 64-bit and not
     * prefetchable: AAVMF's FdtPciHostBridgeLib skips a range with the
     * prefetchable bit, and Linux puts 64-bit prefetchable BARs above 4
     * GiB in any window */
    uint32_t ranges[14] = { 0x02000000, (uint32_t)(ARMZ_PCIE_MMIO_BASE >> 32),
                            (uint32_t)ARMZ_PCIE_MMIO_BASE, (uint32_t)(ARMZ_PCIE_MMIO_BASE >> 32),
                            (uint32_t)ARMZ_PCIE_MMIO_BASE, (uint32_t)(ARMZ_PCIE_MMIO_SIZE >> 32),
                            (uint32_t)ARMZ_PCIE_MMIO_SIZE,
                            0x03000000, (uint32_t)(high->base >> 32), (uint32_t)high->base,
                            (uint32_t)(high->base >> 32), (uint32_t)high->base,
                            (uint32_t)(high->size >> 32), (uint32_t)high->size };
    uint32_t bus_range[2] = { 0, (uint32_t)(ARMZ_PCIE_ECAM_SIZE >> 20) - 1 };
    /* child unit address (3) + pin (1) -> GIC phandle, parent unit
     * address (2: the GIC's #address-cells), GIC interrupt (3) */
    uint32_t map[4 * 4 * 10];
    uint32_t mask[4] = { 0x3 << 11, 0, 0, 7 };
    unsigned n = 0;

    for (unsigned slot = 0; slot < 4; slot++) {
        for (unsigned pin = 1; pin <= 4; pin++) {
            uint32_t e[10] = { slot << 11, 0, 0, pin, gic_phandle, 0, 0,
                               0 /* SPI */, ARMZ_PCIE_INTX_SPI + (slot + pin - 1) % 4,
                               4 /* level high */ };
            memcpy(&map[n], e, sizeof(e));
            n += 10;
        }
    }

    g_snprintf(node, sizeof(node), "pcie@%" G_GINT64_MODIFIER "x", (guint64)ARMZ_PCIE_MMIO_BASE);
    FDT_TRY(fdt_begin_node(fdt, node));
    FDT_TRY(fdt_property_string(fdt, "compatible", "pci-host-ecam-generic"));
    FDT_TRY(fdt_property_string(fdt, "device_type", "pci"));
    FDT_TRY(fdt_property_cell(fdt, "#address-cells", 3));
    FDT_TRY(fdt_property_cell(fdt, "#size-cells", 2));
    FDT_TRY(fdt_property_cell(fdt, "#interrupt-cells", 1));
    FDT_TRY(fdt_property_cell(fdt, "linux,pci-domain", 0));
    FDT_TRY(fdt_property(fdt, "dma-coherent", NULL, 0));
    FDT_TRY(fdt_cells(fdt, "bus-range", bus_range, 2));
    FDT_TRY(fdt_cells(fdt, "reg", reg, 4));
    FDT_TRY(fdt_cells(fdt, "ranges", ranges, high->size ? 14 : 7));
    FDT_TRY(fdt_cells(fdt, "interrupt-map-mask", mask, 4));
    FDT_TRY(fdt_cells(fdt, "interrupt-map", map, n));
    if (msi == ARMZ_MSI_ITS) {
        /* requester ID = ITS device ID */
        uint32_t msi_map[4] = { 0, msi_phandle, 0, 0x10000 };
        FDT_TRY(fdt_cells(fdt, "msi-map", msi_map, 4));
    } else if (msi == ARMZ_MSI_GICV2M) {
        FDT_TRY(fdt_property_cell(fdt, "msi-parent", msi_phandle));
    }
    return fdt_end_node(fdt);
}
