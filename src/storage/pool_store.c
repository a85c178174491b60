#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "storage/pool_store.h"

ArmzPoolStore *
armz_pool_store_new(const ArmzPaths *paths)
{
    ArmzPoolStore *s = g_new0(ArmzPoolStore, 1);

    s->config_dir = g_build_filename(paths->config_dir, "storage", NULL);
    s->autostart_dir = g_build_filename(s->config_dir, "autostart", NULL);
    s->state_dir = g_build_filename(paths->state_dir, "storage", NULL);
    return s;
}

void
armz_pool_store_free(ArmzPoolStore *s)
{
    if (!s)
        return;
    g_free(s->config_dir);
    g_free(s->autostart_dir);
    g_free(s->state_dir);
    g_free(s);
}

gboolean
armz_pool_store_prepare(ArmzPoolStore *s, gboolean *first, GError **error)
{
    *first = !g_file_test(s->config_dir, G_FILE_TEST_IS_DIR);
    return armz_mkdir_p(s->config_dir, 0755, error) &&
           armz_mkdir_p(s->autostart_dir, 0755, error) &&
           armz_mkdir_p(s->state_dir, 0755, error);
}

static char *
file_in(const char *dir, const char *name)
{
    g_autofree char *file = g_strconcat(name, ".xml", NULL);
    return g_build_filename(dir, file, NULL);
}

static gboolean
save_in(const char *dir, const ArmzPoolDef *def, GError **error)
{
    g_autofree char *path = file_in(dir, def->name);
    g_autofree char *xml = armz_pool_def_format(def);

    return armz_file_write_atomic(path, xml, strlen(xml), 0600, error);
}

gboolean
armz_pool_store_save(ArmzPoolStore *s, const ArmzPoolDef *def, GError **error)
{
    return save_in(s->config_dir, def, error);
}

gboolean
armz_pool_store_save_state(ArmzPoolStore *s, const ArmzPoolDef *def, GError **error)
{
    return save_in(s->state_dir, def, error);
}

void
armz_pool_store_delete_state(ArmzPoolStore *s, const char *name)
{
    g_autofree char *path = file_in(s->state_dir, name);

    if (unlink(path) < 0 && errno != ENOENT)
        armz_warn("cannot remove pool state file '%s': %s", path, g_strerror(errno));
}

gboolean
armz_pool_store_delete(ArmzPoolStore *s, const char *name, GError **error)
{
    g_autofree char *path = file_in(s->config_dir, name);
    g_autofree char *link = file_in(s->autostart_dir, name);

    if (unlink(link) < 0 && errno != ENOENT)
        armz_warn("cannot remove autostart link '%s': %s", link, g_strerror(errno));
    if (unlink(path) < 0 && errno != ENOENT) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot remove config file '%s': %s"), path, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_pool_store_set_autostart(ArmzPoolStore *s, const char *name, gboolean autostart,
                              GError **error)
{
    g_autofree char *path = file_in(s->config_dir, name);
    g_autofree char *link = file_in(s->autostart_dir, name);

    if (!autostart) {
        if (unlink(link) < 0 && errno != ENOENT) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot remove autostart link '%s': %s"), link, g_strerror(errno));
            return FALSE;
        }
        return TRUE;
    }
    if (!armz_mkdir_p(s->autostart_dir, 0755, error))
        return FALSE;
    if (symlink(path, link) < 0 && errno != EEXIST) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create autostart link '%s' to '%s': %s"),
                    link, path, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

static void
load_dir(ArmzPoolStore *s, const char *dirpath, gboolean configs,
         ArmzPoolStoreLoadFunc func, gpointer opaque)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) dir = g_dir_open(dirpath, 0, &error);
    const char *entry;

    if (!dir) {
        armz_debug("no pool definitions: %s", error->message);
        return;
    }
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *path = NULL, *xml = NULL, *base = NULL;
        g_autoptr(GError) err = NULL;
        ArmzPoolDef *def;

        if (!g_str_has_suffix(entry, ".xml"))
            continue;
        path = g_build_filename(dirpath, entry, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
            continue;
        if (!g_file_get_contents(path, &xml, NULL, &err) ||
            !(def = armz_pool_def_parse(xml, &err))) {
            armz_err("skipping storage pool %s '%s': %s (the file is left as it is)",
                     configs ? "config" : "state", path, err->message);
            continue;
        }
        base = g_strndup(entry, strlen(entry) - 4);
        if (g_strcmp0(base, def->name) != 0) {
            armz_err("skipping storage pool file '%s': it defines pool '%s'; the file name "
                     "must be the pool name", path, def->name);
            armz_pool_def_free(def);
            continue;
        }
        if (configs) {
            g_autofree char *link = file_in(s->autostart_dir, def->name);
            func(def, g_file_test(link, G_FILE_TEST_EXISTS), opaque);
        } else {
            func(def, FALSE, opaque);
        }
    }
}

void
armz_pool_store_load_configs(ArmzPoolStore *s, ArmzPoolStoreLoadFunc func, gpointer opaque)
{
    load_dir(s, s->config_dir, TRUE, func, opaque);
}

void
armz_pool_store_load_states(ArmzPoolStore *s, ArmzPoolStoreLoadFunc func, gpointer opaque)
{
    load_dir(s, s->state_dir, FALSE, func, opaque);
}
