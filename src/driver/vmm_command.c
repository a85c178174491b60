/* Domain definition -> armz-vmm launch plan. Pure: reads the definition
 * and the context, opens nothing. What the definition alone decides is the
 * validator's (domain_validate.c); here are only the host's side (KVM,
 * networks, volumes) and the plan itself. */
#include <stdarg.h>
#include <string.h>
#include <libvirt/virterror.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/uuid.h"
#include "driver/domain_validate.h"
#include "driver/vmm_command.h"
#include "driver/domain_hotplug_priv.h"
#include "driver/pci_address.h"

typedef struct {
    const ArmzDomainDef *def;
    const ArmzLaunchCtx *ctx;
    ArmzLaunchPlan *plan;
    const ArmzPciPlan *pci;     /* PCI addresses (pci_address.c) */
} Builder;

/* ---------------- plan construction ---------------- */

static void
fd_free(gpointer p)
{
    ArmzLaunchFd *fd = p;

    g_free(fd->path);
    g_free(fd->tap.ifname);
    g_free(fd->tap.bridge);
    g_free(fd->tap.ovs_bridge);
    g_free(fd->port);
    g_free(fd->tap.ovs_iface_id);
    g_free(fd->role);
    g_free(fd);
}

void
armz_launch_plan_free(ArmzLaunchPlan *plan)
{
    if (!plan)
        return;
    g_ptr_array_unref(plan->argv);
    g_ptr_array_unref(plan->fds);
    g_ptr_array_unref(plan->chardevs);
    g_free(plan->qmp_path);
    g_free(plan->pidfile);
    armz_qsd_plan_free(plan->qsd);
    if (plan->virtiofsds)
        g_ptr_array_unref(plan->virtiofsds);
    g_free(plan->vhost_dir);
    g_free(plan);
}

static void
arg(Builder *b, const char *a)
{
    g_ptr_array_add(b->plan->argv, g_strdup(a));
}

static void G_GNUC_PRINTF(2, 3)
argf(Builder *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_ptr_array_add(b->plan->argv, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

static ArmzLaunchFd *
add_fd(Builder *b, ArmzLaunchFdKind kind, const char *path, const char *role, int device_index)
{
    ArmzLaunchFd *fd = g_new0(ArmzLaunchFd, 1);

    /* 0-2 are the child's stdio (the domain log) */
    fd->num = 3 + (int)b->plan->fds->len;
    fd->kind = kind;
    fd->path = g_strdup(path);
    fd->role = g_strdup(role);
    fd->device_index = device_index;
    g_ptr_array_add(b->plan->fds, fd);
    return fd;
}

static ArmzLaunchChr *
add_chr(Builder *b, ArmzLaunchChrList list, guint index, ArmzDomainChrType type)
{
    ArmzLaunchChr *chr = g_new0(ArmzLaunchChr, 1);

    chr->list = list;
    chr->index = index;
    chr->type = type;
    chr->fd = chr->log_fd = chr->alias_of = -1;
    g_ptr_array_add(b->plan->chardevs, chr);
    return chr;
}

/* Adds the backend fd (if any) and the log fd (if any) of CHR, and the
 * options OPT / OPT-log. */
static void
plan_chr_fds(Builder *b, const ArmzDomainChrDef *chr, ArmzLaunchChr *rec, const char *opt,
             const char *role, int index)
{
    g_autofree char *log_opt = g_strconcat(opt, "-log", NULL);
    g_autofree char *log_role = g_strconcat(role, "-log", NULL);
    ArmzLaunchFd *fd;

    switch (chr->type) {
    case ARMZ_DOMAIN_CHR_TYPE_PTY:
        fd = add_fd(b, ARMZ_LAUNCH_FD_PTY, NULL, role, index);
        rec->fd = fd->num;
        arg(b, opt);
        argf(b, "fd:%d", fd->num);
        break;
    case ARMZ_DOMAIN_CHR_TYPE_FILE:
        /* QEMU's file chardev truncates; <source append=''> is not kept by
         * conf/, so that is what the file gets */
        fd = add_fd(b, ARMZ_LAUNCH_FD_FILE_OUT, chr->source_path, role, index);
        rec->fd = fd->num;
        arg(b, opt);
        argf(b, "fd:%d", fd->num);
        break;
    case ARMZ_DOMAIN_CHR_TYPE_TCP:
        fd = add_fd(b, ARMZ_LAUNCH_FD_TCP_LISTEN, chr->source_host, role, index);
        fd->port = g_strdup(chr->source_service);
        rec->fd = fd->num;
        arg(b, opt);
        argf(b, "listen:fd:%d", fd->num);
        break;
    default:
        /* null: the device is there, its output goes nowhere */
        arg(b, opt);
        arg(b, "none");
        break;
    }
    if (chr->log_file) {
        fd = add_fd(b, ARMZ_LAUNCH_FD_FILE_OUT, chr->log_file, log_role, index);
        fd->append = g_strcmp0(chr->log_append, "on") == 0;
        rec->log_fd = fd->num;
        arg(b, log_opt);
        argf(b, "fd:%d", fd->num);
    }
}

/* ",pci=BUS:SLOT" or ",pci=off" of a device option, from the plan */
static void
pci_key(GString *opt, const ArmzPciDevAddr *a)
{
    if (a->set)
        g_string_append_printf(opt, ",pci=%u:%u", a->bus, a->slot);
    else if (a->mmio)
        g_string_append(opt, ",pci=off");
}

/* OPT BUS:SLOT (or off): an address option of its own */
static void
pci_arg(Builder *b, const char *opt, const ArmzPciDevAddr *a)
{
    if (!a->set && !a->mmio)
        return;
    arg(b, opt);
    if (a->set)
        argf(b, "%u:%u", a->bus, a->slot);
    else
        arg(b, "off");
}

static gboolean
plan_chardevs(Builder *b, GError **error)
{
    ArmzDomainChrLayout l;
    ArmzLaunchChr *uart_rec = NULL;

    if (!armz_domain_chr_layout(b->def, &l, error))
        return FALSE;
    /* the VMM's own default is its stdio, which belongs to the domain log */
    if (l.uart) {
        uart_rec = add_chr(b, l.uart_is_console ? ARMZ_LAUNCH_CHR_CONSOLE : ARMZ_LAUNCH_CHR_SERIAL,
                           0, l.uart->type);
        plan_chr_fds(b, l.uart, uart_rec, "--serial", l.uart_is_console ? "console0" : "serial0",
                     0);
    } else {
        arg(b, "--serial");
        arg(b, "none");
    }
    if (l.alias_console >= 0) {
        ArmzLaunchChr *rec = add_chr(b, ARMZ_LAUNCH_CHR_CONSOLE, 0, l.uart->type);
        rec->fd = uart_rec->fd;
        rec->log_fd = uart_rec->log_fd;
        rec->alias_of = 0;
    }
    if (l.vcon) {
        g_autofree char *role = g_strdup_printf("console%u", l.vcon_index);
        ArmzLaunchChr *rec = add_chr(b, ARMZ_LAUNCH_CHR_CONSOLE, l.vcon_index, l.vcon->type);
        plan_chr_fds(b, l.vcon, rec, "--console", role, (int)l.vcon_index);
        pci_arg(b, "--console-pci", &b->pci->serial);
    }
    return TRUE;
}

/* ---------------- disks ---------------- */

/* The path the daemon opens: the definition's, or the storage driver's for
 * a volume. */
static gboolean
disk_source(Builder *b, const ArmzDomainDiskDef *disk, char **path, GError **error)
{
    const ArmzLaunchCtx *ctx = b->ctx;
    g_autofree char *p = NULL;
    g_autofree char *what = NULL;

    if (disk->type != ARMZ_DOMAIN_DISK_TYPE_VOLUME) {
        *path = g_strdup(disk->src_path);
        return TRUE;
    }
    if (!ctx->resolve_volume) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk '%s' uses storage volume '%s' of pool '%s', but the storage "
                      "driver is not available"),
                    disk->target_dev, disk->src_volume, disk->src_pool);
        return FALSE;
    }
    if (!ctx->resolve_volume(disk->src_pool, disk->src_volume,
                             disk->driver_type ? disk->driver_type : "raw", &p,
                             ctx->volume_opaque, error)) {
        if (error && !*error)
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                        _("cannot resolve storage volume '%s' of pool '%s'"),
                        disk->src_volume, disk->src_pool);
        return FALSE;
    }
    what = g_strdup_printf(_("disk '%s'"), disk->target_dev);
    if (!armz_domain_check_abs_path(p, what, error))
        return FALSE;
    *path = g_steal_pointer(&p);
    return TRUE;
}

/* the place of <boot dev='DEV'> among the <os><boot> elements, 0: none */
static guint
boot_dev_index(const ArmzDomainDef *def, const char *dev)
{
    for (guint i = 0; def->os_boot_devs && def->os_boot_devs[i]; i++) {
        if (g_str_equal(def->os_boot_devs[i], dev))
            return i + 1;
    }
    return 0;
}

static gboolean
first_cdrom(const ArmzDomainDef *def, const ArmzDomainDiskDef *disk)
{
    for (guint i = 0; i < def->disks->len; i++) {
        const ArmzDomainDiskDef *d = g_ptr_array_index(def->disks, i);
        if (d->device == ARMZ_DOMAIN_DISK_DEVICE_CDROM)
            return d == disk;
    }
    return FALSE;
}

/* What the firmware boots first: <boot order>, or for the first disk (SLOT
 * 0 of the virtio disks) the place of <boot dev='hd'> among the <os><boot>
 * elements, for the first CD-ROM (any bus) that of <boot dev='cdrom'>
 * (libvirt turns those into the devices' bootindex too). 0: none. */
static guint
disk_bootindex(const ArmzDomainDef *def, const ArmzDomainDiskDef *disk, guint slot)
{
    if (!armz_domain_uses_firmware(def))
        return 0;
    if (disk->boot_order)
        return disk->boot_order;
    if (disk->device == ARMZ_DOMAIN_DISK_DEVICE_CDROM)
        return first_cdrom(def, disk) ? boot_dev_index(def, "cdrom") : 0;
    return slot == 0 ? boot_dev_index(def, "hd") : 0;
}

/* libvirt's error_policy/rerror_policy as armz-vmm's (QEMU's) werror and
 * rerror: enospace is spelled enospc and is a write policy only; without
 * rerror_policy reads follow error_policy. */
static void
disk_error_opts(GString *opt, const ArmzDomainDiskDef *disk)
{
    const char *w = disk->driver_error_policy, *r = disk->driver_rerror_policy;

    if (w && g_str_equal(w, "enospace"))
        w = "enospc";
    else if (!r)
        r = w;
    if (w)
        g_string_append_printf(opt, ",werror=%s", w);
    if (r)
        g_string_append_printf(opt, ",rerror=%s", r);
}

/* --disk keys of the <driver> modes, only where they differ from the
 * defaults (cache=writeback, discard=ignore, detect-zeroes=off, io=threads) */
static void
disk_mode_opts(GString *opt, ArmzLaunchFd *fd, const ArmzDomainDiskDef *disk)
{
    const char *cache = disk->driver_cache, *dz = disk->driver_detect_zeroes;
    gboolean unmap = g_strcmp0(disk->driver_discard, "unmap") == 0;

    if (cache && !g_str_equal(cache, "default") && !g_str_equal(cache, "writeback")) {
        g_string_append_printf(opt, ",cache=%s", cache);
        fd->direct = g_str_equal(cache, "none") || g_str_equal(cache, "directsync");
        fd->dsync = g_str_equal(cache, "writethrough") || g_str_equal(cache, "directsync");
    }
    if (unmap)
        g_string_append(opt, ",discard=unmap");
    /* as libvirt: unmapping zeroes needs discard='unmap', else it is 'on' */
    if (dz && !g_str_equal(dz, "off"))
        g_string_append_printf(opt, ",detect-zeroes=%s",
                               g_str_equal(dz, "unmap") && !unmap ? "on" : dz);
    if (disk->driver_io && !g_str_equal(disk->driver_io, "threads"))
        g_string_append_printf(opt, ",io=%s", disk->driver_io);
    disk_error_opts(opt, disk);
}

/* A disk of qemu-storage-daemon: its chain, its export, and the VMM's
 * vhost-user-blk device on the export's socket. */
static gboolean
plan_qsd_disk(Builder *b, const ArmzDomainDiskDef *disk, guint pos, const char *path,
              guint64 index, GError **error)
{
    const ArmzLaunchCtx *ctx = b->ctx;
    GPtrArray *chain = NULL;
    g_autofree char *socket = NULL;
    GString *opt;

    if (!b->plan->qsd)
        b->plan->qsd = armz_qsd_plan_new(ctx->qsd_path, b->plan->vhost_dir,
                                         b->def->disks->len);
    if (disk->type == ARMZ_DOMAIN_DISK_TYPE_NETWORK) {
        armz_qsd_plan_add_network_disk(b->plan->qsd, disk, &socket);
    } else if (!ctx->resolve_chain) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("cannot read the backing chain of disk '%s'"), disk->target_dev);
        return FALSE;
    } else if (!ctx->resolve_chain(path, disk->driver_type ? disk->driver_type : "raw", &chain,
                                   ctx->chain_opaque, error) ||
               !armz_qsd_plan_add_disk(b->plan->qsd, disk, pos, chain, &socket, error)) {
        return FALSE;
    }
    opt = g_string_new("socket=");
    g_string_append_printf(opt, "%s,id=virtio-disk%" G_GUINT64_FORMAT, socket, index);
    if (disk->boot_order)
        g_string_append_printf(opt, ",bootindex=%u", disk->boot_order);
    if (disk->readonly)
        g_string_append(opt, ",readonly=on");
    pci_key(opt, &b->pci->disks[pos]);
    arg(b, "--vhost-user-blk");
    g_ptr_array_add(b->plan->argv, g_string_free(opt, FALSE));
    return TRUE;
}

static gboolean
plan_disks(Builder *b, GError **error)
{
    g_autoptr(GArray) slots = armz_domain_disks_in_order(b->def, error);

    if (!slots)
        return FALSE;
    for (guint i = 0; i < slots->len; i++) {
        const ArmzDomainDiskSlot *s = &g_array_index(slots, ArmzDomainDiskSlot, i);
        const ArmzDomainDiskDef *disk = g_ptr_array_index(b->def->disks, s->pos);
        g_autofree char *path = NULL;
        g_autofree char *role = NULL;
        GString *opt;
        ArmzLaunchFd *fd;

        if (!disk_source(b, disk, &path, error))
            return FALSE;
        if (armz_domain_disk_uses_qsd(disk)) {
            if (!plan_qsd_disk(b, disk, s->pos, path, s->index, error))
                return FALSE;
            continue;
        }
        role = g_strdup_printf("virtio-disk%" G_GUINT64_FORMAT, s->index);
        fd = add_fd(b, ARMZ_LAUNCH_FD_DISK, path, role, (int)s->pos);
        fd->readonly = disk->readonly;
        opt = g_string_new(NULL);
        g_string_append_printf(opt, "fd=%d", fd->num);
        if (fd->readonly)
            g_string_append(opt, ",readonly=on");
        if (disk->serial)
            g_string_append_printf(opt, ",serial=%s", disk->serial);
        disk_mode_opts(opt, fd, disk);
        if (disk_bootindex(b->def, disk, i))
            g_string_append_printf(opt, ",bootindex=%u", disk_bootindex(b->def, disk, i));
        if (b->pci->disks[s->pos].set) {
            /* its alias: what a live detach names it by (device_del) */
            g_autofree char *alias = armz_hotplug_disk_alias(b->def, disk);
            g_string_append_printf(opt, ",pci=%u:%u", b->pci->disks[s->pos].bus,
                                   b->pci->disks[s->pos].slot);
            if (alias)
                g_string_append_printf(opt, ",id=%s", alias);
        }
        else if (b->pci->disks[s->pos].mmio)
            g_string_append(opt, ",pci=off");
        arg(b, "--disk");
        g_ptr_array_add(b->plan->argv, g_string_free(opt, FALSE));
    }
    return TRUE;
}

/* SCSI disks and CD-ROMs on the virtio-scsi controller: LUN = unit, id as
 * libvirt names the device (scsi0-0-0-UNIT) */
static gboolean
plan_scsi(Builder *b, GError **error)
{
    gboolean any = FALSE;

    for (guint i = 0; i < b->def->disks->len; i++) {
        const ArmzDomainDiskDef *disk = g_ptr_array_index(b->def->disks, i);
        gboolean cdrom = disk->device == ARMZ_DOMAIN_DISK_DEVICE_CDROM;
        g_autofree char *path = NULL;
        GString *opt;
        guint unit;

        if (!armz_domain_disk_is_scsi(disk))
            continue;
        if (!armz_domain_scsi_unit(disk, &unit, error))
            return FALSE;
        opt = g_string_new(NULL);
        if (!cdrom || disk->src_path || disk->type == ARMZ_DOMAIN_DISK_TYPE_VOLUME) {
            g_autofree char *role = g_strdup_printf("scsi-disk%u", unit);
            ArmzLaunchFd *fd;

            if (!disk_source(b, disk, &path, error)) {
                g_string_free(opt, TRUE);
                return FALSE;
            }
            fd = add_fd(b, ARMZ_LAUNCH_FD_DISK, path, role, (int)i);
            fd->readonly = disk->readonly || cdrom;
            g_string_append_printf(opt, "fd=%d,", fd->num);
            if (fd->readonly && !cdrom)
                g_string_append(opt, "readonly=on,");
        }
        g_string_append_printf(opt, "lun=%u,id=scsi0-0-0-%u", unit, unit);
        if (disk->serial && !cdrom)
            g_string_append_printf(opt, ",serial=%s", disk->serial);
        /* (no slot: <boot dev='hd'> is the first virtio disk's) */
        if (disk_bootindex(b->def, disk, G_MAXUINT))
            g_string_append_printf(opt, ",bootindex=%u", disk_bootindex(b->def, disk, G_MAXUINT));
        arg(b, cdrom ? "--scsi-cdrom" : "--scsi-disk");
        g_ptr_array_add(b->plan->argv, g_string_free(opt, FALSE));
        any = TRUE;
    }
    /* its controller: the one virtio-scsi controller, index 0 */
    for (guint i = 0; any && i < b->def->controllers->len; i++) {
        const ArmzDomainControllerDef *ctrl = g_ptr_array_index(b->def->controllers, i);
        if (g_strcmp0(ctrl->type, "scsi") == 0) {
            pci_arg(b, "--scsi-pci", &b->pci->ctrls[i]);
            break;
        }
    }
    return TRUE;
}

/* ---------------- virtiofs ---------------- */

static void
virtiofsd_free(gpointer p)
{
    ArmzVirtiofsdPlan *v = p;

    g_ptr_array_unref(v->argv);
    g_free(v->socket);
    g_free(v);
}

static gboolean
plan_filesystems(Builder *b, GError **error)
{
    const ArmzLaunchCtx *ctx = b->ctx;

    for (guint i = 0; i < b->def->filesystems->len; i++) {
        const ArmzDomainFsDef *fs = g_ptr_array_index(b->def->filesystems, i);
        const char *bin = fs->binary_path ? fs->binary_path : ctx->virtiofsd_path;
        ArmzVirtiofsdPlan *v;
        GString *opt;

        if (!bin) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("filesystem '%s' needs virtiofsd, but no vhost-user backend of type "
                          "'fs' is described in /etc/qemu/vhost-user or "
                          "/usr/share/qemu/vhost-user"), fs->target_dir);
            return FALSE;
        }
        if (strchr(fs->source_dir, ',')) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("filesystem '%s': virtiofsd cannot share a directory whose path has "
                          "a comma (%s)"), fs->target_dir, fs->source_dir);
            return FALSE;
        }
        if (!b->plan->virtiofsds)
            b->plan->virtiofsds = g_ptr_array_new_with_free_func(virtiofsd_free);
        v = g_new0(ArmzVirtiofsdPlan, 1);
        v->argv = g_ptr_array_new_with_free_func(g_free);
        v->socket = g_strdup_printf("%s/fs%u.sock", b->plan->vhost_dir, i);
        g_ptr_array_add(v->argv, g_strdup(bin));
        g_ptr_array_add(v->argv, g_strdup("--fd=3"));
        g_ptr_array_add(v->argv, g_strdup("-o"));
        g_ptr_array_add(v->argv, g_strdup_printf("source=%s", fs->source_dir));
        if (fs->sandbox) {
            g_ptr_array_add(v->argv, g_strdup("-o"));
            g_ptr_array_add(v->argv, g_strdup_printf("sandbox=%s", fs->sandbox));
        }
        g_ptr_array_add(b->plan->virtiofsds, v);
        opt = g_string_new("socket=");
        g_string_append_printf(opt, "%s,tag=%s,id=fs%u", v->socket, fs->target_dir, i);
        if (fs->queue_size)
            g_string_append_printf(opt, ",queue-size=%u", fs->queue_size);
        pci_key(opt, &b->pci->fss[i]);
        arg(b, "--vhost-user-fs");
        g_ptr_array_add(b->plan->argv, g_string_free(opt, FALSE));
    }
    return TRUE;
}

/* ---------------- interfaces ---------------- */

/* The bridge a network's taps join, from the network driver. */
static gboolean
network_bridge(Builder *b, const ArmzDomainNetDef *net, char **bridge, GError **error)
{
    const ArmzLaunchCtx *ctx = b->ctx;

    if (!ctx->resolve_network) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<interface type='network'> (network '%s') needs the network "
                      "driver, which is not available"), net->source_network);
        return FALSE;
    }
    if (!ctx->resolve_network(net->source_network, bridge, ctx->network_opaque, error)) {
        if (error && !*error)
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                        _("cannot resolve network '%s'"), net->source_network);
        return FALSE;
    }
    if (!*bridge || !**bridge) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("network '%s' has no bridge for the guest's tap device"),
                    net->source_network);
        return FALSE;
    }
    return TRUE;
}

static gboolean
plan_nets(Builder *b, GError **error)
{
    const GPtrArray *nets = b->def->nets;

    for (guint i = 0; i < nets->len; i++) {
        const ArmzDomainNetDef *net = g_ptr_array_index(nets, i);
        g_autofree char *bridge = NULL;
        g_autofree char *role = g_strdup_printf("net%u", i);
        g_autofree char *alias = NULL;
        const char *link = g_strcmp0(net->link_state, "down") == 0 ? ",link=down" : "";
        char mac[18];
        ArmzLaunchFd *fd;

        if (net->type == ARMZ_DOMAIN_NET_TYPE_NETWORK &&
            !network_bridge(b, net, &bridge, error))
            return FALSE;
        if (net->type == ARMZ_DOMAIN_NET_TYPE_BRIDGE)
            bridge = g_strdup(net->source_bridge);
        /* ethernet: a tap of its own, on no bridge */

        fd = add_fd(b, ARMZ_LAUNCH_FD_TAP, NULL, role, (int)i);
        fd->tap.ifname = g_strdup(armz_domain_net_ifname(net));
        fd->tap.unmanaged = net->target_unmanaged;
        if (net->vport_type) {
            /* an Open vSwitch bridge: a port in OVSDB, not a Linux bridge slave */
            fd->tap.ovs_bridge = g_steal_pointer(&bridge);
            fd->tap.ovs_iface_id = g_strdup(net->vport_interfaceid);
            memcpy(fd->tap.vm_uuid, b->def->uuid, 16);
        }
        fd->tap.bridge = g_steal_pointer(&bridge);
        fd->tap.mtu = net->mtu;
        memcpy(fd->tap.mac, net->mac, sizeof(fd->tap.mac));
        armz_mac_format(net->mac, mac);
        arg(b, "--net");
        /* its alias (net0, net1, ... in order, or the user's): what a live
         * detach and set_link name it by */
        alias = net->alias && g_str_has_prefix(net->alias, "ua-")
            ? g_strdup(net->alias) : g_strdup_printf("net%u", i);
        if (b->pci->nets[i].set) {
            argf(b, "fd=%d,mac=%s,pci=%u:%u,id=%s%s", fd->num, mac, b->pci->nets[i].bus,
                 b->pci->nets[i].slot, alias, link);
        } else {
            argf(b, "fd=%d,mac=%s%s,id=%s%s", fd->num, mac,
                 b->pci->nets[i].mmio ? ",pci=off" : "", alias, link);
        }
    }
    return TRUE;
}

/* ---------------- rng ---------------- */

static void
plan_rngs(Builder *b)
{
    const ArmzDomainRngDef *rng;
    ArmzLaunchFd *fd;

    if (b->def->rngs->len == 0)
        return;
    rng = g_ptr_array_index(b->def->rngs, 0);
    fd = add_fd(b, ARMZ_LAUNCH_FD_RNG, rng->backend_path ? rng->backend_path : "/dev/urandom",
                "rng0", 0);
    arg(b, "--rng");
    argf(b, "fd:%d", fd->num);
    pci_arg(b, "--rng-pci", &b->pci->rngs[0]);
}

/* ---------------- PCI ---------------- */

/* pcie-root: the host bridge and the root ports (the devices' addresses
 * go with them) */
static void
plan_pci(Builder *b)
{
    if (!b->pci->active)
        return;
    arg(b, "--pci");
    for (guint i = 0; i < b->pci->ports->len; i++) {
        const ArmzPciRootPort *rp = &g_array_index(b->pci->ports, ArmzPciRootPort, i);
        arg(b, "--pcie-root-port");
        argf(b, "index=%u,addr=%u.%u,chassis=%u,port=%u%s", rp->index, rp->slot, rp->function,
             rp->chassis, rp->port,
             rp->hotplug_off ? ",hotplug=off" : "");
    }
}

/* ---------------- firmware ---------------- */

static gboolean
feature_on(const ArmzDomainDef *def, const char *name)
{
    const ArmzDomainFeatureDef *f = armz_domain_def_find_feature(def, name);
    return f && f->state != ARMZ_TRISTATE_OFF;
}

/* <sysinfo> blocks as --smbios type=N,key=value (commas doubled); with
 * mode 'host', the host's blocks 0 and 1 (libvirt: all but the UUID) */
static gboolean
plan_smbios(Builder *b, GError **error)
{
    static const struct { const char *block; int type; } types[] = {
        { "bios", 0 }, { "system", 1 }, { "chassis", 3 },
    };
    const char *const *host = b->ctx->host_smbios;

    if (g_strcmp0(b->def->os_smbios_mode, "host") == 0) {
        if (!host || !host[0]) {
            g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                                _("<smbios mode='host'>: this host has no SMBIOS "
                                  "information to copy"));
            return FALSE;
        }
        for (; *host; host++) {
            arg(b, "--smbios");
            arg(b, *host);
        }
        return TRUE;
    }
    if (g_strcmp0(b->def->os_smbios_mode, "sysinfo") != 0)
        return TRUE;
    for (guint i = 0; i < b->def->sysinfo->len; i++) {
        const ArmzDomainSysinfoBlock *blk = g_ptr_array_index(b->def->sysinfo, i);
        GString *opt;
        guint t;

        for (t = 0; t < G_N_ELEMENTS(types) && !g_str_equal(types[t].block, blk->block); t++)
            ;
        if (t == G_N_ELEMENTS(types) || !blk->entries->len)
            continue;   /* the validator refused other blocks */
        opt = g_string_new(NULL);
        g_string_append_printf(opt, "type=%d", types[t].type);
        for (guint j = 0; j < blk->entries->len; j++) {
            const ArmzXmlAttr *a = g_ptr_array_index(blk->entries, j);
            g_auto(GStrv) parts = g_strsplit(a->value ? a->value : "", ",", -1);
            g_autofree char *val = g_strjoinv(",,", parts);

            g_string_append_printf(opt, ",%s=%s", a->name, val);
        }
        arg(b, "--smbios");
        g_ptr_array_add(b->plan->argv, g_string_free(opt, FALSE));
    }
    return TRUE;
}

static gboolean
plan_firmware(Builder *b, GError **error)
{
    const ArmzDomainDef *def = b->def;
    ArmzLaunchFd *fd;

    if (!armz_domain_uses_firmware(def))
        return TRUE;
    /* the driver resolves both before it plans (firmware.c) */
    if (!def->os_loader || !def->os_loader->path || !def->os_nvram || !def->os_nvram->path) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                            _("the firmware of the domain has not been resolved"));
        return FALSE;
    }
    fd = add_fd(b, ARMZ_LAUNCH_FD_FLASH, def->os_loader->path, "pflash0", -1);
    fd->readonly = TRUE;
    arg(b, "--flash-code");
    argf(b, "fd:%d", fd->num);
    fd = add_fd(b, ARMZ_LAUNCH_FD_FLASH, def->os_nvram->path, "pflash1", -1);
    arg(b, "--flash-vars");
    argf(b, "fd:%d", fd->num);
    if (!plan_smbios(b, error))
        return FALSE;
    if (feature_on(def, "acpi"))
        arg(b, "--acpi");
    if (feature_on(def, "vmcoreinfo"))
        arg(b, "--vmcoreinfo");
    return TRUE;
}

/* ---------------- channels ---------------- */

/* Each <channel> a virtio-serial port on a socket the daemon listens on:
 * the path given, or STATE_DIR/channel/UUID/NAME (libvirt's
 * .../channel/target/domain-ID-NAME/NAME; the UUID keeps it short and
 * known before the start); a pty channel on a pty the daemon opens. */
static void
plan_channels(Builder *b)
{
    char uuid[ARMZ_UUID_STRING_BUFLEN];

    armz_uuid_format(b->def->uuid, uuid);
    for (guint i = 0; i < b->def->channels->len; i++) {
        const ArmzDomainChannelDef *ch = g_ptr_array_index(b->def->channels, i);
        gboolean pty = g_strcmp0(ch->type, "pty") == 0;
        g_autofree char *path = pty ? NULL : ch->source_path ? g_strdup(ch->source_path)
            : g_build_filename(b->ctx->state_dir, "channel", uuid, ch->target_name, NULL);
        g_autofree char *role = g_strdup_printf("channel%u", i);
        g_auto(GStrv) parts = g_strsplit(ch->target_name, ",", -1);
        g_autofree char *name = g_strjoinv(",,", parts);   /* a comma in the option */
        ArmzLaunchFd *fd = add_fd(b, pty ? ARMZ_LAUNCH_FD_PTY : ARMZ_LAUNCH_FD_CHANNEL_LISTEN,
                                  path, role, (int)i);

        arg(b, "--channel");
        argf(b, "fd=%d,name=%s,id=%s", fd->num, name, role);
    }
    /* the virtio-serial controller's address is the console's when there
     * is one (pci_address.h) */
    if (b->def->channels->len)
        pci_arg(b, "--channel-pci",
                b->pci->has_console ? &b->pci->serial_extra : &b->pci->serial);
}

void
armz_launch_record_channels(ArmzDomainDef *live, const ArmzLaunchPlan *plan,
                            const GPtrArray *pty_paths)
{
    for (guint i = 0; i < plan->fds->len; i++) {
        const ArmzLaunchFd *fd = g_ptr_array_index(plan->fds, i);
        gboolean pty = fd->kind == ARMZ_LAUNCH_FD_PTY && g_str_has_prefix(fd->role, "channel");
        ArmzDomainChannelDef *ch;

        if ((fd->kind != ARMZ_LAUNCH_FD_CHANNEL_LISTEN && !pty) || fd->device_index < 0 ||
            (guint)fd->device_index >= live->channels->len)
            continue;
        ch = g_ptr_array_index(live->channels, fd->device_index);
        if (pty) {
            g_free(ch->source_path);
            ch->source_path = i < pty_paths->len ? g_strdup(g_ptr_array_index(pty_paths, i))
                                                 : NULL;
        } else if (!ch->source_path) {
            ch->source_path = g_strdup(fd->path);
        }
        if (!ch->source_mode && !pty)
            ch->source_mode = g_strdup("bind");
        ch->state = ARMZ_TRISTATE_OFF;
    }
}

/* ---------------- vsock ---------------- */

/* auto: armz-vmm takes the first CID the host kernel has free (the kernel
 * knows every guest's, so two starts cannot pick the same); the daemon
 * reads it back for the live XML (domain_vsock.c). */
static void
plan_vsock(Builder *b)
{
    ArmzLaunchFd *fd;
    GString *opt;

    if (!b->def->has_vsock)
        return;
    /* opened by the daemon: the jailed VMM has no /dev/vhost-vsock */
    fd = add_fd(b, ARMZ_LAUNCH_FD_VHOST, "/dev/vhost-vsock", "vsock0", 0);
    opt = g_string_new(NULL);
    if (armz_domain_vsock_auto(&b->def->vsock))
        g_string_append_printf(opt, "fd=%d,cid=auto", fd->num);
    else
        g_string_append_printf(opt, "fd=%d,cid=%u", fd->num, b->def->vsock.cid);
    pci_key(opt, &b->pci->vsock);
    arg(b, "--vsock");
    g_ptr_array_add(b->plan->argv, g_string_free(opt, FALSE));
}

/* ---------------- memballoon ---------------- */

/* The polling period, the features, and currentMemory as the balloon's
 * first target (libvirt sets it over QMP right after the start). */
static void
plan_memballoon(Builder *b)
{
    const ArmzDomainMemballoonDef *mb = &b->def->memballoon;
    const ArmzDomainDef *def = b->def;
    g_autofree char *target = NULL;
    GString *opt;

    if (!def->has_memballoon || !mb->virtio)
        return;
    if (def->current_memory_kib && def->current_memory_kib < def->memory_kib)
        target = g_strdup_printf(",target=%llu", def->current_memory_kib * 1024);
    opt = g_string_new(NULL);
    g_string_append_printf(opt, "stats-period=%u%s%s%s", mb->stats_period, target ? target : "",
                           mb->autodeflate == ARMZ_TRISTATE_ON ? ",deflate-on-oom=on" : "",
                           mb->free_page_reporting == ARMZ_TRISTATE_ON
                               ? ",free-page-reporting=on" : "");
    pci_key(opt, &b->pci->balloon);
    arg(b, "--balloon");
    g_ptr_array_add(b->plan->argv, g_string_free(opt, FALSE));
}

/* ---------------- entry points ---------------- */

/* The host's side of the domain type: armz has only KVM, so 'qemu' (which
 * would mean emulation with QEMU) needs it too (DESIGN.md 5). */
static gboolean
check_kvm(Builder *b, GError **error)
{
    if (b->ctx->kvm_device)
        return TRUE;
    if (g_str_equal(b->def->virt_type, "kvm"))
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                            _("Domain requires KVM, but it is not available: neither "
                              "/dev/kvm-arm64 nor /dev/kvm offers arm64 KVM on this host"));
    else
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                            _("domain type 'qemu' needs hardware assistance on this host, but "
                              "neither /dev/kvm-arm64 nor /dev/kvm offers arm64 KVM (armz has "
                              "no CPU emulator)"));
    return FALSE;
}

static gboolean
plan_paths(Builder *b, GError **error)
{
    const ArmzLaunchCtx *ctx = b->ctx;
    g_autofree char *pid = g_strconcat(b->def->name, ".pid", NULL);

    if (!ctx->state_dir || !g_path_is_absolute(ctx->state_dir)) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                            _("no absolute state directory for the VMM"));
        return FALSE;
    }
    b->plan->qmp_path = armz_domain_monitor_path(b->def, ctx->state_dir);
    b->plan->pidfile = g_build_filename(ctx->state_dir, pid, NULL);
    return TRUE;
}

static const char *
vmm_path(Builder *b, GError **error)
{
    if (b->def->emulator)
        return b->def->emulator;
    if (!b->ctx->vmm_path || !*b->ctx->vmm_path) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                            _("no armz-vmm path configured"));
        return NULL;
    }
    return b->ctx->vmm_path;
}

ArmzLaunchPlan *
armz_launch_plan_build(const ArmzDomainDef *def, const ArmzLaunchCtx *ctx, GError **error)
{
    g_autoptr(ArmzLaunchPlan) plan = g_new0(ArmzLaunchPlan, 1);
    Builder b = { def, ctx, plan, NULL };
    g_autoptr(ArmzPciPlan) pci = NULL;
    const char *vmm;
    ArmzLaunchFd *qmp;

    g_return_val_if_fail(def && ctx, NULL);
    plan->argv = g_ptr_array_new_with_free_func(g_free);
    plan->fds = g_ptr_array_new_with_free_func(fd_free);
    plan->chardevs = g_ptr_array_new_with_free_func(g_free);
    plan->paused = ctx->start_paused;

    /* what define accepted may have been stored by an older daemon, or
     * built in code: a plan is only made of a valid definition */
    if (!armz_domain_validate(def, error) ||
        !check_kvm(&b, error) ||
        !(vmm = vmm_path(&b, error)) ||
        !plan_paths(&b, error))
        return NULL;
    /* <controller> elements describe buses: pcie-root puts the virtio
     * devices on PCI (plan_pci); the others need nothing. */

    /* Whole MiB, rounded up as libvirt's QEMU driver aligns guest RAM. */
    plan->memory_mib = def->memory_kib / 1024 + (def->memory_kib % 1024 != 0);
    plan->on_poweroff = def->on_poweroff;
    plan->on_reboot = def->on_reboot;
    plan->on_crash = def->on_crash;

    arg(&b, vmm);
    arg(&b, "--name");
    arg(&b, def->name);
    if (def->os_kernel) {
        arg(&b, "--kernel");
        arg(&b, def->os_kernel);
    }
    if (def->os_initrd) {
        arg(&b, "--initrd");
        arg(&b, def->os_initrd);
    }
    if (def->os_cmdline) {
        arg(&b, "--cmdline");
        arg(&b, def->os_cmdline);
    }
    if (!plan_firmware(&b, error))
        return NULL;
    arg(&b, "--memory");
    argf(&b, "%" G_GUINT64_FORMAT, plan->memory_mib);
    arg(&b, "--vcpus");
    argf(&b, "%u", def->vcpus);
    if (def->cpu && (def->cpu->sockets || def->cpu->cores || def->cpu->threads)) {
        arg(&b, "--topology");
        argf(&b, "sockets=%u,cores=%u,threads=%u", MAX(def->cpu->sockets, 1u),
             MAX(def->cpu->cores, 1u), MAX(def->cpu->threads, 1u));
    }
    arg(&b, "--kvm-device");
    arg(&b, ctx->kvm_device);
    arg(&b, "--irqchip");
    arg(&b, "auto");
    if (ctx->kvm_profile && !g_str_equal(ctx->kvm_profile, "native")) {
        arg(&b, "--kvm-profile");
        arg(&b, ctx->kvm_profile);
    }
    qmp = add_fd(&b, ARMZ_LAUNCH_FD_QMP_LISTEN, plan->qmp_path, "monitor", -1);
    arg(&b, "--qmp-fd");
    argf(&b, "%d", qmp->num);
    arg(&b, "--pidfile");
    arg(&b, plan->pidfile);
    if (ctx->start_paused)
        arg(&b, "--paused");
    if (ctx->seccomp) {
        arg(&b, "--seccomp");
        arg(&b, ctx->seccomp);
    }

    if (!(pci = armz_pci_plan_new(def, error)))
        return NULL;
    b.pci = pci;
    plan_pci(&b);
    /* shared memfd RAM, the condition for a vhost-user disk attached live:
     * the directory of its export is there from the start (docs/hotplug.md) */
    if (armz_domain_has_vhost_user(def) || g_strcmp0(def->mem_source, "memfd") == 0) {
        plan->vhost_dir = armz_domain_vhost_user_dir(def, ctx->state_dir);
        if (strchr(plan->vhost_dir, ',')) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("the state directory '%s' has a comma, which the vhost-user "
                          "options of armz-vmm cannot carry"), ctx->state_dir);
            return NULL;
        }
    }
    if (!plan_chardevs(&b, error) ||
        !plan_disks(&b, error) ||
        !plan_scsi(&b, error) ||
        !plan_filesystems(&b, error) ||
        !plan_nets(&b, error))
        return NULL;
    plan_rngs(&b);
    plan_memballoon(&b);
    plan_channels(&b);
    plan_vsock(&b);
    /* a vhost-user backend maps guest RAM: it must be a shared memfd (and
     * <source type='memfd'/> asks for one anyway) */
    if (plan->vhost_dir || g_strcmp0(def->mem_source, "memfd") == 0)
        arg(&b, "--memfd");
    return g_steal_pointer(&plan);
}
