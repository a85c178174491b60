/* Network objects and the APIs that only read them: lookups, listing,
 * XML, state, bridge, DHCP leases. None waits for a job: a network that is
 * starting or stopping answers with what it has. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "conf/domain_conf.h"
#include "util/flags.h"
#include "util/armz-i18n.h"
#include "util/error.h"
#include "network/network_priv.h"

static void
net_obj_dispose(ArmzObj *base)
{
    ArmzNetworkObj *obj = (ArmzNetworkObj *)base;

    armz_network_def_free(obj->def);
    armz_network_def_free(obj->newdef);
}

ArmzNetworkObj *
armz_net_obj_new(ArmzNetworkDef *def, const char *api)
{
    ArmzNetworkObj *obj = g_new0(ArmzNetworkObj, 1);

    armz_obj_init(&obj->parent, def->name, def->uuid, net_obj_dispose);
    obj->def = def;
    obj->job.owner = api;
    return obj;
}

void
armz_network_id_clear(ArmzNetworkId *ref)
{
    g_clear_pointer(&ref->name, g_free);
}

void
armz_net_fill_id(ArmzNetworkId *out, const ArmzNetworkObj *obj)
{
    if (!out)
        return;
    out->name = g_strdup(obj->name);
    memcpy(out->uuid, obj->uuid, 16);
}

ArmzNetworkDef *
armz_net_config(ArmzNetworkObj *obj)
{
    return obj->newdef ? obj->newdef : obj->def;
}

void
armz_net_files(ArmzNetworkDriver *drv, const char *name, ArmzDnsmasqFiles *f)
{
    armz_dnsmasq_files_init(f, drv->store.state_dir, name);
}

static void
call_sink(ArmzObjFunc fn, gpointer opaque, gconstpointer ev)
{
    ((ArmzNetworkEventSink)fn)(ev, opaque);
}

void
armz_net_emit(ArmzNetworkDriver *drv, const ArmzNetworkObj *obj, int event)
{
    ArmzNetworkEvent ev = { obj->name, obj->uuid, event };

    armz_obj_sink_emit(&drv->events, call_sink, &ev);
}

void
armz_network_driver_set_event_sink(ArmzNetworkDriver *drv, ArmzNetworkEventSink sink,
                                   gpointer opaque)
{
    armz_obj_sink_set(&drv->events, (ArmzObjFunc)sink, opaque);
}

static void
no_network(const unsigned char *uuid, const char *name, GError **error)
{
    char str[37];

    if (name) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_NETWORK,
                    _("no network with matching name '%s'"), name);
        return;
    }
    armz_uuid_format(uuid, str);
    g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_NETWORK,
                _("no network with matching uuid '%s'"), str);
}

ArmzNetworkObj *
armz_net_get(ArmzNetworkDriver *drv, const unsigned char *uuid, GError **error)
{
    ArmzNetworkObj *obj = armz_obj_list_find_uuid(drv->nets, uuid);

    if (!obj)
        no_network(uuid, NULL, error);
    return obj;
}

static ArmzNetworkObj *
get_name(ArmzNetworkDriver *drv, const char *name, GError **error)
{
    ArmzNetworkObj *obj = armz_obj_list_find_name(drv->nets, name);

    if (!obj)
        no_network(NULL, name, error);
    return obj;
}

gboolean
armz_net_begin_job(ArmzNetworkObj *obj, const char *api, GError **error)
{
    g_mutex_lock(&obj->lock);
    if (!armz_obj_begin_job(&obj->parent, api, error)) {
        g_mutex_unlock(&obj->lock);
        return FALSE;
    }
    if (obj->removed) {
        armz_obj_end_job(&obj->parent);
        g_mutex_unlock(&obj->lock);
        no_network(obj->uuid, NULL, error);
        return FALSE;
    }
    return TRUE;
}

void
armz_net_end_job(ArmzNetworkObj *obj)
{
    armz_obj_end_job(&obj->parent);
    g_mutex_unlock(&obj->lock);
}

gboolean
armz_network_lookup_name(ArmzNetworkDriver *drv, const char *name, ArmzNetworkId *out,
                         GError **error)
{
    g_autoptr(ArmzNetworkObj) obj = get_name(drv, name, error);

    if (obj)
        armz_net_fill_id(out, obj);
    return obj != NULL;
}

gboolean
armz_network_lookup_uuid(ArmzNetworkDriver *drv, const unsigned char *uuid,
                         ArmzNetworkId *out, GError **error)
{
    g_autoptr(ArmzNetworkObj) obj = armz_net_get(drv, uuid, error);

    if (obj)
        armz_net_fill_id(out, obj);
    return obj != NULL;
}

char *
armz_network_get_xml(ArmzNetworkDriver *drv, const unsigned char *uuid, unsigned int flags,
                     GError **error)
{
    g_autoptr(ArmzNetworkObj) obj = NULL;
    char *xml;

    if (!armz_check_flags(flags, VIR_NETWORK_XML_INACTIVE, "virNetworkGetXMLDesc", error) ||
        !(obj = armz_net_get(drv, uuid, error)))
        return NULL;
    g_mutex_lock(&obj->lock);
    xml = armz_network_def_format((flags & VIR_NETWORK_XML_INACTIVE) ? armz_net_config(obj)
                                                                     : obj->def);
    g_mutex_unlock(&obj->lock);
    return xml;
}

char *
armz_network_get_bridge(ArmzNetworkDriver *drv, const unsigned char *uuid, GError **error)
{
    g_autoptr(ArmzNetworkObj) obj = armz_net_get(drv, uuid, error);
    char *bridge = NULL;

    if (!obj)
        return NULL;
    g_mutex_lock(&obj->lock);
    if (obj->def->bridge)
        bridge = g_strdup(obj->def->bridge);
    else
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("network '%s' does not have a bridge name."), obj->name);
    g_mutex_unlock(&obj->lock);
    return bridge;
}

gboolean
armz_network_get_state(ArmzNetworkDriver *drv, const unsigned char *uuid,
                       ArmzNetworkState *out, GError **error)
{
    g_autoptr(ArmzNetworkObj) obj = armz_net_get(drv, uuid, error);

    if (!obj)
        return FALSE;
    g_mutex_lock(&obj->lock);
    out->active = obj->active;
    out->persistent = obj->persistent;
    out->autostart = obj->autostart;
    g_mutex_unlock(&obj->lock);
    return TRUE;
}

GArray *
armz_network_list(ArmzNetworkDriver *drv, unsigned int flags, GError **error)
{
    const unsigned int all_flags = VIR_CONNECT_LIST_NETWORKS_ACTIVE |
        VIR_CONNECT_LIST_NETWORKS_INACTIVE | VIR_CONNECT_LIST_NETWORKS_PERSISTENT |
        VIR_CONNECT_LIST_NETWORKS_TRANSIENT | VIR_CONNECT_LIST_NETWORKS_AUTOSTART |
        VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART;
    g_autoptr(GPtrArray) all = NULL;
    GArray *out;

    if (!armz_check_flags(flags, all_flags, "virConnectListAllNetworks", error))
        return NULL;
    out = g_array_new(FALSE, TRUE, sizeof(ArmzNetworkId));
    g_array_set_clear_func(out, (GDestroyNotify)armz_network_id_clear);
    all = armz_obj_list_collect(drv->nets);     /* sorted by name */
    for (guint i = 0; i < all->len; i++) {
        ArmzNetworkObj *obj = g_ptr_array_index(all, i);
        ArmzNetworkId ref;
        gboolean match;

        g_mutex_lock(&obj->lock);
        match = armz_obj_state_matches(flags, obj->active, obj->persistent, obj->autostart);
        g_mutex_unlock(&obj->lock);
        if (!match)
            continue;
        armz_net_fill_id(&ref, obj);
        g_array_append_val(out, ref);
    }
    return out;
}

/* OBJ locked. */
static GPtrArray *
leases_of(ArmzNetworkDriver *drv, ArmzNetworkObj *obj, const char *mac)
{
    g_autofree char *text = NULL;
    ArmzDnsmasqFiles f;

    if (!obj->active)
        return g_ptr_array_new_with_free_func((GDestroyNotify)armz_network_lease_free);
    armz_net_files(drv, obj->name, &f);
    g_file_get_contents(f.leases, &text, NULL, NULL);   /* none yet: no leases */
    armz_dnsmasq_files_clear(&f);
    return armz_leases_parse(text, obj->def, mac, g_get_real_time() / G_USEC_PER_SEC);
}

static GPtrArray *
locked_leases(ArmzNetworkDriver *drv, ArmzNetworkObj *obj, const char *mac)
{
    GPtrArray *leases;

    g_mutex_lock(&obj->lock);
    leases = leases_of(drv, obj, mac);
    g_mutex_unlock(&obj->lock);
    return leases;
}

GPtrArray *
armz_network_get_leases(ArmzNetworkDriver *drv, const unsigned char *uuid, const char *mac,
                        unsigned int flags, GError **error)
{
    g_autoptr(ArmzNetworkObj) obj = NULL;
    unsigned char m[6];
    char ms[18];

    if (!armz_check_flags(flags, 0, "virNetworkGetDHCPLeases", error))
        return NULL;
    if (mac) {
        if (!armz_mac_parse(mac, m)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_MAC,
                        _("invalid MAC address '%s'"), mac);
            return NULL;
        }
        armz_mac_format(m, ms);
        mac = ms;
    }
    if (!(obj = armz_net_get(drv, uuid, error)))
        return NULL;
    return locked_leases(drv, obj, mac);
}

GPtrArray *
armz_network_get_leases_by_name(ArmzNetworkDriver *drv, const char *name, const char *mac,
                                GError **error)
{
    g_autoptr(ArmzNetworkObj) obj = get_name(drv, name, error);

    return obj ? locked_leases(drv, obj, mac) : NULL;
}

gboolean
armz_network_resolve_bridge(const char *name, char **bridge, gpointer opaque, GError **error)
{
    ArmzNetworkDriver *drv = opaque;
    g_autoptr(ArmzNetworkObj) obj = armz_obj_list_find_name(drv->nets, name);
    gboolean ok = FALSE;

    /* this error reaches users inside a domain start, so it carries the
     * prefix libvirt puts on VIR_ERR_NO_NETWORK */
    if (!obj) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_NETWORK,
                    _("Network not found: no network with matching name '%s'"), name);
        return FALSE;
    }
    g_mutex_lock(&obj->lock);
    if (!obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("network '%s' is not active"), name);
    } else {
        *bridge = g_strdup(obj->def->bridge);
        ok = TRUE;
    }
    g_mutex_unlock(&obj->lock);
    return ok;
}
