/* Tap devices the daemon creates for a guest's <interface>: the daemon owns
 * them and hands the fd to armz-vmm. A tap made here is not persistent: it
 * vanishes with the last fd, i.e. when the VMM exits. */
#pragma once
#include <glib.h>

/* Creates a tap (IFF_TAP|IFF_NO_PI|IFF_VNET_HDR) named IFNAME, or the first
 * free "vnetN" when IFNAME is NULL; gives it the host-side MAC derived from
 * the guest's (first byte 0xfe, as libvirt does, so the bridge never takes
 * the guest's address), sets MTU when not 0, attaches it to BRIDGE when not
 * NULL and brings it up. Returns the fd (O_CLOEXEC) and the name in
 * *NAME_OUT, or -1 with ERROR naming the step that failed. */
int armz_tap_create(const char *ifname, const unsigned char mac[6], const char *bridge,
                    unsigned int mtu, char **name_out, GError **error);

/* Opens the existing tap IFNAME (<target managed='no'>: made by someone
 * else, e.g. Nova's os-vif) and changes nothing on it. */
int armz_tap_open_existing(const char *ifname, char **name_out, GError **error);
