/* IPv4/IPv6 addresses as the network code needs them: parse, format,
 * compare, subnet membership and prefix <-> netmask. */
#pragma once
#include <glib.h>

typedef struct {
    int family;             /* AF_INET or AF_INET6; 0 = unset */
    guint8 bytes[16];       /* network order; IPv4 uses the first 4 */
} ArmzIPAddr;

/* Parses a literal of either family; FALSE when it is not one. */
gboolean armz_ip_parse(const char *str, ArmzIPAddr *out);
/* Writes the canonical text into BUF (46 bytes: INET6_ADDRSTRLEN). */
void armz_ip_format(const ArmzIPAddr *addr, char buf[46]);
char *armz_ip_to_string(const ArmzIPAddr *addr);

/* Address length in bits: 32 or 128. */
unsigned armz_ip_bits(const ArmzIPAddr *addr);
/* <0, 0, >0 like memcmp; both must have the same family. */
int armz_ip_compare(const ArmzIPAddr *a, const ArmzIPAddr *b);
/* ADDR with its host part cleared (PREFIX bits kept). */
void armz_ip_network(const ArmzIPAddr *addr, unsigned prefix, ArmzIPAddr *out);
/* ADDR with its host part set (the IPv4 broadcast address). */
void armz_ip_broadcast(const ArmzIPAddr *addr, unsigned prefix, ArmzIPAddr *out);
/* Whether ADDR lies in NET/PREFIX (same family required). */
gboolean armz_ip_in_subnet(const ArmzIPAddr *addr, const ArmzIPAddr *net, unsigned prefix);
/* Whether NET1/P1 and NET2/P2 share an address. */
gboolean armz_ip_subnets_overlap(const ArmzIPAddr *net1, unsigned p1,
                                 const ArmzIPAddr *net2, unsigned p2);

/* IPv4 netmask -> prefix; -1 when MASK is not contiguous. */
int armz_ip_netmask_to_prefix(const ArmzIPAddr *mask);
void armz_ip_prefix_to_netmask(unsigned prefix, ArmzIPAddr *out);
/* Number of addresses from START to END inclusive (saturated at G_MAXUINT64). */
guint64 armz_ip_range_size(const ArmzIPAddr *start, const ArmzIPAddr *end);
