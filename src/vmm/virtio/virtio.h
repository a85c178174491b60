/* The virtio devices of armz-vmm.  Each constructor opens its backend (a
 * missing file fails here, with a message naming it) and returns a device
 * that still has to be attached to a transport (virtio_mmio.h). */
#pragma once
#include <stdbool.h>
#include <glib.h>
#include "options.h"
#include "virtio/virtio_core.h"

/* virtio_blk.c: LABEL is the guest's name for it ("vda") */
ArmzVirtioDev *armz_virtio_blk_new(const ArmzDiskOpt *o, const char *label, GError **error);
bool armz_virtio_is_blk(ArmzVirtioDev *d);

/* The open(2) flags cache mode CACHE asks for on top of O_RDWR/O_RDONLY:
 * O_DIRECT for none and directsync, O_DSYNC for writethrough and
 * directsync (the daemon opens with the same flags and passes the fd). */
int armz_virtio_blk_open_flags(ArmzCacheMode cache);

/* What an I/O error with errno ERR under POLICY does: REPORT, IGNORE or
 * STOP (ENOSPC: STOP for ENOSPC, REPORT otherwise). */
ArmzBlkErrorPolicy armz_virtio_blk_error_action(ArmzBlkErrorPolicy policy, int err);

/* An I/O error, for the VM (QMP BLOCK_IO_ERROR; STOP pauses the guest
 * until armz_virtio_blk_resume retries the failed request).  Called on the
 * disk's worker thread. */
typedef struct {
    const char *label;
    bool write;                 /* write, flush or write-zeroes */
    int err;                    /* errno */
    ArmzBlkErrorPolicy action;  /* REPORT, IGNORE or STOP */
} ArmzBlkIoError;
typedef void (*ArmzBlkErrorFn)(void *opaque, ArmzVirtioDev *d, const ArmzBlkIoError *e);
void armz_virtio_blk_set_error_fn(ArmzVirtioDev *d, ArmzBlkErrorFn fn, void *opaque);
/* Any thread: retry the request an error stopped (the VM continues). */
void armz_virtio_blk_resume(ArmzVirtioDev *d);
/* errno of the error that stopped the disk, 0 when none (QEMU's io-status,
 * reset by cont) */
int armz_virtio_blk_io_status(ArmzVirtioDev *d);

/* Counters as QEMU's query-blockstats names them; any thread. */
typedef struct {
    uint64_t rd_bytes, wr_bytes, rd_ops, wr_ops, flush_ops;
    uint64_t rd_ns, wr_ns, flush_ns;
    uint64_t failed_rd, failed_wr, failed_flush;
    uint64_t unmap_ops, unmap_bytes;
    uint64_t wr_highest_offset;
} ArmzBlkStats;
void armz_virtio_blk_stats(ArmzVirtioDev *d, ArmzBlkStats *out);
/* ST counts a completed virtio-blk request of TYPE (IN, OUT and FLUSH;
 * others not) with BYTES of data that took NS; a failed one without its
 * bytes.  The caller holds whatever guards ST. */
void armz_blk_stats_count(ArmzBlkStats *st, uint32_t type, uint64_t bytes, uint64_t ns,
                          bool failed);
/* Main thread: the image was resized (by the daemon): reads its size again,
 * which must be SIZE bytes (SIZE 0: any), and tells the guest.  */
gboolean armz_virtio_blk_resize(ArmzVirtioDev *d, uint64_t size, GError **error);
uint64_t armz_virtio_blk_capacity(ArmzVirtioDev *d);   /* bytes */

/* virtio_net.c: a tap by name or a passed fd (tap.c) */
ArmzVirtioDev *armz_virtio_net_new(const ArmzNetOpt *o, unsigned index, GError **error);
/* Over an open packet fd: VNET_HDR when each packet on FD starts with a
 * 12-byte little-endian virtio_net_hdr (a tap with IFF_VNET_HDR), else raw
 * Ethernet frames (a tap without it, or a datagram socket in tests).  MAC
 * NULL: none offered.  Takes FD. */
ArmzVirtioDev *armz_virtio_net_new_fd(int fd, bool vnet_hdr, const guint8 *mac,
                                      const char *label, GError **error);
bool armz_virtio_is_net(ArmzVirtioDev *d);
/* Any thread: the link's carrier (QMP set_link): the config status and a
 * config-change interrupt; down drops frames both ways. */
void armz_virtio_net_set_link(ArmzVirtioDev *d, bool up);

/* virtio_console.c: hvc0 on a character backend */
ArmzVirtioDev *armz_virtio_console_new(const ArmzCharOpt *o, GError **error);

/* virtio_rng.c: PATH ("" or NULL: /dev/urandom) or FD >= 0 */
ArmzVirtioDev *armz_virtio_rng_new(const char *path, int fd, GError **error);

/* virtio_balloon.c: over RAM_SIZE bytes of guest RAM.  The functions below
 * are for the main thread (QMP). */
ArmzVirtioDev *armz_virtio_balloon_new(const ArmzBalloonOpt *o, uint64_t ram_size,
                                       GError **error);
/* Told (vCPU thread, device lock held) when the guest changes the size of
 * its balloon: ACTUAL is the guest's memory in bytes. */
typedef void (*ArmzBalloonChangeFn)(void *opaque, uint64_t actual);
void armz_virtio_balloon_set_listener(ArmzVirtioDev *d, ArmzBalloonChangeFn fn, void *opaque);
/* Asks the guest to keep TARGET bytes (clamped to its RAM). */
void armz_virtio_balloon_set_target(ArmzVirtioDev *d, uint64_t target);
/* The guest's memory in bytes: RAM less the balloon (_locked: device lock held). */
uint64_t armz_virtio_balloon_actual(ArmzVirtioDev *d);
uint64_t armz_virtio_balloon_actual_locked(ArmzVirtioDev *d);
/* QEMU's guest-stats: {"stats": {"stat-swap-in": N, ...}, "last-update": T} */
char *armz_virtio_balloon_stats_json(ArmzVirtioDev *d);
/* Stats polling interval in seconds (0: off). */
unsigned armz_virtio_balloon_poll_interval(ArmzVirtioDev *d);
void armz_virtio_balloon_set_poll_interval(ArmzVirtioDev *d, unsigned seconds);

/* virtio_serial.c: virtio-console with MULTIPORT, one named port per
 * channel (at most ARMZ_SERIAL_MAX_PORTS), each on a unix socket. */
ArmzVirtioDev *armz_virtio_serial_new(const ArmzChannelOpt *chans, unsigned n, GError **error);
/* Told (worker thread, or a reset with the device lock held) when the
 * guest opens or closes port ID (its NAME). */
typedef void (*ArmzSerialPortFn)(void *opaque, const char *id, const char *name, bool open);
void armz_virtio_serial_set_listener(ArmzVirtioDev *d, ArmzSerialPortFn fn, void *opaque);

/* virtio_vsock.c: vhost-vsock for guest CID o->cid; a missing
 * /dev/vhost-vsock fails naming the vhost_vsock module. */
ArmzVirtioDev *armz_virtio_vsock_new(const ArmzVsockOpt *o, GError **error);
/* The guest's CID (the one auto found). */
uint64_t armz_virtio_vsock_cid(ArmzVirtioDev *d);
/* vhost_user_dev.c: virtio-blk or virtio-fs served by a vhost-user
 * back-end (connects to it here, waiting a few seconds for its socket);
 * INDEX names it in logs when O has no id */
ArmzVirtioDev *armz_vhost_user_new(const ArmzVhostUserOpt *o, unsigned index, GError **error);
/* ... on SOCK, already connected to the back-end (taken, also on failure;
 * O->socket, which may be NULL, is then only where it reconnects) */
ArmzVirtioDev *armz_vhost_user_new_fd(const ArmzVhostUserOpt *o, unsigned index, int sock,
                                      GError **error);
/* a vhost-user-blk device with id ID */
bool armz_vhost_user_blk_is(ArmzVirtioDev *d, const char *id);
/* its back-end resized the disk to SIZE bytes (0: what GET_CONFIG says):
 * the new capacity (bytes) shown to the guest with a config change */
gboolean armz_vhost_user_blk_refresh(ArmzVirtioDev *d, uint64_t size, uint64_t *bytes,
                                     GError **error);
/* a vhost-user-blk device: its counters, read off its rings (any thread),
 * and its name in query-blockstats (its id, else its label) */
bool armz_vhost_user_blk_stats(ArmzVirtioDev *d, const char **name, ArmzBlkStats *out);
