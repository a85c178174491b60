/* Network XML parsing and the checks done at define time. */
#include <string.h>
#include <sys/socket.h>
#include <libvirt/libvirt.h>

#include "conf/domain_conf.h"
#include "conf/domain_parse_priv.h"
#include "util/armz-i18n.h"
#include "util/names.h"
#include "util/error.h"
#include "network/network_conf.h"

#define NET_LABEL "(network_definition)"

static const char *const forward_modes[] = { "none", "nat", "route", "open", "bridge", NULL };
/* valid for libvirt, not provided here */
static const char *const forward_unsupported[] = { "private", "vepa", "passthrough",
                                                   "hostdev", NULL };

const char *
armz_network_forward_to_string(ArmzNetForwardMode mode)
{
    return mode < ARMZ_NET_FORWARD_LAST ? forward_modes[mode] : "?";
}

static void
dhcp_host_free(gpointer p)
{
    ArmzNetDhcpHost *h = p;
    g_free(h->name);
    g_free(h);
}

void
armz_network_ip_def_free(gpointer p)
{
    ArmzNetIPDef *ip = p;
    g_array_unref(ip->ranges);
    g_ptr_array_unref(ip->hosts);
    g_free(ip);
}

ArmzNetIPDef *
armz_network_ip_def_new(void)
{
    ArmzNetIPDef *ip = g_new0(ArmzNetIPDef, 1);
    ip->ranges = g_array_new(FALSE, TRUE, sizeof(ArmzNetDhcpRange));
    ip->hosts = g_ptr_array_new_with_free_func(dhcp_host_free);
    return ip;
}

static void
dns_host_free(gpointer p)
{
    ArmzNetDnsHost *h = p;
    g_strfreev(h->hostnames);
    g_free(h);
}

ArmzNetworkDef *
armz_network_def_new(void)
{
    ArmzNetworkDef *def = g_new0(ArmzNetworkDef, 1);
    def->stp = TRUE;
    def->dns_hosts = g_ptr_array_new_with_free_func(dns_host_free);
    def->ips = g_ptr_array_new_with_free_func(armz_network_ip_def_free);
    return def;
}

void
armz_network_def_free(ArmzNetworkDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->forward_dev);
    g_free(def->bridge);
    g_free(def->domain);
    g_ptr_array_unref(def->dns_hosts);
    g_ptr_array_unref(def->ips);
    g_free(def);
}

ArmzNetworkDef *
armz_network_def_copy(const ArmzNetworkDef *def)
{
    g_autofree char *xml = armz_network_def_format(def);
    g_autoptr(GError) err = NULL;
    ArmzNetworkDef *copy = armz_network_def_parse(xml, &err);

    /* what we format always parses back */
    if (!copy)
        g_error("network '%s' does not re-parse: %s", def->name, err->message);
    return copy;
}

const ArmzNetIPDef *
armz_network_def_ip(const ArmzNetworkDef *def, int family)
{
    for (guint i = 0; i < def->ips->len; i++) {
        const ArmzNetIPDef *ip = g_ptr_array_index(def->ips, i);
        if (ip->address.family == family)
            return ip;
    }
    return NULL;
}

gboolean
armz_network_def_is_managed(const ArmzNetworkDef *def)
{
    return def->forward != ARMZ_NET_FORWARD_BRIDGE;
}

gboolean
armz_network_def_needs_dnsmasq(const ArmzNetworkDef *def)
{
    return armz_network_def_is_managed(def) && def->ips->len > 0;
}

gboolean
armz_network_ifname_valid(const char *name)
{
    if (!name || !*name || strlen(name) >= 16 || g_str_equal(name, ".") ||
        g_str_equal(name, ".."))
        return FALSE;
    for (const char *p = name; *p; p++)
        /* also no quotes or backslashes: names go into nft and dnsmasq configs */
        if (*p == '/' || *p == ':' || *p == '"' || *p == '\'' || *p == '\\' ||
            g_ascii_isspace(*p) || !g_ascii_isprint(*p))
            return FALSE;
    return TRUE;
}

const char *
armz_network_schema_path(void)
{
    static char *path;

    if (g_once_init_enter(&path)) {
        g_autofree char *dir = g_path_get_dirname(armz_domain_schema_path());
        g_once_init_leave(&path, g_build_filename(dir, "network.rng", NULL));
    }
    return path;
}

gboolean
armz_network_xml_validate(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = armz_xml_parse(xml, NET_LABEL, error);

    /* malformed XML keeps its own diagnosis, with the network's label */
    return doc && armz_domain_xml_validate(xml, armz_network_schema_path(), error);
}

/* ---- parsing ---- */

static gboolean
parse_ip_attr(xmlNodePtr node, const char *attr, gboolean required, ArmzIPAddr *out,
              GError **error)
{
    g_autofree char *v = armz_xml_prop(node, attr);

    memset(out, 0, sizeof(*out));
    if (!v) {
        if (!required)
            return TRUE;
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("missing attribute '%s' of <%s>"),
                              attr, (const char *)node->name);
    }
    if (!armz_ip_parse(v, out))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("invalid IP address '%s' in attribute '%s' of <%s>"),
                              v, attr, (const char *)node->name);
    return TRUE;
}

static gboolean
parse_yes_no(xmlNodePtr node, const char *attr, const char *alt_yes, gboolean *out,
             GError **error)
{
    g_autofree char *v = armz_xml_prop(node, attr);

    if (!v)
        return TRUE;
    if (g_str_equal(v, "yes") || (alt_yes && g_str_equal(v, alt_yes)))
        *out = TRUE;
    else if (g_str_equal(v, "no") || g_str_equal(v, "off"))
        *out = FALSE;
    else
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("invalid value '%s' of attribute '%s' of <%s>"),
                              v, attr, (const char *)node->name);
    return TRUE;
}

static gboolean
parse_dhcp_child(ArmzNetIPDef *ip, xmlNodePtr c, GError **error)
{
    if (armz_xml_is(c, "range")) {
        ArmzNetDhcpRange r;
        if (!parse_ip_attr(c, "start", TRUE, &r.start, error) ||
            !parse_ip_attr(c, "end", TRUE, &r.end, error))
            return FALSE;
        g_array_append_val(ip->ranges, r);
    } else if (armz_xml_is(c, "host")) {
        g_autofree char *mac = armz_xml_prop(c, "mac");
        ArmzNetDhcpHost *h = g_new0(ArmzNetDhcpHost, 1);

        g_ptr_array_add(ip->hosts, h);
        h->name = armz_xml_prop(c, "name");
        if (mac) {
            if (!armz_mac_parse(mac, h->mac))
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("invalid MAC address '%s' in <host> of <dhcp>"), mac);
            h->has_mac = TRUE;
        }
        if (!parse_ip_attr(c, "ip", FALSE, &h->ip, error))
            return FALSE;
    } else if (!armz_xml_is(c, "bootp")) {
        return armz_conf_unsupported_child(c, "dhcp", error);
    }
    return TRUE;
}

static gboolean
parse_dhcp(ArmzNetIPDef *ip, xmlNodePtr dhcp, GError **error)
{
    ip->has_dhcp = TRUE;
    for (xmlNodePtr c = armz_xml_first_element(dhcp); c; c = armz_xml_next_element(c))
        if (!parse_dhcp_child(ip, c, error))
            return FALSE;
    return TRUE;
}

/* Classful default for an IPv4 address given without netmask or prefix,
 * as libvirt does. */
static unsigned
classful_prefix(const ArmzIPAddr *a)
{
    if (a->bytes[0] < 128)
        return 8;
    if (a->bytes[0] < 192)
        return 16;
    return 24;
}

static gboolean
parse_ip(ArmzNetworkDef *def, xmlNodePtr node, GError **error)
{
    g_autofree char *family = armz_xml_prop(node, "family");
    g_autofree char *netmask = armz_xml_prop(node, "netmask");
    g_autofree char *prefix = armz_xml_prop(node, "prefix");
    ArmzNetIPDef *ip = armz_network_ip_def_new();

    g_ptr_array_add(def->ips, ip);
    if (!parse_ip_attr(node, "address", TRUE, &ip->address, error))
        return FALSE;
    if (family && !g_str_equal(family, "ipv4") && !g_str_equal(family, "ipv6"))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("unknown address family '%s' in <ip>"), family);
    if (family && (ip->address.family == AF_INET6) != g_str_equal(family, "ipv6")) {
        char a[46];
        armz_ip_format(&ip->address, a);
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("address '%s' of <ip> is not of family '%s'"), a, family);
    }
    if (netmask && prefix)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("<ip> may have a netmask or a prefix, not both"));
    if (netmask) {
        ArmzIPAddr m;
        int p;
        if (ip->address.family != AF_INET)
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("netmask is only for IPv4 addresses: use prefix"));
        if (!armz_ip_parse(netmask, &m) || m.family != AF_INET ||
            (p = armz_ip_netmask_to_prefix(&m)) < 0)
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("invalid netmask '%s' in <ip>"), netmask);
        ip->prefix = (unsigned)p;
        ip->netmask_form = TRUE;
    } else if (prefix) {
        guint64 p;
        if (!armz_parse_u64(prefix, 0, armz_ip_bits(&ip->address), &p))
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("invalid prefix '%s' in <ip>"), prefix);
        ip->prefix = (unsigned)p;
    } else {
        ip->prefix = ip->address.family == AF_INET ? classful_prefix(&ip->address) : 64;
        ip->netmask_form = ip->address.family == AF_INET;
    }
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        if (armz_xml_is(c, "dhcp")) {
            if (!parse_dhcp(ip, c, error))
                return FALSE;
        } else if (!armz_xml_is(c, "tftp")) {
            return armz_conf_unsupported_child(c, "ip", error);
        }
    }
    return TRUE;
}

static gboolean
parse_dns_child(ArmzNetworkDef *def, xmlNodePtr c, GError **error)
{
    g_autoptr(GPtrArray) names = NULL;
    ArmzNetDnsHost *h;

    if (armz_xml_is(c, "forwarder") || armz_xml_is(c, "txt") || armz_xml_is(c, "srv"))
        return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                              _("<%s> in <dns> is not supported"), (const char *)c->name);
    if (!armz_xml_is(c, "host"))
        return armz_conf_unsupported_child(c, "dns", error);
    h = g_new0(ArmzNetDnsHost, 1);
    g_ptr_array_add(def->dns_hosts, h);
    if (!parse_ip_attr(c, "ip", TRUE, &h->ip, error))
        return FALSE;
    names = g_ptr_array_new();
    for (xmlNodePtr n = armz_xml_first_element(c); n; n = armz_xml_next_element(n)) {
        char *text;
        if (!armz_xml_is(n, "hostname"))
            return armz_conf_unsupported_child(n, "host", error);
        text = armz_xml_text(n);
        g_strstrip(text);
        if (!*text) {
            g_free(text);
            return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("empty <hostname> in DNS host"));
        }
        g_ptr_array_add(names, text);
    }
    if (names->len == 0) {
        char buf[46];
        armz_ip_format(&h->ip, buf);
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("DNS host '%s' has no <hostname>"),
                              buf);
    }
    g_ptr_array_add(names, NULL);
    h->hostnames = (GStrv)g_ptr_array_free(g_steal_pointer(&names), FALSE);
    return TRUE;
}

static gboolean
parse_dns(ArmzNetworkDef *def, xmlNodePtr dns, GError **error)
{
    for (xmlNodePtr c = armz_xml_first_element(dns); c; c = armz_xml_next_element(c))
        if (!parse_dns_child(def, c, error))
            return FALSE;
    return TRUE;
}

static gboolean
parse_top(ArmzNetworkDef *def, xmlNodePtr root, GError **error)
{
    gboolean seen_uuid = FALSE;

    for (xmlNodePtr c = armz_xml_first_element(root); c; c = armz_xml_next_element(c)) {
        if (armz_xml_is(c, "name")) {
            g_free(def->name);
            def->name = armz_xml_text(c);
            g_strstrip(def->name);
        } else if (armz_xml_is(c, "uuid")) {
            g_autofree char *u = armz_xml_text(c);
            if (!armz_uuid_parse(u, def->uuid))
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("malformed uuid element"));
            seen_uuid = TRUE;
        } else if (armz_xml_is(c, "forward")) {
            int mode = armz_conf_enum_attr(c, "mode", "nat", forward_modes,
                                           forward_unsupported, error);
            if (mode < 0)
                return FALSE;
            def->forward = (ArmzNetForwardMode)mode;
            g_free(def->forward_dev);
            def->forward_dev = armz_xml_prop(c, "dev");
        } else if (armz_xml_is(c, "bridge")) {
            g_free(def->bridge);
            def->bridge = armz_xml_prop(c, "name");
            if (!parse_yes_no(c, "stp", "on", &def->stp, error) ||
                !armz_conf_uint_attr(c, "delay", &def->delay, error))
                return FALSE;
        } else if (armz_xml_is(c, "mac")) {
            g_autofree char *mac = armz_xml_prop(c, "address");
            if (!mac || !armz_mac_parse(mac, def->mac))
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("invalid MAC address '%s' in <mac>"), mac ? mac : "");
            if (def->mac[0] & 1)
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("MAC address '%s' of the bridge is a multicast "
                                        "address"), mac);
            def->has_mac = TRUE;
        } else if (armz_xml_is(c, "mtu")) {
            if (!armz_conf_uint_attr(c, "size", &def->mtu, error))
                return FALSE;
            if (def->mtu < 68 || def->mtu > 65535)
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("invalid MTU %u: it must be from 68 to 65535"), def->mtu);
        } else if (armz_xml_is(c, "domain")) {
            g_free(def->domain);
            def->domain = armz_xml_prop(c, "name");
            if (!def->domain || !*def->domain)
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("missing attribute 'name' of <domain>"));
            if (!parse_yes_no(c, "localOnly", NULL, &def->domain_local_only, error))
                return FALSE;
        } else if (armz_xml_is(c, "dns")) {
            if (!parse_dns(def, c, error))
                return FALSE;
        } else if (armz_xml_is(c, "ip")) {
            if (!parse_ip(def, c, error))
                return FALSE;
        } else if (armz_xml_is(c, "title") || armz_xml_is(c, "description") ||
                   armz_xml_is(c, "metadata")) {
            /* informational; not kept (as for unknown libvirt extras) */
        } else if (armz_xml_is(c, "portgroup") || armz_xml_is(c, "bandwidth") ||
                   armz_xml_is(c, "route") || armz_xml_is(c, "virtualport") ||
                   armz_xml_is(c, "vlan") || armz_xml_is(c, "dnsmasq:options")) {
            return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                                  _("<%s> in a network is not supported"),
                                  (const char *)c->name);
        } else {
            return armz_conf_unsupported_child(c, "network", error);
        }
    }
    if (!seen_uuid)
        armz_uuid_generate(def->uuid);
    return TRUE;
}

/* ---- checks ---- */

/* DNS names: letters, digits, '-', '_' and dots (they go into dnsmasq's
 * configuration, where a comma or newline would change its meaning). */
static gboolean
dns_name_valid(const char *name)
{
    if (!name || !*name || strlen(name) > 253)
        return FALSE;
    for (const char *p = name; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
            return FALSE;
    return TRUE;
}

static gboolean
check_names(const ArmzNetworkDef *def, GError **error)
{
    if (def->domain && !dns_name_valid(def->domain))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("invalid domain name '%s'"),
                              def->domain);
    for (guint i = 0; i < def->dns_hosts->len; i++) {
        const ArmzNetDnsHost *h = g_ptr_array_index(def->dns_hosts, i);
        for (GStrv n = h->hostnames; *n; n++)
            if (!dns_name_valid(*n))
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("invalid DNS host name '%s'"), *n);
    }
    for (guint i = 0; i < def->ips->len; i++) {
        const ArmzNetIPDef *ip = g_ptr_array_index(def->ips, i);
        for (guint j = 0; j < ip->hosts->len; j++) {
            const ArmzNetDhcpHost *h = g_ptr_array_index(ip->hosts, j);
            if (h->name && !dns_name_valid(h->name))
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("invalid DHCP host name '%s'"), h->name);
        }
    }
    return TRUE;
}

static gboolean
check_ip(const ArmzNetworkDef *def, const ArmzNetIPDef *ip, GError **error)
{
    char a[46], b[46], n[46];
    ArmzIPAddr net, bcast;

    armz_ip_format(&ip->address, n);
    armz_ip_network(&ip->address, ip->prefix, &net);
    armz_ip_broadcast(&ip->address, ip->prefix, &bcast);
    if (ip->address.family == AF_INET && ip->prefix < 31 &&
        (armz_ip_compare(&ip->address, &net) == 0 || armz_ip_compare(&ip->address, &bcast) == 0))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("address %s/%u of network '%s' is its subnet's network or "
                                "broadcast address"), n, ip->prefix, def->name);

    for (guint i = 0; i < ip->ranges->len; i++) {
        const ArmzNetDhcpRange *r = &g_array_index(ip->ranges, ArmzNetDhcpRange, i);
        armz_ip_format(&r->start, a);
        armz_ip_format(&r->end, b);
        if (r->start.family != ip->address.family || r->end.family != ip->address.family)
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("DHCP range %s - %s is not of the family of address %s"),
                                  a, b, n);
        if (!armz_ip_in_subnet(&r->start, &ip->address, ip->prefix) ||
            !armz_ip_in_subnet(&r->end, &ip->address, ip->prefix))
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("DHCP range %s - %s is not entirely within network %s/%u"),
                                  a, b, n, ip->prefix);
        if (armz_ip_compare(&r->start, &r->end) > 0)
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("DHCP range %s - %s ends before it starts"), a, b);
        if (ip->address.family == AF_INET &&
            (armz_ip_compare(&r->start, &net) == 0 || armz_ip_compare(&r->end, &bcast) == 0))
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("DHCP range %s - %s includes the network or broadcast "
                                    "address of %s/%u"), a, b, n, ip->prefix);
        for (guint j = 0; j < i; j++) {
            const ArmzNetDhcpRange *o = &g_array_index(ip->ranges, ArmzNetDhcpRange, j);
            if (armz_ip_compare(&r->start, &o->end) <= 0 &&
                armz_ip_compare(&o->start, &r->end) <= 0) {
                char c[46], d[46];
                armz_ip_format(&o->start, c);
                armz_ip_format(&o->end, d);
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("DHCP range %s - %s overlaps range %s - %s"), a, b, c, d);
            }
        }
    }
    for (guint i = 0; i < ip->hosts->len; i++) {
        const ArmzNetDhcpHost *h = g_ptr_array_index(ip->hosts, i);
        if (!h->ip.family)
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("static DHCP host '%s' has no ip address"),
                                  h->name ? h->name : "");
        armz_ip_format(&h->ip, a);
        if (!armz_ip_in_subnet(&h->ip, &ip->address, ip->prefix))
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("static DHCP host address %s is not within network %s/%u"),
                                  a, n, ip->prefix);
        if (ip->address.family == AF_INET && !h->has_mac && !h->name)
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("static DHCP host %s needs a mac or a name"), a);
        if (ip->address.family == AF_INET6 && !h->name)
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("static IPv6 DHCP host %s needs a name"), a);
        for (guint j = 0; j < i; j++) {
            const ArmzNetDhcpHost *o = g_ptr_array_index(ip->hosts, j);
            if (armz_ip_compare(&h->ip, &o->ip) == 0)
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("static DHCP host address %s is given twice"), a);
            if (h->has_mac && o->has_mac && memcmp(h->mac, o->mac, 6) == 0) {
                char m[18];
                armz_mac_format(h->mac, m);
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("static DHCP host MAC %s is given twice"), m);
            }
        }
    }
    return TRUE;
}

gboolean
armz_network_def_check(const ArmzNetworkDef *def, GError **error)
{
    gboolean dhcp4 = FALSE, dhcp6 = FALSE;

    if (!def->name || !*def->name)
        return armz_conf_fail(error, VIR_ERR_NO_NAME, _("missing name in network definition"));
    if (!armz_name_check(ARMZ_NAME_NETWORK, def->name, error))
        return FALSE;
    if (!check_names(def, error))
        return FALSE;
    if (def->bridge && !armz_network_ifname_valid(def->bridge))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("invalid bridge name '%s'"),
                              def->bridge);
    if (def->forward_dev && !armz_network_ifname_valid(def->forward_dev))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("invalid forward device name '%s'"), def->forward_dev);
    if (def->forward_dev && def->forward != ARMZ_NET_FORWARD_NAT &&
        def->forward != ARMZ_NET_FORWARD_ROUTE)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("a forward device is only for mode 'nat' or 'route', not '%s'"),
                              armz_network_forward_to_string(def->forward));
    if (def->forward == ARMZ_NET_FORWARD_BRIDGE) {
        if (!def->bridge)
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("network '%s' with forward mode 'bridge' needs "
                                    "<bridge name=''/>: the host bridge to use"), def->name);
        if (def->ips->len || def->dns_hosts->len || def->domain || def->has_mac || def->mtu)
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("network '%s' with forward mode 'bridge' uses a host "
                                    "bridge as it is: <ip>, <dns>, <domain>, <mac> and <mtu> "
                                    "are not allowed"), def->name);
    }
    for (guint i = 0; i < def->ips->len; i++) {
        const ArmzNetIPDef *ip = g_ptr_array_index(def->ips, i);
        gboolean *seen = ip->address.family == AF_INET ? &dhcp4 : &dhcp6;

        if (!check_ip(def, ip, error))
            return FALSE;
        if (ip->ranges->len || ip->hosts->len) {
            if (*seen)
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("network '%s' has DHCP on more than one %s address: "
                                        "DHCP is for one address of each family"), def->name,
                                      ip->address.family == AF_INET ? "IPv4" : "IPv6");
            *seen = TRUE;
        }
        for (guint j = 0; j < i; j++) {
            const ArmzNetIPDef *o = g_ptr_array_index(def->ips, j);
            if (armz_ip_subnets_overlap(&ip->address, ip->prefix, &o->address, o->prefix)) {
                char a[46], b[46];
                armz_ip_format(&ip->address, a);
                armz_ip_format(&o->address, b);
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("addresses %s/%u and %s/%u of network '%s' overlap"),
                                      a, ip->prefix, b, o->prefix, def->name);
            }
        }
    }
    return TRUE;
}

ArmzNetworkDef *
armz_network_def_parse(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = armz_xml_parse(xml, NET_LABEL, error);
    g_autoptr(ArmzNetworkDef) def = NULL;
    xmlNodePtr root;

    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!root || !armz_xml_is(root, "network")) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                    _("unexpected root element <%s>, expecting <network>"),
                    root ? (const char *)root->name : "");
        return NULL;
    }
    def = armz_network_def_new();
    if (!parse_top(def, root, error) || !armz_network_def_check(def, error))
        return NULL;
    return g_steal_pointer(&def);
}

/* The root of XML, which must be an element named EXPECT. */
static xmlNodePtr
child_root(xmlDocPtr doc, const char *expect, GError **error)
{
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;

    if (doc && (!root || !armz_xml_is(root, expect))) {
        armz_conf_fail(error, VIR_ERR_XML_ERROR, _("unexpected element <%s>, expecting <%s>"),
                       root ? (const char *)root->name : "", expect);
        return NULL;
    }
    return root;
}

gboolean
armz_network_dhcp_child_parse(const char *xml, const char *expect, ArmzNetIPDef *ip,
                              GError **error)
{
    g_autoptr(xmlDoc) doc = armz_xml_parse(xml, NET_LABEL, error);
    xmlNodePtr root = child_root(doc, expect, error);

    return root && parse_dhcp_child(ip, root, error);
}

gboolean
armz_network_dns_host_parse(const char *xml, ArmzNetworkDef *def, GError **error)
{
    g_autoptr(xmlDoc) doc = armz_xml_parse(xml, NET_LABEL, error);
    xmlNodePtr root = child_root(doc, "host", error);

    return root && parse_dns_child(def, root, error);
}
