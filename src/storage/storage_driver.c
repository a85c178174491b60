/* Storage pools: the object list, persistence, life cycle and events. */
#include <string.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "conf/domain_conf.h"
#include "storage/storage_driver_priv.h"

/* How long an API waits for another operation on the same pool. */
#define JOB_WAIT_US (30 * G_USEC_PER_SEC)

void
armz_pool_id_free(ArmzPoolId *id)
{
    if (id) {
        g_free(id->name);
        g_free(id);
    }
}

void
armz_vol_id_free(ArmzVolId *id)
{
    if (id) {
        g_free(id->pool);
        g_free(id->name);
        g_free(id->key);
        g_free(id);
    }
}

static void
vol_obj_free(ArmzVolObj *v)
{
    armz_vol_def_free(v->def);
    g_free(v);
}

ArmzPoolObj *
armz_pool_obj_ref(ArmzPoolObj *obj)
{
    obj->refs++;
    return obj;
}

void
armz_pool_obj_unref(ArmzPoolObj *obj)
{
    if (!obj || --obj->refs > 0)
        return;
    armz_pool_def_free(obj->def);
    armz_pool_def_free(obj->newdef);
    g_ptr_array_unref(obj->vols);
    g_free(obj);
}

static ArmzPoolObj *
pool_obj_new(ArmzPoolDef *def)
{
    ArmzPoolObj *obj = g_new0(ArmzPoolObj, 1);

    obj->refs = 1;
    obj->def = def;
    obj->backend = armz_storage_backend_for(def->type);
    obj->vols = g_ptr_array_new_with_free_func((GDestroyNotify)vol_obj_free);
    return obj;
}

ArmzPoolId *
armz_sto_pool_id(ArmzPoolObj *obj)
{
    ArmzPoolId *id = g_new0(ArmzPoolId, 1);

    id->name = g_strdup(obj->def->name);
    memcpy(id->uuid, obj->def->uuid, 16);
    return id;
}

ArmzVolId *
armz_sto_vol_id(ArmzPoolObj *obj, ArmzVolObj *vol)
{
    ArmzVolId *id = g_new0(ArmzVolId, 1);

    id->pool = g_strdup(obj->def->name);
    id->name = g_strdup(vol->def->name);
    id->key = g_strdup(vol->def->key ? vol->def->key : vol->def->path);
    return id;
}

ArmzPoolObj *
armz_sto_find_name(ArmzStorageDriver *drv, const char *name)
{
    for (guint i = 0; i < drv->pools->len; i++) {
        ArmzPoolObj *obj = g_ptr_array_index(drv->pools, i);
        if (g_str_equal(obj->def->name, name))
            return obj;
    }
    return NULL;
}

static ArmzPoolObj *
find_uuid(ArmzStorageDriver *drv, const unsigned char *uuid)
{
    for (guint i = 0; i < drv->pools->len; i++) {
        ArmzPoolObj *obj = g_ptr_array_index(drv->pools, i);
        if (memcmp(obj->def->uuid, uuid, 16) == 0)
            return obj;
    }
    return NULL;
}

static ArmzPoolObj *
get_by_id(ArmzStorageDriver *drv, const ArmzPoolId *id, GError **error)
{
    ArmzPoolObj *obj = find_uuid(drv, id->uuid);

    if (!obj) {
        char uuid[37];
        armz_uuid_format(id->uuid, uuid);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_STORAGE_POOL,
                    _("no storage pool with matching uuid '%s' (%s)"), uuid, id->name);
    }
    return obj;
}

ArmzPoolObj *
armz_sto_get_active(ArmzStorageDriver *drv, const char *name, GError **error)
{
    ArmzPoolObj *obj = armz_sto_find_name(drv, name);

    if (!obj) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_STORAGE_POOL,
                    _("no storage pool with matching name '%s'"), name);
        return NULL;
    }
    if (!obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("storage pool '%s' is not active"), name);
        return NULL;
    }
    return obj;
}

ArmzVolObj *
armz_sto_find_vol(ArmzPoolObj *obj, const char *name)
{
    for (guint i = 0; i < obj->vols->len; i++) {
        ArmzVolObj *v = g_ptr_array_index(obj->vols, i);
        if (g_str_equal(v->def->name, name))
            return v;
    }
    return NULL;
}

ArmzVolObj *
armz_sto_get_vol(ArmzPoolObj *obj, const char *name, GError **error)
{
    ArmzVolObj *v = armz_sto_find_vol(obj, name);

    if (!v)
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_STORAGE_VOL,
                    _("no storage vol with matching name '%s'"), name);
    return v;
}

static void
emit(ArmzStorageDriver *drv, ArmzPoolObj *obj, int event_id, int event)
{
    g_autoptr(ArmzPoolId) id = armz_sto_pool_id(obj);

    if (drv->event_fn)
        drv->event_fn(id, event_id, event, drv->event_opaque);
}

static void
emit_lifecycle(ArmzStorageDriver *drv, ArmzPoolObj *obj, int event)
{
    emit(drv, obj, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, event);
}

/* ---- jobs ---- */

static gboolean
wait_job(ArmzStorageDriver *drv, ArmzPoolObj *obj, GError **error)
{
    gint64 until = g_get_monotonic_time() + JOB_WAIT_US;

    while (obj->job && !obj->removed) {
        if (!g_cond_wait_until(&drv->cond, &drv->lock, until)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_TIMEOUT,
                        _("timed out waiting for another operation on storage pool '%s'"),
                        obj->def->name);
            return FALSE;
        }
    }
    if (obj->removed) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_STORAGE_POOL,
                    _("no storage pool with matching name '%s'"), obj->def->name);
        return FALSE;
    }
    return TRUE;
}

/* Looks ID up and takes the pool's job: a new reference, or NULL. */
static ArmzPoolObj *
begin_job(ArmzStorageDriver *drv, const ArmzPoolId *id, GError **error)
{
    ArmzPoolObj *obj = get_by_id(drv, id, error);

    if (!obj)
        return NULL;
    armz_pool_obj_ref(obj);
    if (!wait_job(drv, obj, error)) {
        armz_pool_obj_unref(obj);
        return NULL;
    }
    obj->job = TRUE;
    return obj;
}

static void
end_job(ArmzStorageDriver *drv, ArmzPoolObj *obj)
{
    obj->job = FALSE;
    g_cond_broadcast(&drv->cond);
    armz_pool_obj_unref(obj);
}

gboolean
armz_sto_begin_vol_op(ArmzStorageDriver *drv, ArmzPoolObj *obj, GError **error)
{
    if (!wait_job(drv, obj, error))
        return FALSE;
    if (!obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("storage pool '%s' is not active"), obj->def->name);
        return FALSE;
    }
    obj->asyncjobs++;
    armz_pool_obj_ref(obj);
    return TRUE;
}

void
armz_sto_end_vol_op(ArmzStorageDriver *drv, ArmzPoolObj *obj)
{
    obj->asyncjobs--;
    g_cond_broadcast(&drv->cond);
    armz_pool_obj_unref(obj);
}

static gboolean
check_no_asyncjobs(ArmzPoolObj *obj, GError **error)
{
    if (obj->asyncjobs > 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("pool '%s' has asynchronous jobs running."), obj->def->name);
        return FALSE;
    }
    return TRUE;
}

static void
remove_obj(ArmzStorageDriver *drv, ArmzPoolObj *obj)
{
    obj->removed = TRUE;
    g_ptr_array_remove(drv->pools, obj);
    g_cond_broadcast(&drv->cond);
}

/* ---- refresh ---- */

void
armz_sto_merge_refresh(ArmzPoolObj *obj, const ArmzPoolDef *fresh, GPtrArray *vols)
{
    g_autoptr(GPtrArray) old = obj->vols;

    obj->def->capacity = fresh->capacity;
    obj->def->allocation = fresh->allocation;
    obj->def->available = fresh->available;
    obj->vols = g_ptr_array_new_with_free_func((GDestroyNotify)vol_obj_free);
    for (guint i = 0; i < vols->len; i++) {
        ArmzVolObj *v = g_new0(ArmzVolObj, 1);
        ArmzVolObj *was = NULL;

        v->def = g_ptr_array_steal_index_fast(vols, i--);
        for (guint j = 0; j < old->len; j++) {
            ArmzVolObj *o = g_ptr_array_index(old, j);
            if (o && g_str_equal(o->def->name, v->def->name)) {
                was = o;
                break;
            }
        }
        if (was) {
            v->building = was->building;
            v->in_use = was->in_use;
        }
        g_ptr_array_add(obj->vols, v);
    }
    /* Volumes being made may not be on the host yet. */
    for (guint j = 0; j < old->len; j++) {
        ArmzVolObj *o = g_ptr_array_index(old, j);
        if (o->building && !armz_sto_find_vol(obj, o->def->name)) {
            g_ptr_array_add(obj->vols, g_ptr_array_steal_index(old, j));
            j--;
        }
    }
}

/* Refreshes from the host with the lock dropped; FALSE with ERROR when
 * the backend fails (OBJ is untouched then). */
static gboolean
refresh_now(ArmzStorageDriver *drv, ArmzPoolObj *obj, GError **error)
{
    g_autoptr(ArmzPoolDef) copy = armz_pool_def_copy(obj->def);
    g_autoptr(GPtrArray) vols = g_ptr_array_new_with_free_func((GDestroyNotify)armz_vol_def_free);
    gboolean ok;

    g_mutex_unlock(&drv->lock);
    ok = obj->backend->refresh(copy, vols, error);
    g_mutex_lock(&drv->lock);
    if (ok)
        armz_sto_merge_refresh(obj, copy, vols);
    return ok;
}

void
armz_sto_refresh_unlocked(ArmzStorageDriver *drv, ArmzPoolObj *obj)
{
    g_autoptr(GError) error = NULL;

    if (!refresh_now(drv, obj, &error))
        armz_warn("storage: cannot refresh pool '%s': %s", obj->def->name, error->message);
}

/* ---- definitions ---- */

/* Two pools on the same directory, device or volume group would manage
 * the same data twice. */
static gboolean
check_conflicts(ArmzStorageDriver *drv, const ArmzPoolDef *def, GError **error)
{
    for (guint i = 0; i < drv->pools->len; i++) {
        ArmzPoolObj *obj = g_ptr_array_index(drv->pools, i);
        const ArmzPoolDef *o = obj->def;
        gboolean clash = FALSE;

        if (g_str_equal(o->name, def->name))
            continue;
        if (g_str_equal(o->target_path, def->target_path))
            clash = TRUE;
        if (o->type == ARMZ_POOL_LOGICAL && def->type == ARMZ_POOL_LOGICAL &&
            g_str_equal(o->source_name, def->source_name))
            clash = TRUE;
        for (guint a = 0; a < o->devices->len; a++)
            for (guint b = 0; b < def->devices->len; b++)
                if (g_str_equal(g_ptr_array_index(o->devices, a),
                                g_ptr_array_index(def->devices, b)))
                    clash = TRUE;
        if (clash) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                        _("Storage source conflict with pool: '%s'"), o->name);
            return FALSE;
        }
    }
    return TRUE;
}

/* Checks DEF against the pools with its name or UUID: the object it
 * redefines, or NULL for a new pool. */
static gboolean
check_duplicate(ArmzStorageDriver *drv, const ArmzPoolDef *def, ArmzPoolObj **same,
                GError **error)
{
    ArmzPoolObj *by_name = armz_sto_find_name(drv, def->name);
    ArmzPoolObj *by_uuid = find_uuid(drv, def->uuid);
    char uuid[37];

    *same = NULL;
    if (by_name && memcmp(by_name->def->uuid, def->uuid, 16) != 0) {
        armz_uuid_format(by_name->def->uuid, uuid);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("pool '%s' is already defined with uuid %s"), def->name, uuid);
        return FALSE;
    }
    if (by_uuid && !g_str_equal(by_uuid->def->name, def->name)) {
        armz_uuid_format(def->uuid, uuid);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("pool '%s' already exists with uuid %s"), by_uuid->def->name, uuid);
        return FALSE;
    }
    if (by_name && by_name->def->type != def->type && by_name->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot change the type of started pool '%s'"), def->name);
        return FALSE;
    }
    *same = by_name;
    return check_conflicts(drv, def, error);
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

ArmzPoolId *
armz_storage_pool_define(ArmzStorageDriver *drv, const char *xml, unsigned int flags,
                         GError **error)
{
    g_autoptr(ArmzPoolDef) def = NULL;
    ArmzPoolObj *obj;
    ArmzPoolId *id = NULL;

    if (!armz_check_flags(flags, VIR_STORAGE_POOL_DEFINE_VALIDATE,
                          "virStoragePoolDefineXML", error) ||
        !(def = parse_checked(xml, flags & VIR_STORAGE_POOL_DEFINE_VALIDATE, error)))
        return NULL;

    g_mutex_lock(&drv->lock);
    if (!check_duplicate(drv, def, &obj, error) ||
        !armz_pool_store_save(drv->store, def, error))
        goto out;
    if (!obj) {
        obj = pool_obj_new(g_steal_pointer(&def));
        g_ptr_array_add(drv->pools, obj);
    } else if (obj->active) {
        /* The running pool keeps its definition until it stops. */
        armz_pool_def_free(obj->newdef);
        obj->newdef = g_steal_pointer(&def);
    } else {
        armz_pool_def_free(obj->def);
        obj->def = g_steal_pointer(&def);
        obj->backend = armz_storage_backend_for(obj->def->type);
    }
    obj->persistent = TRUE;
    armz_info("storage pool '%s' defined", obj->def->name);
    emit_lifecycle(drv, obj, VIR_STORAGE_POOL_EVENT_DEFINED);
    id = armz_sto_pool_id(obj);
 out:
    g_mutex_unlock(&drv->lock);
    return id;
}

gboolean
armz_storage_pool_undefine(ArmzStorageDriver *drv, const ArmzPoolId *id, GError **error)
{
    ArmzPoolObj *obj;
    gboolean ok = FALSE;

    g_mutex_lock(&drv->lock);
    if (!(obj = begin_job(drv, id, error)))
        goto out;
    if (!obj->persistent) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot undefine transient storage pool '%s'"), obj->def->name);
    } else if (obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("storage pool '%s' is still active"), obj->def->name);
    } else if (check_no_asyncjobs(obj, error) &&
               armz_pool_store_delete(drv->store, obj->def->name, error)) {
        obj->persistent = FALSE;
        obj->autostart = FALSE;
        armz_info("storage pool '%s' undefined", obj->def->name);
        emit_lifecycle(drv, obj, VIR_STORAGE_POOL_EVENT_UNDEFINED);
        remove_obj(drv, obj);
        ok = TRUE;
    }
    end_job(drv, obj);
 out:
    g_mutex_unlock(&drv->lock);
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

/* Builds (when FLAGS ask), starts and refreshes OBJ, whose job is held;
 * drops the lock meanwhile. On failure the pool is left stopped. */
static gboolean
start_locked(ArmzStorageDriver *drv, ArmzPoolObj *obj, unsigned int flags, GError **error)
{
    g_autoptr(ArmzPoolDef) copy = NULL;
    gboolean ok;

    if (obj->newdef) {
        armz_pool_def_free(obj->def);
        obj->def = g_steal_pointer(&obj->newdef);
        obj->backend = armz_storage_backend_for(obj->def->type);
    }
    copy = armz_pool_def_copy(obj->def);
    g_mutex_unlock(&drv->lock);
    ok = (!(flags & (VIR_STORAGE_POOL_CREATE_WITH_BUILD |
                     VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE |
                     VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE)) ||
          obj->backend->build(copy, build_flags_of_start(flags), error)) &&
         obj->backend->start(copy, error);
    g_mutex_lock(&drv->lock);
    if (!ok)
        return FALSE;
    obj->active = TRUE;
    if (!refresh_now(drv, obj, error)) {
        g_autoptr(GError) ignored = NULL;
        g_mutex_unlock(&drv->lock);
        obj->backend->stop(copy, &ignored);
        g_mutex_lock(&drv->lock);
        obj->active = FALSE;
        return FALSE;
    }
    {
        g_autoptr(GError) err = NULL;
        if (!armz_pool_store_save_state(drv->store, obj->def, &err))
            armz_warn("storage: %s", err->message);
    }
    armz_info("storage pool '%s' started", obj->def->name);
    return TRUE;
}

gboolean
armz_storage_pool_start(ArmzStorageDriver *drv, const ArmzPoolId *id, unsigned int flags,
                        GError **error)
{
    ArmzPoolObj *obj;
    gboolean ok = FALSE;

    if (!check_start_flags(flags, "virStoragePoolCreate", error))
        return FALSE;
    g_mutex_lock(&drv->lock);
    if (!(obj = begin_job(drv, id, error)))
        goto out;
    if (obj->active)
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("storage pool '%s' is already active"), obj->def->name);
    else if ((ok = start_locked(drv, obj, flags, error)))
        emit_lifecycle(drv, obj, VIR_STORAGE_POOL_EVENT_STARTED);
    end_job(drv, obj);
 out:
    g_mutex_unlock(&drv->lock);
    return ok;
}

ArmzPoolId *
armz_storage_pool_create_xml(ArmzStorageDriver *drv, const char *xml, unsigned int flags,
                             GError **error)
{
    g_autoptr(ArmzPoolDef) def = NULL;
    ArmzPoolObj *obj, *same;
    ArmzPoolId *id = NULL;

    if (!check_start_flags(flags, "virStoragePoolCreateXML", error) ||
        !(def = armz_pool_def_parse(xml, error)))
        return NULL;
    g_mutex_lock(&drv->lock);
    if (!check_duplicate(drv, def, &same, error))
        goto out;
    if (same) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    same->active ? _("storage pool '%s' is already active")
                                 : _("storage pool '%s' is already defined: start it instead"),
                    def->name);
        goto out;
    }
    obj = pool_obj_new(g_steal_pointer(&def));
    g_ptr_array_add(drv->pools, obj);
    obj->job = TRUE;
    armz_pool_obj_ref(obj);
    if (start_locked(drv, obj, flags, error)) {
        emit_lifecycle(drv, obj, VIR_STORAGE_POOL_EVENT_STARTED);
        id = armz_sto_pool_id(obj);
    } else {
        remove_obj(drv, obj);
    }
    end_job(drv, obj);
 out:
    g_mutex_unlock(&drv->lock);
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
                          "virStoragePoolBuild", error))
        return FALSE;
    g_mutex_lock(&drv->lock);
    if (!(obj = begin_job(drv, id, error)))
        goto out;
    if (obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("storage pool '%s' is already active"), obj->def->name);
    } else {
        g_autoptr(ArmzPoolDef) copy = armz_pool_def_copy(obj->newdef ? obj->newdef : obj->def);
        g_mutex_unlock(&drv->lock);
        ok = armz_storage_backend_for(copy->type)->build(copy, flags, error);
        g_mutex_lock(&drv->lock);
        if (ok) {
            armz_info("storage pool '%s' built", obj->def->name);
            emit_lifecycle(drv, obj, VIR_STORAGE_POOL_EVENT_CREATED);
        }
    }
    end_job(drv, obj);
 out:
    g_mutex_unlock(&drv->lock);
    return ok;
}

/* Marks OBJ stopped (job held): figures and volumes go, a pending
 * definition takes over, a transient pool disappears. */
static void
mark_stopped(ArmzStorageDriver *drv, ArmzPoolObj *obj)
{
    obj->active = FALSE;
    obj->def->capacity = obj->def->allocation = obj->def->available = 0;
    g_ptr_array_set_size(obj->vols, 0);
    armz_pool_store_delete_state(drv->store, obj->def->name);
    emit_lifecycle(drv, obj, VIR_STORAGE_POOL_EVENT_STOPPED);
    if (obj->newdef) {
        armz_pool_def_free(obj->def);
        obj->def = g_steal_pointer(&obj->newdef);
        obj->backend = armz_storage_backend_for(obj->def->type);
    }
    if (!obj->persistent)
        remove_obj(drv, obj);
}

gboolean
armz_storage_pool_destroy(ArmzStorageDriver *drv, const ArmzPoolId *id, GError **error)
{
    ArmzPoolObj *obj;
    gboolean ok = FALSE;

    g_mutex_lock(&drv->lock);
    if (!(obj = begin_job(drv, id, error)))
        goto out;
    if (!obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("storage pool '%s' is not active"), obj->def->name);
    } else if (check_no_asyncjobs(obj, error)) {
        g_autoptr(ArmzPoolDef) copy = armz_pool_def_copy(obj->def);
        g_mutex_unlock(&drv->lock);
        ok = obj->backend->stop(copy, error);
        g_mutex_lock(&drv->lock);
        if (ok) {
            armz_info("storage pool '%s' stopped", obj->def->name);
            mark_stopped(drv, obj);
        }
    }
    end_job(drv, obj);
 out:
    g_mutex_unlock(&drv->lock);
    return ok;
}

gboolean
armz_storage_pool_delete(ArmzStorageDriver *drv, const ArmzPoolId *id, unsigned int flags,
                         GError **error)
{
    ArmzPoolObj *obj;
    gboolean ok = FALSE;

    if (!armz_check_flags(flags, 0, "virStoragePoolDelete", error))
        return FALSE;
    g_mutex_lock(&drv->lock);
    if (!(obj = begin_job(drv, id, error)))
        goto out;
    if (obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("storage pool '%s' is still active"), obj->def->name);
    } else if (check_no_asyncjobs(obj, error)) {
        g_autoptr(ArmzPoolDef) copy = armz_pool_def_copy(obj->def);
        g_mutex_unlock(&drv->lock);
        ok = obj->backend->remove(copy, flags, error);
        g_mutex_lock(&drv->lock);
        if (ok) {
            armz_info("storage pool '%s' deleted", obj->def->name);
            emit_lifecycle(drv, obj, VIR_STORAGE_POOL_EVENT_DELETED);
        }
    }
    end_job(drv, obj);
 out:
    g_mutex_unlock(&drv->lock);
    return ok;
}

gboolean
armz_storage_pool_refresh(ArmzStorageDriver *drv, const ArmzPoolId *id, unsigned int flags,
                          GError **error)
{
    ArmzPoolObj *obj;
    gboolean ok = FALSE;

    if (!armz_check_flags(flags, 0, "virStoragePoolRefresh", error))
        return FALSE;
    g_mutex_lock(&drv->lock);
    if (!(obj = begin_job(drv, id, error)))
        goto out;
    if (!obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("storage pool '%s' is not active"), obj->def->name);
    } else if (check_no_asyncjobs(obj, error)) {
        ok = refresh_now(drv, obj, error);
        if (ok) {
            emit(drv, obj, VIR_STORAGE_POOL_EVENT_ID_REFRESH, 0);
        } else {
            /* As libvirt: a pool that cannot be read is stopped. */
            g_autoptr(ArmzPoolDef) copy = armz_pool_def_copy(obj->def);
            g_autoptr(GError) ignored = NULL;
            armz_warn("storage: stopping pool '%s': %s", obj->def->name, (*error)->message);
            g_mutex_unlock(&drv->lock);
            obj->backend->stop(copy, &ignored);
            g_mutex_lock(&drv->lock);
            mark_stopped(drv, obj);
        }
    }
    end_job(drv, obj);
 out:
    g_mutex_unlock(&drv->lock);
    return ok;
}

/* ---- queries ---- */

ArmzPoolId *
armz_storage_pool_lookup_name(ArmzStorageDriver *drv, const char *name, GError **error)
{
    ArmzPoolObj *obj;
    ArmzPoolId *id = NULL;

    g_mutex_lock(&drv->lock);
    if ((obj = armz_sto_find_name(drv, name)))
        id = armz_sto_pool_id(obj);
    else
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_STORAGE_POOL,
                    _("no storage pool with matching name '%s'"), name);
    g_mutex_unlock(&drv->lock);
    return id;
}

ArmzPoolId *
armz_storage_pool_lookup_uuid(ArmzStorageDriver *drv, const unsigned char *uuid,
                              GError **error)
{
    ArmzPoolObj *obj;
    ArmzPoolId *id = NULL;

    g_mutex_lock(&drv->lock);
    if ((obj = find_uuid(drv, uuid))) {
        id = armz_sto_pool_id(obj);
    } else {
        char s[37];
        armz_uuid_format(uuid, s);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_STORAGE_POOL,
                    _("no storage pool with matching uuid '%s'"), s);
    }
    g_mutex_unlock(&drv->lock);
    return id;
}

ArmzPoolId *
armz_storage_pool_lookup_target(ArmzStorageDriver *drv, const char *path, GError **error)
{
    g_autofree char *clean = g_canonicalize_filename(path, "/");
    ArmzPoolId *id = NULL;

    g_mutex_lock(&drv->lock);
    for (guint i = 0; i < drv->pools->len && !id; i++) {
        ArmzPoolObj *obj = g_ptr_array_index(drv->pools, i);
        if (obj->active && g_str_equal(obj->def->target_path, clean))
            id = armz_sto_pool_id(obj);
    }
    if (!id)
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_STORAGE_POOL,
                    _("no storage pool with matching target path '%s'"), path);
    g_mutex_unlock(&drv->lock);
    return id;
}

static gboolean
match_filter(ArmzPoolObj *obj, unsigned int flags)
{
    const unsigned int types = VIR_CONNECT_LIST_STORAGE_POOLS_DIR | VIR_CONNECT_LIST_STORAGE_POOLS_FS |
        VIR_CONNECT_LIST_STORAGE_POOLS_NETFS | VIR_CONNECT_LIST_STORAGE_POOLS_LOGICAL |
        VIR_CONNECT_LIST_STORAGE_POOLS_DISK | VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI |
        VIR_CONNECT_LIST_STORAGE_POOLS_SCSI | VIR_CONNECT_LIST_STORAGE_POOLS_MPATH |
        VIR_CONNECT_LIST_STORAGE_POOLS_RBD | VIR_CONNECT_LIST_STORAGE_POOLS_SHEEPDOG |
        VIR_CONNECT_LIST_STORAGE_POOLS_GLUSTER | VIR_CONNECT_LIST_STORAGE_POOLS_ZFS |
        VIR_CONNECT_LIST_STORAGE_POOLS_VSTORAGE | VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI_DIRECT;
    static const unsigned int type_flag[] = {
        [ARMZ_POOL_DIR] = VIR_CONNECT_LIST_STORAGE_POOLS_DIR,
        [ARMZ_POOL_FS] = VIR_CONNECT_LIST_STORAGE_POOLS_FS,
        [ARMZ_POOL_LOGICAL] = VIR_CONNECT_LIST_STORAGE_POOLS_LOGICAL,
    };

#define PAIR(on, off, value) \
    if ((flags & ((on) | (off))) && (flags & ((on) | (off))) != ((on) | (off)) && \
        !((flags & (on)) ? (value) : !(value))) \
        return FALSE
    PAIR(VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE, VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE,
         obj->active);
    PAIR(VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT, VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT,
         obj->persistent);
    PAIR(VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART, VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART,
         obj->autostart);
#undef PAIR
    if ((flags & types) && !(flags & type_flag[obj->def->type]))
        return FALSE;
    return TRUE;
}

GPtrArray *
armz_storage_pool_list(ArmzStorageDriver *drv, unsigned int flags, GError **error)
{
    GPtrArray *out;

    if (!armz_check_flags(flags, (VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI_DIRECT << 1) - 1,
                          "virConnectListAllStoragePools", error))
        return NULL;
    out = g_ptr_array_new_with_free_func((GDestroyNotify)armz_pool_id_free);
    g_mutex_lock(&drv->lock);
    for (guint i = 0; i < drv->pools->len; i++) {
        ArmzPoolObj *obj = g_ptr_array_index(drv->pools, i);
        if (match_filter(obj, flags))
            g_ptr_array_add(out, armz_sto_pool_id(obj));
    }
    g_mutex_unlock(&drv->lock);
    return out;
}

gboolean
armz_storage_pool_info(ArmzStorageDriver *drv, const ArmzPoolId *id, ArmzPoolInfo *info,
                       GError **error)
{
    ArmzPoolObj *obj;

    g_mutex_lock(&drv->lock);
    if ((obj = get_by_id(drv, id, error))) {
        info->active = obj->active;
        info->persistent = obj->persistent;
        info->autostart = obj->autostart;
        info->state = obj->active ? VIR_STORAGE_POOL_RUNNING : VIR_STORAGE_POOL_INACTIVE;
        info->capacity = obj->def->capacity;
        info->allocation = obj->def->allocation;
        info->available = obj->def->available;
    }
    g_mutex_unlock(&drv->lock);
    return obj != NULL;
}

char *
armz_storage_pool_xml(ArmzStorageDriver *drv, const ArmzPoolId *id, unsigned int flags,
                      GError **error)
{
    ArmzPoolObj *obj;
    char *xml = NULL;

    if (!armz_check_flags(flags, VIR_STORAGE_XML_INACTIVE, "virStoragePoolGetXMLDesc", error))
        return NULL;
    g_mutex_lock(&drv->lock);
    if ((obj = get_by_id(drv, id, error)))
        xml = armz_pool_def_format((flags & VIR_STORAGE_XML_INACTIVE) && obj->newdef
                                   ? obj->newdef : obj->def);
    g_mutex_unlock(&drv->lock);
    return xml;
}

gboolean
armz_storage_pool_set_autostart(ArmzStorageDriver *drv, const ArmzPoolId *id,
                                gboolean autostart, GError **error)
{
    ArmzPoolObj *obj;
    gboolean ok = FALSE;

    g_mutex_lock(&drv->lock);
    if (!(obj = get_by_id(drv, id, error)))
        goto out;
    if (!obj->persistent) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot set autostart for transient pool '%s'"), obj->def->name);
        goto out;
    }
    autostart = !!autostart;
    if (obj->autostart != autostart &&
        !armz_pool_store_set_autostart(drv->store, obj->def->name, autostart, error))
        goto out;
    obj->autostart = autostart;
    ok = TRUE;
 out:
    g_mutex_unlock(&drv->lock);
    return ok;
}

GPtrArray *
armz_storage_pool_volumes(ArmzStorageDriver *drv, const ArmzPoolId *id, GError **error)
{
    ArmzPoolObj *obj;
    GPtrArray *out = NULL;

    g_mutex_lock(&drv->lock);
    if ((obj = get_by_id(drv, id, error))) {
        if (!obj->active) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                        _("storage pool '%s' is not active"), obj->def->name);
        } else {
            out = g_ptr_array_new_with_free_func((GDestroyNotify)armz_vol_id_free);
            for (guint i = 0; i < obj->vols->len; i++)
                g_ptr_array_add(out, armz_sto_vol_id(obj, g_ptr_array_index(obj->vols, i)));
        }
    }
    g_mutex_unlock(&drv->lock);
    return out;
}

/* ---- start up ---- */

static void
load_config(ArmzPoolDef *def, gboolean autostart, gpointer opaque)
{
    ArmzStorageDriver *drv = opaque;
    g_autoptr(GError) error = NULL;
    ArmzPoolObj *same;

    if (!check_duplicate(drv, def, &same, &error) || same) {
        armz_err("skipping storage pool '%s': %s", def->name,
                 error ? error->message : _("defined twice"));
        armz_pool_def_free(def);
        return;
    }
    same = pool_obj_new(def);
    same->persistent = TRUE;
    same->autostart = autostart;
    g_ptr_array_add(drv->pools, same);
}

/* A pool that was started when the daemon stopped: started again if the
 * host still has it so (the mount, the volume group), else forgotten. */
static void
load_state(ArmzPoolDef *def, gboolean unused, gpointer opaque)
{
    ArmzStorageDriver *drv = opaque;
    ArmzPoolObj *obj = armz_sto_find_name(drv, def->name);
    const ArmzStorageBackend *be = armz_storage_backend_for(def->type);

    if (!be->is_started(def)) {
        armz_info("storage pool '%s' is no longer started on the host", def->name);
        armz_pool_store_delete_state(drv->store, def->name);
        armz_pool_def_free(def);
        return;
    }
    if (obj) {
        if (memcmp(obj->def->uuid, def->uuid, 16) != 0) {
            armz_err("storage pool state '%s' does not match its definition: ignored",
                     def->name);
            armz_pool_def_free(def);
            return;
        }
        /* The stored definition becomes the pending one. */
        armz_pool_def_free(obj->newdef);
        obj->newdef = obj->def;
        obj->def = def;
        obj->backend = be;
    } else {
        obj = pool_obj_new(def);
        g_ptr_array_add(drv->pools, obj);
    }
    obj->active = TRUE;
    if (obj->newdef) {
        g_autofree char *a = armz_pool_def_format(obj->newdef);
        g_autofree char *b = armz_pool_def_format(obj->def);
        if (g_str_equal(a, b))
            g_clear_pointer(&obj->newdef, armz_pool_def_free);
    }
}

static char *
default_pool_file(void)
{
    const char *env = g_getenv("ARMZ_DEFAULT_POOL_XML");
    const char *schemas = g_getenv("ARMZ_SCHEMA_DIR");
    g_autofree char *installed = g_build_filename(PKGDATADIR, "storage", "default-pool.xml", NULL);

    if (env)
        return g_strdup(env);
    /* beside the schemas when they are elsewhere (an unpacked tree) */
    if (schemas && *schemas) {
        g_autofree char *beside = g_build_filename(schemas, "..", "storage", "default-pool.xml",
                                                   NULL);
        if (g_file_test(beside, G_FILE_TEST_EXISTS))
            return g_steal_pointer(&beside);
    }
    if (g_file_test(installed, G_FILE_TEST_EXISTS))
        return g_steal_pointer(&installed);
    return g_build_filename(SRCDIR, "src", "storage", "default-pool.xml", NULL);
}

/* The shipped definition of 'default', pointed at this daemon's image
 * directory, defined with autostart (and its directory made). */
static void
define_default_pool(ArmzStorageDriver *drv)
{
    g_autofree char *file = default_pool_file();
    g_autofree char *xml = NULL;
    g_autoptr(GError) error = NULL;
    ArmzPoolDef *def;
    ArmzPoolObj *obj;

    if (!g_file_get_contents(file, &xml, NULL, &error) ||
        !(def = armz_pool_def_parse(xml, &error))) {
        armz_warn("storage: no default pool: %s", error->message);
        return;
    }
    g_free(def->target_path);
    def->target_path = g_strdup(drv->image_dir);
    if (!armz_pool_store_save(drv->store, def, &error) ||
        !armz_pool_store_set_autostart(drv->store, def->name, TRUE, &error) ||
        !armz_storage_backend_for(def->type)->build(def, 0, &error)) {
        armz_warn("storage: cannot set up the default pool: %s", error->message);
    }
    obj = pool_obj_new(def);
    obj->persistent = TRUE;
    obj->autostart = TRUE;
    g_ptr_array_add(drv->pools, obj);
    armz_info("storage pool 'default' defined on %s", drv->image_dir);
}

ArmzStorageDriver *
armz_storage_driver_new(const ArmzPaths *paths, GError **error)
{
    ArmzStorageDriver *drv = g_new0(ArmzStorageDriver, 1);
    gboolean first = FALSE;

    g_mutex_init(&drv->lock);
    g_cond_init(&drv->cond);
    drv->store = armz_pool_store_new(paths);
    drv->image_dir = g_build_filename(paths->lib_dir, "images", NULL);
    drv->pools = g_ptr_array_new_with_free_func((GDestroyNotify)armz_pool_obj_unref);
    if (!armz_pool_store_prepare(drv->store, &first, error)) {
        armz_storage_driver_free(drv);
        return NULL;
    }
    g_mutex_lock(&drv->lock);
    armz_pool_store_load_configs(drv->store, load_config, drv);
    if (first && !armz_sto_find_name(drv, "default"))
        define_default_pool(drv);
    armz_pool_store_load_states(drv->store, load_state, drv);
    for (guint i = 0; i < drv->pools->len; i++) {
        ArmzPoolObj *obj = g_ptr_array_index(drv->pools, i);
        if (obj->active)
            armz_sto_refresh_unlocked(drv, obj);
    }
    g_mutex_unlock(&drv->lock);
    return drv;
}

void
armz_storage_driver_free(ArmzStorageDriver *drv)
{
    if (!drv)
        return;
    g_ptr_array_unref(drv->pools);
    armz_pool_store_free(drv->store);
    g_free(drv->image_dir);
    g_mutex_clear(&drv->lock);
    g_cond_clear(&drv->cond);
    g_free(drv);
}

void
armz_storage_driver_set_event_func(ArmzStorageDriver *drv, ArmzPoolEventFunc fn,
                                   gpointer opaque)
{
    g_mutex_lock(&drv->lock);
    drv->event_fn = fn;
    drv->event_opaque = opaque;
    g_mutex_unlock(&drv->lock);
}

void
armz_storage_driver_autostart(ArmzStorageDriver *drv)
{
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func((GDestroyNotify)armz_pool_id_free);

    g_mutex_lock(&drv->lock);
    for (guint i = 0; i < drv->pools->len; i++) {
        ArmzPoolObj *obj = g_ptr_array_index(drv->pools, i);
        if (obj->autostart && !obj->active)
            g_ptr_array_add(ids, armz_sto_pool_id(obj));
    }
    g_mutex_unlock(&drv->lock);
    for (guint i = 0; i < ids->len; i++) {
        ArmzPoolId *id = g_ptr_array_index(ids, i);
        g_autoptr(GError) error = NULL;
        if (!armz_storage_pool_start(drv, id, 0, &error))
            armz_err("autostart of storage pool '%s' failed: %s", id->name, error->message);
    }
}
