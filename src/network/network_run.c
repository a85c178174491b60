/* Starting and stopping a network: bridge, dnsmasq, rules and status.
 * The caller holds the network's job and no lock: a dnsmasq that is slow
 * to start holds up only this network. */
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "network/bridge.h"
#include "network/nftables.h"
#include "network/network_priv.h"

static void
teardown(ArmzNetworkDriver *drv, const ArmzNetworkDef *def, pid_t dnsmasq_pid,
         gboolean bridge_made)
{
    g_autoptr(GError) err = NULL;
    ArmzDnsmasqFiles f;

    armz_net_files(drv, def->name, &f);
    armz_dnsmasq_stop(dnsmasq_pid, &f, TRUE);
    armz_dnsmasq_files_clear(&f);
    if (bridge_made && armz_network_def_is_managed(def) && !armz_bridge_delete(def->bridge, &err))
        armz_warn("network '%s': %s", def->name, err->message);
}

static void
unclaim(ArmzNetworkObj *obj)
{
    g_mutex_lock(&obj->lock);
    obj->claimed = FALSE;
    g_mutex_unlock(&obj->lock);
}

/* The bridge and dnsmasq of LIVE; *PID is dnsmasq's (0: none needed). */
static gboolean
bring_up(ArmzNetworkDriver *drv, const ArmzNetworkDef *live, pid_t *pid, GError **error)
{
    ArmzDnsmasqFiles f;

    *pid = 0;
    if (!armz_bridge_create(live, error))
        return FALSE;
    if (!armz_network_def_needs_dnsmasq(live))
        return TRUE;
    armz_net_files(drv, live->name, &f);
    /* a dnsmasq left over from an earlier run would hold the ports; its
     * leases are stale: the guests ask anew */
    armz_dnsmasq_stop(armz_dnsmasq_find(&f), &f, TRUE);
    *pid = armz_dnsmasq_start(live, &f, error);
    armz_dnsmasq_files_clear(&f);
    if (*pid < 0) {
        teardown(drv, live, 0, TRUE);
        return FALSE;
    }
    return TRUE;
}

/* OBJ stopped (or failed to start): the config takes over again, its
 * status and rules go. */
static void
mark_inactive(ArmzNetworkDriver *drv, ArmzNetworkObj *obj)
{
    g_autoptr(GError) err = NULL;

    g_mutex_lock(&obj->lock);
    obj->active = FALSE;
    obj->claimed = FALSE;
    obj->dnsmasq_pid = 0;
    if (obj->newdef) {
        armz_network_def_free(obj->def);
        obj->def = g_steal_pointer(&obj->newdef);
    }
    g_mutex_unlock(&obj->lock);
    if (!armz_net_apply_rules(drv, &err))
        armz_warn("%s", err->message);
    armz_network_store_delete_status(&drv->store, obj->name);
}

gboolean
armz_net_do_start(ArmzNetworkDriver *drv, ArmzNetworkObj *obj, GError **error)
{
    g_autoptr(ArmzNetworkDef) live = armz_network_def_copy(obj->def);
    g_autoptr(GPtrArray) one = g_ptr_array_new();
    gboolean managed = armz_network_def_is_managed(live), claimed;
    pid_t pid = 0;

    if (!managed && !armz_bridge_is_bridge(live->bridge)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("host bridge '%s' of network '%s' does not exist"),
                    live->bridge, live->name);
        return FALSE;
    }
    g_mutex_lock(&drv->host_lock);
    claimed = armz_net_claim(drv, obj, live, error);
    g_mutex_unlock(&drv->host_lock);
    if (!claimed)
        return FALSE;
    if (managed && !bring_up(drv, live, &pid, error)) {
        unclaim(obj);
        return FALSE;
    }

    /* from here on the network counts as active, for the rules */
    g_mutex_lock(&obj->lock);
    if (!obj->newdef && obj->persistent)
        obj->newdef = obj->def;
    else
        armz_network_def_free(obj->def);
    obj->def = g_steal_pointer(&live);
    obj->active = TRUE;
    obj->dnsmasq_pid = pid;
    g_mutex_unlock(&obj->lock);
    g_ptr_array_add(one, obj->def);
    if (armz_net_enable_forwarding(one, error) && armz_net_apply_rules(drv, error) &&
        armz_network_store_save_status(&drv->store, obj->def, pid, error)) {
        armz_info("network '%s' started", obj->name);
        return TRUE;
    }

    teardown(drv, obj->def, pid, managed);
    mark_inactive(drv, obj);
    return FALSE;
}

void
armz_net_do_stop(ArmzNetworkDriver *drv, ArmzNetworkObj *obj)
{
    teardown(drv, obj->def, obj->dnsmasq_pid, TRUE);
    mark_inactive(drv, obj);
    armz_info("network '%s' stopped", obj->name);
    if (!obj->persistent)       /* job held: it cannot change */
        armz_obj_list_remove(drv->nets, obj);
}

/* dnsmasq reads its configuration only at start: a changed live
 * definition means a new dnsmasq (the lease file, and so the leases, stay). */
gboolean
armz_net_restart_dnsmasq(ArmzNetworkDriver *drv, ArmzNetworkObj *obj,
                         const ArmzNetworkDef *live, GError **error)
{
    ArmzDnsmasqFiles f;
    pid_t pid;
    gboolean ok = TRUE;

    if (!armz_network_def_needs_dnsmasq(live))
        return TRUE;
    armz_net_files(drv, live->name, &f);
    armz_dnsmasq_stop(obj->dnsmasq_pid, &f, FALSE);
    pid = armz_dnsmasq_start(live, &f, error);
    if (pid < 0) {
        g_autoptr(GError) err = NULL;
        /* back to what ran before, which did start */
        pid = armz_dnsmasq_start(obj->def, &f, &err);
        if (pid < 0)
            armz_err("network '%s': %s", obj->name, err->message);
        ok = FALSE;
    }
    armz_dnsmasq_files_clear(&f);
    g_mutex_lock(&obj->lock);
    obj->dnsmasq_pid = MAX(pid, 0);
    g_mutex_unlock(&obj->lock);
    return ok;
}
