/* The request and control queue elements of virtio-scsi, decoded and
 * answered against the SCSI target.  Every size comes from the guest: the
 * header, CDB and response must fit in the chain, else the driver is
 * broken; everything past them is the data, handed to the target as views
 * into the chain's own buffers. */
#include "virtio/virtio_scsi.h"

/* LUN structure of virtio-scsi: 1, target, then a single-level LUN in
 * peripheral (00b) or flat (01b) addressing; anything else names no LUN. */
static bool
decode_lun(const uint8_t *lun, unsigned *target, unsigned *n)
{
    if (lun[0] != 1)
        return false;
    *target = lun[1];
    if (lun[4] | lun[5] | lun[6] | lun[7] || lun[2] >> 6 > 1)
        *n = ARMZ_SCSI_MAX_LUN + 1;
    else
        *n = (unsigned)(lun[2] & 0x3f) << 8 | lun[3];
    return true;
}

bool
armz_virtio_scsi_request(ArmzScsiTarget *t, ArmzVirtqElem *e, unsigned cdb_size,
                         unsigned sense_size, uint32_t *written)
{
    struct iovec out[ARMZ_VIRTQ_MAX_SEGS], in[ARMZ_VIRTQ_MAX_SEGS];
    uint8_t hdr[VIRTIO_SCSI_REQ_HDR + VIRTIO_SCSI_CDB_MAX];
    uint8_t resp[VIRTIO_SCSI_RESP_HDR + VIRTIO_SCSI_SENSE_MAX] = { 0 };
    size_t req_len = VIRTIO_SCSI_REQ_HDR + cdb_size, resp_len = VIRTIO_SCSI_RESP_HDR + sense_size;
    ArmzScsiCmd c = { 0 };
    ArmzScsiResult r = { 0 };
    unsigned target, lun;
    uint8_t response = VIRTIO_SCSI_S_OK;
    size_t residual = 0;

    g_assert(cdb_size <= VIRTIO_SCSI_CDB_MAX && sense_size <= VIRTIO_SCSI_SENSE_MAX);
    if (e->out_len < req_len || e->in_len < resp_len)
        return false;
    armz_iov_to_buf(e->iov, e->n_out, 0, hdr, req_len);
    c.cdb = hdr + VIRTIO_SCSI_REQ_HDR;
    c.cdb_len = cdb_size;
    c.out_len = e->out_len - req_len;
    c.n_out = armz_iov_slice(e->iov, e->n_out, req_len, c.out_len, out, G_N_ELEMENTS(out));
    c.out = out;
    c.in_len = e->in_len - resp_len;
    c.n_in = armz_iov_slice(armz_elem_in(e), e->n_in, resp_len, c.in_len, in, G_N_ELEMENTS(in));
    c.in = in;

    if (!decode_lun(hdr, &target, &lun) || target != 0) {
        response = VIRTIO_SCSI_S_BAD_TARGET;
    } else if (c.out_len && c.in_len) {
        response = VIRTIO_SCSI_S_FAILURE;       /* bidirectional: VIRTIO_SCSI_F_INOUT not offered */
    } else {
        armz_scsi_target_exec(t, lun, &c, &r);
        if (r.overrun)
            response = VIRTIO_SCSI_S_OVERRUN;
        residual = c.out_len ? c.out_len - r.data_out : c.in_len - r.data_in;
    }
    if (response == VIRTIO_SCSI_S_OK) {
        unsigned sl = MIN(r.sense_len, sense_size);
        armz_st_le32(resp, sl);
        memcpy(resp + VIRTIO_SCSI_RESP_HDR, r.sense, sl);
        resp[10] = r.status;
    }
    armz_st_le32(resp + 4, (uint32_t)MIN(residual, G_MAXUINT32));
    resp[11] = response;
    armz_iov_from_buf(armz_elem_in(e), e->n_in, 0, resp, resp_len);
    *written = (uint32_t)(resp_len + r.data_in);
    return true;
}

bool
armz_virtio_scsi_control(ArmzScsiTarget *t, ArmzVirtqElem *e, uint32_t *written)
{
    uint8_t req[24] = { 0 }, resp[5] = { 0 };
    unsigned target, lun;
    uint32_t type;

    if (e->out_len < 4 || e->in_len < 1)
        return false;
    armz_iov_to_buf(e->iov, e->n_out, 0, req, MIN(e->out_len, sizeof(req)));
    type = armz_ld_le32(req);
    switch (type) {
    case VIRTIO_SCSI_T_TMF: {
        uint32_t subtype = armz_ld_le32(req + 4);
        if (e->out_len < 24)
            return false;
        /* requests complete before the next one is read: nothing to abort */
        resp[0] = subtype <= 7 ? VIRTIO_SCSI_S_FUNCTION_COMPLETE
                               : VIRTIO_SCSI_S_FUNCTION_REJECTED;
        if ((subtype == 4 || subtype == 5) && decode_lun(req + 8, &target, &lun))
            armz_scsi_target_reset(t);          /* I_T nexus, logical unit reset */
        *written = 1;
        break;
    }
    case VIRTIO_SCSI_T_AN_QUERY:
    case VIRTIO_SCSI_T_AN_SUBSCRIBE:
        /* no asynchronous notifications: event_actual 0 */
        if (e->out_len < 16 || e->in_len < 5)
            return false;
        *written = 5;
        break;
    default:
        resp[0] = VIRTIO_SCSI_S_FAILURE;
        *written = 1;
        break;
    }
    armz_iov_from_buf(armz_elem_in(e), e->n_in, 0, resp, *written);
    return true;
}
