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

/* vhost_user_dev.c: virtio-blk or virtio-fs served by a vhost-user
 * back-end (connects to it here, waiting a few seconds for its socket);
 * INDEX names it in logs when O has no id */
ArmzVirtioDev *armz_vhost_user_new(const ArmzVhostUserOpt *o, unsigned index, GError **error);
