/* The storage driver's volume procedures, upload and download included:
 * a transfer is a libvirt stream on the volume's file or device, with the
 * stream layer's flow control both ways. */
#include <string.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "storage/storage_api.h"
#include "daemon/remote_storage_priv.h"

#define VOL_ID(type, a) ArmzVolId id = armz_remote_vol_id(&((type *)(a))->vol)

static gboolean
ret_vol(void *r, ArmzVolId *id)
{
    if (!id)
        return FALSE;
    armz_remote_make_vol(&((armz_storage_vol_ret *)r)->vol, id);
    armz_vol_id_free(id);
    return TRUE;
}

static gboolean
h_lookup_name(ArmzClient *c, void *a, void *r, GError **error)
{
    armz_storage_vol_lookup_by_name_args *args = a;
    return ret_vol(r, armz_storage_vol_lookup_name(STORAGE, args->pool.name, args->name,
                                                   error));
}

static gboolean
h_lookup_key(ArmzClient *c, void *a, void *r, GError **error)
{
    return ret_vol(r, armz_storage_vol_lookup_key(
        STORAGE, ((armz_storage_pool_lookup_by_name_args *)a)->name, error));
}

static gboolean
h_lookup_path(ArmzClient *c, void *a, void *r, GError **error)
{
    return ret_vol(r, armz_storage_vol_lookup_path(
        STORAGE, ((armz_storage_pool_lookup_by_name_args *)a)->name, error));
}

static gboolean
h_create(ArmzClient *c, void *a, void *r, GError **error)
{
    armz_storage_vol_create_xml_args *args = a;
    ArmzPoolId pool = armz_remote_pool_id(&args->pool);
    return ret_vol(r, armz_storage_vol_create(STORAGE, &pool, args->xml, args->flags, error));
}

static gboolean
h_create_from(ArmzClient *c, void *a, void *r, GError **error)
{
    armz_storage_vol_create_xml_from_args *args = a;
    ArmzPoolId pool = armz_remote_pool_id(&args->pool);
    ArmzVolId src = armz_remote_vol_id(&args->clonevol);
    return ret_vol(r, armz_storage_vol_clone(STORAGE, &pool, args->xml, &src, args->flags,
                                             error));
}

static gboolean
h_delete(ArmzClient *c, void *a, void *r, GError **error)
{
    VOL_ID(armz_storage_vol_flags_args, a);
    return armz_storage_vol_delete(STORAGE, &id, ((armz_storage_vol_flags_args *)a)->flags,
                                   error);
}

static gboolean
h_wipe(ArmzClient *c, void *a, void *r, GError **error)
{
    VOL_ID(armz_storage_vol_flags_args, a);
    return armz_storage_vol_wipe(STORAGE, &id, VIR_STORAGE_VOL_WIPE_ALG_ZERO,
                                 ((armz_storage_vol_flags_args *)a)->flags, error);
}

static gboolean
h_wipe_pattern(ArmzClient *c, void *a, void *r, GError **error)
{
    armz_storage_vol_wipe_pattern_args *args = a;
    VOL_ID(armz_storage_vol_wipe_pattern_args, a);
    return armz_storage_vol_wipe(STORAGE, &id, args->algorithm, args->flags, error);
}

static gboolean
h_resize(ArmzClient *c, void *a, void *r, GError **error)
{
    armz_storage_vol_resize_args *args = a;
    VOL_ID(armz_storage_vol_resize_args, a);
    return armz_storage_vol_resize(STORAGE, &id, args->capacity, args->flags, error);
}

static gboolean
info(ArmzVolId *id, unsigned int flags, void *r, GError **error)
{
    armz_storage_vol_get_info_ret *ret = r;
    guint64 cap, alloc;
    int type;

    if (!armz_storage_vol_info(STORAGE, id, flags, &type, &cap, &alloc, error))
        return FALSE;
    ret->type = type;
    ret->capacity = cap;
    ret->allocation = alloc;
    return TRUE;
}

static gboolean
h_get_info(ArmzClient *c, void *a, void *r, GError **error)
{
    VOL_ID(armz_storage_vol_args, a);
    return info(&id, 0, r, error);
}

static gboolean
h_get_info_flags(ArmzClient *c, void *a, void *r, GError **error)
{
    VOL_ID(armz_storage_vol_flags_args, a);
    return info(&id, ((armz_storage_vol_flags_args *)a)->flags, r, error);
}

static gboolean
h_get_xml(ArmzClient *c, void *a, void *r, GError **error)
{
    VOL_ID(armz_storage_vol_flags_args, a);
    char *xml = armz_storage_vol_xml(STORAGE, &id, ((armz_storage_vol_flags_args *)a)->flags,
                                     error);
    if (!xml)
        return FALSE;
    ((armz_string_ret *)r)->str = xml;
    return TRUE;
}

static gboolean
h_get_path(ArmzClient *c, void *a, void *r, GError **error)
{
    VOL_ID(armz_storage_vol_args, a);
    char *path = armz_storage_vol_path(STORAGE, &id, error);

    if (!path)
        return FALSE;
    ((armz_string_ret *)r)->str = path;
    return TRUE;
}

/* ---- transfers ---- */

typedef struct {
    ArmzVolId id;
    gboolean upload;
} Transfer;

static void
transfer_free(gpointer data)
{
    Transfer *t = data;

    g_free(t->id.pool);
    g_free(t->id.name);
    g_free(t->id.key);
    g_free(t);
}

static void
transfer_closed(ArmzStream *st, gpointer data)
{
    Transfer *t = data;

    armz_debug("storage: %s of volume '%s' ended", t->upload ? "upload" : "download",
               t->id.name);
    if (STORAGE)
        armz_storage_vol_transfer_done(STORAGE, &t->id, t->upload);
}

static gboolean
transfer(armz_storage_vol_transfer_args *args, gboolean upload, GError **error)
{
    ArmzStream *st = armz_dispatch_stream();
    ArmzVolId id = armz_remote_vol_id(&args->vol);
    Transfer *t;
    guint64 limit = 0;
    int fd;

    fd = (upload ? armz_storage_vol_upload : armz_storage_vol_download)(
        STORAGE, &id, args->offset, args->length, args->flags, &limit, error);
    if (fd < 0)
        return FALSE;
    t = g_new0(Transfer, 1);
    t->id.pool = g_strdup(id.pool);
    t->id.name = g_strdup(id.name);
    t->id.key = g_strdup(id.key);
    t->upload = upload;
    /* From here the stream's end, however it comes, releases the volume. */
    if (!armz_stream_set_closed_func(st, transfer_closed, t, transfer_free)) {
        /* The client left meanwhile. */
        transfer_closed(st, t);
        transfer_free(t);
        close(fd);
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_RPC, _("the client has disconnected"));
        return FALSE;
    }
    armz_stream_set_transfer(st, upload, limit);
    armz_stream_set_fd(st, fd);
    return TRUE;
}

static gboolean
h_upload(ArmzClient *c, void *a, void *r, GError **error)
{
    return transfer(a, TRUE, error);
}

static gboolean
h_download(ArmzClient *c, void *a, void *r, GError **error)
{
    return transfer(a, FALSE, error);
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_STORAGE_VOL_CREATE_XML, ARMZ_ARGS(armz_storage_vol_create_xml_args),
      ARMZ_RET(armz_storage_vol_ret), h_create, 0 },
    { REMOTE_PROC_STORAGE_VOL_DELETE, ARMZ_ARGS(armz_storage_vol_flags_args), ARMZ_NORET,
      h_delete, 0 },
    { REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_NAME, ARMZ_ARGS(armz_storage_vol_lookup_by_name_args),
      ARMZ_RET(armz_storage_vol_ret), h_lookup_name, 0 },
    { REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_KEY, ARMZ_ARGS(armz_storage_pool_lookup_by_name_args),
      ARMZ_RET(armz_storage_vol_ret), h_lookup_key, 0 },
    { REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_PATH, ARMZ_ARGS(armz_storage_pool_lookup_by_name_args),
      ARMZ_RET(armz_storage_vol_ret), h_lookup_path, 0 },
    { REMOTE_PROC_STORAGE_VOL_GET_INFO, ARMZ_ARGS(armz_storage_vol_args),
      ARMZ_RET(armz_storage_vol_get_info_ret), h_get_info, 0 },
    { REMOTE_PROC_STORAGE_VOL_GET_XML_DESC, ARMZ_ARGS(armz_storage_vol_flags_args),
      ARMZ_RET(armz_string_ret), h_get_xml, 0 },
    { REMOTE_PROC_STORAGE_VOL_GET_PATH, ARMZ_ARGS(armz_storage_vol_args), ARMZ_RET(armz_string_ret),
      h_get_path, 0 },
    { REMOTE_PROC_STORAGE_VOL_CREATE_XML_FROM, ARMZ_ARGS(armz_storage_vol_create_xml_from_args),
      ARMZ_RET(armz_storage_vol_ret), h_create_from, 0 },
    { REMOTE_PROC_STORAGE_VOL_WIPE, ARMZ_ARGS(armz_storage_vol_flags_args), ARMZ_NORET, h_wipe, 0 },
    { REMOTE_PROC_STORAGE_VOL_UPLOAD, ARMZ_ARGS(armz_storage_vol_transfer_args), ARMZ_NORET,
      h_upload, ARMZ_PROC_STREAM },
    { REMOTE_PROC_STORAGE_VOL_DOWNLOAD, ARMZ_ARGS(armz_storage_vol_transfer_args), ARMZ_NORET,
      h_download, ARMZ_PROC_STREAM },
    { REMOTE_PROC_STORAGE_VOL_WIPE_PATTERN, ARMZ_ARGS(armz_storage_vol_wipe_pattern_args),
      ARMZ_NORET, h_wipe_pattern, 0 },
    { REMOTE_PROC_STORAGE_VOL_RESIZE, ARMZ_ARGS(armz_storage_vol_resize_args), ARMZ_NORET,
      h_resize, 0 },
    { REMOTE_PROC_STORAGE_VOL_GET_INFO_FLAGS, ARMZ_ARGS(armz_storage_vol_flags_args),
      ARMZ_RET(armz_storage_vol_get_info_ret), h_get_info_flags, 0 },
};

void
armz_remote_storage_vol_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
