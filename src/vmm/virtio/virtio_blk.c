/* virtio-blk (5.2) over a raw image (a file or block device, by path or a
 * passed fd).  Requests run on the disk's worker thread, with preadv /
 * pwritev straight into and out of guest memory, so a slow disk delays
 * only its own guest requests, never a vCPU. */
#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <linux/falloc.h>
#include <glib/gi18n-lib.h>
#include "virtio/virtio.h"
#include "vmmlog.h"

#define BLK_QUEUE_SIZE    256
#define BLK_SEG_MAX       (BLK_QUEUE_SIZE - 2)      /* header and status take two */
#define BLK_MAX_DISCARD   (1u << 22)                /* sectors per segment: 2 GiB */
#define BLK_DISCARD_SEGS  32
#define BLK_DISCARD_ALIGN 8                         /* sectors: 4 KiB */
#define BLK_BATCH         64

typedef struct {
    int fd;
    bool own_fd;
    bool readonly;
    bool discard, write_zeroes;         /* the host file can (probed) */
    uint64_t capacity;                  /* 512-byte sectors */
    char serial[VIRTIO_BLK_ID_BYTES];   /* zero-padded, not terminated */
    ArmzVirtqElem elem;
    struct iovec data[ARMZ_VIRTQ_MAX_SEGS];
    unsigned errors_logged;
} Blk;

static void
log_io_error(ArmzVirtioDev *d, Blk *b, const char *op, uint64_t sector, int err)
{
    if (++b->errors_logged <= 8)
        armz_vmm_warn(_("%s: %s at sector %" PRIu64 " failed: %s"), armz_virtio_label(d), op,
                      sector, g_strerror(err));
}

/* The whole of IOV (N entries, changed in place) at byte offset OFF. */
static int
rw_all(int fd, bool write, struct iovec *iov, unsigned n, uint64_t off)
{
    while (n) {
        ssize_t r = write ? pwritev(fd, iov, (int)n, (off_t)off)
                          : preadv(fd, iov, (int)n, (off_t)off);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
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
    return sector <= b->capacity && count <= b->capacity - sector;
}

/* LEN bytes of IOV from byte OFFSET <-> the disk at SECTOR */
static uint8_t
blk_rw(ArmzVirtioDev *d, Blk *b, bool write, uint64_t sector, const struct iovec *iov,
       unsigned n, size_t offset, uint64_t len)
{
    unsigned k;
    int r;

    if (write && b->readonly)
        return VIRTIO_BLK_S_IOERR;
    if (len % VIRTIO_BLK_SECTOR_SIZE || !in_range(b, sector, len / VIRTIO_BLK_SECTOR_SIZE))
        return VIRTIO_BLK_S_IOERR;
    if (!len)
        return VIRTIO_BLK_S_OK;
    k = armz_iov_slice(iov, n, offset, len, b->data, ARMZ_VIRTQ_MAX_SEGS);
    r = rw_all(b->fd, write, b->data, k, sector * VIRTIO_BLK_SECTOR_SIZE);
    if (r < 0) {
        log_io_error(d, b, write ? _("write") : _("read"), sector, -r);
        return VIRTIO_BLK_S_IOERR;
    }
    return VIRTIO_BLK_S_OK;
}

/* DISCARD and WRITE_ZEROES: an array of {sector u64, num_sectors u32,
 * flags u32} after the header */
static uint8_t
blk_zero(ArmzVirtioDev *d, Blk *b, uint32_t type, const ArmzVirtqElem *e)
{
    uint64_t len = e->out_len - VIRTIO_BLK_HDR_SIZE;
    unsigned nseg = (unsigned)(len / VIRTIO_BLK_SEG_SIZE);
    bool discard = type == VIRTIO_BLK_T_DISCARD;

    if (b->readonly)
        return VIRTIO_BLK_S_IOERR;
    if (discard ? !b->discard : !b->write_zeroes)
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
        /* a punched hole reads back as zeroes: good for WRITE_ZEROES+UNMAP */
        if (discard || ((flags & VIRTIO_BLK_WZ_F_UNMAP) && b->discard))
            mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
        else
            mode = FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
        if (fallocate(b->fd, mode, (off_t)(sector * VIRTIO_BLK_SECTOR_SIZE),
                      (off_t)count * VIRTIO_BLK_SECTOR_SIZE) < 0) {
            log_io_error(d, b, discard ? _("discard") : _("write zeroes"), sector, errno);
            return VIRTIO_BLK_S_IOERR;
        }
    }
    return VIRTIO_BLK_S_OK;
}

static void
blk_request(ArmzVirtioDev *d, Blk *b, ArmzVirtqElem *e)
{
    uint8_t hdr[VIRTIO_BLK_HDR_SIZE];
    struct iovec *in = armz_elem_in(e);
    uint64_t data_in = e->in_len - 1;   /* the last writable byte is the status */
    uint32_t type, written = 1;
    uint64_t sector;
    uint8_t status;

    if (e->out_len < VIRTIO_BLK_HDR_SIZE || e->in_len < 1) {
        /* nowhere to put a status: the driver is broken */
        armz_virtio_fail(d, _("request without a header or a status byte"));
        return;
    }
    armz_iov_to_buf(e->iov, e->n_out, 0, hdr, sizeof(hdr));
    type = armz_ld_le32(hdr);
    sector = armz_ld_le64(hdr + 8);

    switch (type) {
    case VIRTIO_BLK_T_IN:
        status = blk_rw(d, b, false, sector, in, e->n_in, 0, data_in);
        if (status == VIRTIO_BLK_S_OK)
            written += (uint32_t)data_in;
        break;
    case VIRTIO_BLK_T_OUT:
        /* the data follows the header in the device-readable part */
        status = blk_rw(d, b, true, sector, e->iov, e->n_out, VIRTIO_BLK_HDR_SIZE,
                        e->out_len - VIRTIO_BLK_HDR_SIZE);
        break;
    case VIRTIO_BLK_T_FLUSH:
        status = VIRTIO_BLK_S_OK;
        if (!b->readonly && fdatasync(b->fd) < 0) {
            log_io_error(d, b, _("flush"), 0, errno);
            status = VIRTIO_BLK_S_IOERR;
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
        status = blk_zero(d, b, type, e);
        break;
    default:
        status = VIRTIO_BLK_S_UNSUPP;
        break;
    }
    armz_iov_from_buf(in, e->n_in, data_in, &status, 1);
    armz_virtio_push(d, 0, e, written);
}

static bool
blk_work(ArmzVirtioDev *d, unsigned q)
{
    Blk *b = armz_virtio_priv(d);

    for (unsigned n = 0; n < BLK_BATCH; n++) {
        if (armz_virtio_pop(d, 0, &b->elem) <= 0)
            return false;
        blk_request(d, b, &b->elem);
    }
    return true;
}

static void
blk_free(void *priv)
{
    Blk *b = priv;
    if (b->own_fd)
        close(b->fd);
    g_free(b);
}

static const ArmzVirtioOps blk_ops = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .nqueues = 1,
    .queue_max = BLK_QUEUE_SIZE,
    .config_size = VIRTIO_BLK_CFG_SIZE,
    .queue_work = blk_work,
    .free_priv = blk_free,
};

/* Can FD punch holes / zero ranges?  Probed past the end of the file with
 * KEEP_SIZE, which changes neither its size nor its contents; only regular
 * files (a block device refuses ranges past its end). */
static void
probe_fallocate(Blk *b)
{
    struct stat st;
    off_t end;

    if (b->readonly || fstat(b->fd, &st) < 0 || !S_ISREG(st.st_mode))
        return;
    end = (st.st_size + 4095) & ~(off_t)4095;
    b->discard = fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, end, 4096) == 0;
    b->write_zeroes = fallocate(b->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, end, 4096) == 0;
    /* give back the block ZERO_RANGE may have reserved there */
    if (b->write_zeroes && b->discard)
        fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, end, 4096);
}

ArmzVirtioDev *
armz_virtio_blk_new(const ArmzDiskOpt *o, const char *label, GError **error)
{
    Blk *b = g_new0(Blk, 1);
    ArmzVirtioDev *d;
    uint64_t features;
    uint8_t *cfg;
    off_t size;

    b->readonly = o->readonly;
    if (o->path) {
        b->fd = open(o->path, (o->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
        if (b->fd < 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot open disk image %s: %s"),
                        o->path, g_strerror(errno));
            g_free(b);
            return NULL;
        }
        b->own_fd = true;
    } else {
        int fl = fcntl(o->fd, F_GETFL);
        if (fl < 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("--disk fd=%d is not an open file descriptor"), o->fd);
            g_free(b);
            return NULL;
        }
        if (!o->readonly && (fl & O_ACCMODE) == O_RDONLY) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("--disk fd=%d is open read-only: add readonly=on"), o->fd);
            g_free(b);
            return NULL;
        }
        b->fd = o->fd;
    }
    size = lseek(b->fd, 0, SEEK_END);
    if (size < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot get the size of disk image %s: %s"),
                    o->path ? o->path : label, g_strerror(errno));
        blk_free(b);
        return NULL;
    }
    b->capacity = (uint64_t)size / VIRTIO_BLK_SECTOR_SIZE;
    if (o->serial)
        memcpy(b->serial, o->serial, MIN(strlen(o->serial), sizeof(b->serial)));
    probe_fallocate(b);

    features = VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
               VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
    if (b->readonly)
        features |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
    if (b->discard)
        features |= VIRTIO_BIT(VIRTIO_BLK_F_DISCARD);
    if (b->write_zeroes)
        features |= VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);
    d = armz_virtio_dev_new(&blk_ops, b, label, features);
    cfg = armz_virtio_config(d);
    armz_st_le64(cfg + VIRTIO_BLK_CFG_CAPACITY, b->capacity);
    armz_st_le32(cfg + VIRTIO_BLK_CFG_SEG_MAX, BLK_SEG_MAX);
    armz_st_le32(cfg + VIRTIO_BLK_CFG_BLK_SIZE, VIRTIO_BLK_SECTOR_SIZE);
    armz_st_le32(cfg + VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, BLK_MAX_DISCARD);
    armz_st_le32(cfg + VIRTIO_BLK_CFG_MAX_DISCARD_SEG, BLK_DISCARD_SEGS);
    armz_st_le32(cfg + VIRTIO_BLK_CFG_DISCARD_ALIGN, BLK_DISCARD_ALIGN);
    armz_st_le32(cfg + VIRTIO_BLK_CFG_MAX_WZ_SECTORS, BLK_MAX_DISCARD);
    armz_st_le32(cfg + VIRTIO_BLK_CFG_MAX_WZ_SEG, BLK_DISCARD_SEGS);
    cfg[VIRTIO_BLK_CFG_WZ_MAY_UNMAP] = b->discard;
    armz_vmm_debug("%s: %" PRIu64 " sectors%s%s%s", label, b->capacity,
                   b->readonly ? ", read-only" : "", b->discard ? ", discard" : "",
                   b->write_zeroes ? ", write-zeroes" : "");
    return d;
}
