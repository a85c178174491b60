/* Device definitions -> the <devices> element, in libvirt's device order
 * (disks, controllers, interfaces, serials, consoles, memballoon, rngs). */
#include "conf/domain_parse_priv.h"

static void
format_boot(GString *buf, unsigned int order)
{
    if (order)
        g_string_append_printf(buf, "      <boot order='%u'/>\n", order);
}

/* libvirt's nesting: each layer holds the next, an empty one ends it. */
static void
format_disk_backing(GString *buf, const ArmzDomainDiskDef *disk)
{
    guint n = disk->backing->len;

    for (guint i = 0; i < n; i++) {
        const ArmzDomainDiskBackingDef *b = g_ptr_array_index(disk->backing, i);
        g_autofree char *pad = g_strnfill(6 + 2 * i, ' ');
        g_string_append_printf(buf, "%s<backingStore type='%s'>\n", pad,
                               b->block ? "block" : "file");
        g_string_append_printf(buf, "%s  <format", pad);
        armz_xml_attr_append(buf, "type", b->format);
        g_string_append_printf(buf, "/>\n%s  <source", pad);
        armz_xml_attr_append(buf, b->block ? "dev" : "file", b->path);
        g_string_append(buf, "/>\n");
    }
    g_string_append_printf(buf, "%*s<backingStore/>\n", 6 + 2 * (int)n, "");
    for (guint i = n; i-- > 0;)
        g_string_append_printf(buf, "%*s</backingStore>\n", 6 + 2 * (int)i, "");
}

static void
format_disk_iotune(GString *buf, const ArmzDomainDiskIotune *t)
{
    const struct { const char *name; guint64 v; } f[] = {
        { "total_bytes_sec", t->total_bytes_sec }, { "read_bytes_sec", t->read_bytes_sec },
        { "write_bytes_sec", t->write_bytes_sec }, { "total_iops_sec", t->total_iops_sec },
        { "read_iops_sec", t->read_iops_sec }, { "write_iops_sec", t->write_iops_sec },
    };

    g_string_append(buf, "      <iotune>\n");
    for (guint i = 0; i < G_N_ELEMENTS(f); i++)
        if (f[i].v)
            g_string_append_printf(buf, "        <%s>%" G_GUINT64_FORMAT "</%s>\n", f[i].name,
                                   f[i].v, f[i].name);
    g_string_append(buf, "      </iotune>\n");
}

/* <alias name=''/>: the driver's names in the live XML only, a user's
 * (ua-) in every one, as libvirt */
static void
format_alias(GString *buf, const char *alias, gboolean live)
{
    if (!alias || !(live || g_str_has_prefix(alias, "ua-")))
        return;
    g_string_append(buf, "      <alias");
    armz_xml_attr_append(buf, "name", alias);
    g_string_append(buf, "/>\n");
}

static void
format_disk_encryption(GString *buf, const ArmzDomainDiskDef *disk, int indent)
{
    g_string_append_printf(buf, "%*s<encryption", indent * 2, "");
    armz_xml_attr_append(buf, "format", disk->encryption_format);
    if (!disk->secret_uuid && !disk->secret_usage) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append_printf(buf, ">\n%*s<secret type='passphrase'", indent * 2 + 2, "");
    armz_xml_attr_append(buf, "uuid", disk->secret_uuid);
    armz_xml_attr_append(buf, "usage", disk->secret_usage);
    g_string_append_printf(buf, "/>\n%*s</encryption>\n", indent * 2, "");
}

/* <source ATTRS> closed, with its <encryption> when it has one */
static void
format_disk_source_end(GString *buf, const ArmzDomainDiskDef *disk)
{
    if (!disk->encryption_format || disk->encryption_in_disk) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append(buf, ">\n");
    format_disk_encryption(buf, disk, 4);
    g_string_append(buf, "      </source>\n");
}

static void
format_disk(GString *buf, const ArmzDomainDiskDef *disk, gboolean live)
{
    g_string_append_printf(buf, "    <disk type='%s' device='%s'>\n",
                           armz_domain_disk_type_to_string(disk->type),
                           armz_domain_disk_device_to_string(disk->device));
    if (disk->driver_name || disk->driver_type || disk->driver_cache ||
        disk->driver_io || disk->driver_discard || disk->driver_detect_zeroes ||
        disk->driver_error_policy || disk->driver_rerror_policy) {
        /* libvirt's attribute order */
        g_string_append(buf, "      <driver");
        armz_xml_attr_append(buf, "name", disk->driver_name);
        armz_xml_attr_append(buf, "type", disk->driver_type);
        armz_xml_attr_append(buf, "cache", disk->driver_cache);
        armz_xml_attr_append(buf, "error_policy", disk->driver_error_policy);
        armz_xml_attr_append(buf, "rerror_policy", disk->driver_rerror_policy);
        armz_xml_attr_append(buf, "io", disk->driver_io);
        armz_xml_attr_append(buf, "discard", disk->driver_discard);
        armz_xml_attr_append(buf, "detect_zeroes", disk->driver_detect_zeroes);
        g_string_append(buf, "/>\n");
    }
    if (disk->src_protocol) {
        g_string_append(buf, "      <source");
        armz_xml_attr_append(buf, "protocol", disk->src_protocol);
        armz_xml_attr_append(buf, "name", disk->src_name);
        g_string_append(buf, ">\n        <host");
        armz_xml_attr_append(buf, "transport", disk->src_host_transport);
        armz_xml_attr_append(buf, "name", disk->src_host_name);
        armz_xml_attr_append(buf, "port", disk->src_host_port);
        armz_xml_attr_append(buf, "socket", disk->src_host_socket);
        g_string_append(buf, "/>\n");
        if (disk->encryption_format && !disk->encryption_in_disk)
            format_disk_encryption(buf, disk, 4);
        g_string_append(buf, "      </source>\n");
    } else if (disk->src_path || disk->src_pool) {
        g_string_append(buf, "      <source");
        if (disk->type == ARMZ_DOMAIN_DISK_TYPE_FILE)
            armz_xml_attr_append(buf, "file", disk->src_path);
        else if (disk->type == ARMZ_DOMAIN_DISK_TYPE_BLOCK)
            armz_xml_attr_append(buf, "dev", disk->src_path);
        else {
            armz_xml_attr_append(buf, "pool", disk->src_pool);
            armz_xml_attr_append(buf, "volume", disk->src_volume);
        }
        format_disk_source_end(buf, disk);
    }
    if (disk->backing)
        format_disk_backing(buf, disk);
    g_string_append(buf, "      <target");
    armz_xml_attr_append(buf, "dev", disk->target_dev);
    armz_xml_attr_append(buf, "bus", disk->target_bus);
    if (disk->tray_open)
        g_string_append(buf, " tray='open'");
    g_string_append(buf, "/>\n");
    if (armz_domain_disk_has_iotune(disk))
        format_disk_iotune(buf, &disk->iotune);
    if (disk->readonly)
        g_string_append(buf, "      <readonly/>\n");
    if (disk->shareable)
        g_string_append(buf, "      <shareable/>\n");
    armz_xml_text_element(buf, 3, "serial", disk->serial);
    if (disk->encryption_format && disk->encryption_in_disk)
        format_disk_encryption(buf, disk, 3);
    format_boot(buf, disk->boot_order);
    format_alias(buf, disk->alias, live);
    armz_conf_address_format(buf, disk->address, 3);
    g_string_append(buf, "    </disk>\n");
}

static void
format_controller(GString *buf, const ArmzDomainControllerDef *ctrl)
{
    g_string_append(buf, "    <controller");
    armz_xml_attr_append(buf, "type", ctrl->type);
    if (ctrl->index >= 0)
        g_string_append_printf(buf, " index='%d'", ctrl->index);
    armz_xml_attr_append(buf, "model", ctrl->model);
    if (ctrl->children->len == 0) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append(buf, ">\n");
    for (guint i = 0; i < ctrl->children->len; i++)
        armz_xml_fragment_append(buf, g_ptr_array_index(ctrl->children, i), 3);
    g_string_append(buf, "    </controller>\n");
}

static void
format_interface(GString *buf, const ArmzDomainNetDef *net, gboolean live)
{
    char mac[18];

    armz_mac_format(net->mac, mac);
    g_string_append_printf(buf, "    <interface type='%s'>\n",
                           armz_domain_net_type_to_string(net->type));
    g_string_append_printf(buf, "      <mac address='%s'/>\n", mac);
    if (net->source_network || net->source_bridge) {
        g_string_append(buf, "      <source");
        armz_xml_attr_append(buf, "network", net->source_network);
        armz_xml_attr_append(buf, "bridge", net->source_bridge);
        g_string_append(buf, "/>\n");
    }
    if (net->vport_type) {
        g_string_append(buf, "      <virtualport");
        armz_xml_attr_append(buf, "type", net->vport_type);
        g_string_append(buf, ">\n        <parameters");
        armz_xml_attr_append(buf, "interfaceid", net->vport_interfaceid);
        armz_xml_attr_append(buf, "profileid", net->vport_profileid);
        g_string_append(buf, "/>\n      </virtualport>\n");
    }
    if (net->target_dev || net->target_unmanaged) {
        g_string_append(buf, "      <target");
        armz_xml_attr_append(buf, "dev", net->target_dev);
        if (net->target_unmanaged)
            armz_xml_attr_append(buf, "managed", "no");
        g_string_append(buf, "/>\n");
    }
    if (net->model) {
        g_string_append(buf, "      <model");
        armz_xml_attr_append(buf, "type", net->model);
        g_string_append(buf, "/>\n");
    }
    if (net->driver_name) {
        g_string_append(buf, "      <driver");
        armz_xml_attr_append(buf, "name", net->driver_name);
        g_string_append(buf, "/>\n");
    }
    if (net->link_state)
        g_string_append_printf(buf, "      <link state='%s'/>\n", net->link_state);
    if (net->mtu)
        g_string_append_printf(buf, "      <mtu size='%u'/>\n", net->mtu);
    format_boot(buf, net->boot_order);
    format_alias(buf, net->alias, live);
    armz_conf_address_format(buf, net->address, 3);
    g_string_append(buf, "    </interface>\n");
}

static void
format_chr(GString *buf, const char *elem, const ArmzDomainChrDef *chr, gboolean live)
{
    /* A pty's path exists only while the guest runs. */
    gboolean show_source = chr->source_path &&
                           (chr->type != ARMZ_DOMAIN_CHR_TYPE_PTY || live);
    g_autoptr(GString) body = g_string_new(NULL);

    if (show_source || chr->source_host) {
        g_string_append(body, "      <source");
        armz_xml_attr_append(body, "mode", chr->source_mode);
        armz_xml_attr_append(body, "path", chr->source_path);
        armz_xml_attr_append(body, "host", chr->source_host);
        armz_xml_attr_append(body, "service", chr->source_service);
        g_string_append(body, "/>\n");
    }
    if (chr->type == ARMZ_DOMAIN_CHR_TYPE_TCP) {
        g_string_append(body, "      <protocol");
        armz_xml_attr_append(body, "type", chr->protocol ? chr->protocol : "raw");
        g_string_append(body, "/>\n");
    }
    if (chr->log_file) {
        g_string_append(body, "      <log");
        armz_xml_attr_append(body, "file", chr->log_file);
        armz_xml_attr_append(body, "append", chr->log_append);
        g_string_append(body, "/>\n");
    }
    if (chr->target_type || chr->target_port >= 0 || chr->target_model) {
        g_string_append(body, "      <target");
        armz_xml_attr_append(body, "type", chr->target_type);
        if (chr->target_port >= 0)
            g_string_append_printf(body, " port='%d'", chr->target_port);
        if (chr->target_model) {
            g_string_append(body, ">\n        <model");
            armz_xml_attr_append(body, "name", chr->target_model);
            g_string_append(body, "/>\n      </target>\n");
        } else {
            g_string_append(body, "/>\n");
        }
    }
    armz_conf_address_format(body, chr->address, 3);

    g_string_append_printf(buf, "    <%s type='%s'", elem,
                           armz_domain_chr_type_to_string(chr->type));
    if (body->len == 0) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append_printf(buf, ">\n%s    </%s>\n", body->str, elem);
}

static void
format_rng(GString *buf, const ArmzDomainRngDef *rng)
{
    g_string_append(buf, "    <rng");
    armz_xml_attr_append(buf, "model", rng->model);
    g_string_append(buf, ">\n");
    if (rng->rate_bytes) {
        g_string_append_printf(buf, "      <rate bytes='%u'", rng->rate_bytes);
        if (rng->rate_period)
            g_string_append_printf(buf, " period='%u'", rng->rate_period);
        g_string_append(buf, "/>\n");
    }
    g_string_append(buf, "      <backend");
    armz_xml_attr_append(buf, "model", rng->backend_model);
    if (rng->backend_path) {
        g_string_append_c(buf, '>');
        armz_xml_escape_append(buf, rng->backend_path);
        g_string_append(buf, "</backend>\n");
    } else {
        g_string_append(buf, "/>\n");
    }
    armz_conf_address_format(buf, rng->address, 3);
    g_string_append(buf, "    </rng>\n");
}

static void
format_channel(GString *buf, const ArmzDomainChannelDef *ch, gboolean live)
{
    g_string_append(buf, "    <channel");
    armz_xml_attr_append(buf, "type", ch->type);
    g_string_append(buf, ">\n");
    if (ch->source_mode || ch->source_path) {
        g_string_append(buf, "      <source");
        armz_xml_attr_append(buf, "mode", ch->source_mode);
        armz_xml_attr_append(buf, "path", ch->source_path);
        g_string_append(buf, "/>\n");
    }
    g_string_append(buf, "      <target");
    armz_xml_attr_append(buf, "type", ch->target_type);
    armz_xml_attr_append(buf, "name", ch->target_name);
    if (live && ch->state)
        armz_xml_attr_append(buf, "state",
                             ch->state == ARMZ_TRISTATE_ON ? "connected" : "disconnected");
    g_string_append(buf, "/>\n");
    armz_conf_address_format(buf, ch->address, 3);
    g_string_append(buf, "    </channel>\n");
}

static void
format_memballoon(GString *buf, const ArmzDomainMemballoonDef *mb)
{
    const char *ad = armz_conf_tristate_to_string(mb->autodeflate, FALSE);
    const char *fpr = armz_conf_tristate_to_string(mb->free_page_reporting, FALSE);

    g_string_append_printf(buf, "    <memballoon model='%s'", mb->virtio ? "virtio" : "none");
    if (ad)
        g_string_append_printf(buf, " autodeflate='%s'", ad);
    if (fpr)
        g_string_append_printf(buf, " freePageReporting='%s'", fpr);
    if (!mb->has_stats_period && !mb->address) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append(buf, ">\n");
    if (mb->has_stats_period)
        g_string_append_printf(buf, "      <stats period='%u'/>\n", mb->stats_period);
    armz_conf_address_format(buf, mb->address, 3);
    g_string_append(buf, "    </memballoon>\n");
}

static void
format_vsock(GString *buf, const ArmzDomainVsockDef *v)
{
    const char *a = armz_conf_tristate_to_string(v->cid_auto, TRUE);

    g_string_append(buf, "    <vsock model='virtio'>\n");
    if (a || v->cid) {
        g_string_append(buf, "      <cid");
        armz_xml_attr_append(buf, "auto", a);
        if (v->cid)
            g_string_append_printf(buf, " address='%u'", v->cid);
        g_string_append(buf, "/>\n");
    }
    armz_conf_address_format(buf, v->address, 3);
    g_string_append(buf, "    </vsock>\n");
}

void
armz_domain_devices_format(GString *buf, const ArmzDomainDef *def, gboolean live)
{
    if (!def->emulator && !def->disks->len && !def->controllers->len && !def->nets->len &&
        !def->serials->len && !def->consoles->len && !def->has_memballoon && !def->rngs->len &&
        !def->channels->len && !def->has_vsock && !def->filesystems->len) {
        g_string_append(buf, "  <devices/>\n");
        return;
    }
    g_string_append(buf, "  <devices>\n");
    armz_xml_text_element(buf, 2, "emulator", def->emulator);
    for (guint i = 0; i < def->disks->len; i++)
        format_disk(buf, g_ptr_array_index(def->disks, i), live);
    for (guint i = 0; i < def->controllers->len; i++)
        format_controller(buf, g_ptr_array_index(def->controllers, i));
    for (guint i = 0; i < def->filesystems->len; i++)
        armz_domain_fs_format(buf, g_ptr_array_index(def->filesystems, i));
    for (guint i = 0; i < def->nets->len; i++)
        format_interface(buf, g_ptr_array_index(def->nets, i), live);
    for (guint i = 0; i < def->serials->len; i++)
        format_chr(buf, "serial", g_ptr_array_index(def->serials, i), live);
    for (guint i = 0; i < def->consoles->len; i++)
        format_chr(buf, "console", g_ptr_array_index(def->consoles, i), live);
    for (guint i = 0; i < def->channels->len; i++)
        format_channel(buf, g_ptr_array_index(def->channels, i), live);
    if (def->has_memballoon)
        format_memballoon(buf, &def->memballoon);
    for (guint i = 0; i < def->rngs->len; i++)
        format_rng(buf, g_ptr_array_index(def->rngs, i));
    if (def->has_vsock)
        format_vsock(buf, &def->vsock);
    g_string_append(buf, "  </devices>\n");
}
