/* The SCSI target of armz-vmm's virtio-scsi controller: logical units that
 * are disks (SBC) or CD-ROMs (MMC) over raw images, and the target-level
 * commands (REPORT LUNS, an INQUIRY of a LUN that does not exist).
 *
 * Transport-independent: a command comes in as its CDB and the guest's
 * data buffers as iovecs, and leaves a SCSI status with fixed-format sense
 * data.  A malformed CDB ends in CHECK CONDITION with the sense a real
 * device gives, never in a host access outside the buffers handed in.
 *
 * Threads: commands run on the controller's worker thread; media changes
 * (QMP eject / change) come from the main thread.  Each LUN has a lock. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <glib.h>

#define ARMZ_SCSI_MAX_LUN     255       /* LUNs 0..255 (peripheral addressing) */
#define ARMZ_SCSI_SENSE_LEN   18        /* fixed format */

/* SCSI status */
#define ARMZ_SCSI_GOOD             0x00
#define ARMZ_SCSI_CHECK_CONDITION  0x02

typedef enum {
    ARMZ_SCSI_DISK,
    ARMZ_SCSI_CDROM,
} ArmzScsiKind;

typedef struct {
    ArmzScsiKind kind;
    unsigned lun;
    int fd;                 /* the image, taken over; -1: none (an empty CD-ROM) */
    bool readonly;          /* always for a CD-ROM */
    const char *serial;     /* VPD page 0x80; NULL: none */
    const char *id;         /* the device's name for QMP (and VPD 0x83) */
} ArmzScsiLunConfig;

typedef struct _ArmzScsiLun ArmzScsiLun;
typedef struct _ArmzScsiTarget ArmzScsiTarget;

/* One command: the CDB and the data buffers (data-out: guest to device,
 * data-in: device to guest; at most one of them non-empty). */
typedef struct {
    const uint8_t *cdb;
    size_t cdb_len;
    const struct iovec *out;
    unsigned n_out;
    size_t out_len;
    const struct iovec *in;
    unsigned n_in;
    size_t in_len;
} ArmzScsiCmd;

typedef struct {
    uint8_t status;
    uint8_t sense[ARMZ_SCSI_SENSE_LEN];
    unsigned sense_len;     /* 0 with GOOD */
    size_t data_in;         /* bytes written into the data-in buffers */
    size_t data_out;        /* bytes consumed of the data-out buffers */
    bool overrun;           /* the buffers were too small for the transfer */
} ArmzScsiResult;

/* The tray of a CD-ROM opened (true) or closed; ID is the LUN's id.
 * Called on the worker thread (guest eject) or the caller's thread (QMP). */
typedef void (*ArmzScsiTrayFn)(void *opaque, const char *id, bool open);

/* ---- scsi_lun.c ---- */
/* Checks FD (size, access mode) and builds the LUN; on error nothing is
 * taken. */
ArmzScsiLun *armz_scsi_lun_new(const ArmzScsiLunConfig *c, GError **error);
void armz_scsi_lun_free(ArmzScsiLun *l);
const char *armz_scsi_lun_id(const ArmzScsiLun *l);
ArmzScsiKind armz_scsi_lun_kind(const ArmzScsiLun *l);
void armz_scsi_lun_exec(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r);
/* Bus or device reset: forgets PREVENT. */
void armz_scsi_lun_reset(ArmzScsiLun *l);

ArmzScsiTarget *armz_scsi_target_new(void);
/* Adds L (taken); FALSE with ERROR when its LUN is already there. */
gboolean armz_scsi_target_add(ArmzScsiTarget *t, ArmzScsiLun *l, GError **error);
void armz_scsi_target_free(ArmzScsiTarget *t);
void armz_scsi_target_set_tray_cb(ArmzScsiTarget *t, ArmzScsiTrayFn fn, void *opaque);
ArmzScsiLun *armz_scsi_target_find(ArmzScsiTarget *t, const char *id);
void armz_scsi_target_exec(ArmzScsiTarget *t, unsigned lun, const ArmzScsiCmd *c,
                           ArmzScsiResult *r);
void armz_scsi_target_reset(ArmzScsiTarget *t);

/* What a LUN did since it was made (query-blockstats), counted as
 * virtio-blk counts: READ/WRITE commands that moved data, their bytes and
 * time, SYNCHRONIZE CACHE; failed ones those that ended in a medium error. */
typedef struct {
    uint64_t rd_bytes, wr_bytes, rd_ops, wr_ops, flush_ops;
    uint64_t rd_ns, wr_ns, flush_ns;
    uint64_t failed_rd, failed_wr, failed_flush;
} ArmzScsiLunStats;
void armz_scsi_lun_stats(ArmzScsiLun *l, ArmzScsiLunStats *out);
/* The LUN after *LUN (start with -1) in LUN order, or NULL; *LUN is its. */
ArmzScsiLun *armz_scsi_target_next(ArmzScsiTarget *t, int *lun);

/* ---- scsi_cdrom.c: media changes from the management side ---- */
/* Opens the tray (the medium stays in it).  A tray the guest locked opens
 * only with FORCE; without it the guest is asked to eject (an eject
 * request event) and ERROR says so. */
gboolean armz_scsi_cdrom_open_tray(ArmzScsiLun *l, bool force, GError **error);
/* Replaces the medium with FD (taken; -1: none) and closes the tray; the
 * guest sees a media change. */
gboolean armz_scsi_cdrom_change(ArmzScsiLun *l, int fd, GError **error);
/* Tray open; medium present. */
void armz_scsi_cdrom_state(ArmzScsiLun *l, bool *tray_open, bool *medium, bool *locked);
