/* The storage pool APIs that read a pool: lookups, listing, info, XML,
 * autostart and the volume list. None waits for a pool's job. */
#include <string.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "conf/domain_conf.h"
#include "storage/storage_driver_priv.h"

ArmzPoolId *
armz_storage_pool_lookup_name(ArmzStorageDriver *drv, const char *name, GError **error)
{
    g_autoptr(ArmzPoolObj) obj = armz_sto_get_name(drv, name, error);

    return obj ? armz_sto_pool_id(obj) : NULL;
}

ArmzPoolId *
armz_storage_pool_lookup_uuid(ArmzStorageDriver *drv, const unsigned char *uuid,
                              GError **error)
{
    g_autoptr(ArmzPoolObj) obj = armz_obj_list_find_uuid(drv->pools, uuid);
    char s[37];

    if (obj)
        return armz_sto_pool_id(obj);
    armz_uuid_format(uuid, s);
    g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_STORAGE_POOL,
                _("no storage pool with matching uuid '%s'"), s);
    return NULL;
}

static gboolean
has_target(gpointer p, gpointer path)
{
    ArmzPoolObj *obj = p;

    return obj->active && g_str_equal(obj->def->target_path, path);
}

ArmzPoolId *
armz_storage_pool_lookup_target(ArmzStorageDriver *drv, const char *path, GError **error)
{
    g_autofree char *clean = g_canonicalize_filename(path, "/");
    g_autoptr(ArmzPoolObj) obj = armz_obj_list_find(drv->pools, has_target, clean);

    if (obj)
        return armz_sto_pool_id(obj);
    g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_STORAGE_POOL,
                _("no storage pool with matching target path '%s'"), path);
    return NULL;
}

/* OBJ locked. */
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

    if (!armz_obj_state_matches(flags, obj->active, obj->persistent, obj->autostart))
        return FALSE;
    return !(flags & types) || (flags & type_flag[obj->def->type]);
}

GPtrArray *
armz_storage_pool_list(ArmzStorageDriver *drv, unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) all = NULL;
    GPtrArray *out;

    if (!armz_check_flags(flags, (VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI_DIRECT << 1) - 1,
                          "virConnectListAllStoragePools", error))
        return NULL;
    out = g_ptr_array_new_with_free_func((GDestroyNotify)armz_pool_id_free);
    all = armz_obj_list_collect(drv->pools);
    for (guint i = 0; i < all->len; i++) {
        ArmzPoolObj *obj = g_ptr_array_index(all, i);
        g_mutex_lock(&obj->lock);
        if (match_filter(obj, flags))
            g_ptr_array_add(out, armz_sto_pool_id(obj));
        g_mutex_unlock(&obj->lock);
    }
    return out;
}

gboolean
armz_storage_pool_info(ArmzStorageDriver *drv, const ArmzPoolId *id, ArmzPoolInfo *info,
                       GError **error)
{
    g_autoptr(ArmzPoolObj) obj = armz_sto_get_id(drv, id, error);

    if (!obj)
        return FALSE;
    g_mutex_lock(&obj->lock);
    info->active = obj->active;
    info->persistent = obj->persistent;
    info->autostart = obj->autostart;
    info->state = obj->active ? VIR_STORAGE_POOL_RUNNING : VIR_STORAGE_POOL_INACTIVE;
    info->capacity = obj->def->capacity;
    info->allocation = obj->def->allocation;
    info->available = obj->def->available;
    g_mutex_unlock(&obj->lock);
    return TRUE;
}

char *
armz_storage_pool_xml(ArmzStorageDriver *drv, const ArmzPoolId *id, unsigned int flags,
                      GError **error)
{
    g_autoptr(ArmzPoolObj) obj = NULL;
    char *xml;

    if (!armz_check_flags(flags, VIR_STORAGE_XML_INACTIVE, "virStoragePoolGetXMLDesc", error) ||
        !(obj = armz_sto_get_id(drv, id, error)))
        return NULL;
    g_mutex_lock(&obj->lock);
    xml = armz_pool_def_format((flags & VIR_STORAGE_XML_INACTIVE) && obj->newdef
                               ? obj->newdef : obj->def);
    g_mutex_unlock(&obj->lock);
    return xml;
}

gboolean
armz_storage_pool_set_autostart(ArmzStorageDriver *drv, const ArmzPoolId *id,
                                gboolean autostart, GError **error)
{
    ArmzPoolObj *obj = armz_sto_begin_job(drv, id, "virStoragePoolSetAutostart", error);
    gboolean ok = FALSE;

    if (!obj)
        return FALSE;
    autostart = !!autostart;
    if (!obj->persistent) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot set autostart for transient pool '%s'"), obj->name);
    } else if (obj->autostart == autostart ||
               armz_pool_store_set_autostart(drv->store, obj->name, autostart, error)) {
        obj->autostart = autostart;
        ok = TRUE;
    }
    armz_sto_end_job(obj);
    return ok;
}

GPtrArray *
armz_storage_pool_volumes(ArmzStorageDriver *drv, const ArmzPoolId *id, GError **error)
{
    g_autoptr(ArmzPoolObj) obj = armz_sto_get_id(drv, id, error);
    GPtrArray *out = NULL;

    if (!obj)
        return NULL;
    g_mutex_lock(&obj->lock);
    if (!obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("storage pool '%s' is not active"), obj->name);
    } else {
        out = g_ptr_array_new_with_free_func((GDestroyNotify)armz_vol_id_free);
        for (guint i = 0; i < obj->vols->len; i++)
            g_ptr_array_add(out, armz_sto_vol_id(obj, g_ptr_array_index(obj->vols, i)));
    }
    g_mutex_unlock(&obj->lock);
    return out;
}
