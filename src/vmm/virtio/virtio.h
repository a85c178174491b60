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

/* virtio_net.c: a tap by name or a passed fd (tap.c) */
ArmzVirtioDev *armz_virtio_net_new(const ArmzNetOpt *o, unsigned index, GError **error);
/* Over an open packet fd: VNET_HDR when each packet on FD starts with a
 * 12-byte little-endian virtio_net_hdr (a tap with IFF_VNET_HDR), else raw
 * Ethernet frames (a tap without it, or a datagram socket in tests).  MAC
 * NULL: none offered.  Takes FD. */
ArmzVirtioDev *armz_virtio_net_new_fd(int fd, bool vnet_hdr, const guint8 *mac,
                                      const char *label, GError **error);

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
