/* virNetworkUpdate's edits of a definition (see network_update.h). The
 * matching rules and messages follow libvirt's network driver. */
#include <string.h>
#include <sys/socket.h>
#include <libvirt/libvirt.h>

#include "conf/domain_conf.h"
#include "conf/domain_parse_priv.h"
#include "util/armz-i18n.h"
#include "util/error.h"
#include "network/network_update.h"

/* virNetworkUpdateSection, as virsh spells them */
static const char *const section_names[] = {
    "none", "bridge", "domain", "ip", "ip-dhcp-host", "ip-dhcp-range", "forward",
    "forward-interface", "forward-pf", "portgroup", "dns-host", "dns-txt", "dns-srv",
};

static gboolean
unknown_command(unsigned int command, GError **error)
{
    return armz_conf_fail(error, VIR_ERR_NO_SUPPORT,
                          _("unrecognized network update command code %u"), command);
}

static gboolean
adding(unsigned int command)
{
    return command == VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST ||
           command == VIR_NETWORK_UPDATE_COMMAND_ADD_LAST;
}

/* The refusals every section shares: adding what is there already (AT is
 * its index), deleting or modifying what is not (AT < 0). */
static gboolean
check_presence(unsigned int command, int at, const char *exists, const char *missing,
               GError **error)
{
    if (adding(command) && at >= 0)
        return armz_conf_fail(error, VIR_ERR_OPERATION_INVALID, "%s", exists);
    if (!adding(command) && at < 0)
        return armz_conf_fail(error, VIR_ERR_OPERATION_INVALID, "%s", missing);
    return TRUE;
}

/* Where an added entry goes in an array of LEN entries. */
static guint
insert_at(unsigned int command, guint len)
{
    return command == VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST ? 0 : len;
}

/* The <ip> an entry of FAMILY (0: not given, taken as IPv4) goes into. */
static ArmzNetIPDef *
pick_ip(ArmzNetworkDef *def, int parent_index, int family, GError **error)
{
    if (parent_index >= 0) {
        if ((guint)parent_index < def->ips->len)
            return g_ptr_array_index(def->ips, parent_index);
        armz_conf_fail(error, VIR_ERR_OPERATION_INVALID,
                       _("network '%s' has no <ip> element at index %d"), def->name,
                       parent_index);
        return NULL;
    }
    for (guint i = 0; i < def->ips->len; i++) {
        ArmzNetIPDef *ip = g_ptr_array_index(def->ips, i);
        if (ip->address.family == (family ? family : AF_INET))
            return ip;
    }
    armz_conf_fail(error, VIR_ERR_OPERATION_INVALID, _("network '%s' has no %s <ip> element"),
                   def->name, family == AF_INET6 ? "IPv6" : "IPv4");
    return NULL;
}

/* ---- <dhcp><host> ---- */

static char *
host_text(const ArmzNetDhcpHost *h)
{
    GString *s = g_string_new("<host");
    char buf[46];

    if (h->has_mac) {
        armz_mac_format(h->mac, buf);
        g_string_append_printf(s, " mac='%s'", buf);
    }
    if (h->name)
        g_string_append_printf(s, " name='%s'", h->name);
    if (h->ip.family) {
        armz_ip_format(&h->ip, buf);
        g_string_append_printf(s, " ip='%s'", buf);
    }
    g_string_append(s, "/>");
    return g_string_free(s, FALSE);
}

static gboolean
same_mac(const ArmzNetDhcpHost *a, const ArmzNetDhcpHost *b)
{
    return a->has_mac && b->has_mac && memcmp(a->mac, b->mac, 6) == 0;
}

static gboolean
same_name(const ArmzNetDhcpHost *a, const ArmzNetDhcpHost *b)
{
    return a->name && b->name && g_str_equal(a->name, b->name);
}

static gboolean
same_ip(const ArmzNetDhcpHost *a, const ArmzNetDhcpHost *b)
{
    return a->ip.family && b->ip.family && armz_ip_compare(&a->ip, &b->ip) == 0;
}

/* Deleting needs every attribute the request gives to match. */
static gboolean
host_matches(const ArmzNetDhcpHost *have, const ArmzNetDhcpHost *req)
{
    return (req->has_mac || req->name || req->ip.family) &&
           (!req->has_mac || same_mac(have, req)) && (!req->name || same_name(have, req)) &&
           (!req->ip.family || same_ip(have, req));
}

static int
find_host(const ArmzNetIPDef *ip, const ArmzNetDhcpHost *req, unsigned int command)
{
    for (guint i = 0; i < ip->hosts->len; i++) {
        const ArmzNetDhcpHost *h = g_ptr_array_index(ip->hosts, i);
        gboolean hit;

        if (command == VIR_NETWORK_UPDATE_COMMAND_DELETE)
            hit = host_matches(h, req);
        else if (command == VIR_NETWORK_UPDATE_COMMAND_MODIFY)
            /* the key is the MAC, else the name (IPv6 hosts have no MAC) */
            hit = req->has_mac ? same_mac(h, req) : same_name(h, req);
        else
            hit = same_mac(h, req) || same_name(h, req) || same_ip(h, req);
        if (hit)
            return (int)i;
    }
    return -1;
}

static gboolean
update_dhcp_host(ArmzNetworkDef *def, unsigned int command, int parent_index,
                 const char *xml, GError **error)
{
    g_autoptr(ArmzNetIPDef) tmp = armz_network_ip_def_new();
    ArmzNetDhcpHost *req;
    ArmzNetIPDef *ip;
    g_autofree char *text = NULL;
    g_autofree char *exists = NULL;
    g_autofree char *missing = NULL;
    int at;

    if (!armz_network_dhcp_child_parse(xml, "host", tmp, error) ||
        !(ip = pick_ip(def, parent_index, ((ArmzNetDhcpHost *)tmp->hosts->pdata[0])->ip.family,
                       error)))
        return FALSE;
    req = g_ptr_array_index(tmp->hosts, 0);
    text = host_text(req);
    exists = g_strdup_printf(_("there is an existing dhcp host entry in network '%s' that "
                               "matches \"%s\""), def->name, text);
    missing = g_strdup_printf(_("couldn't locate a matching dhcp host entry in network '%s' "
                                "for \"%s\""), def->name, text);
    at = find_host(ip, req, command);
    if (!check_presence(command, at, exists, missing, error))
        return FALSE;
    if (!adding(command))
        g_ptr_array_remove_index(ip->hosts, at);
    if (command != VIR_NETWORK_UPDATE_COMMAND_DELETE)
        g_ptr_array_insert(ip->hosts, adding(command) ? (int)insert_at(command, ip->hosts->len)
                                                      : at,
                           g_ptr_array_steal_index(tmp->hosts, 0));
    ip->has_dhcp = TRUE;
    return TRUE;
}

/* ---- <dhcp><range> ---- */

static gboolean
update_dhcp_range(ArmzNetworkDef *def, unsigned int command, int parent_index,
                  const char *xml, GError **error)
{
    g_autoptr(ArmzNetIPDef) tmp = armz_network_ip_def_new();
    ArmzNetDhcpRange req;
    ArmzNetIPDef *ip;
    char s[46], e[46];
    g_autofree char *exists = NULL;
    g_autofree char *missing = NULL;
    int at = -1;

    if (!armz_network_dhcp_child_parse(xml, "range", tmp, error))
        return FALSE;
    req = g_array_index(tmp->ranges, ArmzNetDhcpRange, 0);
    if (command == VIR_NETWORK_UPDATE_COMMAND_MODIFY)
        return armz_conf_fail(error, VIR_ERR_NO_SUPPORT,
                              _("dhcp ranges cannot be modified, only added or deleted"));
    if (!(ip = pick_ip(def, parent_index, req.start.family, error)))
        return FALSE;
    armz_ip_format(&req.start, s);
    armz_ip_format(&req.end, e);
    for (guint i = 0; i < ip->ranges->len && at < 0; i++) {
        const ArmzNetDhcpRange *r = &g_array_index(ip->ranges, ArmzNetDhcpRange, i);
        if (armz_ip_compare(&r->start, &req.start) == 0 && armz_ip_compare(&r->end, &req.end) == 0)
            at = (int)i;
    }
    exists = g_strdup_printf(_("there is an existing dhcp range entry in network '%s' that "
                               "matches \"<range start='%s' end='%s'/>\""), def->name, s, e);
    missing = g_strdup_printf(_("couldn't locate a matching dhcp range entry in network '%s' "
                                "for \"<range start='%s' end='%s'/>\""), def->name, s, e);
    if (!check_presence(command, at, exists, missing, error))
        return FALSE;
    if (adding(command))
        g_array_insert_val(ip->ranges, insert_at(command, ip->ranges->len), req);
    else
        g_array_remove_index(ip->ranges, at);
    ip->has_dhcp = TRUE;
    return TRUE;
}

/* ---- <dns><host> ---- */

static gboolean
names_overlap(GStrv a, GStrv b)
{
    for (GStrv n = a; *n; n++)
        if (g_strv_contains((const char *const *)b, *n))
            return TRUE;
    return FALSE;
}

static gboolean
update_dns_host(ArmzNetworkDef *def, unsigned int command, const char *xml, GError **error)
{
    g_autoptr(ArmzNetworkDef) tmp = armz_network_def_new();
    ArmzNetDnsHost *req;
    char a[46];
    g_autofree char *exists = NULL;
    g_autofree char *missing = NULL;
    int at = -1;

    if (!armz_network_dns_host_parse(xml, tmp, error))
        return FALSE;
    if (command == VIR_NETWORK_UPDATE_COMMAND_MODIFY)
        return armz_conf_fail(error, VIR_ERR_NO_SUPPORT,
                              _("DNS HOST records cannot be modified, only added or deleted"));
    req = g_ptr_array_index(tmp->dns_hosts, 0);
    armz_ip_format(&req->ip, a);
    for (guint i = 0; i < def->dns_hosts->len && at < 0; i++) {
        const ArmzNetDnsHost *h = g_ptr_array_index(def->dns_hosts, i);
        gboolean same_ip = armz_ip_compare(&h->ip, &req->ip) == 0;

        if (command == VIR_NETWORK_UPDATE_COMMAND_DELETE
                ? same_ip && g_strv_equal((const char *const *)h->hostnames,
                                          (const char *const *)req->hostnames)
                : same_ip || names_overlap(h->hostnames, req->hostnames))
            at = (int)i;
    }
    exists = g_strdup_printf(_("there is already a DNS HOST record with address %s or one "
                               "of its names in network '%s'"), a, def->name);
    missing = g_strdup_printf(_("couldn't locate a matching DNS HOST record for address %s "
                                "in network '%s'"), a, def->name);
    if (!check_presence(command, at, exists, missing, error))
        return FALSE;
    if (adding(command))
        g_ptr_array_insert(def->dns_hosts, (int)insert_at(command, def->dns_hosts->len),
                           g_ptr_array_steal_index(tmp->dns_hosts, 0));
    else
        g_ptr_array_remove_index(def->dns_hosts, at);
    return TRUE;
}

gboolean
armz_network_def_update(ArmzNetworkDef *def, unsigned int command, unsigned int section,
                        int parent_index, const char *xml, GError **error)
{
    gboolean ok;

    if (command < VIR_NETWORK_UPDATE_COMMAND_MODIFY ||
        command > VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST)
        return unknown_command(command, error);
    switch (section) {
    case VIR_NETWORK_SECTION_IP_DHCP_HOST:
        ok = update_dhcp_host(def, command, parent_index, xml, error);
        break;
    case VIR_NETWORK_SECTION_IP_DHCP_RANGE:
        ok = update_dhcp_range(def, command, parent_index, xml, error);
        break;
    case VIR_NETWORK_SECTION_DNS_HOST:
        ok = update_dns_host(def, command, xml, error);
        break;
    default:
        if (section < G_N_ELEMENTS(section_names))
            return armz_conf_fail(error, VIR_ERR_NO_SUPPORT,
                                  _("can't update '%s' section of network '%s'"),
                                  section_names[section], def->name);
        return armz_conf_fail(error, VIR_ERR_NO_SUPPORT,
                              _("can't update unrecognized section %u of network '%s'"),
                              section, def->name);
    }
    return ok && armz_network_def_check(def, error);
}
