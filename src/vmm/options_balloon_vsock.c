/* --balloon and --vsock of armz-vmm's command line. */
#include <string.h>
#include <glib/gi18n-lib.h>
#include "options_parse.h"

/* --balloon on | [stats-period=SECONDS][,target=BYTES][,deflate-on-oom=on]
 * [,free-page-reporting=on] */
gboolean
parse_balloon(const char *s, ArmzBalloonOpt *b, GError **error)
{
    g_autoptr(GPtrArray) kv = NULL;
    guint64 v;

    if (g_str_equal(s, "on"))
        return TRUE;
    if (!(kv = split_keyvals("--balloon", s, error)))
        return FALSE;
    for (guint i = 0; i < kv->len; i += 2) {
        const char *k = g_ptr_array_index(kv, i), *val = g_ptr_array_index(kv, i + 1);
        if (g_str_equal(k, "stats-period")) {
            if (!parse_uint("--balloon stats-period=", val, 0, G_MAXINT, &v, error))
                return FALSE;
            b->stats_period = (guint)v;
        } else if (g_str_equal(k, "target")) {
            if (!parse_uint("--balloon target=", val, 1, G_MAXUINT64, &b->target, error))
                return FALSE;
        } else if (g_str_equal(k, "deflate-on-oom")) {
            if (!parse_bool("--balloon", k, val, &b->deflate_on_oom, error))
                return FALSE;
        } else if (g_str_equal(k, "free-page-reporting")) {
            if (!parse_bool("--balloon", k, val, &b->free_page_reporting, error))
                return FALSE;
        } else if (g_str_equal(k, "pci")) {
            if (!armz_pci_addr_parse("--balloon pci=", val, &b->pci, error))
                return FALSE;
        } else {
            return unknown_key("--balloon", k,
                               "stats-period, target, deflate-on-oom, free-page-reporting, pci",
                               error);
        }
    }
    return TRUE;
}

/* --vsock cid=N|auto[,fd=M]: guest CIDs 0-2 are reserved (hypervisor, local, host) */
gboolean
parse_vsock(const char *s, ArmzVsockOpt *v, GError **error)
{
    g_autoptr(GPtrArray) kv = split_keyvals("--vsock", s, error);
    gboolean have_cid = FALSE;
    guint64 n;

    v->fd = -1;
    if (!kv)
        return FALSE;
    for (guint i = 0; i < kv->len; i += 2) {
        const char *k = g_ptr_array_index(kv, i), *val = g_ptr_array_index(kv, i + 1);
        if (g_str_equal(k, "cid")) {
            /* auto: the first the host kernel has free (cid 0) */
            if (!g_str_equal(val, "auto") &&
                !parse_uint("--vsock cid=", val, 3, G_MAXUINT32 - 1, &v->cid, error))
                return FALSE;
            have_cid = TRUE;
        } else if (g_str_equal(k, "fd")) {
            if (!parse_uint("--vsock fd=", val, 0, G_MAXINT, &n, error))
                return FALSE;
            v->fd = (int)n;
        } else if (g_str_equal(k, "pci")) {
            if (!armz_pci_addr_parse("--vsock pci=", val, &v->pci, error))
                return FALSE;
        } else {
            return unknown_key("--vsock", k, "cid, fd, pci", error);
        }
    }
    if (!have_cid) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("--vsock: '%s' needs cid=N"), s);
        return FALSE;
    }
    return TRUE;
}
