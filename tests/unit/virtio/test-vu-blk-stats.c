/* The statistics of a vhost-user-blk disk read off its rings
 * (vu_blk_stats.c), over synthetic guest RAM fenced by inaccessible pages:
 * the test plays the guest (vtest's driver) and the back-end (it writes
 * status bytes and used entries).  Reads, writes, flushes and discards are
 * counted with their bytes, failures as failed operations, each request
 * once; malformed chains and rings are skipped without a fault or a hang;
 * a reset and a new start resynchronise the indexes; a head the guest
 * reused before a walk is still counted once per request. */
#include <string.h>
#include <glib.h>
#include "vtest.h"
#include "virtio/virtio_abi.h"
#include "virtio/vu_blk_stats.h"

#define RAM_SIZE  (1u << 20)
#define RING      (VT_RAM_GPA + 0x1000)
#define RING2     (VT_RAM_GPA + 0x3000)
#define HDR       (VT_RAM_GPA + 0x10000)    /* headers, 0x100 apart */
#define STATUS    (VT_RAM_GPA + 0x20000)    /* status bytes, 0x10 apart */
#define DATA      (VT_RAM_GPA + 0x30000)
#define TABLE     (VT_RAM_GPA + 0x80000)
#define NUM       32

static VtMem *mem;

typedef struct {
    VtDrv d;
    ArmzVuBlkStats *s;
    unsigned n;             /* requests made: their header and status slots */
} Fx;

static void
fx_init(Fx *f, bool indirect)
{
    memset(vt_ptr(mem, VT_RAM_GPA), 0, RAM_SIZE);
    vt_drv_init(&f->d, mem, NUM, RING);
    f->s = armz_vu_blk_stats_new();
    f->n = 0;
    g_assert_true(armz_vu_blk_stats_start(f->s, 0, &mem->mem, NUM, f->d.desc, f->d.avail,
                                          f->d.used, indirect));
}

static void
fx_clear(Fx *f)
{
    armz_vu_blk_stats_free(f->s);
}

/* a virtio-blk header for request number I */
static uint64_t
hdr(Fx *f, unsigned i, uint32_t type, uint64_t sector)
{
    uint64_t gpa = HDR + 0x100ull * i;
    uint8_t *p = vt_ptr(mem, gpa);

    g_assert_cmpuint(i, <, 0x100);
    armz_st_le32(p, type);
    armz_st_le32(p + 4, 0);
    armz_st_le64(p + 8, sector);
    (void)f;
    return gpa;
}

static uint64_t
status_gpa(unsigned i)
{
    return STATUS + 0x10ull * i;
}

/* a request of TYPE with LEN data bytes (device-writable for IN, GET_ID);
 * *SLOT: its number (for complete()); its head */
static uint16_t
request(Fx *f, uint32_t type, uint64_t sector, uint32_t len, unsigned *slot)
{
    unsigned i = f->n++;
    bool in = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
    VtBuf b[3] = { { hdr(f, i, type, sector), VIRTIO_BLK_HDR_SIZE, false },
                   { DATA, len, in },
                   { status_gpa(i), 1, true } };

    *slot = i;
    *vt_ptr(mem, status_gpa(i)) = 0xff;     /* not yet written by the back-end */
    if (len == 0) {
        b[1] = b[2];
        return vt_add(&f->d, b, 2);
    }
    return vt_add(&f->d, b, 3);
}

/* the back-end completes HEAD (request SLOT) with STATUS */
static void
complete(Fx *f, uint16_t head, unsigned slot, uint8_t status)
{
    uint16_t idx = armz_ld_le16(vt_ptr(mem, f->d.used + 2));
    uint8_t *e = vt_ptr(mem, f->d.used + 4 + 8ull * (idx % f->d.num));

    *vt_ptr(mem, status_gpa(slot)) = status;
    armz_st_le32(e, head);
    armz_st_le32(e + 4, 1);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    armz_st_le16(vt_ptr(mem, f->d.used + 2), (uint16_t)(idx + 1));
}

/* a used entry naming HEAD, whatever it is */
static void
complete_raw(Fx *f, uint32_t head)
{
    uint16_t idx = armz_ld_le16(vt_ptr(mem, f->d.used + 2));
    uint8_t *e = vt_ptr(mem, f->d.used + 4 + 8ull * (idx % f->d.num));

    armz_st_le32(e, head);
    armz_st_le32(e + 4, 0);
    armz_st_le16(vt_ptr(mem, f->d.used + 2), (uint16_t)(idx + 1));
}

static ArmzBlkStats
stats(Fx *f)
{
    ArmzBlkStats st;
    armz_vu_blk_stats_get(f->s, &st);
    return st;
}

static void
test_counts(void)
{
    Fx f;
    ArmzBlkStats st;
    unsigned r, w, fl, id, dc, bad;
    uint16_t hr, hw, hfl, hid, hdc, hbad;
    uint8_t *seg;

    fx_init(&f, true);
    hr = request(&f, VIRTIO_BLK_T_IN, 0, 4096, &r);
    hw = request(&f, VIRTIO_BLK_T_OUT, 8, 8192, &w);
    hfl = request(&f, VIRTIO_BLK_T_FLUSH, 0, 0, &fl);
    hid = request(&f, VIRTIO_BLK_T_GET_ID, 0, 20, &id);
    /* two discard segments: 8 sectors at 64, 16 at 128 */
    hdc = request(&f, VIRTIO_BLK_T_DISCARD, 0, 32, &dc);
    seg = vt_ptr(mem, DATA);
    armz_st_le64(seg, 64);
    armz_st_le32(seg + 8, 8);
    armz_st_le64(seg + 16, 128);
    armz_st_le32(seg + 24, 16);

    /* made available, nothing completed: nothing counted */
    armz_vu_blk_stats_walk(f.s, 0);
    st = stats(&f);
    g_assert_cmpuint(st.rd_ops + st.wr_ops + st.flush_ops + st.unmap_ops, ==, 0);

    complete(&f, hr, r, VIRTIO_BLK_S_OK);
    complete(&f, hw, w, VIRTIO_BLK_S_OK);
    armz_vu_blk_stats_walk(f.s, 0);
    complete(&f, hfl, fl, VIRTIO_BLK_S_OK);
    complete(&f, hid, id, VIRTIO_BLK_S_OK);
    complete(&f, hdc, dc, VIRTIO_BLK_S_OK);
    st = stats(&f);
    g_assert_cmpuint(st.rd_ops, ==, 1);
    g_assert_cmpuint(st.rd_bytes, ==, 4096);
    g_assert_cmpuint(st.wr_ops, ==, 1);
    g_assert_cmpuint(st.wr_bytes, ==, 8192);
    g_assert_cmpuint(st.wr_highest_offset, ==, 8 * 512 + 8192);
    g_assert_cmpuint(st.flush_ops, ==, 1);
    g_assert_cmpuint(st.unmap_ops, ==, 2);
    g_assert_cmpuint(st.unmap_bytes, ==, 24 * 512);
    g_assert_cmpuint(st.failed_rd + st.failed_wr + st.failed_flush, ==, 0);

    /* walked again: nothing counted twice */
    armz_vu_blk_stats_walk(f.s, 0);
    st = stats(&f);
    g_assert_cmpuint(st.rd_ops, ==, 1);
    g_assert_cmpuint(st.wr_ops, ==, 1);

    /* a failed read and a failed write: operations, no bytes */
    hbad = request(&f, VIRTIO_BLK_T_IN, 0, 512, &bad);
    complete(&f, hbad, bad, VIRTIO_BLK_S_IOERR);
    hbad = request(&f, VIRTIO_BLK_T_OUT, 0, 512, &bad);
    complete(&f, hbad, bad, VIRTIO_BLK_S_UNSUPP);
    st = stats(&f);
    g_assert_cmpuint(st.rd_ops, ==, 2);
    g_assert_cmpuint(st.failed_rd, ==, 1);
    g_assert_cmpuint(st.rd_bytes, ==, 4096);
    g_assert_cmpuint(st.wr_ops, ==, 2);
    g_assert_cmpuint(st.failed_wr, ==, 1);
    g_assert_cmpuint(st.wr_bytes, ==, 8192);

    /* through an indirect table: header, two data buffers, status */
    {
        unsigned i = f.n++;
        VtBuf b[4] = { { hdr(&f, i, VIRTIO_BLK_T_IN, 0), VIRTIO_BLK_HDR_SIZE, false },
                       { DATA, 1024, true }, { DATA + 4096, 3072, true },
                       { status_gpa(i), 1, true } };
        uint16_t h = vt_add_indirect(&f.d, TABLE, b, 4);
        complete(&f, h, i, VIRTIO_BLK_S_OK);
    }
    st = stats(&f);
    g_assert_cmpuint(st.rd_ops, ==, 3);
    g_assert_cmpuint(st.rd_bytes, ==, 4096 + 4096);
    fx_clear(&f);
}

/* the rings wrap many times; walks see several batches at once */
static void
test_wrap(void)
{
    Fx f;
    ArmzBlkStats st;

    fx_init(&f, false);
    for (unsigned round = 0; round < 300; round++) {
        unsigned slot[2];
        uint16_t head[2];

        for (unsigned k = 0; k < 2; k++) {
            f.n = k;
            head[k] = request(&f, VIRTIO_BLK_T_IN, 0, 512, &slot[k]);
        }
        for (unsigned k = 0; k < 2; k++)
            complete(&f, head[k], slot[k], VIRTIO_BLK_S_OK);
        if (round % 3 == 2)
            armz_vu_blk_stats_walk(f.s, 0);
    }
    st = stats(&f);
    g_assert_cmpuint(st.rd_ops, ==, 600);
    g_assert_cmpuint(st.rd_bytes, ==, 600 * 512);
    fx_clear(&f);
}

/* a good read (counted) after each hostile case */
static void
good_read(Fx *f, uint64_t want_ops)
{
    unsigned slot;
    uint16_t h = request(f, VIRTIO_BLK_T_IN, 0, 512, &slot);

    complete(f, h, slot, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(stats(f).rd_ops, ==, want_ops);
}

static void
test_malformed(void)
{
    Fx f;
    ArmzBlkStats st;
    uint64_t h;
    uint16_t head;

    fx_init(&f, false);
    h = hdr(&f, 0, VIRTIO_BLK_T_IN, 0);
    f.n = 1;

    /* a loop: 0 -> 1 -> 0 */
    vt_set_desc(&f.d, 0, h, 16, VIRTQ_DESC_F_NEXT, 1);
    vt_set_desc(&f.d, 1, DATA, 512, VIRTQ_DESC_F_NEXT, 0);
    vt_publish(&f.d, 0);
    complete_raw(&f, 0);
    g_assert_cmpuint(stats(&f).rd_ops, ==, 0);
    f.d.next_desc = 2;
    good_read(&f, 1);

    /* a buffer outside guest RAM, and one that runs past its end */
    head = (uint16_t)(f.d.next_desc % NUM);
    vt_set_desc(&f.d, head, h, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(head + 1));
    vt_set_desc(&f.d, head + 1, VT_RAM_GPA + RAM_SIZE + 4096, 512,
                VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, (uint16_t)(head + 2));
    vt_set_desc(&f.d, head + 2, status_gpa(0), 1, VIRTQ_DESC_F_WRITE, 0);
    vt_publish(&f.d, head);
    complete_raw(&f, head);
    vt_set_desc(&f.d, head + 1, VT_RAM_GPA + RAM_SIZE - 256, 512,
                VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, (uint16_t)(head + 2));
    vt_publish(&f.d, head);
    complete_raw(&f, head);
    vt_set_desc(&f.d, head + 1, UINT64_MAX - 100, 512,
                VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, (uint16_t)(head + 2));
    vt_publish(&f.d, head);
    complete_raw(&f, head);
    f.d.next_desc += 3;
    good_read(&f, 2);

    /* next beyond the queue; an indirect descriptor not negotiated */
    head = (uint16_t)(f.d.next_desc % NUM);
    vt_set_desc(&f.d, head, h, 16, VIRTQ_DESC_F_NEXT, NUM + 5);
    vt_publish(&f.d, head);
    complete_raw(&f, head);
    vt_set_desc(&f.d, head, TABLE, 48, VIRTQ_DESC_F_INDIRECT, 0);
    vt_publish(&f.d, head);
    complete_raw(&f, head);
    f.d.next_desc += 1;
    good_read(&f, 3);

    /* a head and a used id beyond the queue */
    vt_publish(&f.d, NUM + 3);
    complete_raw(&f, 0xffffffffu);
    complete_raw(&f, NUM);
    good_read(&f, 4);

    /* no status byte, a header too short, readable after writable */
    head = (uint16_t)(f.d.next_desc % NUM);
    vt_set_desc(&f.d, head, h, 16, 0, 0);
    vt_publish(&f.d, head);
    complete_raw(&f, head);
    vt_set_desc(&f.d, head, h, 8, VIRTQ_DESC_F_NEXT, (uint16_t)(head + 1));
    vt_set_desc(&f.d, head + 1, status_gpa(0), 1, VIRTQ_DESC_F_WRITE, 0);
    vt_publish(&f.d, head);
    complete_raw(&f, head);
    vt_set_desc(&f.d, head, status_gpa(0), 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
                (uint16_t)(head + 1));
    vt_set_desc(&f.d, head + 1, h, 16, 0, 0);
    vt_publish(&f.d, head);
    complete_raw(&f, head);
    f.d.next_desc += 2;
    good_read(&f, 5);

    /* the available index jumps far ahead: resynchronised, no hang */
    vt_set_avail_idx(&f.d, (uint16_t)(f.d.avail_idx + 30000));
    f.d.avail_idx = (uint16_t)(f.d.avail_idx + 30000);
    st = stats(&f);
    g_assert_cmpuint(st.rd_ops, ==, 5);
    good_read(&f, 6);
    g_assert_cmpuint(stats(&f).rd_bytes, ==, 6 * 512);
    fx_clear(&f);

    /* with indirect descriptors: a table too long, outside RAM, nested,
     * after another descriptor */
    fx_init(&f, true);
    h = hdr(&f, 0, VIRTIO_BLK_T_IN, 0);
    f.n = 1;
    vt_set_desc(&f.d, 0, TABLE, 16 * (ARMZ_VIRTQ_MAX_SEGS + 1), VIRTQ_DESC_F_INDIRECT, 0);
    vt_publish(&f.d, 0);
    complete_raw(&f, 0);
    vt_set_desc(&f.d, 0, VT_RAM_GPA + RAM_SIZE - 32, 64, VIRTQ_DESC_F_INDIRECT, 0);
    vt_publish(&f.d, 0);
    complete_raw(&f, 0);
    vt_set_desc(&f.d, 0, TABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
    vt_set_desc_at(mem, TABLE, 0, TABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
    vt_publish(&f.d, 0);
    complete_raw(&f, 0);
    /* a loop inside the table */
    vt_set_desc_at(mem, TABLE, 0, h, 16, VIRTQ_DESC_F_NEXT, 1);
    vt_set_desc_at(mem, TABLE, 1, DATA, 512, VIRTQ_DESC_F_NEXT, 0);
    vt_publish(&f.d, 0);
    complete_raw(&f, 0);
    vt_set_desc(&f.d, 0, h, 16, VIRTQ_DESC_F_NEXT, 1);
    vt_set_desc(&f.d, 1, TABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
    vt_publish(&f.d, 0);
    complete_raw(&f, 0);
    f.d.next_desc = 2;
    good_read(&f, 1);
    fx_clear(&f);
}

static void
test_reset_resyncs(void)
{
    Fx f;
    unsigned slot[3];
    uint16_t head[3];

    fx_init(&f, false);
    head[0] = request(&f, VIRTIO_BLK_T_IN, 0, 512, &slot[0]);
    head[1] = request(&f, VIRTIO_BLK_T_OUT, 0, 1024, &slot[1]);
    complete(&f, head[0], slot[0], VIRTIO_BLK_S_OK);
    armz_vu_blk_stats_walk(f.s, 0);
    g_assert_cmpuint(stats(&f).rd_ops, ==, 1);

    /* the back-end went away with the write in flight; the one that
     * reconnects completes it (the rings stay where they are): once */
    armz_vu_blk_stats_walk(f.s, 0);
    complete(&f, head[1], slot[1], VIRTIO_BLK_S_OK);
    g_assert_cmpuint(stats(&f).wr_ops, ==, 1);
    g_assert_cmpuint(stats(&f).wr_bytes, ==, 1024);

    /* a reset: not followed, whatever the rings show */
    armz_vu_blk_stats_stop(f.s);
    head[2] = request(&f, VIRTIO_BLK_T_IN, 0, 512, &slot[2]);
    complete(&f, head[2], slot[2], VIRTIO_BLK_S_OK);
    g_assert_cmpuint(stats(&f).rd_ops, ==, 1);

    /* started again on the same memory (the indexes are not 0): nothing
     * of before is counted again */
    g_assert_true(armz_vu_blk_stats_start(f.s, 0, &mem->mem, NUM, f.d.desc, f.d.avail,
                                          f.d.used, false));
    g_assert_cmpuint(stats(&f).rd_ops, ==, 1);
    good_read(&f, 2);

    /* the driver sets up new rings elsewhere, indexes from 0 */
    armz_vu_blk_stats_stop(f.s);
    vt_drv_init(&f.d, mem, 16, RING2);
    g_assert_true(armz_vu_blk_stats_start(f.s, 0, &mem->mem, 16, f.d.desc, f.d.avail,
                                          f.d.used, false));
    good_read(&f, 3);
    good_read(&f, 4);
    g_assert_cmpuint(stats(&f).wr_ops, ==, 1);
    g_assert_cmpuint(stats(&f).rd_bytes, ==, 4 * 512);

    /* rings that are not in guest RAM, a size that is not a power of 2 */
    g_assert_false(armz_vu_blk_stats_start(f.s, 0, &mem->mem, 16, VT_RAM_GPA + RAM_SIZE,
                                           f.d.avail, f.d.used, false));
    g_assert_false(armz_vu_blk_stats_start(f.s, 0, &mem->mem, 12, f.d.desc, f.d.avail,
                                           f.d.used, false));
    g_assert_false(armz_vu_blk_stats_start(f.s, 0, &mem->mem, 512, f.d.desc, f.d.avail,
                                           f.d.used, false));
    g_assert_false(armz_vu_blk_stats_start(f.s, 9, &mem->mem, 16, f.d.desc, f.d.avail,
                                           f.d.used, false));
    /* nothing followed now: a query still answers */
    g_assert_cmpuint(stats(&f).rd_ops, ==, 4);
    fx_clear(&f);
}

/* The guest polls the used ring: it takes a completion and makes the same
 * head available again before any walk. */
static void
test_reused_head(void)
{
    Fx f;
    uint64_t h0, h1;

    fx_init(&f, false);
    h0 = hdr(&f, 0, VIRTIO_BLK_T_IN, 0);
    h1 = hdr(&f, 1, VIRTIO_BLK_T_OUT, 4);
    /* head 0: a read of 512 */
    vt_set_desc(&f.d, 0, h0, 16, VIRTQ_DESC_F_NEXT, 1);
    vt_set_desc(&f.d, 1, DATA, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
    vt_set_desc(&f.d, 2, status_gpa(0), 1, VIRTQ_DESC_F_WRITE, 0);
    vt_publish(&f.d, 0);
    armz_vu_blk_stats_walk(f.s, 0);
    complete(&f, 0, 0, VIRTIO_BLK_S_OK);
    /* no walk: head 0 again, now a write of 1024 */
    vt_set_desc(&f.d, 0, h1, 16, VIRTQ_DESC_F_NEXT, 1);
    vt_set_desc(&f.d, 1, DATA, 1024, VIRTQ_DESC_F_NEXT, 2);
    vt_publish(&f.d, 0);
    armz_vu_blk_stats_walk(f.s, 0);
    g_assert_cmpuint(stats(&f).rd_ops, ==, 1);
    g_assert_cmpuint(stats(&f).wr_ops, ==, 0);
    complete(&f, 0, 0, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(stats(&f).rd_ops, ==, 1);
    g_assert_cmpuint(stats(&f).rd_bytes, ==, 512);
    g_assert_cmpuint(stats(&f).wr_ops, ==, 1);
    g_assert_cmpuint(stats(&f).wr_bytes, ==, 1024);
    g_assert_cmpuint(stats(&f).wr_highest_offset, ==, 4 * 512 + 1024);
    fx_clear(&f);
}

/* The device thread (here also the guest and the back-end) walks at each
 * completion while the main thread queries. */
typedef struct {
    Fx *f;
    gint done;
} Worker;

static gpointer
worker(gpointer p)
{
    Worker *w = p;

    for (unsigned i = 0; i < 2000; i++) {
        unsigned slot;
        uint16_t h;

        w->f->n = 0;
        h = request(w->f, VIRTIO_BLK_T_OUT, 0, 512, &slot);
        complete(w->f, h, slot, VIRTIO_BLK_S_OK);
        armz_vu_blk_stats_walk(w->f->s, 0);
    }
    g_atomic_int_set(&w->done, 1);
    return NULL;
}

static void
test_concurrent_walks(void)
{
    Fx f;
    Worker w = { &f, 0 };
    GThread *t;

    fx_init(&f, false);
    t = g_thread_new("walker", worker, &w);
    while (!g_atomic_int_get(&w.done))
        (void)stats(&f);
    g_thread_join(t);
    g_assert_cmpuint(stats(&f).wr_ops, ==, 2000);
    g_assert_cmpuint(stats(&f).wr_bytes, ==, 2000 * 512);
    fx_clear(&f);
}

int
main(int argc, char **argv)
{
    int rc;

    g_test_init(&argc, &argv, NULL);
    mem = vt_mem_new(RAM_SIZE);
    g_test_add_func("/vu-blk-stats/counts", test_counts);
    g_test_add_func("/vu-blk-stats/wrap", test_wrap);
    g_test_add_func("/vu-blk-stats/malformed", test_malformed);
    g_test_add_func("/vu-blk-stats/reset-resyncs", test_reset_resyncs);
    g_test_add_func("/vu-blk-stats/reused-head", test_reused_head);
    g_test_add_func("/vu-blk-stats/concurrent-walks", test_concurrent_walks);
    rc = g_test_run();
    vt_mem_free(mem);
    return rc;
}
