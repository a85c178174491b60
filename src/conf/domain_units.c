/* Scaled integers as libvirt spells their units (memory, storage sizes):
 * powers of 1024 for the short and the *iB forms, powers of 1000 for the
 * *B forms. */
#include "conf/domain_conf.h"

#include <string.h>

gboolean
armz_unit_to_bytes(guint64 value, const char *unit, guint64 *bytes)
{
    guint64 base = 1024, mult = 1;
    unsigned int power;

    if (!unit || !*unit || g_ascii_strcasecmp(unit, "b") == 0 ||
        g_ascii_strcasecmp(unit, "bytes") == 0) {
        *bytes = value;
        return TRUE;
    }
    switch (g_ascii_tolower(unit[0])) {
    case 'k': power = 1; break;
    case 'm': power = 2; break;
    case 'g': power = 3; break;
    case 't': power = 4; break;
    case 'p': power = 5; break;
    case 'e': power = 6; break;
    default: return FALSE;
    }
    /* "M" and "MiB" are binary, "MB" decimal, as libvirt reads them. */
    if (unit[1] == '\0' || g_ascii_strcasecmp(unit + 1, "ib") == 0)
        base = 1024;
    else if (g_ascii_strcasecmp(unit + 1, "b") == 0)
        base = 1000;
    else
        return FALSE;
    for (unsigned int i = 0; i < power; i++)
        mult *= base;
    if (value != 0 && mult > G_MAXUINT64 / value)
        return FALSE;
    *bytes = value * mult;
    return TRUE;
}

gboolean
armz_memory_to_kib(unsigned long long value, const char *unit,
                   unsigned long long *kib)
{
    guint64 bytes;

    /* memory's default unit is KiB, not bytes */
    if (!unit || !*unit) {
        *kib = value;
        return TRUE;
    }
    if (!armz_unit_to_bytes(value, unit, &bytes))
        return FALSE;
    /* Round up to whole KiB, as libvirt does. */
    *kib = bytes / 1024 + (bytes % 1024 != 0);
    return TRUE;
}
