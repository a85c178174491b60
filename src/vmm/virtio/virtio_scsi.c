/* virtio-scsi (5.6): one request queue, the control queue (task
 * management answered at once: requests never wait), and an event queue
 * that stays empty (neither hotplug nor parameter-change events are
 * offered).  One target (0) with LUNs 0-255, served on the device's worker
 * thread. */
#include <glib/gi18n-lib.h>
#include "virtio/virtio_scsi.h"

#define SCSI_QUEUE_SIZE 256
#define SCSI_BATCH      64

typedef struct {
    ArmzScsiTarget *target;
    ArmzVirtqElem elem;
} Vscsi;

static unsigned
cfg_u32(ArmzVirtioDev *d, unsigned off)
{
    return armz_ld_le32(armz_virtio_config(d) + off);
}

static bool
scsi_work(ArmzVirtioDev *d, unsigned q)
{
    Vscsi *s = armz_virtio_priv(d);

    if (q == VIRTIO_SCSI_EVENT_QUEUE)
        return false;                   /* kept for events we never send */
    for (unsigned n = 0; n < SCSI_BATCH; n++) {
        uint32_t written = 0;
        bool ok;

        if (armz_virtio_pop(d, q, &s->elem) <= 0)
            return false;
        if (q == VIRTIO_SCSI_CTRL_QUEUE)
            ok = armz_virtio_scsi_control(s->target, &s->elem, &written);
        else
            ok = armz_virtio_scsi_request(s->target, &s->elem,
                                          cfg_u32(d, VIRTIO_SCSI_CFG_CDB_SIZE),
                                          cfg_u32(d, VIRTIO_SCSI_CFG_SENSE_SIZE), &written);
        if (!ok) {
            armz_virtio_fail(d, q == VIRTIO_SCSI_CTRL_QUEUE
                                ? _("control request without its header or response")
                                : _("request without its header or response"));
            return false;
        }
        armz_virtio_push(d, q, &s->elem, written);
    }
    return true;
}

/* the driver may choose the sizes of the sense and CDB fields */
static void
scsi_config_write(ArmzVirtioDev *d, unsigned offset, unsigned size, uint64_t value)
{
    uint8_t *cfg = armz_virtio_config(d);

    if (size != 4)
        return;
    if (offset == VIRTIO_SCSI_CFG_SENSE_SIZE)
        armz_st_le32(cfg + offset, (uint32_t)MIN(value, VIRTIO_SCSI_SENSE_MAX));
    else if (offset == VIRTIO_SCSI_CFG_CDB_SIZE)
        armz_st_le32(cfg + offset, (uint32_t)MIN(value, VIRTIO_SCSI_CDB_MAX));
}

static void
scsi_reset(ArmzVirtioDev *d)
{
    Vscsi *s = armz_virtio_priv(d);
    uint8_t *cfg = armz_virtio_config(d);

    armz_st_le32(cfg + VIRTIO_SCSI_CFG_SENSE_SIZE, VIRTIO_SCSI_SENSE_DEFAULT);
    armz_st_le32(cfg + VIRTIO_SCSI_CFG_CDB_SIZE, VIRTIO_SCSI_CDB_DEFAULT);
    armz_scsi_target_reset(s->target);
}

static void
scsi_free(void *priv)
{
    Vscsi *s = priv;
    armz_scsi_target_free(s->target);
    g_free(s);
}

static const ArmzVirtioOps scsi_ops = {
    .name = "virtio-scsi",
    .device_id = VIRTIO_ID_SCSI,
    .nqueues = 3,
    .queue_max = SCSI_QUEUE_SIZE,
    .config_size = VIRTIO_SCSI_CFG_SIZE,
    .queue_work = scsi_work,
    .config_write = scsi_config_write,
    .reset = scsi_reset,
    .free_priv = scsi_free,
};

ArmzVirtioDev *
armz_virtio_scsi_new(ArmzScsiTarget *t, const char *label)
{
    Vscsi *s = g_new0(Vscsi, 1);
    ArmzVirtioDev *d;
    uint8_t *cfg;

    s->target = t;
    d = armz_virtio_dev_new(&scsi_ops, s, label, 0);
    cfg = armz_virtio_config(d);
    armz_st_le32(cfg + VIRTIO_SCSI_CFG_NUM_QUEUES, 1);
    armz_st_le32(cfg + VIRTIO_SCSI_CFG_SEG_MAX, SCSI_QUEUE_SIZE - 2);
    armz_st_le32(cfg + VIRTIO_SCSI_CFG_MAX_SECTORS, 0xffff);
    armz_st_le32(cfg + VIRTIO_SCSI_CFG_CMD_PER_LUN, 128);
    armz_st_le32(cfg + VIRTIO_SCSI_CFG_EVENT_INFO_SIZE, 16);
    armz_st_le32(cfg + VIRTIO_SCSI_CFG_SENSE_SIZE, VIRTIO_SCSI_SENSE_DEFAULT);
    armz_st_le32(cfg + VIRTIO_SCSI_CFG_CDB_SIZE, VIRTIO_SCSI_CDB_DEFAULT);
    armz_st_le16(cfg + VIRTIO_SCSI_CFG_MAX_CHANNEL, 0);
    armz_st_le16(cfg + VIRTIO_SCSI_CFG_MAX_TARGET, 0);
    armz_st_le32(cfg + VIRTIO_SCSI_CFG_MAX_LUN, ARMZ_SCSI_MAX_LUN);
    return d;
}

ArmzScsiTarget *
armz_virtio_scsi_target(ArmzVirtioDev *d)
{
    Vscsi *s = armz_virtio_priv(d);
    return s->target;
}
