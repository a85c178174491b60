/* Test helpers for the virtio unit tests, virtio-mmio side: the driver's
 * register accesses through an MMIO bus.  See vtest.h. */
#include "vtest.h"
#include "virtio/virtio_mmio.h"

uint64_t
vt_rd_sized(ArmzMmioBus *bus, uint64_t addr, unsigned len)
{
    uint8_t b[8] = { 0 };
    g_assert_true(armz_mmio_bus_access(bus, addr, b, len, false));
    return armz_le_bytes_to_u64(b, len);
}

uint32_t
vt_rd(ArmzMmioBus *bus, uint64_t base, uint64_t off)
{
    return (uint32_t)vt_rd_sized(bus, base + off, 4);
}

void
vt_wr(ArmzMmioBus *bus, uint64_t base, uint64_t off, uint32_t v)
{
    uint8_t b[4];
    armz_u64_to_le_bytes(b, 4, v);
    g_assert_true(armz_mmio_bus_access(bus, base + off, b, 4, true));
}

uint64_t
vt_negotiate(ArmzMmioBus *bus, uint64_t base, uint64_t features)
{
    uint64_t offered;

    vt_wr(bus, base, VIRTIO_MMIO_STATUS, 0);
    vt_wr(bus, base, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    vt_wr(bus, base, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    vt_wr(bus, base, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    offered = (uint64_t)vt_rd(bus, base, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
    vt_wr(bus, base, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    offered |= vt_rd(bus, base, VIRTIO_MMIO_DEVICE_FEATURES);
    features &= offered;
    vt_wr(bus, base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    vt_wr(bus, base, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
    vt_wr(bus, base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    vt_wr(bus, base, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
    vt_wr(bus, base, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
          VIRTIO_STATUS_FEATURES_OK);
    if (!(vt_rd(bus, base, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
        return 0;
    return features;
}

void
vt_queue_setup(ArmzMmioBus *bus, uint64_t base, unsigned q, VtDrv *d)
{
    vt_wr(bus, base, VIRTIO_MMIO_QUEUE_SEL, q);
    g_assert_cmpuint(vt_rd(bus, base, VIRTIO_MMIO_QUEUE_READY), ==, 0);
    g_assert_cmpuint(vt_rd(bus, base, VIRTIO_MMIO_QUEUE_NUM_MAX), >=, d->num);
    vt_wr(bus, base, VIRTIO_MMIO_QUEUE_NUM, d->num);
    vt_wr(bus, base, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)d->desc);
    vt_wr(bus, base, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(d->desc >> 32));
    vt_wr(bus, base, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)d->avail);
    vt_wr(bus, base, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(d->avail >> 32));
    vt_wr(bus, base, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)d->used);
    vt_wr(bus, base, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(d->used >> 32));
    vt_wr(bus, base, VIRTIO_MMIO_QUEUE_READY, 1);
}

void
vt_driver_ok(ArmzMmioBus *bus, uint64_t base)
{
    vt_wr(bus, base, VIRTIO_MMIO_STATUS, vt_rd(bus, base, VIRTIO_MMIO_STATUS) |
          VIRTIO_STATUS_DRIVER_OK);
}

ArmzMmioBus *
vt_attach(ArmzVirtioDev *d, uint64_t base, VtMem *m, VtIrq *irq)
{
    ArmzMmioBus *bus = armz_mmio_bus_new();
    GError *err = NULL;

    g_assert_true(armz_virtio_mmio_attach(d, bus, base, vt_irq_line(irq, 48), &m->mem, NULL,
                                          NULL, &err));
    g_assert_no_error(err);
    return bus;
}
