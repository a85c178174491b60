/* Virtual network XML (libvirt's <network> format, the subset in
 * schemas/network.rng) <-> ArmzNetworkDef. Parsing also checks what makes a
 * network unusable (a DHCP range outside its subnet, overlapping ranges...)
 * so a bad definition is refused at define time with a message naming it. */
#pragma once
#include <glib.h>
#include "network/network_addr.h"

typedef enum {
    ARMZ_NET_FORWARD_NONE = 0,     /* isolated: no <forward> */
    ARMZ_NET_FORWARD_NAT,
    ARMZ_NET_FORWARD_ROUTE,
    ARMZ_NET_FORWARD_OPEN,
    ARMZ_NET_FORWARD_BRIDGE,       /* an existing host bridge */
    ARMZ_NET_FORWARD_LAST
} ArmzNetForwardMode;

typedef struct {
    ArmzIPAddr start, end;
} ArmzNetDhcpRange;

typedef struct {
    gboolean has_mac;
    unsigned char mac[6];
    char *name;
    ArmzIPAddr ip;                 /* family 0 when absent */
} ArmzNetDhcpHost;

typedef struct {
    ArmzIPAddr address;            /* the host's (bridge's) address */
    unsigned prefix;
    gboolean netmask_form;         /* written as netmask= (as given) */
    GArray *ranges;                /* ArmzNetDhcpRange */
    GPtrArray *hosts;              /* ArmzNetDhcpHost* */
    gboolean has_dhcp;             /* a <dhcp> element (possibly empty) */
} ArmzNetIPDef;

typedef struct {
    ArmzIPAddr ip;
    GStrv hostnames;
} ArmzNetDnsHost;

typedef struct {
    char *name;
    unsigned char uuid[16];
    ArmzNetForwardMode forward;
    char *forward_dev;             /* <forward dev=''>: NAT/route only out of it */
    char *bridge;                  /* generated at define when absent */
    gboolean stp;                  /* default on */
    unsigned int delay;
    gboolean has_mac;
    unsigned char mac[6];          /* generated at define when absent */
    unsigned int mtu;              /* 0 = not given */
    char *domain;
    gboolean domain_local_only;
    GPtrArray *dns_hosts;          /* ArmzNetDnsHost* */
    GPtrArray *ips;                /* ArmzNetIPDef* */
} ArmzNetworkDef;

ArmzNetworkDef *armz_network_def_new(void);
void armz_network_def_free(ArmzNetworkDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzNetworkDef, armz_network_def_free)

/* Parses and checks XML. A missing UUID is generated; a missing bridge name
 * and MAC are left for the driver (it knows which names are taken).
 * Errors: VIR_ERR_XML_ERROR (malformed or invalid values),
 * VIR_ERR_CONFIG_UNSUPPORTED (valid libvirt XML we do not do). */
ArmzNetworkDef *armz_network_def_parse(const char *xml, GError **error);
char *armz_network_def_format(const ArmzNetworkDef *def);
/* The checks parsing makes, for a definition edited in place. */
gboolean armz_network_def_check(const ArmzNetworkDef *def, GError **error);

/* One element on its own, as virNetworkUpdate passes it: a <dhcp> child
 * named EXPECT ("host" or "range") appended to IP, or a <dns> <host>
 * appended to DEF's DNS hosts. Errors as for armz_network_def_parse. */
gboolean armz_network_dhcp_child_parse(const char *xml, const char *expect, ArmzNetIPDef *ip,
                                       GError **error);
gboolean armz_network_dns_host_parse(const char *xml, ArmzNetworkDef *def, GError **error);
ArmzNetIPDef *armz_network_ip_def_new(void);
void armz_network_ip_def_free(gpointer ip);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzNetIPDef, armz_network_ip_def_free)
ArmzNetworkDef *armz_network_def_copy(const ArmzNetworkDef *def);

/* RelaxNG check against network.rng (beside domain.rng). */
gboolean armz_network_xml_validate(const char *xml, GError **error);
const char *armz_network_schema_path(void);

const char *armz_network_forward_to_string(ArmzNetForwardMode mode);

/* The first <ip> of FAMILY (AF_INET/AF_INET6), or NULL. */
const ArmzNetIPDef *armz_network_def_ip(const ArmzNetworkDef *def, int family);
/* Whether the network has a bridge, addresses, DHCP... of its own (every
 * mode but 'bridge'). */
gboolean armz_network_def_is_managed(const ArmzNetworkDef *def);
/* Whether dnsmasq is needed: a managed network with at least one address. */
gboolean armz_network_def_needs_dnsmasq(const ArmzNetworkDef *def);

/* Linux's rules for an interface name. */
gboolean armz_network_ifname_valid(const char *name);
