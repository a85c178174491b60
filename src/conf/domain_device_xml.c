/* One device element given alone (virDomainAttachDevice and friends). */
#include <libvirt/virterror.h>
#include "conf/domain_parse_priv.h"
#include "conf/xml_util.h"
#include "util/armz-i18n.h"

ArmzDomainDef *
armz_domain_device_parse(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = armz_xml_parse(xml, "(device_definition)", error);
    g_autoptr(ArmzDomainDef) def = NULL;
    xmlNodePtr root, devices;

    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    /* under a <devices> node of the same document, which frees it */
    devices = xmlNewDocNode(doc, NULL, BAD_CAST "devices", NULL);
    xmlUnlinkNode(root);
    xmlDocSetRootElement(doc, devices);
    xmlAddChild(devices, root);
    def = armz_domain_def_new();
    if (!armz_domain_devices_parse(def, devices, error))
        return NULL;
    return g_steal_pointer(&def);
}
