/* Tap devices for virtio-net: opened by interface name or handed in as an
 * fd, set up for 12-byte little-endian virtio_net_hdr headers (what a
 * VIRTIO_F_VERSION_1 guest uses) and no offloads. */
#pragma once
#include <stdbool.h>
#include <glib.h>

/* Attaches to tap IFNAME (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR); a
 * non-blocking fd, or -1 with ERROR. */
int armz_tap_open(const char *ifname, GError **error);
/* A passed fd: a tap with IFF_VNET_HDR is set up like armz_tap_open and
 * *VNET_HDR is true; anything else (a tap without it, a socket) carries raw
 * frames.  False with ERROR when FD is not open. */
gboolean armz_tap_setup_fd(int fd, bool *vnet_hdr, GError **error);
