/* <metadata> elements by namespace (see domain_metadata.h). */
#include <libvirt/virterror.h>
#include <libxml/tree.h>
#include <libxml/parser.h>
#include "util/armz-i18n.h"
#include "util/error.h"
#include "conf/domain_metadata.h"
#include "conf/xml_util.h"

/* Whether FRAG's element is in namespace URI. */
static gboolean
in_namespace(const char *frag, const char *uri)
{
    g_autoptr(xmlDoc) doc = armz_xml_parse(frag, "(metadata)", NULL);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;

    return root && root->ns && root->ns->href &&
           g_strcmp0((const char *)root->ns->href, uri) == 0;
}

static gint
find(const ArmzDomainDef *def, const char *uri)
{
    for (guint i = 0; i < def->metadata->len; i++)
        if (in_namespace(g_ptr_array_index(def->metadata, i), uri))
            return (gint)i;
    return -1;
}

char *
armz_domain_metadata_get(const ArmzDomainDef *def, const char *uri)
{
    gint i = uri ? find(def, uri) : -1;

    return i < 0 ? NULL : g_strdup(g_ptr_array_index(def->metadata, i));
}

/* XML's element in namespace URI with prefix KEY, as a fragment. */
static char *
element_in(const char *xml, const char *key, const char *uri, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    xmlNodePtr root;
    xmlNsPtr ns;

    if (!key || xmlValidateNCName(BAD_CAST key, 0) != 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("invalid metadata key '%s'"), key ? key : "");
        return NULL;
    }
    if (!(doc = armz_xml_parse(xml, "(metadata_xml)", error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    /* the element is put in URI whatever namespace it was given in */
    if (!(ns = xmlNewNs(root, BAD_CAST uri, BAD_CAST key))) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("metadata key '%s' clashes with a prefix of the element"), key);
        return NULL;
    }
    xmlSetNs(root, ns);
    return armz_xml_fragment_capture(root);
}

gboolean
armz_domain_metadata_set(ArmzDomainDef *def, const char *xml, const char *key,
                         const char *uri, GError **error)
{
    g_autofree char *frag = NULL;
    gint i;

    if (xml && *xml && !(frag = element_in(xml, key, uri, error)))
        return FALSE;
    if ((i = find(def, uri)) >= 0)
        g_ptr_array_remove_index(def->metadata, (guint)i);
    if (frag) {
        if (i >= 0)
            g_ptr_array_insert(def->metadata, i, g_steal_pointer(&frag));
        else
            g_ptr_array_add(def->metadata, g_steal_pointer(&frag));
    }
    return TRUE;
}
