/* Our nftables table (see nftables.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "util/names.h"
#include "network/network_cmd.h"
#include "network/nftables.h"

static gboolean
forwards(const ArmzNetworkDef *def)
{
    return def->forward == ARMZ_NET_FORWARD_NAT || def->forward == ARMZ_NET_FORWARD_ROUTE;
}

/* Networks whose traffic we filter: all managed ones but 'open' (whose
 * point is that we add no rules). */
static gboolean
has_rules(const ArmzNetworkDef *def)
{
    return armz_network_def_is_managed(def) && def->forward != ARMZ_NET_FORWARD_OPEN &&
           def->bridge;
}

static void
subnet(const ArmzNetIPDef *ip, char out[64])
{
    ArmzIPAddr n;
    char s[46];

    armz_ip_network(&ip->address, ip->prefix, &n);
    armz_ip_format(&n, s);
    g_snprintf(out, 64, "%s/%u", s, ip->prefix);
}

/* Values are checked where they are written into the script that root's
 * nft runs, whatever the parser let through: a newline would end a comment
 * or string and start a command of its own ("flush ruleset"). Interface
 * names go inside "...", where nft has no escapes and a '*' makes a
 * wildcard that would match other interfaces. */
#define NFT_QUOTED_SPECIAL "\"\\*"

static gboolean
value_ok(const char *what, const char *value, const char *special, GError **error)
{
    return armz_config_value_check(_("the nftables rules"), what, value, special, error);
}

static gboolean
values_ok(const ArmzNetworkDef *def, GError **error)
{
    return value_ok(_("network name"), def->name, NULL, error) &&
           value_ok(_("bridge name"), def->bridge, NFT_QUOTED_SPECIAL, error) &&
           (!def->forward_dev ||
            value_ok(_("forward device"), def->forward_dev, NFT_QUOTED_SPECIAL, error));
}

static void
forward_rules(GString *s, const ArmzNetworkDef *def)
{
    const char *br = def->bridge;
    g_autofree char *out_dev = def->forward_dev
        ? g_strdup_printf(" oifname \"%s\"", def->forward_dev) : g_strdup("");
    g_autofree char *in_dev = def->forward_dev
        ? g_strdup_printf(" iifname \"%s\"", def->forward_dev) : g_strdup("");

    g_string_append_printf(s, "    # network '%s'\n", def->name);
    g_string_append_printf(s, "    iifname \"%s\" oifname \"%s\" accept\n", br, br);
    for (guint i = 0; forwards(def) && i < def->ips->len; i++) {
        const ArmzNetIPDef *ip = g_ptr_array_index(def->ips, i);
        const char *fam = ip->address.family == AF_INET ? "ip" : "ip6";
        /* IPv6 is routed even on a NAT network, as libvirt does */
        gboolean nat = def->forward == ARMZ_NET_FORWARD_NAT && ip->address.family == AF_INET;
        char net[64];

        subnet(ip, net);
        g_string_append_printf(s, "    iifname \"%s\"%s %s saddr %s accept\n",
                               br, out_dev, fam, net);
        if (nat)
            g_string_append_printf(s, "    oifname \"%s\"%s %s daddr %s ct state "
                                      "established,related accept\n", br, in_dev, fam, net);
        else
            g_string_append_printf(s, "    oifname \"%s\"%s %s daddr %s accept\n",
                                   br, in_dev, fam, net);
    }
    /* anything else in or out of the network is refused */
    g_string_append_printf(s, "    iifname \"%s\" reject\n", br);
    g_string_append_printf(s, "    oifname \"%s\" reject\n", br);
}

static void
nat_rules(GString *s, const ArmzNetworkDef *def)
{
    const ArmzNetIPDef *ip = armz_network_def_ip(def, AF_INET);
    g_autofree char *out_dev = def->forward_dev
        ? g_strdup_printf(" oifname \"%s\"", def->forward_dev) : g_strdup("");
    char net[64];

    if (def->forward != ARMZ_NET_FORWARD_NAT || !ip)
        return;
    subnet(ip, net);
    g_string_append_printf(s, "    # network '%s'\n", def->name);
    /* multicast and broadcast keep their source */
    g_string_append_printf(s, "    ip saddr %s ip daddr 224.0.0.0/24 return\n", net);
    g_string_append_printf(s, "    ip saddr %s ip daddr 255.255.255.255 return\n", net);
    g_string_append_printf(s, "    ip saddr %s ip daddr != %s%s masquerade\n", net, net, out_dev);
}

char *
armz_nft_script(const GPtrArray *nets, GError **error)
{
    GString *s;
    gboolean any = FALSE;

    for (guint i = 0; i < nets->len; i++) {
        const ArmzNetworkDef *def = g_ptr_array_index(nets, i);
        if (has_rules(def) && !values_ok(def, error))
            return NULL;
    }
    s = g_string_new(NULL);

    /* create-then-delete makes the delete succeed whether or not the table
     * existed; the whole script is one transaction */
    g_string_append(s, "table inet " ARMZ_NFT_TABLE " {}\n");
    g_string_append(s, "delete table inet " ARMZ_NFT_TABLE "\n");
    for (guint i = 0; i < nets->len; i++)
        any |= has_rules(g_ptr_array_index(nets, i));
    if (!any)
        return g_string_free(s, FALSE);

    g_string_append(s, "table inet " ARMZ_NFT_TABLE " {\n");
    g_string_append(s, "  chain forward {\n");
    g_string_append(s, "    type filter hook forward priority filter; policy accept;\n");
    for (guint i = 0; i < nets->len; i++) {
        const ArmzNetworkDef *def = g_ptr_array_index(nets, i);
        if (has_rules(def))
            forward_rules(s, def);
    }
    g_string_append(s, "  }\n");
    g_string_append(s, "  chain postrouting {\n");
    g_string_append(s, "    type nat hook postrouting priority srcnat; policy accept;\n");
    for (guint i = 0; i < nets->len; i++) {
        const ArmzNetworkDef *def = g_ptr_array_index(nets, i);
        if (has_rules(def))
            nat_rules(s, def);
    }
    g_string_append(s, "  }\n");
    g_string_append(s, "}\n");
    return g_string_free(s, FALSE);
}

gboolean
armz_nft_apply(const GPtrArray *nets, GError **error)
{
    g_autofree char *script = armz_nft_script(nets, error);
    const char *argv[] = { "nft", "-f", "-", NULL };
    gboolean any = FALSE;

    if (!script)
        return FALSE;

    for (guint i = 0; i < nets->len; i++)
        any |= has_rules(g_ptr_array_index(nets, i));
    if (!any) {
        /* without nft there can be no table of ours to remove either */
        g_autofree char *nft = armz_net_tool("nft", NULL);
        if (!nft)
            return TRUE;
    }

    if (!armz_net_run(argv, script, NULL, error)) {
        g_prefix_error(error, _("cannot install the nftables rules of the networks: "));
        return FALSE;
    }
    return TRUE;
}

static gboolean
write_one(const char *path, GError **error)
{
    g_autofree char *cur = NULL;
    gboolean ok;
    FILE *f;

    if (g_file_get_contents(path, &cur, NULL, NULL) && g_str_has_prefix(cur, "1"))
        return TRUE;
    /* /proc wants a plain write, not a renamed temporary file */
    f = fopen(path, "w");
    ok = f != NULL;
    if (ok) {
        ok = fputs("1\n", f) >= 0;
        ok = (fclose(f) == 0) && ok;
    }
    if (!ok) {
        int e = errno;
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot enable IP forwarding in '%s': %s"), path, g_strerror(e));
        return FALSE;
    }
    armz_info("enabled IP forwarding (%s)", path);
    return TRUE;
}

gboolean
armz_net_enable_forwarding(const GPtrArray *nets, GError **error)
{
    gboolean v4 = FALSE, v6 = FALSE;

    for (guint i = 0; i < nets->len; i++) {
        const ArmzNetworkDef *def = g_ptr_array_index(nets, i);
        if (!forwards(def))
            continue;
        v4 |= armz_network_def_ip(def, AF_INET) != NULL;
        v6 |= armz_network_def_ip(def, AF_INET6) != NULL;
    }
    if (v4 && !write_one("/proc/sys/net/ipv4/ip_forward", error))
        return FALSE;
    if (v6 && !write_one("/proc/sys/net/ipv6/conf/all/forwarding", error))
        return FALSE;
    return TRUE;
}
