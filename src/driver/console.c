/* Which pty backs a running domain's console (see console.h). */
#include <stdlib.h>
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/console.h"
#include "driver/driver_priv.h"

/* "serial0" / "console1": the list and index the alias names. */
static ArmzDomainChrDef *
chr_by_alias(ArmzDomainDef *def, const char *alias)
{
    GPtrArray *list = NULL;
    const char *num = NULL;
    char *end;
    unsigned long i;

    if (g_str_has_prefix(alias, "serial")) {
        list = def->serials;
        num = alias + strlen("serial");
    } else if (g_str_has_prefix(alias, "console")) {
        list = def->consoles;
        num = alias + strlen("console");
    }
    if (!list || !*num || !g_ascii_isdigit(*num))
        return NULL;
    i = strtoul(num, &end, 10);
    if (*end || i >= list->len)
        return NULL;
    return g_ptr_array_index(list, i);
}

gboolean
armz_driver_domain_console_path(ArmzDriver *drv, const ArmzDomainId *dom,
                                const char *dev_name, unsigned int flags, char **pty_path,
                                GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;
    ArmzDomainChrDef *chr = NULL;
    const char *what = dev_name ? dev_name : "console0";
    gboolean ok = FALSE;

    *pty_path = NULL;
    if (!armz_check_flags(flags, VIR_DOMAIN_CONSOLE_FORCE | VIR_DOMAIN_CONSOLE_SAFE,
                          "virDomainOpenConsole", error) ||
        !(obj = armz_driver_find(drv, dom, error)))
        return FALSE;
    g_mutex_lock(&obj->lock);
    if (!armz_domain_obj_is_active(obj)) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("domain is not running"));
        goto out;
    }
    if (dev_name)
        chr = chr_by_alias(obj->def, dev_name);
    else if (obj->def->consoles->len)
        chr = g_ptr_array_index(obj->def->consoles, 0);
    else if (obj->def->serials->len)
        chr = g_ptr_array_index(obj->def->serials, 0);
    if (!chr) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("cannot find character device %s"), what);
        goto out;
    }
    if (chr->type != ARMZ_DOMAIN_CHR_TYPE_PTY) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("character device %s is not using a PTY"), what);
        goto out;
    }
    if (!chr->source_path) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("no pty is assigned to character device %s yet"), what);
        goto out;
    }
    *pty_path = g_strdup(chr->source_path);
    ok = TRUE;
out:
    g_mutex_unlock(&obj->lock);
    return ok;
}
