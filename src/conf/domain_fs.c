/* <filesystem> (virtiofs shares) and <memoryBacking> (memfd, shared):
 * parse and format. What armz runs of them is the validator's. */
#include <string.h>

#include "conf/domain_parse_priv.h"
#include "util/armz-i18n.h"
#include "util/error.h"

void
armz_domain_fs_def_free(ArmzDomainFsDef *fs)
{
    if (!fs)
        return;
    g_free(fs->type);
    g_free(fs->accessmode);
    g_free(fs->driver_type);
    g_free(fs->binary_path);
    g_free(fs->sandbox);
    g_free(fs->source_dir);
    g_free(fs->target_dir);
    armz_domain_address_def_free(fs->address);
    g_free(fs);
}

gboolean
armz_domain_fs_parse(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const types[] = { "mount", NULL };
    static const char *const types_no[] = {
        "block", "file", "template", "ram", "bind", "volume", NULL };
    static const char *const modes[] = { "passthrough", NULL };
    static const char *const modes_no[] = { "mapped", "squash", NULL };
    static const char *const drivers[] = { "virtiofs", NULL };
    static const char *const drivers_no[] = { "path", "handle", "loop", "nbd", "ploop", NULL };
    static const char *const sandboxes[] = { "namespace", "chroot", NULL };
    g_autoptr(ArmzDomainFsDef) fs = g_new0(ArmzDomainFsDef, 1);

    if (!armz_conf_choice_attr(node, "type", "mount", types, types_no, &fs->type, error) ||
        !armz_conf_choice_attr(node, "accessmode", NULL, modes, modes_no, &fs->accessmode,
                               error))
        return FALSE;
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        gboolean ok = TRUE;

        if (armz_xml_is(c, "driver")) {
            ok = armz_conf_choice_attr(c, "type", NULL, drivers, drivers_no, &fs->driver_type,
                                       error) &&
                 armz_conf_uint_attr(c, "queue", &fs->queue_size, error);
        } else if (armz_xml_is(c, "binary")) {
            g_free(fs->binary_path);
            fs->binary_path = armz_xml_prop(c, "path");
            for (xmlNodePtr b = armz_xml_first_element(c); ok && b; b = armz_xml_next_element(b)) {
                if (armz_xml_is(b, "sandbox")) {
                    g_free(fs->sandbox);
                    fs->sandbox = NULL;
                    ok = armz_conf_choice_attr(b, "mode", NULL, sandboxes, NULL, &fs->sandbox,
                                               error);
                } else {
                    ok = armz_conf_unsupported_child(b, "binary", error);
                }
            }
        } else if (armz_xml_is(c, "source")) {
            g_free(fs->source_dir);
            fs->source_dir = armz_xml_prop(c, "dir");
        } else if (armz_xml_is(c, "target")) {
            g_free(fs->target_dir);
            fs->target_dir = armz_xml_prop(c, "dir");
        } else if (armz_xml_is(c, "readonly")) {
            fs->readonly = TRUE;
        } else if (armz_xml_is(c, "address")) {
            ok = armz_conf_address_parse(&fs->address, c, error);
        } else if (armz_xml_is(c, "alias")) {
            /* runtime only */
        } else {
            ok = armz_conf_unsupported_child(c, "filesystem", error);
        }
        if (!ok)
            return FALSE;
    }
    if (!fs->source_dir || !*fs->source_dir)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("missing source information for filesystem"));
    if (!fs->target_dir || !*fs->target_dir)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("missing target information for filesystem"));
    g_ptr_array_add(def->filesystems, g_steal_pointer(&fs));
    return TRUE;
}

void
armz_domain_fs_format(GString *buf, const ArmzDomainFsDef *fs)
{
    g_string_append(buf, "    <filesystem");
    armz_xml_attr_append(buf, "type", fs->type);
    armz_xml_attr_append(buf, "accessmode", fs->accessmode);
    g_string_append(buf, ">\n");
    if (fs->driver_type || fs->queue_size) {
        g_string_append(buf, "      <driver");
        armz_xml_attr_append(buf, "type", fs->driver_type);
        if (fs->queue_size)
            g_string_append_printf(buf, " queue='%u'", fs->queue_size);
        g_string_append(buf, "/>\n");
    }
    if (fs->binary_path || fs->sandbox) {
        g_string_append(buf, "      <binary");
        armz_xml_attr_append(buf, "path", fs->binary_path);
        if (fs->sandbox)
            g_string_append_printf(buf, ">\n        <sandbox mode='%s'/>\n      </binary>\n",
                                   fs->sandbox);
        else
            g_string_append(buf, "/>\n");
    }
    g_string_append(buf, "      <source");
    armz_xml_attr_append(buf, "dir", fs->source_dir);
    g_string_append(buf, "/>\n      <target");
    armz_xml_attr_append(buf, "dir", fs->target_dir);
    g_string_append(buf, "/>\n");
    if (fs->readonly)
        g_string_append(buf, "      <readonly/>\n");
    armz_conf_address_format(buf, fs->address, 3);
    g_string_append(buf, "    </filesystem>\n");
}

gboolean
armz_domain_memory_backing_parse(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const sources[] = { "memfd", "anonymous", NULL };
    static const char *const sources_no[] = { "file", NULL };
    static const char *const modes[] = { "shared", "private", NULL };

    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        gboolean ok;

        if (armz_xml_is(c, "source")) {
            g_free(def->mem_source);
            def->mem_source = NULL;
            ok = armz_conf_choice_attr(c, "type", NULL, sources, sources_no, &def->mem_source,
                                       error);
        } else if (armz_xml_is(c, "access")) {
            g_free(def->mem_access);
            def->mem_access = NULL;
            ok = armz_conf_choice_attr(c, "mode", NULL, modes, NULL, &def->mem_access, error);
        } else {
            ok = armz_conf_unsupported_child(c, "memoryBacking", error);
        }
        if (!ok)
            return FALSE;
    }
    return TRUE;
}

void
armz_domain_memory_backing_format(GString *buf, const ArmzDomainDef *def)
{
    if (!def->mem_source && !def->mem_access)
        return;
    g_string_append(buf, "  <memoryBacking>\n");
    if (def->mem_source)
        g_string_append_printf(buf, "    <source type='%s'/>\n", def->mem_source);
    if (def->mem_access)
        g_string_append_printf(buf, "    <access mode='%s'/>\n", def->mem_access);
    g_string_append(buf, "  </memoryBacking>\n");
}
