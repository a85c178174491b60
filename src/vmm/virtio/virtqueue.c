/* Split virtqueue walker (virtio 1.x, 2.7): see virtqueue.h.
 *
 * Ordering with the driver, which runs on other CPUs: avail->idx is loaded
 * with acquire semantics before the ring entries and descriptors it covers
 * are read; used ring entries are written before used->idx is stored with
 * release semantics; a full fence separates a store that the driver's
 * decision depends on (used->idx, avail_event) from the load of the
 * driver's matching field (flags / used_event, avail->idx). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <glib/gi18n-lib.h>
#include "virtio/virtqueue.h"
#include "virtio/virtio_abi.h"

/* byte offsets inside the rings */
#define AVAIL_FLAGS        0
#define AVAIL_IDX          2
#define AVAIL_RING(i)      (4 + 2 * (size_t)(i))
#define USED_IDX           2
#define USED_RING(i)       (4 + VIRTQ_USED_ELEM_SIZE * (size_t)(i))

static inline uint16_t
load16(const uint8_t *p)
{
    return le16toh(__atomic_load_n((const uint16_t *)(const void *)p, __ATOMIC_ACQUIRE));
}

static inline void
store16(uint8_t *p, uint16_t v, int order)
{
    __atomic_store_n((uint16_t *)(void *)p, htole16(v), order);
}

static bool __attribute__((format(printf, 2, 3)))
broken(ArmzVirtq *vq, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(vq->error, sizeof(vq->error), fmt, ap);
    va_end(ap);
    if (!vq->error[0])
        snprintf(vq->error, sizeof(vq->error), "malformed virtqueue");
    vq->live = false;
    return false;
}

const char *
armz_virtq_error(const ArmzVirtq *vq)
{
    return vq->error[0] ? vq->error : NULL;
}

void
armz_virtq_clear(ArmzVirtq *vq)
{
    memset(vq, 0, sizeof(*vq));
}

/* a ring of LEN bytes at GPA, ALIGN-aligned both as a guest address and as
 * a host pointer (the 16-bit indexes are accessed atomically) */
static uint8_t *
ring_ptr(ArmzVirtq *vq, const char *what, uint64_t gpa, uint64_t len, unsigned align)
{
    uint8_t *p;

    if (gpa & (align - 1)) {
        broken(vq, _("%s ring at 0x%" PRIx64 " is not %u-byte aligned"), what,
               (uint64_t)gpa, align);
        return NULL;
    }
    p = armz_gmem_ptr(vq->mem, gpa, len);
    if (!p) {
        broken(vq, _("%s ring 0x%" PRIx64 "+0x%" PRIx64 " is outside guest RAM"), what,
               (uint64_t)gpa, (uint64_t)len);
        return NULL;
    }
    if ((uintptr_t)p & (align - 1)) {
        broken(vq, _("%s ring at 0x%" PRIx64 " is misaligned in host memory"), what,
               (uint64_t)gpa);
        return NULL;
    }
    return p;
}

bool
armz_virtq_setup(ArmzVirtq *vq, const ArmzGuestMem *mem, unsigned num,
                 uint64_t desc, uint64_t avail, uint64_t used,
                 bool event_idx, bool indirect)
{
    /* the event fields follow the rings only when EVENT_IDX is in use */
    size_t ev = event_idx ? 2 : 0;

    armz_virtq_clear(vq);
    vq->mem = mem;
    vq->event_idx = event_idx;
    vq->indirect = indirect;
    if (num == 0 || num > VIRTQ_MAX_SIZE || (num & (num - 1)))
        return broken(vq, _("queue size %u is not a power of 2 from 1 to %u"), num,
                      VIRTQ_MAX_SIZE);
    vq->num = (uint16_t)num;
    vq->desc = ring_ptr(vq, _("descriptor"), desc, (uint64_t)num * VIRTQ_DESC_SIZE, 16);
    if (!vq->desc)
        return false;
    vq->avail = ring_ptr(vq, _("available"), avail, AVAIL_RING(num) + ev, 2);
    if (!vq->avail)
        return false;
    vq->used = ring_ptr(vq, _("used"), used, USED_RING(num) + ev, 4);
    if (!vq->used)
        return false;
    vq->live = true;
    return true;
}

/* chains available: -1 when the driver's index is impossible */
static int
avail_count(ArmzVirtq *vq, uint16_t *idx_out)
{
    uint16_t idx = load16(vq->avail + AVAIL_IDX);
    uint16_t n = (uint16_t)(idx - vq->last_avail);

    if (n > vq->num) {
        broken(vq, _("available index jumped from %u to %u (queue size %u)"),
               vq->last_avail, idx, vq->num);
        return -1;
    }
    if (idx_out)
        *idx_out = idx;
    return n;
}

unsigned
armz_virtq_pending(ArmzVirtq *vq)
{
    int n;
    if (!vq->live)
        return 0;
    n = avail_count(vq, NULL);
    return n < 0 ? 0 : (unsigned)n;
}

#define CHAIN_FAIL(...) do { broken(vq, __VA_ARGS__); return -1; } while (0)

static int
walk_chain(ArmzVirtq *vq, uint16_t head, ArmzVirtqElem *e)
{
    const uint8_t *table = vq->desc;
    unsigned table_size = vq->num;
    unsigned idx = head, count = 0;
    bool in_indirect = false;

    e->head = head;
    e->n_out = e->n_in = 0;
    e->out_len = e->in_len = 0;
    for (;;) {
        const uint8_t *d = table + (size_t)idx * VIRTQ_DESC_SIZE;
        uint8_t raw[VIRTQ_DESC_SIZE];
        uint64_t addr;
        uint32_t len;
        uint16_t flags, next;
        uint8_t *p;

        /* one snapshot: the guest may rewrite the descriptor meanwhile */
        memcpy(raw, d, sizeof(raw));
        addr = armz_ld_le64(raw);
        len = armz_ld_le32(raw + 8);
        flags = armz_ld_le16(raw + 12);
        next = armz_ld_le16(raw + 14);

        if (flags & VIRTQ_DESC_F_INDIRECT) {
            if (!vq->indirect)
                CHAIN_FAIL(_("chain %u: indirect descriptor, but INDIRECT_DESC "
                              "was not negotiated"), head);
            if (in_indirect)
                CHAIN_FAIL(_("chain %u: indirect descriptor inside an indirect table"),
                              head);
            if (count != 0)
                CHAIN_FAIL(_("chain %u: indirect descriptor after other descriptors"),
                              head);
            if (flags & VIRTQ_DESC_F_NEXT)
                CHAIN_FAIL(_("chain %u: indirect descriptor with NEXT set"), head);
            if (len == 0 || len % VIRTQ_DESC_SIZE ||
                len / VIRTQ_DESC_SIZE > ARMZ_VIRTQ_MAX_SEGS)
                CHAIN_FAIL(_("chain %u: indirect table of %u bytes (a multiple of "
                              "%u up to %u entries needed)"), head, len, VIRTQ_DESC_SIZE,
                              ARMZ_VIRTQ_MAX_SEGS);
            p = armz_gmem_ptr(vq->mem, addr, len);
            if (!p)
                CHAIN_FAIL(_("chain %u: indirect table 0x%" PRIx64 "+0x%x is outside guest RAM"),
                              head, (uint64_t)addr, len);
            table = p;
            table_size = len / VIRTQ_DESC_SIZE;
            idx = 0;
            in_indirect = true;
            continue;
        }
        if (len == 0)
            CHAIN_FAIL(_("chain %u: zero-length buffer"), head);
        p = armz_gmem_ptr(vq->mem, addr, len);
        if (!p)
            CHAIN_FAIL(_("chain %u: buffer 0x%" PRIx64 "+0x%x is outside guest RAM"), head,
                          (uint64_t)addr, len);
        if (e->n_out + e->n_in >= ARMZ_VIRTQ_MAX_SEGS)
            CHAIN_FAIL(_("chain %u: more than %u buffers"), head, ARMZ_VIRTQ_MAX_SEGS);
        if (flags & VIRTQ_DESC_F_WRITE) {
            e->iov[e->n_out + e->n_in].iov_base = p;
            e->iov[e->n_out + e->n_in].iov_len = len;
            e->n_in++;
            e->in_len += len;
        } else {
            if (e->n_in)
                CHAIN_FAIL(_("chain %u: device-readable buffer after a device-writable "
                              "one"), head);
            e->iov[e->n_out].iov_base = p;
            e->iov[e->n_out].iov_len = len;
            e->n_out++;
            e->out_len += len;
        }
        count++;
        if (!(flags & VIRTQ_DESC_F_NEXT))
            return 1;
        if (next >= table_size)
            CHAIN_FAIL(_("chain %u: next index %u beyond the %s of %u entries"), head,
                          next, in_indirect ? _("indirect table") : _("queue"), table_size);
        /* more descriptors than the table holds: the chain loops */
        if (count >= table_size)
            CHAIN_FAIL(_("chain %u: longer than the %s (%u entries): a loop?"), head,
                          in_indirect ? _("indirect table") : _("queue"), table_size);
        idx = next;
    }
}

int
armz_virtq_pop(ArmzVirtq *vq, ArmzVirtqElem *elem)
{
    int n;
    uint16_t head;

    if (!vq->live)
        return vq->error[0] ? -1 : 0;
    n = avail_count(vq, NULL);
    if (n < 0)
        return -1;
    if (n == 0) {
        if (!vq->event_idx)
            return 0;
        /* ask to be notified of the next chain, then look again: a chain
         * added before the driver could see avail_event is not missed */
        store16(vq->used + USED_RING(vq->num), vq->last_avail, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        n = avail_count(vq, NULL);
        if (n <= 0)
            return n;
    }
    head = armz_ld_le16(vq->avail + AVAIL_RING(vq->last_avail & (vq->num - 1)));
    if (head >= vq->num) {
        broken(vq, _("available ring entry %u names descriptor %u (queue size %u)"),
               vq->last_avail, head, vq->num);
        return -1;
    }
    if (walk_chain(vq, head, elem) < 0)
        return -1;
    vq->last_avail++;
    return 1;
}

void
armz_virtq_unpop(ArmzVirtq *vq)
{
    vq->last_avail--;
}

void
armz_virtq_push(ArmzVirtq *vq, uint16_t head, uint32_t len)
{
    uint8_t *slot;

    if (!vq->live)
        return;
    slot = vq->used + USED_RING(vq->used_idx & (vq->num - 1));
    armz_st_le32(slot, head);
    armz_st_le32(slot + 4, len);
    vq->used_idx++;
    store16(vq->used + USED_IDX, vq->used_idx, __ATOMIC_RELEASE);
}

bool
armz_virtq_need_notify(ArmzVirtq *vq)
{
    uint16_t old, cur, event;
    bool valid;

    if (!vq->live)
        return false;
    /* the used index must be visible before the driver's wish is read */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (!vq->event_idx)
        return !(load16(vq->avail + AVAIL_FLAGS) & VIRTQ_AVAIL_F_NO_INTERRUPT);
    old = vq->signalled_used;
    valid = vq->signalled_valid;
    cur = vq->used_idx;
    vq->signalled_used = cur;
    vq->signalled_valid = true;
    if (!valid)
        return true;
    event = load16(vq->avail + AVAIL_RING(vq->num));
    /* interrupt when used_event lies in [old, cur): 2.7.10 */
    return (uint16_t)(cur - event - 1) < (uint16_t)(cur - old);
}

/* ---- iovec helpers ---- */

size_t
armz_iov_size(const struct iovec *iov, unsigned n)
{
    size_t s = 0;
    for (unsigned i = 0; i < n; i++)
        s += iov[i].iov_len;
    return s;
}

size_t
armz_iov_to_buf(const struct iovec *iov, unsigned n, size_t offset, void *buf, size_t len)
{
    size_t done = 0;

    for (unsigned i = 0; i < n && done < len; i++) {
        size_t l = iov[i].iov_len;
        if (offset >= l) {
            offset -= l;
            continue;
        }
        size_t c = l - offset < len - done ? l - offset : len - done;
        memcpy((uint8_t *)buf + done, (const uint8_t *)iov[i].iov_base + offset, c);
        done += c;
        offset = 0;
    }
    return done;
}

size_t
armz_iov_from_buf(const struct iovec *iov, unsigned n, size_t offset, const void *buf,
                  size_t len)
{
    size_t done = 0;

    for (unsigned i = 0; i < n && done < len; i++) {
        size_t l = iov[i].iov_len;
        if (offset >= l) {
            offset -= l;
            continue;
        }
        size_t c = l - offset < len - done ? l - offset : len - done;
        memcpy((uint8_t *)iov[i].iov_base + offset, (const uint8_t *)buf + done, c);
        done += c;
        offset = 0;
    }
    return done;
}

unsigned
armz_iov_slice(const struct iovec *iov, unsigned n, size_t offset, size_t len,
               struct iovec *out, unsigned max)
{
    unsigned k = 0;

    for (unsigned i = 0; i < n && len && k < max; i++) {
        size_t l = iov[i].iov_len;
        if (offset >= l) {
            offset -= l;
            continue;
        }
        size_t c = l - offset < len ? l - offset : len;
        out[k].iov_base = (uint8_t *)iov[i].iov_base + offset;
        out[k].iov_len = c;
        k++;
        len -= c;
        offset = 0;
    }
    return k;
}
