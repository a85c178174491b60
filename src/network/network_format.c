/* Network XML output, in libvirt's element order and style. */
#include <sys/socket.h>

#include "conf/domain_conf.h"
#include "conf/xml_util.h"
#include "network/network_conf.h"

static void
ip_attr(GString *buf, const char *name, const ArmzIPAddr *a)
{
    char s[46];
    armz_ip_format(a, s);
    armz_xml_attr_append(buf, name, s);
}

static void
format_ip(GString *buf, const ArmzNetIPDef *ip)
{
    armz_xml_indent(buf, 1);
    g_string_append(buf, "<ip");
    if (ip->address.family == AF_INET6)
        armz_xml_attr_append(buf, "family", "ipv6");
    ip_attr(buf, "address", &ip->address);
    if (ip->netmask_form) {
        ArmzIPAddr mask;
        armz_ip_prefix_to_netmask(ip->prefix, &mask);
        ip_attr(buf, "netmask", &mask);
    } else {
        g_autofree char *p = g_strdup_printf("%u", ip->prefix);
        armz_xml_attr_append(buf, "prefix", p);
    }
    if (!ip->has_dhcp && !ip->ranges->len && !ip->hosts->len) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append(buf, ">\n");
    armz_xml_indent(buf, 2);
    if (!ip->ranges->len && !ip->hosts->len) {
        g_string_append(buf, "<dhcp/>\n");
    } else {
        g_string_append(buf, "<dhcp>\n");
        for (guint i = 0; i < ip->ranges->len; i++) {
            const ArmzNetDhcpRange *r = &g_array_index(ip->ranges, ArmzNetDhcpRange, i);
            armz_xml_indent(buf, 3);
            g_string_append(buf, "<range");
            ip_attr(buf, "start", &r->start);
            ip_attr(buf, "end", &r->end);
            g_string_append(buf, "/>\n");
        }
        for (guint i = 0; i < ip->hosts->len; i++) {
            const ArmzNetDhcpHost *h = g_ptr_array_index(ip->hosts, i);
            armz_xml_indent(buf, 3);
            g_string_append(buf, "<host");
            if (h->has_mac) {
                char m[18];
                armz_mac_format(h->mac, m);
                armz_xml_attr_append(buf, "mac", m);
            }
            if (h->name)
                armz_xml_attr_append(buf, "name", h->name);
            if (h->ip.family)
                ip_attr(buf, "ip", &h->ip);
            g_string_append(buf, "/>\n");
        }
        armz_xml_indent(buf, 2);
        g_string_append(buf, "</dhcp>\n");
    }
    armz_xml_indent(buf, 1);
    g_string_append(buf, "</ip>\n");
}

char *
armz_network_def_format(const ArmzNetworkDef *def)
{
    GString *buf = g_string_new("<network>\n");
    char uuid[37];

    armz_xml_text_element(buf, 1, "name", def->name);
    armz_uuid_format(def->uuid, uuid);
    armz_xml_text_element(buf, 1, "uuid", uuid);
    if (def->forward != ARMZ_NET_FORWARD_NONE) {
        armz_xml_indent(buf, 1);
        g_string_append(buf, "<forward");
        armz_xml_attr_append(buf, "mode", armz_network_forward_to_string(def->forward));
        if (def->forward_dev)
            armz_xml_attr_append(buf, "dev", def->forward_dev);
        g_string_append(buf, "/>\n");
    }
    if (def->bridge) {
        armz_xml_indent(buf, 1);
        g_string_append(buf, "<bridge");
        armz_xml_attr_append(buf, "name", def->bridge);
        if (armz_network_def_is_managed(def)) {
            g_autofree char *delay = g_strdup_printf("%u", def->delay);
            armz_xml_attr_append(buf, "stp", def->stp ? "on" : "off");
            armz_xml_attr_append(buf, "delay", delay);
        }
        g_string_append(buf, "/>\n");
    }
    if (def->mtu) {
        g_autofree char *mtu = g_strdup_printf("%u", def->mtu);
        armz_xml_indent(buf, 1);
        g_string_append(buf, "<mtu");
        armz_xml_attr_append(buf, "size", mtu);
        g_string_append(buf, "/>\n");
    }
    if (def->has_mac) {
        char m[18];
        armz_mac_format(def->mac, m);
        armz_xml_indent(buf, 1);
        g_string_append(buf, "<mac");
        armz_xml_attr_append(buf, "address", m);
        g_string_append(buf, "/>\n");
    }
    if (def->domain) {
        armz_xml_indent(buf, 1);
        g_string_append(buf, "<domain");
        armz_xml_attr_append(buf, "name", def->domain);
        if (def->domain_local_only)
            armz_xml_attr_append(buf, "localOnly", "yes");
        g_string_append(buf, "/>\n");
    }
    if (def->dns_hosts->len) {
        armz_xml_indent(buf, 1);
        g_string_append(buf, "<dns>\n");
        for (guint i = 0; i < def->dns_hosts->len; i++) {
            const ArmzNetDnsHost *h = g_ptr_array_index(def->dns_hosts, i);
            armz_xml_indent(buf, 2);
            g_string_append(buf, "<host");
            ip_attr(buf, "ip", &h->ip);
            g_string_append(buf, ">\n");
            for (GStrv n = h->hostnames; *n; n++)
                armz_xml_text_element(buf, 3, "hostname", *n);
            armz_xml_indent(buf, 2);
            g_string_append(buf, "</host>\n");
        }
        armz_xml_indent(buf, 1);
        g_string_append(buf, "</dns>\n");
    }
    for (guint i = 0; i < def->ips->len; i++)
        format_ip(buf, g_ptr_array_index(def->ips, i));
    g_string_append(buf, "</network>\n");
    return g_string_free(buf, FALSE);
}
