/* MAC addresses, generated identifiers of a definition (UUIDs are in
 * util/uuid.c). */
#include "conf/domain_conf.h"

#include <string.h>

gboolean
armz_mac_parse(const char *str, unsigned char mac[6])
{
    const char *p = str;

    if (!str)
        return FALSE;
    for (int i = 0; i < 6; i++) {
        int hi = g_ascii_xdigit_value(p[0]);
        int lo = hi >= 0 ? g_ascii_xdigit_value(p[1]) : -1;

        if (hi < 0 || lo < 0)
            return FALSE;
        mac[i] = (unsigned char)(hi << 4 | lo);
        p += 2;
        if (i < 5 && *p++ != ':')
            return FALSE;
    }
    return *p == '\0';
}

void
armz_mac_format(const unsigned char mac[6], char buf[18])
{
    g_snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
               mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}
