/* PCIe host bridge and virtio-pci transport: ECAM config space (empty
 * slots, read-only identity, BAR sizing of 32-bit and 64-bit BARs, the
 * capability chain), a driver bringing the device up through BAR 4 in the
 * 64-bit window, INTx with ISR read-to-clear and the shared, swizzled
 * line, MSI-X (table, PBA, per-vector and function masks) delivered
 * through a GICv2m frame, the notify area's ioeventfds following BAR 4,
 * VM reset, and the device tree node.  Every register access goes
 * through an MMIO bus as guest bytes, so a big-endian host checks the
 * conversions. */
#include <string.h>
#include <libfdt.h>
#include <glib.h>
#include "vtest.h"
#include "layout.h"
#include "boot/fdt.h"
#include "irq/gicv2m.h"
#include "virtio/virtio_abi.h"
#include "virtio/virtio_pci.h"

#define RAM_SIZE (1u << 20)
#define RING     (VT_RAM_GPA + 0x1000)
#define BUF      (VT_RAM_GPA + 0x10000)
#define SLOT     1
#define ECAM(reg) (ARMZ_PCIE_ECAM_BASE + ((uint64_t)SLOT << 15) + (reg))
#define HIGH_AT  0x8000000000ULL        /* the 64-bit window where QEMU's virt has it */
#define BAR4_AT  (HIGH_AT + 0x100000)
#define BAR1_AT  0x10004000ULL
#define COMMON(off) (BAR4_AT + VIRTIO_PCI_COMMON_OFF + (off))

static VtMem *mem;

/* SPI inputs of a pretend GIC: level and rising edges per INTID */
typedef struct {
    int level[160];
    unsigned raised[160];
} Spis;

static void
spi_set(void *opaque, unsigned intid, int level)
{
    Spis *s = opaque;
    g_assert_cmpuint(intid, <, 160);
    if (level && !s->level[intid])
        s->raised[intid]++;
    s->level[intid] = level;
}

typedef struct {
    unsigned assigned, deassigned;
    uint64_t last_addr;
    bool last_assign;
    int active;                 /* bindings now */
} Ioe;

static int
ioe_set(void *opaque, uint64_t addr, unsigned len, uint64_t datamatch, int fd, bool assign)
{
    Ioe *e = opaque;
    g_assert_cmpuint(len, ==, 2);
    (void)datamatch;
    g_assert_cmpint(fd, >=, 0);
    e->last_addr = addr;
    e->last_assign = assign;
    if (assign) {
        e->assigned++;
        e->active++;
    } else {
        e->deassigned++;
        e->active--;
    }
    return 0;
}

typedef struct {
    VtEcho t;
    ArmzVirtioDev *dev;
    ArmzMmioBus *bus;
    ArmzPciHost *host;
    ArmzGicv2m v2m;
    Spis spis;
    Ioe ioe;
} Fix;

static void
fix_init(Fix *f)
{
    ArmzMsiSender sender = { armz_gicv2m_send, &f->v2m };
    ArmzPciWindow high = { HIGH_AT, ARMZ_PCIE_MMIO_HIGH_SIZE };
    ArmzMmioRegion r = { "gicv2m", ARMZ_GICV2M_BASE, ARMZ_GICV2M_SIZE, armz_gicv2m_read,
                         armz_gicv2m_write, &f->v2m };
    GError *err = NULL;

    memset(f, 0, sizeof(*f));
    f->dev = armz_virtio_dev_new(&vt_echo_ops, &f->t, "test", 0);
    armz_st_le64(armz_virtio_config(f->dev), 0x1122334455667788ULL);
    f->bus = armz_mmio_bus_new();
    f->host = armz_pci_host_new(spi_set, &f->spis);
    armz_pci_host_set_high_window(f->host, &high);
    armz_gicv2m_init(&f->v2m, ARMZ_GICV2M_BASE, ARMZ_GICV2M_SPI, ARMZ_GICV2M_NUM_SPIS, spi_set,
                     &f->spis);
    g_assert_true(armz_pci_host_map(f->host, f->bus, &err));
    g_assert_true(armz_mmio_bus_add(f->bus, &r, &err));
    g_assert_true(armz_virtio_pci_attach(f->dev, f->host, SLOT << 3, false, &sender, &mem->mem,
                                         ioe_set, &f->ioe, &err));
    g_assert_no_error(err);
}

static void
fix_free(Fix *f)
{
    armz_virtio_dev_free(f->dev);
    armz_pci_host_free(f->host);
    armz_mmio_bus_free(f->bus);
}

static uint64_t
rd(Fix *f, uint64_t addr, unsigned len)
{
    return vt_rd_sized(f->bus, addr, len);
}

static void
wr(Fix *f, uint64_t addr, unsigned len, uint64_t v)
{
    uint8_t b[8];
    armz_u64_to_le_bytes(b, len, v);
    g_assert_true(armz_mmio_bus_access(f->bus, addr, b, len, true));
}

/* BARs programmed, memory decoding and bus mastering on */
static void
enable(Fix *f)
{
    wr(f, ECAM(PCI_CFG_BAR0 + 4 * 4), 4, (uint32_t)BAR4_AT);
    wr(f, ECAM(PCI_CFG_BAR0 + 4 * 5), 4, BAR4_AT >> 32);
    wr(f, ECAM(PCI_CFG_BAR0 + 4), 4, BAR1_AT);
    wr(f, ECAM(PCI_CFG_COMMAND), 2, PCI_CMD_MEMORY | PCI_CMD_MASTER);
}

static void
test_ecam(void)
{
    Fix f;
    fix_init(&f);
    /* nothing at slot 0, slot 2, function 1 or bus 1: all ones */
    g_assert_cmphex(rd(&f, ARMZ_PCIE_ECAM_BASE, 4), ==, 0xffffffff);
    g_assert_cmphex(rd(&f, ARMZ_PCIE_ECAM_BASE + (2 << 15), 2), ==, 0xffff);
    g_assert_cmphex(rd(&f, ECAM(1 << 12), 4), ==, 0xffffffff);
    g_assert_cmphex(rd(&f, ARMZ_PCIE_ECAM_BASE + (1 << 20) + (SLOT << 15), 4), ==, 0xffffffff);
    /* virtio vendor, modern device ID 0x1040 + 7, revision 1 */
    g_assert_cmphex(rd(&f, ECAM(PCI_CFG_VENDOR_ID), 4), ==, 0x10471af4);
    g_assert_cmphex(rd(&f, ECAM(PCI_CFG_REVISION), 1), ==, 1);
    g_assert_cmphex(rd(&f, ECAM(PCI_CFG_SUBSYS_VENDOR), 2), ==, 0x1af4);
    g_assert_cmphex(rd(&f, ECAM(PCI_CFG_HEADER_TYPE), 1), ==, 0);
    g_assert_cmphex(rd(&f, ECAM(PCI_CFG_INT_PIN), 1), ==, 1);
    g_assert_cmphex(rd(&f, ECAM(PCI_CFG_STATUS), 2) & PCI_STATUS_CAP_LIST, !=, 0);
    /* identity is read-only, the interrupt line is not */
    wr(&f, ECAM(PCI_CFG_VENDOR_ID), 4, 0x12345678);
    g_assert_cmphex(rd(&f, ECAM(PCI_CFG_VENDOR_ID), 4), ==, 0x10471af4);
    wr(&f, ECAM(PCI_CFG_INT_LINE), 1, 0x2a);
    g_assert_cmphex(rd(&f, ECAM(PCI_CFG_INT_LINE), 1), ==, 0x2a);
    /* beyond the 256 bytes: 0 */
    g_assert_cmphex(rd(&f, ECAM(0x100), 4), ==, 0);
    fix_free(&f);
}

static void
test_bar_sizing(void)
{
    Fix f;
    fix_init(&f);
    /* before sizing: BAR 4 says 64-bit prefetchable memory, BAR 1 32-bit */
    g_assert_cmphex(rd(&f, ECAM(PCI_CFG_BAR0 + 4 * 4), 4), ==, PCI_BAR_MEM_64 | PCI_BAR_PREFETCH);
    g_assert_cmphex(rd(&f, ECAM(PCI_CFG_BAR0 + 4), 4), ==, 0);
    /* all ones in every BAR, both halves of BAR 4 included: the size masks
     * with the type bits; the upper half takes all ones (a 16 KiB BAR) */
    for (unsigned b = 0; b < 6; b++) {
        uint32_t want = b == 1 ? ~(uint32_t)(VIRTIO_PCI_BAR1_SIZE - 1)
                        : b == 4 ? ~(uint32_t)(VIRTIO_PCI_MODERN_SIZE - 1) | 0xc
                        : b == 5 ? 0xffffffff : 0;
        wr(&f, ECAM(PCI_CFG_BAR0 + 4 * b), 4, 0xffffffff);
        g_assert_cmphex(rd(&f, ECAM(PCI_CFG_BAR0 + 4 * b), 4), ==, want);
    }
    /* sizing probe with decoding on (both halves all ones) decodes nowhere */
    wr(&f, ECAM(PCI_CFG_COMMAND), 2, PCI_CMD_MEMORY);
    g_assert_cmphex(rd(&f, COMMON(VPCI_NUM_QUEUES), 2), ==, 0);
    g_assert_cmpint(f.ioe.active, ==, 0);
    wr(&f, ECAM(PCI_CFG_COMMAND), 2, 0);
    /* an address keeps its alignment and the type bits */
    wr(&f, ECAM(PCI_CFG_BAR0 + 4 * 4), 4, (uint32_t)BAR4_AT | 0x1fff);
    g_assert_cmphex(rd(&f, ECAM(PCI_CFG_BAR0 + 4 * 4), 4), ==, (uint32_t)BAR4_AT | 0xc);
    wr(&f, ECAM(PCI_CFG_BAR0 + 4), 4, BAR1_AT | 0x7ff);
    g_assert_cmphex(rd(&f, ECAM(PCI_CFG_BAR0 + 4), 4), ==, BAR1_AT);
    /* no expansion ROM */
    wr(&f, ECAM(0x30), 4, 0xffffffff);
    g_assert_cmphex(rd(&f, ECAM(0x30), 4), ==, 0);
    /* decoding off: nothing answers in the window */
    g_assert_cmphex(rd(&f, COMMON(VPCI_NUM_QUEUES), 2), ==, 0);
    enable(&f);
    g_assert_cmphex(rd(&f, COMMON(VPCI_NUM_QUEUES), 2), ==, VT_ECHO_QUEUES);
    /* memory space enable is bit 1 of the command register (bit 0: I/O) */
    g_assert_cmphex(rd(&f, ECAM(PCI_CFG_COMMAND), 2), ==, 0x0006);
    wr(&f, ECAM(PCI_CFG_COMMAND), 2, 0x0001);
    g_assert_cmphex(rd(&f, COMMON(VPCI_NUM_QUEUES), 2), ==, 0);
    wr(&f, ECAM(PCI_CFG_COMMAND), 2, 0x0002);
    g_assert_cmphex(rd(&f, COMMON(VPCI_NUM_QUEUES), 2), ==, VT_ECHO_QUEUES);
    /* sizing probe with decoding on does not decode at all ones */
    wr(&f, ECAM(PCI_CFG_COMMAND), 2, 0);
    g_assert_cmphex(rd(&f, COMMON(VPCI_NUM_QUEUES), 2), ==, 0);
    fix_free(&f);
}

static void
test_caps(void)
{
    Fix f;
    unsigned off, n = 0, types[8] = { 0 };
    fix_init(&f);
    off = (unsigned)rd(&f, ECAM(PCI_CFG_CAP_PTR), 1);
    g_assert_cmphex(off, ==, PCI_CFG_FIRST_CAP);
    /* MSI-X first: 3 vectors (2 queues + config), table in BAR 1 at 0, PBA at 0x800 */
    g_assert_cmphex(rd(&f, ECAM(off), 1), ==, PCI_CAP_ID_MSIX);
    g_assert_cmphex(rd(&f, ECAM(off + 2), 2), ==, VT_ECHO_QUEUES);
    g_assert_cmphex(rd(&f, ECAM(off + 4), 4), ==, 0 | VIRTIO_PCI_MSIX_BAR);
    g_assert_cmphex(rd(&f, ECAM(off + 8), 4), ==, VIRTIO_PCI_PBA_OFF | VIRTIO_PCI_MSIX_BAR);
    /* the table size is read-only */
    wr(&f, ECAM(off + 2), 2, 0x3fff);
    g_assert_cmphex(rd(&f, ECAM(off + 2), 2), ==, VT_ECHO_QUEUES);
    for (off = (unsigned)rd(&f, ECAM(off + 1), 1); off; off = (unsigned)rd(&f, ECAM(off + 1), 1)) {
        uint8_t type;
        g_assert_cmpuint(n, <, 8);
        g_assert_cmphex(off & 3, ==, 0);
        g_assert_cmpuint(off, >=, 0x40);
        g_assert_cmphex(rd(&f, ECAM(off), 1), ==, PCI_CAP_ID_VNDR);
        type = (uint8_t)rd(&f, ECAM(off + 3), 1);
        types[n++] = type;
        g_assert_cmphex(rd(&f, ECAM(off + 2), 1), ==, type == VIRTIO_PCI_CAP_NOTIFY ? 20 : 16);
        g_assert_cmphex(rd(&f, ECAM(off + 4), 1), ==, VIRTIO_PCI_MODERN_BAR);
        switch (type) {
        case VIRTIO_PCI_CAP_COMMON:
            g_assert_cmphex(rd(&f, ECAM(off + 8), 4), ==, VIRTIO_PCI_COMMON_OFF);
            g_assert_cmpuint(rd(&f, ECAM(off + 12), 4), >=, VPCI_COMMON_LEN);
            break;
        case VIRTIO_PCI_CAP_NOTIFY:
            g_assert_cmphex(rd(&f, ECAM(off + 8), 4), ==, VIRTIO_PCI_NOTIFY_OFF);
            g_assert_cmphex(rd(&f, ECAM(off + 16), 4), ==, VIRTIO_PCI_NOTIFY_MULT);
            break;
        case VIRTIO_PCI_CAP_ISR:
            g_assert_cmphex(rd(&f, ECAM(off + 8), 4), ==, VIRTIO_PCI_ISR_OFF);
            break;
        case VIRTIO_PCI_CAP_DEVICE:
            g_assert_cmphex(rd(&f, ECAM(off + 8), 4), ==, VIRTIO_PCI_DEVICE_OFF);
            break;
        default:
            g_assert_not_reached();
        }
    }
    g_assert_cmpuint(n, ==, 4);
    g_assert_cmpuint(types[0] | types[1] << 4 | types[2] << 8 | types[3] << 12, ==, 0x2431);
    fix_free(&f);
}

static void
negotiate(Fix *f)
{
    wr(f, COMMON(VPCI_STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(f, COMMON(VPCI_DFSELECT), 4, 1);
    g_assert_cmphex(rd(f, COMMON(VPCI_DF), 4) & 1, ==, 1);     /* VERSION_1 */
    wr(f, COMMON(VPCI_GFSELECT), 4, 1);
    wr(f, COMMON(VPCI_GF), 4, 1);
    wr(f, COMMON(VPCI_GFSELECT), 4, 0);
    wr(f, COMMON(VPCI_GF), 4, 0);
    wr(f, COMMON(VPCI_STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
       VIRTIO_STATUS_FEATURES_OK);
    g_assert_cmphex(rd(f, COMMON(VPCI_STATUS), 1) & VIRTIO_STATUS_FEATURES_OK, !=, 0);
}

static void
queue_setup(Fix *f, unsigned q, VtDrv *d, uint16_t vector)
{
    wr(f, COMMON(VPCI_Q_SELECT), 2, q);
    g_assert_cmpuint(rd(f, COMMON(VPCI_Q_SIZE), 2), ==, VT_ECHO_QMAX);
    g_assert_cmpuint(rd(f, COMMON(VPCI_Q_NOFF), 2), ==, q);
    wr(f, COMMON(VPCI_Q_SIZE), 2, d->num);
    wr(f, COMMON(VPCI_Q_MSIX), 2, vector);
    /* the descriptor table as one 64-bit store, the rings as two halves */
    wr(f, COMMON(VPCI_Q_DESC), 8, d->desc);
    wr(f, COMMON(VPCI_Q_AVAIL), 4, (uint32_t)d->avail);
    wr(f, COMMON(VPCI_Q_AVAIL + 4), 4, (uint32_t)(d->avail >> 32));
    wr(f, COMMON(VPCI_Q_USED), 4, (uint32_t)d->used);
    wr(f, COMMON(VPCI_Q_USED + 4), 4, (uint32_t)(d->used >> 32));
    g_assert_cmphex(rd(f, COMMON(VPCI_Q_DESC), 8), ==, d->desc);
    wr(f, COMMON(VPCI_Q_ENABLE), 2, 1);
    g_assert_cmpuint(rd(f, COMMON(VPCI_Q_ENABLE), 2), ==, 1);
}

static void
driver_ok(Fix *f)
{
    wr(f, COMMON(VPCI_STATUS), 1, rd(f, COMMON(VPCI_STATUS), 1) | VIRTIO_STATUS_DRIVER_OK);
}

static void
notify(Fix *f, unsigned q)
{
    wr(f, BAR4_AT + VIRTIO_PCI_NOTIFY_OFF + VIRTIO_PCI_NOTIFY_MULT * q, 2, q);
}

/* INTA of slot 1 after the swizzle */
#define INTX_INTID (32 + ARMZ_PCIE_INTX_SPI + SLOT % 4)

static void
test_intx(void)
{
    Fix f;
    ArmzPciFunc other;
    VtDrv d;
    VtBuf b[2] = { { BUF, 100, false }, { BUF + 0x100, 4, true } };
    uint32_t id, len;

    fix_init(&f);
    enable(&f);
    vt_drv_init(&d, mem, 16, RING);
    negotiate(&f);
    queue_setup(&f, 0, &d, VIRTIO_MSI_NO_VECTOR);
    driver_ok(&f);
    /* device config space at its offset, little-endian */
    g_assert_cmphex(rd(&f, BAR4_AT + VIRTIO_PCI_DEVICE_OFF, 4), ==, 0x55667788);
    g_assert_cmphex(rd(&f, BAR4_AT + VIRTIO_PCI_DEVICE_OFF + 4, 2), ==, 0x3344);
    vt_add(&d, b, 2);
    notify(&f, 0);
    vt_run(f.dev);
    g_assert_true(vt_get_used(&d, &id, &len));
    g_assert_cmpuint(len, ==, 4);
    g_assert_cmpint(f.spis.level[INTX_INTID], ==, 1);
    /* another slot's INTx shares the line: it stays high until both drop */
    memset(&other, 0, sizeof(other));
    other.devfn = (SLOT + 4) << 3;
    armz_pci_host_set_intx(f.host, &other, 1);
    g_assert_cmphex(rd(&f, BAR4_AT + VIRTIO_PCI_ISR_OFF, 1), ==, ARMZ_VIRTIO_INT_VRING);
    g_assert_cmpint(f.spis.level[INTX_INTID], ==, 1);
    armz_pci_host_set_intx(f.host, &other, 0);
    g_assert_cmpint(f.spis.level[INTX_INTID], ==, 0);
    /* ISR read cleared it */
    g_assert_cmphex(rd(&f, BAR4_AT + VIRTIO_PCI_ISR_OFF, 1), ==, 0);
    /* INTx disabled in the command register: ISR set, line low */
    wr(&f, ECAM(PCI_CFG_COMMAND), 2, PCI_CMD_MEMORY | PCI_CMD_MASTER | PCI_CMD_INTX_DISABLE);
    vt_add(&d, b, 2);
    notify(&f, 0);
    vt_run(f.dev);
    g_assert_cmpint(f.spis.level[INTX_INTID], ==, 0);
    wr(&f, ECAM(PCI_CFG_COMMAND), 2, PCI_CMD_MEMORY | PCI_CMD_MASTER);
    g_assert_cmpint(f.spis.level[INTX_INTID], ==, 1);
    g_assert_cmpuint(f.spis.raised[INTX_INTID], ==, 2);
    /* a device reset lowers it */
    wr(&f, COMMON(VPCI_STATUS), 1, 0);
    g_assert_cmpint(f.spis.level[INTX_INTID], ==, 0);
    g_assert_cmpuint(rd(&f, COMMON(VPCI_STATUS), 1), ==, 0);
    fix_free(&f);
}

#define V2M_INTID (32 + ARMZ_GICV2M_SPI)

/* MSI-X entry V: message to the v2m frame with INTID, masked or not */
static void
msix_entry(Fix *f, unsigned v, uint32_t intid, bool masked)
{
    uint64_t e = BAR1_AT + 16 * v;
    wr(f, e, 8, ARMZ_GICV2M_BASE + GICV2M_MSI_SETSPI_NS);
    wr(f, e + 8, 4, intid);
    wr(f, e + 12, 4, masked);
}

static void
test_msix(void)
{
    Fix f;
    VtDrv d;
    VtBuf b[2] = { { BUF, 100, false }, { BUF + 0x100, 4, true } };
    uint32_t id, len;
    unsigned cap;

    fix_init(&f);
    enable(&f);
    cap = (unsigned)rd(&f, ECAM(PCI_CFG_CAP_PTR), 1);
    /* every vector starts masked, nothing pending */
    for (unsigned v = 0; v < VT_ECHO_QUEUES + 1; v++)
        g_assert_cmphex(rd(&f, BAR1_AT + 16 * v + 12, 4), ==, 1);
    g_assert_cmphex(rd(&f, BAR1_AT + VIRTIO_PCI_PBA_OFF, 8), ==, 0);
    wr(&f, ECAM(cap + 2), 2, MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
    vt_drv_init(&d, mem, 16, RING);
    negotiate(&f);
    /* a vector the table lacks reads back as NO_VECTOR */
    wr(&f, COMMON(VPCI_MSIX_CONFIG), 2, 7);
    g_assert_cmphex(rd(&f, COMMON(VPCI_MSIX_CONFIG), 2), ==, VIRTIO_MSI_NO_VECTOR);
    wr(&f, COMMON(VPCI_MSIX_CONFIG), 2, 2);
    g_assert_cmphex(rd(&f, COMMON(VPCI_MSIX_CONFIG), 2), ==, 2);
    queue_setup(&f, 0, &d, 1);
    g_assert_cmphex(rd(&f, COMMON(VPCI_Q_MSIX), 2), ==, 1);
    msix_entry(&f, 1, V2M_INTID + 3, true);
    wr(&f, ECAM(cap + 2), 2, MSIX_CTRL_ENABLE);
    driver_ok(&f);

    /* masked vector: pending bit, no message, no INTx */
    vt_add(&d, b, 2);
    notify(&f, 0);
    vt_run(f.dev);
    g_assert_true(vt_get_used(&d, &id, &len));
    g_assert_cmpuint(f.spis.raised[V2M_INTID + 3], ==, 0);
    g_assert_cmphex(rd(&f, BAR1_AT + VIRTIO_PCI_PBA_OFF, 4), ==, 1u << 1);
    g_assert_cmpint(f.spis.level[INTX_INTID], ==, 0);
    /* unmasking delivers it (an edge: the line is pulsed) */
    wr(&f, BAR1_AT + 16 + 12, 4, 0);
    g_assert_cmpuint(f.spis.raised[V2M_INTID + 3], ==, 1);
    g_assert_cmpint(f.spis.level[V2M_INTID + 3], ==, 0);
    g_assert_cmphex(rd(&f, BAR1_AT + VIRTIO_PCI_PBA_OFF, 4), ==, 0);
    /* unmasked: straight through */
    vt_add(&d, b, 2);
    notify(&f, 0);
    vt_run(f.dev);
    g_assert_cmpuint(f.spis.raised[V2M_INTID + 3], ==, 2);
    /* function mask holds it back until cleared */
    wr(&f, ECAM(cap + 2), 2, MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
    vt_add(&d, b, 2);
    notify(&f, 0);
    vt_run(f.dev);
    g_assert_cmpuint(f.spis.raised[V2M_INTID + 3], ==, 2);
    wr(&f, ECAM(cap + 2), 2, MSIX_CTRL_ENABLE);
    g_assert_cmpuint(f.spis.raised[V2M_INTID + 3], ==, 3);
    /* a message outside the frame's SPIs is dropped */
    msix_entry(&f, 1, V2M_INTID + ARMZ_GICV2M_NUM_SPIS, false);
    vt_add(&d, b, 2);
    notify(&f, 0);
    vt_run(f.dev);
    g_assert_cmpuint(f.spis.raised[V2M_INTID + ARMZ_GICV2M_NUM_SPIS], ==, 0);
    /* NO_VECTOR: nothing at all */
    msix_entry(&f, 1, V2M_INTID + 3, false);
    wr(&f, COMMON(VPCI_Q_SELECT), 2, 0);
    wr(&f, COMMON(VPCI_Q_MSIX), 2, VIRTIO_MSI_NO_VECTOR);
    vt_add(&d, b, 2);
    notify(&f, 0);
    vt_run(f.dev);
    g_assert_cmpuint(f.spis.raised[V2M_INTID + 3], ==, 3);
    g_assert_cmpuint(f.spis.raised[INTX_INTID], ==, 0);
    fix_free(&f);
}

static void
test_v2m_frame(void)
{
    ArmzGicv2m m;
    Spis s;

    memset(&s, 0, sizeof(s));
    armz_gicv2m_init(&m, ARMZ_GICV2M_BASE, ARMZ_GICV2M_SPI, ARMZ_GICV2M_NUM_SPIS, spi_set, &s);
    /* MSI_TYPER: first INTID in 25:16, count in 9:0 */
    g_assert_cmphex(armz_gicv2m_read(&m, GICV2M_MSI_TYPER, 4), ==,
                    (uint64_t)V2M_INTID << 16 | ARMZ_GICV2M_NUM_SPIS);
    armz_gicv2m_write(&m, GICV2M_MSI_SETSPI_NS, 4, V2M_INTID);
    g_assert_cmpuint(s.raised[V2M_INTID], ==, 1);
    g_assert_cmpint(s.level[V2M_INTID], ==, 0);
    armz_gicv2m_write(&m, GICV2M_MSI_SETSPI_NS, 4, V2M_INTID - 1);
    g_assert_cmpuint(s.raised[V2M_INTID - 1], ==, 0);
    /* a message to another address is not the frame's */
    armz_gicv2m_send(&m, ARMZ_GICV2M_BASE + 0x44, V2M_INTID, 8);
    g_assert_cmpuint(s.raised[V2M_INTID], ==, 1);
    armz_gicv2m_send(&m, ARMZ_GICV2M_BASE + GICV2M_MSI_SETSPI_NS, V2M_INTID, 8);
    g_assert_cmpuint(s.raised[V2M_INTID], ==, 2);
}

static void
test_ioeventfd_follows_bar(void)
{
    Fix f;
    fix_init(&f);
    enable(&f);
    g_assert_cmpint(f.ioe.active, ==, VT_ECHO_QUEUES);
    g_assert_cmphex(f.ioe.last_addr, ==,
                    BAR4_AT + VIRTIO_PCI_NOTIFY_OFF + VIRTIO_PCI_NOTIFY_MULT * (VT_ECHO_QUEUES - 1));
    /* moving BAR 4 (its lower half): the old bindings go, new ones come */
    wr(&f, ECAM(PCI_CFG_BAR0 + 4 * 4), 4, (uint32_t)(BAR4_AT + 0x10000));
    g_assert_cmpint(f.ioe.active, ==, VT_ECHO_QUEUES);
    g_assert_cmpuint(f.ioe.deassigned, ==, VT_ECHO_QUEUES);
    g_assert_cmphex(f.ioe.last_addr, >=, BAR4_AT + 0x10000 + VIRTIO_PCI_NOTIFY_OFF);
    /* and its upper half: below 4 GiB, in the 32-bit window */
    wr(&f, ECAM(PCI_CFG_BAR0 + 4 * 5), 4, 0);
    g_assert_cmpint(f.ioe.active, ==, VT_ECHO_QUEUES);
    g_assert_cmpuint(f.ioe.deassigned, ==, 2 * VT_ECHO_QUEUES);
    g_assert_cmphex(f.ioe.last_addr, ==, (uint32_t)(BAR4_AT + 0x10000) + VIRTIO_PCI_NOTIFY_OFF +
                    VIRTIO_PCI_NOTIFY_MULT * (VT_ECHO_QUEUES - 1));
    /* decoding off: none */
    wr(&f, ECAM(PCI_CFG_COMMAND), 2, 0);
    g_assert_cmpint(f.ioe.active, ==, 0);
    /* the notification also works as an MMIO write (no ioeventfd) */
    wr(&f, ECAM(PCI_CFG_COMMAND), 2, PCI_CMD_MEMORY);
    g_assert_cmpint(f.ioe.active, ==, VT_ECHO_QUEUES);
    /* VM reset: BARs cleared, bindings gone, MSI-X off */
    armz_pci_host_reset(f.host);
    g_assert_cmpint(f.ioe.active, ==, 0);
    g_assert_cmphex(rd(&f, ECAM(PCI_CFG_BAR0 + 4 * 4), 4), ==, PCI_BAR_MEM_64 | PCI_BAR_PREFETCH);
    g_assert_cmphex(rd(&f, ECAM(PCI_CFG_BAR0 + 4 * 5), 4), ==, 0);
    g_assert_cmphex(rd(&f, ECAM(PCI_CFG_COMMAND), 2), ==, 0);
    fix_free(&f);
}

static void
test_fdt(void)
{
    uint64_t mpidr = 0;
    ArmzFdtConfig c = { .ram_base = 0x40000000, .ram_size = 256 << 20, .ncpus = 1,
                        .mpidr = &mpidr, .gic = ARMZ_GIC_V3, .pci = true,
                        .msi = ARMZ_MSI_ITS };
    g_autoptr(GError) err = NULL;
    size_t size;
    g_autofree void *fdt = armz_fdt_build(&c, &size, &err);
    const fdt32_t *p;
    int node, its, len;

    g_assert_no_error(err);
    node = fdt_path_offset(fdt, "/pcie@10000000");
    g_assert_cmpint(node, >=, 0);
    g_assert_cmpstr(fdt_getprop(fdt, node, "compatible", NULL), ==, "pci-host-ecam-generic");
    p = fdt_getprop(fdt, node, "bus-range", &len);
    g_assert_cmpint(len, ==, 8);
    g_assert_cmpuint(fdt32_to_cpu(p[1]), ==, 15);
    p = fdt_getprop(fdt, node, "interrupt-map", &len);
    g_assert_cmpint(len, ==, 16 * 10 * 4);
    /* slot 1, INTA -> SPI 4 (swizzled) */
    g_assert_cmpuint(fdt32_to_cpu(p[10 * 4 + 0]), ==, 1 << 11);
    g_assert_cmpuint(fdt32_to_cpu(p[10 * 4 + 8]), ==, ARMZ_PCIE_INTX_SPI + 1);
    p = fdt_getprop(fdt, node, "msi-map", &len);
    g_assert_cmpint(len, ==, 16);
    its = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3-its");
    g_assert_cmpint(its, >=, 0);
    g_assert_cmpuint(fdt32_to_cpu(p[1]), ==, fdt_get_phandle(fdt, its));
    g_assert_null(fdt_getprop(fdt, node, "msi-parent", NULL));
    /* no virtio-mmio nodes */
    g_assert_cmpint(fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"), <, 0);
    /* no 64-bit window: the 32-bit one alone in ranges */
    p = fdt_getprop(fdt, node, "ranges", &len);
    g_assert_cmpint(len, ==, 7 * 4);
    g_assert_cmphex(fdt32_to_cpu(p[0]), ==, 0x02000000);
    g_assert_cmphex(fdt32_to_cpu(p[2]), ==, ARMZ_PCIE_MMIO_BASE);
    g_free(fdt);

    /* with one: a second entry, 64-bit memory, identity mapped */
    c.pci_high.base = HIGH_AT;
    c.pci_high.size = ARMZ_PCIE_MMIO_HIGH_SIZE;
    fdt = armz_fdt_build(&c, &size, &err);
    g_assert_no_error(err);
    node = fdt_path_offset(fdt, "/pcie@10000000");
    p = fdt_getprop(fdt, node, "ranges", &len);
    g_assert_cmpint(len, ==, 14 * 4);
    g_assert_cmphex(fdt32_to_cpu(p[7]), ==, 0x03000000);
    for (unsigned i = 0; i < 2; i++) {
        g_assert_cmphex(fdt32_to_cpu(p[8 + 2 * i]), ==, HIGH_AT >> 32);
        g_assert_cmphex(fdt32_to_cpu(p[9 + 2 * i]), ==, (uint32_t)HIGH_AT);
    }
    g_assert_cmphex(fdt32_to_cpu(p[12]), ==, ARMZ_PCIE_MMIO_HIGH_SIZE >> 32);
    g_assert_cmphex(fdt32_to_cpu(p[13]), ==, 0);
    g_free(fdt);
    memset(&c.pci_high, 0, sizeof(c.pci_high));

    /* userspace GICv2: a v2m frame as msi-parent */
    c.gic = ARMZ_GIC_V2;
    c.msi = ARMZ_MSI_GICV2M;
    fdt = armz_fdt_build(&c, &size, &err);
    g_assert_no_error(err);
    node = fdt_path_offset(fdt, "/pcie@10000000");
    its = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v2m-frame");
    g_assert_cmpint(its, >=, 0);
    g_assert_cmpint(fdt_parent_offset(fdt, its), ==, fdt_path_offset(fdt, "/intc@8000000"));
    p = fdt_getprop(fdt, node, "msi-parent", &len);
    g_assert_cmpint(len, ==, 4);
    g_assert_cmpuint(fdt32_to_cpu(p[0]), ==, fdt_get_phandle(fdt, its));
}

/* where the 64-bit window goes: QEMU's place with a 40-bit IPA, the top
 * of a smaller IPA space, none where nothing fits past RAM */
static void
test_high_window(void)
{
    ArmzPciWindow w;
    const uint64_t GiB = 1ULL << 30;

    g_assert_true(armz_pci_high_window(0x40000000 + 2 * GiB, 40, &w));
    g_assert_cmphex(w.base, ==, 0x8000000000ULL);
    g_assert_cmphex(w.size, ==, 0x8000000000ULL);
    g_assert_true(armz_pci_high_window(0x40000000 + 2 * GiB, 48, &w));
    g_assert_cmphex(w.base, ==, 0x8000000000ULL);
    /* RAM past 256 GiB pushes QEMU's regions up: still 512 GiB after 300
     * GiB, 1 TiB after 600 GiB, which a 41-bit IPA holds */
    g_assert_true(armz_pci_high_window(300 * GiB, 40, &w));
    g_assert_cmphex(w.base, ==, 0x8000000000ULL);
    g_assert_true(armz_pci_high_window(600 * GiB, 41, &w));
    g_assert_cmphex(w.base, ==, 1ULL << 40);
    g_assert_cmphex(w.size, ==, 0x8000000000ULL);
    /* 40 bits and RAM up to 600 GiB: the top 256 GiB of the 1 TiB */
    g_assert_true(armz_pci_high_window(600 * GiB, 40, &w));
    g_assert_cmphex(w.base, ==, 768 * GiB);
    g_assert_cmphex(w.size, ==, 256 * GiB);
    /* 36 bits (64 GiB): the top half */
    g_assert_true(armz_pci_high_window(0x40000000 + 2 * GiB, 36, &w));
    g_assert_cmphex(w.base, ==, 32 * GiB);
    g_assert_cmphex(w.size, ==, 32 * GiB);
    /* 33 bits: 4 GiB at 4 GiB, past RAM ending at 3 GiB */
    g_assert_true(armz_pci_high_window(3 * GiB, 33, &w));
    g_assert_cmphex(w.base, ==, 4 * GiB);
    g_assert_cmphex(w.size, ==, 4 * GiB);
    /* 32 bits, or RAM filling the space: none */
    g_assert_false(armz_pci_high_window(3 * GiB, 32, &w));
    g_assert_cmphex(w.size, ==, 0);
    g_assert_false(armz_pci_high_window(8 * GiB, 33, &w));
    g_assert_cmphex(w.size, ==, 0);
}

/* an MSI sender that records the last message */
typedef struct {
    uint64_t addr;
    uint32_t data, devid;
    unsigned n;
} Msg;

static void
msg_send(void *opaque, uint64_t addr, uint32_t data, uint32_t devid)
{
    Msg *m = opaque;
    m->addr = addr;
    m->data = data;
    m->devid = devid;
    m->n++;
}

#define PORT_DEVFN (2 << 3)
#define ECAM_BDF(bus, devfn, reg) \
    (ARMZ_PCIE_ECAM_BASE + ((uint64_t)(bus) << 20) + ((uint64_t)(devfn) << 12) + (reg))

static void
test_root_port(void)
{
    VtEcho t;
    ArmzVirtioDev *dev;
    ArmzMmioBus *bus = armz_mmio_bus_new();
    Spis spis;
    ArmzPciHost *h;
    ArmzPcieRootPort rp, rp2, rp3;
    ArmzPciWindow high = { HIGH_AT, ARMZ_PCIE_MMIO_HIGH_SIZE };
    Msg msg;
    ArmzMsiSender sender = { msg_send, &msg };
    GError *err = NULL;
    unsigned cap, mcap;
    VtDrv d;
    VtBuf b[2] = { { BUF, 100, false }, { BUF + 0x100, 4, true } };

    memset(&t, 0, sizeof(t));
    memset(&spis, 0, sizeof(spis));
    memset(&msg, 0, sizeof(msg));
    h = armz_pci_host_new(spi_set, &spis);
    armz_pci_host_set_high_window(h, &high);
    g_assert_true(armz_pci_host_map(h, bus, &err));
    armz_pcie_root_port_init(&rp, 1, 0x10, true);
    armz_pcie_root_port_init(&rp2, 2, 0x11, true);
    armz_pcie_root_port_init(&rp3, 3, 0x12, true);
    g_assert_true(armz_pci_host_add_root_port(h, PORT_DEVFN, &rp, &err));
    /* virt-install packs its ports as functions of a slot */
    g_assert_true(armz_pci_host_add_root_port(h, 3 << 3 | 1, &rp3, &err));
    g_assert_true(armz_pci_host_add_root_port(h, 3 << 3, &rp2, &err));
    g_assert_false(armz_pci_host_add_root_port(h, 3 << 3, &rp2, NULL));
    g_assert_false(armz_pci_host_slot_free(h, 3));
    g_assert_true(armz_pci_host_slot_free(h, 4));
    dev = armz_virtio_dev_new(&vt_echo_ops, &t, "test", 0);
    g_assert_true(armz_virtio_pci_attach(dev, h, PORT_DEVFN, true, &sender, &mem->mem, NULL, NULL,
                                         &err));
    g_assert_no_error(err);
    /* a second device below the same port is refused */
    g_assert_false(armz_pci_host_add_below(h, PORT_DEVFN, &rp3.func, NULL));

    /* the port: type 1 bridge, Red Hat's pcie-root-port IDs, class 0604 */
    g_assert_cmphex(armz_mmio_bus_unmapped_count(bus), ==, 0);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, 0), 4), ==, 0x000c1b36);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, PCI_CFG_HEADER_TYPE), 1), ==, 1);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, 0x08), 4) >> 8, ==, 0x060400);
    /* function 0 of slot 3 says multi-function, function 1 answers */
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, 3 << 3, PCI_CFG_HEADER_TYPE), 1), ==, 0x81);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, 3 << 3 | 1, 0), 2), ==, 0x1b36);
    /* PCI Express capability: version 2 root port with a slot; port number,
     * physical slot = chassis, presence detected, link active */
    cap = (unsigned)vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, PCI_CFG_CAP_PTR), 1);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, cap), 1), ==, 0x10);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, cap + 2), 2), ==, 0x0142);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, cap + 0x0c), 4) >> 24, ==, 0x10);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, cap + 0x14), 4) >> 19, ==, 1);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, cap + 0x1a), 2) & 0x40, ==, 0x40);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, 3 << 3, cap + 0x1a), 2) & 0x40, ==, 0);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, cap + 0x12), 2) & 0x2000, ==, 0x2000);
    /* no I/O window: those registers stay 0 */
    vt_wr(bus, ECAM_BDF(0, PORT_DEVFN, 0), 0x1c, 0xffff);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, 0x1c), 2), ==, 0);
    /* a 64-bit prefetchable window: type 1 in base and limit, bits 15:4
     * writable, the upper halves all of them */
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, 0x24), 4), ==, 0x00010001);
    vt_wr(bus, ECAM_BDF(0, PORT_DEVFN, 0), 0x24, 0xffffffff);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, 0x24), 4), ==, 0xfff1fff1);
    vt_wr(bus, ECAM_BDF(0, PORT_DEVFN, 0), 0x28, 0x80);
    vt_wr(bus, ECAM_BDF(0, PORT_DEVFN, 0), 0x2c, 0xffffffff);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, 0x28), 4), ==, 0x80);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, 0x2c), 4), ==, 0xffffffff);
    vt_wr(bus, ECAM_BDF(0, PORT_DEVFN, 0), 0x20, 0x10f01000);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, 0x20), 4), ==, 0x10f01000);

    /* before the guest numbers the bus nothing is below; then the device
     * is device 0 of bus 1 and only that */
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(1, 0, 0), 4), ==, 0xffffffff);
    vt_wr(bus, ECAM_BDF(0, PORT_DEVFN, 0), PCI_CFG_PRIMARY_BUS, 0x010100);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(1, 0, 0), 4), ==, 0x10471af4);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(1, 1 << 3, 0), 4), ==, 0xffffffff);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(2, 0, 0), 4), ==, 0xffffffff);

    /* BARs and MSI-X of the device below: the message carries requester
     * ID 01:00.0 (the ITS device ID under msi-map) */
    vt_wr(bus, ECAM_BDF(1, 0, 0), PCI_CFG_BAR0 + 4 * 4, (uint32_t)BAR4_AT);
    vt_wr(bus, ECAM_BDF(1, 0, 0), PCI_CFG_BAR0 + 4 * 5, BAR4_AT >> 32);
    vt_wr(bus, ECAM_BDF(1, 0, 0), PCI_CFG_BAR0 + 4, BAR1_AT);
    vt_wr(bus, ECAM_BDF(1, 0, 0), PCI_CFG_COMMAND, PCI_CMD_MEMORY | PCI_CMD_MASTER);
    mcap = (unsigned)vt_rd_sized(bus, ECAM_BDF(1, 0, PCI_CFG_CAP_PTR), 1);
    vt_wr(bus, ECAM_BDF(1, 0, 0), mcap, (uint32_t)(MSIX_CTRL_ENABLE << 16) | 0x11);
    vt_wr(bus, BAR1_AT, 0, 0x08090040);
    vt_wr(bus, BAR1_AT, 4, 0);
    vt_wr(bus, BAR1_AT, 8, 0x2a);
    vt_wr(bus, BAR1_AT, 12, 0);
    vt_drv_init(&d, mem, 16, RING);
    {
        Fix f;      /* the helpers take a fixture: only its bus is used */
        f.bus = bus;
        negotiate(&f);
        queue_setup(&f, 0, &d, 0);
        driver_ok(&f);
        vt_add(&d, b, 2);
        notify(&f, 0);
    }
    vt_run(dev);
    g_assert_cmpuint(msg.n, ==, 1);
    g_assert_cmphex(msg.addr, ==, 0x08090040);
    g_assert_cmphex(msg.data, ==, 0x2a);
    g_assert_cmphex(msg.devid, ==, 0x0100);
    /* INTx below the port at slot 2: the port's line (SPI 3 + 2) */
    {
        ArmzPciFunc *f = armz_virtio_pci_func(dev);
        g_assert_cmpuint(armz_pci_host_intx_slot(f), ==, 2);
        armz_pci_host_set_intx(h, f, 1);
        g_assert_cmpint(spis.level[32 + ARMZ_PCIE_INTX_SPI + 2], ==, 1);
        armz_pci_host_set_intx(h, f, 0);
    }
    /* VM reset: the bus number goes, so does the device below */
    armz_pci_host_reset(h);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(1, 0, 0), 4), ==, 0xffffffff);
    /* and the windows, but not their type */
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, 0x24), 4), ==, 0x00010001);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, 0x28), 4), ==, 0);
    /* the resource reservation (QEMU's vendor capability, type 1): 2 MiB
     * of 32-bit memory and 2 MiB of 64-bit prefetchable memory, no 32-bit
     * prefetchable hint (it excludes the 64-bit one) */
    cap = armz_pci_func_find_cap(&rp.func, PCI_CAP_ID_VNDR, 0);
    g_assert_cmpuint(cap, !=, 0);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, cap + 3), 1), ==, 1);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, cap + 16), 4), ==, 2u << 20);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, cap + 20), 4), ==, 0xffffffff);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, cap + 24), 4), ==, 2u << 20);
    g_assert_cmphex(vt_rd_sized(bus, ECAM_BDF(0, PORT_DEVFN, cap + 28), 4), ==, 0);
    armz_virtio_dev_free(dev);
    armz_pci_host_free(h);
    armz_mmio_bus_free(bus);
}

int
main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    mem = vt_mem_new(RAM_SIZE);
    g_test_add_func("/virtio-pci/ecam", test_ecam);
    g_test_add_func("/virtio-pci/bar-sizing", test_bar_sizing);
    g_test_add_func("/virtio-pci/capabilities", test_caps);
    g_test_add_func("/virtio-pci/intx", test_intx);
    g_test_add_func("/virtio-pci/msix", test_msix);
    g_test_add_func("/virtio-pci/v2m-frame", test_v2m_frame);
    g_test_add_func("/virtio-pci/ioeventfd-follows-bar", test_ioeventfd_follows_bar);
    g_test_add_func("/virtio-pci/fdt", test_fdt);
    g_test_add_func("/virtio-pci/high-window", test_high_window);
    g_test_add_func("/virtio-pci/root-port", test_root_port);
    r = g_test_run();
    vt_mem_free(mem);
    return r;
}
