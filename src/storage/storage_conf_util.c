/* Pieces of libvirt's storage XML shared by pools and volumes: sizes with
 * units, permissions, paths. */
#include <string.h>
#include <libvirt/virterror.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/number.h"
#include "conf/xml_util.h"
#include "conf/domain_conf.h"
#include "storage/storage_conf_priv.h"

gboolean
armz_sto_fail(GError **error, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (error && !*error)
        *error = g_error_new_valist(ARMZ_ERROR, code, fmt, ap);
    va_end(ap);
    return FALSE;
}

gboolean
armz_sto_scaled_element(xmlNodePtr node, guint64 *bytes, GError **error)
{
    g_autofree char *unit = armz_xml_prop(node, "unit");
    g_autofree char *text = armz_xml_text(node);
    guint64 v;

    g_strstrip(text);
    if (!armz_parse_u64(text, 0, G_MAXUINT64, &v))
        return armz_sto_fail(error, VIR_ERR_XML_ERROR,
                             _("invalid value '%s' for <%s>: a whole number is required"),
                             text, (const char *)node->name);
    if (!armz_unit_to_bytes(v, unit, bytes))
        return armz_sto_fail(error, VIR_ERR_XML_ERROR,
                             _("invalid size <%s unit='%s'>%s</%s>: unknown unit or too large"),
                             (const char *)node->name, unit ? unit : "", text,
                             (const char *)node->name);
    return TRUE;
}

void
armz_sto_perms_init(ArmzStoragePerms *perms)
{
    perms->mode = -1;
    perms->owner = -1;
    perms->group = -1;
}

static gboolean
id_value(xmlNodePtr node, gint64 *out, GError **error)
{
    g_autofree char *text = armz_xml_text(node);
    guint64 v;

    g_strstrip(text);
    if (g_str_equal(text, "-1")) {
        *out = -1;
        return TRUE;
    }
    if (!armz_parse_u64(text, 0, G_MAXUINT32, &v))
        return armz_sto_fail(error, VIR_ERR_XML_ERROR,
                             _("malformed <%s> '%s' in <permissions>"),
                             (const char *)node->name, text);
    *out = (gint64)v;
    return TRUE;
}

gboolean
armz_sto_perms_parse(xmlNodePtr node, ArmzStoragePerms *perms, GError **error)
{
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        if (armz_xml_is(c, "mode")) {
            g_autofree char *text = armz_xml_text(c);
            char *end = NULL;
            guint64 v;

            g_strstrip(text);
            v = g_ascii_strtoull(text, &end, 8);
            if (!*text || *end || v > 07777)
                return armz_sto_fail(error, VIR_ERR_XML_ERROR,
                                     _("malformed octal mode '%s' in <permissions>"), text);
            perms->mode = (int)v;
        } else if (armz_xml_is(c, "owner")) {
            if (!id_value(c, &perms->owner, error))
                return FALSE;
        } else if (armz_xml_is(c, "group")) {
            if (!id_value(c, &perms->group, error))
                return FALSE;
        }
        /* <label> (SELinux) has no meaning here: dropped. */
    }
    return TRUE;
}

void
armz_sto_perms_format(GString *buf, unsigned int level, const ArmzStoragePerms *perms)
{
    if (perms->mode < 0 && perms->owner < 0 && perms->group < 0)
        return;
    armz_xml_indent(buf, level);
    g_string_append(buf, "<permissions>\n");
    if (perms->mode >= 0) {
        armz_xml_indent(buf, level + 1);
        g_string_append_printf(buf, "<mode>0%o</mode>\n", perms->mode);
    }
    if (perms->owner >= 0) {
        armz_xml_indent(buf, level + 1);
        g_string_append_printf(buf, "<owner>%" G_GINT64_FORMAT "</owner>\n", perms->owner);
    }
    if (perms->group >= 0) {
        armz_xml_indent(buf, level + 1);
        g_string_append_printf(buf, "<group>%" G_GINT64_FORMAT "</group>\n", perms->group);
    }
    armz_xml_indent(buf, level);
    g_string_append(buf, "</permissions>\n");
}

char *
armz_sto_clean_path(const char *path, const char *what, GError **error)
{
    GString *s;

    if (!path || path[0] != '/') {
        armz_sto_fail(error, VIR_ERR_XML_ERROR, _("%s '%s' must be an absolute path"),
                      what, path ? path : "");
        return NULL;
    }
    s = g_string_new(NULL);
    for (const char *p = path; *p; p++) {
        if (*p == '/' && s->len && s->str[s->len - 1] == '/')
            continue;
        g_string_append_c(s, *p);
    }
    while (s->len > 1 && s->str[s->len - 1] == '/')
        g_string_truncate(s, s->len - 1);
    return g_string_free(s, FALSE);
}

char *
armz_storage_schema_path(const char *file)
{
    g_autofree char *dir = g_path_get_dirname(armz_domain_schema_path());
    return g_build_filename(dir, file, NULL);
}
