/* Split virtqueue walker: good chains, and a table of hostile rings and
 * chains, each of which must break the queue (and, through the virtio-mmio
 * transport, put the device into DEVICE_NEEDS_RESET with a configuration
 * interrupt) without any access outside the synthetic guest RAM: that RAM
 * is fenced by inaccessible pages, and every hostile case also checks that
 * not a byte of guest RAM changed. */
#include <string.h>
#include <glib.h>
#include "vtest.h"
#include "virtio/virtio_abi.h"

#define RAM_SIZE  (1u << 20)
#define RAM_END   (VT_RAM_GPA + RAM_SIZE)
#define RING      (VT_RAM_GPA + 0x1000)
#define BUF       (VT_RAM_GPA + 0x10000)
#define TABLE     (VT_RAM_GPA + 0x80000)

static VtMem *mem;

static void
assert_in_ram(const ArmzVirtqElem *e)
{
    for (unsigned i = 0; i < e->n_out + e->n_in; i++) {
        const uint8_t *p = e->iov[i].iov_base;
        g_assert_true(p >= mem->mem.host);
        g_assert_cmpuint(e->iov[i].iov_len, <=, mem->mem.size);
        g_assert_true(p + e->iov[i].iov_len <= mem->mem.host + mem->mem.size);
    }
}

static ArmzVirtqElem *
elem_new(void)
{
    return g_new0(ArmzVirtqElem, 1);
}

static void
setup(ArmzVirtq *vq, VtDrv *d, bool event_idx, bool indirect)
{
    d->event_idx = event_idx;
    g_assert_true(armz_virtq_setup(vq, &mem->mem, d->num, d->desc, d->avail, d->used,
                                   event_idx, indirect));
    g_assert_null(armz_virtq_error(vq));
}

/* ---- good chains ---- */

static void
test_single(void)
{
    VtDrv d;
    ArmzVirtq vq;
    g_autofree ArmzVirtqElem *e = elem_new();
    VtBuf b = { BUF, 100, false };
    uint32_t id, len;

    vt_drv_init(&d, mem, 8, RING);
    setup(&vq, &d, false, false);
    g_assert_cmpint(armz_virtq_pop(&vq, e), ==, 0);
    vt_add(&d, &b, 1);
    g_assert_cmpuint(armz_virtq_pending(&vq), ==, 1);
    g_assert_cmpint(armz_virtq_pop(&vq, e), ==, 1);
    assert_in_ram(e);
    g_assert_cmpuint(e->head, ==, 0);
    g_assert_cmpuint(e->n_out, ==, 1);
    g_assert_cmpuint(e->n_in, ==, 0);
    g_assert_true(e->iov[0].iov_base == vt_ptr(mem, BUF));
    g_assert_cmpuint(e->iov[0].iov_len, ==, 100);
    g_assert_cmpint(armz_virtq_pop(&vq, e), ==, 0);
    armz_virtq_push(&vq, e->head, 0);
    g_assert_true(vt_get_used(&d, &id, &len));
    g_assert_cmpuint(id, ==, 0);
    g_assert_cmpuint(len, ==, 0);
    g_assert_false(vt_get_used(&d, &id, &len));
}

static void
test_mixed_chain(void)
{
    VtDrv d;
    ArmzVirtq vq;
    g_autofree ArmzVirtqElem *e = elem_new();
    VtBuf b[4] = { { BUF, 16, false }, { BUF + 0x100, 512, false },
                   { BUF + 0x1000, 4096, true }, { BUF + 0x3000, 1, true } };
    uint32_t id, len;

    vt_drv_init(&d, mem, 16, RING);
    setup(&vq, &d, false, false);
    d.next_desc = 14;   /* wraps around the descriptor table */
    uint16_t head = vt_add(&d, b, 4);
    g_assert_cmpint(armz_virtq_pop(&vq, e), ==, 1);
    assert_in_ram(e);
    g_assert_cmpuint(e->head, ==, head);
    g_assert_cmpuint(e->n_out, ==, 2);
    g_assert_cmpuint(e->n_in, ==, 2);
    g_assert_cmpuint(e->out_len, ==, 528);
    g_assert_cmpuint(e->in_len, ==, 4097);
    g_assert_true(armz_elem_in(e)[0].iov_base == vt_ptr(mem, BUF + 0x1000));
    g_assert_true(armz_elem_in(e)[1].iov_base == vt_ptr(mem, BUF + 0x3000));
    armz_virtq_push(&vq, e->head, 4097);
    g_assert_true(vt_get_used(&d, &id, &len));
    g_assert_cmpuint(id, ==, head);
    g_assert_cmpuint(len, ==, 4097);
}

static void
test_full_length_chain(void)
{
    VtDrv d;
    ArmzVirtq vq;
    g_autofree ArmzVirtqElem *e = elem_new();
    VtBuf b[8];

    for (unsigned i = 0; i < 8; i++)
        b[i] = (VtBuf){ BUF + 64 * i, 64, i >= 4 };
    vt_drv_init(&d, mem, 8, RING);
    setup(&vq, &d, false, false);
    vt_add(&d, b, 8);       /* every descriptor of the queue */
    g_assert_cmpint(armz_virtq_pop(&vq, e), ==, 1);
    g_assert_cmpuint(e->n_out, ==, 4);
    g_assert_cmpuint(e->n_in, ==, 4);
    assert_in_ram(e);
}

static void
test_indirect(void)
{
    VtDrv d;
    ArmzVirtq vq;
    g_autofree ArmzVirtqElem *e = elem_new();
    VtBuf b[3] = { { BUF, 16, false }, { BUF + 0x200, 0x2000, true },
                   { BUF + 0x4000, 1, true } };
    g_autofree VtBuf *big = g_new0(VtBuf, ARMZ_VIRTQ_MAX_SEGS);

    vt_drv_init(&d, mem, 4, RING);
    setup(&vq, &d, false, true);
    vt_add_indirect(&d, TABLE, b, 3);
    g_assert_cmpint(armz_virtq_pop(&vq, e), ==, 1);
    assert_in_ram(e);
    g_assert_cmpuint(e->n_out, ==, 1);
    g_assert_cmpuint(e->n_in, ==, 2);
    g_assert_cmpuint(e->in_len, ==, 0x2001);

    /* the largest table accepted: longer than the queue itself */
    for (unsigned i = 0; i < ARMZ_VIRTQ_MAX_SEGS; i++)
        big[i] = (VtBuf){ BUF + 8 * i, 8, true };
    vt_add_indirect(&d, TABLE, big, ARMZ_VIRTQ_MAX_SEGS);
    g_assert_cmpint(armz_virtq_pop(&vq, e), ==, 1);
    g_assert_cmpuint(e->n_in, ==, ARMZ_VIRTQ_MAX_SEGS);
    assert_in_ram(e);
}

static void
test_notify_flags(void)
{
    VtDrv d;
    ArmzVirtq vq;
    g_autofree ArmzVirtqElem *e = elem_new();
    VtBuf b = { BUF, 8, true };

    vt_drv_init(&d, mem, 4, RING);
    setup(&vq, &d, false, false);
    vt_add(&d, &b, 1);
    g_assert_cmpint(armz_virtq_pop(&vq, e), ==, 1);
    armz_virtq_push(&vq, e->head, 8);
    g_assert_true(armz_virtq_need_notify(&vq));
    vt_set_avail_flags(&d, VIRTQ_AVAIL_F_NO_INTERRUPT);
    vt_add(&d, &b, 1);
    g_assert_cmpint(armz_virtq_pop(&vq, e), ==, 1);
    armz_virtq_push(&vq, e->head, 8);
    g_assert_false(armz_virtq_need_notify(&vq));
}

static void
test_event_idx(void)
{
    VtDrv d;
    ArmzVirtq vq;
    g_autofree ArmzVirtqElem *e = elem_new();
    VtBuf b = { BUF, 8, true };

    vt_drv_init(&d, mem, 8, RING);
    setup(&vq, &d, true, false);
    /* an empty queue asks to be notified at the next index */
    g_assert_cmpint(armz_virtq_pop(&vq, e), ==, 0);
    g_assert_cmpuint(vt_avail_event(&d), ==, 0);
    for (int i = 0; i < 3; i++)
        vt_add(&d, &b, 1);
    for (int i = 0; i < 3; i++)
        g_assert_cmpint(armz_virtq_pop(&vq, e), ==, 1);
    g_assert_cmpint(armz_virtq_pop(&vq, e), ==, 0);
    g_assert_cmpuint(vt_avail_event(&d), ==, 3);

    /* the driver wants an interrupt once used passes used_event (= 1) */
    vt_set_used_event(&d, 1);
    armz_virtq_push(&vq, 0, 8);                 /* used 0 -> 1 */
    g_assert_true(armz_virtq_need_notify(&vq)); /* first decision always */
    armz_virtq_push(&vq, 1, 8);                 /* 1 -> 2: crosses used_event 1 */
    g_assert_true(armz_virtq_need_notify(&vq));
    armz_virtq_push(&vq, 2, 8);                 /* 2 -> 3: used_event 1 already passed */
    g_assert_false(armz_virtq_need_notify(&vq));
    vt_set_used_event(&d, 3);
    armz_virtq_push(&vq, 2, 8);                 /* 3 -> 4: crosses 3 */
    g_assert_true(armz_virtq_need_notify(&vq));
}

/* 16-bit index wrap-around: far more chains than 65536 through a small queue */
static void
test_wraparound(void)
{
    VtDrv d;
    ArmzVirtq vq;
    g_autofree ArmzVirtqElem *e = elem_new();
    VtBuf b = { BUF, 4, true };
    uint32_t id, len;

    vt_drv_init(&d, mem, 4, RING);
    setup(&vq, &d, true, false);
    for (unsigned i = 0; i < 70000; i++) {
        uint16_t head = vt_add(&d, &b, 1);
        g_assert_cmpint(armz_virtq_pop(&vq, e), ==, 1);
        g_assert_cmpuint(e->head, ==, head);
        armz_virtq_push(&vq, e->head, i & 3);
        g_assert_true(vt_get_used(&d, &id, &len));
        g_assert_cmpuint(id, ==, head);
        g_assert_cmpuint(len, ==, i & 3);
    }
    g_assert_cmpuint(vt_used_idx(&d), ==, (uint16_t)70000);
    g_assert_cmpint(armz_virtq_pop(&vq, e), ==, 0);
    g_assert_null(armz_virtq_error(&vq));
}

static void
test_unpop(void)
{
    VtDrv d;
    ArmzVirtq vq;
    g_autofree ArmzVirtqElem *e = elem_new();
    VtBuf b[2] = { { BUF, 4, true }, { BUF + 8, 4, true } };

    vt_drv_init(&d, mem, 4, RING);
    setup(&vq, &d, false, false);
    vt_add(&d, &b[0], 1);
    vt_add(&d, &b[1], 1);
    g_assert_cmpint(armz_virtq_pop(&vq, e), ==, 1);
    g_assert_cmpuint(e->head, ==, 0);
    armz_virtq_unpop(&vq);
    g_assert_cmpint(armz_virtq_pop(&vq, e), ==, 1);
    g_assert_cmpuint(e->head, ==, 0);
    g_assert_cmpint(armz_virtq_pop(&vq, e), ==, 1);
    g_assert_cmpuint(e->head, ==, 1);
}

static void
test_iov(void)
{
    uint8_t a[3] = { 1, 2, 3 }, b[2] = { 4, 5 }, c[4] = { 6, 7, 8, 9 };
    struct iovec iov[3] = { { a, 3 }, { b, 2 }, { c, 4 } }, out[3];
    uint8_t buf[9];
    unsigned k;

    g_assert_cmpuint(armz_iov_size(iov, 3), ==, 9);
    g_assert_cmpuint(armz_iov_to_buf(iov, 3, 2, buf, 5), ==, 5);
    g_assert_cmpmem(buf, 5, ((uint8_t[]){ 3, 4, 5, 6, 7 }), 5);
    g_assert_cmpuint(armz_iov_to_buf(iov, 3, 7, buf, 5), ==, 2);
    g_assert_cmpuint(armz_iov_to_buf(iov, 3, 20, buf, 5), ==, 0);
    g_assert_cmpuint(armz_iov_from_buf(iov, 3, 4, "xyz", 3), ==, 3);
    g_assert_cmpuint(b[1], ==, 'x');
    g_assert_cmpuint(c[0], ==, 'y');
    g_assert_cmpuint(c[1], ==, 'z');
    k = armz_iov_slice(iov, 3, 1, 6, out, 3);
    g_assert_cmpuint(k, ==, 3);
    g_assert_true(out[0].iov_base == a + 1 && out[0].iov_len == 2);
    g_assert_true(out[1].iov_base == b && out[1].iov_len == 2);
    g_assert_true(out[2].iov_base == c && out[2].iov_len == 2);
    g_assert_cmpuint(armz_iov_slice(iov, 3, 0, 9, out, 2), ==, 2);
}

/* ---- hostile rings and chains ---- */

typedef struct {
    uint64_t desc, avail, used;
    unsigned num;
} Rings;

typedef struct {
    const char *name;
    unsigned num;
    bool indirect, event_idx;
    bool setup_fails;           /* the rings themselves are refused */
    void (*build)(VtDrv *d, Rings *r);
} Hostile;

static void h_loop2(VtDrv *d, Rings *r) {
    vt_set_desc(d, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
    vt_set_desc(d, 1, BUF, 16, VIRTQ_DESC_F_NEXT, 0);
    vt_publish(d, 0);
}
static void h_selfloop(VtDrv *d, Rings *r) {
    vt_set_desc(d, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 0);
    vt_publish(d, 0);
}
static void h_loop_tail(VtDrv *d, Rings *r) {
    for (unsigned i = 0; i < 4; i++)
        vt_set_desc(d, i, BUF, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(i + 1));
    vt_set_desc(d, 4, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
    vt_publish(d, 0);
}
static void h_longer_than_queue(VtDrv *d, Rings *r) {
    /* every descriptor chained in a circle: more than num links */
    for (unsigned i = 0; i < d->num; i++)
        vt_set_desc(d, i, BUF + 16 * i, 16, VIRTQ_DESC_F_NEXT, (uint16_t)((i + 1) % d->num));
    vt_publish(d, 1);
}
static void h_beyond_ram(VtDrv *d, Rings *r) {
    vt_set_desc(d, 0, RAM_END, 16, 0, 0);
    vt_publish(d, 0);
}
static void h_below_ram(VtDrv *d, Rings *r) {
    vt_set_desc(d, 0, VT_RAM_GPA - 16, 16, 0, 0);
    vt_publish(d, 0);
}
static void h_crossing_end(VtDrv *d, Rings *r) {
    vt_set_desc(d, 0, RAM_END - 8, 16, VIRTQ_DESC_F_WRITE, 0);
    vt_publish(d, 0);
}
static void h_addr_len_overflow(VtDrv *d, Rings *r) {
    vt_set_desc(d, 0, 0xfffffffffffffff0ULL, 0x20, 0, 0);
    vt_publish(d, 0);
}
static void h_addr_max(VtDrv *d, Rings *r) {
    vt_set_desc(d, 0, UINT64_MAX, 1, VIRTQ_DESC_F_WRITE, 0);
    vt_publish(d, 0);
}
static void h_wrap_into_ram(VtDrv *d, Rings *r) {
    /* addr + len wraps to an address inside RAM */
    vt_set_desc(d, 0, (uint64_t)0 - 0x100, (uint32_t)(0x100 + VT_RAM_GPA + 0x200), 0, 0);
    vt_publish(d, 0);
}
static void h_zero_len(VtDrv *d, Rings *r) {
    vt_set_desc(d, 0, BUF, 0, 0, 0);
    vt_publish(d, 0);
}
static void h_zero_len_mid(VtDrv *d, Rings *r) {
    vt_set_desc(d, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
    vt_set_desc(d, 1, BUF, 0, VIRTQ_DESC_F_WRITE, 0);
    vt_publish(d, 0);
}
static void h_next_num(VtDrv *d, Rings *r) {
    vt_set_desc(d, 0, BUF, 16, VIRTQ_DESC_F_NEXT, (uint16_t)d->num);
    vt_publish(d, 0);
}
static void h_next_ffff(VtDrv *d, Rings *r) {
    vt_set_desc(d, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 0xffff);
    vt_publish(d, 0);
}
static void h_head_num(VtDrv *d, Rings *r) {
    vt_set_desc(d, 0, BUF, 16, 0, 0);
    vt_publish(d, (uint16_t)d->num);
}
static void h_head_ffff(VtDrv *d, Rings *r) {
    vt_publish(d, 0xffff);
}
static void h_avail_jump(VtDrv *d, Rings *r) {
    vt_set_desc(d, 0, BUF, 16, 0, 0);
    vt_set_avail_idx(d, (uint16_t)(d->num + 1));
}
static void h_avail_backwards(VtDrv *d, Rings *r) {
    vt_set_avail_idx(d, 0xffff);
}
static void h_readable_after_writable(VtDrv *d, Rings *r) {
    vt_set_desc(d, 0, BUF, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    vt_set_desc(d, 1, BUF + 16, 16, 0, 0);
    vt_publish(d, 0);
}
static void h_ind_table(VtDrv *d, uint64_t addr, uint32_t len) {
    vt_set_desc(d, 0, addr, len, VIRTQ_DESC_F_INDIRECT, 0);
    vt_publish(d, 0);
}
static void h_ind_good_table(void) {
    vt_set_desc_at(mem, TABLE, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
    vt_set_desc_at(mem, TABLE, 1, BUF + 16, 16, VIRTQ_DESC_F_WRITE, 0);
}
static void h_ind_not_negotiated(VtDrv *d, Rings *r) {
    h_ind_good_table();
    h_ind_table(d, TABLE, 32);
}
static void h_ind_zero(VtDrv *d, Rings *r) { h_ind_table(d, TABLE, 0); }
static void h_ind_odd(VtDrv *d, Rings *r) { h_ind_good_table(); h_ind_table(d, TABLE, 24); }
static void h_ind_beyond(VtDrv *d, Rings *r) { h_ind_table(d, RAM_END - 16, 32); }
static void h_ind_overflow(VtDrv *d, Rings *r) { h_ind_table(d, 0xfffffffffffffff0ULL, 32); }
static void h_ind_too_big(VtDrv *d, Rings *r) {
    h_ind_table(d, VT_RAM_GPA + 0x20000, 16 * (ARMZ_VIRTQ_MAX_SEGS + 1));
}
static void h_ind_nested(VtDrv *d, Rings *r) {
    vt_set_desc_at(mem, TABLE, 0, TABLE + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
    vt_set_desc_at(mem, TABLE + 0x100, 0, BUF, 16, 0, 0);
    h_ind_table(d, TABLE, 16);
}
static void h_ind_with_next(VtDrv *d, Rings *r) {
    h_ind_good_table();
    vt_set_desc(d, 0, TABLE, 32, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
    vt_set_desc(d, 1, BUF, 16, 0, 0);
    vt_publish(d, 0);
}
static void h_ind_after_direct(VtDrv *d, Rings *r) {
    h_ind_good_table();
    vt_set_desc(d, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
    vt_set_desc(d, 1, TABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
    vt_publish(d, 0);
}
static void h_ind_loop(VtDrv *d, Rings *r) {
    vt_set_desc_at(mem, TABLE, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
    vt_set_desc_at(mem, TABLE, 1, BUF, 16, VIRTQ_DESC_F_NEXT, 0);
    h_ind_table(d, TABLE, 32);
}
static void h_ind_next_beyond(VtDrv *d, Rings *r) {
    vt_set_desc_at(mem, TABLE, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
    vt_set_desc_at(mem, TABLE, 1, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
    vt_set_desc_at(mem, TABLE, 2, BUF, 16, 0, 0);     /* exists in RAM, not in the table */
    h_ind_table(d, TABLE, 32);
}
static void h_ind_buf_beyond(VtDrv *d, Rings *r) {
    vt_set_desc_at(mem, TABLE, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
    vt_set_desc_at(mem, TABLE, 1, RAM_END - 4, 16, VIRTQ_DESC_F_WRITE, 0);
    h_ind_table(d, TABLE, 32);
}
static void h_ind_buf_zero(VtDrv *d, Rings *r) {
    vt_set_desc_at(mem, TABLE, 0, BUF, 0, 0, 0);
    h_ind_table(d, TABLE, 16);
}
static void r_desc_beyond(VtDrv *d, Rings *r) { r->desc = RAM_END - 16; }
static void r_avail_beyond(VtDrv *d, Rings *r) { r->avail = RAM_END - 4; }
static void r_used_beyond(VtDrv *d, Rings *r) { r->used = RAM_END - 8; }
static void r_desc_overflow(VtDrv *d, Rings *r) { r->desc = 0xfffffffffffffff0ULL; }
static void r_avail_overflow(VtDrv *d, Rings *r) { r->avail = UINT64_MAX - 1; }
static void r_below_ram(VtDrv *d, Rings *r) { r->used = 0x1000; }
static void r_desc_misaligned(VtDrv *d, Rings *r) { r->desc += 8; }
static void r_avail_misaligned(VtDrv *d, Rings *r) { r->avail += 1; }
static void r_used_misaligned(VtDrv *d, Rings *r) { r->used += 2; }
static void r_num_3(VtDrv *d, Rings *r) { r->num = 3; }
static void r_num_0(VtDrv *d, Rings *r) { r->num = 0; }
static void r_num_huge(VtDrv *d, Rings *r) { r->num = 65536; }
static void r_event_short(VtDrv *d, Rings *r) {
    /* fits without the avail_event field, not with it */
    r->used = RAM_END - (4 + 8 * d->num);
}

static const Hostile hostile[] = {
    { "loop of two descriptors", 8, false, false, false, h_loop2 },
    { "descriptor chained to itself", 8, false, false, false, h_selfloop },
    { "loop at the end of a chain", 8, false, false, false, h_loop_tail },
    { "chain longer than the queue", 4, false, false, false, h_longer_than_queue },
    { "buffer beyond guest RAM", 8, false, false, false, h_beyond_ram },
    { "buffer below guest RAM", 8, false, false, false, h_below_ram },
    { "buffer crossing the end of RAM", 8, false, false, false, h_crossing_end },
    { "buffer addr+len overflows", 8, false, false, false, h_addr_len_overflow },
    { "buffer at address 2^64-1", 8, false, false, false, h_addr_max },
    { "buffer addr+len wraps into RAM", 8, false, false, false, h_wrap_into_ram },
    { "zero-length buffer", 8, false, false, false, h_zero_len },
    { "zero-length buffer inside a chain", 8, false, false, false, h_zero_len_mid },
    { "next index equal to the queue size", 8, false, false, false, h_next_num },
    { "next index 0xffff", 8, false, false, false, h_next_ffff },
    { "head index equal to the queue size", 8, false, false, false, h_head_num },
    { "head index 0xffff", 8, false, false, false, h_head_ffff },
    { "available index jumps past the queue size", 8, false, false, false, h_avail_jump },
    { "available index goes backwards (wraps)", 8, false, false, false, h_avail_backwards },
    { "readable buffer after a writable one", 8, false, false, false,
      h_readable_after_writable },
    { "indirect table without INDIRECT_DESC", 8, false, false, false, h_ind_not_negotiated },
    { "indirect table of zero bytes", 8, true, false, false, h_ind_zero },
    { "indirect table not a multiple of 16", 8, true, false, false, h_ind_odd },
    { "indirect table beyond guest RAM", 8, true, false, false, h_ind_beyond },
    { "indirect table addr+len overflows", 8, true, false, false, h_ind_overflow },
    { "indirect table of 1025 entries", 8, true, false, false, h_ind_too_big },
    { "indirect table inside an indirect table", 8, true, false, false, h_ind_nested },
    { "indirect descriptor with NEXT", 8, true, false, false, h_ind_with_next },
    { "indirect descriptor after a direct one", 8, true, false, false, h_ind_after_direct },
    { "loop inside an indirect table", 8, true, false, false, h_ind_loop },
    { "next index beyond the indirect table", 8, true, false, false, h_ind_next_beyond },
    { "indirect buffer beyond guest RAM", 8, true, false, false, h_ind_buf_beyond },
    { "zero-length indirect buffer", 8, true, false, false, h_ind_buf_zero },
    { "loop with EVENT_IDX", 8, true, true, false, h_loop2 },
    { "descriptor table beyond guest RAM", 8, false, false, true, r_desc_beyond },
    { "available ring beyond guest RAM", 8, false, false, true, r_avail_beyond },
    { "used ring beyond guest RAM", 8, false, false, true, r_used_beyond },
    { "descriptor table address overflows", 8, false, false, true, r_desc_overflow },
    { "available ring address overflows", 8, false, false, true, r_avail_overflow },
    { "used ring below guest RAM", 8, false, false, true, r_below_ram },
    { "misaligned descriptor table", 8, false, false, true, r_desc_misaligned },
    { "misaligned available ring", 8, false, false, true, r_avail_misaligned },
    { "misaligned used ring", 8, false, false, true, r_used_misaligned },
    { "queue size not a power of 2", 8, false, false, true, r_num_3 },
    { "queue size 0", 8, false, false, true, r_num_0 },
    { "queue size 65536", 8, false, false, true, r_num_huge },
    { "avail_event field beyond guest RAM", 8, false, true, true, r_event_short },
};

static void
build_hostile(const Hostile *h, VtDrv *d, Rings *r)
{
    vt_fill(mem, 0xa5);
    vt_drv_init(d, mem, h->num, RING);
    d->event_idx = h->event_idx;
    r->desc = d->desc;
    r->avail = d->avail;
    r->used = d->used;
    r->num = d->num;
    h->build(d, r);
}

/* the walker alone */
static void
test_hostile_walker(gconstpointer data)
{
    const Hostile *h = data;
    VtDrv d;
    Rings r;
    ArmzVirtq vq;
    g_autofree ArmzVirtqElem *e = elem_new();
    g_autofree uint8_t *before = NULL;
    bool ok;

    build_hostile(h, &d, &r);
    before = g_malloc(mem->mem.size);
    memcpy(before, mem->mem.host, mem->mem.size);
    ok = armz_virtq_setup(&vq, &mem->mem, r.num, r.desc, r.avail, r.used, h->event_idx,
                          h->indirect);
    g_assert_cmpint(ok, ==, !h->setup_fails);
    if (ok) {
        g_assert_cmpint(armz_virtq_pop(&vq, e), ==, -1);
        /* broken for good, nothing pushed */
        g_assert_cmpint(armz_virtq_pop(&vq, e), ==, -1);
        armz_virtq_push(&vq, 0, 0);
        g_assert_false(armz_virtq_need_notify(&vq));
    } else {
        g_assert_cmpint(armz_virtq_pop(&vq, e), ==, -1);
    }
    g_assert_nonnull(armz_virtq_error(&vq));
    g_test_message("%s: %s", h->name, armz_virtq_error(&vq));
    /* not one byte of guest RAM was written */
    g_assert_cmpmem(before, mem->mem.size, mem->mem.host, mem->mem.size);
}

/* a device that pops everything it is given */
static bool
sink_work(ArmzVirtioDev *d, unsigned q)
{
    ArmzVirtqElem *e = armz_virtio_priv(d);
    while (armz_virtio_pop(d, q, e) > 0)
        armz_virtio_push(d, q, e, 0);
    return false;
}

static const ArmzVirtioOps sink_ops = {
    .name = "virtio-sink", .device_id = 42, .nqueues = 1, .queue_max = 256,
    .config_size = 4, .queue_work = sink_work,
};

#define BASE 0x0a000000ULL

/* through the transport: NEEDS_RESET, a config interrupt, and a reset
 * that makes the device usable again */
static void
test_hostile_device(gconstpointer data)
{
    const Hostile *h = data;
    g_autofree ArmzVirtqElem *e = elem_new();
    ArmzVirtioDev *dev = armz_virtio_dev_new(&sink_ops, e, "sink", 0);
    VtIrq irq;
    ArmzMmioBus *bus = vt_attach(dev, BASE, mem, &irq);
    VtDrv d, good;
    Rings r;
    uint64_t feat = VIRTIO_BIT(VIRTIO_F_VERSION_1) |
                    (h->event_idx ? VIRTIO_BIT(VIRTIO_F_EVENT_IDX) : 0) |
                    (h->indirect ? VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) : 0);
    VtBuf b = { BUF, 16, true };
    uint32_t id, len;

    build_hostile(h, &d, &r);
    g_assert_cmphex(vt_negotiate(bus, BASE, feat), ==, feat);
    vt_wr(bus, BASE, VIRTIO_MMIO_QUEUE_SEL, 0);
    vt_wr(bus, BASE, VIRTIO_MMIO_QUEUE_NUM, r.num);
    vt_wr(bus, BASE, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)r.desc);
    vt_wr(bus, BASE, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(r.desc >> 32));
    vt_wr(bus, BASE, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)r.avail);
    vt_wr(bus, BASE, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(r.avail >> 32));
    vt_wr(bus, BASE, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)r.used);
    vt_wr(bus, BASE, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(r.used >> 32));
    vt_wr(bus, BASE, VIRTIO_MMIO_QUEUE_READY, 1);
    vt_driver_ok(bus, BASE);
    vt_wr(bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    vt_run(dev);

    g_assert_cmphex(vt_rd(bus, BASE, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, ==,
                    VIRTIO_STATUS_NEEDS_RESET);
    g_assert_cmphex(vt_rd(bus, BASE, VIRTIO_MMIO_INTERRUPT_STATUS), ==, VIRTIO_MMIO_INT_CONFIG);
    g_assert_cmpint(irq.level, ==, 1);
    /* the driver writing status bits keeps NEEDS_RESET */
    vt_driver_ok(bus, BASE);
    g_assert_true(vt_rd(bus, BASE, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
    vt_wr(bus, BASE, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
    g_assert_cmpint(irq.level, ==, 0);

    /* reset, then good rings work again */
    vt_wr(bus, BASE, VIRTIO_MMIO_STATUS, 0);
    g_assert_cmphex(vt_rd(bus, BASE, VIRTIO_MMIO_STATUS), ==, 0);
    vt_drv_init(&good, mem, 8, RING);
    g_assert_cmphex(vt_negotiate(bus, BASE, feat), ==, feat);
    vt_queue_setup(bus, BASE, 0, &good);
    vt_driver_ok(bus, BASE);
    vt_add(&good, &b, 1);
    vt_wr(bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    vt_run(dev);
    g_assert_true(vt_get_used(&good, &id, &len));
    g_assert_cmpint(irq.level, ==, 1);
    g_assert_cmphex(vt_rd(bus, BASE, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, ==, 0);

    armz_virtio_dev_free(dev);
    armz_mmio_bus_free(bus);
}

int
main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    mem = vt_mem_new(RAM_SIZE);
    g_test_add_func("/virtqueue/single", test_single);
    g_test_add_func("/virtqueue/mixed-chain", test_mixed_chain);
    g_test_add_func("/virtqueue/full-length-chain", test_full_length_chain);
    g_test_add_func("/virtqueue/indirect", test_indirect);
    g_test_add_func("/virtqueue/notify-flags", test_notify_flags);
    g_test_add_func("/virtqueue/event-idx", test_event_idx);
    g_test_add_func("/virtqueue/wraparound", test_wraparound);
    g_test_add_func("/virtqueue/unpop", test_unpop);
    g_test_add_func("/virtqueue/iov", test_iov);
    for (size_t i = 0; i < G_N_ELEMENTS(hostile); i++) {
        g_autofree char *p1 = g_strdup_printf("/virtqueue/hostile/walker/%s", hostile[i].name);
        g_autofree char *p2 = g_strdup_printf("/virtqueue/hostile/device/%s", hostile[i].name);
        g_test_add_data_func(p1, &hostile[i], test_hostile_walker);
        g_test_add_data_func(p2, &hostile[i], test_hostile_device);
    }
    r = g_test_run();
    vt_mem_free(mem);
    return r;
}
