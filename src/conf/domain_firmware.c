/* The firmware and platform parts of a domain definition: <os firmware=''>
 * with its <firmware><feature/> children, <os><smbios mode=''/> and
 * <sysinfo type='smbios'>. Parsed and formatted as libvirt writes them;
 * what armz does with them is the driver's (driver/firmware.c). */
#include "conf/domain_parse_priv.h"
#include "util/error.h"
#include "util/armz-i18n.h"

#include <libvirt/virterror.h>

static void
block_free(gpointer p)
{
    ArmzDomainSysinfoBlock *b = p;

    g_free(b->block);
    g_ptr_array_unref(b->entries);
    g_free(b);
}

void
armz_domain_firmware_init(ArmzDomainDef *def)
{
    def->os_firmware_features = g_ptr_array_new_with_free_func(armz_xml_attr_free);
    def->sysinfo = g_ptr_array_new_with_free_func(block_free);
}

void
armz_domain_firmware_clear(ArmzDomainDef *def)
{
    g_clear_pointer(&def->os_firmware, g_free);
    g_clear_pointer(&def->os_firmware_features, g_ptr_array_unref);
    g_clear_pointer(&def->os_smbios_mode, g_free);
    g_clear_pointer(&def->sysinfo_type, g_free);
    g_clear_pointer(&def->sysinfo, g_ptr_array_unref);
}

gboolean
armz_conf_os_firmware_attr(ArmzDomainDef *def, xmlNodePtr os, GError **error)
{
    static const char *const firmwares[] = { "efi", "bios", NULL };

    return armz_conf_choice_attr(os, "firmware", NULL, firmwares, NULL, &def->os_firmware,
                                 error);
}

gboolean
armz_conf_os_child_is_firmware(xmlNodePtr child)
{
    return armz_xml_is(child, "firmware") || armz_xml_is(child, "smbios");
}

static gboolean
parse_firmware_features(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const names[] = { "enrolled-keys", "secure-boot", NULL };
    static const char *const yesno[] = { "yes", "no", NULL };

    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        g_autofree char *name = NULL, *enabled = NULL;
        ArmzXmlAttr *a;

        if (!armz_xml_is(c, "feature"))
            return armz_conf_unsupported_child(c, "firmware", error);
        if (!armz_conf_choice_attr(c, "name", NULL, names, NULL, &name, error) ||
            !armz_conf_choice_attr(c, "enabled", NULL, yesno, NULL, &enabled, error))
            return FALSE;
        if (!name || !enabled)
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("firmware <feature> needs both 'name' and 'enabled'"));
        for (guint i = 0; i < def->os_firmware_features->len; i++) {
            a = g_ptr_array_index(def->os_firmware_features, i);
            if (g_str_equal(a->name, name))
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("duplicate firmware feature '%s'"), name);
        }
        a = g_new0(ArmzXmlAttr, 1);
        a->name = g_steal_pointer(&name);
        a->value = g_steal_pointer(&enabled);
        g_ptr_array_add(def->os_firmware_features, a);
    }
    return TRUE;
}

gboolean
armz_conf_os_child_parse(ArmzDomainDef *def, xmlNodePtr child, GError **error)
{
    static const char *const modes[] = { "emulate", "host", "sysinfo", NULL };

    if (armz_xml_is(child, "firmware"))
        return parse_firmware_features(def, child, error);
    if (def->os_smbios_mode)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("element <smbios> appears more than once"));
    if (!armz_conf_choice_attr(child, "mode", NULL, modes, NULL, &def->os_smbios_mode, error))
        return FALSE;
    if (!def->os_smbios_mode)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("missing attribute 'mode' of <smbios>"));
    return TRUE;
}

gboolean
armz_conf_sysinfo_parse(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const types[] = { "smbios", NULL };
    static const char *const types_no[] = { "fwcfg", NULL };
    static const char *const blocks[] = { "bios", "system", "baseBoard", "chassis",
                                          "oemStrings", NULL };

    if (def->sysinfo_type)
        return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                              _("only one <sysinfo> (type 'smbios') is supported by the armz "
                                "driver"));
    if (!armz_conf_choice_attr(node, "type", NULL, types, types_no, &def->sysinfo_type, error))
        return FALSE;
    if (!def->sysinfo_type)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("sysinfo must contain a type attribute"));
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        ArmzDomainSysinfoBlock *b;
        gboolean oem = armz_xml_is(c, "oemStrings");
        guint i;

        for (i = 0; blocks[i] && !armz_xml_is(c, blocks[i]); i++)
            ;
        if (!blocks[i])
            return armz_conf_unsupported_child(c, "sysinfo", error);
        b = g_new0(ArmzDomainSysinfoBlock, 1);
        b->block = g_strdup(blocks[i]);
        b->entries = g_ptr_array_new_with_free_func(armz_xml_attr_free);
        g_ptr_array_add(def->sysinfo, b);
        for (xmlNodePtr e = armz_xml_first_element(c); e; e = armz_xml_next_element(e)) {
            ArmzXmlAttr *a;

            if (!armz_xml_is(e, "entry"))
                return armz_conf_unsupported_child(e, blocks[i], error);
            a = g_new0(ArmzXmlAttr, 1);
            a->name = oem ? NULL : armz_xml_prop(e, "name");
            a->value = armz_xml_text(e);
            g_ptr_array_add(b->entries, a);
            if (!oem && !a->name)
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("missing 'name' of an <entry> in <sysinfo><%s>"),
                                      blocks[i]);
        }
    }
    return TRUE;
}

void
armz_conf_os_firmware_format(GString *buf, const ArmzDomainDef *def)
{
    if (!def->os_firmware_features->len)
        return;
    g_string_append(buf, "    <firmware>\n");
    for (guint i = 0; i < def->os_firmware_features->len; i++) {
        const ArmzXmlAttr *a = g_ptr_array_index(def->os_firmware_features, i);

        g_string_append(buf, "      <feature");
        armz_xml_attr_append(buf, "enabled", a->value);
        armz_xml_attr_append(buf, "name", a->name);
        g_string_append(buf, "/>\n");
    }
    g_string_append(buf, "    </firmware>\n");
}

void
armz_conf_os_smbios_format(GString *buf, const ArmzDomainDef *def)
{
    if (!def->os_smbios_mode)
        return;
    g_string_append(buf, "    <smbios");
    armz_xml_attr_append(buf, "mode", def->os_smbios_mode);
    g_string_append(buf, "/>\n");
}

void
armz_conf_sysinfo_format(GString *buf, const ArmzDomainDef *def)
{
    if (!def->sysinfo_type)
        return;
    g_string_append(buf, "  <sysinfo");
    armz_xml_attr_append(buf, "type", def->sysinfo_type);
    if (!def->sysinfo->len) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append(buf, ">\n");
    for (guint i = 0; i < def->sysinfo->len; i++) {
        const ArmzDomainSysinfoBlock *b = g_ptr_array_index(def->sysinfo, i);

        if (!b->entries->len) {
            g_string_append_printf(buf, "    <%s/>\n", b->block);
            continue;
        }
        g_string_append_printf(buf, "    <%s>\n", b->block);
        for (guint j = 0; j < b->entries->len; j++) {
            const ArmzXmlAttr *a = g_ptr_array_index(b->entries, j);

            g_string_append(buf, "      <entry");
            armz_xml_attr_append(buf, "name", a->name);
            g_string_append_c(buf, '>');
            armz_xml_escape_append(buf, a->value);
            g_string_append(buf, "</entry>\n");
        }
        g_string_append_printf(buf, "    </%s>\n", b->block);
    }
    g_string_append(buf, "  </sysinfo>\n");
}

ArmzTristate
armz_domain_def_firmware_feature(const ArmzDomainDef *def, const char *name)
{
    for (guint i = 0; i < def->os_firmware_features->len; i++) {
        const ArmzXmlAttr *a = g_ptr_array_index(def->os_firmware_features, i);

        if (g_str_equal(a->name, name))
            return g_str_equal(a->value, "yes") ? ARMZ_TRISTATE_ON : ARMZ_TRISTATE_OFF;
    }
    return ARMZ_TRISTATE_ABSENT;
}

const char *
armz_domain_def_sysinfo_entry(const ArmzDomainDef *def, const char *block, const char *name)
{
    for (guint i = 0; i < def->sysinfo->len; i++) {
        const ArmzDomainSysinfoBlock *b = g_ptr_array_index(def->sysinfo, i);

        for (guint j = 0; g_str_equal(b->block, block) && j < b->entries->len; j++) {
            const ArmzXmlAttr *a = g_ptr_array_index(b->entries, j);

            if (a->name && g_str_equal(a->name, name))
                return a->value;
        }
    }
    return NULL;
}
