/* --vhost-user-blk and --vhost-user-fs of armz-vmm's command line. */
#include <string.h>
#include <glib/gi18n-lib.h>
#include "options_parse.h"

/* --vhost-user-blk / --vhost-user-fs SPEC (see options.h) */
static gboolean
parse_vhost_user(ArmzVhostUserKind kind, const char *s, ArmzVhostUserOpt *u, GError **error)
{
    const char *opt = kind == ARMZ_VHOST_USER_BLK ? "--vhost-user-blk" : "--vhost-user-fs";
    g_autoptr(GPtrArray) kv = split_keyvals(opt, s, error);
    guint64 v;

    if (!kv)
        return FALSE;
    u->kind = kind;
    u->queue_size = 1024;
    for (guint i = 0; i < kv->len; i += 2) {
        const char *k = g_ptr_array_index(kv, i), *val = g_ptr_array_index(kv, i + 1);
        g_autofree char *what = g_strdup_printf("%s %s=", opt, k);
        if (g_str_equal(k, "socket") && *val) {
            u->socket = g_strdup(val);
        } else if (g_str_equal(k, "id") && *val) {
            u->id = g_strdup(val);
        } else if (kind == ARMZ_VHOST_USER_BLK && g_str_equal(k, "bootindex")) {
            if (!parse_uint(what, val, 1, 999, &v, error))
                return FALSE;
            u->bootindex = (guint)v;
        } else if (kind == ARMZ_VHOST_USER_BLK && g_str_equal(k, "readonly")) {
            if (!parse_bool(opt, k, val, &u->readonly, error))
                return FALSE;
        } else if (kind == ARMZ_VHOST_USER_FS && g_str_equal(k, "tag") && *val) {
            /* virtio-fs config space: tag[36], not NUL-terminated when full */
            if (strlen(val) > 36) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            _("%s: tag '%s' is longer than 36 bytes"), opt, val);
                return FALSE;
            }
            u->tag = g_strdup(val);
        } else if (kind == ARMZ_VHOST_USER_FS && g_str_equal(k, "queue-size")) {
            if (!parse_uint(what, val, 2, 1024, &v, error))
                return FALSE;
            if (v & (v - 1)) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            _("%s: queue-size=%s is not a power of 2"), opt, val);
                return FALSE;
            }
            u->queue_size = (guint)v;
        } else if (g_str_equal(k, "pci")) {
            if (!armz_pci_addr_parse(what, val, &u->pci, error))
                return FALSE;
        } else {
            return unknown_key(opt, k, kind == ARMZ_VHOST_USER_BLK
                                       ? "socket, id, bootindex, readonly, pci"
                                       : "socket, tag, id, queue-size, pci", error);
        }
    }
    if (!u->socket || (kind == ARMZ_VHOST_USER_FS && !u->tag)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    kind == ARMZ_VHOST_USER_BLK ? _("%s: '%s' needs socket=PATH")
                                                : _("%s: '%s' needs socket=PATH and tag=TAG"),
                    opt, s);
        return FALSE;
    }
    return TRUE;
}

/* Both options in command-line order (the daemon gives them in the
 * domain's device order): ARGV is walked again for their positions. */
gboolean
parse_vhost_users(int argc, char **argv, GStrv blks, GStrv fss, ArmzOptions *o,
                  GError **error)
{
    guint nb = blks ? g_strv_length(blks) : 0, nf = fss ? g_strv_length(fss) : 0;
    guint ib = 0, jf = 0, ndisk = 0;

    o->nvhost_user = nb + nf;
    o->vhost_user = g_new0(ArmzVhostUserOpt, o->nvhost_user + 1);
    for (int a = 1; a < argc && ib + jf < o->nvhost_user; a++) {
        ArmzVhostUserOpt *u = &o->vhost_user[ib + jf];
        if (g_str_equal(argv[a], "--disk") || g_str_has_prefix(argv[a], "--disk=")) {
            ndisk++;
            continue;
        }
        u->disk_pos = ndisk;
        if (g_str_has_prefix(argv[a], "--vhost-user-blk") && ib < nb) {
            if (!parse_vhost_user(ARMZ_VHOST_USER_BLK, blks[ib], u, error))
                return FALSE;
            ib++;
        } else if (g_str_has_prefix(argv[a], "--vhost-user-fs") && jf < nf) {
            if (!parse_vhost_user(ARMZ_VHOST_USER_FS, fss[jf], u, error))
                return FALSE;
            jf++;
        }
    }
    /* GOption saw them, so ARGV holds every one; be safe all the same */
    for (; ib < nb; ib++) {
        o->vhost_user[ib + jf].disk_pos = ndisk;
        if (!parse_vhost_user(ARMZ_VHOST_USER_BLK, blks[ib], &o->vhost_user[ib + jf], error))
            return FALSE;
    }
    for (; jf < nf; jf++) {
        o->vhost_user[ib + jf].disk_pos = ndisk;
        if (!parse_vhost_user(ARMZ_VHOST_USER_FS, fss[jf], &o->vhost_user[ib + jf], error))
            return FALSE;
    }
    if (o->nvhost_user)
        o->memfd = TRUE;
    return TRUE;
}
