/* virtio-blk (5.2) over a raw image (a file or block device, by path or a
 * passed fd).  Requests run on the disk's worker thread, with preadv /
 * pwritev straight into and out of guest memory (or Linux AIO or io_uring
 * with io=native / io_uring, blk_io.c), so a slow disk delays only its own
 * guest requests, never a vCPU.
 *
 * Cache modes as QEMU defines them: none and directsync bypass the host's
 * page cache (O_DIRECT; guest buffers that are not sector-aligned go
 * through an aligned bounce buffer), writethrough and directsync write
 * through (O_DSYNC); the guest sees a volatile write cache (CONFIG_WCE
 * writeback=1) with writeback, none and unsafe, and unsafe ignores its
 * flushes.  An I/O error is reported, ignored, or stops the VM with the
 * request kept for a retry at cont (werror/rerror). */
#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <linux/falloc.h>
#include <glib/gi18n-lib.h>
#include "virtio/virtio.h"
#include "virtio/blk_io.h"
#include "vmmlog.h"

#define BLK_QUEUE_SIZE    256
#define BLK_SEG_MAX       (BLK_QUEUE_SIZE - 2)      /* header and status take two */
#define BLK_MAX_DISCARD   (1u << 22)                /* sectors per segment: 2 GiB */
#define BLK_DISCARD_SEGS  32
#define BLK_DISCARD_ALIGN 8                         /* sectors: 4 KiB */
#define BLK_BATCH         64
#define BLK_DIRECT_ALIGN  512           /* O_DIRECT buffers and lengths */
#define BLK_BOUNCE_ALIGN  4096

typedef struct {
    ArmzVirtioDev *dev;
    int fd;
    bool own_fd;
    bool readonly;
    bool discard, write_zeroes;         /* the host file can (probed) */
    bool unmap;                         /* discard=unmap: DISCARD punches holes */
    bool direct;                        /* fd has O_DIRECT */
    bool dsync;                         /* fd has O_DSYNC */
    bool ignore_flush;                  /* cache=unsafe */
    ArmzBlkIo *io;                      /* io=threads|native|io_uring */
    int wce;                            /* guest-visible write cache (atomic) */
    ArmzDetectZeroes detect_zeroes;
    ArmzBlkErrorPolicy werror, rerror;
    uint64_t capacity;                  /* 512-byte sectors (atomic: resize) */
    char serial[VIRTIO_BLK_ID_BYTES];   /* zero-padded, not terminated */
    ArmzVirtqElem elem;
    struct iovec data[ARMZ_VIRTQ_MAX_SEGS];
    unsigned errors_logged;
    /* error policy 'stop': ELEM failed and waits for armz_virtio_blk_resume */
    bool stalled;
    int retry;                          /* atomic: resume asked */
    int io_status;                      /* atomic: errno of the stop, 0 */
    ArmzBlkErrorFn error_fn;
    void *error_opaque;
    GMutex stats_lock;
    ArmzBlkStats stats;
} Blk;

/* What one request did, for the statistics and the error policy. */
typedef struct {
    int err;                            /* errno of a failed host call, 0 */
    bool write;                         /* write-side operation */
} BlkResult;

int
armz_virtio_blk_open_flags(ArmzCacheMode cache)
{
    switch (cache) {
    case ARMZ_CACHE_NONE: return O_DIRECT;
    case ARMZ_CACHE_WRITETHROUGH: return O_DSYNC;
    case ARMZ_CACHE_DIRECTSYNC: return O_DIRECT | O_DSYNC;
    case ARMZ_CACHE_WRITEBACK:
    case ARMZ_CACHE_UNSAFE:
        break;
    }
    return 0;
}

ArmzBlkErrorPolicy
armz_virtio_blk_error_action(ArmzBlkErrorPolicy policy, int err)
{
    if (policy == ARMZ_BLK_ERR_ENOSPC)
        return err == ENOSPC ? ARMZ_BLK_ERR_STOP : ARMZ_BLK_ERR_REPORT;
    return policy;
}

static uint64_t
capacity(const Blk *b)
{
    return __atomic_load_n(&b->capacity, __ATOMIC_RELAXED);
}

static uint64_t
now_ns(void)
{
    return (uint64_t)g_get_monotonic_time() * 1000;
}

static void
log_io_error(ArmzVirtioDev *d, Blk *b, const char *op, uint64_t sector, int err)
{
    if (++b->errors_logged <= 8)
        armz_vmm_warn(_("%s: %s at sector %" PRIu64 " failed: %s"), armz_virtio_label(d), op,
                      sector, g_strerror(err));
}

/* The whole of IOV (N entries, changed in place) at byte offset OFF. */
static int
rw_all(Blk *b, bool write, struct iovec *iov, unsigned n, uint64_t off)
{
    while (n) {
        ssize_t r = armz_blk_io_rw(b->io, b->fd, write, iov, n, off);
        if (r < 0)
            return (int)r;
        if (r == 0)
            return -EIO;        /* the image shrank under us */
        off += (uint64_t)r;
        while (n && (size_t)r >= iov->iov_len) {
            r -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n) {
            iov->iov_base = (uint8_t *)iov->iov_base + r;
            iov->iov_len -= (size_t)r;
        }
    }
    return 0;
}

/* sectors [SECTOR, SECTOR + COUNT) inside the disk, without overflow */
static bool
in_range(const Blk *b, uint64_t sector, uint64_t count)
{
    uint64_t cap = capacity(b);
    return sector <= cap && count <= cap - sector;
}

/* O_DIRECT takes the guest's buffers only when each is aligned */
static bool
iov_aligned(const struct iovec *iov, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (((uintptr_t)iov[i].iov_base | iov[i].iov_len) % BLK_DIRECT_ALIGN)
            return false;
    return true;
}

/* IOV (N entries, LEN bytes) through an aligned buffer: -errno or 0 */
static int
rw_bounce(Blk *b, bool write, const struct iovec *iov, unsigned n, uint64_t len, uint64_t off)
{
    void *buf = NULL;
    struct iovec one;
    int r;

    if (posix_memalign(&buf, BLK_BOUNCE_ALIGN, (size_t)len) != 0)
        return -ENOMEM;
    if (write)
        armz_iov_to_buf(iov, n, 0, buf, (size_t)len);
    one.iov_base = buf;
    one.iov_len = (size_t)len;
    r = rw_all(b, write, &one, 1, off);
    if (r == 0 && !write)
        armz_iov_from_buf(iov, n, 0, buf, (size_t)len);
    free(buf);
    return r;
}

static bool
iov_all_zero(const struct iovec *iov, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *p = iov[i].iov_base;
        for (size_t j = 0; j < iov[i].iov_len; j++)
            if (p[j])
                return false;
    }
    return true;
}

/* zeroes over [OFF, OFF + LEN): a hole where UNMAP may and can, else an
 * allocated zero range; -errno */
static int
zero_range(Blk *b, uint64_t off, uint64_t len, bool unmap)
{
    bool hole = unmap && b->unmap && b->discard;
    int mode = hole ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
                    : FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
    if (!b->write_zeroes && !hole)
        return -EOPNOTSUPP;
    if (fallocate(b->fd, mode, (off_t)off, (off_t)len) == 0)
        return 0;
    /* a block device without write-zeroes-unmap: zeroes all the same */
    if (hole && errno == EOPNOTSUPP && b->write_zeroes &&
        fallocate(b->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) == 0)
        return 0;
    return -errno;
}

/* the guest turned its write cache off (or never had one): data must be
 * stable before the request completes */
static int
sync_if_needed(Blk *b)
{
    if (b->dsync || b->ignore_flush || g_atomic_int_get(&b->wce))
        return 0;
    return armz_blk_io_flush(b->io, b->fd);
}

/* LEN bytes of IOV from byte OFFSET <-> the disk at SECTOR */
static uint8_t
blk_rw(ArmzVirtioDev *d, Blk *b, bool write, uint64_t sector, const struct iovec *iov,
       unsigned n, size_t offset, uint64_t len, BlkResult *res)
{
    uint64_t off = sector * VIRTIO_BLK_SECTOR_SIZE;
    unsigned k;
    int r = 1;

    res->write = write;
    if (write && b->readonly)
        return VIRTIO_BLK_S_IOERR;
    if (len % VIRTIO_BLK_SECTOR_SIZE || !in_range(b, sector, len / VIRTIO_BLK_SECTOR_SIZE))
        return VIRTIO_BLK_S_IOERR;
    if (!len)
        return VIRTIO_BLK_S_OK;
    k = armz_iov_slice(iov, n, offset, len, b->data, ARMZ_VIRTQ_MAX_SEGS);
    if (write && b->detect_zeroes != ARMZ_DETECT_ZEROES_OFF && iov_all_zero(b->data, k))
        r = zero_range(b, off, len, b->detect_zeroes == ARMZ_DETECT_ZEROES_UNMAP);
    if (r != 0) {
        /* not zeroes, or the file system cannot zero a range: a real write */
        if (b->direct && !iov_aligned(b->data, k)) {
            r = rw_bounce(b, write, b->data, k, len, off);
        } else {
            r = rw_all(b, write, b->data, k, off);
            /* a file system wanting more than 512-byte aligned memory:
             * once more from a page-aligned buffer (re-sliced: rw_all
             * consumed the iovec) */
            if (r == -EINVAL && b->direct) {
                k = armz_iov_slice(iov, n, offset, len, b->data, ARMZ_VIRTQ_MAX_SEGS);
                r = rw_bounce(b, write, b->data, k, len, off);
            }
        }
    }
    if (r == 0 && write)
        r = sync_if_needed(b);
    if (r < 0) {
        log_io_error(d, b, write ? _("write") : _("read"), sector, -r);
        res->err = -r;
        return VIRTIO_BLK_S_IOERR;
    }
    return VIRTIO_BLK_S_OK;
}

/* DISCARD and WRITE_ZEROES: an array of {sector u64, num_sectors u32,
 * flags u32} after the header */
static uint8_t
blk_zero(ArmzVirtioDev *d, Blk *b, uint32_t type, const ArmzVirtqElem *e, BlkResult *res)
{
    uint64_t len = e->out_len - VIRTIO_BLK_HDR_SIZE;
    unsigned nseg = (unsigned)(len / VIRTIO_BLK_SEG_SIZE);
    bool discard = type == VIRTIO_BLK_T_DISCARD;
    int r;

    if (b->readonly)
        return VIRTIO_BLK_S_IOERR;
    if (discard ? !(b->discard || !b->unmap) : !b->write_zeroes)
        return VIRTIO_BLK_S_UNSUPP;
    if (len % VIRTIO_BLK_SEG_SIZE || nseg == 0 || nseg > BLK_DISCARD_SEGS)
        return VIRTIO_BLK_S_IOERR;
    for (unsigned i = 0; i < nseg; i++) {
        uint8_t seg[VIRTIO_BLK_SEG_SIZE];
        uint64_t sector;
        uint32_t count, flags;
        int mode;

        armz_iov_to_buf(e->iov, e->n_out, VIRTIO_BLK_HDR_SIZE + (size_t)i * sizeof(seg),
                        seg, sizeof(seg));
        sector = armz_ld_le64(seg);
        count = armz_ld_le32(seg + 8);
        flags = armz_ld_le32(seg + 12);
        if (discard ? flags != 0 : (flags & ~(uint32_t)VIRTIO_BLK_WZ_F_UNMAP))
            return VIRTIO_BLK_S_UNSUPP;
        if (count > BLK_MAX_DISCARD || !in_range(b, sector, count))
            return VIRTIO_BLK_S_IOERR;
        if (!count)
            continue;
        if (discard) {
            /* discard=ignore: the guest may discard, the image keeps its blocks */
            if (!b->unmap)
                continue;
            mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
            /* a device that cannot unmap keeps the blocks: discard allows it */
            if (fallocate(b->fd, mode, (off_t)(sector * VIRTIO_BLK_SECTOR_SIZE),
                          (off_t)count * VIRTIO_BLK_SECTOR_SIZE) < 0 && errno != EOPNOTSUPP) {
                log_io_error(d, b, _("discard"), sector, errno);
                return VIRTIO_BLK_S_IOERR;
            }
            g_mutex_lock(&b->stats_lock);
            b->stats.unmap_ops++;
            b->stats.unmap_bytes += (uint64_t)count * VIRTIO_BLK_SECTOR_SIZE;
            g_mutex_unlock(&b->stats_lock);
            continue;
        }
        /* a punched hole reads back as zeroes: good for WRITE_ZEROES+UNMAP */
        r = zero_range(b, sector * VIRTIO_BLK_SECTOR_SIZE,
                       (uint64_t)count * VIRTIO_BLK_SECTOR_SIZE,
                       (flags & VIRTIO_BLK_WZ_F_UNMAP) && b->unmap);
        if (r == 0)
            r = sync_if_needed(b);
        if (r < 0) {
            log_io_error(d, b, _("write zeroes"), sector, -r);
            res->write = true;
            res->err = -r;
            return VIRTIO_BLK_S_IOERR;
        }
    }
    return VIRTIO_BLK_S_OK;
}

static void
count_request(Blk *b, uint32_t type, uint64_t bytes, uint64_t ns, bool failed)
{
    g_mutex_lock(&b->stats_lock);
    armz_blk_stats_count(&b->stats, type, bytes, ns, failed);
    g_mutex_unlock(&b->stats_lock);
}

/* Serves E.  False when an error stopped it under policy 'stop': E is kept
 * (not completed) for armz_virtio_blk_resume. */
static bool
blk_request(ArmzVirtioDev *d, Blk *b, ArmzVirtqElem *e)
{
    uint8_t hdr[VIRTIO_BLK_HDR_SIZE];
    struct iovec *in = armz_elem_in(e);
    uint64_t data_in = e->in_len - 1;   /* the last writable byte is the status */
    uint32_t type, written = 1;
    uint64_t sector, bytes = 0, t0 = now_ns();
    BlkResult res = { 0 };
    uint8_t status;

    if (e->out_len < VIRTIO_BLK_HDR_SIZE || e->in_len < 1) {
        /* nowhere to put a status: the driver is broken */
        armz_virtio_fail(d, _("request without a header or a status byte"));
        return true;
    }
    armz_iov_to_buf(e->iov, e->n_out, 0, hdr, sizeof(hdr));
    type = armz_ld_le32(hdr);
    sector = armz_ld_le64(hdr + 8);

    switch (type) {
    case VIRTIO_BLK_T_IN:
        bytes = data_in;
        status = blk_rw(d, b, false, sector, in, e->n_in, 0, data_in, &res);
        if (status == VIRTIO_BLK_S_OK)
            written += (uint32_t)data_in;
        break;
    case VIRTIO_BLK_T_OUT:
        /* the data follows the header in the device-readable part */
        bytes = e->out_len - VIRTIO_BLK_HDR_SIZE;
        status = blk_rw(d, b, true, sector, e->iov, e->n_out, VIRTIO_BLK_HDR_SIZE,
                        bytes, &res);
        break;
    case VIRTIO_BLK_T_FLUSH:
        status = VIRTIO_BLK_S_OK;
        res.write = true;
        /* cache=unsafe: the guest's flushes are not worth waiting for */
        if (!b->readonly && !b->ignore_flush) {
            int r = armz_blk_io_flush(b->io, b->fd);
            if (r < 0) {
                res.err = -r;
                log_io_error(d, b, _("flush"), 0, -r);
                status = VIRTIO_BLK_S_IOERR;
            }
        }
        break;
    case VIRTIO_BLK_T_GET_ID: {
        size_t n = MIN(data_in, (uint64_t)VIRTIO_BLK_ID_BYTES);
        armz_iov_from_buf(in, e->n_in, 0, b->serial, n);
        written += (uint32_t)n;
        status = VIRTIO_BLK_S_OK;
        break;
    }
    case VIRTIO_BLK_T_DISCARD:
    case VIRTIO_BLK_T_WRITE_ZEROES:
        status = blk_zero(d, b, type, e, &res);
        break;
    default:
        status = VIRTIO_BLK_S_UNSUPP;
        break;
    }
    if (res.err) {
        /* a host error (not a malformed request): the disk's policy decides */
        ArmzBlkIoError ev = {
            .label = armz_virtio_label(d), .write = res.write, .err = res.err,
            .action = armz_virtio_blk_error_action(res.write ? b->werror : b->rerror, res.err),
        };
        if (b->error_fn)
            b->error_fn(b->error_opaque, d, &ev);
        if (ev.action == ARMZ_BLK_ERR_STOP) {
            g_atomic_int_set(&b->retry, 0);     /* only a cont after this one */
            g_atomic_int_set(&b->io_status, res.err);
            b->stalled = true;
            return false;
        }
        if (ev.action == ARMZ_BLK_ERR_IGNORE) {
            status = VIRTIO_BLK_S_OK;
            if (type == VIRTIO_BLK_T_IN)
                written += (uint32_t)data_in;
        }
    }
    if (type == VIRTIO_BLK_T_OUT && status == VIRTIO_BLK_S_OK) {
        uint64_t end = sector * VIRTIO_BLK_SECTOR_SIZE + bytes;
        g_mutex_lock(&b->stats_lock);
        b->stats.wr_highest_offset = MAX(b->stats.wr_highest_offset, end);
        g_mutex_unlock(&b->stats_lock);
    }
    count_request(b, type, bytes, now_ns() - t0, status != VIRTIO_BLK_S_OK);
    armz_iov_from_buf(in, e->n_in, data_in, &status, 1);
    armz_virtio_push(d, 0, e, written);
    return true;
}

static bool
blk_work(ArmzVirtioDev *d, unsigned q)
{
    Blk *b = armz_virtio_priv(d);

    if (b->stalled) {
        /* the VM is stopped on an error of this request: only cont retries */
        if (!g_atomic_int_compare_and_exchange(&b->retry, 1, 0))
            return false;
        b->stalled = false;
        if (!blk_request(d, b, &b->elem))
            return false;
    }
    for (unsigned n = 0; n < BLK_BATCH; n++) {
        if (armz_virtio_pop(d, 0, &b->elem) <= 0)
            return false;
        if (!blk_request(d, b, &b->elem))
            return false;
    }
    return true;
}

/* vCPU thread, lock held: the driver toggles its write cache (CONFIG_WCE) */
static void
blk_config_write(ArmzVirtioDev *d, unsigned offset, unsigned size, uint64_t value)
{
    Blk *b = armz_virtio_priv(d);

    if (offset != VIRTIO_BLK_CFG_WRITEBACK || size != 1)
        return;
    g_atomic_int_set(&b->wce, value != 0);
    armz_virtio_config(d)[VIRTIO_BLK_CFG_WRITEBACK] = value != 0;
}

/* lock held, worker idle: a request an error stopped is dropped with the
 * rings it came from */
static void
blk_reset(ArmzVirtioDev *d)
{
    Blk *b = armz_virtio_priv(d);

    b->stalled = false;
    g_atomic_int_set(&b->retry, 0);
    g_atomic_int_set(&b->io_status, 0);
}

static void
blk_free(void *priv)
{
    Blk *b = priv;
    if (b->own_fd)
        close(b->fd);
    armz_blk_io_free(b->io);
    g_mutex_clear(&b->stats_lock);
    g_free(b);
}

static const ArmzVirtioOps blk_ops = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .nqueues = 1,
    .queue_max = BLK_QUEUE_SIZE,
    .config_size = VIRTIO_BLK_CFG_SIZE,
    .queue_work = blk_work,
    .config_write = blk_config_write,
    .reset = blk_reset,
    .free_priv = blk_free,
};

/* Can FD punch holes / zero ranges?  Probed past the end of the file with
 * KEEP_SIZE, which changes neither its size nor its contents.  A block
 * device refuses ranges past its end, and Linux zeroes a range of one in
 * any case (writing zeroes where it has no better way); whether it can
 * unmap shows only when it is asked. */
static void
probe_fallocate(Blk *b)
{
    struct stat st;
    off_t end;

    if (b->readonly || fstat(b->fd, &st) < 0)
        return;
    if (S_ISBLK(st.st_mode)) {
        b->discard = b->write_zeroes = true;
        return;
    }
    if (!S_ISREG(st.st_mode))
        return;
    end = (st.st_size + 4095) & ~(off_t)4095;
    b->discard = fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, end, 4096) == 0;
    b->write_zeroes = fallocate(b->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, end, 4096) == 0;
    /* give back the block ZERO_RANGE may have reserved there */
    if (b->write_zeroes && b->discard)
        fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, end, 4096);
}

/* A passed fd gets the flags the cache mode needs where fcntl can set them
 * (O_DIRECT); O_DSYNC cannot be added later and is made up for with a
 * fdatasync after each write. */
static bool
adopt_fd(Blk *b, const ArmzDiskOpt *o, GError **error)
{
    int want = armz_virtio_blk_open_flags(o->cache);
    int fl = fcntl(o->fd, F_GETFL);

    if (fl < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("--disk fd=%d is not an open file descriptor"), o->fd);
        return false;
    }
    if (!o->readonly && (fl & O_ACCMODE) == O_RDONLY) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("--disk fd=%d is open read-only: add readonly=on"), o->fd);
        return false;
    }
    if ((want & O_DIRECT) && !(fl & O_DIRECT)) {
        if (fcntl(o->fd, F_SETFL, fl | O_DIRECT) < 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("--disk fd=%d: cannot use O_DIRECT for cache mode %s: %s"), o->fd,
                        o->cache == ARMZ_CACHE_NONE ? "none" : "directsync",
                        g_strerror(errno));
            return false;
        }
        fl |= O_DIRECT;
    }
    b->fd = o->fd;
    b->direct = (fl & O_DIRECT) != 0;
    b->dsync = (fl & O_DSYNC) == O_DSYNC;
    return true;
}

static bool
open_path(Blk *b, const ArmzDiskOpt *o, GError **error)
{
    int flags = (o->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC |
                armz_virtio_blk_open_flags(o->cache);

    b->fd = open(o->path, flags);
    if (b->fd < 0) {
        if (errno == EINVAL && (flags & O_DIRECT))
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("cannot open disk image %s with O_DIRECT (cache mode %s): "
                          "its file system does not support it"),
                        o->path, o->cache == ARMZ_CACHE_NONE ? "none" : "directsync");
        else
            g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot open disk image %s: %s"),
                        o->path, g_strerror(errno));
        return false;
    }
    b->own_fd = true;
    b->direct = (flags & O_DIRECT) != 0;
    b->dsync = (flags & O_DSYNC) == O_DSYNC;
    return true;
}

ArmzVirtioDev *
armz_virtio_blk_new(const ArmzDiskOpt *o, const char *label, GError **error)
{
    Blk *b = g_new0(Blk, 1);
    ArmzVirtioDev *d;
    uint64_t features;
    uint8_t *cfg;
    off_t size;

    g_mutex_init(&b->stats_lock);
    b->fd = -1;
    b->readonly = o->readonly;
    if (!(o->path ? open_path(b, o, error) : adopt_fd(b, o, error))) {
        blk_free(b);
        return NULL;
    }
    size = lseek(b->fd, 0, SEEK_END);
    if (size < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot get the size of disk image %s: %s"),
                    o->path ? o->path : label, g_strerror(errno));
        blk_free(b);
        return NULL;
    }
    b->capacity = (uint64_t)size / VIRTIO_BLK_SECTOR_SIZE;
    /* QEMU's rule: Linux AIO is asynchronous only without the page cache */
    if (o->io == ARMZ_DISK_IO_NATIVE && !b->direct) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("disk %s: io=native needs cache=none or cache=directsync (O_DIRECT)"),
                    label);
        blk_free(b);
        return NULL;
    }
    b->io = armz_blk_io_new(o->io, label, error);
    if (!b->io) {
        blk_free(b);
        return NULL;
    }
    if (o->serial)
        memcpy(b->serial, o->serial, MIN(strlen(o->serial), sizeof(b->serial)));
    b->unmap = o->discard;
    b->detect_zeroes = o->detect_zeroes;
    b->werror = o->werror;
    b->rerror = o->rerror;
    b->ignore_flush = o->cache == ARMZ_CACHE_UNSAFE;
    /* QEMU's cache.writeback: the guest sees a write cache to flush */
    b->wce = !(o->cache == ARMZ_CACHE_WRITETHROUGH || o->cache == ARMZ_CACHE_DIRECTSYNC);
    probe_fallocate(b);

    features = VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
               VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_BLK_F_CONFIG_WCE);
    if (b->readonly)
        features |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
    /* discard=ignore: offered and accepted, as QEMU does, but a no-op */
    if (!b->readonly && (b->discard || !b->unmap))
        features |= VIRTIO_BIT(VIRTIO_BLK_F_DISCARD);
    if (b->write_zeroes)
        features |= VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);
    d = armz_virtio_dev_new(&blk_ops, b, label, features);
    b->dev = d;
    cfg = armz_virtio_config(d);
    armz_st_le64(cfg + VIRTIO_BLK_CFG_CAPACITY, b->capacity);
    armz_st_le32(cfg + VIRTIO_BLK_CFG_SEG_MAX, BLK_SEG_MAX);
    armz_st_le32(cfg + VIRTIO_BLK_CFG_BLK_SIZE, VIRTIO_BLK_SECTOR_SIZE);
    cfg[VIRTIO_BLK_CFG_WRITEBACK] = (uint8_t)b->wce;
    armz_st_le32(cfg + VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, BLK_MAX_DISCARD);
    armz_st_le32(cfg + VIRTIO_BLK_CFG_MAX_DISCARD_SEG, BLK_DISCARD_SEGS);
    armz_st_le32(cfg + VIRTIO_BLK_CFG_DISCARD_ALIGN, BLK_DISCARD_ALIGN);
    armz_st_le32(cfg + VIRTIO_BLK_CFG_MAX_WZ_SECTORS, BLK_MAX_DISCARD);
    armz_st_le32(cfg + VIRTIO_BLK_CFG_MAX_WZ_SEG, BLK_DISCARD_SEGS);
    cfg[VIRTIO_BLK_CFG_WZ_MAY_UNMAP] = b->discard && b->unmap;
    armz_vmm_debug("%s: %" PRIu64 " sectors%s%s%s%s%s%s%s", label, b->capacity,
                   b->readonly ? ", read-only" : "", b->discard ? ", discard" : "",
                   b->write_zeroes ? ", write-zeroes" : "", b->direct ? ", O_DIRECT" : "",
                   b->dsync ? ", O_DSYNC" : "", b->wce ? ", write cache" : "",
                   o->io == ARMZ_DISK_IO_NATIVE ? ", io=native" :
                   o->io == ARMZ_DISK_IO_URING ? ", io=io_uring" : "");
    return d;
}

/* this model's, not any block device (a vhost-user-blk one has no Blk) */
bool
armz_virtio_is_blk(ArmzVirtioDev *d)
{
    return armz_virtio_dev_name(d) == blk_ops.name;
}

void
armz_virtio_blk_set_error_fn(ArmzVirtioDev *d, ArmzBlkErrorFn fn, void *opaque)
{
    Blk *b = armz_virtio_priv(d);
    b->error_fn = fn;
    b->error_opaque = opaque;
}

void
armz_virtio_blk_resume(ArmzVirtioDev *d)
{
    Blk *b = armz_virtio_priv(d);

    g_atomic_int_set(&b->io_status, 0);
    g_atomic_int_set(&b->retry, 1);
    /* as if the guest had kicked the queue: the worker runs blk_work */
    armz_virtio_queue_notify(d, 0);
}

int
armz_virtio_blk_io_status(ArmzVirtioDev *d)
{
    Blk *b = armz_virtio_priv(d);
    return g_atomic_int_get(&b->io_status);
}

void
armz_virtio_blk_stats(ArmzVirtioDev *d, ArmzBlkStats *out)
{
    Blk *b = armz_virtio_priv(d);

    g_mutex_lock(&b->stats_lock);
    *out = b->stats;
    g_mutex_unlock(&b->stats_lock);
}

uint64_t
armz_virtio_blk_capacity(ArmzVirtioDev *d)
{
    return capacity(armz_virtio_priv(d)) * VIRTIO_BLK_SECTOR_SIZE;
}

gboolean
armz_virtio_blk_resize(ArmzVirtioDev *d, uint64_t size, GError **error)
{
    Blk *b = armz_virtio_priv(d);
    off_t now = lseek(b->fd, 0, SEEK_END);
    uint64_t sectors;

    if (now < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot get the size of disk %s: %s"),
                    armz_virtio_label(d), g_strerror(errno));
        return FALSE;
    }
    if (size && (uint64_t)now != size) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("the image of disk %s is %" PRIu64 " bytes, not %" PRIu64
                      ": it must be resized first"),
                    armz_virtio_label(d), (uint64_t)now, size);
        return FALSE;
    }
    sectors = (uint64_t)now / VIRTIO_BLK_SECTOR_SIZE;
    __atomic_store_n(&b->capacity, sectors, __ATOMIC_RELAXED);
    armz_st_le64(armz_virtio_config(d) + VIRTIO_BLK_CFG_CAPACITY, sectors);
    armz_virtio_config_changed(d);
    armz_vmm_debug("%s: resized to %" PRIu64 " sectors", armz_virtio_label(d), sectors);
    return TRUE;
}
