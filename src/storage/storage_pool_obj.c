/* Pool objects: identities, finding and locking pools, jobs, volume
 * operations, refreshes and events (see storage_driver_priv.h). */
#include <string.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "conf/domain_conf.h"
#include "storage/storage_driver_priv.h"

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
    if (!v)
        return;
    armz_vol_def_free(v->def);
    g_free(v);
}

static void
pool_obj_dispose(ArmzObj *base)
{
    ArmzPoolObj *obj = (ArmzPoolObj *)base;

    armz_pool_def_free(obj->def);
    armz_pool_def_free(obj->newdef);
    g_ptr_array_unref(obj->vols);
    g_hash_table_unref(obj->gone);
}

ArmzPoolObj *
armz_pool_obj_new(ArmzPoolDef *def)
{
    ArmzPoolObj *obj = g_new0(ArmzPoolObj, 1);

    armz_obj_init(&obj->parent, def->name, def->uuid, pool_obj_dispose);
    obj->def = def;
    obj->backend = armz_storage_backend_for(def->type);
    obj->vols = g_ptr_array_new_with_free_func((GDestroyNotify)vol_obj_free);
    obj->gone = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return obj;
}

ArmzPoolId *
armz_sto_pool_id(ArmzPoolObj *obj)
{
    ArmzPoolId *id = g_new0(ArmzPoolId, 1);

    id->name = g_strdup(obj->name);
    memcpy(id->uuid, obj->uuid, 16);
    return id;
}

ArmzVolId *
armz_sto_vol_id(ArmzPoolObj *obj, ArmzVolObj *vol)
{
    ArmzVolId *id = g_new0(ArmzVolId, 1);

    id->pool = g_strdup(obj->name);
    id->name = g_strdup(vol->def->name);
    id->key = g_strdup(vol->def->key ? vol->def->key : vol->def->path);
    return id;
}

ArmzPoolObj *
armz_sto_get_name(ArmzStorageDriver *drv, const char *name, GError **error)
{
    ArmzPoolObj *obj = armz_obj_list_find_name(drv->pools, name);

    if (!obj)
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_STORAGE_POOL,
                    _("no storage pool with matching name '%s'"), name);
    return obj;
}

ArmzPoolObj *
armz_sto_get_id(ArmzStorageDriver *drv, const ArmzPoolId *id, GError **error)
{
    ArmzPoolObj *obj = armz_obj_list_find_uuid(drv->pools, id->uuid);

    if (!obj) {
        char uuid[37];
        armz_uuid_format(id->uuid, uuid);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_STORAGE_POOL,
                    _("no storage pool with matching uuid '%s' (%s)"), uuid, id->name);
    }
    return obj;
}

ArmzPoolObj *
armz_sto_lock_active(ArmzStorageDriver *drv, const char *name, GError **error)
{
    ArmzPoolObj *obj = armz_sto_get_name(drv, name, error);

    if (!obj)
        return NULL;
    g_mutex_lock(&obj->lock);
    if (!obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("storage pool '%s' is not active"), name);
        armz_sto_unlock(obj);
        return NULL;
    }
    return obj;
}

void
armz_sto_unlock(ArmzPoolObj *obj)
{
    g_mutex_unlock(&obj->lock);
    armz_obj_unref(obj);
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

typedef struct {
    ArmzPoolId *id;
    int event_id, event;
} PoolEvent;

static void
call_sink(ArmzObjFunc fn, gpointer opaque, gconstpointer p)
{
    const PoolEvent *ev = p;

    ((ArmzPoolEventSink)fn)(ev->id, ev->event_id, ev->event, opaque);
}

void
armz_sto_emit(ArmzStorageDriver *drv, ArmzPoolObj *obj, int event_id, int event)
{
    g_autoptr(ArmzPoolId) id = armz_sto_pool_id(obj);
    PoolEvent ev = { id, event_id, event };

    armz_obj_sink_emit(&drv->events, call_sink, &ev);
}

void
armz_storage_driver_set_event_sink(ArmzStorageDriver *drv, ArmzPoolEventSink sink,
                                   gpointer opaque)
{
    armz_obj_sink_set(&drv->events, (ArmzObjFunc)sink, opaque);
}

void
armz_storage_driver_set_secret_resolver(ArmzStorageDriver *drv, ArmzVolSecretFunc fn,
                                        gpointer opaque)
{
    drv->resolve_secret = fn;
    drv->secret_opaque = opaque;
}

/* ---- jobs ---- */

static gboolean
check_not_removed(ArmzPoolObj *obj, GError **error)
{
    if (obj->removed) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_STORAGE_POOL,
                    _("no storage pool with matching name '%s'"), obj->name);
        return FALSE;
    }
    return TRUE;
}

ArmzPoolObj *
armz_sto_begin_job(ArmzStorageDriver *drv, const ArmzPoolId *id, const char *api,
                   GError **error)
{
    ArmzPoolObj *obj = armz_sto_get_id(drv, id, error);

    if (!obj)
        return NULL;
    g_mutex_lock(&obj->lock);
    if (!armz_obj_begin_job(&obj->parent, api, error)) {
        armz_sto_unlock(obj);
        return NULL;
    }
    if (!check_not_removed(obj, error)) {
        armz_sto_end_job(obj);
        return NULL;
    }
    return obj;
}

void
armz_sto_end_job(ArmzPoolObj *obj)
{
    armz_obj_end_job(&obj->parent);
    armz_sto_unlock(obj);
}

gboolean
armz_sto_begin_vol_op(ArmzPoolObj *obj, GError **error)
{
    if (!armz_obj_job_wait_free(&obj->job, &obj->lock, error) || !check_not_removed(obj, error))
        return FALSE;
    if (!obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("storage pool '%s' is not active"), obj->name);
        return FALSE;
    }
    obj->asyncjobs++;
    return TRUE;
}

void
armz_sto_end_vol_op(ArmzPoolObj *obj)
{
    obj->asyncjobs--;
}

gboolean
armz_sto_check_no_asyncjobs(ArmzPoolObj *obj, GError **error)
{
    if (obj->asyncjobs > 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("pool '%s' has asynchronous jobs running."), obj->name);
        return FALSE;
    }
    return TRUE;
}

void
armz_sto_remove(ArmzStorageDriver *drv, ArmzPoolObj *obj)
{
    /* lock order: the list before the pool */
    g_mutex_unlock(&obj->lock);
    armz_obj_list_remove(drv->pools, obj);
    g_mutex_lock(&obj->lock);
}

/* ---- refresh ---- */

void
armz_sto_vol_touched(ArmzPoolObj *obj, ArmzVolObj *vol)
{
    vol->changed = ++obj->changes;
}

void
armz_sto_vol_forget(ArmzPoolObj *obj, ArmzVolObj *vol)
{
    ++obj->changes;
    if (obj->scans > 0)
        g_hash_table_insert(obj->gone, g_strdup(vol->def->name),
                            GSIZE_TO_POINTER((gsize)obj->changes));
    g_ptr_array_remove(obj->vols, vol);
}

/* The volume named NAME in OLD, taken out of it (its slot left NULL). */
static ArmzVolObj *
take_old(GPtrArray *old, const char *name)
{
    for (guint j = 0; j < old->len; j++) {
        ArmzVolObj *o = g_ptr_array_index(old, j);
        if (o && g_str_equal(o->def->name, name)) {
            g_ptr_array_index(old, j) = NULL;
            return o;
        }
    }
    return NULL;
}

void
armz_sto_merge_refresh(ArmzPoolObj *obj, const ArmzPoolDef *fresh, GPtrArray *vols,
                       guint64 since)
{
    g_autoptr(GPtrArray) old = obj->vols;

    obj->def->capacity = fresh->capacity;
    obj->def->allocation = fresh->allocation;
    obj->def->available = fresh->available;
    obj->vols = g_ptr_array_new_with_free_func((GDestroyNotify)vol_obj_free);
    for (guint i = 0; i < vols->len; i++) {
        ArmzVolDef *def = g_ptr_array_index(vols, i);
        gsize gone_at = GPOINTER_TO_SIZE(g_hash_table_lookup(obj->gone, def->name));
        ArmzVolObj *was, *v;

        if (gone_at > since)
            continue;           /* deleted after the scan saw it */
        was = take_old(old, def->name);
        if (was && was->changed > since) {
            g_ptr_array_add(obj->vols, was);    /* the driver's view is newer */
            continue;
        }
        v = g_new0(ArmzVolObj, 1);
        v->def = g_steal_pointer(&g_ptr_array_index(vols, i));
        if (was) {
            v->building = was->building;
            v->in_use = was->in_use;
            v->changed = was->changed;
            vol_obj_free(was);
        }
        g_ptr_array_add(obj->vols, v);
    }
    /* Volumes the scan did not see: being made, or made after it began. */
    for (guint j = 0; j < old->len; j++) {
        ArmzVolObj *o = g_ptr_array_index(old, j);
        if (o && (o->building || o->changed > since)) {
            g_ptr_array_add(obj->vols, o);
            g_ptr_array_index(old, j) = NULL;
        }
    }
}

gboolean
armz_sto_refresh_now(ArmzPoolObj *obj, GError **error)
{
    g_autoptr(ArmzPoolDef) copy = armz_pool_def_copy(obj->def);
    g_autoptr(GPtrArray) vols = g_ptr_array_new_with_free_func((GDestroyNotify)armz_vol_def_free);
    guint64 since = obj->changes;
    gboolean ok;

    obj->scans++;
    g_mutex_unlock(&obj->lock);
    ok = obj->backend->refresh(copy, vols, error);
    g_mutex_lock(&obj->lock);
    if (ok)
        armz_sto_merge_refresh(obj, copy, vols, since);
    if (--obj->scans == 0)
        g_hash_table_remove_all(obj->gone);
    return ok;
}

void
armz_sto_refresh_unlocked(ArmzPoolObj *obj)
{
    g_autoptr(GError) error = NULL;

    if (!armz_sto_refresh_now(obj, &error))
        armz_warn("storage: cannot refresh pool '%s': %s", obj->name, error->message);
}
