/* Split virtqueues (virtio 1.x, 2.7) over guest memory, and the guest
 * memory abstraction every virtio device goes through.
 *
 * The guest owns the rings and may change them at any time, from other
 * vCPUs, while the device reads them: every ring field is read once into a
 * local copy, converted from little-endian, and checked before use.  A
 * malformed ring or chain never leads to a host access outside guest RAM:
 * the queue is marked broken (armz_virtq_error) and stays so until it is set
 * up again; the device then asks for a reset (DEVICE_NEEDS_RESET). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <endian.h>
#include <sys/uio.h>

/* Guest RAM as the device sees it: SIZE bytes at guest physical address
 * GPA, mapped at HOST in this process.  Tests hand in synthetic memory. */
typedef struct {
    uint8_t *host;
    uint64_t gpa;
    uint64_t size;
    /* HOST is the start of a shared mapping of this memfd (--memfd), which
     * a vhost-user back-end maps too; has_fd false: private memory */
    int fd;
    bool has_fd;
} ArmzGuestMem;

/* Host pointer to guest range [GPA, GPA+LEN), or NULL unless it lies wholly
 * inside guest RAM.  Overflow-safe for every GPA and LEN. */
static inline uint8_t *
armz_gmem_ptr(const ArmzGuestMem *m, uint64_t gpa, uint64_t len)
{
    uint64_t off;

    if (!m || !m->host || gpa < m->gpa)
        return NULL;
    off = gpa - m->gpa;
    if (off > m->size || len > m->size - off)
        return NULL;
    return m->host + off;
}

/* little-endian loads and stores at any alignment */
static inline uint16_t armz_ld_le16(const void *p) { uint16_t v; memcpy(&v, p, 2); return le16toh(v); }
static inline uint32_t armz_ld_le32(const void *p) { uint32_t v; memcpy(&v, p, 4); return le32toh(v); }
static inline uint64_t armz_ld_le64(const void *p) { uint64_t v; memcpy(&v, p, 8); return le64toh(v); }
static inline void armz_st_le16(void *p, uint16_t v) { v = htole16(v); memcpy(p, &v, 2); }
static inline void armz_st_le32(void *p, uint32_t v) { v = htole32(v); memcpy(p, &v, 4); }
static inline void armz_st_le64(void *p, uint64_t v) { v = htole64(v); memcpy(p, &v, 8); }

/* Most buffers one element (descriptor chain, or one indirect table) may
 * have; also the largest indirect table accepted. */
#define ARMZ_VIRTQ_MAX_SEGS 1024

/* One popped descriptor chain: device-readable buffers first (iov[0 ..
 * n_out)), then device-writable ones (iov[n_out .. n_out + n_in)).  Every
 * iov points into guest RAM and was checked to lie inside it. */
typedef struct {
    uint16_t head;
    unsigned n_out, n_in;
    uint64_t out_len, in_len;
    struct iovec iov[ARMZ_VIRTQ_MAX_SEGS];
} ArmzVirtqElem;

static inline struct iovec *armz_elem_in(ArmzVirtqElem *e) { return e->iov + e->n_out; }

typedef struct {
    const ArmzGuestMem *mem;
    uint16_t num;               /* queue size, a power of 2 */
    bool event_idx;             /* VIRTIO_F_EVENT_IDX negotiated */
    bool indirect;              /* VIRTIO_F_INDIRECT_DESC negotiated */
    uint8_t *desc, *avail, *used;   /* checked host pointers */
    uint16_t last_avail;        /* next avail ring entry to consume */
    uint16_t used_idx;          /* our used->idx */
    uint16_t signalled_used;    /* used_idx at the last notify decision */
    bool signalled_valid;
    bool live;                  /* set up and not broken */
    char error[160];            /* why the queue broke ("" while fine) */
} ArmzVirtq;

/* Sets the queue up over guest rings at DESC, AVAIL (driver area) and USED
 * (device area).  False (and armz_virtq_error) when the size is not a power
 * of 2 from 1 to 32768, or a ring is misaligned or not inside guest RAM. */
bool armz_virtq_setup(ArmzVirtq *vq, const ArmzGuestMem *mem, unsigned num,
                      uint64_t desc, uint64_t avail, uint64_t used,
                      bool event_idx, bool indirect);
void armz_virtq_clear(ArmzVirtq *vq);
/* NULL while the queue is fine, else the reason it broke. */
const char *armz_virtq_error(const ArmzVirtq *vq);

/* Takes the next available chain: 1 (ELEM filled), 0 (none available) or
 * -1 (the ring or the chain is malformed: the queue is now broken). */
int armz_virtq_pop(ArmzVirtq *vq, ArmzVirtqElem *elem);
/* Gives back the chain just popped (it is consumed again by the next pop). */
void armz_virtq_unpop(ArmzVirtq *vq);
/* Returns chain HEAD to the driver; LEN bytes were written into it. */
void armz_virtq_push(ArmzVirtq *vq, uint16_t head, uint32_t len);
/* After pushes: does the driver want an interrupt (EVENT_IDX / flags)? */
bool armz_virtq_need_notify(ArmzVirtq *vq);
/* Chains available and not yet popped (0 on a broken queue). */
unsigned armz_virtq_pending(ArmzVirtq *vq);

/* iovec helpers: copy between an iovec array, from byte OFFSET, and a flat
 * buffer; they return the number of bytes copied. */
size_t armz_iov_to_buf(const struct iovec *iov, unsigned n, size_t offset, void *buf,
                       size_t len);
size_t armz_iov_from_buf(const struct iovec *iov, unsigned n, size_t offset,
                         const void *buf, size_t len);
/* OUT (at most MAX entries) = the bytes [OFFSET, OFFSET+LEN) of IOV, as
 * views into the same memory; returns the count (short if IOV is). */
unsigned armz_iov_slice(const struct iovec *iov, unsigned n, size_t offset, size_t len,
                        struct iovec *out, unsigned max);
size_t armz_iov_size(const struct iovec *iov, unsigned n);
