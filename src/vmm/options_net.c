/* --net of armz-vmm's command line (its MAC syntax also serves QMP
 * device_add). */
#include <string.h>
#include <glib/gi18n-lib.h>
#include "options_parse.h"

gboolean
armz_options_parse_mac(const char *s, guint8 mac[6], GError **error)
{
    unsigned n = 0;
    const char *p = s;

    for (;;) {
        if (!g_ascii_isxdigit(p[0]) || !g_ascii_isxdigit(p[1]))
            break;
        mac[n++] = (guint8)(g_ascii_xdigit_value(p[0]) << 4 | g_ascii_xdigit_value(p[1]));
        p += 2;
        if (n == 6 || *p != ':')
            break;
        p++;
    }
    if (n != 6 || *p) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("--net: mac='%s' is not six hex bytes like 52:54:00:12:34:56"), s);
        return FALSE;
    }
    if (mac[0] & 1) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("--net: mac='%s' is a multicast address"), s);
        return FALSE;
    }
    return TRUE;
}

/* --net tap=IFNAME|fd=N[,mac=52:54:00:12:34:56] */
gboolean
parse_net(const char *s, ArmzNetOpt *n, GError **error)
{
    g_autoptr(GPtrArray) kv = split_keyvals("--net", s, error);
    gboolean have_fd = FALSE;
    guint64 v;

    n->fd = -1;
    if (!kv)
        return FALSE;
    for (guint i = 0; i < kv->len; i += 2) {
        const char *k = g_ptr_array_index(kv, i), *val = g_ptr_array_index(kv, i + 1);
        if (g_str_equal(k, "tap")) {
            /* IFNAMSIZ is 16 with the terminating NUL */
            if (!*val || strlen(val) > 15 || strchr(val, '/')) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            _("--net: tap='%s' is not an interface name"), val);
                return FALSE;
            }
            n->tap = g_strdup(val);
        } else if (g_str_equal(k, "fd")) {
            if (!parse_uint("--net fd=", val, 0, G_MAXINT, &v, error))
                return FALSE;
            n->fd = (int)v;
            have_fd = TRUE;
        } else if (g_str_equal(k, "mac")) {
            if (!armz_options_parse_mac(val, n->mac, error))
                return FALSE;
            n->has_mac = TRUE;
        } else if (g_str_equal(k, "pci")) {
            if (!armz_pci_addr_parse("--net pci=", val, &n->pci, error))
                return FALSE;
        } else if (g_str_equal(k, "id")) {
            if (!parse_device_id("--net", val, &n->id, error))
                return FALSE;
        } else if (g_str_equal(k, "link") && (g_str_equal(val, "up") || g_str_equal(val, "down"))) {
            n->link_down = g_str_equal(val, "down");
        } else if (g_str_equal(k, "link")) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        _("--net: link='%s' is neither up nor down"), val);
            return FALSE;
        } else {
            return unknown_key("--net", k, "tap, fd, mac, pci, id, link", error);
        }
    }
    if (!n->tap == !have_fd) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("--net: '%s' needs exactly one of tap=IFNAME and fd=N"), s);
        return FALSE;
    }
    return TRUE;
}
