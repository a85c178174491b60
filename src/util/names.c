/* Object names (see names.h). */
#include <limits.h>
#include <string.h>
#include <libvirt/virterror.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/names.h"

/* Appended to NAME_MAX-bound file names by armz_file_write_atomic. */
#define TMP_SUFFIX ".tmp-XXXXXX"

typedef struct {
    const char *word;
    const char *longest_suffix;
    int code;                   /* for the errors libvirt has no wording of */
    /* A domain's name may start with '-', as libvirt's may: it is passed to
     * armz-vmm as the value of --name, never where it could be an option */
    gboolean dash_ok;
} NameRules;

static const NameRules rules[] = {
    [ARMZ_NAME_DOMAIN] = { "domain", ".status" TMP_SUFFIX, VIR_ERR_XML_ERROR, TRUE },
    [ARMZ_NAME_NETWORK] = { "network", ".conf" TMP_SUFFIX, VIR_ERR_XML_ERROR, FALSE },
    [ARMZ_NAME_POOL] = { "pool", ".xml" TMP_SUFFIX, VIR_ERR_XML_ERROR, FALSE },
    [ARMZ_NAME_VOLUME] = { "volume", "", VIR_ERR_INVALID_ARG, FALSE },
};

gsize
armz_name_max(ArmzNameKind kind)
{
    return NAME_MAX - strlen(rules[kind].longest_suffix);
}

/* g_set_error, returning FALSE */
#define set_error(error, code, ...) \
    (g_set_error((error), ARMZ_ERROR, (code), __VA_ARGS__), FALSE)

static gboolean
check_empty(ArmzNameKind kind, const char *name, GError **error)
{
    if (name && *name)
        return TRUE;
    /* each object's own words, as libvirt has them */
    switch (kind) {
    case ARMZ_NAME_DOMAIN:
        return set_error(error, VIR_ERR_XML_ERROR, _("domain name must not be empty"));
    case ARMZ_NAME_NETWORK:
        return set_error(error, VIR_ERR_NO_NAME, _("missing name in network definition"));
    case ARMZ_NAME_POOL:
        return set_error(error, VIR_ERR_XML_ERROR, _("missing pool source name element"));
    case ARMZ_NAME_VOLUME:
    default:
        return set_error(error, VIR_ERR_XML_ERROR, _("missing volume name element"));
    }
}

static gboolean
check_slash(ArmzNameKind kind, const char *name, GError **error)
{
    if (!strchr(name, '/'))
        return TRUE;
    switch (kind) {
    case ARMZ_NAME_NETWORK:
        return set_error(error, VIR_ERR_XML_DETAIL, _("invalid char in name: %c"), '/');
    case ARMZ_NAME_VOLUME:
        return set_error(error, VIR_ERR_INVALID_ARG, _("volume name '%s' cannot contain '/'"), name);
    case ARMZ_NAME_DOMAIN:
    case ARMZ_NAME_POOL:
    default:
        return set_error(error, VIR_ERR_XML_ERROR, _("name %s cannot contain '/'"), name);
    }
}

gboolean
armz_name_check(ArmzNameKind kind, const char *name, GError **error)
{
    const NameRules *r = &rules[kind];
    gsize len, max = armz_name_max(kind);

    if (!check_empty(kind, name, error) || !check_slash(kind, name, error))
        return FALSE;
    for (const char *p = name; *p; p++) {
        if (g_ascii_iscntrl(*p)) {
            /* libvirt's words, with the character shown rather than written
             * (a newline in a message is the very thing refused) */
            g_autofree char *shown = g_strescape((char[]){ *p, 0 }, NULL);
            return set_error(error, VIR_ERR_XML_DETAIL,
                        _("invalid char in name: '%s' (%s names cannot contain control "
                          "characters)"), shown, r->word);
        }
    }
    if (name[0] == '-' && !r->dash_ok)
        return set_error(error, r->code, _("%s name '%s' cannot start with '-'"), r->word, name);
    if (g_str_equal(name, ".") || g_str_equal(name, ".."))
        return set_error(error, r->code, _("%s name '%s' is not allowed"), r->word, name);
    len = strlen(name);
    if (len > max)
        return set_error(error, r->code,
                    _("%s name is too long: %zu bytes, at most %zu are allowed (it is part of "
                      "file names)"), r->word, len, max);
    return TRUE;
}

gboolean
armz_config_value_check(const char *format, const char *what, const char *value,
                        const char *special, GError **error)
{
    g_autofree char *shown = g_strescape(value, NULL);
    const char *bad;

    if (!*value)
        return set_error(error, VIR_ERR_CONFIG_UNSUPPORTED,
                         _("refusing to write an empty %s into %s"), what, format);
    for (const char *p = value; *p; p++)
        if (g_ascii_iscntrl(*p))
            return set_error(error, VIR_ERR_CONFIG_UNSUPPORTED,
                             _("refusing to write %s \"%s\" into %s: it contains a control "
                               "character"), what, shown, format);
    if (special && (bad = strpbrk(value, special)))
        return set_error(error, VIR_ERR_CONFIG_UNSUPPORTED,
                         _("refusing to write %s \"%s\" into %s: '%c' in it would be read "
                           "as syntax"), what, shown, format, *bad);
    return TRUE;
}
