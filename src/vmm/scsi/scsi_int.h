/* Inside the SCSI target: the LUN state shared by scsi_lun.c (common
 * commands), scsi_disk.c (SBC), scsi_cdrom.c (MMC), and the CDB and sense
 * helpers of scsi_cdb.c. */
#pragma once
#include <endian.h>
#include <string.h>
#include "scsi/scsi.h"

/* sense keys */
#define SK_NO_SENSE        0x0
#define SK_NOT_READY       0x2
#define SK_MEDIUM_ERROR    0x3
#define SK_ILLEGAL_REQUEST 0x5
#define SK_UNIT_ATTENTION  0x6
#define SK_DATA_PROTECT    0x7

/* sense key, additional sense code and qualifier, packed */
#define SENSE(k, asc, ascq) ((uint32_t)(k) << 16 | (uint32_t)(asc) << 8 | (ascq))
#define SENSE_NONE             SENSE(SK_NO_SENSE, 0, 0)
#define SENSE_INVALID_OPCODE   SENSE(SK_ILLEGAL_REQUEST, 0x20, 0x00)
#define SENSE_LBA_OUT_OF_RANGE SENSE(SK_ILLEGAL_REQUEST, 0x21, 0x00)
#define SENSE_INVALID_FIELD    SENSE(SK_ILLEGAL_REQUEST, 0x24, 0x00)
#define SENSE_LUN_NOT_SUPPORTED SENSE(SK_ILLEGAL_REQUEST, 0x25, 0x00)
#define SENSE_INVALID_PARAM    SENSE(SK_ILLEGAL_REQUEST, 0x26, 0x00)
#define SENSE_PARAM_LEN        SENSE(SK_ILLEGAL_REQUEST, 0x1a, 0x00)
#define SENSE_SAVING_NOT_SUPP  SENSE(SK_ILLEGAL_REQUEST, 0x39, 0x00)
#define SENSE_REMOVAL_PREVENTED SENSE(SK_ILLEGAL_REQUEST, 0x53, 0x02)
#define SENSE_WRITE_PROTECTED  SENSE(SK_DATA_PROTECT, 0x27, 0x00)
#define SENSE_MEDIUM_CHANGED   SENSE(SK_UNIT_ATTENTION, 0x28, 0x00)
#define SENSE_NO_MEDIUM_CLOSED SENSE(SK_NOT_READY, 0x3a, 0x01)
#define SENSE_NO_MEDIUM_OPEN   SENSE(SK_NOT_READY, 0x3a, 0x02)
#define SENSE_READ_ERROR       SENSE(SK_MEDIUM_ERROR, 0x11, 0x00)
#define SENSE_WRITE_ERROR      SENSE(SK_MEDIUM_ERROR, 0x0c, 0x00)

/* MMC media event codes (GET EVENT STATUS NOTIFICATION, media class) */
#define MEC_NO_CHANGE     0
#define MEC_EJECT_REQUEST 1
#define MEC_NEW_MEDIA     2
#define MEC_MEDIA_REMOVAL 3

/* largest data-in reply a non-READ command builds */
#define SCSI_REPLY_MAX 4096

struct _ArmzScsiLun {
    ArmzScsiKind kind;
    unsigned lun;
    char *id;
    char *serial;
    GMutex lock;
    int fd;                     /* -1: no medium */
    bool readonly;
    bool discard;               /* the image can punch holes (probed) */
    unsigned block_size;        /* 512 disk, 2048 CD-ROM */
    uint64_t blocks;
    uint32_t unit_attention;    /* pending SENSE(), 0: none */
    /* CD-ROM */
    bool tray_open, locked;
    uint8_t media_event;        /* MEC_*, reported once */
    ArmzScsiTrayFn tray_cb;
    void *tray_opaque;
    unsigned errors_logged;
    ArmzScsiLunStats stats;     /* under lock */
};

/* A command that ended in CHECK CONDITION with a medium error (sense key 3) */
static inline bool scsi_medium_error(const ArmzScsiResult *r)
{ return r->status == ARMZ_SCSI_CHECK_CONDITION && (r->sense[2] & 0x0f) == SK_MEDIUM_ERROR; }

/* big-endian fields of CDBs and replies, any alignment */
static inline uint16_t scsi_ld16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t scsi_ld32(const uint8_t *p)
{ return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static inline uint64_t scsi_ld64(const uint8_t *p)
{ return (uint64_t)scsi_ld32(p) << 32 | scsi_ld32(p + 4); }
static inline void scsi_st16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void scsi_st32(uint8_t *p, uint32_t v)
{ scsi_st16(p, (uint16_t)(v >> 16)); scsi_st16(p + 2, (uint16_t)v); }
static inline void scsi_st64(uint8_t *p, uint64_t v)
{ scsi_st32(p, (uint32_t)(v >> 32)); scsi_st32(p + 4, (uint32_t)v); }

/* ---- scsi_cdb.c ---- */
/* Length of a CDB by its operation code's group; 0: a group we do not
 * know (reserved or vendor-specific). */
unsigned scsi_cdb_length(uint8_t opcode);
/* READ/WRITE(6/10/12/16): LBA and block count; false when OPCODE is none
 * of them.  A (6) transfer length of 0 means 256 blocks. */
bool scsi_cdb_rw(const uint8_t *cdb, uint64_t *lba, uint32_t *count, bool *write);
/* Sets R to CHECK CONDITION with SENSE. */
void scsi_check(ArmzScsiResult *r, uint32_t sense);
/* Fixed-format sense data for SENSE into BUF (ARMZ_SCSI_SENSE_LEN). */
void scsi_build_sense(uint8_t *buf, uint32_t sense);
/* Copies up to ALLOC bytes of the reply BUF (LEN) to the data-in buffers. */
void scsi_reply(const ArmzScsiCmd *c, ArmzScsiResult *r, const uint8_t *buf, size_t len,
                size_t alloc);

/* ---- scsi_lun.c ---- */
/* READ/WRITE of COUNT blocks at LBA between the image and the buffers */
void scsi_lun_rw(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r, uint64_t lba,
                 uint32_t count, bool write);
/* the medium is not there: the sense that says why (0: it is there) */
uint32_t scsi_lun_not_ready(const ArmzScsiLun *l);

/* ---- scsi_disk.c: SBC commands only a disk has; false: not one of them ---- */
bool scsi_disk_exec(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r);
/* the pages of MODE SENSE (page code PAGE, 0x3f all) for a disk or a CD-ROM
 * into BUF; its length, or -1 for a page we do not have */
int scsi_mode_pages(ArmzScsiLun *l, uint8_t page, bool changeable, uint8_t *buf, size_t max);
/* probes whether L's image can punch holes */
void scsi_disk_probe(ArmzScsiLun *l);

/* ---- scsi_cdrom.c: MMC commands; false: not one of them ---- */
bool scsi_cdrom_exec(ArmzScsiLun *l, const ArmzScsiCmd *c, ArmzScsiResult *r);
/* commands that must not report a pending UNIT ATTENTION */
bool scsi_cdrom_no_ua(uint8_t opcode);
