/* Character lines of armz-vmm's command line: the --serial and --console
 * backends, their logs, and the --channel virtio-serial ports. */
#include <string.h>
#include <glib/gi18n-lib.h>
#include "options_parse.h"

/* BACKEND of --serial / --console: stdio, pty, none, file:PATH, fd:N */
gboolean
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
gboolean
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

void
char_opt_clear(ArmzCharOpt *c)
{
    g_free(c->path);
    g_free(c->pty_file);
    g_free(c->log_path);
}

/* --channel name=NAME,path=SOCKET|fd=N[,id=ID] */
gboolean
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
