/* logical pools: an LVM volume group, driven through the lvm2 commands;
 * its logical volumes are the pool's volumes (no format layer). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "storage/storage_backend_priv.h"
#include "storage/storage_cmd.h"
#include "storage/vol_open.h"

/* lvm2 tool ARGS... with our --config first. */
static gboolean
lvm(GError **error, char **out, const char *tool, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    const char *a;
    va_list ap;

    g_ptr_array_add(argv, (char *)tool);
    g_ptr_array_add(argv, (char *)"--config");
    g_ptr_array_add(argv, (char *)armz_sto_lvm_config());
    va_start(ap, tool);
    while ((a = va_arg(ap, const char *)))
        g_ptr_array_add(argv, (char *)a);
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    return armz_sto_run((const char *const *)argv->pdata, out, 0, error);
}

static char *
lv_spec(const ArmzPoolDef *pool, const char *name)
{
    return g_strdup_printf("%s/%s", pool->source_name, name);
}

static gboolean
lv_is_started(const ArmzPoolDef *def)
{
    return lvm(NULL, NULL, "vgs", "--noheadings", "-o", "vg_name", def->source_name, NULL);
}

static gboolean
lv_build(const ArmzPoolDef *def, unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();

    if (!armz_sto_check_build_flags(flags, error))
        return FALSE;
    if (!def->devices->len) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("pool '%s' has no source device to build a volume group on"), def->name);
        return FALSE;
    }
    for (guint i = 0; i < def->devices->len; i++) {
        const char *dev = g_ptr_array_index(def->devices, i);
        g_autofree char *found = NULL;

        if (!armz_sto_probe_signature(dev, &found, error))
            return FALSE;
        /* As libvirt: an existing signature is kept unless overwriting. */
        if (found && !(flags & VIR_STORAGE_POOL_BUILD_OVERWRITE)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_STORAGE_POOL_BUILT,
                        _("device '%s' already holds a '%s' signature: build with "
                          "--overwrite to use it"), dev, found);
            return FALSE;
        }
    }
    for (guint i = 0; i < def->devices->len; i++) {
        const char *dev = g_ptr_array_index(def->devices, i);
        if ((flags & VIR_STORAGE_POOL_BUILD_OVERWRITE)
                ? !lvm(error, NULL, "pvcreate", "-ff", "-y", dev, NULL)
                : !lvm(error, NULL, "pvcreate", dev, NULL))
            return FALSE;
    }
    g_ptr_array_add(argv, (char *)"vgcreate");
    g_ptr_array_add(argv, (char *)"--config");
    g_ptr_array_add(argv, (char *)armz_sto_lvm_config());
    g_ptr_array_add(argv, def->source_name);
    for (guint i = 0; i < def->devices->len; i++)
        g_ptr_array_add(argv, g_ptr_array_index(def->devices, i));
    g_ptr_array_add(argv, NULL);
    return armz_sto_run((const char *const *)argv->pdata, NULL, 0, error);
}

static gboolean
lv_start(const ArmzPoolDef *def, GError **error)
{
    if (!lv_is_started(def)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("volume group '%s' of pool '%s' does not exist: build the pool first "
                      "(virsh pool-build)"), def->source_name, def->name);
        return FALSE;
    }
    return lvm(error, NULL, "vgchange", "-aly", def->source_name, NULL);
}

static gboolean
lv_stop(const ArmzPoolDef *def, GError **error)
{
    return lvm(error, NULL, "vgchange", "-aln", def->source_name, NULL);
}

static gboolean
lv_remove(const ArmzPoolDef *def, unsigned int flags, GError **error)
{
    if (!lvm(error, NULL, "vgremove", "-f", def->source_name, NULL))
        return FALSE;
    for (guint i = 0; i < def->devices->len; i++)
        if (!lvm(error, NULL, "pvremove", g_ptr_array_index(def->devices, i), NULL))
            return FALSE;
    return TRUE;
}

static gboolean
parse_u64(const char *s, guint64 *v)
{
    char *end = NULL;

    *v = g_ascii_strtoull(s, &end, 10);
    return end != s;
}

static gboolean
lv_refresh(ArmzPoolDef *def, GPtrArray *vols, GError **error)
{
    g_autofree char *vg = NULL, *lvs = NULL;
    g_auto(GStrv) f = NULL, lines = NULL;
    guint64 size, free_;

    if (!lvm(error, &vg, "vgs", "--noheadings", "--units", "b", "--nosuffix",
             "--separator", ":", "-o", "vg_size,vg_free", def->source_name, NULL))
        return FALSE;
    g_strstrip(vg);
    f = g_strsplit(vg, ":", -1);
    if (g_strv_length(f) < 2 || !parse_u64(f[0], &size) || !parse_u64(f[1], &free_)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("cannot parse the size of volume group '%s': '%s'"), def->source_name, vg);
        return FALSE;
    }
    def->capacity = size;
    def->available = free_;
    def->allocation = size - free_;

    if (!lvm(error, &lvs, "lvs", "--noheadings", "--units", "b", "--nosuffix",
             "--separator", "#", "-o", "lv_name,uuid,lv_size,devices", def->source_name, NULL))
        return FALSE;
    lines = g_strsplit(lvs, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        g_auto(GStrv) c = g_strsplit(g_strstrip(lines[i]), "#", -1);
        ArmzVolDef *vol;
        guint64 cap;

        if (g_strv_length(c) < 3 || !parse_u64(c[2], &cap))
            continue;
        vol = g_new0(ArmzVolDef, 1);
        vol->name = g_strdup(c[0]);
        vol->key = g_strdup(c[1]);
        vol->path = g_build_filename(def->target_path, c[0], NULL);
        vol->type = VIR_STORAGE_VOL_BLOCK;
        vol->format = ARMZ_VOL_FORMAT_NONE;
        vol->capacity = vol->allocation = vol->physical = cap;
        vol->perms.mode = vol->perms.owner = vol->perms.group = -1;
        if (c[3] && *c[3]) {
            char *paren = strchr(c[3], '(');
            vol->lv_device = paren ? g_strndup(c[3], paren - c[3]) : g_strdup(c[3]);
        }
        g_ptr_array_add(vols, vol);
    }
    return TRUE;
}

static void
lv_locate(const ArmzPoolDef *pool, ArmzVolDef *vol)
{
    g_free(vol->path);
    vol->path = g_build_filename(pool->target_path, vol->name, NULL);
    vol->type = VIR_STORAGE_VOL_BLOCK;
}

/* lvm's own rules for names, checked before it sees them. */
static gboolean
lv_name_ok(const char *name, GError **error)
{
    if (name[0] == '-' || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789+_.-") != strlen(name) ||
        strlen(name) > 127) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("'%s' is not a valid logical volume name: use letters, digits and "
                      "+_.- (not first)"), name);
        return FALSE;
    }
    return TRUE;
}

static gboolean
lv_create_plain(const ArmzPoolDef *pool, ArmzVolDef *vol, GError **error)
{
    g_autofree char *size = g_strdup_printf("%" G_GUINT64_FORMAT "b", vol->capacity);

    if (!lv_name_ok(vol->name, error))
        return FALSE;
    if (vol->format == ARMZ_VOL_FORMAT_QCOW2) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("qcow2 volumes need a dir or fs pool; pool '%s' is logical"), pool->name);
        return FALSE;
    }
    if (!lvm(error, NULL, "lvcreate", "--yes", "--name", vol->name, "-L", size,
             pool->source_name, NULL)) {
        /* lvcreate may fail after making the volume (activation): drop it. */
        g_autofree char *spec = lv_spec(pool, vol->name);
        lvm(NULL, NULL, "lvremove", "-f", spec, NULL);
        return FALSE;
    }
    vol->format = ARMZ_VOL_FORMAT_NONE;
    return TRUE;
}

static gboolean
lv_vol_create(const ArmzPoolDef *pool, ArmzVolDef *vol, unsigned int flags, GError **error)
{
    if (flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("metadata preallocation is only for qcow2 volumes"));
        return FALSE;
    }
    return lv_create_plain(pool, vol, error);
}

static gboolean
lv_vol_delete(const ArmzPoolDef *pool, const ArmzVolDef *vol, GError **error)
{
    g_autofree char *spec = lv_spec(pool, vol->name);
    return lvm(error, NULL, "lvremove", "-f", spec, NULL);
}

static gboolean
lv_vol_clone(const ArmzPoolDef *pool, ArmzVolDef *vol, const ArmzVolDef *src,
             unsigned int flags, GError **error)
{
    int in, out;
    gboolean ok;

    if (src->format == ARMZ_VOL_FORMAT_QCOW2) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("cannot clone qcow2 volume '%s' into logical pool '%s'"),
                    src->name, pool->name);
        return FALSE;
    }
    vol->capacity = MAX(vol->capacity, src->capacity);
    if (!lv_vol_create(pool, vol, flags, error))
        return FALSE;
    in = armz_vol_open(src, O_RDONLY, error);
    out = in < 0 ? -1 : armz_vol_open(vol, O_WRONLY, error);
    ok = in >= 0 && out >= 0 &&
         armz_sto_copy_fd(in, out, src->capacity, FALSE, vol->path, error) &&
         fdatasync(out) == 0;
    if (!ok && error && !*error)
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot copy '%s' to '%s': %s"),
                    src->path, vol->path, g_strerror(errno));
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (!ok)
        lv_vol_delete(pool, vol, NULL);
    return ok;
}

static gboolean
lv_vol_resize(const ArmzPoolDef *pool, const ArmzVolDef *vol, guint64 capacity,
              unsigned int flags, GError **error)
{
    g_autofree char *spec = lv_spec(pool, vol->name);
    g_autofree char *size = g_strdup_printf("%" G_GUINT64_FORMAT "b", capacity);

    if (capacity < vol->capacity)
        return lvm(error, NULL, "lvresize", "-f", "-L", size, spec, NULL);
    return lvm(error, NULL, "lvresize", "-L", size, spec, NULL);
}

static gboolean
lv_vol_wipe(const ArmzPoolDef *pool, const ArmzVolDef *vol, GError **error)
{
    int fd = armz_vol_open(vol, O_WRONLY, error);
    gboolean ok;

    if (fd < 0)
        return FALSE;
    ok = armz_sto_zero_fd(fd, vol->capacity, FALSE, vol->path, error);
    close(fd);
    return ok;
}

static gboolean
lv_vol_refresh(const ArmzPoolDef *pool, ArmzVolDef *vol, GError **error)
{
    return TRUE;    /* figures come with the pool's refresh */
}

const ArmzStorageBackend armz_backend_logical = {
    .type = ARMZ_POOL_LOGICAL,
    .is_started = lv_is_started,
    .build = lv_build,
    .start = lv_start,
    .stop = lv_stop,
    .remove = lv_remove,
    .refresh = lv_refresh,
    .vol_locate = lv_locate,
    .vol_create = lv_vol_create,
    .vol_clone = lv_vol_clone,
    .vol_delete = lv_vol_delete,
    .vol_resize = lv_vol_resize,
    .vol_wipe = lv_vol_wipe,
    .vol_refresh = lv_vol_refresh,
};
