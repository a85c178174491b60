/* <devices> -> structured device definitions. The armz VMM offers
 * virtio-mmio block, net, console and rng devices plus a PL011 UART; every
 * other kind of guest hardware is refused here, by name. */
#include "conf/domain_parse_priv.h"
#include "conf/encryption_xml.h"
#include "util/error.h"
#include "util/armz-i18n.h"
#include "util/number.h"
#include "util/uuid.h"

#include <string.h>

/* Guest hardware libvirt knows and armz does not provide. */
static const char *const refused_devices[] = {
    "graphics", "video", "sound", "hostdev", "redirdev", "redirfilter",
    "smartcard", "tpm", "watchdog", "input", "hub", "panic",
    "shmem", "memory", "iommu", "audio", "lease",
    "parallel", "crypto", "nvram", NULL };

static gboolean
parse_boot_order(unsigned int *out, xmlNodePtr node, GError **error)
{
    if (!armz_conf_uint_attr(node, "order", out, error))
        return FALSE;
    if (*out == 0)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("missing or invalid attribute 'order' of <boot>"));
    return TRUE;
}

/* ---- disk ---- */

static gboolean parse_disk_encryption(ArmzDomainDiskDef *disk, xmlNodePtr node,
                                      gboolean in_disk, GError **error);

/* <source protocol='nbd' name='EXPORT'><host .../></source>: one host. */
static gboolean
parse_disk_network_source(ArmzDomainDiskDef *disk, xmlNodePtr node, GError **error)
{
    static const char *const protocols[] = { "nbd", "rbd", "iscsi", NULL };
    static const char *const protocols_no[] = {
        "http", "https", "ftp", "ftps", "tftp", "gluster", "sheepdog", "ssh", "vxhs", "nfs",
        NULL };
    static const char *const transports[] = { "tcp", "unix", NULL };
    static const char *const transports_no[] = { "rdma", NULL };
    gboolean have_host = FALSE;

    if (!armz_conf_choice_attr(node, "protocol", NULL, protocols, protocols_no,
                               &disk->src_protocol, error))
        return FALSE;
    if (!disk->src_protocol)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("missing network source protocol type"));
    disk->src_name = armz_xml_prop(node, "name");
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        if (armz_xml_is(c, "encryption")) {
            if (!parse_disk_encryption(disk, c, FALSE, error))
                return FALSE;
            continue;
        }
        if (!armz_xml_is(c, "host"))
            return armz_conf_unsupported_child(c, "source", error);
        if (have_host)
            return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                                  _("disk '%s': more than one <host> is not supported by "
                                    "the armz driver"), disk->target_dev ? disk->target_dev : "");
        have_host = TRUE;
        if (!armz_conf_choice_attr(c, "transport", NULL, transports, transports_no,
                                   &disk->src_host_transport, error))
            return FALSE;
        disk->src_host_name = armz_xml_prop(c, "name");
        disk->src_host_port = armz_xml_prop(c, "port");
        disk->src_host_socket = armz_xml_prop(c, "socket");
    }
    if (g_strcmp0(disk->src_host_transport, "unix") == 0 ? !disk->src_host_socket
                                                          : !disk->src_host_name)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("missing <host> of the network disk source (name, or "
                                "transport='unix' and socket)"));
    return TRUE;
}

/* <encryption format=''><secret type='passphrase' uuid=''|usage=''/>:
 * stored as written, checked by the validator (domain_validate.c), which
 * knows the disk's target. */
static gboolean
parse_disk_encryption(ArmzDomainDiskDef *disk, xmlNodePtr node, gboolean in_disk,
                      GError **error)
{
    if (disk->encryption_format)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("a disk has one <encryption>, in <source> or in <disk>"));
    disk->encryption_in_disk = in_disk;
    return armz_encryption_parse(node, ARMZ_ENCRYPTION_OF_DISK, &disk->encryption_format,
                                 &disk->secret_uuid, &disk->secret_usage, error);
}

/* The children of a file, block or volume <source>: <encryption>; others
 * (seclabel, ...) are not read. */
static gboolean
parse_disk_source_children(ArmzDomainDiskDef *disk, xmlNodePtr node, GError **error)
{
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        if (armz_xml_is(c, "encryption") && !parse_disk_encryption(disk, c, FALSE, error))
            return FALSE;
    }
    return TRUE;
}

static gboolean
parse_disk_source(ArmzDomainDiskDef *disk, xmlNodePtr node, GError **error)
{
    if (disk->type != ARMZ_DOMAIN_DISK_TYPE_NETWORK &&
        !parse_disk_source_children(disk, node, error))
        return FALSE;
    switch (disk->type) {
    case ARMZ_DOMAIN_DISK_TYPE_FILE:
        disk->src_path = armz_xml_prop(node, "file");
        break;
    case ARMZ_DOMAIN_DISK_TYPE_BLOCK:
        disk->src_path = armz_xml_prop(node, "dev");
        break;
    case ARMZ_DOMAIN_DISK_TYPE_VOLUME:
        disk->src_pool = armz_xml_prop(node, "pool");
        disk->src_volume = armz_xml_prop(node, "volume");
        if (!disk->src_pool || !disk->src_volume)
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("<source> of a volume disk needs 'pool' and 'volume' attributes"));
        break;
    case ARMZ_DOMAIN_DISK_TYPE_NETWORK:
        return parse_disk_network_source(disk, node, error);
    case ARMZ_DOMAIN_DISK_TYPE_LAST:
        break;
    }
    return TRUE;
}

static gboolean
parse_disk_driver(ArmzDomainDiskDef *disk, xmlNodePtr node, GError **error)
{
    static const char *const formats[] = { "raw", "qcow2", NULL };
    static const char *const formats_no[] = {
        "bochs", "cloop", "dmg", "iso", "qcow", "qed", "vmdk", "vpc", "vdi",
        "fat", "vhd", "ploop", "luks", "dir", "aio", NULL };
    static const char *const caches[] = {
        "default", "none", "writethrough", "writeback", "directsync", "unsafe", NULL };
    static const char *const ios[] = { "native", "threads", "io_uring", NULL };
    static const char *const discards[] = { "ignore", "unmap", NULL };
    static const char *const zeroes[] = { "off", "on", "unmap", NULL };
    static const char *const wpolicies[] = { "stop", "report", "ignore", "enospace", NULL };
    static const char *const rpolicies[] = { "stop", "report", "ignore", NULL };

    g_autofree char *type = armz_xml_prop(node, "type");

    /* libvirt's QEMU driver names the format under the encryption */
    if (g_strcmp0(type, "luks") == 0)
        return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                              _("disk format 'luks' is not supported by the armz driver: "
                                "use <driver type='raw'/> with <encryption format='luks'> "
                                "in <source>"));
    disk->driver_name = armz_xml_prop(node, "name");
    return armz_conf_choice_attr(node, "type", NULL, formats, formats_no, &disk->driver_type, error) &&
           armz_conf_choice_attr(node, "cache", NULL, caches, NULL, &disk->driver_cache, error) &&
           armz_conf_choice_attr(node, "io", NULL, ios, NULL, &disk->driver_io, error) &&
           armz_conf_choice_attr(node, "discard", NULL, discards, NULL, &disk->driver_discard, error) &&
           armz_conf_choice_attr(node, "detect_zeroes", NULL, zeroes, NULL,
                                 &disk->driver_detect_zeroes, error) &&
           armz_conf_choice_attr(node, "error_policy", NULL, wpolicies, NULL,
                                 &disk->driver_error_policy, error) &&
           armz_conf_choice_attr(node, "rerror_policy", NULL, rpolicies, NULL,
                                 &disk->driver_rerror_policy, error);
}

/* The buses virt-install and virt-manager pick for a connection they do
 * not know (sd) and the other emulated controllers: refused with the way
 * out, since the guest reaches disks only through virtio. */
static gboolean
disk_bus_way_out(xmlNodePtr target, GError **error)
{
    static const char *const emulated[] = { "sd", "usb", "sata", "ide", NULL };
    g_autofree char *bus = armz_xml_prop(target, "bus");
    g_autofree char *dev = armz_xml_prop(target, "dev");

    if (!bus || !g_strv_contains(emulated, bus))
        return TRUE;
    return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                          _("<target bus='%s'> is not supported by the armz driver (disk '%s'): "
                            "use bus='virtio' (or bus='scsi')"),
                          bus, dev ? dev : "");
}

/* <backingStore> (a live XML read back, or a definition that states its
 * chain: start reads the chain again from the images). An empty one ends
 * the chain. */
static gboolean
parse_disk_backing(ArmzDomainDiskDef *disk, xmlNodePtr node, GError **error)
{
    static const char *const types[] = { "file", "block", NULL };

    disk->backing = g_ptr_array_new_with_free_func(armz_domain_disk_backing_def_free);
    for (guint depth = 0; node && armz_xml_first_element(node); depth++) {
        g_autoptr(GPtrArray) unused = NULL;
        ArmzDomainDiskBackingDef *b;
        xmlNodePtr next = NULL;
        int type;

        if (depth > 256)
            return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("<backingStore> nested too deep"));
        if ((type = armz_conf_enum_attr(node, "type", "file", types, NULL, error)) < 0)
            return FALSE;
        b = g_new0(ArmzDomainDiskBackingDef, 1);
        b->block = type == 1;
        g_ptr_array_add(disk->backing, b);
        for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
            if (armz_xml_is(c, "format")) {
                g_free(b->format);
                b->format = armz_xml_prop(c, "type");
            } else if (armz_xml_is(c, "source")) {
                g_free(b->path);
                b->path = armz_xml_prop(c, b->block ? "dev" : "file");
            } else if (armz_xml_is(c, "backingStore")) {
                next = c;
            } else if (!armz_conf_unsupported_child(c, "backingStore", error)) {
                return FALSE;
            }
        }
        if (!b->path || !b->format || (!g_str_equal(b->format, "raw") &&
                                       !g_str_equal(b->format, "qcow2")))
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("<backingStore> of disk needs <source> and <format "
                                    "type='raw|qcow2'>"));
        node = next;
    }
    return TRUE;
}

/* <iotune>: the six basic limits (the storage daemon's throttle group). */
static gboolean
parse_disk_iotune(ArmzDomainDiskDef *disk, xmlNodePtr node, GError **error)
{
    static const char *const names[] = {
        "total_bytes_sec", "read_bytes_sec", "write_bytes_sec",
        "total_iops_sec", "read_iops_sec", "write_iops_sec", NULL };
    ArmzDomainDiskIotune *t = &disk->iotune;
    guint64 *fields[] = { &t->total_bytes_sec, &t->read_bytes_sec, &t->write_bytes_sec,
                          &t->total_iops_sec, &t->read_iops_sec, &t->write_iops_sec };

    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        guint i;
        g_autofree char *text = NULL;

        for (i = 0; names[i] && !armz_xml_is(c, names[i]); i++)
            ;
        if (!names[i])
            return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                                  _("<iotune> element '%s' is not supported by the armz "
                                    "driver"), (const char *)c->name);
        text = armz_xml_text(c);
        if (!text || !armz_parse_u64(g_strstrip(text), 0, G_MAXINT64, fields[i]))
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("disk iotune field '%s' must be an integer"), names[i]);
    }
    if ((t->total_bytes_sec && (t->read_bytes_sec || t->write_bytes_sec)) ||
        (t->total_iops_sec && (t->read_iops_sec || t->write_iops_sec)))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("total and read/write bytes_sec or iops_sec cannot be set at "
                                "the same time"));
    return TRUE;
}

static gboolean
parse_disk(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const types[] = { "file", "block", "volume", "network", NULL };
    static const char *const types_no[] = { "dir", "nvme", "vhostuser", "vhostvdpa", NULL };
    static const char *const devices[] = { "disk", "cdrom", NULL };
    static const char *const devices_no[] = { "floppy", "lun", NULL };
    static const char *const buses[] = { "virtio", "scsi", NULL };
    static const char *const buses_no[] = {
        "ide", "fdc", "xen", "usb", "uml", "sata", "sd", NULL };
    g_autoptr(ArmzDomainDiskDef) disk = g_new0(ArmzDomainDiskDef, 1);
    gboolean have_source = FALSE;
    int v;

    if ((v = armz_conf_enum_attr(node, "type", "file", types, types_no, error)) < 0)
        return FALSE;
    disk->type = (ArmzDomainDiskType)v;
    if ((v = armz_conf_enum_attr(node, "device", "disk", devices, devices_no, error)) < 0)
        return FALSE;
    disk->device = (ArmzDomainDiskDevice)v;

    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        gboolean ok = TRUE;

        if (armz_xml_is(c, "driver")) {
            ok = parse_disk_driver(disk, c, error);
        } else if (armz_xml_is(c, "source") && !have_source) {
            have_source = TRUE;
            ok = parse_disk_source(disk, c, error);
        } else if (armz_xml_is(c, "target")) {
            static const char *const trays[] = { "open", "closed", NULL };
            g_autofree char *bus = armz_xml_prop(c, "bus");
            g_autofree char *tray = NULL;
            disk->target_dev = armz_xml_prop(c, "dev");
            ok = disk_bus_way_out(c, error) &&
                 armz_conf_choice_attr(c, "bus", NULL, buses, buses_no,
                                       &disk->target_bus, error) &&
                 armz_conf_choice_attr(c, "tray", NULL, trays, NULL, &tray, error);
            disk->tray_open = g_strcmp0(tray, "open") == 0;
        } else if (armz_xml_is(c, "readonly")) {
            disk->readonly = TRUE;
        } else if (armz_xml_is(c, "shareable")) {
            disk->shareable = TRUE;
        } else if (armz_xml_is(c, "serial")) {
            g_free(disk->serial);
            disk->serial = armz_xml_text(c);
        } else if (armz_xml_is(c, "boot")) {
            ok = parse_boot_order(&disk->boot_order, c, error);
        } else if (armz_xml_is(c, "address")) {
            ok = armz_conf_address_parse(&disk->address, c, error);
        } else if (armz_xml_is(c, "alias")) {
            g_free(disk->alias);
            disk->alias = armz_xml_prop(c, "name");
        } else if (armz_xml_is(c, "backingStore")) {
            ok = parse_disk_backing(disk, c, error);
        } else if (armz_xml_is(c, "iotune")) {
            ok = parse_disk_iotune(disk, c, error);
        } else if (armz_xml_is(c, "encryption")) {
            ok = parse_disk_encryption(disk, c, TRUE, error);
        } else {
            ok = armz_conf_unsupported_child(c, "disk", error);
        }
        if (!ok)
            return FALSE;
    }
    if (!disk->target_dev || !*disk->target_dev)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("missing <target dev=''> of <disk>"));
    /* libvirt's default bus follows the name: sdX is SCSI */
    if (!disk->target_bus)
        disk->target_bus = g_strdup(g_str_has_prefix(disk->target_dev, "sd") ? "scsi" : "virtio");
    if (disk->device == ARMZ_DOMAIN_DISK_DEVICE_DISK && !disk->src_path && !disk->src_pool &&
        !disk->src_protocol)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("missing <source> of disk '%s'"), disk->target_dev);
    /* a cdrom is read-only media, whatever the XML says */
    if (disk->device == ARMZ_DOMAIN_DISK_DEVICE_CDROM)
        disk->readonly = TRUE;
    for (guint i = 0; i < def->disks->len; i++) {
        ArmzDomainDiskDef *o = g_ptr_array_index(def->disks, i);
        if (g_str_equal(o->target_dev, disk->target_dev))
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("target '%s' duplicated for disk sources"), disk->target_dev);
    }
    g_ptr_array_add(def->disks, g_steal_pointer(&disk));
    return TRUE;
}

/* ---- interface ---- */


/* <target managed='no'>: the tap exists (os-vif made it) and is used as it is. */
static gboolean
parse_net_target_managed(ArmzDomainNetDef *net, xmlNodePtr node, GError **error)
{
    static const char *const managed[] = { "yes", "no", NULL };
    g_autofree char *v = NULL;

    if (!armz_conf_choice_attr(node, "managed", NULL, managed, NULL, &v, error))
        return FALSE;
    net->target_unmanaged = g_strcmp0(v, "no") == 0;
    return TRUE;
}

/* <driver name='qemu|vhost'>: armz-vmm serves the virtio-net queues itself
 * either way (the guest sees the same device). Multiqueue and queue sizes
 * are not offered. */
static gboolean
parse_net_driver(ArmzDomainNetDef *net, xmlNodePtr node, GError **error)
{
    static const char *const names[] = { "qemu", "vhost", NULL };
    static const char *const names_no[] = { "vfio", "kvm", "xen", NULL };
    static const char *const refused[] = { "rx_queue_size", "tx_queue_size", "txmode",
                                           "ioeventfd", "event_idx", "iommu", "ats",
                                           "packed", "page_per_vq", "rss", "rss_hash_report",
                                           NULL };
    unsigned int queues = 1;

    g_clear_pointer(&net->driver_name, g_free);
    if (!armz_conf_choice_attr(node, "name", NULL, names, names_no, &net->driver_name, error) ||
        !armz_conf_uint_attr(node, "queues", &queues, error))
        return FALSE;
    if (queues > 1)
        return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                              _("<driver queues='%u'> of <interface> (multiqueue) is not "
                                "supported by the armz driver"), queues);
    for (guint i = 0; refused[i]; i++)
        if (xmlHasProp(node, (const xmlChar *)refused[i]))
            return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                                  _("attribute '%s' of <interface><driver> is not supported "
                                    "by the armz driver"), refused[i]);
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c))
        return armz_conf_unsupported_child(c, "driver", error);
    return TRUE;
}

/* <virtualport type='openvswitch'><parameters interfaceid='UUID' profileid=''/> */
static gboolean
parse_net_virtualport(ArmzDomainNetDef *net, xmlNodePtr node, GError **error)
{
    static const char *const types[] = { "openvswitch", NULL };
    static const char *const types_no[] = { "802.1Qbg", "802.1Qbh", "midonet", NULL };
    unsigned char uuid[16];

    g_clear_pointer(&net->vport_type, g_free);
    if (!armz_conf_choice_attr(node, "type", NULL, types, types_no, &net->vport_type, error))
        return FALSE;
    if (!net->vport_type)
        return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                              _("<virtualport> without a type is not supported by the armz "
                                "driver: say type='openvswitch'"));
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        if (!armz_xml_is(c, "parameters"))
            return armz_conf_unsupported_child(c, "virtualport", error);
        g_free(net->vport_interfaceid);
        g_free(net->vport_profileid);
        net->vport_interfaceid = armz_xml_prop(c, "interfaceid");
        net->vport_profileid = armz_xml_prop(c, "profileid");
    }
    if (net->vport_interfaceid && !armz_uuid_parse(net->vport_interfaceid, uuid))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("malformed interfaceid '%s' of <virtualport>"),
                              net->vport_interfaceid);
    if (net->vport_profileid && (strlen(net->vport_profileid) > 40 ||
                                 strpbrk(net->vport_profileid, "\"\\\n")))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("malformed profileid '%s' of <virtualport>"),
                              net->vport_profileid);
    if (!net->vport_interfaceid) {
        char u[ARMZ_UUID_STRING_BUFLEN];

        /* libvirt generates one, so the port has an identity in OVSDB */
        armz_uuid_generate(uuid);
        armz_uuid_format(uuid, u);
        net->vport_interfaceid = g_strdup(u);
    }
    return TRUE;
}

static gboolean
parse_interface(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const types[] = { "network", "bridge", "ethernet", NULL };
    static const char *const types_no[] = {
        "user", "direct", "vhostuser", "hostdev", "server", "client", "mcast",
        "udp", "vdpa", "internal", "null", "vds", "passt", NULL };
    static const char *const models[] = { "virtio", NULL };
    static const char *const models_no[] = {
        "virtio-transitional", "virtio-non-transitional", "e1000", "e1000e",
        "rtl8139", "ne2k_pci", "pcnet", "vmxnet3", "igb", "usb-net", "spapr-vlan",
        "smc91c111", "lan9118", NULL };
    g_autoptr(ArmzDomainNetDef) net = g_new0(ArmzDomainNetDef, 1);
    gboolean have_mac = FALSE;
    int v;

    if ((v = armz_conf_enum_attr(node, "type", NULL, types, types_no, error)) < 0)
        return FALSE;
    net->type = (ArmzDomainNetType)v;

    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        gboolean ok = TRUE;

        if (armz_xml_is(c, "mac")) {
            g_autofree char *mac = armz_xml_prop(c, "address");
            if (!armz_mac_parse(mac, net->mac))
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("unable to parse mac address '%s'"), mac ? mac : "");
            if (net->mac[0] & 1)
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("expected unicast mac address, found multicast '%s'"), mac);
            have_mac = TRUE;
        } else if (armz_xml_is(c, "source")) {
            g_clear_pointer(&net->source_network, g_free);
            g_clear_pointer(&net->source_bridge, g_free);
            if (net->type == ARMZ_DOMAIN_NET_TYPE_NETWORK)
                net->source_network = armz_xml_prop(c, "network");
            else if (net->type == ARMZ_DOMAIN_NET_TYPE_BRIDGE)
                net->source_bridge = armz_xml_prop(c, "bridge");
        } else if (armz_xml_is(c, "target")) {
            g_free(net->target_dev);
            net->target_dev = armz_xml_prop(c, "dev");
            ok = parse_net_target_managed(net, c, error);
        } else if (armz_xml_is(c, "driver")) {
            ok = parse_net_driver(net, c, error);
        } else if (armz_xml_is(c, "virtualport")) {
            ok = parse_net_virtualport(net, c, error);
        } else if (armz_xml_is(c, "model")) {
            g_clear_pointer(&net->model, g_free);
            ok = armz_conf_choice_attr(c, "type", NULL, models, models_no, &net->model, error);
            if (ok && !net->model)
                ok = armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                    _("missing attribute 'type' of <model>"));
        } else if (armz_xml_is(c, "mtu")) {
            ok = armz_conf_uint_attr(c, "size", &net->mtu, error);
            if (ok && net->mtu == 0)
                ok = armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                    _("missing or invalid attribute 'size' of <mtu>"));
        } else if (armz_xml_is(c, "boot")) {
            ok = parse_boot_order(&net->boot_order, c, error);
        } else if (armz_xml_is(c, "address")) {
            ok = armz_conf_address_parse(&net->address, c, error);
        } else if (armz_xml_is(c, "alias")) {
            g_free(net->alias);
            net->alias = armz_xml_prop(c, "name");
        } else if (armz_xml_is(c, "link")) {
            static const char *const states[] = { "up", "down", NULL };
            g_clear_pointer(&net->link_state, g_free);
            ok = armz_conf_choice_attr(c, "state", NULL, states, NULL, &net->link_state, error);
        } else {
            ok = armz_conf_unsupported_child(c, "interface", error);
        }
        if (!ok)
            return FALSE;
    }
    if (net->type == ARMZ_DOMAIN_NET_TYPE_NETWORK && !net->source_network)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("No <source> 'network' attribute specified with <interface type='network'/>"));
    if (net->type == ARMZ_DOMAIN_NET_TYPE_BRIDGE && !net->source_bridge)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("No <source> 'bridge' attribute specified with <interface type='bridge'/>"));
    net->mac_generated = !have_mac;
    if (!have_mac) {
        /* libvirt's locally administered prefix, as every libvirt tool
         * expects; the address is then part of the definition. */
        net->mac[0] = 0x52;
        net->mac[1] = 0x54;
        net->mac[2] = 0x00;
        for (int i = 3; i < 6; i++)
            net->mac[i] = (unsigned char)g_random_int_range(0, 256);
    }
    g_ptr_array_add(def->nets, g_steal_pointer(&net));
    return TRUE;
}

/* ---- serial / console ---- */

static gboolean
parse_chr_target(ArmzDomainChrDef *chr, xmlNodePtr node, gboolean console, GError **error)
{
    static const char *const serial_types[] = { "system-serial", NULL };
    static const char *const serial_types_no[] = {
        "isa-serial", "usb-serial", "pci-serial", "spapr-vio-serial",
        "sclp-serial", "isa-debug", NULL };
    static const char *const console_types[] = { "serial", "virtio", NULL };
    static const char *const console_types_no[] = {
        "xen", "uml", "lxc", "openvz", "sclp", "sclplm", NULL };
    static const char *const models[] = { "pl011", NULL };
    static const char *const models_no[] = {
        "isa-serial", "usb-serial", "pci-serial", "spapr-vty", "sclpconsole",
        "sclplmconsole", "16550a", "isa-debugcon", NULL };
    unsigned int port = G_MAXUINT;

    if (!armz_conf_choice_attr(node, "type", NULL,
                               console ? console_types : serial_types,
                               console ? console_types_no : serial_types_no,
                               &chr->target_type, error) ||
        !armz_conf_uint_attr(node, "port", &port, error))
        return FALSE;
    chr->target_port = port == G_MAXUINT ? -1 : (int)MIN(port, (unsigned int)G_MAXINT);
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        if (armz_xml_is(c, "model") && !console) {
            if (!armz_conf_choice_attr(c, "name", NULL, models, models_no,
                                       &chr->target_model, error))
                return FALSE;
        } else {
            return armz_conf_unsupported_child(c, "target", error);
        }
    }
    return TRUE;
}

static gboolean
parse_chr(GPtrArray *list, xmlNodePtr node, gboolean console, GError **error)
{
    static const char *const types[] = { "pty", "file", "stdio", "null", "unix", "tcp", NULL };
    static const char *const types_no[] = {
        "vc", "dev", "pipe", "udp", "spicevmc", "spiceport", "nmdm",
        "qemu-vdagent", "dbus", NULL };
    static const char *const modes[] = { "bind", "connect", NULL };
    static const char *const onoff[] = { "on", "off", NULL };
    const char *what = console ? "console" : "serial";
    g_autoptr(ArmzDomainChrDef) chr = g_new0(ArmzDomainChrDef, 1);
    int v;

    if ((v = armz_conf_enum_attr(node, "type", "pty", types, types_no, error)) < 0)
        return FALSE;
    chr->type = (ArmzDomainChrType)v;
    chr->target_port = -1;

    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        gboolean ok = TRUE;

        if (armz_xml_is(c, "source")) {
            g_free(chr->source_path);
            chr->source_path = armz_xml_prop(c, "path");
            g_clear_pointer(&chr->source_mode, g_free);
            if (chr->type == ARMZ_DOMAIN_CHR_TYPE_UNIX || chr->type == ARMZ_DOMAIN_CHR_TYPE_TCP)
                ok = armz_conf_choice_attr(c, "mode", NULL, modes, NULL, &chr->source_mode, error);
            if (chr->type == ARMZ_DOMAIN_CHR_TYPE_TCP) {
                g_free(chr->source_host);
                g_free(chr->source_service);
                chr->source_host = armz_xml_prop(c, "host");
                chr->source_service = armz_xml_prop(c, "service");
            }
        } else if (armz_xml_is(c, "protocol") && chr->type == ARMZ_DOMAIN_CHR_TYPE_TCP) {
            g_free(chr->protocol);
            chr->protocol = armz_xml_prop(c, "type");
        } else if (armz_xml_is(c, "log")) {
            g_free(chr->log_file);
            chr->log_file = armz_xml_prop(c, "file");
            if (!chr->log_file)
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("missing attribute 'file' of <log>"));
            g_clear_pointer(&chr->log_append, g_free);
            ok = armz_conf_choice_attr(c, "append", NULL, onoff, NULL, &chr->log_append, error);
        } else if (armz_xml_is(c, "target")) {
            g_clear_pointer(&chr->target_type, g_free);
            g_clear_pointer(&chr->target_model, g_free);
            ok = parse_chr_target(chr, c, console, error);
        } else if (armz_xml_is(c, "address")) {
            ok = armz_conf_address_parse(&chr->address, c, error);
        } else if (armz_xml_is(c, "alias")) {
            /* runtime only */
        } else {
            ok = armz_conf_unsupported_child(c, what, error);
        }
        if (!ok)
            return FALSE;
    }
    /* a pty's path is only an output (live XML); other types need one */
    if ((chr->type == ARMZ_DOMAIN_CHR_TYPE_FILE || chr->type == ARMZ_DOMAIN_CHR_TYPE_UNIX) &&
        (!chr->source_path || !*chr->source_path))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("missing <source path=''> for %s of type '%s'"),
                              what, armz_domain_chr_type_to_string(chr->type));
    if (chr->type == ARMZ_DOMAIN_CHR_TYPE_TCP && (!chr->source_host || !chr->source_service))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("missing <source host='' service=''> for %s of type 'tcp'"),
                              what);
    if (chr->type != ARMZ_DOMAIN_CHR_TYPE_FILE && chr->type != ARMZ_DOMAIN_CHR_TYPE_UNIX &&
        chr->type != ARMZ_DOMAIN_CHR_TYPE_PTY)
        g_clear_pointer(&chr->source_path, g_free);
    g_ptr_array_add(list, g_steal_pointer(&chr));
    return TRUE;
}

/* ---- rng ---- */

static gboolean
parse_rng(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const models[] = { "virtio", NULL };
    static const char *const models_no[] = {
        "virtio-transitional", "virtio-non-transitional", NULL };
    static const char *const backends[] = { "random", NULL };
    static const char *const backends_no[] = { "egd", "builtin", NULL };
    g_autoptr(ArmzDomainRngDef) rng = g_new0(ArmzDomainRngDef, 1);

    if (!armz_conf_choice_attr(node, "model", NULL, models, models_no, &rng->model, error))
        return FALSE;
    if (!rng->model)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("missing attribute 'model' of <rng>"));
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        gboolean ok = TRUE;

        if (armz_xml_is(c, "backend") && !rng->backend_model) {
            g_autofree char *path = armz_xml_text(c);
            ok = armz_conf_choice_attr(c, "model", NULL, backends, backends_no,
                                       &rng->backend_model, error);
            if (ok && !rng->backend_model)
                ok = armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                    _("missing attribute 'model' of <backend>"));
            if (*g_strstrip(path))
                rng->backend_path = g_steal_pointer(&path);
        } else if (armz_xml_is(c, "rate")) {
            ok = armz_conf_uint_attr(c, "bytes", &rng->rate_bytes, error) &&
                 armz_conf_uint_attr(c, "period", &rng->rate_period, error);
            if (ok && rng->rate_bytes == 0)
                ok = armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                    _("missing or invalid attribute 'bytes' of <rate>"));
        } else if (armz_xml_is(c, "address")) {
            ok = armz_conf_address_parse(&rng->address, c, error);
        } else if (armz_xml_is(c, "alias")) {
            /* runtime only */
        } else {
            ok = armz_conf_unsupported_child(c, "rng", error);
        }
        if (!ok)
            return FALSE;
    }
    if (!rng->backend_model)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("missing RNG device backend"));
    g_ptr_array_add(def->rngs, g_steal_pointer(&rng));
    return TRUE;
}

/* ---- controller ---- */

static gboolean
parse_controller(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    /* Accepted and kept: tools (Nova, virt-install) always write a few, and
     * they describe buses rather than devices the guest would miss. */
    static const char *const types[] = {
        "ide", "fdc", "scsi", "sata", "virtio-serial", "ccid", "usb", "pci",
        "xenbus", "isa", NULL };
    g_autoptr(ArmzDomainControllerDef) ctrl = g_new0(ArmzDomainControllerDef, 1);
    unsigned int index = G_MAXUINT;

    ctrl->children = g_ptr_array_new_with_free_func(g_free);
    if (!armz_conf_choice_attr(node, "type", NULL, types, NULL, &ctrl->type, error) ||
        !armz_conf_uint_attr(node, "index", &index, error))
        return FALSE;
    if (!ctrl->type)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("missing attribute 'type' of <controller>"));
    ctrl->index = index == G_MAXUINT ? -1 : (int)MIN(index, (unsigned int)G_MAXINT);
    ctrl->model = armz_xml_prop(node, "model");
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        if (!armz_xml_is(c, "alias"))
            g_ptr_array_add(ctrl->children, armz_xml_fragment_capture(c));
    }
    g_ptr_array_add(def->controllers, g_steal_pointer(&ctrl));
    return TRUE;
}

static gboolean
parse_channel(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const types[] = { "unix", "pty", NULL };
    static const char *const types_no[] = {
        "file", "null", "tcp", "udp", "dev", "pipe", "stdio", "vc", "spicevmc",
        "spiceport", "qemu-vdagent", "dbus", "nmdm", NULL };
    static const char *const modes[] = { "bind", NULL };
    static const char *const modes_no[] = { "connect", NULL };
    static const char *const targets[] = { "virtio", NULL };
    static const char *const targets_no[] = { "guestfwd", "xen", NULL };
    static const char *const states[] = { "connected", "disconnected", NULL };
    g_autoptr(ArmzDomainChannelDef) ch = g_new0(ArmzDomainChannelDef, 1);
    gboolean have_target = FALSE;

    if (!armz_conf_choice_attr(node, "type", NULL, types, types_no, &ch->type, error))
        return FALSE;
    if (!ch->type)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("missing attribute 'type' of <channel>"));
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        gboolean ok = TRUE;

        if (armz_xml_is(c, "source")) {
            g_autofree char *path = armz_xml_prop(c, "path");
            ok = armz_conf_choice_attr(c, "mode", NULL, modes, modes_no, &ch->source_mode,
                                       error);
            if (ok && path && *path)
                ch->source_path = g_steal_pointer(&path);
        } else if (armz_xml_is(c, "target")) {
            g_autofree char *state = NULL;
            if (have_target)
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("only one <target> of <channel> is allowed"));
            have_target = TRUE;
            ok = armz_conf_choice_attr(c, "type", NULL, targets, targets_no, &ch->target_type,
                                       error) &&
                 armz_conf_choice_attr(c, "state", NULL, states, NULL, &state, error);
            ch->target_name = armz_xml_prop(c, "name");
            if (state)
                ch->state = g_str_equal(state, "connected") ? ARMZ_TRISTATE_ON
                                                            : ARMZ_TRISTATE_OFF;
        } else if (armz_xml_is(c, "address")) {
            ok = armz_conf_address_parse(&ch->address, c, error);
        } else if (armz_xml_is(c, "alias")) {
            /* runtime only */
        } else {
            ok = armz_conf_unsupported_child(c, "channel", error);
        }
        if (!ok)
            return FALSE;
    }
    if (!have_target || !ch->target_type)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("missing <target type=''> of <channel>"));
    g_ptr_array_add(def->channels, g_steal_pointer(&ch));
    return TRUE;
}

static gboolean
parse_vsock(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const models[] = { "virtio", NULL };
    static const char *const models_no[] = {
        "virtio-transitional", "virtio-non-transitional", NULL };
    ArmzDomainVsockDef *v = &def->vsock;

    if (def->has_vsock)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("only one <vsock> is supported"));
    if (armz_conf_enum_attr(node, "model", "virtio", models, models_no, error) < 0)
        return FALSE;
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        gboolean ok = TRUE;

        if (armz_xml_is(c, "cid"))
            ok = armz_conf_tristate_attr(c, "auto", TRUE, &v->cid_auto, error) &&
                 armz_conf_uint_attr(c, "address", &v->cid, error);
        else if (armz_xml_is(c, "address"))
            ok = armz_conf_address_parse(&v->address, c, error);
        else if (!armz_xml_is(c, "alias"))     /* alias: runtime only */
            ok = armz_conf_unsupported_child(c, "vsock", error);
        if (!ok)
            return FALSE;
    }
    def->has_vsock = TRUE;
    return TRUE;
}

static gboolean
parse_memballoon(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const models[] = { "none", "virtio", NULL };
    static const char *const models_no[] = {
        "xen", "virtio-transitional", "virtio-non-transitional", NULL };
    ArmzDomainMemballoonDef *mb = &def->memballoon;
    int model;

    if (def->has_memballoon)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("only a single memory balloon device is supported"));
    if ((model = armz_conf_enum_attr(node, "model", NULL, models, models_no, error)) < 0)
        return FALSE;
    mb->virtio = model == 1;
    if (!armz_conf_tristate_attr(node, "autodeflate", FALSE, &mb->autodeflate, error) ||
        !armz_conf_tristate_attr(node, "freePageReporting", FALSE, &mb->free_page_reporting,
                                 error))
        return FALSE;
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        gboolean ok = TRUE;

        if (armz_xml_is(c, "stats")) {
            ok = armz_conf_uint_attr(c, "period", &mb->stats_period, error);
            mb->has_stats_period = TRUE;
        } else if (armz_xml_is(c, "address")) {
            ok = armz_conf_address_parse(&mb->address, c, error);
        } else if (armz_xml_is(c, "alias")) {
            /* runtime only */
        } else {
            ok = armz_conf_unsupported_child(c, "memballoon", error);
        }
        if (!ok)
            return FALSE;
    }
    if (!mb->virtio && (mb->has_stats_period || mb->autodeflate || mb->free_page_reporting))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("<memballoon model='none'> takes no stats, autodeflate or "
                                "freePageReporting"));
    def->has_memballoon = TRUE;
    return TRUE;
}

gboolean
armz_domain_devices_parse(ArmzDomainDef *def, xmlNodePtr devices, GError **error)
{
    for (xmlNodePtr c = armz_xml_first_element(devices); c; c = armz_xml_next_element(c)) {
        gboolean ok;

        if (armz_xml_is(c, "emulator")) {
            g_free(def->emulator);
            def->emulator = armz_xml_text(c);
            g_strstrip(def->emulator);
            ok = TRUE;
        } else if (armz_xml_is(c, "disk")) {
            ok = parse_disk(def, c, error);
        } else if (armz_xml_is(c, "interface")) {
            ok = parse_interface(def, c, error);
        } else if (armz_xml_is(c, "serial")) {
            ok = parse_chr(def->serials, c, FALSE, error);
        } else if (armz_xml_is(c, "console")) {
            ok = parse_chr(def->consoles, c, TRUE, error);
        } else if (armz_xml_is(c, "rng")) {
            ok = parse_rng(def, c, error);
        } else if (armz_xml_is(c, "controller")) {
            ok = parse_controller(def, c, error);
        } else if (armz_xml_is(c, "vsock")) {
            ok = parse_vsock(def, c, error);
        } else if (armz_xml_is(c, "channel")) {
            ok = parse_channel(def, c, error);
        } else if (armz_xml_is(c, "filesystem")) {
            ok = armz_domain_fs_parse(def, c, error);
        } else if (armz_xml_is(c, "memballoon")) {
            ok = parse_memballoon(def, c, error);
        } else if (!c->ns && g_strv_contains(refused_devices, (const char *)c->name)) {
            ok = armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                                _("device '%s' is not supported by the armz driver"),
                                (const char *)c->name);
        } else {
            g_autofree char *q = armz_xml_qname(c);
            ok = armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                                _("unknown device element '%s' is not supported by the armz driver"), q);
        }
        if (!ok)
            return FALSE;
    }
    armz_domain_scsi_complete(def);
    return TRUE;
}
