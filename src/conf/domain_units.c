/* Memory units as libvirt spells them: powers of 1024 for the short and
 * the *iB forms, powers of 1000 for the *B forms. */
#include "conf/domain_conf.h"

#include <string.h>

gboolean
armz_memory_to_kib(unsigned long long value, const char *unit,
                   unsigned long long *kib)
{
    unsigned long long base = 1024;
    unsigned int power;
    unsigned long long bytes_per_unit = 1;
    const char *u = unit;

    if (!u || !*u || g_ascii_strcasecmp(u, "kib") == 0 || g_str_equal(u, "k")) {
        *kib = value;
        return TRUE;
    }
    if (g_str_equal(u, "b") || g_str_equal(u, "bytes")) {
        power = 0;
    } else {
        switch (g_ascii_tolower(u[0])) {
        case 'k': power = 1; break;
        case 'm': power = 2; break;
        case 'g': power = 3; break;
        case 't': power = 4; break;
        case 'p': power = 5; break;
        case 'e': power = 6; break;
        default: return FALSE;
        }
        /* "M", "MiB" are binary; "MB" is decimal (case of the rest as
         * libvirt: the suffix letters are case-insensitive). */
        if (u[1] == '\0' || g_ascii_strcasecmp(u + 1, "ib") == 0)
            base = 1024;
        else if (g_ascii_strcasecmp(u + 1, "b") == 0)
            base = 1000;
        else
            return FALSE;
    }
    for (unsigned int i = 0; i < power; i++)
        bytes_per_unit *= base;
    if (value != 0 && bytes_per_unit > G_MAXUINT64 / value)
        return FALSE;
    /* Round up to whole KiB, as libvirt does. */
    value *= bytes_per_unit;
    *kib = value / 1024 + (value % 1024 != 0);
    return TRUE;
}
