/* Statistics of a vhost-user-blk disk, taken from its split rings.
 *
 * qemu-storage-daemon (7.2) keeps no statistics of its exports, and the
 * requests do not pass through armz-vmm; but each completion does reach
 * armz-vmm's device thread, which reads the back-end's call eventfd before
 * it interrupts the guest.  At each call (and each query) the walk reads
 * the available ring from where it stopped, noting per descriptor head the
 * request (virtio-blk type, data bytes, where its status byte is, when it
 * was first seen), then the used ring, counting each completed head once.
 *
 * All of it is guest memory that the guest may rewrite at any time: each
 * field is loaded once, every address checked to lie in guest RAM, chain
 * walks are capped at the table's size; a malformed request is not counted
 * (the back-end judges it), nothing breaks.
 *
 * The walk runs before the guest is interrupted, so the guest has not yet
 * recycled a head whose completion the walk is about to read.  One race is
 * left: a guest that polls the used ring (Linux does in its interrupt
 * handler, with further interrupts suppressed) may take a completion and
 * reuse its head before a walk.  A head made available again while its
 * previous request is still pending is counted then (its completion had to
 * come first), and its used entry skipped later: nothing is counted twice.
 *
 * Times run from the walk that first saw a request to the walk that saw it
 * complete.  Walks happen at calls and queries only (the guest's kicks go
 * straight to the back-end), so they are lower bounds, 0 for a request
 * made available and completed between two walks. */
#include <glib.h>
#include "virtio/vu_blk_stats.h"
#include "virtio/virtio_abi.h"

/* DISCARD segments whose sizes are read (the rest count as operations) */
#define DISCARD_SEGS   32
#define GATHER         (VIRTIO_BLK_HDR_SIZE + DISCARD_SEGS * VIRTIO_BLK_SEG_SIZE)

typedef struct {
    uint64_t t0;                /* ns, when the walk first saw it */
    uint64_t bytes;             /* data bytes; DISCARD: bytes to unmap */
    uint64_t end;               /* OUT: byte offset after its data */
    const uint8_t *status;      /* its status byte, in guest RAM */
    uint32_t type;
    uint32_t segs;              /* DISCARD: segments */
    bool pending;               /* seen available, its completion not yet */
    uint16_t early;             /* used entries of this head already counted */
} Req;

typedef struct {
    bool live;
    const ArmzGuestMem *mem;
    uint16_t num;
    bool indirect;
    const uint8_t *desc, *avail, *used;
    uint16_t last_avail, last_used;
    Req req[ARMZ_VU_BLK_STATS_QMAX];
} Queue;

struct ArmzVuBlkStats {
    GMutex lock;
    ArmzBlkStats st;
    Queue q[ARMZ_VU_BLK_STATS_QUEUES];
};

ArmzVuBlkStats *
armz_vu_blk_stats_new(void)
{
    ArmzVuBlkStats *s = g_new0(ArmzVuBlkStats, 1);
    g_mutex_init(&s->lock);
    return s;
}

void
armz_vu_blk_stats_free(ArmzVuBlkStats *s)
{
    if (!s)
        return;
    g_mutex_clear(&s->lock);
    g_free(s);
}

/* the driver's and the back-end's ring indexes (2-byte aligned: checked) */
static uint16_t
load_idx(const uint8_t *ring)
{
    return le16toh(__atomic_load_n((const uint16_t *)(const void *)(ring + 2),
                                   __ATOMIC_ACQUIRE));
}

static void
resync(Queue *q)
{
    q->last_used = load_idx(q->used);
    q->last_avail = load_idx(q->avail);
    for (unsigned i = 0; i < q->num; i++)
        q->req[i] = (Req){ 0 };
}

bool
armz_vu_blk_stats_start(ArmzVuBlkStats *s, unsigned qi, const ArmzGuestMem *mem,
                        unsigned num, uint64_t desc, uint64_t avail, uint64_t used,
                        bool indirect)
{
    Queue *q;
    bool ok;

    if (qi >= ARMZ_VU_BLK_STATS_QUEUES)
        return false;
    q = &s->q[qi];
    g_mutex_lock(&s->lock);
    q->live = false;
    /* the indexes are loaded atomically: aligned (descriptors are copied) */
    ok = num && num <= ARMZ_VU_BLK_STATS_QMAX && !(num & (num - 1)) &&
         !(avail & 1) && !(used & 3);
    if (ok) {
        q->mem = mem;
        q->num = (uint16_t)num;
        q->indirect = indirect;
        q->desc = armz_gmem_ptr(mem, desc, (uint64_t)num * VIRTQ_DESC_SIZE);
        q->avail = armz_gmem_ptr(mem, avail, 4 + 2ULL * num);
        q->used = armz_gmem_ptr(mem, used, 4 + 8ULL * num);
        ok = q->desc && q->avail && q->used && !((uintptr_t)q->avail & 1) &&
             !((uintptr_t)q->used & 3);
    }
    if (ok) {
        resync(q);
        q->live = true;
    }
    g_mutex_unlock(&s->lock);
    return ok;
}

void
armz_vu_blk_stats_stop(ArmzVuBlkStats *s)
{
    g_mutex_lock(&s->lock);
    for (unsigned i = 0; i < ARMZ_VU_BLK_STATS_QUEUES; i++)
        s->q[i].live = false;
    g_mutex_unlock(&s->lock);
}

/* The request of chain HEAD into R; false when the chain is malformed. */
static bool
parse_chain(const Queue *q, uint16_t head, Req *r)
{
    const uint8_t *table = q->desc;
    unsigned size = q->num, idx = head, count = 0;
    bool in_indirect = false;
    uint8_t hdr[GATHER];
    size_t got = 0;
    uint64_t out_len = 0, in_len = 0;
    const uint8_t *last_in = NULL;

    for (;;) {
        uint8_t raw[VIRTQ_DESC_SIZE];
        uint64_t addr;
        uint32_t len;
        uint16_t flags, next;
        const uint8_t *p;

        /* more descriptors than the table holds: a loop */
        if (count >= size)
            return false;
        /* one snapshot: the guest may rewrite the descriptor meanwhile */
        memcpy(raw, table + (size_t)idx * VIRTQ_DESC_SIZE, sizeof(raw));
        addr = armz_ld_le64(raw);
        len = armz_ld_le32(raw + 8);
        flags = armz_ld_le16(raw + 12);
        next = armz_ld_le16(raw + 14);
        if (flags & VIRTQ_DESC_F_INDIRECT) {
            if (!q->indirect || in_indirect || count || (flags & VIRTQ_DESC_F_NEXT) ||
                len == 0 || len % VIRTQ_DESC_SIZE || len / VIRTQ_DESC_SIZE > ARMZ_VIRTQ_MAX_SEGS ||
                !(p = armz_gmem_ptr(q->mem, addr, len)))
                return false;
            table = p;
            size = len / VIRTQ_DESC_SIZE;
            idx = 0;
            in_indirect = true;
            continue;
        }
        if (len == 0 || !(p = armz_gmem_ptr(q->mem, addr, len)))
            return false;
        if (flags & VIRTQ_DESC_F_WRITE) {
            in_len += len;
            last_in = p + len - 1;
        } else {
            size_t c = MIN((size_t)len, sizeof(hdr) - got);
            if (in_len)
                return false;
            memcpy(hdr + got, p, c);
            got += c;
            out_len += len;
        }
        count++;
        if (!(flags & VIRTQ_DESC_F_NEXT))
            break;
        if (next >= size)
            return false;
        idx = next;
    }
    if (out_len < VIRTIO_BLK_HDR_SIZE || !last_in)
        return false;
    r->type = armz_ld_le32(hdr);
    r->status = last_in;
    r->bytes = r->end = 0;
    r->segs = 0;
    switch (r->type) {
    case VIRTIO_BLK_T_IN:
        r->bytes = in_len - 1;
        break;
    case VIRTIO_BLK_T_OUT: {
        uint64_t sector = armz_ld_le64(hdr + 8);
        r->bytes = out_len - VIRTIO_BLK_HDR_SIZE;
        r->end = sector > (UINT64_MAX - r->bytes) / VIRTIO_BLK_SECTOR_SIZE ? UINT64_MAX :
                 sector * VIRTIO_BLK_SECTOR_SIZE + r->bytes;
        break;
    }
    case VIRTIO_BLK_T_DISCARD:
        r->segs = (uint32_t)MIN((out_len - VIRTIO_BLK_HDR_SIZE) / VIRTIO_BLK_SEG_SIZE,
                                (uint64_t)UINT32_MAX);
        for (size_t o = VIRTIO_BLK_HDR_SIZE; o + VIRTIO_BLK_SEG_SIZE <= got;
             o += VIRTIO_BLK_SEG_SIZE)
            r->bytes += (uint64_t)armz_ld_le32(hdr + o + 8) * VIRTIO_BLK_SECTOR_SIZE;
        break;
    default:
        break;
    }
    return true;
}

/* lock held: R completed, NOW */
static void
count(ArmzVuBlkStats *s, const Req *r, uint64_t now)
{
    ArmzBlkStats *st = &s->st;
    uint64_t ns = now - r->t0;
    bool failed = __atomic_load_n(r->status, __ATOMIC_RELAXED) != VIRTIO_BLK_S_OK;

    /* as armz-vmm's own virtio-blk counts (virtio_blk.c) */
    armz_blk_stats_count(st, r->type, r->bytes, ns, failed);
    if (r->type == VIRTIO_BLK_T_OUT && !failed)
        st->wr_highest_offset = MAX(st->wr_highest_offset, r->end);
    if (r->type == VIRTIO_BLK_T_DISCARD && !failed) {
        st->unmap_ops += r->segs;
        st->unmap_bytes += r->bytes;
    }
}

/* lock held: chain HEAD was made available */
static void
note(ArmzVuBlkStats *s, Queue *q, uint16_t head, uint64_t now)
{
    Req *r;

    if (head >= q->num)
        return;
    r = &q->req[head];
    if (r->pending) {
        /* the guest took its completion already (it polled the used ring) */
        count(s, r, now);
        if (r->early < q->num)
            r->early++;
    }
    r->pending = parse_chain(q, head, r);
    r->t0 = now;
}

static void
walk_locked(ArmzVuBlkStats *s, Queue *q, uint64_t now)
{
    uint16_t used_idx, avail_idx, mask = q->num - 1;

    if (!q->live)
        return;
    /* the used index first: every head it covers was available before
     * the available index is read */
    used_idx = load_idx(q->used);
    avail_idx = load_idx(q->avail);
    /* more than a ring's worth since the last walk (a hostile or polling
     * guest): those entries were overwritten; start afresh */
    if ((uint16_t)(avail_idx - q->last_avail) > q->num ||
        (uint16_t)(used_idx - q->last_used) > q->num) {
        resync(q);
        return;
    }
    for (; q->last_avail != avail_idx; q->last_avail++)
        note(s, q, armz_ld_le16(q->avail + 4 + 2 * (size_t)(q->last_avail & mask)), now);
    for (; q->last_used != used_idx; q->last_used++) {
        uint32_t id = armz_ld_le32(q->used + 4 + 8 * (size_t)(q->last_used & mask));
        Req *r;

        if (id >= q->num)
            continue;
        r = &q->req[id];
        if (r->early) {
            r->early--;
        } else if (r->pending) {
            count(s, r, now);
            r->pending = false;
        }
    }
}

static uint64_t
now_ns(void)
{
    return (uint64_t)g_get_monotonic_time() * 1000;
}

void
armz_vu_blk_stats_walk(ArmzVuBlkStats *s, unsigned q)
{
    if (q >= ARMZ_VU_BLK_STATS_QUEUES)
        return;
    g_mutex_lock(&s->lock);
    walk_locked(s, &s->q[q], now_ns());
    g_mutex_unlock(&s->lock);
}

void
armz_vu_blk_stats_get(ArmzVuBlkStats *s, ArmzBlkStats *out)
{
    uint64_t now = now_ns();

    g_mutex_lock(&s->lock);
    for (unsigned i = 0; i < ARMZ_VU_BLK_STATS_QUEUES; i++)
        walk_locked(s, &s->q[i], now);
    *out = s->st;
    g_mutex_unlock(&s->lock);
}
