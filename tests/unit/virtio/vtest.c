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

static bool
echo_work(ArmzVirtioDev *d, unsigned q)
{
    VtEcho *t = armz_virtio_priv(d);
    while (armz_virtio_pop(d, q, &t->elem) > 0) {
        int us = g_atomic_int_get(&t->delay_us);
        g_atomic_int_inc(&t->started);
        if (us)
            g_usleep(us);
        t->worked++;
        armz_virtio_push(d, q, &t->elem, (uint32_t)t->elem.out_len);
    }
    return false;
}

static void
echo_features(ArmzVirtioDev *d, uint64_t f)
{
    VtEcho *t = armz_virtio_priv(d);
    t->features = f;
    t->set_features++;
}

static void
echo_reset(ArmzVirtioDev *d)
{
    VtEcho *t = armz_virtio_priv(d);
    t->resets++;
}

static void
echo_config_write(ArmzVirtioDev *d, unsigned off, unsigned size, uint64_t v)
{
    VtEcho *t = armz_virtio_priv(d);
    t->config_writes++;
    t->last_write_off = off;
    t->last_write_size = size;
    t->last_write_value = v;
    armz_u64_to_le_bytes(armz_virtio_config(d) + off, size, v);
}

static void
echo_free(void *priv)
{
    VtEcho *t = priv;
    t->freed++;
}

const ArmzVirtioOps vt_echo_ops = {
    .name = "virtio-test", .device_id = 7, .nqueues = VT_ECHO_QUEUES,
    .queue_max = VT_ECHO_QMAX, .config_size = 8, .queue_work = echo_work,
    .set_features = echo_features, .reset = echo_reset, .config_write = echo_config_write,
    .free_priv = echo_free,
};

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
