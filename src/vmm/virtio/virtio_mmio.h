/* virtio-mmio transport (version 2, virtio 1.x only) and the generic part
 * of every virtio device: feature negotiation, status and reset, queues,
 * interrupts, and the device's worker thread.
 *
 * Threads: register accesses come from vCPU threads (MMIO exits); all queue
 * processing happens on the device's own worker thread, which sleeps in
 * poll() on one eventfd per queue (signalled by KVM_IOEVENTFD without a VM
 * exit, or by the QueueNotify MMIO handler) plus the device's own fds (tap,
 * console input).  The device lock guards registers and interrupt state and
 * is never held across I/O, so a slow backend does not stall a vCPU: only
 * a reset, a status change or a queue (de)activation waits for the worker
 * to finish the request it is working on. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "irq/irq.h"
#include "devices/mmio.h"
#include "virtio/virtqueue.h"
#include "virtio/virtio_abi.h"

/* "ARMZ" as little-endian bytes */
#define ARMZ_VIRTIO_VENDOR_ID   0x5a4d5241u
/* largest queue size a device offers (QueueNumMax) */
#define ARMZ_VIRTIO_QUEUE_MAX   1024

typedef struct _ArmzVirtioDev ArmzVirtioDev;

/* KVM_IOEVENTFD: make FD readable when the guest writes the LEN-byte value
 * DATAMATCH at guest physical address ADDR.  0, or -errno (the transport
 * then takes QueueNotify as an MMIO exit). */
typedef int (*ArmzIoeventfdFn)(void *opaque, uint64_t addr, unsigned len,
                               uint64_t datamatch, int fd);

typedef struct {
    const char *name;           /* "virtio-blk": logs, thread name */
    uint32_t device_id;
    unsigned nqueues;
    unsigned queue_max;         /* QueueNumMax of every queue, power of 2 */
    size_t config_size;         /* device-specific config space bytes */
    /* Worker thread, device live: queue Q was notified (or is kicked after
     * DRIVER_OK or a reset of another queue).  Returns true when it stopped
     * with work left, to be called again without waiting. */
    bool (*queue_work)(ArmzVirtioDev *d, unsigned q);
    /* Worker thread, device live: poll events wanted on extra fd I now (0:
     * not now; called with the lock held) and what to do when they arrive. */
    short (*fd_events)(ArmzVirtioDev *d, unsigned i);
    void (*fd_ready)(ArmzVirtioDev *d, unsigned i, short revents);
    /* vCPU thread, lock held: the driver writes config space (optional). */
    void (*config_write)(ArmzVirtioDev *d, unsigned offset, unsigned size, uint64_t value);
    /* Lock held, worker idle: the driver accepted FEATURES (FEATURES_OK). */
    void (*set_features)(ArmzVirtioDev *d, uint64_t features);
    /* Lock held, worker idle: device-specific part of a reset. */
    void (*reset)(ArmzVirtioDev *d);
    void (*free_priv)(void *priv);
} ArmzVirtioOps;

/* A device offering FEATURES (VERSION_1, INDIRECT_DESC and EVENT_IDX are
 * added); LABEL names it in log lines ("virtio-blk vda: ..."). */
ArmzVirtioDev *armz_virtio_dev_new(const ArmzVirtioOps *ops, void *priv, const char *label,
                                   uint64_t features);
/* Maps the registers at BASE on BUS (BUS may be NULL in tests), wires the
 * interrupt and guest memory, and registers an ioeventfd per queue through
 * IOEVENTFD when it is not NULL. */
gboolean armz_virtio_dev_attach(ArmzVirtioDev *d, ArmzMmioBus *bus, uint64_t base,
                                ArmzIrqLine irq, const ArmzGuestMem *mem,
                                ArmzIoeventfdFn ioeventfd, void *ioeventfd_opaque,
                                GError **error);
/* Starts the worker thread (tests may drive armz_virtio_dev_run_once). */
gboolean armz_virtio_dev_start(ArmzVirtioDev *d, GError **error);
/* One worker round: wait up to TIMEOUT_MS for work, do it.  False once the
 * device is stopped. */
bool armz_virtio_dev_run_once(ArmzVirtioDev *d, int timeout_ms);
/* Device reset, as when the driver writes 0 to Status (VM reset). */
void armz_virtio_dev_reset(ArmzVirtioDev *d);
void armz_virtio_dev_free(ArmzVirtioDev *d);

uint64_t armz_virtio_mmio_read(void *opaque, uint64_t offset, unsigned size);
void armz_virtio_mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t value);

/* ---- for device models ---- */
void *armz_virtio_priv(ArmzVirtioDev *d);
const char *armz_virtio_label(ArmzVirtioDev *d);
/* Device-specific config space (ops->config_size bytes, little-endian),
 * filled by the device model before attach; later changes under the lock
 * with armz_virtio_config_changed. */
uint8_t *armz_virtio_config(ArmzVirtioDev *d);
void armz_virtio_config_changed(ArmzVirtioDev *d);
/* Negotiated features (valid from FEATURES_OK). */
uint64_t armz_virtio_features(ArmzVirtioDev *d);
/* Registers an extra fd the worker polls (before start); its index. */
unsigned armz_virtio_add_fd(ArmzVirtioDev *d, int fd);
/* Worker thread: next chain of queue Q: 1, or 0 when there is none (or the
 * device must stop for a reset); a malformed ring puts the device into
 * DEVICE_NEEDS_RESET and gives 0. */
int armz_virtio_pop(ArmzVirtioDev *d, unsigned q, ArmzVirtqElem *elem);
void armz_virtio_unpop(ArmzVirtioDev *d, unsigned q);
/* Worker thread: completes ELEM with LEN bytes written; interrupts the
 * guest when it asks for it. */
void armz_virtio_push(ArmzVirtioDev *d, unsigned q, const ArmzVirtqElem *elem, uint32_t len);
/* DEVICE_NEEDS_RESET + config-change interrupt + one log line. */
void armz_virtio_fail(ArmzVirtioDev *d, const char *reason);
bool armz_virtio_needs_reset(ArmzVirtioDev *d);
/* Wakes the worker (e.g. from another thread that has new input). */
void armz_virtio_wake(ArmzVirtioDev *d);
