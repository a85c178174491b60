/* One <disk> element on its own (virDomainUpdateDeviceFlags): parsed as
 * the same element inside <devices> would be. */
#include "conf/domain_parse_priv.h"
#include "util/error.h"
#include "util/armz-i18n.h"

ArmzDomainDiskDef *
armz_domain_disk_parse(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = armz_xml_parse(xml, "(device)", error);
    g_autoptr(ArmzDomainDef) def = NULL;
    xmlNodePtr root, devices;

    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!root || !armz_xml_is(root, "disk")) {
        armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported device type '%s' for the armz driver: only <disk> "
                         "media can be changed"), root ? (const char *)root->name : "");
        return NULL;
    }
    /* under a <devices> node of the same document, which frees it */
    devices = xmlNewDocNode(doc, NULL, BAD_CAST "devices", NULL);
    xmlUnlinkNode(root);
    xmlDocSetRootElement(doc, devices);
    xmlAddChild(devices, root);
    def = armz_domain_def_new();
    if (!armz_domain_devices_parse(def, devices, error))
        return NULL;
    return g_ptr_array_steal_index(def->disks, 0);
}
