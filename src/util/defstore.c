/* Definitions kept as files (see defstore.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "util/armz-i18n.h"
#include "util/defstore.h"
#include "util/error.h"
#include "util/fileutil.h"
#include "util/log.h"

void
armz_defdirs_init(ArmzDefDirs *dirs, const ArmzPaths *paths, const char *sub)
{
    dirs->config_dir = g_build_filename(paths->config_dir, sub, NULL);
    dirs->autostart_dir = g_build_filename(dirs->config_dir, "autostart", NULL);
    dirs->state_dir = g_build_filename(paths->state_dir, sub, NULL);
}

void
armz_defdirs_clear(ArmzDefDirs *dirs)
{
    g_clear_pointer(&dirs->config_dir, g_free);
    g_clear_pointer(&dirs->autostart_dir, g_free);
    g_clear_pointer(&dirs->state_dir, g_free);
}

char *
armz_defstore_path(const char *dir, const char *name)
{
    g_autofree char *file = g_strconcat(name, ".xml", NULL);
    return g_build_filename(dir, file, NULL);
}

gboolean
armz_defstore_save(const char *dir, const char *name, const char *xml, GError **error)
{
    g_autofree char *path = armz_defstore_path(dir, name);
    g_autofree char *old = NULL;
    gsize len = strlen(xml), old_len = 0;

    /* A redefinition that changes nothing has nothing to make durable:
     * the file was synced when it was written (no second fsync pair). */
    if (g_file_get_contents(path, &old, &old_len, NULL) && old_len == len &&
        memcmp(old, xml, len) == 0)
        return TRUE;
    return armz_file_write_atomic(path, xml, len, 0600, error);
}

void
armz_defstore_remove(const char *dir, const char *name, const char *what)
{
    g_autofree char *path = armz_defstore_path(dir, name);

    if (unlink(path) < 0 && errno != ENOENT)
        armz_warn("cannot remove %s '%s': %s", what, path, g_strerror(errno));
}

gboolean
armz_defstore_delete(const char *config_dir, const char *autostart_dir, const char *name,
                     GError **error)
{
    g_autofree char *path = armz_defstore_path(config_dir, name);

    armz_defstore_remove(autostart_dir, name, "autostart link");
    if (unlink(path) < 0 && errno != ENOENT) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot remove config file '%s': %s"), path, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_defstore_set_autostart(const char *config_dir, const char *autostart_dir,
                            const char *name, gboolean autostart, GError **error)
{
    g_autofree char *path = armz_defstore_path(config_dir, name);
    g_autofree char *link = armz_defstore_path(autostart_dir, name);

    if (!autostart) {
        if (unlink(link) < 0 && errno != ENOENT) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot remove autostart link '%s': %s"), link, g_strerror(errno));
            return FALSE;
        }
        return TRUE;
    }
    if (!armz_mkdir_p(autostart_dir, 0755, error))
        return FALSE;
    if (symlink(path, link) < 0 && errno != EEXIST) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create autostart link '%s' to '%s': %s"),
                    link, path, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_defstore_is_autostart(const char *autostart_dir, const char *name)
{
    g_autofree char *link = armz_defstore_path(autostart_dir, name);

    return g_file_test(link, G_FILE_TEST_EXISTS);
}

void
armz_defstore_load(const char *dir_path, const ArmzDefLoader *l, gpointer opaque)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) dir = g_dir_open(dir_path, 0, &error);
    const char *misnamed = l->misnamed ? l->misnamed : l->what;
    const char *entry;

    if (!dir) {
        armz_debug("no %s: %s", l->none, error->message);
        return;
    }
    armz_file_remove_stale_tmp(dir_path);
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *path = NULL, *xml = NULL, *base = NULL;
        g_autoptr(GError) err = NULL;
        const char *name = NULL;
        gpointer def;

        if (!g_str_has_suffix(entry, ".xml"))
            continue;
        path = g_build_filename(dir_path, entry, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
            continue;
        if (!g_file_get_contents(path, &xml, NULL, &err) ||
            !(def = l->parse(xml, &name, opaque, &err))) {
            armz_err("skipping %s '%s': %s (the file is left as it is)",
                     l->what, path, err->message);
            continue;
        }
        /* the name is the file's: define and undefine find it there */
        base = g_strndup(entry, strlen(entry) - 4);
        if (g_strcmp0(base, name) != 0) {
            armz_err("skipping %s '%s': it defines %s '%s'; the file name must be the %s name",
                     misnamed, path, l->object, name, l->object);
            l->free(def);
            continue;
        }
        l->loaded(def, opaque);
    }
}
