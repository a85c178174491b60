/* API flags checks (see flags.h). */
#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/flags.h"

gboolean
armz_check_flags(unsigned int flags, unsigned int allowed, const char *func, GError **error)
{
    if (flags & ~allowed) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("unsupported flags (0x%x) in function %s"), flags & ~allowed, func);
        return FALSE;
    }
    return TRUE;
}
