/* Numbers in configuration text (see number.h). */
#include "util/number.h"

gboolean
armz_parse_u64(const char *text, guint64 min, guint64 max, guint64 *out)
{
    guint64 v = 0;

    if (!text || !*text)
        return FALSE;
    for (const char *p = text; *p; p++) {
        if (!g_ascii_isdigit(*p) || v > (G_MAXUINT64 - (guint64)(*p - '0')) / 10)
            return FALSE;
        v = v * 10 + (guint64)(*p - '0');
    }
    if (v < min || v > max)
        return FALSE;
    *out = v;
    return TRUE;
}
