/* Storage volumes: lookups, creation, cloning, deletion, wiping, resizing,
 * transfers, and the domain driver's resolver. */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "conf/domain_conf.h"
#include "storage/storage_driver_priv.h"
#include "storage/vol_open.h"

/* The started pool named VOL->pool, locked (a new reference), and its
 * volume: both or NULL. Undo with armz_sto_unlock. */
static ArmzPoolObj *
get_vol(ArmzStorageDriver *drv, const ArmzVolId *id, ArmzVolObj **vol, GError **error)
{
    ArmzPoolObj *obj = armz_sto_lock_active(drv, id->pool, error);

    if (obj && !(*vol = armz_sto_get_vol(obj, id->name, error))) {
        armz_sto_unlock(obj);
        return NULL;
    }
    return obj;
}

static gboolean
check_ready(ArmzVolObj *vol, GError **error)
{
    if (vol->building) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("volume '%s' is still being allocated."), vol->def->name);
        return FALSE;
    }
    return TRUE;
}

/* Re-reads VOL's figures (a stat: done with the lock held). */
static void
refresh_vol(ArmzPoolObj *obj, ArmzVolObj *vol)
{
    g_autoptr(GError) error = NULL;

    if (!vol->building && !obj->backend->vol_refresh(obj->def, vol->def, &error))
        armz_debug("storage: %s", error->message);
}

ArmzVolId *
armz_storage_vol_lookup_name(ArmzStorageDriver *drv, const char *pool, const char *name,
                             GError **error)
{
    ArmzPoolObj *obj;
    ArmzVolObj *vol;
    ArmzVolId *id = NULL;
    ArmzVolId want = { (char *)pool, (char *)name, NULL };

    if ((obj = get_vol(drv, &want, &vol, error))) {
        id = armz_sto_vol_id(obj, vol);
        armz_sto_unlock(obj);
    }
    return id;
}

/* The volume of a started pool whose key (or, with BY_PATH, path) is WHAT. */
static ArmzVolId *
find_vol(ArmzStorageDriver *drv, const char *what, gboolean by_path)
{
    g_autoptr(GPtrArray) all = armz_obj_list_collect(drv->pools);
    ArmzVolId *id = NULL;

    for (guint i = 0; i < all->len && !id; i++) {
        ArmzPoolObj *obj = g_ptr_array_index(all, i);

        g_mutex_lock(&obj->lock);
        for (guint j = 0; obj->active && !id && j < obj->vols->len; j++) {
            ArmzVolObj *v = g_ptr_array_index(obj->vols, j);
            const char *s = by_path ? v->def->path : v->def->key;
            if (s && g_str_equal(s, what))
                id = armz_sto_vol_id(obj, v);
        }
        g_mutex_unlock(&obj->lock);
    }
    return id;
}

ArmzVolId *
armz_storage_vol_lookup_key(ArmzStorageDriver *drv, const char *key, GError **error)
{
    ArmzVolId *id;

    if (!(id = find_vol(drv, key, FALSE)))
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_STORAGE_VOL,
                    _("no storage vol with matching key %s"), key);
    return id;
}

ArmzVolId *
armz_storage_vol_lookup_path(ArmzStorageDriver *drv, const char *path, GError **error)
{
    g_autofree char *clean = g_canonicalize_filename(path, "/");
    ArmzVolId *id;

    if (!(id = find_vol(drv, clean, TRUE)))
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_STORAGE_VOL,
                    _("no storage vol with matching path '%s'"), path);
    return id;
}

ArmzPoolId *
armz_storage_vol_pool(ArmzStorageDriver *drv, const ArmzVolId *vol, GError **error)
{
    g_autoptr(ArmzPoolObj) obj = armz_sto_get_name(drv, vol->pool, error);

    return obj ? armz_sto_pool_id(obj) : NULL;
}

/* ---- space ---- */

/* A volume that could never be filled, or whose allocation the pool does
 * not have, is refused before anything is made. */
static gboolean
check_space(ArmzPoolObj *obj, const ArmzVolDef *vol, guint64 need_now, GError **error)
{
    const ArmzPoolDef *p = obj->def;

    if (need_now > p->available) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("not enough space in pool '%s' for volume '%s': %" PRIu64
                      " bytes needed, %" PRIu64 " available"),
                    p->name, vol->name, need_now, p->available);
        return FALSE;
    }
    if (vol->capacity > p->capacity) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("volume '%s' of %" PRIu64 " bytes cannot fit in pool '%s' "
                      "(capacity %" PRIu64 " bytes)"),
                    vol->name, vol->capacity, p->name, p->capacity);
        return FALSE;
    }
    return TRUE;
}

/* Logical volumes are allocated whole, files as they are written. */
static gboolean
thick(ArmzPoolObj *obj)
{
    return obj->def->type == ARMZ_POOL_LOGICAL;
}

/* ---- creation ---- */

static ArmzVolDef *
parse_vol(const char *xml, unsigned int flags, GError **error)
{
    if (flags & VIR_STORAGE_VOL_CREATE_VALIDATE) {
        g_autofree char *rng = armz_storage_schema_path("storagevol.rng");
        if (!armz_domain_xml_validate(xml, rng, error))
            return NULL;
    }
    return armz_vol_def_parse(xml, error);
}

/* Adds a placeholder for DEF (building) to OBJ, whose volume operation is
 * held; fails when the name is taken. */
static ArmzVolObj *
reserve(ArmzPoolObj *obj, ArmzVolDef *def, GError **error)
{
    ArmzVolObj *v;

    if (armz_sto_find_vol(obj, def->name)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_STORAGE_VOL_EXIST,
                    _("storage volume name '%s' already in use."), def->name);
        return NULL;
    }
    obj->backend->vol_locate(obj->def, def);
    v = g_new0(ArmzVolObj, 1);
    v->def = armz_vol_def_copy(def);
    v->building = 1;
    armz_sto_vol_touched(obj, v);
    g_ptr_array_add(obj->vols, v);
    return v;
}

/* After the backend ran: drop the placeholder on failure; otherwise a
 * refresh brings the volume's real figures (and a logical volume's key). */
static ArmzVolId *
finish_create(ArmzPoolObj *obj, const char *name, gboolean ok)
{
    ArmzVolObj *v = armz_sto_find_vol(obj, name);

    if (v) {
        v->building = 0;
        armz_sto_vol_touched(obj, v);
    }
    if (!ok) {
        if (v)
            armz_sto_vol_forget(obj, v);
        return NULL;
    }
    armz_sto_refresh_unlocked(obj);
    if (!(v = armz_sto_find_vol(obj, name)))
        return NULL;
    return armz_sto_vol_id(obj, v);
}

/* The passphrase of the LUKS volume DEF is to have, from its secret. */
static gboolean
vol_key(ArmzStorageDriver *drv, ArmzVolDef *def, GError **error)
{
    if (!def->secret_uuid && !def->secret_usage) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                    _("volume '%s': <encryption format='luks'> needs a <secret "
                      "type='passphrase'/> holding its passphrase"), def->name);
        return FALSE;
    }
    if (!drv->resolve_secret) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_SUPPORT,
                    _("volume '%s': no secret driver to read its passphrase from"), def->name);
        return FALSE;
    }
    def->passphrase = drv->resolve_secret(def->secret_uuid, def->secret_usage,
                                          drv->secret_opaque, error);
    return def->passphrase != NULL;
}

ArmzVolId *
armz_storage_vol_create(ArmzStorageDriver *drv, const ArmzPoolId *pool, const char *xml,
                        unsigned int flags, GError **error)
{
    g_autoptr(ArmzVolDef) def = NULL;
    g_autoptr(ArmzPoolDef) pcopy = NULL;
    ArmzPoolObj *obj;
    ArmzVolId *id = NULL;
    gboolean ok;

    if (!armz_check_flags(flags, VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA |
                                 VIR_STORAGE_VOL_CREATE_VALIDATE,
                          "virStorageVolCreateXML", error) ||
        !(def = parse_vol(xml, flags, error)))
        return NULL;

    if (def->luks && !vol_key(drv, def, error))
        return NULL;
    if (!(obj = armz_sto_lock_active(drv, pool->name, error)))
        return NULL;
    if (def->luks && obj->backend->vol_create != armz_vol_file_create) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("encrypted volumes are made in directory and file system pools only, "
                      "not in pool '%s'"), obj->name);
        goto out;
    }
    if (!armz_sto_begin_vol_op(obj, error))
        goto out;
    if (!check_space(obj, def, thick(obj) ? def->capacity
                                        : def->has_allocation ? def->allocation : 0, error) ||
        !reserve(obj, def, error)) {
        armz_sto_end_vol_op(obj);
        goto out;
    }
    pcopy = armz_pool_def_copy(obj->def);
    g_mutex_unlock(&obj->lock);
    ok = obj->backend->vol_create(pcopy, def, flags, error);
    g_mutex_lock(&obj->lock);
    id = finish_create(obj, def->name, ok);
    if (ok && !id)
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("volume '%s' was created but has disappeared"), def->name);
    if (id)
        armz_info("storage volume '%s' created in pool '%s'", def->name, obj->name);
    armz_sto_end_vol_op(obj);
 out:
    armz_sto_unlock(obj);
    return id;
}

/* The source of a clone: its pool's volume operation taken, the volume
 * marked in use and copied into *SCOPY; the pool unlocked (a reference). */
static ArmzPoolObj *
begin_clone_source(ArmzStorageDriver *drv, const ArmzVolId *src, ArmzVolDef **scopy,
                   GError **error)
{
    ArmzVolObj *svol;
    ArmzPoolObj *sobj = get_vol(drv, src, &svol, error);

    if (!sobj)
        return NULL;
    if (!check_ready(svol, error) || !armz_sto_begin_vol_op(sobj, error)) {
        armz_sto_unlock(sobj);
        return NULL;
    }
    /* Waiting for the pool may have let the source go. */
    if (!(svol = armz_sto_get_vol(sobj, src->name, error)) || !check_ready(svol, error)) {
        armz_sto_end_vol_op(sobj);
        armz_sto_unlock(sobj);
        return NULL;
    }
    refresh_vol(sobj, svol);
    svol->in_use++;
    *scopy = armz_vol_def_copy(svol->def);
    g_mutex_unlock(&sobj->lock);
    return sobj;
}

static void
end_clone_source(ArmzPoolObj *sobj, const char *name)
{
    ArmzVolObj *svol;

    g_mutex_lock(&sobj->lock);
    if ((svol = armz_sto_find_vol(sobj, name)))
        svol->in_use--;
    armz_sto_end_vol_op(sobj);
    armz_sto_unlock(sobj);
}

ArmzVolId *
armz_storage_vol_clone(ArmzStorageDriver *drv, const ArmzPoolId *pool, const char *xml,
                       const ArmzVolId *src, unsigned int flags, GError **error)
{
    g_autoptr(ArmzVolDef) def = NULL;
    g_autoptr(ArmzVolDef) scopy = NULL;
    g_autoptr(ArmzPoolDef) pcopy = NULL;
    ArmzPoolObj *obj = NULL, *sobj = NULL;
    ArmzVolId *id = NULL;
    gboolean ok;

    if (!armz_check_flags(flags, VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA |
                                 VIR_STORAGE_VOL_CREATE_VALIDATE,
                          "virStorageVolCreateXMLFrom", error) ||
        !(def = parse_vol(xml, flags, error)))
        return NULL;
    if (def->luks) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("cloning into an encrypted volume is not supported by the armz driver"));
        return NULL;
    }

    /* one pool locked at a time: the source (which may be the same pool)
     * is marked in use, then the target reserves the new volume */
    if (!(sobj = begin_clone_source(drv, src, &scopy, error)))
        return NULL;
    if (!(obj = armz_sto_lock_active(drv, pool->name, error)))
        goto done;
    if (!armz_sto_begin_vol_op(obj, error))
        goto out;
    def->capacity = MAX(def->capacity, scopy->capacity);
    if (!check_space(obj, def, thick(obj) ? def->capacity : scopy->allocation, error) ||
        !reserve(obj, def, error)) {
        armz_sto_end_vol_op(obj);
        goto out;
    }
    pcopy = armz_pool_def_copy(obj->def);
    g_mutex_unlock(&obj->lock);
    ok = obj->backend->vol_clone(pcopy, def, scopy, flags, error);
    g_mutex_lock(&obj->lock);
    id = finish_create(obj, def->name, ok);
    if (ok && !id)
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("volume '%s' was created but has disappeared"), def->name);
    if (id)
        armz_info("storage volume '%s' cloned from '%s' in pool '%s'", def->name, src->name,
                  obj->name);
    armz_sto_end_vol_op(obj);
 out:
    armz_sto_unlock(obj);
 done:
    end_clone_source(sobj, src->name);
    return id;
}

/* ---- changes to one volume ---- */

typedef enum { OP_DELETE, OP_WIPE, OP_RESIZE } VolOp;

/* Runs OP on the volume with the lock dropped; the volume is marked busy
 * (building for a delete: nothing else may use it) meanwhile. */
static gboolean
run_vol_op(ArmzStorageDriver *drv, const ArmzVolId *id, VolOp op, guint64 arg,
           unsigned int flags, GError **error)
{
    g_autoptr(ArmzVolDef) vcopy = NULL;
    g_autoptr(ArmzPoolDef) pcopy = NULL;
    ArmzPoolObj *obj;
    ArmzVolObj *vol;
    gboolean ok = FALSE;
    guint64 capacity = 0;

    if (!(obj = get_vol(drv, id, &vol, error)))
        return FALSE;
    if (!armz_sto_begin_vol_op(obj, error))
        goto out;
    if (!(vol = armz_sto_get_vol(obj, id->name, error)) || !check_ready(vol, error))
        goto done;
    if (op == OP_DELETE && vol->in_use) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("volume '%s' is still in use."), vol->def->name);
        goto done;
    }
    refresh_vol(obj, vol);
    if (op == OP_RESIZE) {
        guint64 cur = vol->def->capacity;

        if (flags & VIR_STORAGE_VOL_RESIZE_DELTA) {
            if (flags & VIR_STORAGE_VOL_RESIZE_SHRINK) {
                if (arg > cur) {
                    g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                                _("can't shrink capacity below zero"));
                    goto done;
                }
                capacity = cur - arg;
            } else {
                if (arg > G_MAXUINT64 - cur) {
                    g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                                _("requested capacity is too large"));
                    goto done;
                }
                capacity = cur + arg;
            }
        } else {
            capacity = arg;
        }
        if (capacity < cur && !(flags & VIR_STORAGE_VOL_RESIZE_SHRINK)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                        _("Can't shrink capacity below current capacity unless shrink flag "
                          "explicitly specified"));
            goto done;
        }
        if (capacity > cur) {
            ArmzVolDef want = *vol->def;
            want.capacity = capacity;
            if (!check_space(obj, &want, (thick(obj) || (flags & VIR_STORAGE_VOL_RESIZE_ALLOCATE))
                                             ? capacity - cur : 0, error))
                goto done;
        }
        if (capacity == cur) {
            ok = TRUE;
            goto done;
        }
    }
    if (op == OP_DELETE)
        vol->building = 1;
    else
        vol->in_use++;
    vcopy = armz_vol_def_copy(vol->def);
    pcopy = armz_pool_def_copy(obj->def);
    g_mutex_unlock(&obj->lock);
    switch (op) {
    case OP_DELETE: ok = obj->backend->vol_delete(pcopy, vcopy, error); break;
    case OP_WIPE: ok = obj->backend->vol_wipe(pcopy, vcopy, error); break;
    case OP_RESIZE: ok = obj->backend->vol_resize(pcopy, vcopy, capacity, flags, error); break;
    }
    g_mutex_lock(&obj->lock);
    if ((vol = armz_sto_find_vol(obj, id->name))) {
        if (op == OP_DELETE) {
            vol->building = 0;
            armz_sto_vol_touched(obj, vol);
            if (ok)
                armz_sto_vol_forget(obj, vol);
        } else {
            vol->in_use--;
        }
    }
    if (ok) {
        armz_info("storage volume '%s' of pool '%s' %s", id->name, obj->name,
                  op == OP_DELETE ? "deleted" : op == OP_WIPE ? "wiped" : "resized");
        armz_sto_refresh_unlocked(obj);
    }
 done:
    armz_sto_end_vol_op(obj);
 out:
    armz_sto_unlock(obj);
    return ok;
}

gboolean
armz_storage_vol_delete(ArmzStorageDriver *drv, const ArmzVolId *vol, unsigned int flags,
                        GError **error)
{
    if (!armz_check_flags(flags, 0, "virStorageVolDelete", error))
        return FALSE;
    return run_vol_op(drv, vol, OP_DELETE, 0, flags, error);
}

gboolean
armz_storage_vol_wipe(ArmzStorageDriver *drv, const ArmzVolId *vol, unsigned int algorithm,
                      unsigned int flags, GError **error)
{
    if (!armz_check_flags(flags, 0, "virStorageVolWipePattern", error))
        return FALSE;
    if (algorithm > VIR_STORAGE_VOL_WIPE_ALG_TRIM) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("wiping algorithm %u not supported"), algorithm);
        return FALSE;
    }
    if (algorithm != VIR_STORAGE_VOL_WIPE_ALG_ZERO) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                    _("wiping algorithm %u is not supported by the armz driver: only "
                      "zero (0) is"), algorithm);
        return FALSE;
    }
    return run_vol_op(drv, vol, OP_WIPE, 0, flags, error);
}

gboolean
armz_storage_vol_resize(ArmzStorageDriver *drv, const ArmzVolId *vol, guint64 capacity,
                        unsigned int flags, GError **error)
{
    if (!armz_check_flags(flags, VIR_STORAGE_VOL_RESIZE_ALLOCATE | VIR_STORAGE_VOL_RESIZE_DELTA |
                                 VIR_STORAGE_VOL_RESIZE_SHRINK, "virStorageVolResize", error))
        return FALSE;
    return run_vol_op(drv, vol, OP_RESIZE, capacity, flags, error);
}

/* ---- queries ---- */

gboolean
armz_storage_vol_info(ArmzStorageDriver *drv, const ArmzVolId *id, unsigned int flags,
                      int *type, guint64 *capacity, guint64 *allocation, GError **error)
{
    ArmzPoolObj *obj;
    ArmzVolObj *vol;

    if (!armz_check_flags(flags, VIR_STORAGE_VOL_GET_PHYSICAL, "virStorageVolGetInfoFlags", error))
        return FALSE;
    if (!(obj = get_vol(drv, id, &vol, error)))
        return FALSE;
    refresh_vol(obj, vol);
    *type = vol->def->type;
    *capacity = vol->def->capacity;
    *allocation = (flags & VIR_STORAGE_VOL_GET_PHYSICAL) ? vol->def->physical
                                                         : vol->def->allocation;
    armz_sto_unlock(obj);
    return TRUE;
}

char *
armz_storage_vol_xml(ArmzStorageDriver *drv, const ArmzVolId *id, unsigned int flags,
                     GError **error)
{
    ArmzPoolObj *obj;
    ArmzVolObj *vol;
    char *xml = NULL;

    if (!armz_check_flags(flags, 0, "virStorageVolGetXMLDesc", error))
        return NULL;
    if ((obj = get_vol(drv, id, &vol, error))) {
        refresh_vol(obj, vol);
        xml = armz_vol_def_format(vol->def);
        armz_sto_unlock(obj);
    }
    return xml;
}

char *
armz_storage_vol_path(ArmzStorageDriver *drv, const ArmzVolId *id, GError **error)
{
    ArmzPoolObj *obj;
    ArmzVolObj *vol;
    char *path = NULL;

    if ((obj = get_vol(drv, id, &vol, error))) {
        path = g_strdup(vol->def->path);
        armz_sto_unlock(obj);
    }
    return path;
}

/* ---- transfers ---- */

int
armz_storage_vol_open_transfer(ArmzStorageDriver *drv, const ArmzVolId *id, gboolean upload,
                               guint64 offset, guint64 length, guint64 *limit, GError **error)
{
    ArmzPoolObj *obj;
    ArmzVolObj *vol;
    int fd = -1;
    guint64 size;

    if (!(obj = get_vol(drv, id, &vol, error)))
        return -1;
    if (!check_ready(vol, error) || !armz_sto_begin_vol_op(obj, error))
        goto out;
    if (!(vol = armz_sto_get_vol(obj, id->name, error)) || !check_ready(vol, error))
        goto fail;
    refresh_vol(obj, vol);
    /* What is on the host: a file's bytes, a block device's capacity. */
    size = vol->def->type == VIR_STORAGE_VOL_BLOCK ? vol->def->capacity : vol->def->physical;
    if (offset > size) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("offset %" PRIu64 " is beyond the end of volume '%s' (%"
                      PRIu64 " bytes)"), offset, vol->def->name, size);
        goto fail;
    }
    if ((fd = armz_vol_open(vol->def, upload ? O_WRONLY : O_RDONLY, error)) < 0)
        goto fail;
    if (lseek(fd, offset, SEEK_SET) < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot seek in volume '%s': %s"),
                    vol->def->path, g_strerror(errno));
        close(fd);
        fd = -1;
        goto fail;
    }
    *limit = length;
    /* A block device ends where it ends; a file grows with an upload, as
     * libvirt lets it. */
    if (vol->def->type == VIR_STORAGE_VOL_BLOCK && (!length || length > size - offset))
        *limit = size - offset;
    vol->in_use++;
    armz_info("storage volume '%s' of pool '%s': %s from offset %" G_GUINT64_FORMAT,
              vol->def->name, obj->name, upload ? "upload" : "download", offset);
    armz_sto_unlock(obj);
    return fd;
 fail:
    armz_sto_end_vol_op(obj);
 out:
    armz_sto_unlock(obj);
    return -1;
}

void
armz_storage_vol_transfer_done(ArmzStorageDriver *drv, const ArmzVolId *id, gboolean upload)
{
    g_autoptr(ArmzPoolObj) obj = armz_obj_list_find_name(drv->pools, id->pool);
    ArmzVolObj *vol;

    if (!obj)
        return;
    g_mutex_lock(&obj->lock);
    if ((vol = armz_sto_find_vol(obj, id->name))) {
        vol->in_use--;
        if (upload)
            refresh_vol(obj, vol);
    }
    armz_sto_end_vol_op(obj);
    g_mutex_unlock(&obj->lock);
}

/* ---- domains ---- */

gboolean
armz_storage_resolve_volume(const char *pool, const char *name, const char *format, char **path,
                            gpointer opaque, GError **error)
{
    ArmzStorageDriver *drv = opaque;
    g_autoptr(ArmzPoolObj) obj = armz_sto_get_name(drv, pool, error);
    ArmzVolObj *vol;
    gboolean ok = FALSE;

    if (!obj)
        return FALSE;
    g_mutex_lock(&obj->lock);
    if (!obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("storage pool '%s' containing volume '%s' is not active"), pool, name);
    } else if (!(vol = armz_sto_find_vol(obj, name))) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_STORAGE_VOL,
                    _("no storage vol with matching name '%s' in pool '%s'"), name, pool);
    } else if (vol->building) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("volume '%s' is still being allocated."), name);
    } else {
        refresh_vol(obj, vol);
        /* a qcow2 volume is read as one (qemu-storage-daemon), never raw */
        if (vol->def->format == ARMZ_VOL_FORMAT_QCOW2 && format &&
            !g_str_equal(format, "qcow2")) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                        _("armz-vmm reads raw volumes only: volume '%s' in pool '%s' is qcow2"),
                        name, pool);
        } else {
            *path = g_strdup(vol->def->path);
            ok = TRUE;
        }
    }
    g_mutex_unlock(&obj->lock);
    return ok;
}
