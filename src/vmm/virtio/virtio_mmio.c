/* virtio-mmio transport (version 2): see virtio_mmio.h.  Every register is
 * read and written under the device lock (armz_virtio_lock), so the
 * transport's own state (selectors, InterruptStatus, the line) shares it. */
#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include "virtio/virtio_mmio.h"
#include "vmmlog.h"

typedef struct {
    ArmzVirtioDev *dev;
    ArmzIrqLine irq;
    /* registers (device lock) */
    uint32_t dev_feat_sel, drv_feat_sel, queue_sel, shm_sel;
    uint32_t isr;
    int irq_level;
    unsigned bad_accesses;
} VirtioMmio;

/* lock held */
static void
update_irq(VirtioMmio *m)
{
    int level = m->isr != 0;
    if (level == m->irq_level)
        return;
    m->irq_level = level;
    armz_irq_line_set(&m->irq, level);
}

static void
mmio_interrupt(void *opaque, ArmzVirtioIntCause cause, unsigned queue)
{
    VirtioMmio *m = opaque;
    (void)queue;                /* one line for every queue */
    m->isr |= cause == ARMZ_VIRTIO_INT_CONFIG ? VIRTIO_MMIO_INT_CONFIG : VIRTIO_MMIO_INT_VRING;
    update_irq(m);
}

static void
mmio_reset(void *opaque)
{
    VirtioMmio *m = opaque;
    m->isr = 0;
    update_irq(m);
    m->dev_feat_sel = m->drv_feat_sel = m->queue_sel = m->shm_sel = 0;
}

static const ArmzVirtioTransport mmio_transport = {
    .interrupt = mmio_interrupt,
    .reset = mmio_reset,
    .free = g_free,
};

static void
bad_access(VirtioMmio *m, uint64_t offset, unsigned size, bool write)
{
    /* a driver bug, not a reason to stop: log a few */
    if (++m->bad_accesses <= 8)
        armz_vmm_warn(_("%s: ignoring %u-byte %s at register offset 0x%" PRIx64),
                      armz_virtio_label(m->dev), size, write ? _("write") : _("read"), offset);
}

/* the ring area a QueueDesc/QueueDriver/QueueDevice register names, and
 * whether it is the high half; false for other registers */
static bool
queue_area(uint64_t offset, ArmzVirtqArea *area, bool *high)
{
    switch (offset) {
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
        *area = ARMZ_VIRTQ_AREA_DESC;
        break;
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
        *area = ARMZ_VIRTQ_AREA_DRIVER;
        break;
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        *area = ARMZ_VIRTQ_AREA_DEVICE;
        break;
    default:
        return false;
    }
    *high = offset & 4;         /* each high half follows its low half */
    return true;
}

static uint64_t
mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    VirtioMmio *m = opaque;
    ArmzVirtioDev *d = m->dev;
    ArmzVirtqArea area;
    bool high;
    uint64_t v = 0;

    armz_virtio_lock(d);
    if (offset >= VIRTIO_MMIO_CONFIG) {
        v = armz_virtio_config_read(d, offset - VIRTIO_MMIO_CONFIG, size);
        armz_virtio_unlock(d);
        return v;
    }
    if (size != 4 || (offset & 3)) {
        bad_access(m, offset, size, false);
        armz_virtio_unlock(d);
        return 0;
    }
    if (queue_area(offset, &area, &high)) {
        v = armz_virtio_queue_addr(d, m->queue_sel, area, high);
        armz_virtio_unlock(d);
        return v;
    }
    switch (offset) {
    case VIRTIO_MMIO_MAGIC_VALUE:
        v = VIRTIO_MMIO_MAGIC;
        break;
    case VIRTIO_MMIO_VERSION:
        v = VIRTIO_MMIO_VERSION_MODERN;
        break;
    case VIRTIO_MMIO_DEVICE_ID:
        v = armz_virtio_device_id(d);
        break;
    case VIRTIO_MMIO_VENDOR_ID:
        v = ARMZ_VIRTIO_VENDOR_ID;
        break;
    case VIRTIO_MMIO_DEVICE_FEATURES:
        v = m->dev_feat_sel == 0 ? (uint32_t)armz_virtio_device_features(d) :
            m->dev_feat_sel == 1 ? (uint32_t)(armz_virtio_device_features(d) >> 32) : 0;
        break;
    case VIRTIO_MMIO_QUEUE_NUM_MAX:
        v = armz_virtio_queue_num_max(d, m->queue_sel);
        break;
    case VIRTIO_MMIO_QUEUE_READY:
        v = armz_virtio_queue_ready(d, m->queue_sel);
        break;
    case VIRTIO_MMIO_INTERRUPT_STATUS:
        v = m->isr;
        break;
    case VIRTIO_MMIO_STATUS:
        v = armz_virtio_status(d);
        break;
    case VIRTIO_MMIO_QUEUE_NUM:
        v = armz_virtio_queue_num(d, m->queue_sel);
        break;
    case VIRTIO_MMIO_SHM_LEN_LOW:
    case VIRTIO_MMIO_SHM_LEN_HIGH:
        v = 0xffffffffu;        /* no shared memory regions: length -1 */
        break;
    case VIRTIO_MMIO_CONFIG_GENERATION:
        v = armz_virtio_config_generation(d);
        break;
    default:
        v = 0;
        break;
    }
    armz_virtio_unlock(d);
    return v;
}

static void
mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    VirtioMmio *m = opaque;
    ArmzVirtioDev *d = m->dev;
    uint32_t v = (uint32_t)value;
    ArmzVirtqArea area;
    bool high;
    bool notify = false;

    armz_virtio_lock(d);
    if (offset >= VIRTIO_MMIO_CONFIG) {
        armz_virtio_config_write(d, offset - VIRTIO_MMIO_CONFIG, size, value);
        armz_virtio_unlock(d);
        return;
    }
    if (size != 4 || (offset & 3)) {
        bad_access(m, offset, size, true);
        armz_virtio_unlock(d);
        return;
    }
    if (queue_area(offset, &area, &high)) {
        armz_virtio_queue_set_addr(d, m->queue_sel, area, high, v);
        armz_virtio_unlock(d);
        return;
    }
    switch (offset) {
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
        m->dev_feat_sel = v;
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES:
        armz_virtio_set_driver_features(d, m->drv_feat_sel, v);
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
        m->drv_feat_sel = v;
        break;
    case VIRTIO_MMIO_QUEUE_SEL:
        m->queue_sel = v;
        break;
    case VIRTIO_MMIO_QUEUE_NUM:
        armz_virtio_queue_set_num(d, m->queue_sel, v);
        break;
    case VIRTIO_MMIO_QUEUE_READY:
        armz_virtio_queue_set_ready(d, m->queue_sel, v & 1);
        break;
    case VIRTIO_MMIO_QUEUE_NOTIFY:
        notify = true;
        break;
    case VIRTIO_MMIO_INTERRUPT_ACK:
        m->isr &= ~v;
        update_irq(m);
        break;
    case VIRTIO_MMIO_STATUS:
        armz_virtio_set_status(d, (uint8_t)v);
        break;
    case VIRTIO_MMIO_SHM_SEL:
        m->shm_sel = v;
        break;
    default:
        bad_access(m, offset, size, true);
        break;
    }
    armz_virtio_unlock(d);
    /* the worker is woken outside the lock (a queue that does not exist
     * is ignored there) */
    if (notify)
        armz_virtio_queue_notify(d, v);
}

gboolean
armz_virtio_mmio_attach(ArmzVirtioDev *d, ArmzMmioBus *bus, uint64_t base, ArmzIrqLine irq,
                        const ArmzGuestMem *mem, ArmzIoeventfdFn ioeventfd,
                        void *ioeventfd_opaque, GError **error)
{
    VirtioMmio *m = g_new0(VirtioMmio, 1);

    m->dev = d;
    m->irq = irq;
    armz_virtio_dev_bind(d, &mmio_transport, m, mem);
    if (bus) {
        ArmzMmioRegion r = { armz_virtio_dev_name(d), base, 0x200, mmio_read, mmio_write, m };
        if (!armz_mmio_bus_add(bus, &r, error))
            return FALSE;
    }
    for (unsigned i = 0; ioeventfd && i < armz_virtio_num_queues(d); i++) {
        int r = ioeventfd(ioeventfd_opaque, base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, i,
                          armz_virtio_queue_notify_fd(d, i));
        if (r < 0)
            armz_vmm_debug("%s: no ioeventfd for queue %u (%s): notifications exit to the VMM",
                           armz_virtio_label(d), i, g_strerror(-r));
    }
    return TRUE;
}
