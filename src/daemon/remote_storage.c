/* The storage driver's pool procedures. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "storage/storage_api.h"
#include "daemon/remote_storage_priv.h"

void
armz_remote_make_pool(armz_nonnull_storage_pool *out, const ArmzPoolId *id)
{
    out->name = g_strdup(id->name);
    memcpy(out->uuid, id->uuid, sizeof(out->uuid));
}

void
armz_remote_make_vol(armz_nonnull_storage_vol *out, const ArmzVolId *id)
{
    out->pool = g_strdup(id->pool);
    out->name = g_strdup(id->name);
    out->key = g_strdup(id->key);
}

ArmzPoolId
armz_remote_pool_id(const armz_nonnull_storage_pool *pool)
{
    ArmzPoolId id = { pool->name, { 0 } };

    memcpy(id.uuid, pool->uuid, 16);
    return id;
}

ArmzVolId
armz_remote_vol_id(const armz_nonnull_storage_vol *vol)
{
    ArmzVolId id = { vol->pool, vol->name, vol->key };
    return id;
}

#define POOL_OF(type, a) ((type *)(a))->pool
#define POOL_ID(type, a) ArmzPoolId id = armz_remote_pool_id(&POOL_OF(type, a))

static gboolean
ret_pool(void *r, ArmzPoolId *id)
{
    if (!id)
        return FALSE;
    armz_remote_make_pool(&((armz_storage_pool_ret *)r)->pool, id);
    armz_pool_id_free(id);
    return TRUE;
}

/* ---- listing ---- */

static gboolean
list_names(unsigned int flags, int max, armz_connect_list_storage_pools_ret *ret,
           GError **error)
{
    g_autoptr(GPtrArray) list = NULL;
    guint n;

    if (max < 0 || max > ARMZ_STORAGE_POOL_LIST_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("maximum list length %d is outside 0..%d"), max, ARMZ_STORAGE_POOL_LIST_MAX);
        return FALSE;
    }
    if (!(list = armz_storage_pool_list(STORAGE, flags, error)))
        return FALSE;
    n = MIN(list->len, (guint)max);
    ret->names.names_len = n;
    ret->names.names_val = g_new0(armz_nonnull_string, MAX(n, 1));
    for (guint i = 0; i < n; i++)
        ret->names.names_val[i] = g_strdup(((ArmzPoolId *)g_ptr_array_index(list, i))->name);
    return TRUE;
}

static gboolean
count(unsigned int flags, void *r, GError **error)
{
    g_autoptr(GPtrArray) list = armz_storage_pool_list(STORAGE, flags, error);

    if (!list)
        return FALSE;
    ((armz_int_ret *)r)->value = list->len;
    return TRUE;
}

static gboolean
h_num_active(ArmzClient *c, void *a, void *r, GError **error)
{
    return count(VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE, r, error);
}

static gboolean
h_num_inactive(ArmzClient *c, void *a, void *r, GError **error)
{
    return count(VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE, r, error);
}

static gboolean
h_list_active(ArmzClient *c, void *a, void *r, GError **error)
{
    return list_names(VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE,
                      ((armz_connect_list_storage_pools_args *)a)->maxnames, r, error);
}

static gboolean
h_list_inactive(ArmzClient *c, void *a, void *r, GError **error)
{
    return list_names(VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE,
                      ((armz_connect_list_storage_pools_args *)a)->maxnames, r, error);
}

static gboolean
h_list_all(ArmzClient *c, void *a, void *r, GError **error)
{
    armz_connect_list_all_storage_pools_args *args = a;
    armz_connect_list_all_storage_pools_ret *ret = r;
    g_autoptr(GPtrArray) list = armz_storage_pool_list(STORAGE, args->flags, error);

    if (!list)
        return FALSE;
    if (list->len > ARMZ_STORAGE_POOL_LIST_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("too many storage pools (%u) for one reply"), list->len);
        return FALSE;
    }
    if (args->need_results) {
        ret->pools.pools_len = list->len;
        ret->pools.pools_val = g_new0(armz_nonnull_storage_pool, MAX(list->len, 1));
        for (guint i = 0; i < list->len; i++)
            armz_remote_make_pool(&ret->pools.pools_val[i], g_ptr_array_index(list, i));
    }
    ret->ret = list->len;
    return TRUE;
}

/* ---- lookups ---- */

static gboolean
h_lookup_name(ArmzClient *c, void *a, void *r, GError **error)
{
    return ret_pool(r, armz_storage_pool_lookup_name(
        STORAGE, ((armz_storage_pool_lookup_by_name_args *)a)->name, error));
}

static gboolean
h_lookup_uuid(ArmzClient *c, void *a, void *r, GError **error)
{
    return ret_pool(r, armz_storage_pool_lookup_uuid(
        STORAGE, (unsigned char *)((armz_storage_pool_lookup_by_uuid_args *)a)->uuid, error));
}

static gboolean
h_lookup_target(ArmzClient *c, void *a, void *r, GError **error)
{
    return ret_pool(r, armz_storage_pool_lookup_target(
        STORAGE, ((armz_storage_pool_lookup_by_name_args *)a)->name, error));
}

static gboolean
h_lookup_volume(ArmzClient *c, void *a, void *r, GError **error)
{
    ArmzVolId vol = armz_remote_vol_id(&((armz_storage_vol_args *)a)->vol);
    return ret_pool(r, armz_storage_vol_pool(STORAGE, &vol, error));
}

/* ---- definitions and life cycle ---- */

static gboolean
h_define(ArmzClient *c, void *a, void *r, GError **error)
{
    armz_storage_pool_xml_flags_args *args = a;
    return ret_pool(r, armz_storage_pool_define(STORAGE, args->xml, args->flags, error));
}

static gboolean
h_create_xml(ArmzClient *c, void *a, void *r, GError **error)
{
    armz_storage_pool_xml_flags_args *args = a;
    return ret_pool(r, armz_storage_pool_create_xml(STORAGE, args->xml, args->flags, error));
}

static gboolean
h_undefine(ArmzClient *c, void *a, void *r, GError **error)
{
    POOL_ID(armz_storage_pool_args, a);
    return armz_storage_pool_undefine(STORAGE, &id, error);
}

static gboolean
h_create(ArmzClient *c, void *a, void *r, GError **error)
{
    POOL_ID(armz_storage_pool_flags_args, a);
    return armz_storage_pool_start(STORAGE, &id,
                                   ((armz_storage_pool_flags_args *)a)->flags, error);
}

static gboolean
h_build(ArmzClient *c, void *a, void *r, GError **error)
{
    POOL_ID(armz_storage_pool_flags_args, a);
    return armz_storage_pool_build(STORAGE, &id,
                                   ((armz_storage_pool_flags_args *)a)->flags, error);
}

static gboolean
h_destroy(ArmzClient *c, void *a, void *r, GError **error)
{
    POOL_ID(armz_storage_pool_args, a);
    return armz_storage_pool_destroy(STORAGE, &id, error);
}

static gboolean
h_delete(ArmzClient *c, void *a, void *r, GError **error)
{
    POOL_ID(armz_storage_pool_flags_args, a);
    return armz_storage_pool_delete(STORAGE, &id,
                                    ((armz_storage_pool_flags_args *)a)->flags, error);
}

static gboolean
h_refresh(ArmzClient *c, void *a, void *r, GError **error)
{
    POOL_ID(armz_storage_pool_flags_args, a);
    return armz_storage_pool_refresh(STORAGE, &id,
                                     ((armz_storage_pool_flags_args *)a)->flags, error);
}

/* ---- state ---- */

static gboolean
h_get_info(ArmzClient *c, void *a, void *r, GError **error)
{
    armz_storage_pool_get_info_ret *ret = r;
    ArmzPoolInfo info;
    POOL_ID(armz_storage_pool_args, a);

    if (!armz_storage_pool_info(STORAGE, &id, &info, error))
        return FALSE;
    ret->state = info.state;
    ret->capacity = info.capacity;
    ret->allocation = info.allocation;
    ret->available = info.available;
    return TRUE;
}

typedef enum { Q_ACTIVE, Q_PERSISTENT, Q_AUTOSTART } Query;

static gboolean
query(void *a, void *r, Query q, GError **error)
{
    ArmzPoolInfo info;
    POOL_ID(armz_storage_pool_args, a);

    if (!armz_storage_pool_info(STORAGE, &id, &info, error))
        return FALSE;
    ((armz_int_ret *)r)->value = q == Q_ACTIVE ? info.active
                               : q == Q_PERSISTENT ? info.persistent : info.autostart;
    return TRUE;
}

static gboolean
h_is_active(ArmzClient *c, void *a, void *r, GError **error)
{
    return query(a, r, Q_ACTIVE, error);
}

static gboolean
h_is_persistent(ArmzClient *c, void *a, void *r, GError **error)
{
    return query(a, r, Q_PERSISTENT, error);
}

static gboolean
h_get_autostart(ArmzClient *c, void *a, void *r, GError **error)
{
    return query(a, r, Q_AUTOSTART, error);
}

static gboolean
h_set_autostart(ArmzClient *c, void *a, void *r, GError **error)
{
    armz_storage_pool_set_autostart_args *args = a;
    POOL_ID(armz_storage_pool_set_autostart_args, a);
    return armz_storage_pool_set_autostart(STORAGE, &id, args->autostart != 0, error);
}

static gboolean
h_get_xml(ArmzClient *c, void *a, void *r, GError **error)
{
    POOL_ID(armz_storage_pool_flags_args, a);
    char *xml = armz_storage_pool_xml(STORAGE, &id,
                                      ((armz_storage_pool_flags_args *)a)->flags, error);
    if (!xml)
        return FALSE;
    ((armz_string_ret *)r)->str = xml;
    return TRUE;
}

/* ---- volumes of a pool ---- */

static gboolean
h_num_volumes(ArmzClient *c, void *a, void *r, GError **error)
{
    POOL_ID(armz_storage_pool_args, a);
    g_autoptr(GPtrArray) vols = armz_storage_pool_volumes(STORAGE, &id, error);

    if (!vols)
        return FALSE;
    ((armz_int_ret *)r)->value = vols->len;
    return TRUE;
}

static gboolean
h_list_volumes(ArmzClient *c, void *a, void *r, GError **error)
{
    armz_storage_pool_list_volumes_args *args = a;
    armz_storage_pool_list_volumes_ret *ret = r;
    POOL_ID(armz_storage_pool_list_volumes_args, a);
    g_autoptr(GPtrArray) vols = NULL;
    guint n;

    if (args->maxnames < 0 || args->maxnames > ARMZ_STORAGE_VOL_LIST_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC, _("maximum list length %d is outside 0..%d"),
                    args->maxnames, ARMZ_STORAGE_VOL_LIST_MAX);
        return FALSE;
    }
    if (!(vols = armz_storage_pool_volumes(STORAGE, &id, error)))
        return FALSE;
    n = MIN(vols->len, (guint)args->maxnames);
    ret->names.names_len = n;
    ret->names.names_val = g_new0(armz_nonnull_string, MAX(n, 1));
    for (guint i = 0; i < n; i++)
        ret->names.names_val[i] = g_strdup(((ArmzVolId *)g_ptr_array_index(vols, i))->name);
    return TRUE;
}

static gboolean
h_list_all_volumes(ArmzClient *c, void *a, void *r, GError **error)
{
    armz_storage_pool_list_all_volumes_args *args = a;
    armz_storage_pool_list_all_volumes_ret *ret = r;
    POOL_ID(armz_storage_pool_list_all_volumes_args, a);
    g_autoptr(GPtrArray) vols = NULL;

    if (!(vols = armz_storage_pool_list_all_volumes(STORAGE, &id, args->flags, error)))
        return FALSE;
    if (vols->len > ARMZ_STORAGE_VOL_LIST_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("too many storage volumes (%u) for one reply"), vols->len);
        return FALSE;
    }
    if (args->need_results) {
        ret->vols.vols_len = vols->len;
        ret->vols.vols_val = g_new0(armz_nonnull_storage_vol, MAX(vols->len, 1));
        for (guint i = 0; i < vols->len; i++)
            armz_remote_make_vol(&ret->vols.vols_val[i], g_ptr_array_index(vols, i));
    }
    ret->ret = vols->len;
    return TRUE;
}

/* ---- capabilities ---- */

static gboolean
h_capabilities(ArmzClient *c, void *a, void *r, GError **error)
{
    unsigned int flags = ((armz_connect_get_storage_pool_capabilities_args *)a)->flags;
    char *xml = armz_storage_pool_capabilities(STORAGE, flags, error);

    ((armz_string_ret *)r)->str = xml;
    return xml != NULL;
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_CONNECT_NUM_OF_STORAGE_POOLS, ARMZ_NOARGS, ARMZ_RET(armz_int_ret),
      h_num_active, 0 },
    { REMOTE_PROC_CONNECT_LIST_STORAGE_POOLS, ARMZ_ARGS(armz_connect_list_storage_pools_args),
      ARMZ_RET(armz_connect_list_storage_pools_ret), h_list_active, 0 },
    { REMOTE_PROC_CONNECT_NUM_OF_DEFINED_STORAGE_POOLS, ARMZ_NOARGS, ARMZ_RET(armz_int_ret),
      h_num_inactive, 0 },
    { REMOTE_PROC_CONNECT_LIST_DEFINED_STORAGE_POOLS,
      ARMZ_ARGS(armz_connect_list_storage_pools_args),
      ARMZ_RET(armz_connect_list_storage_pools_ret), h_list_inactive, 0 },
    { REMOTE_PROC_STORAGE_POOL_CREATE_XML, ARMZ_ARGS(armz_storage_pool_xml_flags_args),
      ARMZ_RET(armz_storage_pool_ret), h_create_xml, 0 },
    { REMOTE_PROC_STORAGE_POOL_DEFINE_XML, ARMZ_ARGS(armz_storage_pool_xml_flags_args),
      ARMZ_RET(armz_storage_pool_ret), h_define, 0 },
    { REMOTE_PROC_STORAGE_POOL_CREATE, ARMZ_ARGS(armz_storage_pool_flags_args), ARMZ_NORET,
      h_create, 0 },
    { REMOTE_PROC_STORAGE_POOL_BUILD, ARMZ_ARGS(armz_storage_pool_flags_args), ARMZ_NORET,
      h_build, 0 },
    { REMOTE_PROC_STORAGE_POOL_DESTROY, ARMZ_ARGS(armz_storage_pool_args), ARMZ_NORET,
      h_destroy, 0 },
    { REMOTE_PROC_STORAGE_POOL_DELETE, ARMZ_ARGS(armz_storage_pool_flags_args), ARMZ_NORET,
      h_delete, 0 },
    { REMOTE_PROC_STORAGE_POOL_UNDEFINE, ARMZ_ARGS(armz_storage_pool_args), ARMZ_NORET,
      h_undefine, 0 },
    { REMOTE_PROC_STORAGE_POOL_REFRESH, ARMZ_ARGS(armz_storage_pool_flags_args), ARMZ_NORET,
      h_refresh, 0 },
    { REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_NAME, ARMZ_ARGS(armz_storage_pool_lookup_by_name_args),
      ARMZ_RET(armz_storage_pool_ret), h_lookup_name, 0 },
    { REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_UUID, ARMZ_ARGS(armz_storage_pool_lookup_by_uuid_args),
      ARMZ_RET(armz_storage_pool_ret), h_lookup_uuid, 0 },
    { REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_VOLUME, ARMZ_ARGS(armz_storage_vol_args),
      ARMZ_RET(armz_storage_pool_ret), h_lookup_volume, 0 },
    { REMOTE_PROC_STORAGE_POOL_GET_INFO, ARMZ_ARGS(armz_storage_pool_args),
      ARMZ_RET(armz_storage_pool_get_info_ret), h_get_info, 0 },
    { REMOTE_PROC_STORAGE_POOL_GET_XML_DESC, ARMZ_ARGS(armz_storage_pool_flags_args),
      ARMZ_RET(armz_string_ret), h_get_xml, 0 },
    { REMOTE_PROC_STORAGE_POOL_GET_AUTOSTART, ARMZ_ARGS(armz_storage_pool_args),
      ARMZ_RET(armz_int_ret), h_get_autostart, 0 },
    { REMOTE_PROC_STORAGE_POOL_SET_AUTOSTART, ARMZ_ARGS(armz_storage_pool_set_autostart_args),
      ARMZ_NORET, h_set_autostart, 0 },
    { REMOTE_PROC_STORAGE_POOL_NUM_OF_VOLUMES, ARMZ_ARGS(armz_storage_pool_args),
      ARMZ_RET(armz_int_ret), h_num_volumes, 0 },
    { REMOTE_PROC_STORAGE_POOL_LIST_VOLUMES, ARMZ_ARGS(armz_storage_pool_list_volumes_args),
      ARMZ_RET(armz_storage_pool_list_volumes_ret), h_list_volumes, 0 },
    { REMOTE_PROC_STORAGE_POOL_IS_ACTIVE, ARMZ_ARGS(armz_storage_pool_args), ARMZ_RET(armz_int_ret),
      h_is_active, 0 },
    { REMOTE_PROC_STORAGE_POOL_IS_PERSISTENT, ARMZ_ARGS(armz_storage_pool_args),
      ARMZ_RET(armz_int_ret), h_is_persistent, 0 },
    { REMOTE_PROC_CONNECT_LIST_ALL_STORAGE_POOLS,
      ARMZ_ARGS(armz_connect_list_all_storage_pools_args),
      ARMZ_RET(armz_connect_list_all_storage_pools_ret), h_list_all, 0 },
    { REMOTE_PROC_STORAGE_POOL_LIST_ALL_VOLUMES, ARMZ_ARGS(armz_storage_pool_list_all_volumes_args),
      ARMZ_RET(armz_storage_pool_list_all_volumes_ret), h_list_all_volumes, 0 },
    { REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_TARGET_PATH,
      ARMZ_ARGS(armz_storage_pool_lookup_by_name_args), ARMZ_RET(armz_storage_pool_ret),
      h_lookup_target, 0 },
    { REMOTE_PROC_CONNECT_GET_STORAGE_POOL_CAPABILITIES,
      ARMZ_ARGS(armz_connect_get_storage_pool_capabilities_args), ARMZ_RET(armz_string_ret),
      h_capabilities, 0 },
};

void
armz_remote_storage_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
    armz_remote_storage_vol_register(d);
    armz_remote_storage_events_register(d);
}
