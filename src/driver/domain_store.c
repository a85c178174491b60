#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "driver/domain_store.h"

static char *
config_path(const ArmzPaths *paths, const char *name)
{
    g_autofree char *file = g_strconcat(name, ".xml", NULL);
    return g_build_filename(paths->config_dir, file, NULL);
}

static char *
autostart_path(const ArmzPaths *paths, const char *name)
{
    g_autofree char *file = g_strconcat(name, ".xml", NULL);
    return g_build_filename(paths->autostart_dir, file, NULL);
}

gboolean
armz_domain_store_save(const ArmzPaths *paths, const ArmzDomainDef *def, GError **error)
{
    g_autofree char *path = config_path(paths, def->name);
    g_autofree char *xml = armz_domain_def_format(def, -1,
                                                  VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);

    return armz_file_write_atomic(path, xml, strlen(xml), 0600, error);
}

gboolean
armz_domain_store_delete(const ArmzPaths *paths, const char *name, GError **error)
{
    g_autofree char *path = config_path(paths, name);
    g_autofree char *link = autostart_path(paths, name);

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
armz_domain_store_set_autostart(const ArmzPaths *paths, const char *name,
                                gboolean autostart, GError **error)
{
    g_autofree char *path = config_path(paths, name);
    g_autofree char *link = autostart_path(paths, name);

    if (!autostart) {
        if (unlink(link) < 0 && errno != ENOENT) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot remove autostart link '%s': %s"), link, g_strerror(errno));
            return FALSE;
        }
        return TRUE;
    }
    if (!armz_mkdir_p(paths->autostart_dir, 0755, error))
        return FALSE;
    if (symlink(path, link) < 0 && errno != EEXIST) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create autostart link '%s' to '%s': %s"),
                    link, path, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

void
armz_domain_store_load_all(const ArmzPaths *paths, ArmzDomainStoreLoadFunc func,
                           gpointer opaque)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) dir = g_dir_open(paths->config_dir, 0, &error);
    const char *entry;

    if (!dir) {
        armz_debug("no domain configs: %s", error->message);
        return;
    }
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        g_autofree char *xml = NULL;
        g_autofree char *base = NULL;
        g_autoptr(GError) err = NULL;
        ArmzDomainDef *def;

        if (!g_str_has_suffix(entry, ".xml"))
            continue;
        path = g_build_filename(paths->config_dir, entry, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
            continue;
        if (!g_file_get_contents(path, &xml, NULL, &err) ||
            !(def = armz_domain_def_parse(xml, &err))) {
            armz_err("skipping domain config '%s': %s (the file is left as it is)",
                     path, err->message);
            continue;
        }
        base = g_strndup(entry, strlen(entry) - 4);
        if (g_strcmp0(base, def->name) != 0) {
            armz_err("skipping domain config '%s': it defines domain '%s'; "
                     "the file name must be the domain name", path, def->name);
            armz_domain_def_free(def);
            continue;
        }
        {
            g_autofree char *link = autostart_path(paths, def->name);
            func(def, g_file_test(link, G_FILE_TEST_EXISTS), opaque);
        }
    }
}
