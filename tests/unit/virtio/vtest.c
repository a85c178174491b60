/* Test helpers for the virtio unit tests: see vtest.h. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <glib/gstdio.h>
#include "vtest.h"
#include "virtio/virtio_abi.h"

VtMem *
vt_mem_new(size_t size)
{
    VtMem *m = g_new0(VtMem, 1);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);

    size = (size + page - 1) & ~(page - 1);
    m->map_len = size + 2 * page;
    m->map = mmap(NULL, m->map_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert(m->map != MAP_FAILED);
    g_assert_cmpint(mprotect(m->map + page, size, PROT_READ | PROT_WRITE), ==, 0);
    m->mem.host = m->map + page;
    m->mem.gpa = VT_RAM_GPA;
    m->mem.size = size;
    return m;
}

void
vt_mem_free(VtMem *m)
{
    munmap(m->map, m->map_len);
    g_free(m);
}

uint8_t *
vt_ptr(VtMem *m, uint64_t gpa)
{
    g_assert_cmphex(gpa, >=, m->mem.gpa);
    g_assert_cmphex(gpa - m->mem.gpa, <, m->mem.size);
    return m->mem.host + (gpa - m->mem.gpa);
}

void
vt_fill(VtMem *m, uint8_t fill)
{
    memset(m->mem.host, fill, m->mem.size);
}

void
vt_drv_init(VtDrv *d, VtMem *m, unsigned num, uint64_t ring_gpa)
{
    memset(d, 0, sizeof(*d));
    d->m = m;
    d->num = num;
    d->desc = ring_gpa;
    d->avail = d->desc + 16ull * num;
    d->used = (d->avail + 6 + 2ull * num + 3) & ~3ull;
    memset(vt_ptr(m, d->desc), 0, 16ull * num);
    memset(vt_ptr(m, d->avail), 0, 6 + 2ull * num);
    memset(vt_ptr(m, d->used), 0, 6 + 8ull * num);
}

void
vt_set_desc_at(VtMem *m, uint64_t table_gpa, unsigned i, uint64_t addr, uint32_t len,
               uint16_t flags, uint16_t next)
{
    uint8_t *p = vt_ptr(m, table_gpa + 16ull * i);
    armz_st_le64(p, addr);
    armz_st_le32(p + 8, len);
    armz_st_le16(p + 12, flags);
    armz_st_le16(p + 14, next);
}

void
vt_set_desc(VtDrv *d, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    vt_set_desc_at(d->m, d->desc, i, addr, len, flags, next);
}

void
vt_set_avail_idx(VtDrv *d, uint16_t idx)
{
    armz_st_le16(vt_ptr(d->m, d->avail + 2), idx);
}

void
vt_publish(VtDrv *d, uint16_t head)
{
    armz_st_le16(vt_ptr(d->m, d->avail + 4 + 2ull * (d->avail_idx % d->num)), head);
    d->avail_idx++;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    vt_set_avail_idx(d, d->avail_idx);
}

uint16_t
vt_add(VtDrv *d, const VtBuf *bufs, unsigned n)
{
    uint16_t head = (uint16_t)(d->next_desc % d->num);

    for (unsigned i = 0; i < n; i++) {
        unsigned cur = (d->next_desc + i) % d->num;
        unsigned nxt = (d->next_desc + i + 1) % d->num;
        uint16_t fl = (uint16_t)((bufs[i].write ? VIRTQ_DESC_F_WRITE : 0) |
                                 (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
        vt_set_desc(d, cur, bufs[i].gpa, bufs[i].len, fl, (uint16_t)nxt);
    }
    d->next_desc += n;
    vt_publish(d, head);
    return head;
}

uint16_t
vt_add_indirect(VtDrv *d, uint64_t table_gpa, const VtBuf *bufs, unsigned n)
{
    uint16_t head = (uint16_t)(d->next_desc % d->num);

    for (unsigned i = 0; i < n; i++)
        vt_set_desc_at(d->m, table_gpa, i, bufs[i].gpa, bufs[i].len,
                       (uint16_t)((bufs[i].write ? VIRTQ_DESC_F_WRITE : 0) |
                                  (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
                       (uint16_t)(i + 1));
    vt_set_desc(d, head, table_gpa, 16u * n, VIRTQ_DESC_F_INDIRECT, 0);
    d->next_desc++;
    vt_publish(d, head);
    return head;
}

uint16_t
vt_used_idx(VtDrv *d)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return armz_ld_le16(vt_ptr(d->m, d->used + 2));
}

bool
vt_get_used(VtDrv *d, uint32_t *id, uint32_t *len)
{
    uint8_t *e;

    if (vt_used_idx(d) == d->used_seen)
        return false;
    e = vt_ptr(d->m, d->used + 4 + 8ull * (d->used_seen % d->num));
    *id = armz_ld_le32(e);
    *len = armz_ld_le32(e + 4);
    d->used_seen++;
    return true;
}

void
vt_set_avail_flags(VtDrv *d, uint16_t flags)
{
    armz_st_le16(vt_ptr(d->m, d->avail), flags);
}

void
vt_set_used_event(VtDrv *d, uint16_t v)
{
    armz_st_le16(vt_ptr(d->m, d->avail + 4 + 2ull * d->num), v);
}

uint16_t
vt_avail_event(VtDrv *d)
{
    return armz_ld_le16(vt_ptr(d->m, d->used + 4 + 8ull * d->num));
}

/* ---- transport ---- */

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

static void
irq_set(void *opaque, unsigned intid, int level)
{
    VtIrq *irq = opaque;
    g_assert_cmpuint(intid, ==, irq->intid);
    if (level && !irq->level)
        irq->raised++;
    irq->level = level;
}

ArmzIrqLine
vt_irq_line(VtIrq *irq, unsigned intid)
{
    ArmzIrqLine l = { irq_set, irq, intid };
    memset(irq, 0, sizeof(*irq));
    irq->intid = intid;
    return l;
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

void
vt_run(ArmzVirtioDev *d)
{
    /* a round handles what is pending; a few more catch work it left */
    for (int i = 0; i < 64; i++)
        armz_virtio_dev_run_once(d, 0);
}

static char *tmpdir;

const char *
vt_tmpdir(void)
{
    if (!tmpdir) {
        GError *err = NULL;
        tmpdir = g_dir_make_tmp("armz-virtio-XXXXXX", &err);
        g_assert_no_error(err);
    }
    return tmpdir;
}

void
vt_tmpdir_cleanup(void)
{
    if (tmpdir) {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            g_printerr("cannot remove %s\n", tmpdir);
        g_clear_pointer(&tmpdir, g_free);
    }
}
