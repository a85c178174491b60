/* Per-domain UEFI variable stores. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "driver/driver_priv.h"
#include "driver/domain_validate.h"
#include "driver/firmware.h"
#include "driver/firmware_host.h"
#include "driver/nvram.h"

char *
armz_nvram_dir(const ArmzPaths *paths)
{
    return g_build_filename(paths->lib_dir, "nvram", NULL);
}

gboolean
armz_driver_firmware_fill(ArmzDriver *drv, ArmzDomainDef *def, GError **error)
{
    g_auto(GStrv) dirs = armz_firmware_dirs(drv->paths->privileged);
    g_autofree char *nvram_dir = armz_nvram_dir(drv->paths);

    if (armz_domain_uses_firmware(def) && !armz_driver_firmware_runs(drv, error))
        return FALSE;
    return armz_firmware_fill(def, (const char *const *)dirs, nvram_dir, error);
}

/* TEMPLATE -> PATH through PATH.tmp-XXXXXX, so a failed copy never leaves
 * a truncated store behind. */
static gboolean
copy_template(const char *tmpl, const char *path, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *tmp = g_strconcat(path, ".tmp-XXXXXX", NULL);
    char buf[65536];
    int in = -1, out = -1;
    ssize_t n = 0;

    if (!armz_mkdir_p(dir, 0755, error))
        return FALSE;
    if ((in = open(tmpl, O_RDONLY | O_CLOEXEC)) < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("Failed to open file '%s': %s"), tmpl, g_strerror(errno));
        return FALSE;
    }
    if ((out = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600)) < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("Failed to create file '%s': %s"), tmp, g_strerror(errno));
        close(in);
        return FALSE;
    }
    while ((n = read(in, buf, sizeof(buf))) > 0) {
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0) {
                n = -1;
                break;
            }
            off += w;
        }
        if (n < 0)
            break;
    }
    if (n >= 0 && fsync(out) < 0)
        n = -1;
    if (close(out) < 0)
        n = -1;
    if (n < 0 || rename(tmp, path) < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("Failed to copy NVRAM template '%s' to '%s': %s"), tmpl, path,
                    g_strerror(errno));
        close(in);
        unlink(tmp);
        return FALSE;
    }
    close(in);
    return TRUE;
}

gboolean
armz_nvram_prepare(const ArmzDomainDef *def, gboolean reset, GError **error)
{
    const ArmzDomainNvramDef *n = def->os_nvram;

    if (!armz_domain_uses_firmware(def) || !n || !n->path)
        return TRUE;
    if (!reset && g_file_test(n->path, G_FILE_TEST_EXISTS))
        return TRUE;
    if (!n->template_path) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("unable to find any master var store for loader: %s"),
                    def->os_loader && def->os_loader->path ? def->os_loader->path : "");
        return FALSE;
    }
    armz_info("domain '%s': %s variable store %s from %s", def->name,
              reset ? "resetting" : "creating", n->path, n->template_path);
    return copy_template(n->template_path, n->path, error);
}

gboolean
armz_nvram_undefine(const ArmzDomainDef *def, unsigned int flags, GError **error)
{
    const char *path = def->os_nvram ? def->os_nvram->path : NULL;

    if ((flags & VIR_DOMAIN_UNDEFINE_NVRAM) && (flags & VIR_DOMAIN_UNDEFINE_KEEP_NVRAM)) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("cannot both keep and delete nvram"));
        return FALSE;
    }
    if (!path || !def->os_loader || !g_file_test(path, G_FILE_TEST_EXISTS))
        return TRUE;
    if (flags & VIR_DOMAIN_UNDEFINE_NVRAM) {
        if (unlink(path) < 0 && errno != ENOENT) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("failed to remove nvram: %s"), path);
            return FALSE;
        }
        return TRUE;
    }
    if (!(flags & VIR_DOMAIN_UNDEFINE_KEEP_NVRAM)) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("cannot undefine domain with nvram"));
        return FALSE;
    }
    return TRUE;
}
