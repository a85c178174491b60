/* RelaxNG validation of domain XML against schemas/domain.rng, with every
 * validator message collected into the GError (what virsh define
 * --validate shows). */
#include "conf/domain_conf.h"
#include "conf/xml_util.h"
#include "util/error.h"
#include "util/armz-i18n.h"

#include <libxml/relaxng.h>
#include <libxml/globals.h>

static void
collect_error_cb(void *user_data, xmlErrorPtr err)
{
    GString *msgs = user_data;
    g_autofree char *m = g_strdup(err->message ? err->message : "unknown error");

    g_strchomp(m);
    if (msgs->len)
        g_string_append_c(msgs, '\n');
    if (err->line > 0)
        g_string_append_printf(msgs, "line %d: ", err->line);
    g_string_append(msgs, m);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlRelaxNGParserCtxt, xmlRelaxNGFreeParserCtxt)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlRelaxNG, xmlRelaxNGFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlRelaxNGValidCtxt, xmlRelaxNGFreeValidCtxt)

static gboolean validate(const char *xml, const char *rng_path, GString *msgs, GError **error);

gboolean
armz_domain_xml_validate(const char *xml, const char *rng_path, GError **error)
{
    g_autoptr(GString) msgs = g_string_new(NULL);
    xmlStructuredErrorFunc old_fn = xmlStructuredError;
    void *old_ctx = xmlStructuredErrorContext;
    gboolean ok;

    /* Loading the schema file reports I/O problems through libxml2's
     * per-thread handler rather than the RelaxNG contexts: catch those
     * too, so nothing is printed on the daemon's stderr. */
    xmlSetStructuredErrorFunc(msgs, collect_error_cb);
    ok = validate(xml, rng_path, msgs, error);
    xmlSetStructuredErrorFunc(old_ctx, old_fn);
    return ok;
}

static gboolean
validate(const char *xml, const char *rng_path, GString *msgs, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlRelaxNGParserCtxt) pctxt = NULL;
    g_autoptr(xmlRelaxNG) schema = NULL;
    g_autoptr(xmlRelaxNGValidCtxt) vctxt = NULL;

    if (!rng_path)
        rng_path = armz_domain_schema_path();
    /* Malformed XML keeps its own (XML_ERROR) diagnosis. */
    doc = armz_xml_parse(xml, ARMZ_XML_DOMAIN_LABEL, error);
    if (!doc)
        return FALSE;

    /* The compiled schema is not shared between threads: compiling per
     * call keeps validation free of locking (it is a few milliseconds). */
    pctxt = xmlRelaxNGNewParserCtxt(rng_path);
    if (!pctxt) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("cannot create RelaxNG parser for '%s'"), rng_path);
        return FALSE;
    }
    xmlRelaxNGSetParserStructuredErrors(pctxt, collect_error_cb, msgs);
    schema = xmlRelaxNGParse(pctxt);
    if (!schema) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("unable to load RelaxNG schema '%s': %s"), rng_path, msgs->str);
        return FALSE;
    }
    vctxt = xmlRelaxNGNewValidCtxt(schema);
    if (!vctxt) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("cannot create RelaxNG validation context"));
        return FALSE;
    }
    g_string_truncate(msgs, 0);
    xmlRelaxNGSetValidStructuredErrors(vctxt, collect_error_cb, msgs);
    if (xmlRelaxNGValidateDoc(vctxt, doc) != 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_INVALID_SCHEMA,
                    _("Unable to validate doc against %s\n%s"), rng_path, msgs->str);
        return FALSE;
    }
    return TRUE;
}
