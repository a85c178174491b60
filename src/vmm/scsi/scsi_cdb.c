/* CDB parsing and sense data (SPC-4, SBC-3). */
#include "scsi/scsi_int.h"
#include "virtio/virtqueue.h"

unsigned
scsi_cdb_length(uint8_t opcode)
{
    switch (opcode >> 5) {
    case 0: return 6;
    case 1: case 2: return 10;
    case 4: return 16;
    case 5: return 12;
    default: return 0;      /* 3: reserved/variable length; 6, 7: vendor */
    }
}

bool
scsi_cdb_rw(const uint8_t *cdb, uint64_t *lba, uint32_t *count, bool *write)
{
    switch (cdb[0]) {
    case 0x08: case 0x0a:       /* READ(6), WRITE(6) */
        *lba = (uint64_t)(cdb[1] & 0x1f) << 16 | scsi_ld16(cdb + 2);
        *count = cdb[4] ? cdb[4] : 256;
        break;
    case 0x28: case 0x2a:       /* READ(10), WRITE(10) */
        *lba = scsi_ld32(cdb + 2);
        *count = scsi_ld16(cdb + 7);
        break;
    case 0xa8: case 0xaa:       /* READ(12), WRITE(12) */
        *lba = scsi_ld32(cdb + 2);
        *count = scsi_ld32(cdb + 6);
        break;
    case 0x88: case 0x8a:       /* READ(16), WRITE(16) */
        *lba = scsi_ld64(cdb + 2);
        *count = scsi_ld32(cdb + 10);
        break;
    default:
        return false;
    }
    *write = (cdb[0] & 0x0f) == 0x0a;
    return true;
}

void
scsi_build_sense(uint8_t *buf, uint32_t sense)
{
    memset(buf, 0, ARMZ_SCSI_SENSE_LEN);
    buf[0] = 0x70;                      /* current error, fixed format */
    buf[2] = (uint8_t)(sense >> 16);
    buf[7] = ARMZ_SCSI_SENSE_LEN - 8;   /* additional sense length */
    buf[12] = (uint8_t)(sense >> 8);
    buf[13] = (uint8_t)sense;
}

void
scsi_check(ArmzScsiResult *r, uint32_t sense)
{
    r->status = ARMZ_SCSI_CHECK_CONDITION;
    scsi_build_sense(r->sense, sense);
    r->sense_len = ARMZ_SCSI_SENSE_LEN;
}

void
scsi_reply(const ArmzScsiCmd *c, ArmzScsiResult *r, const uint8_t *buf, size_t len,
           size_t alloc)
{
    size_t n = MIN(MIN(len, alloc), c->in_len);

    r->data_in = armz_iov_from_buf(c->in, c->n_in, 0, buf, n);
}
