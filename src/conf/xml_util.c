/* libxml2 glue for conf/: hardened parsing with errors routed into GError,
 * and a small serializer that prints kept elements the way libvirt prints
 * its own XML (2-space indent, single quotes). */
#include "conf/xml_util.h"
#include "util/error.h"
#include "util/armz-i18n.h"

#include <string.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

typedef struct {
    const char *label;
    char *first_error;      /* first error, libvirt reports only that one */
    gboolean entity_seen;
} ParseState;

static void
xml_init_once(void)
{
    static gsize done;

    /* xmlInitParser is not thread-safe itself; the daemon parses on
     * worker threads, so initialize exactly once. */
    if (g_once_init_enter(&done)) {
        xmlInitParser();
        g_once_init_leave(&done, 1);
    }
}

/* Structured error channel of our parser context: keeps the first error
 * as "label:line: message" instead of letting libxml2 print it. */
static void
parse_error_cb(void *user_data, xmlErrorPtr err)
{
    xmlParserCtxtPtr ctxt = user_data;
    ParseState *st = ctxt->_private;
    g_autofree char *msg = NULL;

    if (!st || err->level < XML_ERR_ERROR || st->first_error)
        return;
    msg = g_strdup(err->message ? err->message : "unknown error");
    g_strchomp(msg);
    st->first_error = g_strdup_printf("%s:%d: %s", st->label, err->line, msg);
}

/* Entities are how XML pulls in files (XXE) or explodes in size; domain
 * XML never needs them, so a declaration stops the parse outright. */
static void
entity_decl_cb(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
               const xmlChar *system_id, xmlChar *content)
{
    xmlParserCtxtPtr ctxt = ctx;
    ParseState *st = ctxt->_private;

    st->entity_seen = TRUE;
    xmlStopParser(ctxt);
}

static xmlParserInputPtr
resolve_entity_cb(void *ctx, const xmlChar *public_id, const xmlChar *system_id)
{
    return NULL;    /* never load anything */
}

static void
external_subset_cb(void *ctx, const xmlChar *name, const xmlChar *external_id,
                   const xmlChar *system_id)
{
    /* a DOCTYPE's external DTD is never fetched */
}

static gboolean
has_entity_ref(xmlNodePtr node)
{
    for (; node; node = node->next) {
        if (node->type == XML_ENTITY_REF_NODE || node->type == XML_ENTITY_NODE)
            return TRUE;
        if (node->type == XML_ELEMENT_NODE) {
            for (xmlAttrPtr a = node->properties; a; a = a->next) {
                if (has_entity_ref(a->children))
                    return TRUE;
            }
            if (has_entity_ref(node->children))
                return TRUE;
        }
    }
    return FALSE;
}

xmlDocPtr
armz_xml_parse(const char *xml, const char *label, GError **error)
{
    ParseState st = { .label = label };
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc;
    size_t len;

    xml_init_once();
    if (!xml) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR, _("no XML document given"));
        return NULL;
    }
    len = strlen(xml);
    if (len > G_MAXINT) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR, _("XML document too large"));
        return NULL;
    }
    /* A context per call: error routing and SAX overrides stay local to
     * this thread and this document. */
    ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_MEMORY, _("cannot create XML parser"));
        return NULL;
    }
    ctxt->_private = &st;
    ctxt->sax->serror = parse_error_cb;
    ctxt->sax->entityDecl = entity_decl_cb;
    ctxt->sax->resolveEntity = resolve_entity_cb;
    ctxt->sax->externalSubset = external_subset_cb;
    ctxt->vctxt.error = NULL;
    ctxt->vctxt.warning = NULL;

    /* No NOENT, no DTDLOAD/DTDATTR/DTDVALID, no XINCLUDE: nothing outside
     * the string is ever read. Blanks are kept and skipped by the walkers,
     * so text content (description, metadata) is not altered. */
    doc = xmlCtxtReadMemory(ctxt, xml, (int)len, label, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOWARNING);

    if (st.entity_seen || (doc && has_entity_ref(doc->children))) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                    _("%s: entity declarations and references are not allowed in domain XML"),
                    label);
        g_clear_pointer(&doc, xmlFreeDoc);
    } else if (!doc || !ctxt->wellFormed || st.first_error) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR, "%s",
                    st.first_error ? st.first_error : _("failed to parse XML document"));
        g_clear_pointer(&doc, xmlFreeDoc);
    } else if (!xmlDocGetRootElement(doc)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR, _("%s: document has no root element"),
                    label);
        g_clear_pointer(&doc, xmlFreeDoc);
    }
    g_free(st.first_error);
    ctxt->_private = NULL;
    xmlFreeParserCtxt(ctxt);
    return doc;
}

char *
armz_xml_prop(xmlNodePtr node, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(node, BAD_CAST name);
    char *ret;

    if (!v)
        return NULL;
    ret = g_strdup((const char *)v);
    xmlFree(v);
    return ret;
}

char *
armz_xml_text(xmlNodePtr node)
{
    xmlChar *v = xmlNodeGetContent(node);
    char *ret = g_strdup(v ? (const char *)v : "");

    xmlFree(v);
    return ret;
}

xmlNodePtr
armz_xml_next_element(xmlNodePtr node)
{
    for (node = node ? node->next : NULL; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE)
            return node;
    }
    return NULL;
}

xmlNodePtr
armz_xml_first_element(xmlNodePtr parent)
{
    xmlNodePtr node = parent->children;

    if (node && node->type == XML_ELEMENT_NODE)
        return node;
    return armz_xml_next_element(node);
}

gboolean
armz_xml_is(xmlNodePtr node, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE && node->ns == NULL &&
           xmlStrEqual(node->name, BAD_CAST name);
}

char *
armz_xml_qname(xmlNodePtr node)
{
    if (node->ns && node->ns->prefix)
        return g_strdup_printf("%s:%s", node->ns->prefix, node->name);
    return g_strdup((const char *)node->name);
}

void
armz_xml_indent(GString *buf, unsigned int level)
{
    for (unsigned int i = 0; i < level; i++)
        g_string_append(buf, "  ");
}

void
armz_xml_escape_append(GString *buf, const char *text)
{
    for (const char *p = text; p && *p; p++) {
        switch (*p) {
        case '&': g_string_append(buf, "&amp;"); break;
        case '<': g_string_append(buf, "&lt;"); break;
        case '>': g_string_append(buf, "&gt;"); break;
        case '\'': g_string_append(buf, "&apos;"); break;
        case '"': g_string_append(buf, "&quot;"); break;
        default: g_string_append_c(buf, *p); break;
        }
    }
}

void
armz_xml_attr_append(GString *buf, const char *name, const char *value)
{
    if (!value)
        return;
    g_string_append_printf(buf, " %s='", name);
    /* Newlines and tabs in attribute values would be normalized to spaces
     * by the next parse; escape them so the value survives. */
    for (const char *p = value; *p; p++) {
        if (*p == '\n')
            g_string_append(buf, "&#10;");
        else if (*p == '\t')
            g_string_append(buf, "&#9;");
        else if (*p == '\r')
            g_string_append(buf, "&#13;");
        else {
            char c[2] = { *p, 0 };
            armz_xml_escape_append(buf, c);
        }
    }
    g_string_append_c(buf, '\'');
}

void
armz_xml_text_element(GString *buf, unsigned int level, const char *name,
                      const char *text)
{
    if (!text)
        return;
    armz_xml_indent(buf, level);
    g_string_append_printf(buf, "<%s>", name);
    armz_xml_escape_append(buf, text);
    g_string_append_printf(buf, "</%s>\n", name);
}

static gboolean
is_blank(const xmlChar *s)
{
    for (; s && *s; s++) {
        if (!g_ascii_isspace(*s))
            return FALSE;
    }
    return TRUE;
}

/* Element layout: when an element has element children and only blank
 * text between them, the blanks are indentation and are re-generated;
 * otherwise the content is written exactly (mixed or text content). The
 * rule is the same on every pass, so output is a fixed point. */
static void
serialize_node(GString *buf, xmlNodePtr node, unsigned int level)
{
    g_autofree char *qname = armz_xml_qname(node);
    gboolean has_elem = FALSE, has_text = FALSE;

    g_string_append_printf(buf, "<%s", qname);
    for (xmlNsPtr ns = node->nsDef; ns; ns = ns->next) {
        if (ns->prefix) {
            g_autofree char *n = g_strdup_printf("xmlns:%s", ns->prefix);
            armz_xml_attr_append(buf, n, (const char *)ns->href);
        } else {
            armz_xml_attr_append(buf, "xmlns", (const char *)ns->href);
        }
    }
    for (xmlAttrPtr a = node->properties; a; a = a->next) {
        xmlChar *v = xmlNodeListGetString(node->doc, a->children, 1);
        g_autofree char *n = NULL;

        if (a->ns && a->ns->prefix)
            n = g_strdup_printf("%s:%s", a->ns->prefix, a->name);
        else
            n = g_strdup((const char *)a->name);
        armz_xml_attr_append(buf, n, v ? (const char *)v : "");
        xmlFree(v);
    }
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            has_elem = TRUE;
        else if (c->type == XML_TEXT_NODE && !is_blank(c->content))
            has_text = TRUE;
    }
    if (!node->children) {
        g_string_append(buf, "/>");
        return;
    }
    g_string_append_c(buf, '>');
    if (has_elem && !has_text) {
        for (xmlNodePtr c = node->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE)
                continue;
            g_string_append_c(buf, '\n');
            armz_xml_indent(buf, level + 1);
            serialize_node(buf, c, level + 1);
        }
        g_string_append_c(buf, '\n');
        armz_xml_indent(buf, level);
    } else {
        for (xmlNodePtr c = node->children; c; c = c->next) {
            if (c->type == XML_TEXT_NODE)
                armz_xml_escape_append(buf, (const char *)c->content);
            else if (c->type == XML_ELEMENT_NODE)
                serialize_node(buf, c, level);
        }
    }
    g_string_append_printf(buf, "</%s>", qname);
}

char *
armz_xml_fragment_capture(xmlNodePtr node)
{
    g_autoptr(xmlDoc) doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr copy;
    GString *buf = g_string_new(NULL);

    /* Copying into a document of its own re-declares on the copy every
     * namespace it uses from the ancestors, so the string stands alone. */
    copy = xmlDocCopyNode(node, doc, 1);
    if (copy) {
        xmlDocSetRootElement(doc, copy);
        xmlReconciliateNs(doc, copy);
        serialize_node(buf, copy, 0);
    }
    return g_string_free(buf, FALSE);
}

void
armz_xml_fragment_append(GString *buf, const char *frag, unsigned int level)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = NULL;

    if (!frag || !*frag)
        return;
    /* Re-parse so the element can be re-indented at LEVEL without touching
     * newlines inside its text. Our own output always parses. */
    doc = armz_xml_parse(frag, "(fragment)", &err);
    if (!doc) {
        g_warning("dropping unparsable XML fragment: %s", err->message);
        return;
    }
    armz_xml_indent(buf, level);
    serialize_node(buf, xmlDocGetRootElement(doc), level);
    g_string_append_c(buf, '\n');
}
