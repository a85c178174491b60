/* SBC commands only a disk has (SYNCHRONIZE CACHE, UNMAP, the no-op START
 * STOP UNIT and PREVENT ALLOW MEDIUM REMOVAL of a fixed disk) and the mode
 * pages of both kinds of LUN. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/falloc.h>
#include "scsi/scsi_int.h"
#include "virtio/virtqueue.h"

#define UNMAP_MAX_DESC   32
#define UNMAP_MAX_BLOCKS (1u << 22)

/* A regular file that takes a hole punched past its end (KEEP_SIZE: size
 * and contents stay) can UNMAP. */
void
scsi_disk_probe(ArmzScsiLun *l)
{
    struct stat st;

    if (l->readonly || fstat(l->fd, &st) < 0 || !S_ISREG(st.st_mode))
        return;
    l->discard = fallocate(l->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                           (st.st_size + 4095) & ~(off_t)4095, 4096) == 0;
}

static void
cmd_unmap(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r)
{
    uint8_t p[8 + 16 * UNMAP_MAX_DESC];
    size_t len = scsi_ld16(c->cdb + 7), desc_len;

    if (l->readonly) {
        scsi_check(r, SENSE_WRITE_PROTECTED);
        return;
    }
    if (c->cdb[1] & 1) {
        scsi_check(r, SENSE_INVALID_FIELD);     /* ANCHOR */
        return;
    }
    if (len && len < 8) {
        scsi_check(r, SENSE_PARAM_LEN);
        return;
    }
    if (!l->discard) {
        scsi_check(r, SENSE_INVALID_OPCODE);    /* VPD 0xb2 says no LBPU */
        return;
    }
    if (!len)
        return;
    if (len > c->out_len) {
        r->overrun = true;
        return;
    }
    if (len > sizeof(p)) {
        scsi_check(r, SENSE_INVALID_PARAM);     /* more descriptors than VPD 0xb0 allows */
        return;
    }
    r->data_out = armz_iov_to_buf(c->out, c->n_out, 0, p, len);
    desc_len = scsi_ld16(p + 2);
    if (desc_len > len - 8 || desc_len % 16 || scsi_ld16(p) + 2u > len) {
        scsi_check(r, SENSE_INVALID_PARAM);
        return;
    }
    /* all ranges checked before the first hole is punched */
    for (size_t off = 8; off < 8 + desc_len; off += 16) {
        uint64_t lba = scsi_ld64(p + off);
        uint32_t n = scsi_ld32(p + off + 8);
        if (n > UNMAP_MAX_BLOCKS) {
            scsi_check(r, SENSE_INVALID_PARAM);
            return;
        }
        if (lba > l->blocks || n > l->blocks - lba) {
            scsi_check(r, SENSE_LBA_OUT_OF_RANGE);
            return;
        }
    }
    for (size_t off = 8; off < 8 + desc_len; off += 16) {
        uint64_t lba = scsi_ld64(p + off);
        uint32_t n = scsi_ld32(p + off + 8);
        if (n && fallocate(l->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                           (off_t)(lba * l->block_size), (off_t)n * l->block_size) < 0) {
            scsi_check(r, SENSE_WRITE_ERROR);
            return;
        }
    }
}

bool
scsi_disk_exec(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r)
{
    switch (c->cdb[0]) {
    case 0x35: case 0x91: {     /* SYNCHRONIZE CACHE(10), (16) */
        gint64 t0 = g_get_monotonic_time();
        if (!l->readonly && fdatasync(l->fd) < 0) {
            scsi_check(r, SENSE_WRITE_ERROR);
            l->stats.failed_flush++;
            return true;
        }
        l->stats.flush_ops++;
        l->stats.flush_ns += (uint64_t)(g_get_monotonic_time() - t0) * 1000;
        return true;
    }
    case 0x42:
        cmd_unmap(l, c, r);
        return true;
    case 0x1b:                  /* START STOP UNIT: a fixed disk stays */
    case 0x1e:                  /* PREVENT ALLOW MEDIUM REMOVAL: nothing to remove */
        return true;
    default:
        return false;
    }
}

/* ---- mode pages ---- */

/* one page: code, length, and the bytes of its current values after them */
static size_t
mode_page(uint8_t *b, uint8_t code, uint8_t len, const uint8_t *current, bool changeable)
{
    memset(b, 0, 2u + len);
    b[0] = code;
    b[1] = len;
    if (!changeable && current)
        memcpy(b + 2, current, len);
    return 2u + len;
}

int
scsi_mode_pages(ArmzScsiLun *l, uint8_t page, bool changeable, uint8_t *buf, size_t max)
{
    static const uint8_t caching[18] = { 0x04 };            /* WCE: we flush on SYNC */
    uint8_t caps[26] = { 0 };
    size_t n = 0;
    bool any = false;

    g_assert(max >= 256);
    if (page == 0x01 || page == 0x3f) {                     /* read-write error recovery */
        n += mode_page(buf + n, 0x01, 10, NULL, changeable);
        any = true;
    }
    if (l->kind == ARMZ_SCSI_DISK) {
        if (page == 0x08 || page == 0x3f) {
            n += mode_page(buf + n, 0x08, 18, caching, changeable);
            any = true;
        }
        if (page == 0x0a || page == 0x3f) {                 /* control */
            n += mode_page(buf + n, 0x0a, 10, NULL, changeable);
            any = true;
        }
    } else if (page == 0x2a || page == 0x3f) {              /* MM capabilities */
        caps[0] = 0x3b;         /* reads CD-R, CD-RW, DVD-ROM, ... */
        caps[2] = 0x71;         /* audio play, multi-session, mode 2 forms */
        caps[3] = 0xff;
        caps[4] = 0x29 | (l->locked ? 0x02 : 0);   /* tray loader, eject, lock (+ state) */
        scsi_st16(caps + 6, 706);                  /* max read speed, KB/s (4x) */
        scsi_st16(caps + 8, 2);                    /* volume levels */
        scsi_st16(caps + 10, 512);                 /* buffer, KiB */
        scsi_st16(caps + 12, 706);                 /* current read speed */
        n += mode_page(buf + n, 0x2a, 26, caps, changeable);
        any = true;
    }
    return any ? (int)n : -1;
}
