/* NAT and forwarding rules of the active networks, in one nftables table of
 * our own ("inet armz"). The table is rebuilt whole from the list of active
 * networks in one nft transaction, so it always matches them, and no other
 * table is ever read or written. */
#pragma once
#include <glib.h>
#include "network/network_conf.h"

#define ARMZ_NFT_TABLE "armz"

/* The nft script that replaces our table with rules for NETS
 * (ArmzNetworkDef*), or removes it when none needs rules (unit tested);
 * NULL when a name would not be read back as written (each is checked
 * here, not only by the parser). */
char *armz_nft_script(const GPtrArray *nets, GError **error);
/* Applies armz_nft_script(NETS) with nft -f. */
gboolean armz_nft_apply(const GPtrArray *nets, GError **error);

/* Turns on IPv4 (and IPv6) forwarding when a network in NETS routes or
 * NATs; never turns it off (other users may rely on it). */
gboolean armz_net_enable_forwarding(const GPtrArray *nets, GError **error);
