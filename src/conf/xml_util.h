/* libxml2 helpers shared by the domain parser, formatter and validator:
 * safe document parsing, attribute/text access, and "fragments" (elements
 * kept verbatim as self-contained XML strings). Internal to conf/. */
#pragma once
#include <glib.h>
#include <libxml/tree.h>

/* Label used in parse error messages, as libvirt's "(domain_definition)". */
#define ARMZ_XML_DOMAIN_LABEL "(domain_definition)"

/* Parses XML without network access, DTD loading or entity expansion; any
 * entity declaration or reference is refused. Errors: VIR_ERR_XML_ERROR
 * "LABEL:LINE: libxml2 message". */
xmlDocPtr armz_xml_parse(const char *xml, const char *label, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

/* g_free()-able copies of an attribute (no namespace) / the text content. */
char *armz_xml_prop(xmlNodePtr node, const char *name);
char *armz_xml_text(xmlNodePtr node);

/* Element iteration that skips text, comments and PIs. */
xmlNodePtr armz_xml_first_element(xmlNodePtr parent);
xmlNodePtr armz_xml_next_element(xmlNodePtr node);
gboolean armz_xml_is(xmlNodePtr node, const char *name); /* no-namespace element NAME */
/* Qualified name for messages ("nova:instance"); static buffer-free: g_free. */
char *armz_xml_qname(xmlNodePtr node);

/* Fragments. */
char *armz_xml_fragment_capture(xmlNodePtr node);
void armz_xml_fragment_append(GString *buf, const char *frag, unsigned int level);

/* Output helpers: 2-space indentation, single-quoted attributes, libvirt's
 * escaping (& < > ' "). */
void armz_xml_indent(GString *buf, unsigned int level);
void armz_xml_escape_append(GString *buf, const char *text);
void armz_xml_attr_append(GString *buf, const char *name, const char *value);
void armz_xml_text_element(GString *buf, unsigned int level, const char *name,
                           const char *text);
