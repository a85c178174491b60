/* The storage pool APIs that change a pool: define, undefine, create,
 * start, build, destroy, delete, refresh (see storage_driver_priv.h for
 * the locks and jobs). */
#include <string.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "conf/domain_conf.h"
#include "storage/storage_driver_priv.h"

static void
emit_lifecycle(ArmzStorageDriver *drv, ArmzPoolObj *obj, int event)
{
    armz_sto_emit(drv, obj, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, event);
}

/* Two pools on the same directory, device or volume group would manage
 * the same data twice. OTHER locked. */
static gboolean
clashes(const ArmzPoolDef *o, const ArmzPoolDef *def)
{
    if (g_str_equal(o->name, def->name))
        return FALSE;
    if (g_str_equal(o->target_path, def->target_path))
        return TRUE;
    if (o->type == ARMZ_POOL_LOGICAL && def->type == ARMZ_POOL_LOGICAL &&
        g_str_equal(o->source_name, def->source_name))
        return TRUE;
    for (guint a = 0; a < o->devices->len; a++)
        for (guint b = 0; b < def->devices->len; b++)
            if (g_str_equal(g_ptr_array_index(o->devices, a), g_ptr_array_index(def->devices, b)))
                return TRUE;
    return FALSE;
}

static gboolean
check_conflicts(ArmzStorageDriver *drv, const ArmzPoolDef *def, GError **error)
{
    g_autoptr(GPtrArray) all = armz_obj_list_collect(drv->pools);

    for (guint i = 0; i < all->len; i++) {
        ArmzPoolObj *obj = g_ptr_array_index(all, i);
        gboolean clash;

        g_mutex_lock(&obj->lock);
        clash = clashes(obj->def, def);
        g_mutex_unlock(&obj->lock);
        if (clash) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                        _("Storage source conflict with pool: '%s'"), obj->name);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
armz_sto_check_duplicate(ArmzStorageDriver *drv, const ArmzPoolDef *def, ArmzPoolObj **same,
                         GError **error)
{
    g_autoptr(ArmzPoolObj) by_name = armz_obj_list_find_name(drv->pools, def->name);
    g_autoptr(ArmzPoolObj) by_uuid = armz_obj_list_find_uuid(drv->pools, def->uuid);
    char uuid[37];
    gboolean retype = FALSE;

    *same = NULL;
    if (by_name && memcmp(by_name->uuid, def->uuid, 16) != 0) {
        armz_uuid_format(by_name->uuid, uuid);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("pool '%s' is already defined with uuid %s"), def->name, uuid);
        return FALSE;
    }
    if (by_uuid && !g_str_equal(by_uuid->name, def->name)) {
        armz_uuid_format(def->uuid, uuid);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("pool '%s' already exists with uuid %s"), by_uuid->name, uuid);
        return FALSE;
    }
    if (by_name) {
        g_mutex_lock(&by_name->lock);
        retype = by_name->def->type != def->type && by_name->active;
        g_mutex_unlock(&by_name->lock);
    }
    if (retype) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot change the type of started pool '%s'"), def->name);
        return FALSE;
    }
    if (!check_conflicts(drv, def, error))
        return FALSE;
    *same = g_steal_pointer(&by_name);
    return TRUE;
}

static ArmzPoolDef *
parse_checked(const char *xml, gboolean validate, GError **error)
{
    if (validate) {
        g_autofree char *rng = armz_storage_schema_path("storagepool.rng");
        if (!armz_domain_xml_validate(xml, rng, error))
            return NULL;
    }
    return armz_pool_def_parse(xml, error);
}

/* Stores DEF (taken) as the config of SAME, or as a new pool; drv->lock
 * held, SAME's job too. */
static ArmzPoolId *
define_locked(ArmzStorageDriver *drv, ArmzPoolDef *def, ArmzPoolObj *same, GError **error)
{
    g_autoptr(ArmzPoolDef) owned = def;
    g_autoptr(ArmzPoolObj) obj = NULL;
    ArmzPoolId *id;

    if (!armz_pool_store_save(drv->store, def, error))
        return NULL;
    if (!same) {
        g_autoptr(ArmzPoolObj) other = NULL;

        obj = armz_pool_obj_new(g_steal_pointer(&owned));
        other = armz_obj_list_add(drv->pools, obj);
        g_assert(!other);       /* adds are serialised by drv->lock */
        g_mutex_lock(&obj->lock);
    } else {
        obj = armz_obj_ref(same);
        g_mutex_lock(&obj->lock);
        if (obj->active) {
            /* The running pool keeps its definition until it stops. */
            armz_pool_def_free(obj->newdef);
            obj->newdef = g_steal_pointer(&owned);
        } else {
            armz_pool_def_free(obj->def);
            obj->def = g_steal_pointer(&owned);
            obj->backend = armz_storage_backend_for(obj->def->type);
        }
    }
    obj->persistent = TRUE;
    armz_info("storage pool '%s' defined", obj->name);
    emit_lifecycle(drv, obj, VIR_STORAGE_POOL_EVENT_DEFINED);
    id = armz_sto_pool_id(obj);
    g_mutex_unlock(&obj->lock);
    return id;
}

ArmzPoolId *
armz_storage_pool_define(ArmzStorageDriver *drv, const char *xml, unsigned int flags,
                         GError **error)
{
    g_autoptr(ArmzPoolDef) def = NULL;
    g_autoptr(ArmzPoolObj) held = NULL;
    g_autoptr(ArmzPoolObj) same = NULL;
    ArmzPoolId *id = NULL;

    if (!armz_check_flags(flags, VIR_STORAGE_POOL_DEFINE_VALIDATE,
                          "virStoragePoolDefineXML", error) ||
        !(def = parse_checked(xml, flags & VIR_STORAGE_POOL_DEFINE_VALIDATE, error)))
        return NULL;
    /* the job of a pool being redefined, taken before drv->lock */
    if ((held = armz_obj_list_find_name(drv->pools, def->name))) {
        gboolean ok;
        g_mutex_lock(&held->lock);
        ok = armz_obj_begin_job(&held->parent, "virStoragePoolDefineXML", error);
        g_mutex_unlock(&held->lock);
        if (!ok)
            return NULL;
    }
    g_mutex_lock(&drv->lock);
    if (armz_sto_check_duplicate(drv, def, &same, error)) {
        if (same && same != held)
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                        _("storage pool '%s' was redefined meanwhile"), def->name);
        else
            id = define_locked(drv, g_steal_pointer(&def), same, error);
    }
    g_mutex_unlock(&drv->lock);
    if (held) {
        g_mutex_lock(&held->lock);
        armz_obj_end_job(&held->parent);
        g_mutex_unlock(&held->lock);
    }
    return id;
}

gboolean
armz_storage_pool_undefine(ArmzStorageDriver *drv, const ArmzPoolId *id, GError **error)
{
    ArmzPoolObj *obj;
    gboolean ok = FALSE;

    if (!(obj = armz_sto_begin_job(drv, id, "virStoragePoolUndefine", error)))
        return FALSE;
    if (!obj->persistent) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot undefine transient storage pool '%s'"), obj->name);
    } else if (obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("storage pool '%s' is still active"), obj->name);
    } else if (armz_sto_check_no_asyncjobs(obj, error) &&
               armz_pool_store_delete(drv->store, obj->name, error)) {
        obj->persistent = FALSE;
        obj->autostart = FALSE;
        armz_info("storage pool '%s' undefined", obj->name);
        emit_lifecycle(drv, obj, VIR_STORAGE_POOL_EVENT_UNDEFINED);
        armz_sto_remove(drv, obj);
        ok = TRUE;
    }
    armz_sto_end_job(obj);
    return ok;
}

static unsigned int
build_flags_of_start(unsigned int flags)
{
    unsigned int b = 0;

    if (flags & VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE)
        b |= VIR_STORAGE_POOL_BUILD_OVERWRITE;
    if (flags & VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE)
        b |= VIR_STORAGE_POOL_BUILD_NO_OVERWRITE;
    return b;
}

static gboolean
check_start_flags(unsigned int flags, const char *api, GError **error)
{
    if (!armz_check_flags(flags, VIR_STORAGE_POOL_CREATE_WITH_BUILD |
                                 VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE |
                                 VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE, api, error))
        return FALSE;
    if ((flags & VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE) &&
        (flags & VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("Overwrite and no overwrite flags are mutually exclusive"));
        return FALSE;
    }
    return TRUE;
}

/* Builds (when FLAGS ask), starts and refreshes OBJ, locked with its job
 * held; drops the lock meanwhile. On failure the pool is left stopped. */
static gboolean
start_locked(ArmzStorageDriver *drv, ArmzPoolObj *obj, unsigned int flags, GError **error)
{
    g_autoptr(ArmzPoolDef) copy = NULL;
    g_autoptr(GError) err = NULL;
    gboolean ok;

    if (obj->newdef) {
        armz_pool_def_free(obj->def);
        obj->def = g_steal_pointer(&obj->newdef);
        obj->backend = armz_storage_backend_for(obj->def->type);
    }
    copy = armz_pool_def_copy(obj->def);
    g_mutex_unlock(&obj->lock);
    ok = (!(flags & (VIR_STORAGE_POOL_CREATE_WITH_BUILD |
                     VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE |
                     VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE)) ||
          obj->backend->build(copy, build_flags_of_start(flags), error)) &&
         obj->backend->start(copy, error);
    g_mutex_lock(&obj->lock);
    if (!ok)
        return FALSE;
    obj->active = TRUE;
    if (!armz_sto_refresh_now(obj, error)) {
        g_mutex_unlock(&obj->lock);
        obj->backend->stop(copy, &err);
        g_mutex_lock(&obj->lock);
        obj->active = FALSE;
        return FALSE;
    }
    if (!armz_pool_store_save_state(drv->store, obj->def, &err))
        armz_warn("storage: %s", err->message);
    armz_info("storage pool '%s' started", obj->name);
    return TRUE;
}

gboolean
armz_storage_pool_start(ArmzStorageDriver *drv, const ArmzPoolId *id, unsigned int flags,
                        GError **error)
{
    ArmzPoolObj *obj;
    gboolean ok = FALSE;

    if (!check_start_flags(flags, "virStoragePoolCreate", error) ||
        !(obj = armz_sto_begin_job(drv, id, "virStoragePoolCreate", error)))
        return FALSE;
    if (obj->active)
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("storage pool '%s' is already active"), obj->name);
    else if ((ok = start_locked(drv, obj, flags, error)))
        emit_lifecycle(drv, obj, VIR_STORAGE_POOL_EVENT_STARTED);
    armz_sto_end_job(obj);
    return ok;
}

ArmzPoolId *
armz_storage_pool_create_xml(ArmzStorageDriver *drv, const char *xml, unsigned int flags,
                             GError **error)
{
    g_autoptr(ArmzPoolDef) def = NULL;
    g_autoptr(ArmzPoolObj) same = NULL;
    ArmzPoolObj *obj = NULL;
    ArmzPoolId *id = NULL;

    if (!check_start_flags(flags, "virStoragePoolCreateXML", error) ||
        !(def = armz_pool_def_parse(xml, error)))
        return NULL;
    g_mutex_lock(&drv->lock);
    if (armz_sto_check_duplicate(drv, def, &same, error)) {
        if (same) {
            g_mutex_lock(&same->lock);
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                        same->active ? _("storage pool '%s' is already active")
                                     : _("storage pool '%s' is already defined: start it instead"),
                        def->name);
            g_mutex_unlock(&same->lock);
        } else {
            g_autoptr(ArmzPoolObj) other = NULL;
            obj = armz_pool_obj_new(g_steal_pointer(&def));
            obj->job.owner = "virStoragePoolCreateXML";
            other = armz_obj_list_add(drv->pools, obj);
            g_assert(!other);   /* adds are serialised by drv->lock */
        }
    }
    g_mutex_unlock(&drv->lock);
    if (!obj)
        return NULL;
    g_mutex_lock(&obj->lock);
    if (start_locked(drv, obj, flags, error)) {
        emit_lifecycle(drv, obj, VIR_STORAGE_POOL_EVENT_STARTED);
        id = armz_sto_pool_id(obj);
    } else {
        armz_sto_remove(drv, obj);
    }
    armz_sto_end_job(obj);
    return id;
}

gboolean
armz_storage_pool_build(ArmzStorageDriver *drv, const ArmzPoolId *id, unsigned int flags,
                        GError **error)
{
    ArmzPoolObj *obj;
    gboolean ok = FALSE;

    if (!armz_check_flags(flags, VIR_STORAGE_POOL_BUILD_OVERWRITE |
                                 VIR_STORAGE_POOL_BUILD_NO_OVERWRITE,
                          "virStoragePoolBuild", error) ||
        !(obj = armz_sto_begin_job(drv, id, "virStoragePoolBuild", error)))
        return FALSE;
    if (obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("storage pool '%s' is already active"), obj->name);
    } else {
        g_autoptr(ArmzPoolDef) copy = armz_pool_def_copy(obj->newdef ? obj->newdef : obj->def);
        g_mutex_unlock(&obj->lock);
        ok = armz_storage_backend_for(copy->type)->build(copy, flags, error);
        g_mutex_lock(&obj->lock);
        if (ok) {
            armz_info("storage pool '%s' built", obj->name);
            emit_lifecycle(drv, obj, VIR_STORAGE_POOL_EVENT_CREATED);
        }
    }
    armz_sto_end_job(obj);
    return ok;
}

/* Marks OBJ stopped (locked, job held): figures and volumes go, a pending
 * definition takes over, a transient pool disappears. */
static void
mark_stopped(ArmzStorageDriver *drv, ArmzPoolObj *obj)
{
    obj->active = FALSE;
    obj->def->capacity = obj->def->allocation = obj->def->available = 0;
    g_ptr_array_set_size(obj->vols, 0);
    armz_pool_store_delete_state(drv->store, obj->name);
    emit_lifecycle(drv, obj, VIR_STORAGE_POOL_EVENT_STOPPED);
    if (obj->newdef) {
        armz_pool_def_free(obj->def);
        obj->def = g_steal_pointer(&obj->newdef);
        obj->backend = armz_storage_backend_for(obj->def->type);
    }
    if (!obj->persistent)
        armz_sto_remove(drv, obj);
}

/* Runs the backend's stop (or remove, with REMOVE) of OBJ's running
 * definition with the lock dropped. */
static gboolean
run_unlocked(ArmzPoolObj *obj, gboolean remove, unsigned int flags, GError **error)
{
    g_autoptr(ArmzPoolDef) copy = armz_pool_def_copy(obj->def);
    gboolean ok;

    g_mutex_unlock(&obj->lock);
    ok = remove ? obj->backend->remove(copy, flags, error) : obj->backend->stop(copy, error);
    g_mutex_lock(&obj->lock);
    return ok;
}

/* Takes the job of the pool ID for API when it is WANT_ACTIVE and has no
 * volume operation under way. */
static ArmzPoolObj *
begin_pool_op(ArmzStorageDriver *drv, const ArmzPoolId *id, const char *api,
              gboolean want_active, GError **error)
{
    ArmzPoolObj *obj = armz_sto_begin_job(drv, id, api, error);

    if (!obj)
        return NULL;
    if (obj->active != want_active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    want_active ? _("storage pool '%s' is not active")
                                : _("storage pool '%s' is still active"), obj->name);
    } else if (armz_sto_check_no_asyncjobs(obj, error)) {
        return obj;
    }
    armz_sto_end_job(obj);
    return NULL;
}

/* Destroy (the backend's stop of a started pool) or, with REMOVE, delete
 * (its remove of a stopped one). */
static gboolean
stop_or_remove(ArmzStorageDriver *drv, const ArmzPoolId *id, gboolean remove,
               unsigned int flags, GError **error)
{
    ArmzPoolObj *obj = begin_pool_op(drv, id, remove ? "virStoragePoolDelete"
                                                     : "virStoragePoolDestroy",
                                     !remove, error);
    gboolean ok;

    if (!obj)
        return FALSE;
    if ((ok = run_unlocked(obj, remove, flags, error))) {
        armz_info("storage pool '%s' %s", obj->name, remove ? "deleted" : "stopped");
        if (remove)
            emit_lifecycle(drv, obj, VIR_STORAGE_POOL_EVENT_DELETED);
        else
            mark_stopped(drv, obj);
    }
    armz_sto_end_job(obj);
    return ok;
}

gboolean
armz_storage_pool_destroy(ArmzStorageDriver *drv, const ArmzPoolId *id, GError **error)
{
    return stop_or_remove(drv, id, FALSE, 0, error);
}

gboolean
armz_storage_pool_delete(ArmzStorageDriver *drv, const ArmzPoolId *id, unsigned int flags,
                         GError **error)
{
    return armz_check_flags(flags, 0, "virStoragePoolDelete", error) &&
           stop_or_remove(drv, id, TRUE, flags, error);
}

gboolean
armz_storage_pool_refresh(ArmzStorageDriver *drv, const ArmzPoolId *id, unsigned int flags,
                          GError **error)
{
    ArmzPoolObj *obj;
    gboolean ok;

    if (!armz_check_flags(flags, 0, "virStoragePoolRefresh", error) ||
        !(obj = begin_pool_op(drv, id, "virStoragePoolRefresh", TRUE, error)))
        return FALSE;
    ok = armz_sto_refresh_now(obj, error);
    if (ok) {
        armz_sto_emit(drv, obj, VIR_STORAGE_POOL_EVENT_ID_REFRESH, 0);
    } else {
        /* As libvirt: a pool that cannot be read is stopped. */
        g_autoptr(GError) ignored = NULL;
        armz_warn("storage: stopping pool '%s': %s", obj->name, (*error)->message);
        run_unlocked(obj, FALSE, 0, &ignored);
        mark_stopped(drv, obj);
    }
    armz_sto_end_job(obj);
    return ok;
}
