/* The MMC commands of the CD-ROM (what Linux's sr and cdrom drivers and
 * udev's cdrom_id send) and its media state machine:
 *
 *   tray closed, medium  --eject (guest: START STOP UNIT LoEj; QMP)-->  tray open
 *   tray open            --close (guest: LoEj+Start; QMP change)-->    tray closed
 *   a medium inserted or changed: UNIT ATTENTION 28/00 on the next command,
 *   and a NewMedia event for GET EVENT STATUS NOTIFICATION.
 *
 * PREVENT ALLOW MEDIUM REMOVAL locks the tray against the guest's own eject
 * and against a QMP eject without force (that one becomes an eject request
 * the guest sees as an event). */
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include "scsi/scsi_int.h"

#define PROFILE_CDROM  0x0008
#define PROFILE_DVDROM 0x0010
#define CD_MAX_BLOCKS  (800u * 1024 * 1024 / 2048)   /* beyond: a DVD */

bool
scsi_cdrom_no_ua(uint8_t opcode)
{
    /* MMC: these report a unit attention condition neither */
    return opcode == 0x46 || opcode == 0x4a;
}

static void
tray_moved(ArmzScsiLun *l, bool open)
{
    l->tray_open = open;
    if (l->tray_cb)
        l->tray_cb(l->tray_opaque, l->id, open);
}

/* LBA as minutes/seconds/frames (MSF) with the 2-second lead-in */
static void
lba_to_msf(uint8_t *b, uint64_t lba)
{
    uint64_t f = lba + 150;

    b[0] = 0;
    b[1] = (uint8_t)MIN(f / (75 * 60), 255);
    b[2] = (uint8_t)(f / 75 % 60);
    b[3] = (uint8_t)(f % 75);
}

static void
toc_addr(uint8_t *b, uint64_t lba, bool msf)
{
    if (msf)
        lba_to_msf(b, lba);
    else
        scsi_st32(b, (uint32_t)MIN(lba, 0xffffffffu));
}

static void
cmd_read_toc(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r)
{
    const uint8_t *cdb = c->cdb;
    bool msf = cdb[1] & 0x02;
    uint8_t format = cdb[2] & 0x0f, track = cdb[6], b[32] = { 0 };
    uint32_t nr = scsi_lun_not_ready(l);
    size_t n = 4;

    if (!format)
        format = cdb[9] >> 6;           /* the older place of the format */
    if (nr) {
        scsi_check(r, nr);
        return;
    }
    switch (format) {
    case 0:                             /* TOC: track 1 (data), lead-out */
        if (track > 1 && track != 0xaa) {
            scsi_check(r, SENSE_INVALID_FIELD);
            return;
        }
        b[2] = b[3] = 1;
        if (track <= 1) {
            b[n + 1] = 0x14;            /* ADR 1, data track */
            b[n + 2] = 1;
            toc_addr(b + n + 4, 0, msf);
            n += 8;
        }
        b[n + 1] = 0x14;
        b[n + 2] = 0xaa;
        toc_addr(b + n + 4, l->blocks, msf);
        n += 8;
        break;
    case 1:                             /* session information: one session */
        b[2] = b[3] = 1;
        b[n + 1] = 0x14;
        b[n + 2] = 1;
        toc_addr(b + n + 4, 0, msf);
        n += 8;
        break;
    default:
        scsi_check(r, SENSE_INVALID_FIELD);
        return;
    }
    scsi_st16(b, (uint16_t)(n - 2));
    scsi_reply(c, r, b, n, scsi_ld16(cdb + 7));
}

static uint16_t
current_profile(const ArmzScsiLun *l)
{
    if (scsi_lun_not_ready(l))
        return 0;
    return l->blocks > CD_MAX_BLOCKS ? PROFILE_DVDROM : PROFILE_CDROM;
}

/* one feature descriptor: code, version/persistent/current, body */
static size_t
feature(uint8_t *b, uint16_t code, uint8_t flags, const uint8_t *body, uint8_t len)
{
    scsi_st16(b, code);
    b[2] = flags;
    b[3] = len;
    memcpy(b + 4, body, len);
    return 4u + len;
}

static void
cmd_get_configuration(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r)
{
    uint8_t rt = c->cdb[1] & 0x03, b[128] = { 0 };
    uint16_t start = scsi_ld16(c->cdb + 2), profile = current_profile(l);
    uint8_t profiles[8] = { 0, PROFILE_DVDROM, profile == PROFILE_DVDROM, 0,
                            0, PROFILE_CDROM, profile == PROFILE_CDROM, 0 };
    uint8_t core[8] = { 0, 0, 0, 1 /* SCSI */, 0 };
    uint8_t removable[4] = { 0x29 | (l->locked ? 0x02 : 0) };  /* tray, eject, lock */
    uint8_t random_read[8] = { 0, 0, 0x08, 0 /* 2048 */, 0, 1 };
    struct { uint16_t code; uint8_t flags; const uint8_t *body; uint8_t len; bool current; } f[] = {
        { 0x0000, 0x03, profiles, sizeof(profiles), true },
        { 0x0001, 0x07, core, sizeof(core), true },
        { 0x0003, 0x03, removable, sizeof(removable), true },
        { 0x0010, profile ? 0x01 : 0x00, random_read, sizeof(random_read), profile != 0 },
    };
    size_t n = 8;

    if (rt == 3) {
        scsi_check(r, SENSE_INVALID_FIELD);
        return;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(f); i++) {
        if (f[i].code < start || (rt == 1 && !f[i].current) || (rt == 2 && f[i].code != start))
            continue;
        n += feature(b + n, f[i].code, f[i].flags, f[i].body, f[i].len);
    }
    scsi_st32(b, (uint32_t)(n - 4));
    scsi_st16(b + 6, profile);
    scsi_reply(c, r, b, n, scsi_ld16(c->cdb + 7));
}

static void
cmd_event_status(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r)
{
    uint8_t b[8] = { 0 };

    if (!(c->cdb[1] & 1)) {
        scsi_check(r, SENSE_INVALID_FIELD);     /* asynchronous: not supported */
        return;
    }
    b[3] = 0x10;                                /* supported: media class */
    if (!(c->cdb[4] & 0x10)) {
        b[1] = 2;
        b[2] = 0x80;                            /* NEA: no event available */
        scsi_reply(c, r, b, 4, scsi_ld16(c->cdb + 7));
        return;
    }
    b[1] = 6;
    b[2] = 0x04;                                /* media class */
    b[4] = l->media_event;
    b[5] = (l->tray_open ? 0x01 : 0) | (l->fd >= 0 && !l->tray_open ? 0x02 : 0);
    l->media_event = MEC_NO_CHANGE;
    scsi_reply(c, r, b, 8, scsi_ld16(c->cdb + 7));
}

static void
cmd_start_stop(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r)
{
    bool loej = c->cdb[4] & 0x02, start = c->cdb[4] & 0x01;

    if (c->cdb[4] & 0xf0 || !loej)
        return;                                 /* a power condition; spin up/down */
    if (start) {
        if (l->tray_open) {
            tray_moved(l, false);
            if (l->fd >= 0)
                l->media_event = MEC_NEW_MEDIA;
        }
        return;
    }
    if (l->locked) {
        scsi_check(r, SENSE_REMOVAL_PREVENTED);
        return;
    }
    if (!l->tray_open) {
        tray_moved(l, true);
        l->media_event = MEC_MEDIA_REMOVAL;
    }
}

static void
cmd_disc_info(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r)
{
    uint8_t b[34] = { 0 };
    uint32_t nr = scsi_lun_not_ready(l);

    if (c->cdb[1] & 0x07) {
        scsi_check(r, SENSE_INVALID_FIELD);     /* track resources, POW resources */
        return;
    }
    if (nr) {
        scsi_check(r, nr);
        return;
    }
    scsi_st16(b, sizeof(b) - 2);
    b[2] = 0x0e;            /* complete disc, complete last session */
    b[3] = 1;               /* first track */
    b[4] = 1;               /* sessions */
    b[5] = 1;               /* first track in the last session */
    b[6] = 1;               /* last track in the last session */
    b[7] = 0x20;            /* unrestricted use */
    memset(b + 16, 0xff, 8);    /* lead-in and lead-out: not recordable */
    scsi_reply(c, r, b, sizeof(b), scsi_ld16(c->cdb + 7));
}

static void
cmd_mechanism_status(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r)
{
    uint8_t b[8] = { 0 };

    b[1] = l->tray_open ? 0x10 : 0;             /* door open */
    scsi_reply(c, r, b, sizeof(b), scsi_ld16(c->cdb + 8));
}

bool
scsi_cdrom_exec(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r)
{
    switch (c->cdb[0]) {
    case 0x1b:
        cmd_start_stop(l, c, r);
        return true;
    case 0x1e:              /* PREVENT ALLOW MEDIUM REMOVAL */
        l->locked = c->cdb[4] & 0x01;
        return true;
    case 0x43:
        cmd_read_toc(l, c, r);
        return true;
    case 0x46:
        cmd_get_configuration(l, c, r);
        return true;
    case 0x4a:
        cmd_event_status(l, c, r);
        return true;
    case 0x51:
        cmd_disc_info(l, c, r);
        return true;
    case 0xbd:
        cmd_mechanism_status(l, c, r);
        return true;
    case 0xbb:              /* SET CD SPEED: nothing to set */
        return true;
    default:
        return false;
    }
}

/* ---- from the management side ---- */

gboolean
armz_scsi_cdrom_open_tray(ArmzScsiLun *l, bool force, GError **error)
{
    gboolean ok = TRUE;

    g_mutex_lock(&l->lock);
    if (l->kind != ARMZ_SCSI_CDROM) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    _("Device '%s' is not removable"), l->id);
        ok = FALSE;
    } else if (l->locked && !force) {
        l->media_event = MEC_EJECT_REQUEST;
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_AGAIN,
                    _("Device '%s' is locked and force was not specified, "
                      "wait for tray to open and try again"), l->id);
        ok = FALSE;
    } else if (!l->tray_open) {
        l->locked = false;
        l->media_event = MEC_MEDIA_REMOVAL;
        tray_moved(l, true);
    }
    g_mutex_unlock(&l->lock);
    return ok;
}

gboolean
armz_scsi_cdrom_change(ArmzScsiLun *l, int fd, GError **error)
{
    uint64_t blocks = 0;
    off_t size = 0;

    if (l->kind != ARMZ_SCSI_CDROM) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    _("Device '%s' is not removable"), l->id);
        return FALSE;
    }
    if (fd >= 0) {
        size = lseek(fd, 0, SEEK_END);
        if (size < 0) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        _("cannot get the size of the new medium of '%s'"), l->id);
            return FALSE;
        }
        blocks = (uint64_t)size / l->block_size;
    }
    g_mutex_lock(&l->lock);
    if (l->fd >= 0)
        close(l->fd);
    l->fd = fd;
    l->blocks = blocks;
    l->locked = false;
    if (!l->tray_open)
        tray_moved(l, true);            /* the old medium came out */
    if (fd >= 0) {
        tray_moved(l, false);
        l->media_event = MEC_NEW_MEDIA;
        l->unit_attention = SENSE_MEDIUM_CHANGED;
    } else {
        l->media_event = MEC_MEDIA_REMOVAL;
    }
    g_mutex_unlock(&l->lock);
    return TRUE;
}

void
armz_scsi_cdrom_state(ArmzScsiLun *l, bool *tray_open, bool *medium, bool *locked)
{
    g_mutex_lock(&l->lock);
    *tray_open = l->tray_open;
    *medium = l->fd >= 0;
    *locked = l->locked;
    g_mutex_unlock(&l->lock);
}
