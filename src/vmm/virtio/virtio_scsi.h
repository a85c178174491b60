/* virtio-scsi (virtio 1.x, 5.6): the controller device over the SCSI target
 * of scsi/scsi.h, and its request walker (virtio_scsi_req.c), which the
 * libFuzzer target drives on its own. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "scsi/scsi.h"
#include "virtio/virtio_core.h"
#include "virtio/virtqueue.h"

#define VIRTIO_ID_SCSI                   8

#define VIRTIO_SCSI_CTRL_QUEUE           0
#define VIRTIO_SCSI_EVENT_QUEUE          1
#define VIRTIO_SCSI_REQ_QUEUE            2

/* config space */
#define VIRTIO_SCSI_CFG_NUM_QUEUES       0x00    /* u32 */
#define VIRTIO_SCSI_CFG_SEG_MAX          0x04    /* u32 */
#define VIRTIO_SCSI_CFG_MAX_SECTORS      0x08    /* u32 */
#define VIRTIO_SCSI_CFG_CMD_PER_LUN      0x0c    /* u32 */
#define VIRTIO_SCSI_CFG_EVENT_INFO_SIZE  0x10    /* u32 */
#define VIRTIO_SCSI_CFG_SENSE_SIZE       0x14    /* u32, driver-writable */
#define VIRTIO_SCSI_CFG_CDB_SIZE         0x18    /* u32, driver-writable */
#define VIRTIO_SCSI_CFG_MAX_CHANNEL      0x1c    /* u16 */
#define VIRTIO_SCSI_CFG_MAX_TARGET       0x1e    /* u16 */
#define VIRTIO_SCSI_CFG_MAX_LUN          0x20    /* u32 */
#define VIRTIO_SCSI_CFG_SIZE             0x24

#define VIRTIO_SCSI_SENSE_DEFAULT        96
#define VIRTIO_SCSI_CDB_DEFAULT          32
#define VIRTIO_SCSI_SENSE_MAX            252     /* what we accept the driver to set */
#define VIRTIO_SCSI_CDB_MAX              255

/* request: lun[8], id u64, task_attr u8, prio u8, crn u8, cdb[cdb_size];
 * response: sense_len u32, residual u32, status_qualifier u16, status u8,
 * response u8, sense[sense_size] */
#define VIRTIO_SCSI_REQ_HDR              19
#define VIRTIO_SCSI_RESP_HDR             12

/* response codes */
#define VIRTIO_SCSI_S_OK                 0
#define VIRTIO_SCSI_S_OVERRUN            1
#define VIRTIO_SCSI_S_BAD_TARGET         3
#define VIRTIO_SCSI_S_FAILURE            9
#define VIRTIO_SCSI_S_FUNCTION_COMPLETE  0
#define VIRTIO_SCSI_S_FUNCTION_REJECTED  11

/* control queue */
#define VIRTIO_SCSI_T_TMF                0
#define VIRTIO_SCSI_T_AN_QUERY           1
#define VIRTIO_SCSI_T_AN_SUBSCRIBE       2

/* virtio_scsi_req.c: one request-queue element E against target T.  True
 * with *WRITTEN (bytes of E's writable part filled); false when E cannot
 * hold a request header or a response (the driver is broken: the device
 * then asks for a reset). */
bool armz_virtio_scsi_request(ArmzScsiTarget *t, ArmzVirtqElem *e, unsigned cdb_size,
                              unsigned sense_size, uint32_t *written);
/* One control-queue element; same contract. */
bool armz_virtio_scsi_control(ArmzScsiTarget *t, ArmzVirtqElem *e, uint32_t *written);

/* virtio_scsi.c: the controller over T (taken). */
ArmzVirtioDev *armz_virtio_scsi_new(ArmzScsiTarget *t, const char *label);
ArmzScsiTarget *armz_virtio_scsi_target(ArmzVirtioDev *d);
