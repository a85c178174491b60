/* <encryption> of a domain disk and of a storage volume (encryption_xml.h). */
#include "conf/encryption_xml.h"
#include "conf/domain_parse_priv.h"
#include "util/error.h"
#include "util/armz-i18n.h"

static const struct {
    const char *const *formats;         /* NULL: any */
    const char *const *engines, *const *engines_refused;   /* NULL: not read */
    /* what is not read is refused: another child or a second <secret>,
     * and a secret type= other than passphrase is named as invalid */
    gboolean strict;
} rules[] = {
    [ARMZ_ENCRYPTION_OF_DISK] = {
        .engines = (const char *const[]){ "qemu", NULL },
        .engines_refused = (const char *const[]){ "librbd", NULL },
        .strict = TRUE,
    },
    [ARMZ_ENCRYPTION_OF_VOLUME] = {
        .formats = (const char *const[]){ "luks", NULL },
    },
};

static gboolean
format_parse(xmlNodePtr node, ArmzEncryptionOf of, char **format, GError **error)
{
    g_autofree char *f = armz_xml_prop(node, "format");

    /* only a volume's formats are restricted here */
    if (rules[of].formats && (!f || !g_strv_contains((const char *const *)rules[of].formats, f)))
        return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                              _("unsupported volume encryption format '%s': the armz driver "
                                "creates 'luks' volumes only"), f ? f : "");
    if (!f)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("missing 'format' attribute of <encryption>"));
    g_free(*format);
    *format = g_steal_pointer(&f);
    return TRUE;
}

/* <secret type='passphrase' uuid=''|usage=''/> */
static gboolean
secret_parse(xmlNodePtr node, ArmzEncryptionOf of, char **secret_uuid, char **secret_usage,
             GError **error)
{
    static const char *const types[] = { "passphrase", NULL };
    g_autofree char *type = NULL;

    if (rules[of].strict) {
        if (!armz_conf_choice_attr(node, "type", NULL, types, NULL, &type, error))
            return FALSE;
    } else {
        type = armz_xml_prop(node, "type");
    }
    g_free(*secret_uuid);
    g_free(*secret_usage);
    *secret_uuid = armz_xml_prop(node, "uuid");
    *secret_usage = armz_xml_prop(node, "usage");
    if (g_strcmp0(type, "passphrase") != 0 || !*secret_uuid == !*secret_usage)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("<secret> of <encryption> needs type='passphrase' and "
                                "either 'uuid' or 'usage'"));
    return TRUE;
}

gboolean
armz_encryption_parse(xmlNodePtr node, ArmzEncryptionOf of, char **format,
                      char **secret_uuid, char **secret_usage, GError **error)
{
    if (!format_parse(node, of, format, error))
        return FALSE;
    if (rules[of].engines) {
        g_autofree char *engine = NULL;
        if (!armz_conf_choice_attr(node, "engine", NULL, rules[of].engines,
                                   rules[of].engines_refused, &engine, error))
            return FALSE;
    }
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        gboolean is_secret = armz_xml_is(c, "secret");

        if (rules[of].strict && (!is_secret || *secret_uuid || *secret_usage))
            return armz_conf_unsupported_child(c, "encryption", error);
        if (is_secret && !secret_parse(c, of, secret_uuid, secret_usage, error))
            return FALSE;
    }
    return TRUE;
}
