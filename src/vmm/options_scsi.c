/* --scsi-disk and --scsi-cdrom of armz-vmm's command line. */
#include <string.h>
#include <glib/gi18n-lib.h>
#include "options_parse.h"
#include "scsi/scsi.h"

/* --scsi-disk / --scsi-cdrom SPEC (options.h) */
static gboolean
parse_scsi(const char *opt, const char *s, gboolean cdrom, ArmzScsiOpt *d, GError **error)
{
    g_autoptr(GPtrArray) kv = split_keyvals(opt, s, error);
    gboolean have_fd = FALSE, have_lun = FALSE;
    guint64 v;

    d->fd = -1;
    d->cdrom = d->readonly = cdrom;
    if (!kv)
        return FALSE;
    for (guint i = 0; i < kv->len; i += 2) {
        const char *k = g_ptr_array_index(kv, i), *val = g_ptr_array_index(kv, i + 1);
        g_autofree char *what = g_strdup_printf("%s %s=", opt, k);
        if (g_str_equal(k, "path") && *val) {
            d->path = g_strdup(val);
        } else if (g_str_equal(k, "fd")) {
            if (!parse_uint(what, val, 0, G_MAXINT, &v, error))
                return FALSE;
            d->fd = (int)v;
            have_fd = TRUE;
        } else if (g_str_equal(k, "lun")) {
            if (!parse_uint(what, val, 0, ARMZ_SCSI_MAX_LUN, &v, error))
                return FALSE;
            d->lun = (guint)v;
            have_lun = TRUE;
        } else if (g_str_equal(k, "id") && *val) {
            d->id = g_strdup(val);
        } else if (g_str_equal(k, "readonly") && !cdrom) {
            if (!parse_bool(opt, k, val, &d->readonly, error))
                return FALSE;
        } else if (g_str_equal(k, "serial") && !cdrom) {
            d->serial = g_strdup(val);
        } else if (g_str_equal(k, "bootindex")) {
            if (!parse_uint(what, val, 1, 999, &v, error))
                return FALSE;
            d->bootindex = (guint)v;
        } else if (g_str_equal(k, "path") || g_str_equal(k, "id")) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        _("%s: %s= is empty"), opt, k);
            return FALSE;
        } else {
            return unknown_key(opt, k, cdrom ? "path, fd, lun, id, bootindex"
                                             : "path, fd, lun, id, readonly, serial, bootindex",
                               error);
        }
    }
    if ((d->path && have_fd) || (!cdrom && !d->path && !have_fd)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    cdrom ? _("%s: '%s' takes at most one of path=FILE and fd=N")
                          : _("%s: '%s' needs exactly one of path=FILE and fd=N"), opt, s);
        return FALSE;
    }
    if (!have_lun) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("%s: '%s' needs lun=L"), opt, s);
        return FALSE;
    }
    if (!d->id)
        d->id = g_strdup_printf("scsi0-0-0-%u", d->lun);
    return TRUE;
}

/* all --scsi-disk, then all --scsi-cdrom; LUNs and ids unique */
gboolean
parse_scsi_all(ArmzOptions *o, char **disks, char **cdroms, GError **error)
{
    guint nd = disks ? g_strv_length(disks) : 0, nc = cdroms ? g_strv_length(cdroms) : 0;

    o->scsi = g_new0(ArmzScsiOpt, nd + nc + 1);
    for (guint i = 0; i < nd + nc; i++) {
        gboolean cdrom = i >= nd;
        ArmzScsiOpt *d = &o->scsi[i];
        if (!parse_scsi(cdrom ? "--scsi-cdrom" : "--scsi-disk", cdrom ? cdroms[i - nd] : disks[i],
                        cdrom, d, error))
            return FALSE;
        o->nscsi++;
        for (guint j = 0; j < i; j++) {
            if (o->scsi[j].lun == d->lun) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            _("SCSI LUN %u is given twice"), d->lun);
                return FALSE;
            }
            if (g_str_equal(o->scsi[j].id, d->id)) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            _("SCSI device id '%s' is given twice"), d->id);
                return FALSE;
            }
        }
    }
    return TRUE;
}
