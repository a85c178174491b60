/* dir pools: a directory whose regular files are the volumes. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/fileutil.h"
#include "storage/storage_backend.h"
#include "storage/storage_backend_priv.h"

#define DEFAULT_POOL_MODE 0711

gboolean
armz_sto_check_build_flags(unsigned int flags, GError **error)
{
    if ((flags & VIR_STORAGE_POOL_BUILD_OVERWRITE) &&
        (flags & VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("Overwrite and no overwrite flags are mutually exclusive"));
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_sto_make_target(const ArmzPoolDef *def, GError **error)
{
    int mode = def->perms.mode >= 0 ? def->perms.mode : DEFAULT_POOL_MODE;
    struct stat st;

    if (lstat(def->target_path, &st) == 0 && !S_ISDIR(st.st_mode)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("target path '%s' of pool '%s' exists and is not a directory"),
                    def->target_path, def->name);
        return FALSE;
    }
    if (!armz_mkdir_p(def->target_path, mode, error))
        return FALSE;
    if (chmod(def->target_path, mode) < 0 ||
        ((def->perms.owner >= 0 || def->perms.group >= 0) &&
         chown(def->target_path, def->perms.owner, def->perms.group) < 0)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot set the permissions of '%s': %s"), def->target_path,
                    g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_sto_check_target(const ArmzPoolDef *def, GError **error)
{
    if (!g_file_test(def->target_path, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("target directory '%s' of pool '%s' does not exist: build the pool "
                      "first (virsh pool-build)"), def->target_path, def->name);
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_sto_remove_target(const ArmzPoolDef *def, GError **error)
{
    if (rmdir(def->target_path) < 0 && errno != ENOENT) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot remove directory '%s': %s"), def->target_path, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_sto_refresh_files(ArmzPoolDef *def, GPtrArray *vols, GError **error)
{
    return armz_pool_statvfs(def, error) && armz_vol_file_scan(def->target_path, vols, error);
}

static gboolean
dir_is_started(const ArmzPoolDef *def)
{
    return g_file_test(def->target_path, G_FILE_TEST_IS_DIR);
}

static gboolean
dir_build(const ArmzPoolDef *def, unsigned int flags, GError **error)
{
    return armz_sto_check_build_flags(flags, error) && armz_sto_make_target(def, error);
}

static gboolean
dir_start(const ArmzPoolDef *def, GError **error)
{
    return armz_sto_check_target(def, error);
}

static gboolean
dir_stop(const ArmzPoolDef *def, GError **error)
{
    return TRUE;
}

static gboolean
dir_remove(const ArmzPoolDef *def, unsigned int flags, GError **error)
{
    return armz_sto_remove_target(def, error);
}

const ArmzStorageBackend armz_backend_dir = {
    .type = ARMZ_POOL_DIR,
    .is_started = dir_is_started,
    .build = dir_build,
    .start = dir_start,
    .stop = dir_stop,
    .remove = dir_remove,
    .refresh = armz_sto_refresh_files,
    .vol_locate = armz_vol_file_locate,
    .vol_create = armz_vol_file_create,
    .vol_clone = armz_vol_file_clone,
    .vol_delete = armz_vol_file_delete,
    .vol_resize = armz_vol_file_resize,
    .vol_wipe = armz_vol_file_wipe,
    .vol_refresh = armz_vol_file_refresh,
};

const ArmzStorageBackend *
armz_storage_backend_for(ArmzPoolType type)
{
    switch (type) {
    case ARMZ_POOL_DIR: return &armz_backend_dir;
    case ARMZ_POOL_FS: return &armz_backend_fs;
    case ARMZ_POOL_LOGICAL: return &armz_backend_logical;
    case ARMZ_POOL_TYPE_LAST:
    default: return NULL;
    }
}
