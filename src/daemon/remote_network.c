/* The network driver's procedures: define, start, list, leases... (events
 * are in remote_network_events.c, domifaddr in remote_network_ifaddr.c). */
#include <string.h>
#include <sys/socket.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "network/network_driver.h"
#include "daemon/daemon.h"
#include "daemon/remote_network.h"

#define NETDRV armz_daemon->network

static void
make_net(armz_nonnull_network *out, const ArmzNetworkRef *ref)
{
    out->name = g_strdup(ref->name);
    memcpy(out->uuid, ref->uuid, 16);
}

#define NET_UUID(a) ((const unsigned char *)((armz_network_args *)(a))->net.uuid)

static gboolean
ref_reply(gboolean ok, ArmzNetworkRef *ref, void *r)
{
    if (ok)
        make_net(&((armz_network_ret *)r)->net, ref);
    armz_network_ref_clear(ref);
    return ok;
}

static gboolean
h_lookup_by_name(ArmzClient *client, void *a, void *r, GError **error)
{
    ArmzNetworkRef ref = { 0 };
    const char *name = ((armz_network_lookup_by_name_args *)a)->name;
    return ref_reply(armz_network_lookup_name(NETDRV, name, &ref, error), &ref, r);
}

static gboolean
h_lookup_by_uuid(ArmzClient *client, void *a, void *r, GError **error)
{
    ArmzNetworkRef ref = { 0 };
    const unsigned char *uuid =
        (const unsigned char *)((armz_network_lookup_by_uuid_args *)a)->uuid;
    return ref_reply(armz_network_lookup_uuid(NETDRV, uuid, &ref, error), &ref, r);
}

static gboolean
h_define_xml(ArmzClient *client, void *a, void *r, GError **error)
{
    ArmzNetworkRef ref = { 0 };
    const char *xml = ((armz_network_xml_args *)a)->xml;
    return ref_reply(armz_network_define(NETDRV, xml, 0, &ref, error), &ref, r);
}

static gboolean
h_define_xml_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_network_xml_flags_args *args = a;
    ArmzNetworkRef ref = { 0 };
    return ref_reply(armz_network_define(NETDRV, args->xml, args->flags, &ref, error),
                     &ref, r);
}

static gboolean
h_create_xml(ArmzClient *client, void *a, void *r, GError **error)
{
    ArmzNetworkRef ref = { 0 };
    const char *xml = ((armz_network_xml_args *)a)->xml;
    return ref_reply(armz_network_create_xml(NETDRV, xml, 0, &ref, error), &ref, r);
}

static gboolean
h_create_xml_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_network_xml_flags_args *args = a;
    ArmzNetworkRef ref = { 0 };
    return ref_reply(armz_network_create_xml(NETDRV, args->xml, args->flags, &ref, error),
                     &ref, r);
}

static gboolean
h_undefine(ArmzClient *client, void *a, void *r, GError **error)
{
    return armz_network_undefine(NETDRV, NET_UUID(a), error);
}

static gboolean
h_create(ArmzClient *client, void *a, void *r, GError **error)
{
    return armz_network_start(NETDRV, NET_UUID(a), error);
}

static gboolean
h_destroy(ArmzClient *client, void *a, void *r, GError **error)
{
    return armz_network_destroy(NETDRV, NET_UUID(a), error);
}

static gboolean
h_get_xml_desc(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_network_flags_args *args = a;
    char *xml = armz_network_get_xml(NETDRV, (const unsigned char *)args->net.uuid,
                                     args->flags, error);
    ((armz_string_ret *)r)->str = xml;
    return xml != NULL;
}

static gboolean
h_get_bridge_name(ArmzClient *client, void *a, void *r, GError **error)
{
    char *br = armz_network_get_bridge(NETDRV, NET_UUID(a), error);
    ((armz_string_ret *)r)->str = br;
    return br != NULL;
}

typedef gboolean (*StateField)(const ArmzNetworkState *st);
static gboolean f_active(const ArmzNetworkState *st) { return st->active; }
static gboolean f_persistent(const ArmzNetworkState *st) { return st->persistent; }
static gboolean f_autostart(const ArmzNetworkState *st) { return st->autostart; }

static gboolean
state_reply(void *a, void *r, StateField field, GError **error)
{
    ArmzNetworkState st;

    if (!armz_network_get_state(NETDRV, NET_UUID(a), &st, error))
        return FALSE;
    ((armz_int_ret *)r)->value = field(&st) ? 1 : 0;
    return TRUE;
}

static gboolean
h_is_active(ArmzClient *client, void *a, void *r, GError **error)
{
    return state_reply(a, r, f_active, error);
}

static gboolean
h_is_persistent(ArmzClient *client, void *a, void *r, GError **error)
{
    return state_reply(a, r, f_persistent, error);
}

static gboolean
h_get_autostart(ArmzClient *client, void *a, void *r, GError **error)
{
    return state_reply(a, r, f_autostart, error);
}

static gboolean
h_set_autostart(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_network_set_autostart_args *args = a;
    return armz_network_set_autostart(NETDRV, (const unsigned char *)args->net.uuid,
                                      args->autostart != 0, error);
}

static gboolean
h_update(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_network_update_args *args = a;
    return armz_network_update(NETDRV, (const unsigned char *)args->net.uuid,
                               args->command, args->section, args->parent_index, args->xml,
                               args->flags, error);
}

static gboolean
h_list_all(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_list_all_networks_args *args = a;
    armz_connect_list_all_networks_ret *ret = r;
    g_autoptr(GArray) list = armz_network_list(NETDRV, args->flags, error);

    if (!list)
        return FALSE;
    if (list->len > ARMZ_NETWORK_LIST_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("too many networks (%u) for one reply"), list->len);
        return FALSE;
    }
    if (args->need_results) {
        ret->nets.nets_len = list->len;
        ret->nets.nets_val = g_new0(armz_nonnull_network, MAX(list->len, 1));
        for (guint i = 0; i < list->len; i++)
            make_net(&ret->nets.nets_val[i], &g_array_index(list, ArmzNetworkRef, i));
    }
    ret->ret = list->len;
    return TRUE;
}

/* The legacy calls: counts and names of active or inactive networks. */
static GArray *
list_state(gboolean active, GError **error)
{
    return armz_network_list(NETDRV, active ? VIR_CONNECT_LIST_NETWORKS_ACTIVE
                                                 : VIR_CONNECT_LIST_NETWORKS_INACTIVE, error);
}

static gboolean
num_of(gboolean active, void *r, GError **error)
{
    g_autoptr(GArray) list = list_state(active, error);

    if (!list)
        return FALSE;
    ((armz_int_ret *)r)->value = (int)list->len;
    return TRUE;
}

static gboolean
names_of(gboolean active, void *a, void *r, GError **error)
{
    int max = ((armz_connect_list_networks_args *)a)->maxnames;
    armz_connect_list_networks_ret *ret = r;
    g_autoptr(GArray) list = NULL;
    guint n;

    if (max < 0 || max > ARMZ_NETWORK_LIST_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("maximum list length %d is outside 0..%d"), max, ARMZ_NETWORK_LIST_MAX);
        return FALSE;
    }
    if (!(list = list_state(active, error)))
        return FALSE;
    n = MIN(list->len, (guint)max);
    ret->names.names_len = n;
    ret->names.names_val = g_new0(armz_nonnull_string, MAX(n, 1));
    for (guint i = 0; i < n; i++)
        ret->names.names_val[i] = g_strdup(g_array_index(list, ArmzNetworkRef, i).name);
    return TRUE;
}

static gboolean
h_num_of_networks(ArmzClient *client, void *a, void *r, GError **error)
{
    return num_of(TRUE, r, error);
}

static gboolean
h_num_of_defined(ArmzClient *client, void *a, void *r, GError **error)
{
    return num_of(FALSE, r, error);
}

static gboolean
h_list_networks(ArmzClient *client, void *a, void *r, GError **error)
{
    return names_of(TRUE, a, r, error);
}

static gboolean
h_list_defined(ArmzClient *client, void *a, void *r, GError **error)
{
    return names_of(FALSE, a, r, error);
}

static char *
opt_str(const char *s)
{
    return s ? g_strdup(s) : NULL;
}

static armz_string
wire_opt(const char *s)
{
    armz_string out = NULL;

    if (s) {
        out = g_new0(armz_nonnull_string, 1);
        *out = g_strdup(s);
    }
    return out;
}

static gboolean
h_get_dhcp_leases(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_network_get_dhcp_leases_args *args = a;
    armz_network_get_dhcp_leases_ret *ret = r;
    g_autofree char *bridge = NULL;
    g_autoptr(GPtrArray) leases = NULL;
    g_autofree char *mac = opt_str(args->mac ? *args->mac : NULL);
    const unsigned char *uuid = (const unsigned char *)args->net.uuid;

    leases = armz_network_get_leases(NETDRV, uuid, mac, args->flags, error);
    if (!leases || !(bridge = armz_network_get_bridge(NETDRV, uuid, error)))
        return FALSE;
    if (leases->len > ARMZ_NETWORK_DHCP_LEASES_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("too many leases (%u) for one reply"), leases->len);
        return FALSE;
    }
    if (args->need_results) {
        ret->leases.leases_len = leases->len;
        ret->leases.leases_val = g_new0(armz_network_dhcp_lease, MAX(leases->len, 1));
        for (guint i = 0; i < leases->len; i++) {
            const ArmzNetworkLease *l = g_ptr_array_index(leases, i);
            armz_network_dhcp_lease *w = &ret->leases.leases_val[i];

            w->iface = g_strdup(bridge);
            w->expirytime = l->expiry;
            w->type = l->family == AF_INET6 ? VIR_IP_ADDR_TYPE_IPV6 : VIR_IP_ADDR_TYPE_IPV4;
            w->mac = wire_opt(l->mac);
            w->iaid = wire_opt(l->iaid);
            w->ipaddr = g_strdup(l->ip);
            w->prefix = l->prefix;
            w->hostname = wire_opt(l->hostname);
            w->clientid = wire_opt(l->clientid);
        }
    }
    ret->ret = leases->len;
    return TRUE;
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_CONNECT_LIST_DEFINED_NETWORKS, ARMZ_ARGS(armz_connect_list_networks_args),
      ARMZ_RET(armz_connect_list_networks_ret), h_list_defined, 0 },
    { REMOTE_PROC_CONNECT_LIST_NETWORKS, ARMZ_ARGS(armz_connect_list_networks_args),
      ARMZ_RET(armz_connect_list_networks_ret), h_list_networks, 0 },
    { REMOTE_PROC_NETWORK_CREATE, ARMZ_ARGS(armz_network_args), ARMZ_NORET, h_create, 0 },
    { REMOTE_PROC_NETWORK_CREATE_XML, ARMZ_ARGS(armz_network_xml_args), ARMZ_RET(armz_network_ret),
      h_create_xml, 0 },
    { REMOTE_PROC_NETWORK_DEFINE_XML, ARMZ_ARGS(armz_network_xml_args), ARMZ_RET(armz_network_ret),
      h_define_xml, 0 },
    { REMOTE_PROC_NETWORK_DESTROY, ARMZ_ARGS(armz_network_args), ARMZ_NORET, h_destroy, 0 },
    { REMOTE_PROC_NETWORK_GET_XML_DESC, ARMZ_ARGS(armz_network_flags_args),
      ARMZ_RET(armz_string_ret), h_get_xml_desc, 0 },
    { REMOTE_PROC_NETWORK_GET_AUTOSTART, ARMZ_ARGS(armz_network_args), ARMZ_RET(armz_int_ret),
      h_get_autostart, 0 },
    { REMOTE_PROC_NETWORK_GET_BRIDGE_NAME, ARMZ_ARGS(armz_network_args), ARMZ_RET(armz_string_ret),
      h_get_bridge_name, 0 },
    { REMOTE_PROC_NETWORK_LOOKUP_BY_NAME, ARMZ_ARGS(armz_network_lookup_by_name_args),
      ARMZ_RET(armz_network_ret), h_lookup_by_name, 0 },
    { REMOTE_PROC_NETWORK_LOOKUP_BY_UUID, ARMZ_ARGS(armz_network_lookup_by_uuid_args),
      ARMZ_RET(armz_network_ret), h_lookup_by_uuid, 0 },
    { REMOTE_PROC_NETWORK_SET_AUTOSTART, ARMZ_ARGS(armz_network_set_autostart_args), ARMZ_NORET,
      h_set_autostart, 0 },
    { REMOTE_PROC_NETWORK_UNDEFINE, ARMZ_ARGS(armz_network_args), ARMZ_NORET, h_undefine, 0 },
    { REMOTE_PROC_CONNECT_NUM_OF_DEFINED_NETWORKS, ARMZ_NOARGS, ARMZ_RET(armz_int_ret),
      h_num_of_defined, 0 },
    { REMOTE_PROC_CONNECT_NUM_OF_NETWORKS, ARMZ_NOARGS, ARMZ_RET(armz_int_ret),
      h_num_of_networks, 0 },
    { REMOTE_PROC_NETWORK_IS_ACTIVE, ARMZ_ARGS(armz_network_args), ARMZ_RET(armz_int_ret),
      h_is_active, 0 },
    { REMOTE_PROC_NETWORK_IS_PERSISTENT, ARMZ_ARGS(armz_network_args), ARMZ_RET(armz_int_ret),
      h_is_persistent, 0 },
    { REMOTE_PROC_CONNECT_LIST_ALL_NETWORKS, ARMZ_ARGS(armz_connect_list_all_networks_args),
      ARMZ_RET(armz_connect_list_all_networks_ret), h_list_all, 0 },
    { REMOTE_PROC_NETWORK_UPDATE, ARMZ_ARGS(armz_network_update_args), ARMZ_NORET, h_update, 0 },
    { REMOTE_PROC_NETWORK_GET_DHCP_LEASES, ARMZ_ARGS(armz_network_get_dhcp_leases_args),
      ARMZ_RET(armz_network_get_dhcp_leases_ret), h_get_dhcp_leases, 0 },
    { REMOTE_PROC_NETWORK_DEFINE_XML_FLAGS, ARMZ_ARGS(armz_network_xml_flags_args),
      ARMZ_RET(armz_network_ret), h_define_xml_flags, 0 },
    { REMOTE_PROC_NETWORK_CREATE_XML_FLAGS, ARMZ_ARGS(armz_network_xml_flags_args),
      ARMZ_RET(armz_network_ret), h_create_xml_flags, 0 },
};

void
armz_remote_network_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
    armz_remote_network_events_register(d);
    armz_remote_network_ifaddr_register(d);
}
