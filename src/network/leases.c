/* dnsmasq lease file parsing (see leases.h). Lines are
 *   EXPIRY MAC IPv4 HOSTNAME CLIENTID
 * and, after a "duid SERVER-DUID" line,
 *   EXPIRY IAID IPv6 HOSTNAME CLIENT-DUID
 * with "*" for an absent hostname or client id. */
#include <string.h>
#include <sys/socket.h>

#include "conf/domain_conf.h"
#include "network/leases.h"

void
armz_network_lease_free(ArmzNetworkLease *lease)
{
    if (!lease)
        return;
    g_free(lease->mac);
    g_free(lease->iaid);
    g_free(lease->ip);
    g_free(lease->hostname);
    g_free(lease->clientid);
    g_free(lease);
}

static char *
field(const char *v)
{
    return v && !g_str_equal(v, "*") ? g_strdup(v) : NULL;
}

static unsigned
prefix_for(const ArmzNetworkDef *def, const ArmzIPAddr *a)
{
    for (guint i = 0; i < def->ips->len; i++) {
        const ArmzNetIPDef *ip = g_ptr_array_index(def->ips, i);
        if (armz_ip_in_subnet(a, &ip->address, ip->prefix))
            return ip->prefix;
    }
    return a->family == AF_INET ? 24 : 64;
}

GPtrArray *
armz_leases_parse(const char *text, const ArmzNetworkDef *def, const char *mac, gint64 now)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)armz_network_lease_free);
    g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);

    for (GStrv l = lines; *l; l++) {
        g_auto(GStrv) f = g_strsplit_set(g_strstrip(*l), " \t", -1);
        guint n = g_strv_length(f);
        ArmzNetworkLease *lease;
        ArmzIPAddr addr;
        guint64 expiry;

        if (n < 4 || g_str_equal(f[0], "duid"))
            continue;
        if (!g_ascii_string_to_unsigned(f[0], 10, 0, G_MAXINT64, &expiry, NULL) ||
            !armz_ip_parse(f[2], &addr))
            continue;
        if (expiry != 0 && (gint64)expiry < now)
            continue;
        lease = g_new0(ArmzNetworkLease, 1);
        lease->expiry = (gint64)expiry;
        lease->family = addr.family;
        lease->ip = armz_ip_to_string(&addr);
        lease->prefix = prefix_for(def, &addr);
        lease->hostname = field(f[3]);
        lease->clientid = n > 4 ? field(f[4]) : NULL;
        if (addr.family == AF_INET) {
            unsigned char m[6];
            char ms[18];
            if (armz_mac_parse(f[1], m)) {
                armz_mac_format(m, ms);
                lease->mac = g_strdup(ms);
            }
        } else {
            lease->iaid = g_strdup(f[1]);
        }
        if (mac && (!lease->mac || g_ascii_strcasecmp(mac, lease->mac) != 0)) {
            armz_network_lease_free(lease);
            continue;
        }
        g_ptr_array_add(out, lease);
    }
    return out;
}
