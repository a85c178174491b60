/* dnsmasq's lease file, read for virNetworkGetDHCPLeases and domifaddr. */
#pragma once
#include <glib.h>
#include "network/network_conf.h"

typedef struct {
    gint64 expiry;        /* seconds since the epoch; 0 = never */
    int family;           /* AF_INET or AF_INET6 */
    char *mac;            /* NULL for IPv6 leases (dnsmasq keeps DUIDs) */
    char *iaid;           /* IPv6 only */
    char *ip;
    unsigned prefix;      /* from the network's <ip> holding the address */
    char *hostname;       /* NULL when the client gave none */
    char *clientid;       /* client-id (IPv4) or DUID (IPv6); may be NULL */
} ArmzNetworkLease;

void armz_network_lease_free(ArmzNetworkLease *lease);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzNetworkLease, armz_network_lease_free)

/* Parses TEXT (a lease file) for network DEF: leases expired at NOW are
 * left out, and so are those whose MAC differs from MAC when MAC is not
 * NULL (compared case-insensitively). Returns ArmzNetworkLease*. */
GPtrArray *armz_leases_parse(const char *text, const ArmzNetworkDef *def, const char *mac,
                             gint64 now);
