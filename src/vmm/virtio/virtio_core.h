/* The transport-independent part of every virtio device (virtio 1.x only):
 * feature negotiation, the status state machine and reset, queue
 * configuration and activation, notifications, config space, and the
 * device's worker thread.  A transport (virtio_mmio.c; later PCI) maps its
 * registers onto the "for transports" API below and delivers the
 * interrupts the core asks for.
 *
 * Threads: register accesses come from vCPU threads (MMIO exits); all queue
 * processing happens on the device's own worker thread, which sleeps in
 * poll() on one eventfd per queue (signalled by KVM_IOEVENTFD without a VM
 * exit, or by the transport's notify handler) plus the device's own fds
 * (tap, console input).  The device lock guards the registers of the core
 * and of its transport and the interrupt state, and is never held across
 * I/O, so a slow backend does not stall a vCPU: only a reset, a status
 * change or a queue (de)activation waits for the worker to finish the
 * request it is working on.
 *
 * Everything the guest sees is little-endian; the core keeps its state in
 * host order and converts at the edges (config space bytes, the rings in
 * virtqueue.c), so it is correct on a big-endian host too. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "virtio/virtqueue.h"
#include "virtio/virtio_abi.h"

/* largest queue size a device offers (QueueNumMax) */
#define ARMZ_VIRTIO_QUEUE_MAX   1024

typedef struct _ArmzVirtioDev ArmzVirtioDev;

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
    /* Lock held, worker idle: the driver set DRIVER_OK (optional; vhost
     * devices hand the rings over here). */
    void (*driver_ok)(ArmzVirtioDev *d);
    /* Queues (bit per index) served outside the worker (vhost-vsock): their
     * notify eventfds are not read here. */
    uint32_t external_queues;
    /* vhost-user: another process serves every queue.  The features are
     * offered exactly as given (nothing added), the worker neither polls
     * nor drains the queues' notify fds (they are the back-end's kick fds),
     * and driver_ok is called only on a device that does not need a reset. */
    bool vhost;
} ArmzVirtioOps;

/* ---- life cycle (the board) ---- */

/* A device offering FEATURES (VERSION_1, INDIRECT_DESC and EVENT_IDX are
 * added); LABEL names it in log lines ("virtio-blk vda: ...").  It still
 * has to be attached to a transport (armz_virtio_mmio_attach). */
ArmzVirtioDev *armz_virtio_dev_new(const ArmzVirtioOps *ops, void *priv, const char *label,
                                   uint64_t features);
/* Starts the worker thread (tests may drive armz_virtio_dev_run_once). */
gboolean armz_virtio_dev_start(ArmzVirtioDev *d, GError **error);
/* One worker round: wait up to TIMEOUT_MS for work, do it.  False once the
 * device is stopped. */
bool armz_virtio_dev_run_once(ArmzVirtioDev *d, int timeout_ms);
/* Device reset, as when the driver writes 0 to Status (VM reset). */
void armz_virtio_dev_reset(ArmzVirtioDev *d);
/* Stops the worker, frees the device model and the transport's state. */
void armz_virtio_dev_free(ArmzVirtioDev *d);

/* ---- for device models ---- */
void *armz_virtio_priv(ArmzVirtioDev *d);
const char *armz_virtio_label(ArmzVirtioDev *d);
/* The name QMP knows the device by (device_del, DEVICE_DELETED, query-pci):
 * the id given (--disk/--net id=, device_add id), else its label. */
void armz_virtio_set_id(ArmzVirtioDev *d, const char *id);
const char *armz_virtio_id(ArmzVirtioDev *d);
/* Device-specific config space (ops->config_size bytes, little-endian),
 * filled by the device model before attach; later changes under the lock
 * with armz_virtio_config_changed. */
uint8_t *armz_virtio_config(ArmzVirtioDev *d);
void armz_virtio_config_changed(ArmzVirtioDev *d);
/* Negotiated features (valid from FEATURES_OK). */
uint64_t armz_virtio_features(ArmzVirtioDev *d);
/* Registers an extra fd the worker polls (before start); its index.  FD
 * may be -1 (nothing polled) and changed later by the worker thread (a
 * socket that connects or goes away). */
unsigned armz_virtio_add_fd(ArmzVirtioDev *d, int fd);
void armz_virtio_set_fd(ArmzVirtioDev *d, unsigned i, int fd);
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
/* Any thread, lock not held: used buffers on queue Q (a vhost-user
 * back-end's call eventfd fired); interrupts a live device's driver. */
void armz_virtio_interrupt_queue(ArmzVirtioDev *d, unsigned q);
/* Guest memory as bound by the transport (NULL before). */
const ArmzGuestMem *armz_virtio_mem(ArmzVirtioDev *d);

/* ---- for transports ---- */

/* Why the device interrupts the driver; the values are the bits of
 * virtio-mmio's InterruptStatus and of virtio-pci's ISR status. */
typedef enum {
    ARMZ_VIRTIO_INT_VRING = 0x1,        /* used buffers on a queue */
    ARMZ_VIRTIO_INT_CONFIG = 0x2,       /* config change or NEEDS_RESET */
} ArmzVirtioIntCause;

/* The ring areas of a queue (virtio-mmio QueueDesc/QueueDriver/QueueDevice,
 * virtio-pci queue_desc/queue_driver/queue_device). */
typedef enum {
    ARMZ_VIRTQ_AREA_DESC,
    ARMZ_VIRTQ_AREA_DRIVER,             /* available ring */
    ARMZ_VIRTQ_AREA_DEVICE,             /* used ring */
} ArmzVirtqArea;

/* What the transport provides.  Called with the device lock held. */
typedef struct {
    /* Raise CAUSE for the driver (QUEUE: the queue with used buffers, for
     * a transport with a vector per queue; 0 for CONFIG). */
    void (*interrupt)(void *opaque, ArmzVirtioIntCause cause, unsigned queue);
    /* Device reset, worker idle: forget pending interrupts (lower the
     * line) and the transport's selector registers. */
    void (*reset)(void *opaque);
    /* armz_virtio_dev_free: the transport's state goes (lock not held). */
    void (*free)(void *opaque);
} ArmzVirtioTransport;

/* KVM_IOEVENTFD: make FD readable when the guest writes the LEN-byte value
 * DATAMATCH at guest physical address ADDR.  0, or -errno (the transport
 * then takes the notification as an MMIO exit). */
typedef int (*ArmzIoeventfdFn)(void *opaque, uint64_t addr, unsigned len,
                               uint64_t datamatch, int fd);

/* Binds D to its transport (once, before start) and to guest memory. */
void armz_virtio_dev_bind(ArmzVirtioDev *d, const ArmzVirtioTransport *t, void *opaque,
                          const ArmzGuestMem *mem);
const char *armz_virtio_dev_name(ArmzVirtioDev *d);
/* The OPAQUE D was bound with. */
void *armz_virtio_dev_transport(ArmzVirtioDev *d);
uint32_t armz_virtio_device_id(ArmzVirtioDev *d);
unsigned armz_virtio_num_queues(ArmzVirtioDev *d);
/* The eventfd of queue Q that wakes the worker (for KVM_IOEVENTFD). */
int armz_virtio_queue_notify_fd(ArmzVirtioDev *d, unsigned q);
/* Any thread, lock not needed: the driver notified queue Q (a queue that
 * does not exist is ignored). */
void armz_virtio_queue_notify(ArmzVirtioDev *d, unsigned q);

/* The device lock, around every call below. */
void armz_virtio_lock(ArmzVirtioDev *d);
void armz_virtio_unlock(ArmzVirtioDev *d);

/* Features offered, and the driver's 32-bit word WORD (0: bits 0-31, 1:
 * bits 32-63; others ignored), frozen from FEATURES_OK until reset. */
uint64_t armz_virtio_device_features(ArmzVirtioDev *d);
void armz_virtio_set_driver_features(ArmzVirtioDev *d, unsigned word, uint32_t value);
/* Device status byte; writing 0 resets the device, FEATURES_OK only sticks
 * for an acceptable feature set. */
uint8_t armz_virtio_status(ArmzVirtioDev *d);
void armz_virtio_set_status(ArmzVirtioDev *d, uint8_t status);
/* Queue Q's registers.  A queue that does not exist reads 0 and ignores
 * writes; size and addresses are frozen while the queue is ready. */
uint32_t armz_virtio_queue_num_max(ArmzVirtioDev *d, unsigned q);
uint32_t armz_virtio_queue_num(ArmzVirtioDev *d, unsigned q);
void armz_virtio_queue_set_num(ArmzVirtioDev *d, unsigned q, uint32_t num);
/* 32-bit halves (HIGH: bits 32-63) of an area's guest physical address */
uint32_t armz_virtio_queue_addr(ArmzVirtioDev *d, unsigned q, ArmzVirtqArea area, bool high);
void armz_virtio_queue_set_addr(ArmzVirtioDev *d, unsigned q, ArmzVirtqArea area, bool high,
                                uint32_t value);
bool armz_virtio_queue_ready(ArmzVirtioDev *d, unsigned q);
/* Enabling a queue sets up its rings; a bad size or layout puts the
 * device into DEVICE_NEEDS_RESET. */
void armz_virtio_queue_set_ready(ArmzVirtioDev *d, unsigned q, bool ready);
/* Device-specific config space: SIZE (1, 2, 4 or 8) bytes at OFFSET as a
 * little-endian value; outside it reads 0 and ignores writes. */
uint32_t armz_virtio_config_generation(ArmzVirtioDev *d);
uint64_t armz_virtio_config_read(ArmzVirtioDev *d, uint64_t offset, unsigned size);
void armz_virtio_config_write(ArmzVirtioDev *d, uint64_t offset, unsigned size, uint64_t value);
