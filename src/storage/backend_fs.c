/* fs pools: a block device with a filesystem, mounted by the daemon on the
 * target directory; volumes are files there, as in dir pools. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "storage/storage_backend_priv.h"
#include "storage/storage_cmd.h"

gboolean
armz_sto_probe_signature(const char *device, char **type, GError **error)
{
    const char *argv[] = { "blkid", "-p", "-o", "value", "-s", "TYPE", device, NULL };
    g_autofree char *out = NULL;
    g_autoptr(GError) err = NULL;

    *type = NULL;
    if (!g_file_test(device, G_FILE_TEST_EXISTS)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("source device '%s' does not exist"), device);
        return FALSE;
    }
    /* blkid -p exits 2 when it finds nothing. */
    if (!armz_sto_run(argv, &out, 0, &err))
        return TRUE;
    g_strstrip(out);
    if (*out)
        *type = g_steal_pointer(&out);
    else
        *type = g_strdup("unknown");
    return TRUE;
}

/* /proc/mounts escapes blanks and backslashes as octal. */
static char *
unescape_mount(const char *s)
{
    GString *o = g_string_new(NULL);

    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] && s[3]) {
            g_string_append_c(o, (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0')));
            s += 3;
        } else {
            g_string_append_c(o, *s);
        }
    }
    return g_string_free(o, FALSE);
}

static gboolean
fs_is_started(const ArmzPoolDef *def)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents("/proc/self/mounts", &text, NULL, NULL))
        return FALSE;
    lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], " ", 4);
        if (g_strv_length(f) >= 2) {
            g_autofree char *mnt = unescape_mount(f[1]);
            if (g_str_equal(mnt, def->target_path))
                return TRUE;
        }
    }
    return FALSE;
}

static const char *
device_of(const ArmzPoolDef *def)
{
    return g_ptr_array_index(def->devices, 0);
}

static gboolean
fs_build(const ArmzPoolDef *def, unsigned int flags, GError **error)
{
    const char *dev = device_of(def);
    const char *fmt = def->source_format;
    g_autofree char *mkfs = NULL;
    g_autofree char *found = NULL;

    if (!armz_sto_check_build_flags(flags, error) || !armz_sto_make_target(def, error))
        return FALSE;
    /* As libvirt: a plain build only makes the mount point; formatting
     * takes --overwrite or --no-overwrite. */
    if (!(flags & (VIR_STORAGE_POOL_BUILD_OVERWRITE | VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)))
        return TRUE;
    if (g_str_equal(fmt, "auto")) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot format device '%s' of pool '%s': the pool's source format is "
                      "'auto'; give a filesystem type"), dev, def->name);
        return FALSE;
    }
    if (!armz_sto_probe_signature(dev, &found, error))
        return FALSE;
    if (found && (flags & VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_STORAGE_POOL_BUILT,
                    _("device '%s' already holds a '%s' filesystem or signature: "
                      "build with --overwrite to format it"), dev, found);
        return FALSE;
    }
    mkfs = g_strdup_printf("mkfs.%s", fmt);
    if (g_str_has_prefix(fmt, "ext")) {
        const char *argv[] = { mkfs, "-q", "-F", dev, NULL };
        return armz_sto_run(argv, NULL, 0, error);
    } else if (g_str_equal(fmt, "xfs")) {
        const char *argv[] = { mkfs, "-q", "-f", dev, NULL };
        return armz_sto_run(argv, NULL, 0, error);
    } else {
        const char *argv[] = { mkfs, dev, NULL };
        return armz_sto_run(argv, NULL, 0, error);
    }
}

static gboolean
fs_start(const ArmzPoolDef *def, GError **error)
{
    const char *dev = device_of(def);

    if (!armz_sto_check_target(def, error))
        return FALSE;
    if (fs_is_started(def))
        return TRUE;
    if (!g_file_test(dev, G_FILE_TEST_EXISTS)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("source device '%s' of pool '%s' does not exist"), dev, def->name);
        return FALSE;
    }
    if (g_str_equal(def->source_format, "auto")) {
        const char *argv[] = { "mount", dev, def->target_path, NULL };
        return armz_sto_run(argv, NULL, 0, error);
    } else {
        const char *argv[] = { "mount", "-t", def->source_format, dev, def->target_path, NULL };
        return armz_sto_run(argv, NULL, 0, error);
    }
}

static gboolean
fs_stop(const ArmzPoolDef *def, GError **error)
{
    const char *argv[] = { "umount", def->target_path, NULL };

    if (!fs_is_started(def))
        return TRUE;
    return armz_sto_run(argv, NULL, 0, error);
}

static gboolean
fs_remove(const ArmzPoolDef *def, unsigned int flags, GError **error)
{
    return armz_sto_remove_target(def, error);
}

static gboolean
fs_refresh(ArmzPoolDef *def, GPtrArray *vols, GError **error)
{
    if (!fs_is_started(def)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("device '%s' of pool '%s' is no longer mounted on '%s'"),
                    device_of(def), def->name, def->target_path);
        return FALSE;
    }
    return armz_sto_refresh_files(def, vols, error);
}

const ArmzStorageBackend armz_backend_fs = {
    .type = ARMZ_POOL_FS,
    .is_started = fs_is_started,
    .build = fs_build,
    .start = fs_start,
    .stop = fs_stop,
    .remove = fs_remove,
    .refresh = fs_refresh,
    .vol_locate = armz_vol_file_locate,
    .vol_create = armz_vol_file_create,
    .vol_clone = armz_vol_file_clone,
    .vol_delete = armz_vol_file_delete,
    .vol_resize = armz_vol_file_resize,
    .vol_wipe = armz_vol_file_wipe,
    .vol_refresh = armz_vol_file_refresh,
};
