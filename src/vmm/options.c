/* Command-line parsing of armz-vmm. */
#include <inttypes.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include "options.h"
#include "layout.h"
#include "scsi/scsi.h"
#include "vmmlog.h"

const char *
armz_irqchip_mode_name(ArmzIrqchipMode mode)
{
    switch (mode) {
    case ARMZ_IRQCHIP_KERNEL: return "kernel";
    case ARMZ_IRQCHIP_USERSPACE: return "userspace";
    default: return "auto";
    }
}

static gboolean
parse_uint(const char *opt, const char *s, guint64 min, guint64 max, guint64 *out,
           GError **error)
{
    guint64 v;
    if (!g_ascii_string_to_unsigned(s, 10, min, max, &v, NULL)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("%s: '%s' is not a number from %" PRIu64 " to %"
                      PRIu64), opt, s, min, max);
        return FALSE;
    }
    *out = v;
    return TRUE;
}

/* BACKEND of --serial / --console: stdio, pty, none, file:PATH, fd:N */
static gboolean
parse_backend(const char *opt, const char *s, ArmzCharOpt *c, GError **error)
{
    guint64 v;

    if (g_str_equal(s, "stdio")) {
        c->kind = ARMZ_SERIAL_STDIO;
    } else if (g_str_equal(s, "pty")) {
        c->kind = ARMZ_SERIAL_PTY;
    } else if (g_str_equal(s, "none")) {
        c->kind = ARMZ_SERIAL_NONE;
    } else if (g_str_has_prefix(s, "file:") && s[5]) {
        c->kind = ARMZ_SERIAL_FILE;
        g_free(c->path);
        c->path = g_strdup(s + 5);
    } else if (g_str_has_prefix(s, "fd:")) {
        g_autofree char *what = g_strdup_printf("%s fd:", opt);
        if (!parse_uint(what, s + 3, 0, G_MAXINT, &v, error))
            return FALSE;
        c->kind = ARMZ_SERIAL_FD;
        c->fd = (int)v;
    } else if (g_str_has_prefix(s, "listen:fd:")) {
        g_autofree char *what = g_strdup_printf("%s listen:fd:", opt);
        if (!parse_uint(what, s + 10, 0, G_MAXINT, &v, error))
            return FALSE;
        c->kind = ARMZ_SERIAL_LISTEN;
        c->fd = (int)v;
    } else {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("%s: unknown backend '%s' (stdio, pty, file:PATH, fd:N, listen:fd:N, "
                      "none)"), opt, s);
        return FALSE;
    }
    return TRUE;
}

/* --serial-log / --console-log: file:PATH or fd:N */
static gboolean
parse_log(const char *opt, const char *s, ArmzCharOpt *c, GError **error)
{
    guint64 v;

    if (g_str_has_prefix(s, "file:") && s[5]) {
        c->log_path = g_strdup(s + 5);
        return TRUE;
    }
    if (g_str_has_prefix(s, "fd:")) {
        g_autofree char *what = g_strdup_printf("%s fd:", opt);
        if (!parse_uint(what, s + 3, 0, G_MAXINT, &v, error))
            return FALSE;
        c->log_fd = (int)v;
        return TRUE;
    }
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                _("%s: '%s' is neither file:PATH nor fd:N"), opt, s);
    return FALSE;
}

/* "k1=v1,k2=v2": key/value pairs; ",," stands for a comma inside a value */
static GPtrArray *
split_keyvals(const char *opt, const char *s, GError **error)
{
    g_autoptr(GPtrArray) kv = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GString) cur = g_string_new(NULL);

    for (const char *p = s;; p++) {
        if (*p == ',' && p[1] == ',') {
            g_string_append_c(cur, ',');
            p++;
            continue;
        }
        if (*p && *p != ',') {
            g_string_append_c(cur, *p);
            continue;
        }
        {
            char *eq = strchr(cur->str, '=');
            if (!eq || eq == cur->str) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            _("%s: '%s' is not KEY=VALUE"), opt, cur->str);
                return NULL;
            }
            *eq = '\0';
            for (guint i = 0; i < kv->len; i += 2) {
                if (g_str_equal(g_ptr_array_index(kv, i), cur->str)) {
                    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                _("%s: '%s' is given twice"), opt, cur->str);
                    return NULL;
                }
            }
            g_ptr_array_add(kv, g_strdup(cur->str));
            g_ptr_array_add(kv, g_strdup(eq + 1));
            g_string_truncate(cur, 0);
        }
        if (!*p)
            break;
    }
    return g_steal_pointer(&kv);
}

static gboolean
parse_bool(const char *opt, const char *key, const char *v, gboolean *out, GError **error)
{
    if (g_str_equal(v, "on") || g_str_equal(v, "yes") || g_str_equal(v, "true")) {
        *out = TRUE;
    } else if (g_str_equal(v, "off") || g_str_equal(v, "no") || g_str_equal(v, "false")) {
        *out = FALSE;
    } else {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("%s: %s='%s' is neither on nor off"), opt, key, v);
        return FALSE;
    }
    return TRUE;
}

static gboolean
unknown_key(const char *opt, const char *key, const char *known, GError **error)
{
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                _("%s: unknown key '%s' (%s)"), opt, key, known);
    return FALSE;
}

/* VALUE's index in NAMES (NULL-terminated), or a usage error */
static gboolean
parse_choice(const char *opt, const char *key, const char *v, const char *const *names,
             int *out, GError **error)
{
    g_autofree char *all = NULL;

    for (int i = 0; names[i]; i++) {
        if (g_str_equal(v, names[i])) {
            *out = i;
            return TRUE;
        }
    }
    all = g_strjoinv(", ", (char **)names);
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                _("%s: %s='%s' is not one of %s"), opt, key, v, all);
    return FALSE;
}

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

/* id=ALIAS of --disk and --net: libvirt's alias ([A-Za-z0-9_.-], at most
 * 64), what QMP device_del names the device by */
static gboolean
parse_device_id(const char *opt, const char *val, char **id, GError **error)
{
    size_t n = strlen(val);

    for (const char *c = val; *c; c++)
        if (!g_ascii_isalnum(*c) && *c != '_' && *c != '.' && *c != '-')
            n = 0;
    if (n == 0 || n > 64) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("%s: id='%s' is not a device id (letters, digits, '_', '.', '-'; at "
                      "most 64)"), opt, val);
        return FALSE;
    }
    g_free(*id);
    *id = g_strdup(val);
    return TRUE;
}

/* --disk path=FILE|fd=N[,readonly=on][,serial=STR][,bootindex=N][,cache=...] */
static gboolean
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

/* --balloon on | [stats-period=SECONDS][,target=BYTES][,deflate-on-oom=on]
 * [,free-page-reporting=on] */
static gboolean
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

/* --channel name=NAME,path=SOCKET|fd=N[,id=ID] */
static gboolean
parse_channel(const char *s, ArmzChannelOpt *c, GError **error)
{
    g_autoptr(GPtrArray) kv = split_keyvals("--channel", s, error);
    guint64 v;

    c->fd = -1;
    if (!kv)
        return FALSE;
    for (guint i = 0; i < kv->len; i += 2) {
        const char *k = g_ptr_array_index(kv, i), *val = g_ptr_array_index(kv, i + 1);
        if (g_str_equal(k, "name") && *val) {
            c->name = g_strdup(val);
        } else if (g_str_equal(k, "path") && *val) {
            c->path = g_strdup(val);
        } else if (g_str_equal(k, "fd")) {
            if (!parse_uint("--channel fd=", val, 0, G_MAXINT, &v, error))
                return FALSE;
            c->fd = (int)v;
        } else if (g_str_equal(k, "id") && *val) {
            c->id = g_strdup(val);
        } else {
            return unknown_key("--channel", k, "name, path, fd, id (not empty)", error);
        }
    }
    if (!c->name || !c->path == (c->fd < 0)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("--channel: '%s' needs name=NAME and exactly one of path=SOCKET and "
                      "fd=N"), s);
        return FALSE;
    }
    return TRUE;
}

/* --vsock cid=N|auto[,fd=M]: guest CIDs 0-2 are reserved (hypervisor, local, host) */
static gboolean
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

static gboolean
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

/* --flash-code / --flash-vars: PATH or fd:N */
static gboolean
parse_flash(const char *opt, const char *s, char **path, int *fd, GError **error)
{
    guint64 v;

    if (g_str_has_prefix(s, "fd:")) {
        g_autofree char *what = g_strdup_printf("%s fd:", opt);
        if (!parse_uint(what, s + 3, 0, G_MAXINT, &v, error))
            return FALSE;
        *fd = (int)v;
    } else if (*s) {
        *path = g_strdup(s);
    } else {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("%s: the path is empty"), opt);
        return FALSE;
    }
    return TRUE;
}

static gboolean
parse_firmware(ArmzOptions *o, const char *code, const char *vars, char **smbios,
               GError **error)
{
    if (code && !parse_flash("--flash-code", code, &o->flash_code, &o->flash_code_fd, error))
        return FALSE;
    if (vars && !parse_flash("--flash-vars", vars, &o->flash_vars, &o->flash_vars_fd, error))
        return FALSE;
    for (guint i = 0; smbios && smbios[i]; i++) {
        g_autoptr(GPtrArray) kv = split_keyvals("--smbios", smbios[i], error);
        if (!kv || !armz_smbios_set(&o->smbios, kv, error))
            return FALSE;
    }
    if (!ARMZ_OPTS_FIRMWARE(o) && (vars || smbios || o->acpi || o->vmcoreinfo)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--flash-vars, --smbios, --acpi and --vmcoreinfo need --flash-code "
                      "(firmware boot)"));
        return FALSE;
    }
    if (!o->kernel && !ARMZ_OPTS_FIRMWARE(o)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--kernel or --flash-code is required"));
        return FALSE;
    }
    if (!o->kernel && (o->initrd || o->cmdline)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--initrd and --cmdline need --kernel"));
        return FALSE;
    }
    return TRUE;
}

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
static gboolean
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

static void
char_opt_clear(ArmzCharOpt *c)
{
    g_free(c->path);
    g_free(c->pty_file);
    g_free(c->log_path);
}

/* --topology sockets=S,cores=C,threads=T (each 1 when left out): their
 * product is --vcpus */
static gboolean
parse_topology(ArmzOptions *o, const char *s, GError **error)
{
    g_autoptr(GPtrArray) kv = split_keyvals("--topology", s, error);
    guint *dst;
    guint64 v;

    if (!kv)
        return FALSE;
    o->sockets = o->cores = o->threads = 1;
    for (guint i = 0; i < kv->len; i += 2) {
        const char *k = g_ptr_array_index(kv, i), *val = g_ptr_array_index(kv, i + 1);

        if (g_str_equal(k, "sockets"))
            dst = &o->sockets;
        else if (g_str_equal(k, "cores"))
            dst = &o->cores;
        else if (g_str_equal(k, "threads"))
            dst = &o->threads;
        else
            return unknown_key("--topology", k, "sockets, cores, threads", error);
        if (!parse_uint("--topology", val, 1, ARMZ_MAX_VCPUS, &v, error))
            return FALSE;
        *dst = (guint)v;
    }
    if ((guint64)o->sockets * o->cores * o->threads != o->vcpus) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("--topology: %u sockets x %u cores x %u threads is not --vcpus %u"),
                    o->sockets, o->cores, o->threads, o->vcpus);
        return FALSE;
    }
    return TRUE;
}

/* all --scsi-disk, then all --scsi-cdrom; LUNs and ids unique */
static gboolean
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

/* --scsi-pci, --channel-pci (parsed beside the others below) */
static gboolean
pci_more_parse(ArmzOptions *o, const char *scsi_pci, const char *channel_pci, GError **error)
{
    if ((scsi_pci && !o->nscsi) || (channel_pci && !o->nchannels)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "%s",
                    scsi_pci ? _("--scsi-pci needs --scsi-disk or --scsi-cdrom")
                             : _("--channel-pci needs --channel"));
        return FALSE;
    }
    return (!scsi_pci || armz_pci_addr_parse("--scsi-pci", scsi_pci, &o->scsi_pci, error)) &&
           (!channel_pci ||
            armz_pci_addr_parse("--channel-pci", channel_pci, &o->channel_pci, error));
}

/* a device's pci=BUS:SLOT implies --pci */
static gboolean
pci_any_set(const ArmzOptions *o)
{
    gboolean any = o->scsi_pci.set || o->channel_pci.set || o->balloon.pci.set ||
                   o->vsock.pci.set;
    for (guint i = 0; i < o->nvhost_user; i++)
        any |= o->vhost_user[i].pci.set;
    return any;
}

/* --pcie-root-port, --console-pci, --rng-pci; any PCI address implies --pci */
static gboolean
armz_pci_options_parse(ArmzOptions *o, char **root_ports, const char *console_pci,
                       const char *rng_pci, GError **error)
{
    o->nroot_ports = root_ports ? g_strv_length(root_ports) : 0;
    o->root_ports = g_new0(ArmzRootPortOpt, o->nroot_ports + 1);
    for (guint i = 0; i < o->nroot_ports; i++)
        if (!armz_pcie_root_port_parse(root_ports[i], &o->root_ports[i], error))
            return FALSE;
    if (!armz_pcie_root_ports_check(o->root_ports, o->nroot_ports, error))
        return FALSE;
    if ((console_pci && !armz_pci_addr_parse("--console-pci", console_pci, &o->console_pci, error)) ||
        (rng_pci && !armz_pci_addr_parse("--rng-pci", rng_pci, &o->rng_pci, error)))
        return FALSE;
    if (o->nroot_ports || o->console_pci.set || o->rng_pci.set)
        o->pci = TRUE;
    for (guint i = 0; i < o->ndisks; i++)
        o->pci |= o->disks[i].pci.set;
    for (guint i = 0; i < o->nnets; i++)
        o->pci |= o->nets[i].pci.set;
    o->pci |= pci_any_set(o);
    return TRUE;
}

gboolean
armz_options_parse(int argc, char **argv, ArmzOptions *o, GError **error)
{
    g_autofree char *memory = NULL, *vcpus = NULL, *serial = NULL, *irqchip = NULL;
    g_autofree char *kvm_profile = NULL;
    g_autofree char *console = NULL, *serial_log = NULL, *console_log = NULL, *rng = NULL;
    g_autofree char *flash_code = NULL, *flash_vars = NULL;
    g_autofree char *seccomp = NULL, *topology = NULL;
    g_autofree char *balloon = NULL, *vsock = NULL;
    g_auto(GStrv) disks = NULL, nets = NULL, smbios = NULL, root_ports = NULL, channels = NULL;
    g_autofree char *console_pci = NULL, *rng_pci = NULL;
    g_autofree char *scsi_pci = NULL, *channel_pci = NULL;
    g_auto(GStrv) scsi_disks = NULL, scsi_cdroms = NULL;
    g_auto(GStrv) vu_blks = NULL, vu_fss = NULL;
    /* GOption removes what it parses from ARGV: the order of the
     * vhost-user devices is read from this copy of the pointers */
    int argc_copy = argc;
    g_autofree char **argv_copy = g_memdup2(argv, sizeof(char *) * (gsize)MAX(argc, 0));
    int qmp_fd = -1;
    gboolean version = FALSE;
    GOptionEntry entries[] = {
        { "name", 0, 0, G_OPTION_ARG_STRING, &o->name, N_("guest name (for logs)"), N_("NAME") },
        { "kernel", 0, 0, G_OPTION_ARG_FILENAME, &o->kernel,
          N_("arm64 Linux Image to boot (without --flash-code: required; with it: "
             "handed to the firmware through fw_cfg)"), N_("PATH") },
        { "initrd", 0, 0, G_OPTION_ARG_FILENAME, &o->initrd, N_("initial ramdisk"), N_("PATH") },
        { "cmdline", 0, 0, G_OPTION_ARG_STRING, &o->cmdline, N_("kernel command line"),
          N_("STRING") },
        { "memory", 'm', 0, G_OPTION_ARG_STRING, &memory,
          N_("guest RAM in MiB (default 512)"), N_("MIB") },
        { "vcpus", 0, 0, G_OPTION_ARG_STRING, &vcpus, N_("number of vCPUs (default 1)"), N_("N") },
        { "topology", 0, 0, G_OPTION_ARG_STRING, &topology,
          N_("CPU topology the guest sees (device tree cpu-map, ACPI PPTT, SMBIOS): "
             "sockets=S,cores=C,threads=T, their product --vcpus"), N_("SPEC") },
        { "serial", 0, 0, G_OPTION_ARG_STRING, &serial,
          N_("serial console backend: stdio (default), pty, file:PATH, fd:N or none"),
          N_("BACKEND") },
        { "pty-file", 0, 0, G_OPTION_ARG_FILENAME, &o->serial.pty_file,
          N_("with --serial pty, also write the pty path to this file"), N_("PATH") },
        { "serial-log", 0, 0, G_OPTION_ARG_FILENAME, &serial_log,
          N_("append a copy of the serial output to file:PATH or fd:N"), N_("LOG") },
        { "console", 0, 0, G_OPTION_ARG_FILENAME, &console,
          N_("virtio console (hvc0) backend: stdio, pty, file:PATH, fd:N or none"),
          N_("BACKEND") },
        { "console-pty-file", 0, 0, G_OPTION_ARG_FILENAME, &o->console.pty_file,
          N_("with --console pty, also write the pty path to this file"), N_("PATH") },
        { "console-log", 0, 0, G_OPTION_ARG_FILENAME, &console_log,
          N_("append a copy of the virtio console output to file:PATH or fd:N"), N_("LOG") },
        { "disk", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &disks,
          N_("virtio disk (repeatable; vda, vdb, ... in this order): "
             "path=FILE|fd=N[,readonly=on][,serial=STR][,cache=MODE][,discard=unmap]"
             "[,detect-zeroes=on|unmap][,werror=stop|report|ignore|enospc][,rerror=...]"
             "[,io=threads|native|io_uring]"),
          N_("SPEC") },
        { "scsi-disk", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &scsi_disks,
          N_("disk on the virtio-scsi controller (repeatable): "
             "path=FILE|fd=N,lun=L[,id=ALIAS][,readonly=on][,serial=STR][,bootindex=N]"),
          N_("SPEC") },
        { "scsi-cdrom", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &scsi_cdroms,
          N_("CD-ROM on the virtio-scsi controller (repeatable; without path or fd: "
             "empty; media change through QMP): [path=FILE|fd=N,]lun=L[,id=ALIAS]"
             "[,bootindex=N]"),
          N_("SPEC") },
        { "net", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &nets,
          N_("virtio network card (repeatable): tap=IFNAME|fd=N[,mac=52:54:00:12:34:56]"
             "[,link=up|down]"),
          N_("SPEC") },
        { "vhost-user-blk", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &vu_blks,
          N_("virtio disk served by a vhost-user back-end such as qemu-storage-daemon "
             "(repeatable; in command-line order with --disk): "
             "socket=PATH[,id=ALIAS][,bootindex=N][,readonly=on|off]"), N_("SPEC") },
        { "vhost-user-fs", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &vu_fss,
          N_("virtio-fs shared folder served by a vhost-user back-end such as virtiofsd "
             "(repeatable): socket=PATH,tag=TAG[,id=ALIAS][,queue-size=N]"), N_("SPEC") },
        { "memfd", 0, 0, G_OPTION_ARG_NONE, &o->memfd,
          N_("guest RAM from a shared memfd (implied by the vhost-user devices)"), NULL },
        { "rng", 0, 0, G_OPTION_ARG_FILENAME, &rng,
          N_("virtio entropy source: a file such as /dev/urandom, or fd:N"), N_("PATH") },
        { "channel", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &channels,
          N_("virtio-serial port (repeatable): name=NAME,path=SOCKET|fd=N[,id=ID]"),
          N_("SPEC") },
        { "vsock", 0, 0, G_OPTION_ARG_STRING, &vsock,
          N_("virtio-vsock through vhost-vsock: cid=N|auto[,fd=M] (M: an open /dev/vhost-vsock)"),
          N_("SPEC") },
        { "balloon", 0, 0, G_OPTION_ARG_STRING, &balloon,
          N_("virtio memory balloon: on, or stats-period=SECONDS[,target=BYTES]"
             "[,deflate-on-oom=on][,free-page-reporting=on]"), N_("SPEC") },
        { "qmp", 0, 0, G_OPTION_ARG_FILENAME, &o->qmp_path,
          N_("QMP control socket to create and listen on"), N_("PATH") },
        { "qmp-fd", 0, 0, G_OPTION_ARG_INT, &qmp_fd,
          N_("QMP control socket already listening on this inherited fd"), N_("N") },
        { "kvm-device", 0, 0, G_OPTION_ARG_FILENAME, &o->kvm_device,
          N_("KVM device (default: /dev/kvm-arm64, then /dev/kvm)"), N_("PATH") },
        { "kvm-profile", 0, 0, G_OPTION_ARG_STRING, &kvm_profile,
          N_("use KVM as: native (default) or s390 (only what IBM Z's kvm-arm64 offers)"),
          N_("PROFILE") },
        { "irqchip", 0, 0, G_OPTION_ARG_STRING, &irqchip,
          N_("interrupt controller: auto (default), kernel or userspace"), N_("MODE") },
        { "pidfile", 0, 0, G_OPTION_ARG_FILENAME, &o->pidfile,
          N_("write the VMM's process id to this file"), N_("PATH") },
        { "paused", 0, 0, G_OPTION_ARG_NONE, &o->paused,
          N_("start with the vCPUs stopped (QMP cont starts them)"), NULL },
        { "flash-code", 0, 0, G_OPTION_ARG_FILENAME, &flash_code,
          N_("UEFI firmware (64 MiB flash image such as AAVMF_CODE.fd), read-only "
             "flash at 0x0: boot through it"), N_("PATH|fd:N") },
        { "flash-vars", 0, 0, G_OPTION_ARG_FILENAME, &flash_vars,
          N_("the guest's own UEFI variable store (64 MiB, a copy of AAVMF_VARS.fd), "
             "writable flash at 0x4000000"), N_("PATH|fd:N") },
        { "smbios", 0, 0, G_OPTION_ARG_STRING_ARRAY, &smbios,
          N_("SMBIOS fields (repeatable): type=0,vendor=,version=,date= | "
             "type=1,manufacturer=,product=,version=,serial=,uuid=,sku=,family= | "
             "type=3,manufacturer=,version=,serial=,asset=,sku="), N_("SPEC") },
        { "acpi", 0, 0, G_OPTION_ARG_NONE, &o->acpi,
          N_("give the firmware ACPI tables (the guest then runs on ACPI)"), NULL },
        { "vmcoreinfo", 0, 0, G_OPTION_ARG_NONE, &o->vmcoreinfo,
          N_("offer the fw_cfg file etc/vmcoreinfo to the guest kernel"), NULL },
        { "debug", 0, 0, G_OPTION_ARG_NONE, &o->debug, N_("log VMM internals on stderr"), NULL },
        { "pci", 0, 0, G_OPTION_ARG_NONE, &o->pci,
          N_("PCIe host bridge: the virtio devices become virtio-pci functions on it "
             "(MSI-X through the ITS or a GICv2m frame) instead of virtio-mmio"), NULL },
        { "pcie-root-port", 0, 0, G_OPTION_ARG_STRING_ARRAY, &root_ports,
          N_("PCIe root port on the root bus (repeatable, implies --pci); a device "
             "below it says pci=N:0; hotplug-capable (QMP device_add bus pci.N) unless "
             "hotplug=off"), N_("index=N,addr=SLOT[.FN][,chassis=C][,port=P][,hotplug=on|off]") },
        { "console-pci", 0, 0, G_OPTION_ARG_STRING, &console_pci,
          N_("PCI address of the virtio console (implies --pci); --disk and --net take "
             "pci=BUS:SLOT"), N_("BUS:SLOT") },
        { "rng-pci", 0, 0, G_OPTION_ARG_STRING, &rng_pci,
          N_("PCI address of the virtio entropy device (implies --pci)"), N_("BUS:SLOT") },
        { "scsi-pci", 0, 0, G_OPTION_ARG_STRING, &scsi_pci,
          N_("PCI address of the virtio-scsi controller (implies --pci); --balloon, "
             "--vsock and the vhost-user devices take pci=BUS:SLOT"), N_("BUS:SLOT") },
        { "channel-pci", 0, 0, G_OPTION_ARG_STRING, &channel_pci,
          N_("PCI address of the virtio-serial device of the --channel ports "
             "(implies --pci)"), N_("BUS:SLOT") },
        { "seccomp", 0, 0, G_OPTION_ARG_STRING, &seccomp,
          N_("system call filter: on (default: others kill the VMM), log or off"), N_("MODE") },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &version, N_("print the version and exit"), NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = NULL;
    guint64 v;

    o->memory_mib = 512;
    o->vcpus = 1;
    o->serial.kind = ARMZ_SERIAL_STDIO;
    o->serial.fd = o->serial.log_fd = -1;
    o->console.kind = ARMZ_SERIAL_NONE;
    o->console.fd = o->console.log_fd = -1;
    o->rng_fd = -1;
    o->qmp_fd = -1;
    o->irqchip = ARMZ_IRQCHIP_AUTO;
    o->flash_code_fd = o->flash_vars_fd = -1;
    o->seccomp = ARMZ_SECCOMP_ON;
    o->kvm_profile = ARMZ_KVM_PROFILE_NATIVE;

    ctx = g_option_context_new(NULL);
    g_option_context_set_summary(ctx, _("armz-vmm: lightweight arm64 virtual machine monitor "
                                        "(one process per guest) on the arm64 KVM interface."));
    g_option_context_set_description(ctx,
        _("Exit status: 0 when the guest powers off (or on QMP quit / SIGTERM),\n"
          "1 when the VMM fails (one line on stderr names the cause), 2 on usage errors.\n"
          "See armz-vmm(8)."));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, &argc, &argv, error))
        return FALSE;
    if (version) {
        printf("armz-vmm %s\n", PACKAGE_VERSION);
        exit(0);
    }
    if (argc > 1) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("unexpected argument '%s'"), argv[1]);
        return FALSE;
    }
    if (!parse_firmware(o, flash_code, flash_vars, smbios, error))
        return FALSE;
    if (memory) {
        if (!parse_uint("--memory", memory, 16, 1024 * 1024, &v, error))
            return FALSE;
        o->memory_mib = v;
    }
    if (vcpus) {
        if (!parse_uint("--vcpus", vcpus, 1, ARMZ_MAX_VCPUS, &v, error))
            return FALSE;
        o->vcpus = (guint)v;
    }
    if (topology && !parse_topology(o, topology, error))
        return FALSE;
    if (serial && !parse_backend("--serial", serial, &o->serial, error))
        return FALSE;
    if (o->serial.pty_file && o->serial.kind != ARMZ_SERIAL_PTY) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--pty-file needs --serial pty"));
        return FALSE;
    }
    if (serial_log && !parse_log("--serial-log", serial_log, &o->serial, error))
        return FALSE;
    if (console) {
        o->has_console = TRUE;
        if (!parse_backend("--console", console, &o->console, error))
            return FALSE;
        if (o->console.kind == ARMZ_SERIAL_LISTEN) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s",
                        _("--console: listen:fd:N is a --serial backend only"));
            return FALSE;
        }
    }
    if (o->console.pty_file && (!o->has_console || o->console.kind != ARMZ_SERIAL_PTY)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--console-pty-file needs --console pty"));
        return FALSE;
    }
    if (console_log) {
        if (!o->has_console) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                        _("--console-log needs --console"));
            return FALSE;
        }
        if (!parse_log("--console-log", console_log, &o->console, error))
            return FALSE;
    }
    if (o->has_console && o->console.kind == ARMZ_SERIAL_STDIO &&
        o->serial.kind == ARMZ_SERIAL_STDIO) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--console stdio: standard input is already the serial line's "
                      "(add --serial none, pty, file:PATH or fd:N)"));
        return FALSE;
    }
    o->ndisks = disks ? g_strv_length(disks) : 0;
    o->disks = g_new0(ArmzDiskOpt, o->ndisks + 1);
    for (guint i = 0; i < o->ndisks; i++)
        if (!parse_disk(disks[i], &o->disks[i], error))
            return FALSE;
    o->nnets = nets ? g_strv_length(nets) : 0;
    o->nets = g_new0(ArmzNetOpt, o->nnets + 1);
    for (guint i = 0; i < o->nnets; i++)
        if (!parse_net(nets[i], &o->nets[i], error))
            return FALSE;
    if (rng) {
        o->has_rng = TRUE;
        if (g_str_has_prefix(rng, "fd:")) {
            if (!parse_uint("--rng fd:", rng + 3, 0, G_MAXINT, &v, error))
                return FALSE;
            o->rng_fd = (int)v;
        } else {
            o->rng_path = g_strdup(rng);
        }
    }
    o->nchannels = channels ? g_strv_length(channels) : 0;
    o->channels = g_new0(ArmzChannelOpt, o->nchannels + 1);
    for (guint i = 0; i < o->nchannels; i++)
        if (!parse_channel(channels[i], &o->channels[i], error))
            return FALSE;
    if (o->nchannels > ARMZ_SERIAL_MAX_PORTS) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("too many --channel ports: at most %d"), ARMZ_SERIAL_MAX_PORTS);
        return FALSE;
    }
    if (vsock) {
        o->has_vsock = TRUE;
        if (!parse_vsock(vsock, &o->vsock, error))
            return FALSE;
    }
    if (balloon) {
        o->has_balloon = TRUE;
        if (!parse_balloon(balloon, &o->balloon, error))
            return FALSE;
    }
    if (!parse_scsi_all(o, scsi_disks, scsi_cdroms, error))
        return FALSE;
    if (!parse_vhost_users(argc_copy, argv_copy, vu_blks, vu_fss, o, error))
        return FALSE;
    if (o->ndisks + o->nnets + (o->has_console ? 1 : 0) + (o->has_rng ? 1 : 0) +
        (o->has_balloon ? 1 : 0) + (o->nchannels ? 1 : 0) + (o->has_vsock ? 1 : 0) +
        o->nvhost_user + (o->nscsi ? 1 : 0) > ARMZ_VIRTIO_MAX_SLOTS) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("too many virtio devices: --disk, --vhost-user-blk, --net, --console, "
                      "--rng, --vhost-user-fs, --balloon, --channel, --vsock and the SCSI "
                      "controller give at most %d"), ARMZ_VIRTIO_MAX_SLOTS);
        return FALSE;
    }
    if (irqchip) {
        if (g_str_equal(irqchip, "auto"))
            o->irqchip = ARMZ_IRQCHIP_AUTO;
        else if (g_str_equal(irqchip, "kernel"))
            o->irqchip = ARMZ_IRQCHIP_KERNEL;
        else if (g_str_equal(irqchip, "userspace"))
            o->irqchip = ARMZ_IRQCHIP_USERSPACE;
        else {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        _("--irqchip: unknown mode '%s' (auto, kernel, userspace)"), irqchip);
            return FALSE;
        }
    }
    if (seccomp && !armz_seccomp_parse_mode(seccomp, &o->seccomp, error))
        return FALSE;
    /* s390+readonly-mem: the s390 profile plus read-only memory slots, which
     * firmware boot needs and the series does not offer yet; lets the tests
     * run the firmware on the s390 paths (userspace GIC and PSCI) */
    if (kvm_profile && g_str_equal(kvm_profile, "s390+readonly-mem")) {
        o->kvm_readonly_mem = TRUE;
        kvm_profile[strlen("s390")] = '\0';
    }
    if (kvm_profile && !armz_kvm_profile_parse(kvm_profile, &o->kvm_profile)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("--kvm-profile: unknown profile '%s' (native, s390, s390+readonly-mem)"),
                    kvm_profile);
        return FALSE;
    }
    /* the s390 host has no in-kernel GIC */
    if (o->kvm_profile == ARMZ_KVM_PROFILE_S390 && o->irqchip == ARMZ_IRQCHIP_KERNEL) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--irqchip=kernel: the s390 KVM profile has no in-kernel interrupt "
                      "controller"));
        return FALSE;
    }
    if (o->qmp_path && qmp_fd >= 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--qmp and --qmp-fd exclude each other"));
        return FALSE;
    }
    o->qmp_fd = qmp_fd;
    if (o->irqchip == ARMZ_IRQCHIP_USERSPACE && o->vcpus > ARMZ_MAX_VCPUS_GICV2) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--irqchip=userspace supports at most %d vCPUs"), ARMZ_MAX_VCPUS_GICV2);
        return FALSE;
    }
    if (!pci_more_parse(o, scsi_pci, channel_pci, error) ||
        !armz_pci_options_parse(o, root_ports, console_pci, rng_pci, error))
        return FALSE;
    if (o->pci && o->ndisks + o->nnets + o->has_console + o->has_rng >= ARMZ_PCIE_MAX_SLOTS) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--pci: at most %d virtio devices"), ARMZ_PCIE_MAX_SLOTS - 1);
        return FALSE;
    }
    return TRUE;
}

void
armz_options_clear(ArmzOptions *o)
{
    g_free(o->name);
    g_free(o->kernel);
    g_free(o->initrd);
    g_free(o->cmdline);
    char_opt_clear(&o->serial);
    char_opt_clear(&o->console);
    for (guint i = 0; o->disks && i < o->ndisks; i++) {
        g_free(o->disks[i].path);
        g_free(o->disks[i].serial);
        g_free(o->disks[i].id);
    }
    g_free(o->disks);
    g_free(o->root_ports);
    for (guint i = 0; o->scsi && i < o->nscsi; i++) {
        g_free(o->scsi[i].path);
        g_free(o->scsi[i].id);
        g_free(o->scsi[i].serial);
    }
    g_free(o->scsi);
    for (guint i = 0; o->nets && i < o->nnets; i++) {
        g_free(o->nets[i].tap);
        g_free(o->nets[i].id);
    }
    g_free(o->nets);
    for (guint i = 0; o->channels && i < o->nchannels; i++) {
        g_free(o->channels[i].name);
        g_free(o->channels[i].path);
        g_free(o->channels[i].id);
    }
    g_free(o->channels);
    for (guint i = 0; o->vhost_user && i < o->nvhost_user; i++) {
        g_free(o->vhost_user[i].socket);
        g_free(o->vhost_user[i].id);
        g_free(o->vhost_user[i].tag);
    }
    g_free(o->vhost_user);
    g_free(o->rng_path);
    g_free(o->qmp_path);
    g_free(o->kvm_device);
    g_free(o->pidfile);
    g_free(o->flash_code);
    g_free(o->flash_vars);
    armz_smbios_clear(&o->smbios);
}
