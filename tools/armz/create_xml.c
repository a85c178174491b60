/* The domain and volume XML of `armz create`, built with libxml2 so that
 * any name or path is escaped correctly. */
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include "create_spec.h"

static xmlNodePtr
child(xmlNodePtr parent, const char *name, const char *text)
{
    return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);
}

static void
prop(xmlNodePtr node, const char *name, const char *value)
{
    xmlNewProp(node, BAD_CAST name, BAD_CAST value);
}

static char *
dump(xmlDocPtr doc)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlSaveCtxtPtr save = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
    char *out;

    xmlSaveDoc(save, doc);
    xmlSaveClose(save);
    out = g_strdup((const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    return out;
}

static void
add_disk(xmlNodePtr devices, const ArmzDiskSpec *d, guint index)
{
    static const char *const kinds[] = { "file", "block", "volume" };
    xmlNodePtr disk = xmlNewChild(devices, NULL, BAD_CAST "disk", NULL);
    xmlNodePtr n;
    char dev[8];

    prop(disk, "type", kinds[d->kind]);
    prop(disk, "device", "disk");
    n = xmlNewChild(disk, NULL, BAD_CAST "driver", NULL);
    prop(n, "name", "qemu");
    prop(n, "type", d->format ? d->format : "raw");
    n = xmlNewChild(disk, NULL, BAD_CAST "source", NULL);
    switch (d->kind) {
    case ARMZ_DISK_FILE: prop(n, "file", d->path); break;
    case ARMZ_DISK_BLOCK: prop(n, "dev", d->path); break;
    case ARMZ_DISK_VOLUME:
        prop(n, "pool", d->pool);
        prop(n, "volume", d->volume);
        break;
    }
    g_snprintf(dev, sizeof(dev), "vd%c", 'a' + index);
    n = xmlNewChild(disk, NULL, BAD_CAST "target", NULL);
    prop(n, "dev", dev);
    prop(n, "bus", "virtio");
    if (d->readonly)
        xmlNewChild(disk, NULL, BAD_CAST "readonly", NULL);
}

char *
armz_create_spec_to_xml(const ArmzCreateSpec *s)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr dom = xmlNewDocNode(doc, NULL, BAD_CAST "domain", NULL);
    xmlNodePtr os, devices, n;
    g_autofree char *mem = g_strdup_printf("%" G_GUINT64_FORMAT, s->memory_kib);
    g_autofree char *vcpus = g_strdup_printf("%u", s->vcpus);
    g_autofree char *cmdline = NULL;
    char *out;

    xmlDocSetRootElement(doc, dom);
    prop(dom, "type", s->virt_type);
    child(dom, "name", s->name);
    prop(child(dom, "memory", mem), "unit", "KiB");
    prop(child(dom, "currentMemory", mem), "unit", "KiB");
    prop(child(dom, "vcpu", vcpus), "placement", "static");

    os = xmlNewChild(dom, NULL, BAD_CAST "os", NULL);
    n = child(os, "type", "hvm");
    prop(n, "arch", "aarch64");
    prop(n, "machine", "virt");
    if (s->kernel) {
        child(os, "kernel", s->kernel);
        if (s->initrd)
            child(os, "initrd", s->initrd);
        /* the serial console always; the first disk as root when the guest
         * boots from one */
        cmdline = s->cmdline ? g_strdup(s->cmdline)
                             : g_strdup_printf("console=ttyAMA0%s",
                                               s->disks->len ? " root=/dev/vda rw" : "");
        child(os, "cmdline", cmdline);
    } else {
        prop(xmlNewChild(os, NULL, BAD_CAST "boot", NULL), "dev", "hd");
    }
    child(dom, "on_poweroff", "destroy");
    child(dom, "on_reboot", "restart");
    child(dom, "on_crash", "destroy");

    devices = xmlNewChild(dom, NULL, BAD_CAST "devices", NULL);
    for (guint i = 0; i < s->disks->len; i++)
        add_disk(devices, g_ptr_array_index(s->disks, i), i);
    for (guint i = 0; i < s->nics->len; i++) {
        const ArmzNicSpec *nic = g_ptr_array_index(s->nics, i);
        xmlNodePtr iface = xmlNewChild(devices, NULL, BAD_CAST "interface", NULL);
        prop(iface, "type", nic->bridge ? "bridge" : "network");
        prop(xmlNewChild(iface, NULL, BAD_CAST "source", NULL),
             nic->bridge ? "bridge" : "network", nic->source);
        prop(xmlNewChild(iface, NULL, BAD_CAST "model", NULL), "type", "virtio");
    }
    n = xmlNewChild(devices, NULL, BAD_CAST "serial", NULL);
    prop(n, "type", "pty");
    prop(xmlNewChild(n, NULL, BAD_CAST "target", NULL), "port", "0");
    n = xmlNewChild(devices, NULL, BAD_CAST "console", NULL);
    prop(n, "type", "pty");
    n = xmlNewChild(n, NULL, BAD_CAST "target", NULL);
    prop(n, "type", "serial");
    prop(n, "port", "0");

    out = dump(doc);
    xmlFreeDoc(doc);
    return out;
}

char *
armz_disk_spec_volume_xml(const ArmzDiskSpec *d)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr vol = xmlNewDocNode(doc, NULL, BAD_CAST "volume", NULL);
    g_autofree char *cap = g_strdup_printf("%" G_GUINT64_FORMAT, d->new_size);
    xmlNodePtr target;
    char *out;

    xmlDocSetRootElement(doc, vol);
    child(vol, "name", d->volume);
    prop(child(vol, "capacity", cap), "unit", "bytes");
    target = xmlNewChild(vol, NULL, BAD_CAST "target", NULL);
    prop(xmlNewChild(target, NULL, BAD_CAST "format", NULL), "type", d->format ? d->format : "raw");
    out = dump(doc);
    xmlFreeDoc(doc);
    return out;
}
