/* Secret XML as libvirt writes it:
 *   <secret ephemeral='no' private='yes'>
 *     <uuid>…</uuid> <description>…</description>
 *     <usage type='volume'><volume>PATH</volume></usage>
 * with usage types ceph and tls (<name>), iscsi (<target>), vtpm (<name>). */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/uuid.h"
#include "conf/xml_util.h"
#include "secret/secret_conf.h"

#define LABEL "(secret_definition)"

/* Usage types by their number (VIR_SECRET_USAGE_TYPE_*) and the element
 * that names the usage. */
static const struct {
    const char *type;
    const char *element;
} usages[] = {
    [VIR_SECRET_USAGE_TYPE_NONE] = { "none", NULL },
    [VIR_SECRET_USAGE_TYPE_VOLUME] = { "volume", "volume" },
    [VIR_SECRET_USAGE_TYPE_CEPH] = { "ceph", "name" },
    [VIR_SECRET_USAGE_TYPE_ISCSI] = { "iscsi", "target" },
    [VIR_SECRET_USAGE_TYPE_TLS] = { "tls", "name" },
    [VIR_SECRET_USAGE_TYPE_VTPM] = { "vtpm", "name" },
};

const char *
armz_secret_usage_name(int usage_type)
{
    if (usage_type < 0 || usage_type >= (int)G_N_ELEMENTS(usages))
        return "none";
    return usages[usage_type].type;
}

void
armz_secret_def_free(ArmzSecretDef *def)
{
    if (!def)
        return;
    g_free(def->description);
    g_free(def->usage_id);
    g_free(def);
}

static gboolean
parse_yesno(xmlNodePtr node, const char *attr, gboolean *out, GError **error)
{
    g_autofree char *v = armz_xml_prop(node, attr);

    if (!v)
        return TRUE;
    if (g_str_equal(v, "yes") || g_str_equal(v, "no")) {
        *out = g_str_equal(v, "yes");
        return TRUE;
    }
    g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                _("invalid value of '%s': '%s'"), attr, v);
    return FALSE;
}

static gboolean
parse_usage(ArmzSecretDef *def, xmlNodePtr usage, GError **error)
{
    g_autofree char *type = armz_xml_prop(usage, "type");
    int t = -1;

    if (!type) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR, "%s",
                    _("unknown secret usage type"));
        return FALSE;
    }
    for (guint i = 0; i < G_N_ELEMENTS(usages); i++)
        if (g_str_equal(type, usages[i].type))
            t = (int)i;
    if (t < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                    _("unknown secret usage type %s"), type);
        return FALSE;
    }
    def->usage_type = t;
    if (!usages[t].element)
        return TRUE;
    for (xmlNodePtr c = armz_xml_first_element(usage); c; c = armz_xml_next_element(c))
        if (armz_xml_is(c, usages[t].element)) {
            g_free(def->usage_id);
            def->usage_id = armz_xml_text(c);
        }
    if (!def->usage_id || !*def->usage_id) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                    _("%s usage specified, but %s is missing"), type, usages[t].element);
        return FALSE;
    }
    if (strchr(def->usage_id, '\n')) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                    _("secret usage %s '%s' contains a newline"), usages[t].element,
                    def->usage_id);
        return FALSE;
    }
    return TRUE;
}

ArmzSecretDef *
armz_secret_def_parse(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = armz_xml_parse(xml, LABEL, error);
    g_autoptr(ArmzSecretDef) def = NULL;
    gboolean have_uuid = FALSE;
    xmlNodePtr root;

    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!root || !armz_xml_is(root, "secret")) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR, "%s",
                    _("unexpected root element, expecting <secret>"));
        return NULL;
    }
    def = g_new0(ArmzSecretDef, 1);
    if (!parse_yesno(root, "ephemeral", &def->ephemeral, error) ||
        !parse_yesno(root, "private", &def->priv, error))
        return NULL;
    for (xmlNodePtr c = armz_xml_first_element(root); c; c = armz_xml_next_element(c)) {
        if (armz_xml_is(c, "uuid")) {
            g_autofree char *text = armz_xml_text(c);

            if (!text || !armz_uuid_parse(g_strstrip(text), def->uuid)) {
                g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                            _("malformed uuid element '%s'"), text ? text : "");
                return NULL;
            }
            have_uuid = TRUE;
        } else if (armz_xml_is(c, "description")) {
            g_free(def->description);
            def->description = armz_xml_text(c);
        } else if (armz_xml_is(c, "usage")) {
            if (!parse_usage(def, c, error))
                return NULL;
        }
    }
    if (!have_uuid)
        armz_uuid_generate(def->uuid);
    return g_steal_pointer(&def);
}

char *
armz_secret_def_format(const ArmzSecretDef *def)
{
    GString *b = g_string_new("<secret");
    char uuid[ARMZ_UUID_STRING_BUFLEN];

    armz_xml_attr_append(b, "ephemeral", def->ephemeral ? "yes" : "no");
    armz_xml_attr_append(b, "private", def->priv ? "yes" : "no");
    g_string_append(b, ">\n");
    armz_uuid_format(def->uuid, uuid);
    armz_xml_text_element(b, 1, "uuid", uuid);
    if (def->description)
        armz_xml_text_element(b, 1, "description", def->description);
    if (def->usage_type != VIR_SECRET_USAGE_TYPE_NONE) {
        armz_xml_indent(b, 1);
        g_string_append(b, "<usage");
        armz_xml_attr_append(b, "type", usages[def->usage_type].type);
        g_string_append(b, ">\n");
        armz_xml_text_element(b, 2, usages[def->usage_type].element, def->usage_id);
        armz_xml_indent(b, 1);
        g_string_append(b, "</usage>\n");
    }
    g_string_append(b, "</secret>\n");
    return g_string_free(b, FALSE);
}
