/* virDomainUpdateDeviceFlags with an <interface> (virsh domif-setlink): as
 * libvirt's QEMU driver, the interface is found by its MAC (then alias), and its
 * <link state> is the one thing that may change; any other difference is
 * refused by name.  LIVE: QMP set_link on the NIC's alias; CONFIG: the
 * persistent definition, saved. */
#include <string.h>
#include <libvirt/libvirt.h>
#include <yajl/yajl_gen.h>
#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/json_gen.h"
#include "util/log.h"
#include "driver/domain_hotplug_priv.h"
#include "driver/domain_media.h"
#include "driver/domain_net_update.h"
#include "driver/monitor.h"
#include "driver/process.h"
#include "driver/process_priv.h"

static gboolean
link_down(const ArmzDomainNetDef *net)
{
    return g_strcmp0(net->link_state, "down") == 0;
}

static gboolean
refuse(const char *what, GError **error)
{
    /* TRANSLATORS: WHAT is an XML element or attribute: "model type", ... */
    g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_UNSUPPORTED,
                _("cannot modify network device %s"), what);
    return FALSE;
}

/* A string of NEW that is given and differs from OLD's. */
static gboolean
differs(const char *old, const char *new)
{
    return new && g_strcmp0(old, new) != 0;
}

/* Whether NEW asks for nothing but OLD with another link state.  Fields
 * NEW leaves out keep OLD's, as in libvirt (an alias or a tap name the
 * daemon gave is only compared when OLD has one). */
static gboolean
only_link_changes(const ArmzDomainNetDef *old, const ArmzDomainNetDef *new, GError **error)
{
    if (old->type != new->type)
        return refuse(_("type"), error);
    if (differs(old->source_network, new->source_network) ||
        differs(old->source_bridge, new->source_bridge))
        return refuse(_("source"), error);
    if (old->target_dev && differs(old->target_dev, new->target_dev))
        return refuse(_("tap name"), error);
    if (old->target_unmanaged != new->target_unmanaged)
        return refuse(_("target managed setting"), error);
    if (differs(old->model, new->model))
        return refuse(_("model type"), error);
    if (differs(old->driver_name, new->driver_name))
        return refuse(_("driver name"), error);
    if (new->mtu && old->mtu != new->mtu)
        return refuse(_("MTU"), error);
    if (new->boot_order && old->boot_order != new->boot_order)
        return refuse(_("boot index setting"), error);
    if (differs(old->vport_type, new->vport_type) ||
        differs(old->vport_interfaceid, new->vport_interfaceid) ||
        differs(old->vport_profileid, new->vport_profileid))
        return refuse(_("virtualport"), error);
    return TRUE;
}

/* The one interface of DEF that NEW names as libvirt's virDomainNetFindIdx
 * does, by its MAC when given and its alias when both have one, and whose
 * other settings NEW keeps. */
static ArmzDomainNetDef *
find_net(const ArmzDomainDef *def, const ArmzDomainNetDef *new, GError **error)
{
    ArmzDomainNetDef *match = NULL;
    char mac[18];

    armz_mac_format(new->mac, mac);
    for (guint i = 0; i < def->nets->len; i++) {
        ArmzDomainNetDef *old = g_ptr_array_index(def->nets, i);

        if (!new->mac_generated && memcmp(old->mac, new->mac, 6) != 0)
            continue;
        if (new->alias && old->alias && !g_str_equal(new->alias, old->alias))
            continue;
        if (match) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                        _("multiple devices matching MAC address %s found"), mac);
            return NULL;
        }
        match = old;
    }
    if (!match) {
        if (!new->mac_generated)
            g_set_error(error, ARMZ_ERROR, VIR_ERR_DEVICE_MISSING,
                        _("no device matching MAC address %s found"), mac);
        else if (new->alias)
            g_set_error(error, ARMZ_ERROR, VIR_ERR_DEVICE_MISSING,
                        _("no device found with alias %s"), new->alias);
        else
            g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_DEVICE_MISSING,
                                _("no matching device found"));
        return NULL;
    }
    return only_link_changes(match, new, error) ? match : NULL;
}

static void
set_state(ArmzDomainNetDef *net, const ArmzDomainNetDef *new)
{
    g_free(net->link_state);
    net->link_state = g_strdup(new->link_state);
}

gboolean
armz_net_set_link_live(ArmzDomainObj *obj, const char *alias, gboolean up, GError **error)
{
    g_autoptr(ArmzMonitor) mon = armz_process_monitor(obj, error);
    g_autofree char *args = NULL;
    yajl_gen g;
    const unsigned char *out;
    size_t len;
    GError *err = NULL;
    gboolean ok;

    if (!mon)
        return FALSE;
    /* a user's alias is written as a JSON string, escaped */
    g = yajl_gen_alloc(NULL);
    yajl_gen_map_open(g);
    armz_json_gen_str(g, "name");
    armz_json_gen_str(g, alias);
    armz_json_gen_str(g, "up");
    yajl_gen_bool(g, up);
    yajl_gen_map_close(g);
    yajl_gen_get_buf(g, &out, &len);
    args = g_strndup((const char *)out, len);
    yajl_gen_free(g);
    g_mutex_unlock(&obj->lock);
    ok = armz_monitor_command(mon, "set_link", args, NULL, 0, &err);
    g_mutex_lock(&obj->lock);
    if (!ok)
        armz_monitor_propagate_error(error, err);
    return ok;
}

static gboolean
update_live(ArmzDriver *drv, ArmzDomainObj *obj, const ArmzDomainNetDef *new, GError **error)
{
    ArmzDomainNetDef *net = find_net(obj->def, new, error);
    g_autoptr(GError) err = NULL;
    g_autofree char *alias = NULL;

    if (!net)
        return FALSE;
    /* no <link> in NEW: libvirt takes it as up */
    if (link_down(net) == link_down(new))
        return TRUE;
    if (!net->alias) {
        char mac[18];
        armz_mac_format(net->mac, mac);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("network device with mac %s has no alias"), mac);
        return FALSE;
    }
    alias = g_strdup(net->alias);
    if (!armz_net_set_link_live(obj, alias, !link_down(new), error))
        return FALSE;
    /* the object may have changed while it was unlocked: look again */
    if ((net = find_net(obj->def, new, NULL)))
        set_state(net, new);
    if (!armz_process_status_save(drv, obj, &err))
        armz_warn("domain '%s': its status cannot be saved: %s", obj->name, err->message);
    return TRUE;
}

static gboolean
apply_state(ArmzDomainDef *copy, gconstpointer data, GError **error)
{
    ArmzDomainNetDef *net = find_net(copy, data, error);

    if (net)
        set_state(net, data);
    return net != NULL;
}

gboolean
armz_net_update(ArmzDriver *drv, ArmzDomainObj *obj, const ArmzDomainNetDef *new,
                unsigned int flags, GError **error)
{
    /* both checked before either changes anything */
    return (!(flags & VIR_DOMAIN_AFFECT_CONFIG) ||
            find_net(armz_domain_obj_config(obj), new, error)) &&
           (!(flags & VIR_DOMAIN_AFFECT_LIVE) || find_net(obj->def, new, error)) &&
           (!(flags & VIR_DOMAIN_AFFECT_LIVE) || update_live(drv, obj, new, error)) &&
           (!(flags & VIR_DOMAIN_AFFECT_CONFIG) ||
            armz_domain_update_config(drv, obj, apply_state, new, error));
}
