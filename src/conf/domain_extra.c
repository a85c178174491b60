/* Typed elements that also keep what armz does not read (ArmzDomainXmlExtra),
 * and device addresses, which are the commonest of them. */
#include "conf/domain_parse_priv.h"
#include "util/error.h"
#include "util/armz-i18n.h"

void
armz_xml_attr_free(gpointer p)
{
    ArmzXmlAttr *a = p;

    g_free(a->name);
    g_free(a->value);
    g_free(a);
}

void
armz_domain_xml_extra_init(ArmzDomainXmlExtra *extra)
{
    extra->attrs = g_ptr_array_new_with_free_func(armz_xml_attr_free);
    extra->children = g_ptr_array_new_with_free_func(g_free);
}

void
armz_domain_xml_extra_clear(ArmzDomainXmlExtra *extra)
{
    g_clear_pointer(&extra->attrs, g_ptr_array_unref);
    g_clear_pointer(&extra->children, g_ptr_array_unref);
}

gboolean
armz_domain_xml_extra_present(const ArmzDomainXmlExtra *extra)
{
    return (extra->attrs && extra->attrs->len) || (extra->children && extra->children->len);
}

gboolean
armz_conf_extra_capture(ArmzDomainXmlExtra *extra, xmlNodePtr node,
                        const char *const *typed_attrs, const char *const *typed_children,
                        GError **error)
{
    for (xmlAttrPtr a = node->properties; a; a = a->next) {
        ArmzXmlAttr *attr;

        if (a->ns)
            /* its namespace declaration would not survive the formatter */
            return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                                  _("attribute '%s:%s' of <%s> is not supported by the armz driver"),
                                  a->ns->prefix ? (const char *)a->ns->prefix : "",
                                  (const char *)a->name, (const char *)node->name);
        if (typed_attrs && g_strv_contains(typed_attrs, (const char *)a->name))
            continue;
        attr = g_new0(ArmzXmlAttr, 1);
        attr->name = g_strdup((const char *)a->name);
        attr->value = armz_xml_prop(node, attr->name);
        g_ptr_array_add(extra->attrs, attr);
    }
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            g_autofree char *t = g_strdup((const char *)c->content);
            if (*g_strstrip(t))
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("unexpected text '%s' in <%s>"), t,
                                      (const char *)node->name);
            continue;
        }
        if (c->type != XML_ELEMENT_NODE || armz_xml_is(c, "alias"))
            continue;
        if (!c->ns && typed_children && g_strv_contains(typed_children, (const char *)c->name))
            continue;
        g_ptr_array_add(extra->children, armz_xml_fragment_capture(c));
    }
    return TRUE;
}

void
armz_conf_extra_attrs_append(GString *buf, const ArmzDomainXmlExtra *extra)
{
    for (guint i = 0; extra->attrs && i < extra->attrs->len; i++) {
        const ArmzXmlAttr *a = g_ptr_array_index(extra->attrs, i);
        armz_xml_attr_append(buf, a->name, a->value);
    }
}

void
armz_conf_extra_children_append(GString *buf, const ArmzDomainXmlExtra *extra,
                                unsigned int level)
{
    for (guint i = 0; extra->children && i < extra->children->len; i++)
        armz_xml_fragment_append(buf, g_ptr_array_index(extra->children, i), level);
}

void
armz_conf_extra_element_append(GString *buf, const char *name, const GString *attrs,
                               const ArmzDomainXmlExtra *extra, unsigned int level)
{
    armz_xml_indent(buf, level);
    g_string_append_printf(buf, "<%s", name);
    if (attrs)
        g_string_append_len(buf, attrs->str, (gssize)attrs->len);
    armz_conf_extra_attrs_append(buf, extra);
    if (!extra->children || extra->children->len == 0) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append(buf, ">\n");
    armz_conf_extra_children_append(buf, extra, level + 1);
    armz_xml_indent(buf, level);
    g_string_append_printf(buf, "</%s>\n", name);
}

/* ---- <address> ---- */

void
armz_domain_address_def_free(ArmzDomainAddressDef *addr)
{
    if (!addr)
        return;
    g_free(addr->type);
    armz_domain_xml_extra_clear(&addr->extra);
    g_free(addr);
}

static void
add_attr(ArmzDomainXmlExtra *extra, const char *name, char *value)
{
    ArmzXmlAttr *a = g_new0(ArmzXmlAttr, 1);
    a->name = g_strdup(name);
    a->value = value;
    g_ptr_array_add(extra->attrs, a);
}

ArmzDomainAddressDef *
armz_domain_address_def_new_pci(unsigned int bus, unsigned int slot, unsigned int function)
{
    ArmzDomainAddressDef *addr = g_new0(ArmzDomainAddressDef, 1);

    armz_domain_xml_extra_init(&addr->extra);
    addr->type = g_strdup("pci");
    add_attr(&addr->extra, "domain", g_strdup("0x0000"));
    add_attr(&addr->extra, "bus", g_strdup_printf("0x%02x", bus));
    add_attr(&addr->extra, "slot", g_strdup_printf("0x%02x", slot));
    add_attr(&addr->extra, "function", g_strdup_printf("0x%x", function));
    return addr;
}

gboolean
armz_conf_address_parse(ArmzDomainAddressDef **out, xmlNodePtr node, GError **error)
{
    static const char *const typed[] = { "type", NULL };
    ArmzDomainAddressDef *addr;

    if (*out)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("more than one <address> in <%s>"),
                              (const char *)node->parent->name);
    addr = *out = g_new0(ArmzDomainAddressDef, 1);
    armz_domain_xml_extra_init(&addr->extra);
    addr->type = armz_xml_prop(node, "type");
    return armz_conf_extra_capture(&addr->extra, node, typed, NULL, error);
}

void
armz_conf_address_format(GString *buf, const ArmzDomainAddressDef *addr, unsigned int level)
{
    g_autoptr(GString) attrs = NULL;

    if (!addr)
        return;
    attrs = g_string_new(NULL);
    armz_xml_attr_append(attrs, "type", addr->type);
    armz_conf_extra_element_append(buf, "address", attrs, &addr->extra, level);
}
