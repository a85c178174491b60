/* virtio-pci modern transport: see virtio_pci.h.  Lock order: the host
 * bridge's lock (config space, BAR decoding) before the device lock; the
 * interrupt paths hold the device lock and take only the host's INTx lock
 * or the MSI controller's. */
#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include "virtio/virtio_pci.h"
#include "vmmlog.h"

#define PCI_VENDOR_ID_VIRTIO    0x1af4
#define VIRTIO_PCI_DEVICE_BASE  0x1040
#define VIRTIO_PCI_SUBSYS_ID    0x1100

typedef struct {
    ArmzVirtioDev *dev;
    ArmzPciHost *host;
    ArmzPciFunc func;           /* host lock */
    ArmzIoeventfdSetFn ioeventfd;
    void *ioeventfd_opaque;
    uint64_t notify_at;         /* guest address of the notify area with ioeventfds, 0: none */
    /* device lock */
    ArmzMsix msix;
    uint32_t dev_feat_sel, drv_feat_sel;
    uint16_t queue_sel;
    uint16_t config_vector;
    uint16_t *queue_vector;
    uint8_t isr;
    bool intx_disabled;
    int intx_level;
    unsigned bad_accesses;
} VirtioPci;

/* lock held: INTx follows ISR while MSI-X is off */
static void
update_intx(VirtioPci *p)
{
    int level = p->isr != 0 && !p->intx_disabled && !p->msix.enabled;
    if (level == p->intx_level)
        return;
    p->intx_level = level;
    armz_pci_host_set_intx(p->host, &p->func, level);
}

static void
pci_interrupt(void *opaque, ArmzVirtioIntCause cause, unsigned queue)
{
    VirtioPci *p = opaque;

    if (p->msix.enabled) {
        uint16_t v = cause == ARMZ_VIRTIO_INT_CONFIG ? p->config_vector
                     : queue < armz_virtio_num_queues(p->dev) ? p->queue_vector[queue]
                     : VIRTIO_MSI_NO_VECTOR;
        if (v != VIRTIO_MSI_NO_VECTOR)
            armz_msix_notify(&p->msix, v);
        return;
    }
    p->isr |= cause;
    update_intx(p);
}

static void
reset_vectors(VirtioPci *p)
{
    p->config_vector = VIRTIO_MSI_NO_VECTOR;
    for (unsigned q = 0; q < armz_virtio_num_queues(p->dev); q++)
        p->queue_vector[q] = VIRTIO_MSI_NO_VECTOR;
}

static void
pci_reset(void *opaque)
{
    VirtioPci *p = opaque;
    p->isr = 0;
    update_intx(p);
    p->dev_feat_sel = p->drv_feat_sel = 0;
    p->queue_sel = 0;
    reset_vectors(p);
}

static void
pci_free(void *opaque)
{
    VirtioPci *p = opaque;
    g_free(p->queue_vector);
    g_free(p);
}

static const ArmzVirtioTransport pci_transport = {
    .interrupt = pci_interrupt,
    .reset = pci_reset,
    .free = pci_free,
};

static void
bad_access(VirtioPci *p, unsigned bar, uint64_t offset, unsigned size, bool write)
{
    if (++p->bad_accesses <= 8)
        armz_vmm_warn(_("%s: ignoring %u-byte %s at BAR %u offset 0x%" PRIx64),
                      armz_virtio_label(p->dev), size, write ? _("write") : _("read"), bar,
                      offset);
}

/* a vector the table has, else NO_VECTOR (how the driver learns that a
 * mapping failed) */
static uint16_t
checked_vector(VirtioPci *p, uint32_t v)
{
    return v < p->msix.nvec ? (uint16_t)v : VIRTIO_MSI_NO_VECTOR;
}

/* the queue-address register at OFFSET (4 or 8 bytes): its area and half */
static bool
queue_area(uint64_t offset, ArmzVirtqArea *area, bool *high)
{
    if (offset < VPCI_Q_DESC || offset >= VPCI_COMMON_LEN)
        return false;
    *area = offset < VPCI_Q_AVAIL ? ARMZ_VIRTQ_AREA_DESC :
            offset < VPCI_Q_USED ? ARMZ_VIRTQ_AREA_DRIVER : ARMZ_VIRTQ_AREA_DEVICE;
    *high = offset & 4;
    return true;
}

/* lock held */
static uint64_t
common_read(VirtioPci *p, uint64_t offset, unsigned size)
{
    ArmzVirtioDev *d = p->dev;
    ArmzVirtqArea area;
    bool high;
    uint64_t f;

    if (queue_area(offset, &area, &high)) {
        if (size == 8 && !(offset & 7))
            return armz_virtio_queue_addr(d, p->queue_sel, area, false) |
                   (uint64_t)armz_virtio_queue_addr(d, p->queue_sel, area, true) << 32;
        return size == 4 ? armz_virtio_queue_addr(d, p->queue_sel, area, high) : 0;
    }
    switch (offset | (uint64_t)size << 8) {
    case VPCI_DFSELECT | 4 << 8:
        return p->dev_feat_sel;
    case VPCI_DF | 4 << 8:
        f = armz_virtio_device_features(d);
        return p->dev_feat_sel == 0 ? (uint32_t)f : p->dev_feat_sel == 1 ? (uint32_t)(f >> 32) : 0;
    case VPCI_GFSELECT | 4 << 8:
        return p->drv_feat_sel;
    case VPCI_GF | 4 << 8:
        f = armz_virtio_features(d);
        return p->drv_feat_sel == 0 ? (uint32_t)f : p->drv_feat_sel == 1 ? (uint32_t)(f >> 32) : 0;
    case VPCI_MSIX_CONFIG | 2 << 8:
        return p->config_vector;
    case VPCI_NUM_QUEUES | 2 << 8:
        return armz_virtio_num_queues(d);
    case VPCI_STATUS | 1 << 8:
        return armz_virtio_status(d);
    case VPCI_CFG_GENERATION | 1 << 8:
        return armz_virtio_config_generation(d) & 0xff;
    case VPCI_Q_SELECT | 2 << 8:
        return p->queue_sel;
    case VPCI_Q_SIZE | 2 << 8:
        return armz_virtio_queue_num(d, p->queue_sel);
    case VPCI_Q_MSIX | 2 << 8:
        return p->queue_sel < armz_virtio_num_queues(d) ? p->queue_vector[p->queue_sel]
                                                         : VIRTIO_MSI_NO_VECTOR;
    case VPCI_Q_ENABLE | 2 << 8:
        return armz_virtio_queue_ready(d, p->queue_sel);
    case VPCI_Q_NOFF | 2 << 8:
        return p->queue_sel;        /* notify_off_multiplier * queue */
    default:
        bad_access(p, VIRTIO_PCI_MODERN_BAR, offset, size, false);
        return 0;
    }
}

/* lock held */
static void
common_write(VirtioPci *p, uint64_t offset, unsigned size, uint64_t value)
{
    ArmzVirtioDev *d = p->dev;
    uint32_t v = (uint32_t)value;
    ArmzVirtqArea area;
    bool high;

    if (queue_area(offset, &area, &high)) {
        if (size == 8 && !(offset & 7)) {
            armz_virtio_queue_set_addr(d, p->queue_sel, area, false, v);
            armz_virtio_queue_set_addr(d, p->queue_sel, area, true, (uint32_t)(value >> 32));
        } else if (size == 4) {
            armz_virtio_queue_set_addr(d, p->queue_sel, area, high, v);
        } else {
            bad_access(p, VIRTIO_PCI_MODERN_BAR, offset, size, true);
        }
        return;
    }
    switch (offset | (uint64_t)size << 8) {
    case VPCI_DFSELECT | 4 << 8:
        p->dev_feat_sel = v;
        break;
    case VPCI_GFSELECT | 4 << 8:
        p->drv_feat_sel = v;
        break;
    case VPCI_GF | 4 << 8:
        armz_virtio_set_driver_features(d, p->drv_feat_sel, v);
        break;
    case VPCI_MSIX_CONFIG | 2 << 8:
        p->config_vector = checked_vector(p, v & 0xffff);
        break;
    case VPCI_STATUS | 1 << 8:
        armz_virtio_set_status(d, (uint8_t)v);
        break;
    case VPCI_Q_SELECT | 2 << 8:
        p->queue_sel = (uint16_t)v;
        break;
    case VPCI_Q_SIZE | 2 << 8:
        armz_virtio_queue_set_num(d, p->queue_sel, v & 0xffff);
        break;
    case VPCI_Q_MSIX | 2 << 8:
        if (p->queue_sel < armz_virtio_num_queues(d))
            p->queue_vector[p->queue_sel] = checked_vector(p, v & 0xffff);
        break;
    case VPCI_Q_ENABLE | 2 << 8:
        /* only 1 is defined: a queue is disabled by a reset */
        if (v & 1)
            armz_virtio_queue_set_ready(d, p->queue_sel, true);
        break;
    default:
        bad_access(p, VIRTIO_PCI_MODERN_BAR, offset, size, true);
        break;
    }
}

static uint64_t
bar_read(void *opaque, unsigned bar, uint64_t offset, unsigned size)
{
    VirtioPci *p = opaque;
    ArmzVirtioDev *d = p->dev;
    uint64_t v = 0;

    armz_virtio_lock(d);
    if (bar == VIRTIO_PCI_MSIX_BAR) {
        v = offset < VIRTIO_PCI_PBA_OFF ? armz_msix_table_read(&p->msix, offset, size)
                                        : armz_msix_pba_read(&p->msix, offset - VIRTIO_PCI_PBA_OFF,
                                                             size);
    } else if (offset < VIRTIO_PCI_ISR_OFF) {
        v = common_read(p, offset - VIRTIO_PCI_COMMON_OFF, size);
    } else if (offset < VIRTIO_PCI_DEVICE_OFF) {
        /* reading ISR acknowledges it */
        if (offset == VIRTIO_PCI_ISR_OFF) {
            v = p->isr;
            p->isr = 0;
            update_intx(p);
        }
    } else if (offset < VIRTIO_PCI_NOTIFY_OFF) {
        v = armz_virtio_config_read(d, offset - VIRTIO_PCI_DEVICE_OFF, size);
    }
    armz_virtio_unlock(d);
    return v;
}

static void
bar_write(void *opaque, unsigned bar, uint64_t offset, unsigned size, uint64_t value)
{
    VirtioPci *p = opaque;
    ArmzVirtioDev *d = p->dev;

    if (bar == VIRTIO_PCI_MODERN_BAR && offset >= VIRTIO_PCI_NOTIFY_OFF) {
        /* the queue is named by the address; the worker is woken outside
         * the lock (a queue that does not exist is ignored there) */
        uint64_t q = (offset - VIRTIO_PCI_NOTIFY_OFF) / VIRTIO_PCI_NOTIFY_MULT;
        armz_virtio_queue_notify(d, (unsigned)q);
        return;
    }
    armz_virtio_lock(d);
    if (bar == VIRTIO_PCI_MSIX_BAR) {
        if (offset < VIRTIO_PCI_PBA_OFF)
            armz_msix_table_write(&p->msix, offset, size, value);
    } else if (offset < VIRTIO_PCI_ISR_OFF) {
        common_write(p, offset - VIRTIO_PCI_COMMON_OFF, size, value);
    } else if (offset >= VIRTIO_PCI_DEVICE_OFF) {
        armz_virtio_config_write(d, offset - VIRTIO_PCI_DEVICE_OFF, size, value);
    }
    armz_virtio_unlock(d);
}

/* host lock held: BAR 4 moved; the notify area's ioeventfds follow it */
static void
bar_mapped(void *opaque, unsigned bar, uint64_t addr, bool on)
{
    VirtioPci *p = opaque;
    ArmzVirtioDev *d = p->dev;
    unsigned nq = armz_virtio_num_queues(d);

    if (bar != VIRTIO_PCI_MODERN_BAR || !p->ioeventfd)
        return;
    if (!on && p->notify_at) {
        for (unsigned q = 0; q < nq; q++)
            p->ioeventfd(p->ioeventfd_opaque, p->notify_at + VIRTIO_PCI_NOTIFY_MULT * q, 2, q,
                         armz_virtio_queue_notify_fd(d, q), false);
        p->notify_at = 0;
    }
    if (on) {
        uint64_t at = addr + VIRTIO_PCI_NOTIFY_OFF;
        for (unsigned q = 0; q < nq; q++) {
            int r = p->ioeventfd(p->ioeventfd_opaque, at + VIRTIO_PCI_NOTIFY_MULT * q, 2, q,
                                 armz_virtio_queue_notify_fd(d, q), true);
            if (r < 0) {
                armz_vmm_debug("%s: no ioeventfd for queue %u (%s): notifications exit to the VMM",
                               armz_virtio_label(d), q, g_strerror(-r));
                while (q-- > 0)
                    p->ioeventfd(p->ioeventfd_opaque, at + VIRTIO_PCI_NOTIFY_MULT * q, 2, q,
                                 armz_virtio_queue_notify_fd(d, q), false);
                return;
            }
        }
        p->notify_at = at;
    }
}

/* host lock held: the command register and MSI-X control */
static void
config_written(void *opaque, unsigned offset, unsigned size)
{
    VirtioPci *p = opaque;

    (void)offset;
    (void)size;
    armz_virtio_lock(p->dev);
    p->intx_disabled = armz_pci_command(&p->func) & PCI_CMD_INTX_DISABLE;
    armz_msix_config_written(&p->msix, &p->func);
    update_intx(p);
    armz_virtio_unlock(p->dev);
}

/* host lock held: function reset (VM reset): MSI-X off, INTx enabled */
static void
func_reset(void *opaque)
{
    VirtioPci *p = opaque;

    armz_virtio_lock(p->dev);
    armz_msix_reset(&p->msix);
    p->intx_disabled = false;
    update_intx(p);
    armz_virtio_unlock(p->dev);
}

static const ArmzPciFuncOps func_ops = {
    .bar_mapped = bar_mapped,
    .bar_read = bar_read,
    .bar_write = bar_write,
    .config_written = config_written,
    .reset = func_reset,
};

static uint32_t
class_code(uint32_t device_id)
{
    switch (device_id) {
    case VIRTIO_ID_NET:
        return 0x020000;        /* network controller, Ethernet */
    case VIRTIO_ID_BLOCK:
        return 0x010000;        /* mass storage, SCSI (as QEMU's virtio-blk-pci) */
    case VIRTIO_ID_CONSOLE:
        return 0x078000;        /* communication controller, other */
    default:
        return 0xff0000;        /* unassigned class */
    }
}

/* a virtio vendor capability of TYPE for LENGTH bytes at OFFSET of BAR 4 */
static void
add_virtio_cap(ArmzPciFunc *f, uint8_t type, uint32_t offset, uint32_t length)
{
    uint8_t len = type == VIRTIO_PCI_CAP_NOTIFY ? 20 : 16;
    uint8_t c = armz_pci_func_add_cap(f, PCI_CAP_ID_VNDR, len);

    f->cfg[c + 2] = len;
    f->cfg[c + 3] = type;
    f->cfg[c + 4] = VIRTIO_PCI_MODERN_BAR;
    armz_pci_put(&f->cfg[c + 8], 4, offset);
    armz_pci_put(&f->cfg[c + 12], 4, length);
    if (type == VIRTIO_PCI_CAP_NOTIFY)
        armz_pci_put(&f->cfg[c + 16], 4, VIRTIO_PCI_NOTIFY_MULT);
}

/* the transport of D, bound; not yet on a bus */
static VirtioPci *
pci_setup(ArmzVirtioDev *d, ArmzPciHost *host, const ArmzMsiSender *sender,
          const ArmzGuestMem *mem, ArmzIoeventfdSetFn ioeventfd, void *ioeventfd_opaque)
{
    VirtioPci *p = g_new0(VirtioPci, 1);
    uint32_t id = armz_virtio_device_id(d);
    unsigned nq = armz_virtio_num_queues(d);

    p->dev = d;
    p->host = host;
    p->ioeventfd = ioeventfd;
    p->ioeventfd_opaque = ioeventfd_opaque;
    p->queue_vector = g_new0(uint16_t, nq ? nq : 1);
    armz_pci_func_init(&p->func, PCI_VENDOR_ID_VIRTIO, (uint16_t)(VIRTIO_PCI_DEVICE_BASE + id),
                       1 /* modern */, class_code(id), PCI_VENDOR_ID_VIRTIO,
                       VIRTIO_PCI_SUBSYS_ID, &func_ops, p);
    armz_pci_func_set_bar64(&p->func, VIRTIO_PCI_MODERN_BAR, VIRTIO_PCI_MODERN_SIZE, true);
    armz_pci_func_set_bar(&p->func, VIRTIO_PCI_MSIX_BAR, VIRTIO_PCI_BAR1_SIZE);
    /* a vector per queue and one for configuration changes */
    armz_msix_init(&p->msix, &p->func, nq + 1, VIRTIO_PCI_MSIX_BAR, 0, VIRTIO_PCI_PBA_OFF,
                   sender);
    add_virtio_cap(&p->func, VIRTIO_PCI_CAP_COMMON, VIRTIO_PCI_COMMON_OFF, VPCI_COMMON_LEN);
    add_virtio_cap(&p->func, VIRTIO_PCI_CAP_ISR, VIRTIO_PCI_ISR_OFF, 1);
    add_virtio_cap(&p->func, VIRTIO_PCI_CAP_DEVICE, VIRTIO_PCI_DEVICE_OFF, 0x1000);
    add_virtio_cap(&p->func, VIRTIO_PCI_CAP_NOTIFY, VIRTIO_PCI_NOTIFY_OFF,
                   VIRTIO_PCI_NOTIFY_MULT * (nq ? nq : 1));
    reset_vectors(p);
    armz_virtio_dev_bind(d, &pci_transport, p, mem);
    return p;
}

gboolean
armz_virtio_pci_attach(ArmzVirtioDev *d, ArmzPciHost *host, unsigned devfn, bool below,
                       const ArmzMsiSender *sender, const ArmzGuestMem *mem,
                       ArmzIoeventfdSetFn ioeventfd, void *ioeventfd_opaque, GError **error)
{
    VirtioPci *p = pci_setup(d, host, sender, mem, ioeventfd, ioeventfd_opaque);

    return below ? armz_pci_host_add_below(host, devfn, &p->func, error)
                 : armz_pci_host_add(host, devfn, &p->func, error);
}

gboolean
armz_virtio_pci_hotplug(ArmzVirtioDev *d, ArmzPciHost *host, unsigned port_devfn,
                        const ArmzMsiSender *sender, const ArmzGuestMem *mem,
                        ArmzIoeventfdSetFn ioeventfd, void *ioeventfd_opaque, GError **error)
{
    VirtioPci *p = pci_setup(d, host, sender, mem, ioeventfd, ioeventfd_opaque);

    return armz_pci_host_hotplug_below(host, port_devfn, &p->func, error);
}

ArmzPciFunc *
armz_virtio_pci_func(ArmzVirtioDev *d)
{
    VirtioPci *p = armz_virtio_dev_transport(d);
    return &p->func;
}
