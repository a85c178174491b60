/* The network APIs that change a network: define, undefine, create, start,
 * destroy, autostart, update. Each holds the network's job throughout and
 * its lock only to read or write its fields (see network_priv.h). */
#include <string.h>
#include <libvirt/libvirt.h>

#include "conf/domain_conf.h"
#include "util/flags.h"
#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "network/network_priv.h"
#include "network/network_update.h"

/* Finds the object DEF would replace (a new reference in *OUT, or NULL);
 * refuses a name/UUID mismatch. */
static gboolean
find_existing(ArmzNetworkDriver *drv, const ArmzNetworkDef *def, ArmzNetworkObj **out,
              GError **error)
{
    g_autoptr(ArmzNetworkObj) by_uuid = armz_obj_list_find_uuid(drv->nets, def->uuid);
    g_autoptr(ArmzNetworkObj) by_name = armz_obj_list_find_name(drv->nets, def->name);
    char uuid[37];

    if (by_uuid && by_uuid != by_name) {
        armz_uuid_format(def->uuid, uuid);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("network '%s' is already defined with uuid %s"), by_uuid->name, uuid);
        return FALSE;
    }
    if (by_name && by_name != by_uuid) {
        armz_uuid_format(by_name->uuid, uuid);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("network '%s' already exists with uuid %s"), def->name, uuid);
        return FALSE;
    }
    *out = g_steal_pointer(&by_uuid);
    return TRUE;
}

/* Inserts a new object for DEF (taken) with its job held for API; FALSE
 * when another define or create got there first (DEF is then freed). */
static ArmzNetworkObj *
insert_new(ArmzNetworkDriver *drv, ArmzNetworkDef *def, const char *api, GError **error)
{
    ArmzNetworkObj *obj = armz_net_obj_new(def, api);
    g_autoptr(ArmzNetworkObj) other = armz_obj_list_add(drv->nets, obj);

    if (other) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("network '%s' is already defined"), other->name);
        armz_obj_unref(obj);
        return NULL;
    }
    return obj;
}

static ArmzNetworkDef *
parse_checked(const char *xml, gboolean validate, GError **error)
{
    if (validate && !armz_network_xml_validate(xml, error))
        return NULL;
    return armz_network_def_parse(xml, error);
}

/* Stores DEF as OBJ's config, or as a new network (OBJ NULL), whose
 * object is returned with its job held; host_lock held, OBJ's job too. */
static ArmzNetworkObj *
define_locked(ArmzNetworkDriver *drv, ArmzNetworkDef *def, ArmzNetworkObj *obj, GError **error)
{
    g_autoptr(ArmzNetworkDef) owned = def;
    ArmzNetworkObj *fresh;

    if (!armz_net_complete_def(drv, def, obj, error))
        return NULL;
    if (!obj) {
        /* in the list first: a define that raced us must not have its
         * file overwritten */
        if (!(fresh = insert_new(drv, g_steal_pointer(&owned), "virNetworkDefineXML", error)))
            return NULL;
        if (!armz_network_store_save(&drv->store, def, error)) {
            armz_obj_list_remove(drv->nets, fresh);
            armz_obj_unref(fresh);
            return NULL;
        }
        return fresh;
    }
    if (!armz_network_store_save(&drv->store, def, error))
        return NULL;
    g_mutex_lock(&obj->lock);
    if (obj->active) {
        armz_network_def_free(obj->newdef);
        obj->newdef = g_steal_pointer(&owned);
    } else {
        armz_network_def_free(obj->def);
        obj->def = g_steal_pointer(&owned);
    }
    g_mutex_unlock(&obj->lock);
    return armz_obj_ref(obj);
}

gboolean
armz_network_define(ArmzNetworkDriver *drv, const char *xml, unsigned int flags,
                    ArmzNetworkId *out, GError **error)
{
    g_autoptr(ArmzNetworkDef) def = NULL;
    g_autoptr(ArmzNetworkObj) obj = NULL;
    g_autoptr(ArmzNetworkObj) done = NULL;

    if (!armz_check_flags(flags, VIR_NETWORK_DEFINE_VALIDATE, "virNetworkDefineXMLFlags", error) ||
        !(def = parse_checked(xml, flags & VIR_NETWORK_DEFINE_VALIDATE, error)) ||
        !find_existing(drv, def, &obj, error))
        return FALSE;
    if (obj) {
        if (!armz_net_begin_job(obj, "virNetworkDefineXML", error))
            return FALSE;
        g_mutex_unlock(&obj->lock);
    }
    g_mutex_lock(&drv->host_lock);
    done = define_locked(drv, g_steal_pointer(&def), obj, error);
    g_mutex_unlock(&drv->host_lock);
    if (!done) {
        if (obj) {
            g_mutex_lock(&obj->lock);
            armz_net_end_job(obj);
        }
        return FALSE;
    }
    g_mutex_lock(&done->lock);
    done->persistent = TRUE;
    armz_net_fill_id(out, done);
    armz_net_end_job(done);
    armz_info("network '%s' defined", done->name);
    armz_net_emit(drv, done, VIR_NETWORK_EVENT_DEFINED);
    return TRUE;
}

gboolean
armz_network_create_xml(ArmzNetworkDriver *drv, const char *xml, unsigned int flags,
                        ArmzNetworkId *out, GError **error)
{
    g_autoptr(ArmzNetworkDef) def = NULL;
    g_autoptr(ArmzNetworkObj) obj = NULL;
    gboolean ok;

    if (!armz_check_flags(flags, VIR_NETWORK_CREATE_VALIDATE, "virNetworkCreateXMLFlags", error) ||
        !(def = parse_checked(xml, flags & VIR_NETWORK_CREATE_VALIDATE, error)) ||
        !find_existing(drv, def, &obj, error))
        return FALSE;
    if (obj) {
        g_mutex_lock(&obj->lock);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    obj->active ? _("network '%s' is already active")
                                : _("network '%s' is already defined: start it instead"),
                    obj->name);
        g_mutex_unlock(&obj->lock);
        return FALSE;
    }
    g_mutex_lock(&drv->host_lock);
    if (armz_net_complete_def(drv, def, NULL, error))
        obj = insert_new(drv, g_steal_pointer(&def), "virNetworkCreateXML", error);
    g_mutex_unlock(&drv->host_lock);
    if (!obj)
        return FALSE;
    ok = armz_net_do_start(drv, obj, error);
    if (!ok)
        armz_obj_list_remove(drv->nets, obj);
    g_mutex_lock(&obj->lock);
    armz_net_fill_id(ok ? out : NULL, obj);
    armz_net_end_job(obj);
    if (ok)
        armz_net_emit(drv, obj, VIR_NETWORK_EVENT_STARTED);
    return ok;
}

gboolean
armz_network_undefine(ArmzNetworkDriver *drv, const unsigned char *uuid, GError **error)
{
    g_autoptr(ArmzNetworkObj) obj = armz_net_get(drv, uuid, error);
    gboolean ok = FALSE;

    if (!obj || !armz_net_begin_job(obj, "virNetworkUndefine", error))
        return FALSE;
    if (!obj->persistent) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot undefine transient network '%s'"), obj->name);
    } else if (armz_network_store_delete(&drv->store, obj->name, error)) {
        armz_info("network '%s' undefined", obj->name);
        obj->persistent = FALSE;
        obj->autostart = FALSE;
        if (obj->active) {
            g_clear_pointer(&obj->newdef, armz_network_def_free);
        } else {
            /* out of the list before the job ends (lock order) */
            g_mutex_unlock(&obj->lock);
            armz_obj_list_remove(drv->nets, obj);
            g_mutex_lock(&obj->lock);
        }
        ok = TRUE;
    }
    armz_net_end_job(obj);
    if (ok)
        armz_net_emit(drv, obj, VIR_NETWORK_EVENT_UNDEFINED);
    return ok;
}

/* Takes OBJ's job for API when its activity is WANT_ACTIVE, and leaves it
 * unlocked; else a VIR_ERR_OPERATION_INVALID. */
static gboolean
begin_state_change(ArmzNetworkObj *obj, const char *api, gboolean want_active, GError **error)
{
    if (!armz_net_begin_job(obj, api, error))
        return FALSE;
    if (obj->active != want_active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    want_active ? _("network '%s' is not active")
                                : _("network '%s' is already active"), obj->name);
        armz_net_end_job(obj);
        return FALSE;
    }
    g_mutex_unlock(&obj->lock);
    return TRUE;
}

gboolean
armz_network_start(ArmzNetworkDriver *drv, const unsigned char *uuid, GError **error)
{
    g_autoptr(ArmzNetworkObj) obj = armz_net_get(drv, uuid, error);
    gboolean ok;

    if (!obj || !begin_state_change(obj, "virNetworkCreate", FALSE, error))
        return FALSE;
    ok = armz_net_do_start(drv, obj, error);
    g_mutex_lock(&obj->lock);
    armz_net_end_job(obj);
    if (ok)
        armz_net_emit(drv, obj, VIR_NETWORK_EVENT_STARTED);
    return ok;
}

gboolean
armz_network_destroy(ArmzNetworkDriver *drv, const unsigned char *uuid, GError **error)
{
    g_autoptr(ArmzNetworkObj) obj = armz_net_get(drv, uuid, error);

    if (!obj || !begin_state_change(obj, "virNetworkDestroy", TRUE, error))
        return FALSE;
    armz_net_do_stop(drv, obj);
    g_mutex_lock(&obj->lock);
    armz_net_end_job(obj);
    armz_net_emit(drv, obj, VIR_NETWORK_EVENT_STOPPED);
    return TRUE;
}

gboolean
armz_network_set_autostart(ArmzNetworkDriver *drv, const unsigned char *uuid,
                           gboolean autostart, GError **error)
{
    g_autoptr(ArmzNetworkObj) obj = armz_net_get(drv, uuid, error);
    gboolean ok = FALSE;

    if (!obj || !armz_net_begin_job(obj, "virNetworkSetAutostart", error))
        return FALSE;
    if (!obj->persistent) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot set autostart for transient network '%s'"), obj->name);
    } else if (armz_network_store_set_autostart(&drv->store, obj->name, autostart, error)) {
        obj->autostart = autostart;
        ok = TRUE;
    }
    armz_net_end_job(obj);
    return ok;
}

/* The edits of virNetworkUpdate, in copies: both succeed before either
 * is kept. OBJ locked, job held. */
static gboolean
edit_copies(ArmzNetworkObj *obj, unsigned int command, unsigned int section,
            int parent_index, const char *xml, unsigned int flags,
            ArmzNetworkDef **live, ArmzNetworkDef **config, GError **error)
{
    gboolean to_live = flags & VIR_NETWORK_UPDATE_AFFECT_LIVE;
    gboolean to_config = flags & VIR_NETWORK_UPDATE_AFFECT_CONFIG;

    if (!to_live && !to_config) {
        /* "current": the running network, else its definition */
        to_live = obj->active;
        to_config = !obj->active;
    }
    if (to_live && !obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("network '%s' is not running"), obj->name);
        return FALSE;
    }
    if (to_config && !obj->persistent) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot change persistent config of transient network '%s'"),
                    obj->name);
        return FALSE;
    }
    if (to_live) {
        *live = armz_network_def_copy(obj->def);
        if (!armz_network_def_update(*live, command, section, parent_index, xml, error))
            return FALSE;
    }
    if (to_config) {
        *config = armz_network_def_copy(armz_net_config(obj));
        if (!armz_network_def_update(*config, command, section, parent_index, xml, error))
            return FALSE;
    }
    return TRUE;
}

gboolean
armz_network_update(ArmzNetworkDriver *drv, const unsigned char *uuid, unsigned int command,
                    unsigned int section, int parent_index, const char *xml,
                    unsigned int flags, GError **error)
{
    g_autoptr(ArmzNetworkDef) live = NULL;
    g_autoptr(ArmzNetworkDef) config = NULL;
    g_autoptr(ArmzNetworkObj) obj = NULL;
    gboolean ok = FALSE;

    if (!armz_check_flags(flags, VIR_NETWORK_UPDATE_AFFECT_LIVE |
                                 VIR_NETWORK_UPDATE_AFFECT_CONFIG, "virNetworkUpdate", error) ||
        !(obj = armz_net_get(drv, uuid, error)) ||
        !armz_net_begin_job(obj, "virNetworkUpdate", error))
        return FALSE;
    if (!edit_copies(obj, command, section, parent_index, xml, flags, &live, &config, error))
        goto out;
    if (live) {
        gboolean restarted;

        g_mutex_unlock(&obj->lock);
        restarted = armz_net_restart_dnsmasq(drv, obj, live, error);
        g_mutex_lock(&obj->lock);
        if (!restarted)
            goto out;
        armz_network_def_free(obj->def);
        obj->def = g_steal_pointer(&live);
        if (!armz_network_store_save_status(&drv->store, obj->def, obj->dnsmasq_pid, error))
            goto out;
    }
    if (config) {
        if (!armz_network_store_save(&drv->store, config, error))
            goto out;
        if (obj->active) {
            armz_network_def_free(obj->newdef);
            obj->newdef = g_steal_pointer(&config);
        } else {
            armz_network_def_free(obj->def);
            obj->def = g_steal_pointer(&config);
        }
    }
    armz_info("network '%s' updated", obj->name);
    ok = TRUE;
out:
    armz_net_end_job(obj);
    return ok;
}
