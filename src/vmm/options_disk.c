/* --disk of armz-vmm's command line (its modes also serve QMP device_add). */
#include <string.h>
#include <glib/gi18n-lib.h>
#include "options_parse.h"

/* the cache=, discard=, detect-zeroes=, werror=, rerror= and io= keys of --disk
 * (and of device_add) */
gboolean
armz_options_disk_mode(const char *opt, const char *k, const char *val, ArmzDiskOpt *d,
                       gboolean *known, GError **error)
{
    /* in ArmzCacheMode order, "default" last (= writeback) */
    static const char *const caches[] = {
        "writeback", "none", "writethrough", "directsync", "unsafe", "default", NULL };
    static const char *const discards[] = { "ignore", "unmap", NULL };
    static const char *const zeroes[] = { "off", "on", "unmap", NULL };
    static const char *const policies[] = { "report", "ignore", "stop", "enospc", NULL };
    static const char *const ios[] = { "threads", "native", "io_uring", NULL };
    int v;

    *known = TRUE;
    if (g_str_equal(k, "cache")) {
        if (!parse_choice(opt, k, val, caches, &v, error))
            return FALSE;
        d->cache = v == 5 ? ARMZ_CACHE_WRITEBACK : (ArmzCacheMode)v;
    } else if (g_str_equal(k, "discard")) {
        if (!parse_choice(opt, k, val, discards, &v, error))
            return FALSE;
        d->discard = v == 1;
    } else if (g_str_equal(k, "detect-zeroes")) {
        if (!parse_choice(opt, k, val, zeroes, &v, error))
            return FALSE;
        d->detect_zeroes = (ArmzDetectZeroes)v;
    } else if (g_str_equal(k, "werror")) {
        if (!parse_choice(opt, k, val, policies, &v, error))
            return FALSE;
        d->werror = (ArmzBlkErrorPolicy)v;
    } else if (g_str_equal(k, "rerror")) {
        /* enospc is a write policy only, as in QEMU */
        if (!parse_choice(opt, k, val, policies, &v, error))
            return FALSE;
        if (v == ARMZ_BLK_ERR_ENOSPC) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        _("%s: rerror=enospc is not valid (werror only)"), opt);
            return FALSE;
        }
        d->rerror = (ArmzBlkErrorPolicy)v;
    } else if (g_str_equal(k, "io")) {
        if (!parse_choice(opt, k, val, ios, &v, error))
            return FALSE;
        d->io = (ArmzDiskIo)v;
    } else {
        *known = FALSE;
    }
    return TRUE;
}

/* --disk path=FILE|fd=N[,readonly=on][,serial=STR][,bootindex=N][,cache=...] */
gboolean
parse_disk(const char *s, ArmzDiskOpt *d, GError **error)
{
    g_autoptr(GPtrArray) kv = split_keyvals("--disk", s, error);
    gboolean have_fd = FALSE;
    guint64 v;

    d->fd = -1;
    if (!kv)
        return FALSE;
    for (guint i = 0; i < kv->len; i += 2) {
        const char *k = g_ptr_array_index(kv, i), *val = g_ptr_array_index(kv, i + 1);
        if (g_str_equal(k, "path")) {
            if (!*val) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            _("--disk: path= is empty"));
                return FALSE;
            }
            d->path = g_strdup(val);
        } else if (g_str_equal(k, "fd")) {
            if (!parse_uint("--disk fd=", val, 0, G_MAXINT, &v, error))
                return FALSE;
            d->fd = (int)v;
            have_fd = TRUE;
        } else if (g_str_equal(k, "readonly")) {
            if (!parse_bool("--disk", k, val, &d->readonly, error))
                return FALSE;
        } else if (g_str_equal(k, "serial")) {
            d->serial = g_strdup(val);
        } else if (g_str_equal(k, "id")) {
            if (!parse_device_id("--disk", val, &d->id, error))
                return FALSE;
        } else if (g_str_equal(k, "bootindex")) {
            if (!parse_uint("--disk bootindex=", val, 1, 999, &v, error))
                return FALSE;
            d->bootindex = (guint)v;
        } else if (g_str_equal(k, "pci")) {
            if (!armz_pci_addr_parse("--disk pci=", val, &d->pci, error))
                return FALSE;
        } else {
            gboolean known;
            if (!armz_options_disk_mode("--disk", k, val, d, &known, error))
                return FALSE;
            if (!known)
                return unknown_key("--disk", k,
                                   "path, fd, readonly, serial, bootindex, cache, discard, "
                                   "detect-zeroes, werror, rerror, io, pci, id", error);
        }
    }
    if (!d->path == !have_fd) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("--disk: '%s' needs exactly one of path=FILE and fd=N"), s);
        return FALSE;
    }
    return TRUE;
}
