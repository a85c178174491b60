/* The value syntax shared by armz-vmm's options: numbers, on/off, choices,
 * KEY=VALUE lists and device ids. */
#include <inttypes.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include "options_parse.h"

gboolean
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

/* "k1=v1,k2=v2": key/value pairs; ",," stands for a comma inside a value */
GPtrArray *
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

gboolean
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

gboolean
unknown_key(const char *opt, const char *key, const char *known, GError **error)
{
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                _("%s: unknown key '%s' (%s)"), opt, key, known);
    return FALSE;
}

/* VALUE's index in NAMES (NULL-terminated), or a usage error */
gboolean
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

/* id=ALIAS of --disk and --net: libvirt's alias ([A-Za-z0-9_.-], at most
 * 64), what QMP device_del names the device by */
gboolean
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
