/* What networks share on the host: bridge names, subnets and the nftables
 * rules (see network_priv.h; host_lock held unless said otherwise). */
#include <string.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "network/bridge.h"
#include "network/network_addr.h"
#include "network/network_priv.h"
#include "network/nftables.h"

#define BRIDGE_TEMPLATE "armzbr%u"
#define BRIDGE_AUTO_MAX 4096

/* The name of a managed network other than SELF whose definitions use
 * BRIDGE, or NULL; with CLAIMED, only networks that are active or
 * starting count. */
static char *
bridge_user(ArmzNetworkDriver *drv, const char *bridge, const ArmzNetworkObj *self,
            gboolean managed_only, gboolean claimed)
{
    g_autoptr(GPtrArray) all = armz_obj_list_collect(drv->nets);
    char *user = NULL;

    for (guint i = 0; i < all->len && !user; i++) {
        ArmzNetworkObj *obj = g_ptr_array_index(all, i);

        if (obj == self)
            continue;
        g_mutex_lock(&obj->lock);
        if ((!managed_only || armz_network_def_is_managed(obj->def)) &&
            (!claimed || obj->claimed) &&
            (g_strcmp0(obj->def->bridge, bridge) == 0 ||
             (!claimed && obj->newdef && g_strcmp0(obj->newdef->bridge, bridge) == 0)))
            user = g_strdup(obj->name);
        g_mutex_unlock(&obj->lock);
    }
    return user;
}

static gboolean
assign_bridge(ArmzNetworkDriver *drv, ArmzNetworkDef *def, const ArmzNetworkObj *self,
              GError **error)
{
    for (unsigned n = 0; n < BRIDGE_AUTO_MAX; n++) {
        g_autofree char *name = g_strdup_printf(BRIDGE_TEMPLATE, n);
        g_autofree char *user = bridge_user(drv, name, self, FALSE, FALSE);

        if (!user && !armz_bridge_if_exists(name)) {
            def->bridge = g_steal_pointer(&name);
            return TRUE;
        }
    }
    g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                _("no free bridge name for network '%s'"), def->name);
    return FALSE;
}

static void
generate_mac(unsigned char mac[6])
{
    /* libvirt's prefix, as for guests */
    mac[0] = 0x52;
    mac[1] = 0x54;
    mac[2] = 0x00;
    for (int i = 3; i < 6; i++)
        mac[i] = (unsigned char)g_random_int_range(0, 256);
}

gboolean
armz_net_complete_def(ArmzNetworkDriver *drv, ArmzNetworkDef *def, ArmzNetworkObj *self,
                      GError **error)
{
    /* SELF's definitions change only under its job, which we hold */
    const ArmzNetworkDef *old = self ? armz_net_config(self) : NULL;
    g_autofree char *other = NULL;

    if (!def->bridge && old && old->bridge && armz_network_def_is_managed(old))
        def->bridge = g_strdup(old->bridge);
    if (!def->bridge && !assign_bridge(drv, def, self, error))
        return FALSE;
    if (!armz_network_def_is_managed(def))
        return TRUE;
    if (!def->has_mac) {
        if (old && old->has_mac)
            memcpy(def->mac, old->mac, 6);
        else
            generate_mac(def->mac);
        def->has_mac = TRUE;
    }
    if ((other = bridge_user(drv, def->bridge, self, TRUE, FALSE))) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("bridge name '%s' is already in use by network '%s'"), def->bridge, other);
        return FALSE;
    }
    /* a host interface of that name: ours only while we run it */
    if (armz_bridge_if_exists(def->bridge) &&
        !(self && self->active && g_strcmp0(self->def->bridge, def->bridge) == 0)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("bridge name '%s' is already in use by a host interface"), def->bridge);
        return FALSE;
    }
    return TRUE;
}

/* Refuses DEF's subnets when another claimed network has one that overlaps. */
static gboolean
check_network_subnets(ArmzNetworkDriver *drv, const ArmzNetworkObj *self,
                      const ArmzNetworkDef *def, GError **error)
{
    g_autoptr(GPtrArray) all = armz_obj_list_collect(drv->nets);
    gboolean ok = TRUE;

    for (guint j = 0; j < all->len && ok; j++) {
        ArmzNetworkObj *obj = g_ptr_array_index(all, j);

        if (obj == self)
            continue;
        g_mutex_lock(&obj->lock);
        for (guint i = 0; obj->claimed && ok && i < def->ips->len; i++) {
            const ArmzNetIPDef *ip = g_ptr_array_index(def->ips, i);
            for (guint k = 0; ok && k < obj->def->ips->len; k++) {
                const ArmzNetIPDef *o = g_ptr_array_index(obj->def->ips, k);
                char a[46];

                if (!armz_ip_subnets_overlap(&ip->address, ip->prefix, &o->address, o->prefix))
                    continue;
                armz_ip_format(&ip->address, a);
                g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                            _("network '%s' (%s/%u) overlaps active network '%s'"),
                            def->name, a, ip->prefix, obj->name);
                ok = FALSE;
            }
        }
        g_mutex_unlock(&obj->lock);
    }
    return ok;
}

/* Refuses DEF's subnets when a host interface (other than its bridge) has
 * an address in one: its traffic would go to the wrong place. */
static gboolean
check_host_subnets(const ArmzNetworkDef *def, GError **error)
{
    struct ifaddrs *ifa = NULL;
    gboolean ok = TRUE;

    if (getifaddrs(&ifa) < 0)
        return TRUE;
    for (struct ifaddrs *p = ifa; p && ok; p = p->ifa_next) {
        ArmzIPAddr host;
        const void *raw;

        if (!p->ifa_addr || g_strcmp0(p->ifa_name, def->bridge) == 0)
            continue;
        memset(&host, 0, sizeof(host));
        if (p->ifa_addr->sa_family == AF_INET) {
            raw = &((struct sockaddr_in *)p->ifa_addr)->sin_addr;
            memcpy(host.bytes, raw, 4);
        } else if (p->ifa_addr->sa_family == AF_INET6) {
            raw = &((struct sockaddr_in6 *)p->ifa_addr)->sin6_addr;
            memcpy(host.bytes, raw, 16);
            if (host.bytes[0] == 0xfe && (host.bytes[1] & 0xc0) == 0x80)
                continue;   /* link-local addresses are per interface */
        } else {
            continue;
        }
        host.family = p->ifa_addr->sa_family;
        for (guint i = 0; i < def->ips->len; i++) {
            const ArmzNetIPDef *ip = g_ptr_array_index(def->ips, i);
            if (armz_ip_in_subnet(&host, &ip->address, ip->prefix)) {
                char a[46], h[46];
                armz_ip_format(&ip->address, a);
                armz_ip_format(&host, h);
                g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                            _("network '%s' (%s/%u) is already in use by interface '%s' "
                              "(address %s)"), def->name, a, ip->prefix, p->ifa_name, h);
                ok = FALSE;
                break;
            }
        }
    }
    freeifaddrs(ifa);
    return ok;
}

gboolean
armz_net_claim(ArmzNetworkDriver *drv, ArmzNetworkObj *obj, const ArmzNetworkDef *live,
               GError **error)
{
    g_autofree char *other = NULL;

    if (armz_network_def_is_managed(live)) {
        if ((other = bridge_user(drv, live->bridge, obj, TRUE, TRUE))) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                        _("bridge name '%s' is already in use by network '%s'"),
                        live->bridge, other);
            return FALSE;
        }
        if (!check_network_subnets(drv, obj, live, error) || !check_host_subnets(live, error))
            return FALSE;
    }
    g_mutex_lock(&obj->lock);
    obj->claimed = TRUE;
    g_mutex_unlock(&obj->lock);
    return TRUE;
}

gboolean
armz_net_apply_rules(ArmzNetworkDriver *drv, GError **error)
{
    g_autoptr(GPtrArray) all = armz_obj_list_collect(drv->nets);
    g_autoptr(GPtrArray) defs = g_ptr_array_new_with_free_func((GDestroyNotify)armz_network_def_free);
    gboolean ok;

    /* one nft run at a time, from copies: the rules are of all networks */
    g_mutex_lock(&drv->host_lock);
    for (guint i = 0; i < all->len; i++) {
        ArmzNetworkObj *obj = g_ptr_array_index(all, i);
        g_mutex_lock(&obj->lock);
        if (obj->active)
            g_ptr_array_add(defs, armz_network_def_copy(obj->def));
        g_mutex_unlock(&obj->lock);
    }
    ok = armz_nft_apply(defs, error);
    g_mutex_unlock(&drv->host_lock);
    return ok;
}
