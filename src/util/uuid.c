/* UUIDs (see uuid.h). */
#include "util/uuid.h"

/* libvirt accepts the 32 hex digits with '-' between any two bytes and
 * blanks around them; we accept the same so existing XML keeps working. */
gboolean
armz_uuid_parse(const char *str, unsigned char uuid[16])
{
    const char *p = str;
    unsigned int n = 0;

    if (!str)
        return FALSE;
    while (g_ascii_isspace(*p))
        p++;
    while (n < 16) {
        int hi, lo;

        if (*p == '-' && n > 0) {
            p++;
            continue;
        }
        hi = g_ascii_xdigit_value(p[0]);
        lo = hi >= 0 ? g_ascii_xdigit_value(p[1]) : -1;
        if (hi < 0 || lo < 0)
            return FALSE;
        uuid[n++] = (unsigned char)(hi << 4 | lo);
        p += 2;
    }
    while (g_ascii_isspace(*p))
        p++;
    return *p == '\0';
}

void
armz_uuid_format(const unsigned char uuid[16], char buf[ARMZ_UUID_STRING_BUFLEN])
{
    g_snprintf(buf, ARMZ_UUID_STRING_BUFLEN,
               "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
               uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7],
               uuid[8], uuid[9], uuid[10], uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]);
}

void
armz_uuid_generate(unsigned char uuid[16])
{
    /* GLib's random v4 UUID comes from its CSPRNG-seeded generator. */
    g_autofree char *s = g_uuid_string_random();

    if (!armz_uuid_parse(s, uuid))
        g_assert_not_reached();
}
