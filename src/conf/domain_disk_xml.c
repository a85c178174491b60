/* One device element on its own (virDomainUpdateDeviceFlags, attach and
 * detach): parsed as the same element inside <devices> would be. */
#include "conf/domain_parse_priv.h"
#include "util/error.h"
#include "util/armz-i18n.h"

/* ROOT of DOC, moved under a <devices> node of the same document (which
 * frees it), in the device lists of an otherwise empty definition */
static ArmzDomainDef *
parse_alone(xmlDocPtr doc, xmlNodePtr root, GError **error)
{
    g_autoptr(ArmzDomainDef) def = armz_domain_def_new();
    xmlNodePtr devices = xmlNewDocNode(doc, NULL, BAD_CAST "devices", NULL);

    xmlUnlinkNode(root);
    xmlDocSetRootElement(doc, devices);
    xmlAddChild(devices, root);
    if (!armz_domain_devices_parse(def, devices, error))
        return NULL;
    return g_steal_pointer(&def);
}

ArmzDomainDiskDef *
armz_domain_disk_parse(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = armz_xml_parse(xml, "(device)", error);
    g_autoptr(ArmzDomainDef) def = NULL;
    xmlNodePtr root;

    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!root || !armz_xml_is(root, "disk")) {
        armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported device type '%s' for the armz driver: only <disk> "
                         "media can be changed"), root ? (const char *)root->name : "");
        return NULL;
    }
    if (!(def = parse_alone(doc, root, error)))
        return NULL;
    return g_ptr_array_steal_index(def->disks, 0);
}

ArmzDomainDef *
armz_domain_device_parse(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = armz_xml_parse(xml, "(device_definition)", error);

    return doc ? parse_alone(doc, xmlDocGetRootElement(doc), error) : NULL;
}
