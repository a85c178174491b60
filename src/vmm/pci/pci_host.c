/* PCIe host bridge: see pci_host.h. */
#include <libfdt.h>
#include <glib/gi18n-lib.h>
#include "pci/pci_host.h"
#include "layout.h"
#include "vmmlog.h"

struct _ArmzPciHost {
    /* config space and BAR decoding of every function; taken before a
     * function's own lock (config_written, bar_mapped) */
    GMutex lock;
    ArmzPciFunc *slot[ARMZ_PCIE_MAX_SLOTS];
    ArmzIrqSetFn intx_set;
    void *intx_opaque;
    /* INTx: slots asserting each of INTA-D, under its own lock (taken
     * from interrupt paths that hold a device lock) */
    GMutex intx_lock;
    uint32_t intx[4];
};

ArmzPciHost *
armz_pci_host_new(ArmzIrqSetFn intx_set, void *intx_opaque)
{
    ArmzPciHost *h = g_new0(ArmzPciHost, 1);
    g_mutex_init(&h->lock);
    g_mutex_init(&h->intx_lock);
    h->intx_set = intx_set;
    h->intx_opaque = intx_opaque;
    return h;
}

void
armz_pci_host_free(ArmzPciHost *h)
{
    if (!h)
        return;
    g_mutex_clear(&h->lock);
    g_mutex_clear(&h->intx_lock);
    g_free(h);
}

gboolean
armz_pci_host_add(ArmzPciHost *h, unsigned slot, ArmzPciFunc *f, GError **error)
{
    if (slot == 0 || slot >= ARMZ_PCIE_MAX_SLOTS || h->slot[slot]) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("PCI slot %u is taken or does not exist (1-%u)"), slot,
                    ARMZ_PCIE_MAX_SLOTS - 1);
        return FALSE;
    }
    h->slot[slot] = f;
    return TRUE;
}

/* INTx pin A of SLOT after the standard swizzle */
static unsigned
intx_line(unsigned slot)
{
    return slot % 4;
}

void
armz_pci_host_set_intx(ArmzPciHost *h, unsigned slot, int level)
{
    unsigned line = intx_line(slot);
    uint32_t before, after;

    g_mutex_lock(&h->intx_lock);
    before = h->intx[line];
    if (level)
        h->intx[line] |= 1u << slot;
    else
        h->intx[line] &= ~(1u << slot);
    after = h->intx[line];
    if ((before != 0) != (after != 0) && h->intx_set)
        h->intx_set(h->intx_opaque, 32 + ARMZ_PCIE_INTX_SPI + line, after != 0);
    g_mutex_unlock(&h->intx_lock);
}

/* the function an ECAM offset names and the register offset; NULL for
 * an empty slot, another bus or a function other than 0 */
static ArmzPciFunc *
ecam_func(ArmzPciHost *h, uint64_t offset, unsigned *reg)
{
    unsigned bus = (unsigned)(offset >> 20) & 0xff;
    unsigned dev = (unsigned)(offset >> 15) & 0x1f;
    unsigned fn = (unsigned)(offset >> 12) & 0x7;

    *reg = (unsigned)offset & 0xfff;
    if (bus != 0 || fn != 0)
        return NULL;
    return h->slot[dev];
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

/* the function and BAR decoding window offset OFFSET, under the lock */
static ArmzPciFunc *
mem_func(ArmzPciHost *h, uint64_t offset, unsigned *bar, uint64_t *bar_off)
{
    for (unsigned s = 0; s < ARMZ_PCIE_MAX_SLOTS; s++)
        if (h->slot[s] && armz_pci_func_decodes(h->slot[s], ARMZ_PCIE_MMIO_BASE + offset,
                                                bar, bar_off))
            return h->slot[s];
    return NULL;
}

/* BAR accesses run outside the host lock: the function takes its own, and
 * its BAR cannot move meanwhile in a way that matters (a guest moving a
 * BAR while using it gets what it asked for) */
uint64_t
armz_pci_host_mem_read(void *opaque, uint64_t offset, unsigned size)
{
    ArmzPciHost *h = opaque;
    ArmzPciFunc *f;
    unsigned bar;
    uint64_t off;

    g_mutex_lock(&h->lock);
    f = mem_func(h, offset, &bar, &off);
    g_mutex_unlock(&h->lock);
    if (!f || !f->ops || !f->ops->bar_read)
        return 0;
    return f->ops->bar_read(f->opaque, bar, off, size);
}

void
armz_pci_host_mem_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    ArmzPciHost *h = opaque;
    ArmzPciFunc *f;
    unsigned bar;
    uint64_t off;

    g_mutex_lock(&h->lock);
    f = mem_func(h, offset, &bar, &off);
    g_mutex_unlock(&h->lock);
    if (f && f->ops && f->ops->bar_write)
        f->ops->bar_write(f->opaque, bar, off, size, value);
}

gboolean
armz_pci_host_map(ArmzPciHost *h, ArmzMmioBus *bus, GError **error)
{
    ArmzMmioRegion ecam = { "pcie-ecam", ARMZ_PCIE_ECAM_BASE, ARMZ_PCIE_ECAM_SIZE,
                            armz_pci_host_ecam_read, armz_pci_host_ecam_write, h };
    ArmzMmioRegion mem = { "pcie-mmio", ARMZ_PCIE_MMIO_BASE, ARMZ_PCIE_MMIO_SIZE,
                           armz_pci_host_mem_read, armz_pci_host_mem_write, h };

    return !bus || (armz_mmio_bus_add(bus, &ecam, error) && armz_mmio_bus_add(bus, &mem, error));
}

void
armz_pci_host_reset(ArmzPciHost *h)
{
    g_mutex_lock(&h->lock);
    for (unsigned s = 0; s < ARMZ_PCIE_MAX_SLOTS; s++)
        if (h->slot[s])
            armz_pci_func_reset(h->slot[s]);
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
armz_pci_host_fdt(void *fdt, uint32_t gic_phandle, ArmzMsiKind msi, uint32_t msi_phandle)
{
    char node[64];
    uint32_t reg[4] = { (uint32_t)(ARMZ_PCIE_ECAM_BASE >> 32), (uint32_t)ARMZ_PCIE_ECAM_BASE,
                        (uint32_t)(ARMZ_PCIE_ECAM_SIZE >> 32), (uint32_t)ARMZ_PCIE_ECAM_SIZE };
    /* 32-bit memory space, identity mapped */
    uint32_t ranges[7] = { 0x02000000, (uint32_t)(ARMZ_PCIE_MMIO_BASE >> 32),
                           (uint32_t)ARMZ_PCIE_MMIO_BASE, (uint32_t)(ARMZ_PCIE_MMIO_BASE >> 32),
                           (uint32_t)ARMZ_PCIE_MMIO_BASE, (uint32_t)(ARMZ_PCIE_MMIO_SIZE >> 32),
                           (uint32_t)ARMZ_PCIE_MMIO_SIZE };
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
    FDT_TRY(fdt_cells(fdt, "ranges", ranges, 7));
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
