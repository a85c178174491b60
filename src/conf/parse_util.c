/* Value checks shared by the domain parsers: one wording per kind of
 * mistake, and the split between "invalid XML" and "valid for libvirt but
 * not provided by armz" that clients rely on (XML_ERROR vs
 * CONFIG_UNSUPPORTED). */
#include "conf/domain_parse_priv.h"
#include "util/error.h"
#include "util/armz-i18n.h"

gboolean
armz_conf_fail(GError **error, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_propagate_error(error, g_error_new_valist(ARMZ_ERROR, code, fmt, ap));
    va_end(ap);
    return FALSE;
}

static gboolean
in_list(const char *v, const char *const *list, int *idx)
{
    for (int i = 0; list && list[i]; i++) {
        if (g_str_equal(v, list[i])) {
            if (idx)
                *idx = i;
            return TRUE;
        }
    }
    return FALSE;
}

int
armz_conf_enum_attr(xmlNodePtr node, const char *attr, const char *def,
                    const char *const *supported, const char *const *unsupported,
                    GError **error)
{
    g_autofree char *v = armz_xml_prop(node, attr);
    int idx = -1;

    if (!v && !def) {
        armz_conf_fail(error, VIR_ERR_XML_ERROR,
                       _("missing attribute '%s' of <%s>"), attr, (const char *)node->name);
        return -1;
    }
    if (!v)
        v = g_strdup(def);
    if (in_list(v, supported, &idx))
        return idx;
    if (in_list(v, unsupported, NULL))
        armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                       _("<%s %s='%s'> is not supported by the armz driver"),
                       (const char *)node->name, attr, v);
    else
        armz_conf_fail(error, VIR_ERR_XML_ERROR,
                       _("invalid value '%s' for attribute '%s' of <%s>"),
                       v, attr, (const char *)node->name);
    return -1;
}

gboolean
armz_conf_choice_attr(xmlNodePtr node, const char *attr, const char *def,
                      const char *const *supported, const char *const *unsupported,
                      char **out, GError **error)
{
    g_autofree char *v = armz_xml_prop(node, attr);
    int idx;

    if (!v && !def) {
        *out = NULL;
        return TRUE;
    }
    idx = armz_conf_enum_attr(node, attr, def, supported, unsupported, error);
    if (idx < 0)
        return FALSE;
    *out = g_strdup(supported[idx]);
    return TRUE;
}

gboolean
armz_conf_uint_attr(xmlNodePtr node, const char *attr, unsigned int *out,
                    GError **error)
{
    g_autofree char *v = armz_xml_prop(node, attr);
    guint64 n;

    if (!v)
        return TRUE;
    g_strstrip(v);
    if (!armz_parse_u64(v, 0, G_MAXUINT, &n))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("invalid value '%s' for attribute '%s' of <%s>"),
                              v, attr, (const char *)node->name);
    *out = (unsigned int)n;
    return TRUE;
}

gboolean
armz_conf_unsupported_child(xmlNodePtr child, const char *parent_name, GError **error)
{
    g_autofree char *q = armz_xml_qname(child);

    return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                          _("element '%s' of <%s> is not supported by the armz driver"),
                          q, parent_name);
}

gboolean
armz_conf_tristate_attr(xmlNodePtr node, const char *attr, gboolean yesno,
                        ArmzTristate *out, GError **error)
{
    static const char *const onoff[] = { "on", "off", NULL };
    static const char *const yn[] = { "yes", "no", NULL };
    g_autofree char *v = armz_xml_prop(node, attr);
    int idx;

    *out = ARMZ_TRISTATE_ABSENT;
    if (!v)
        return TRUE;
    if ((idx = armz_conf_enum_attr(node, attr, NULL, yesno ? yn : onoff, NULL, error)) < 0)
        return FALSE;
    *out = idx == 0 ? ARMZ_TRISTATE_ON : ARMZ_TRISTATE_OFF;
    return TRUE;
}

const char *
armz_conf_tristate_to_string(ArmzTristate t, gboolean yesno)
{
    switch (t) {
    case ARMZ_TRISTATE_ON:
        return yesno ? "yes" : "on";
    case ARMZ_TRISTATE_OFF:
        return yesno ? "no" : "off";
    case ARMZ_TRISTATE_ABSENT:
    default:
        return NULL;
    }
}
