/* Firmware boot options of armz-vmm: --flash-code, --flash-vars, --smbios. */
#include <string.h>
#include <glib/gi18n-lib.h>
#include "options_parse.h"

/* --flash-code / --flash-vars: PATH or fd:N */
static gboolean
parse_flash(const char *opt, const char *s, char **path, int *fd, GError **error)
{
    guint64 v;

    if (g_str_has_prefix(s, "fd:")) {
        g_autofree char *what = g_strdup_printf("%s fd:", opt);
        if (!parse_uint(what, s + 3, 0, G_MAXINT, &v, error))
            return FALSE;
        *fd = (int)v;
    } else if (*s) {
        *path = g_strdup(s);
    } else {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("%s: the path is empty"), opt);
        return FALSE;
    }
    return TRUE;
}

gboolean
parse_firmware(ArmzOptions *o, const char *code, const char *vars, char **smbios,
               GError **error)
{
    if (code && !parse_flash("--flash-code", code, &o->flash_code, &o->flash_code_fd, error))
        return FALSE;
    if (vars && !parse_flash("--flash-vars", vars, &o->flash_vars, &o->flash_vars_fd, error))
        return FALSE;
    for (guint i = 0; smbios && smbios[i]; i++) {
        g_autoptr(GPtrArray) kv = split_keyvals("--smbios", smbios[i], error);
        if (!kv || !armz_smbios_set(&o->smbios, kv, error))
            return FALSE;
    }
    if (!ARMZ_OPTS_FIRMWARE(o) && (vars || smbios || o->acpi || o->vmcoreinfo)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--flash-vars, --smbios, --acpi and --vmcoreinfo need --flash-code "
                      "(firmware boot)"));
        return FALSE;
    }
    if (!o->kernel && !ARMZ_OPTS_FIRMWARE(o)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--kernel or --flash-code is required"));
        return FALSE;
    }
    if (!o->kernel && (o->initrd || o->cmdline)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--initrd and --cmdline need --kernel"));
        return FALSE;
    }
    return TRUE;
}
