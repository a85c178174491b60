/* A logical unit of the SCSI target and the commands every kind has (SPC:
 * INQUIRY with its VPD pages, REQUEST SENSE, TEST UNIT READY, MODE SENSE;
 * SBC/MMC: READ CAPACITY, READ and WRITE), plus the target itself (the LUN
 * table, REPORT LUNS, commands to a LUN that is not there). */
#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/uio.h>
#include <glib/gi18n-lib.h>
#include "scsi/scsi_int.h"
#include "virtio/virtqueue.h"
#include "vmmlog.h"

#define VENDOR   "ARMZ    "         /* T10 vendor identification, 8 bytes */
#define REVISION "1.0 "

/* ---- life cycle ---- */

static gboolean
lun_size(ArmzScsiLun *l, int fd, uint64_t *blocks, GError **error)
{
    off_t size = lseek(fd, 0, SEEK_END);

    if (size < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                    _("cannot get the size of the image of SCSI device %s: %s"), l->id,
                    g_strerror(errno));
        return FALSE;
    }
    *blocks = (uint64_t)size / l->block_size;
    return TRUE;
}

ArmzScsiLun *
armz_scsi_lun_new(const ArmzScsiLunConfig *c, GError **error)
{
    g_autofree ArmzScsiLun *l = g_new0(ArmzScsiLun, 1);

    l->kind = c->kind;
    l->lun = c->lun;
    l->fd = -1;
    l->readonly = c->readonly || c->kind == ARMZ_SCSI_CDROM;
    l->block_size = c->kind == ARMZ_SCSI_CDROM ? 2048 : 512;
    l->id = g_strdup(c->id ? c->id : "");
    if (c->lun > ARMZ_SCSI_MAX_LUN) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    _("SCSI device %s: LUN %u is above %u"), l->id, c->lun, ARMZ_SCSI_MAX_LUN);
        g_free(l->id);
        return NULL;
    }
    if (c->fd >= 0) {
        int fl = fcntl(c->fd, F_GETFL);
        if (fl < 0 || (!l->readonly && (fl & O_ACCMODE) == O_RDONLY)) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_BADF,
                        fl < 0 ? _("SCSI device %s: fd %d is not open")
                               : _("SCSI device %s: fd %d is open read-only: add readonly=on"),
                        l->id, c->fd);
            g_free(l->id);
            return NULL;
        }
        if (!lun_size(l, c->fd, &l->blocks, error)) {
            g_free(l->id);
            return NULL;
        }
        l->fd = c->fd;
    } else if (c->kind == ARMZ_SCSI_DISK) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    _("SCSI disk %s has no image"), l->id);
        g_free(l->id);
        return NULL;
    }
    if (c->serial)
        l->serial = g_strdup(c->serial);
    g_mutex_init(&l->lock);
    if (l->kind == ARMZ_SCSI_DISK)
        scsi_disk_probe(l);
    return g_steal_pointer(&l);
}

void
armz_scsi_lun_free(ArmzScsiLun *l)
{
    if (!l)
        return;
    if (l->fd >= 0)
        close(l->fd);
    g_mutex_clear(&l->lock);
    g_free(l->id);
    g_free(l->serial);
    g_free(l);
}

const char *
armz_scsi_lun_id(const ArmzScsiLun *l)
{
    return l->id;
}

ArmzScsiKind
armz_scsi_lun_kind(const ArmzScsiLun *l)
{
    return l->kind;
}

void
armz_scsi_lun_reset(ArmzScsiLun *l)
{
    g_mutex_lock(&l->lock);
    l->locked = false;      /* the guest locks it again when it wants */
    g_mutex_unlock(&l->lock);
}

uint32_t
scsi_lun_not_ready(const ArmzScsiLun *l)
{
    if (l->tray_open)
        return SENSE_NO_MEDIUM_OPEN;
    return l->fd < 0 ? SENSE_NO_MEDIUM_CLOSED : 0;
}

/* ---- READ / WRITE ---- */

static void
log_io_error(ArmzScsiLun *l, bool write, uint64_t lba, int err)
{
    if (++l->errors_logged <= 8)
        armz_vmm_warn(_("SCSI device %s: %s at block %" PRIu64 " failed: %s"), l->id,
                      write ? _("write") : _("read"), lba, g_strerror(err));
}

void
scsi_lun_rw(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r, uint64_t lba,
            uint32_t count, bool write)
{
    struct iovec iov[ARMZ_VIRTQ_MAX_SEGS];
    uint64_t len = (uint64_t)count * l->block_size, done = 0;
    uint32_t nr = scsi_lun_not_ready(l);

    if (c->cdb[0] != 0x08 && c->cdb[0] != 0x0a && (c->cdb[1] & 0xe0)) {
        scsi_check(r, SENSE_INVALID_FIELD);     /* protection information: none */
        return;
    }
    if (nr) {
        scsi_check(r, nr);
        return;
    }
    if (write && l->readonly) {
        scsi_check(r, SENSE_WRITE_PROTECTED);
        return;
    }
    if (lba > l->blocks || count > l->blocks - lba) {
        scsi_check(r, SENSE_LBA_OUT_OF_RANGE);
        return;
    }
    if (len > (write ? c->out_len : c->in_len)) {
        r->overrun = true;
        return;
    }
    while (done < len) {
        const struct iovec *src = write ? c->out : c->in;
        unsigned n = armz_iov_slice(src, write ? c->n_out : c->n_in, done, len - done,
                                    iov, G_N_ELEMENTS(iov));
        off_t off = (off_t)(lba * l->block_size + done);
        ssize_t k = write ? pwritev(l->fd, iov, (int)n, off) : preadv(l->fd, iov, (int)n, off);

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            log_io_error(l, write, lba, k < 0 ? errno : EIO);
            scsi_check(r, write ? SENSE_WRITE_ERROR : SENSE_READ_ERROR);
            return;
        }
        done += (uint64_t)k;
    }
    if (write)
        r->data_out = len;
    else
        r->data_in = len;
}

/* ---- INQUIRY ---- */

static size_t
inquiry_standard(const ArmzScsiLun *l, uint8_t *b)
{
    const char *product = l->kind == ARMZ_SCSI_CDROM ? "VIRTUAL CD-ROM  " : "VIRTUAL DISK    ";

    memset(b, 0, 36);
    b[0] = l->kind == ARMZ_SCSI_CDROM ? 0x05 : 0x00;
    b[1] = l->kind == ARMZ_SCSI_CDROM ? 0x80 : 0x00;   /* RMB */
    b[2] = 0x05;            /* SPC-3 */
    b[3] = 0x12;            /* HiSup, response data format 2 */
    b[4] = 36 - 5;
    b[7] = 0x02;            /* CmdQue */
    memcpy(b + 8, VENDOR, 8);
    memcpy(b + 16, product, 16);
    memcpy(b + 32, REVISION, 4);
    return 36;
}

/* VPD page PAGE into B (SCSI_REPLY_MAX); its length, 0: not there */
static size_t
inquiry_vpd(const ArmzScsiLun *l, uint8_t page, uint8_t *b)
{
    bool disk = l->kind == ARMZ_SCSI_DISK;
    size_t n = 4;

    memset(b, 0, 64);
    b[0] = disk ? 0x00 : 0x05;
    b[1] = page;
    switch (page) {
    case 0x00:
        b[n++] = 0x00;
        if (l->serial)
            b[n++] = 0x80;
        b[n++] = 0x83;
        if (disk) {
            b[n++] = 0xb0;
            b[n++] = 0xb1;
            b[n++] = 0xb2;
        }
        break;
    case 0x80: {
        size_t len;
        if (!l->serial)
            return 0;
        len = MIN(strlen(l->serial), 252);
        memcpy(b + 4, l->serial, len);
        n += len;
        break;
    }
    case 0x83: {
        /* one T10 vendor ID based designator: vendor + serial or id */
        const char *what = l->serial ? l->serial : l->id;
        size_t len = MIN(strlen(what), 200);
        b[4] = 0x02;                    /* code set: ASCII */
        b[5] = 0x01;                    /* associated with the LU, T10 vendor ID */
        b[7] = (uint8_t)(8 + len);
        memcpy(b + 8, VENDOR, 8);
        memcpy(b + 16, what, len);
        n = 16 + len;
        break;
    }
    case 0xb0:                          /* block limits */
        if (!disk)
            return 0;
        n = 64;
        if (l->discard) {
            scsi_st32(b + 20, 1u << 22);        /* max unmap LBA count: 2 GiB */
            scsi_st32(b + 24, 32);              /* max unmap block descriptors */
            scsi_st32(b + 28, 8);               /* optimal unmap granularity: 4 KiB */
        }
        break;
    case 0xb1:                          /* block device characteristics */
        if (!disk)
            return 0;
        n = 64;
        scsi_st16(b + 4, 1);            /* non-rotating medium */
        break;
    case 0xb2:                          /* logical block provisioning */
        if (!disk)
            return 0;
        n = 8;
        if (l->discard) {
            b[5] = 0x80 | 0x04;         /* LBPU; LBPRZ: a punched hole reads zeroes */
            b[6] = 0x02;                /* thin provisioned */
        }
        break;
    default:
        return 0;
    }
    scsi_st16(b + 2, (uint16_t)(n - 4));
    return n;
}

static void
cmd_inquiry(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r)
{
    uint8_t b[SCSI_REPLY_MAX];
    const uint8_t *cdb = c->cdb;
    size_t n;

    if (cdb[1] & 0xfe || (!(cdb[1] & 1) && cdb[2])) {
        scsi_check(r, SENSE_INVALID_FIELD);     /* CmdDt; a page without EVPD */
        return;
    }
    n = cdb[1] & 1 ? inquiry_vpd(l, cdb[2], b) : inquiry_standard(l, b);
    if (!n) {
        scsi_check(r, SENSE_INVALID_FIELD);
        return;
    }
    scsi_reply(c, r, b, n, scsi_ld16(cdb + 3));
}

/* ---- READ CAPACITY, MODE SENSE, REQUEST SENSE ---- */

static void
cmd_read_capacity(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r, bool sixteen)
{
    uint8_t b[32] = { 0 };
    uint64_t last = l->blocks ? l->blocks - 1 : 0;
    uint32_t nr = scsi_lun_not_ready(l);

    if (sixteen && (c->cdb[1] & 0x1f) != 0x10) {
        scsi_check(r, SENSE_INVALID_FIELD);     /* another SERVICE ACTION IN(16) */
        return;
    }
    if (nr) {
        scsi_check(r, nr);
        return;
    }
    if (!sixteen) {
        scsi_st32(b, last > 0xffffffffu ? 0xffffffffu : (uint32_t)last);
        scsi_st32(b + 4, l->block_size);
        scsi_reply(c, r, b, 8, 8);
        return;
    }
    scsi_st64(b, last);
    scsi_st32(b + 8, l->block_size);
    if (l->discard)
        b[14] = 0x80 | 0x40;            /* LBPME, LBPRZ */
    scsi_reply(c, r, b, sizeof(b), scsi_ld32(c->cdb + 10));
}

static void
cmd_mode_sense(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r)
{
    uint8_t b[SCSI_REPLY_MAX];
    bool ten = c->cdb[0] == 0x5a;
    size_t hdr = ten ? 8 : 4;
    uint8_t pc = c->cdb[2] >> 6, page = c->cdb[2] & 0x3f, subpage = c->cdb[3];
    int n;

    if (pc == 3) {
        scsi_check(r, SENSE_SAVING_NOT_SUPP);
        return;
    }
    if (subpage && !(subpage == 0xff && page == 0x3f)) {
        scsi_check(r, SENSE_INVALID_FIELD);
        return;
    }
    n = scsi_mode_pages(l, page, pc == 1, b + hdr, sizeof(b) - hdr);
    if (n < 0) {
        scsi_check(r, SENSE_INVALID_FIELD);
        return;
    }
    /* no block descriptors: allowed whatever DBD says */
    memset(b, 0, hdr);
    if (ten) {
        scsi_st16(b, (uint16_t)(hdr + (size_t)n - 2));
        b[3] = l->kind == ARMZ_SCSI_DISK && l->readonly ? 0x80 : 0;   /* WP */
        scsi_reply(c, r, b, hdr + (size_t)n, scsi_ld16(c->cdb + 7));
    } else {
        b[0] = (uint8_t)MIN(hdr + (size_t)n - 1, 255);
        b[2] = l->kind == ARMZ_SCSI_DISK && l->readonly ? 0x80 : 0;
        scsi_reply(c, r, b, MIN(hdr + (size_t)n, 256), c->cdb[4]);
    }
}

static void
cmd_request_sense(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r)
{
    uint8_t b[ARMZ_SCSI_SENSE_LEN];
    uint32_t sense = l->unit_attention;

    if (c->cdb[1] & 1) {
        scsi_check(r, SENSE_INVALID_FIELD);     /* descriptor format */
        return;
    }
    l->unit_attention = 0;
    if (!sense && l->kind == ARMZ_SCSI_CDROM)
        sense = scsi_lun_not_ready(l);
    scsi_build_sense(b, sense ? sense : SENSE_NONE);
    scsi_reply(c, r, b, sizeof(b), c->cdb[4]);
}

/* ---- dispatch ---- */

static void
lun_exec(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r)
{
    const uint8_t *cdb = c->cdb;
    uint64_t lba;
    uint32_t count, nr;
    bool write;

    if (l->unit_attention && cdb[0] != 0x12 && cdb[0] != 0x03 && cdb[0] != 0xa0 &&
        !(l->kind == ARMZ_SCSI_CDROM && scsi_cdrom_no_ua(cdb[0]))) {
        scsi_check(r, l->unit_attention);
        l->unit_attention = 0;
        return;
    }
    if (scsi_cdb_rw(cdb, &lba, &count, &write)) {
        gint64 t0 = g_get_monotonic_time();
        uint64_t ns;

        scsi_lun_rw(l, c, r, lba, count, write);
        ns = (uint64_t)(g_get_monotonic_time() - t0) * 1000;
        if (scsi_medium_error(r)) {
            *(write ? &l->stats.failed_wr : &l->stats.failed_rd) += 1;
        } else if (r->status == ARMZ_SCSI_GOOD && !r->overrun) {
            *(write ? &l->stats.wr_ops : &l->stats.rd_ops) += 1;
            *(write ? &l->stats.wr_bytes : &l->stats.rd_bytes) += write ? r->data_out
                                                                        : r->data_in;
            *(write ? &l->stats.wr_ns : &l->stats.rd_ns) += ns;
        }
        return;
    }
    switch (cdb[0]) {
    case 0x00:      /* TEST UNIT READY */
        if ((nr = scsi_lun_not_ready(l)))
            scsi_check(r, nr);
        return;
    case 0x03:
        cmd_request_sense(l, c, r);
        return;
    case 0x12:
        cmd_inquiry(l, c, r);
        return;
    case 0x1a: case 0x5a:
        cmd_mode_sense(l, c, r);
        return;
    case 0x25:
        cmd_read_capacity(l, c, r, false);
        return;
    case 0x9e:
        cmd_read_capacity(l, c, r, true);
        return;
    default:
        break;
    }
    if (l->kind == ARMZ_SCSI_DISK ? scsi_disk_exec(l, c, r) : scsi_cdrom_exec(l, c, r))
        return;
    scsi_check(r, SENSE_INVALID_OPCODE);
}

/* Is the CDB as long as its operation code says, with a CONTROL byte we
 * support?  Else its sense. */
static uint32_t
cdb_check(const ArmzScsiCmd *c)
{
    unsigned len;

    if (c->cdb_len < 1)
        return SENSE_INVALID_OPCODE;
    len = scsi_cdb_length(c->cdb[0]);
    if (!len)
        return SENSE_INVALID_OPCODE;
    if (c->cdb_len < len || (c->cdb[len - 1] & 0x04))   /* NACA */
        return SENSE_INVALID_FIELD;
    return 0;
}

static void
result_init(ArmzScsiResult *r)
{
    memset(r, 0, sizeof(*r));
    r->status = ARMZ_SCSI_GOOD;
}

void
armz_scsi_lun_exec(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r)
{
    uint32_t bad = cdb_check(c);

    result_init(r);
    if (bad) {
        scsi_check(r, bad);
        return;
    }
    g_mutex_lock(&l->lock);
    lun_exec(l, c, r);
    g_mutex_unlock(&l->lock);
}

void
armz_scsi_lun_stats(ArmzScsiLun *l, ArmzScsiLunStats *out)
{
    g_mutex_lock(&l->lock);
    *out = l->stats;
    g_mutex_unlock(&l->lock);
}

/* ---- the target ---- */

struct _ArmzScsiTarget {
    ArmzScsiLun *luns[ARMZ_SCSI_MAX_LUN + 1];
};

ArmzScsiTarget *
armz_scsi_target_new(void)
{
    return g_new0(ArmzScsiTarget, 1);
}

gboolean
armz_scsi_target_add(ArmzScsiTarget *t, ArmzScsiLun *l, GError **error)
{
    if (t->luns[l->lun]) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                    _("SCSI devices %s and %s both have LUN %u"), t->luns[l->lun]->id, l->id,
                    l->lun);
        return FALSE;
    }
    t->luns[l->lun] = l;
    return TRUE;
}

void
armz_scsi_target_free(ArmzScsiTarget *t)
{
    if (!t)
        return;
    for (unsigned i = 0; i <= ARMZ_SCSI_MAX_LUN; i++)
        armz_scsi_lun_free(t->luns[i]);
    g_free(t);
}

void
armz_scsi_target_set_tray_cb(ArmzScsiTarget *t, ArmzScsiTrayFn fn, void *opaque)
{
    for (unsigned i = 0; i <= ARMZ_SCSI_MAX_LUN; i++) {
        if (t->luns[i]) {
            t->luns[i]->tray_cb = fn;
            t->luns[i]->tray_opaque = opaque;
        }
    }
}

ArmzScsiLun *
armz_scsi_target_find(ArmzScsiTarget *t, const char *id)
{
    for (unsigned i = 0; i <= ARMZ_SCSI_MAX_LUN; i++)
        if (t->luns[i] && g_str_equal(t->luns[i]->id, id))
            return t->luns[i];
    return NULL;
}

void
armz_scsi_target_reset(ArmzScsiTarget *t)
{
    for (unsigned i = 0; i <= ARMZ_SCSI_MAX_LUN; i++)
        if (t->luns[i])
            armz_scsi_lun_reset(t->luns[i]);
}

static void
report_luns(ArmzScsiTarget *t, const ArmzScsiCmd *c, ArmzScsiResult *r)
{
    uint8_t b[8 + 8 * (ARMZ_SCSI_MAX_LUN + 1)] = { 0 };
    uint32_t alloc = scsi_ld32(c->cdb + 6);
    size_t n = 8;

    if (c->cdb[2] > 2 || alloc < 16) {
        scsi_check(r, SENSE_INVALID_FIELD);
        return;
    }
    for (unsigned i = 0; i <= ARMZ_SCSI_MAX_LUN; i++) {
        if (t->luns[i]) {
            b[n + 1] = (uint8_t)i;      /* peripheral device addressing */
            n += 8;
        }
    }
    scsi_st32(b, (uint32_t)(n - 8));
    scsi_reply(c, r, b, n, alloc);
}

ArmzScsiLun *
armz_scsi_target_next(ArmzScsiTarget *t, int *lun)
{
    for (int i = *lun + 1; i <= ARMZ_SCSI_MAX_LUN; i++) {
        if (t->luns[i]) {
            *lun = i;
            return t->luns[i];
        }
    }
    return NULL;
}

void
armz_scsi_target_exec(ArmzScsiTarget *t, unsigned lun, const ArmzScsiCmd *c,
                      ArmzScsiResult *r)
{
    uint32_t bad = cdb_check(c);

    result_init(r);
    if (bad) {
        scsi_check(r, bad);
        return;
    }
    if (c->cdb[0] == 0xa0) {
        report_luns(t, c, r);
        return;
    }
    if (lun <= ARMZ_SCSI_MAX_LUN && t->luns[lun]) {
        armz_scsi_lun_exec(t->luns[lun], c, r);
        return;
    }
    if (c->cdb[0] == 0x12 && !(c->cdb[1] & 1)) {
        /* no LUN here: peripheral qualifier 3, type 0x1f */
        uint8_t b[36] = { 0x7f };
        b[3] = 0x12;
        b[4] = sizeof(b) - 5;
        scsi_reply(c, r, b, sizeof(b), scsi_ld16(c->cdb + 3));
        return;
    }
    if (c->cdb[0] == 0x03) {
        uint8_t b[ARMZ_SCSI_SENSE_LEN];
        scsi_build_sense(b, SENSE_LUN_NOT_SUPPORTED);
        scsi_reply(c, r, b, sizeof(b), c->cdb[4]);
        return;
    }
    scsi_check(r, SENSE_LUN_NOT_SUPPORTED);
}
