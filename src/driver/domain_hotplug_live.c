/* Live attach and detach through armz-vmm's QMP (the contract in
 * docs/hotplug.md): the daemon opens the disk image or makes the tap (the
 * jailed VMM opens nothing), passes the fd with getfd, and device_add puts
 * the device in slot 0 of a free hotplug-capable pcie-root-port, named
 * pci.N; device_del asks the guest to let go, and DEVICE_DELETED says it
 * did. A disk that needs qemu-storage-daemon is given to the domain's
 * storage daemon first (domain_hotplug_qsd.c) and becomes a
 * vhost-user-blk-pci on its export, released again once it is gone. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/libvirt.h>
#include <yajl/yajl_gen.h>
#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/json_gen.h"
#include "util/log.h"
#include "driver/domain_hotplug_priv.h"
#include "driver/domain_net_update.h"
#include "driver/domain_run.h"
#include "driver/domain_validate.h"
#include "driver/ovs.h"
#include "driver/pci_address.h"
#include "driver/process.h"
#include "driver/process_priv.h"
#include "driver/tap.h"

/* libvirt's wait for a PCIe device to go (qemuDomainGetUnplugTimeout) */
#define UNPLUG_WAIT_US (5 * G_USEC_PER_SEC)

/* ---------------- where a new device goes ---------------- */

gboolean
armz_hotplug_port_off(const ArmzDomainDef *def, guint index)
{
    for (guint i = 0; i < def->controllers->len; i++) {
        const ArmzDomainControllerDef *c = g_ptr_array_index(def->controllers, i);
        if (c->index == (int)index && g_strcmp0(c->type, "pci") == 0 &&
            armz_pci_ctrl_hotplug_off(c))
            return TRUE;
    }
    return FALSE;
}

/* The index of a free hotplug-capable root port of DEF. */
static gboolean
free_port(const ArmzDomainDef *def, guint *index, GError **error)
{
    g_autoptr(ArmzPciPlan) p = armz_pci_plan_new(def, error);

    if (!p)
        return FALSE;
    if (!p->active) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_UNSUPPORTED,
                            _("hot-plugging a device needs PCI Express (a <controller "
                              "type='pci' model='pcie-root'/> and no <acpi/>); this domain's "
                              "devices are on virtio-mmio"));
        return FALSE;
    }
    for (guint i = 0; i < p->ports->len; i++) {
        guint bus = g_array_index(p->ports, ArmzPciRootPort, i).index;
        if (!armz_pci_plan_bus_used(p, def, bus) && !armz_hotplug_port_off(def, bus)) {
            *index = bus;
            return TRUE;
        }
    }
    g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                        _("No more available PCI slots"));
    return FALSE;
}

/* The port of ADDR, a device's <address type='pci' bus=''/> (libvirt: a
 * hot-plugged device's slot 0 below a free, hotplug-capable root port), or
 * any free one when ADDR gives none. */
static gboolean
pick_port(const ArmzDomainDef *def, const ArmzDomainAddressDef *addr, guint *index,
          GError **error)
{
    g_autoptr(ArmzPciPlan) p = NULL;
    const char *busattr = NULL;
    guint64 bus;

    for (guint i = 0; addr && g_strcmp0(addr->type, "pci") == 0 && i < addr->extra.attrs->len;
         i++) {
        const ArmzXmlAttr *a = g_ptr_array_index(addr->extra.attrs, i);
        if (g_str_equal(a->name, "bus"))
            busattr = a->value;
    }
    if (!busattr)
        return free_port(def, index, error);
    if (g_str_has_prefix(busattr, "0x") ? !g_ascii_string_to_unsigned(busattr + 2, 16, 0, 255,
                                                                       &bus, NULL)
                                         : !g_ascii_string_to_unsigned(busattr, 10, 0, 255,
                                                                       &bus, NULL)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR, _("Cannot parse <address> 'bus' "
                                                             "attribute '%s'"), busattr);
        return FALSE;
    }
    if (!(p = armz_pci_plan_new(def, error)))
        return FALSE;
    for (guint i = 0; p->active && i < p->ports->len; i++) {
        if (g_array_index(p->ports, ArmzPciRootPort, i).index != bus)
            continue;
        if (armz_hotplug_port_off(def, (guint)bus)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                        _("The device at PCI address 0000:%02x:00.0 requires hotplug "
                          "capability, but the PCI controller with index='%u' doesn't support "
                          "hotplug"), (guint)bus, (guint)bus);
            return FALSE;
        }
        if (armz_pci_plan_bus_used(p, def, (guint)bus)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                        _("Attempted double use of PCI Address 0000:%02x:00.0"), (guint)bus);
            return FALSE;
        }
        *index = (guint)bus;
        return TRUE;
    }
    g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                _("a hot-plugged device goes below a pcie-root-port, and there is none with "
                  "index='%u'"), (guint)bus);
    return FALSE;
}

/* ---------------- QMP ---------------- */

typedef struct {
    const char *driver, *id, *fdname, *mac, *serial, *cache, *discard, *werror, *rerror, *io;
    const char *path;           /* vhost-user-blk-pci: the export's socket */
    guint bus;
    gboolean readonly;
} DeviceAdd;

static void
gen_pair(yajl_gen g, const char *key, const char *value)
{
    if (!value)
        return;
    armz_json_gen_str(g, key);
    armz_json_gen_str(g, value);
}

static char *
device_add_args(const DeviceAdd *d)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    g_autofree char *bus = g_strdup_printf("pci.%u", d->bus);
    const unsigned char *out;
    size_t len;
    char *s;

    yajl_gen_map_open(g);
    gen_pair(g, "driver", d->driver);
    gen_pair(g, "id", d->id);
    gen_pair(g, "bus", bus);
    gen_pair(g, "fdname", d->fdname);
    gen_pair(g, "mac", d->mac);
    gen_pair(g, "serial", d->serial);
    gen_pair(g, "cache", d->cache);
    gen_pair(g, "discard", d->discard);
    gen_pair(g, "werror", d->werror);
    gen_pair(g, "rerror", d->rerror);
    gen_pair(g, "io", d->io);
    gen_pair(g, "path", d->path);
    if (d->readonly) {
        armz_json_gen_str(g, "readonly");
        yajl_gen_bool(g, 1);
    }
    yajl_gen_map_close(g);
    yajl_gen_get_buf(g, &out, &len);
    s = g_strndup((const char *)out, len);
    yajl_gen_free(g);
    return s;
}

/* getfd FD as D->fdname, then device_add D, with OBJ unlocked (the job
 * keeps it ours). FD stays the caller's. */
static gboolean
qmp_add(ArmzDomainObj *obj, const DeviceAdd *d, int fd, GError **error)
{
    g_autoptr(ArmzMonitor) mon = armz_process_monitor(obj, error);
    g_autofree char *fdargs = NULL, *args = device_add_args(d);
    GError *err = NULL;
    gboolean ok;
    yajl_gen g;
    const unsigned char *out;
    size_t len;

    if (!mon)
        return FALSE;
    g = yajl_gen_alloc(NULL);
    yajl_gen_map_open(g);
    gen_pair(g, "fdname", d->fdname);
    yajl_gen_map_close(g);
    yajl_gen_get_buf(g, &out, &len);
    fdargs = g_strndup((const char *)out, len);
    yajl_gen_free(g);
    g_mutex_unlock(&obj->lock);
    ok = armz_monitor_command_fd(mon, "getfd", fdargs, fd, NULL, 0, &err) &&
         armz_monitor_command(mon, "device_add", args, NULL, 0, &err);
    g_mutex_lock(&obj->lock);
    if (!ok)
        armz_monitor_propagate_error(error, err);
    return ok;
}

static void
emit_device(ArmzDriver *drv, ArmzDomainObj *obj, ArmzDomainEventKind kind, const char *alias)
{
    armz_driver_emit_device(drv, obj, obj->id, kind, alias);
}

static void
save_status(ArmzDriver *drv, ArmzDomainObj *obj)
{
    g_autoptr(GError) err = NULL;

    if (!armz_process_status_save(drv, obj, &err))
        armz_warn("domain '%s': its status cannot be saved: %s", obj->name, err->message);
}

/* ---------------- attach ---------------- */

static gboolean
disk_path(ArmzDriver *drv, const ArmzDomainDiskDef *disk, char **path, GError **error)
{
    g_autofree char *what = g_strdup_printf(_("disk '%s'"), disk->target_dev);

    if (disk->type == ARMZ_DOMAIN_DISK_TYPE_NETWORK)
        return TRUE;
    if (disk->type != ARMZ_DOMAIN_DISK_TYPE_VOLUME) {
        *path = g_strdup(disk->src_path);
        return armz_domain_check_abs_path(*path, what, error);
    }
    if (!drv->resolve_volume) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk '%s' uses storage volume '%s' of pool '%s', but the storage "
                      "driver is not available"), disk->target_dev, disk->src_volume,
                    disk->src_pool);
        return FALSE;
    }
    if (!drv->resolve_volume(disk->src_pool, disk->src_volume,
                             disk->driver_type ? disk->driver_type : "raw", path,
                             drv->volume_opaque, error))
        return FALSE;
    return armz_domain_check_abs_path(*path, what, error);
}

static void disk_mode(DeviceAdd *d, const ArmzDomainDiskDef *disk);

static gboolean
attach_disk(ArmzDriver *drv, ArmzDomainObj *obj, ArmzDomainDef *dev, GError **error)
{
    ArmzDomainDiskDef *disk = g_ptr_array_index(dev->disks, 0);
    g_autofree char *path = NULL, *alias = NULL, *socket = NULL;
    DeviceAdd d = { .driver = "virtio-blk-pci" };
    guint bus;
    int fd;
    gboolean ok, qsd;

    if (disk->device != ARMZ_DOMAIN_DISK_DEVICE_DISK ||
        g_strcmp0(disk->target_bus ? disk->target_bus : "virtio", "virtio") != 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_UNSUPPORTED,
                    _("live attach of disk '%s': only disks on the virtio bus can be "
                      "hot-plugged by the armz driver"), disk->target_dev);
        return FALSE;
    }
    qsd = armz_domain_disk_uses_qsd(disk);
    /* armz-vmm sets up an io_uring ring before its system-call filter, so
     * only at start (io='native', which Nova writes for block volumes, is
     * fine) */
    if (!qsd && g_strcmp0(disk->driver_io, "io_uring") == 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_UNSUPPORTED,
                    _("live attach of disk '%s': io='%s' is set up when the domain starts; "
                      "attach it with --config"), disk->target_dev, disk->driver_io);
        return FALSE;
    }
    if (armz_hotplug_disk_index(obj->def, disk->target_dev) >= 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID, _("target %s already exists"),
                    disk->target_dev);
        return FALSE;
    }
    if (!(alias = armz_hotplug_disk_alias(obj->def, disk))) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("invalid disk target '%s'"), disk->target_dev);
        return FALSE;
    }
    if (!pick_port(obj->def, disk->address, &bus, error) || !disk_path(drv, disk, &path, error))
        return FALSE;
    if (qsd) {
        if (!armz_hotplug_qsd_attach(drv, obj, disk, path, &fd, &socket, error))
            return FALSE;
        d.driver = "vhost-user-blk-pci";
        d.path = socket;
    } else if ((fd = open(path, (disk->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC)) < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot open disk '%s' (%s): %s"), disk->target_dev, path,
                    g_strerror(errno));
        return FALSE;
    }
    d.id = d.fdname = alias;
    d.bus = bus;
    d.readonly = disk->readonly;
    if (!qsd)
        disk_mode(&d, disk);
    ok = qmp_add(obj, &d, fd, error);
    close(fd);
    if (!ok && qsd)
        armz_hotplug_qsd_release(drv, obj, disk);
    if (!ok || !armz_domain_obj_is_active(obj))
        return ok;
    g_free(disk->alias);
    disk->alias = g_steal_pointer(&alias);
    armz_domain_address_def_free(disk->address);
    disk->address = armz_domain_address_def_new_pci(bus, 0, 0);
    g_ptr_array_add(obj->def->disks, g_ptr_array_steal_index(dev->disks, 0));
    save_status(drv, obj);
    emit_device(drv, obj, ARMZ_DOMAIN_EVENT_DEVICE_ADDED, disk->alias);
    return TRUE;
}

/* virtio-blk-pci's options of DISK: armz-vmm does the I/O */
static void
disk_mode(DeviceAdd *d, const ArmzDomainDiskDef *disk)
{
    d->serial = disk->serial;
    d->cache = g_strcmp0(disk->driver_cache, "default") ? disk->driver_cache : NULL;
    d->discard = disk->driver_discard;
    d->io = disk->driver_io;
    /* as at start (vmm_command.c): enospace is spelled enospc and is a
     * write policy only; reads follow error_policy unless told */
    d->werror = disk->driver_error_policy;
    d->rerror = disk->driver_rerror_policy;
    if (g_strcmp0(d->werror, "enospace") == 0)
        d->werror = "enospc";
    else if (!d->rerror)
        d->rerror = d->werror;
}

static gboolean
net_bridge(ArmzDriver *drv, const ArmzDomainNetDef *net, char **bridge, GError **error)
{
    if (net->type == ARMZ_DOMAIN_NET_TYPE_BRIDGE) {
        *bridge = g_strdup(net->source_bridge);
        return TRUE;
    }
    if (net->type != ARMZ_DOMAIN_NET_TYPE_NETWORK)
        return TRUE;            /* ethernet: a tap on no bridge */
    if (!drv->resolve_network) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<interface type='network'> (network '%s') needs the network "
                      "driver, which is not available"), net->source_network);
        return FALSE;
    }
    return drv->resolve_network(net->source_network, bridge, drv->network_opaque, error);
}

static gboolean
attach_net(ArmzDriver *drv, ArmzDomainObj *obj, ArmzDomainDef *dev, GError **error)
{
    ArmzDomainNetDef *net = g_ptr_array_index(dev->nets, 0);
    ArmzDomainRun *run = armz_domain_run(obj);
    g_autofree char *bridge = NULL, *alias = NULL, *name = NULL;
    DeviceAdd d = { .driver = "virtio-net-pci" };
    g_autoptr(GError) lerr = NULL;
    char mac[18];
    guint bus;
    int fd;
    gboolean ok;

    armz_mac_format(net->mac, mac);
    for (guint i = 0; i < obj->def->nets->len; i++)
        if (memcmp(((ArmzDomainNetDef *)g_ptr_array_index(obj->def->nets, i))->mac, net->mac,
                   6) == 0) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                        _("network device with mac %s already exists"), mac);
            return FALSE;
        }
    if (!pick_port(obj->def, net->address, &bus, error) || !net_bridge(drv, net, &bridge, error))
        return FALSE;
    alias = armz_hotplug_net_alias(obj->def, net);
    /* as at start (process_fds.c): the existing tap of <target
     * managed='no'> (Nova's tap ports), or one made here, on a Linux bridge
     * or as an Open vSwitch port with libvirt's external-ids */
    fd = net->target_unmanaged
        ? armz_tap_open_existing(armz_domain_net_ifname(net), &name, error)
        : armz_tap_create(armz_domain_net_ifname(net), net->mac,
                          net->vport_type ? NULL : bridge, net->mtu, &name, error);
    if (fd < 0)
        return FALSE;
    if (net->vport_type &&
        !armz_ovs_add_port(bridge, name, net->mac, net->vport_interfaceid, obj->def->uuid,
                           error)) {
        close(fd);
        return FALSE;
    }
    d.id = d.fdname = alias;
    d.bus = bus;
    d.mac = mac;
    ok = qmp_add(obj, &d, fd, error);
    close(fd);              /* the tap lives on with the VMM's fd */
    if (!ok && net->vport_type)
        armz_ovs_del_port(name);
    if (!ok || !armz_domain_obj_is_active(obj))
        return ok;
    /* device_add has no link state: set after it, as libvirt does; the
     * device is in, so a failure is only logged */
    if (g_strcmp0(net->link_state, "down") == 0 &&
        !armz_net_set_link_live(obj, alias, FALSE, &lerr))
        armz_warn("domain '%s': interface %s stays up: %s", obj->name, alias, lerr->message);
    if (!armz_domain_obj_is_active(obj))
        return TRUE;
    g_free(net->alias);
    net->alias = g_steal_pointer(&alias);
    g_free(net->target_dev);
    net->target_dev = g_strdup(name);
    armz_domain_address_def_free(net->address);
    net->address = armz_domain_address_def_new_pci(bus, 0, 0);
    g_ptr_array_add(obj->def->nets, g_ptr_array_steal_index(dev->nets, 0));
    if (run)
        g_ptr_array_add(run->taps, g_steal_pointer(&name));
    save_status(drv, obj);
    emit_device(drv, obj, ARMZ_DOMAIN_EVENT_DEVICE_ADDED, net->alias);
    return TRUE;
}

gboolean
armz_hotplug_attach_live(ArmzDriver *drv, ArmzDomainObj *obj, ArmzDomainDef *dev,
                         GError **error)
{
    const char *kind = armz_hotplug_device_kind(dev);

    if (dev->disks->len)
        return attach_disk(drv, obj, dev, error);
    if (dev->nets->len)
        return attach_net(drv, obj, dev, error);
    g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_UNSUPPORTED,
                _("live attach of device '%s' is not supported"), kind ? kind : "");
    return FALSE;
}

/* ---------------- detach ---------------- */

/* The alias of the device of DEF that DEV names, or NULL with libvirt's
 * error. */
static const char *
live_alias(const ArmzDomainDef *def, const ArmzDomainDef *dev, GError **error)
{
    gint i;

    if (dev->disks->len) {
        const ArmzDomainDiskDef *disk = g_ptr_array_index(dev->disks, 0);
        if ((i = armz_hotplug_disk_index(def, disk->target_dev)) < 0) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_DEVICE_MISSING, _("disk %s not found"),
                        disk->target_dev);
            return NULL;
        }
        return ((ArmzDomainDiskDef *)g_ptr_array_index(def->disks, i))->alias;
    }
    if (dev->nets->len) {
        if ((i = armz_hotplug_net_index(
                 def, ((ArmzDomainNetDef *)g_ptr_array_index(dev->nets, 0))->mac, error)) < 0)
            return NULL;
        return ((ArmzDomainNetDef *)g_ptr_array_index(def->nets, i))->alias;
    }
    g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_UNSUPPORTED,
                _("live detach of device '%s' is not supported"),
                armz_hotplug_device_kind(dev) ? armz_hotplug_device_kind(dev) : "");
    return NULL;
}

/* Whether DEF still has a disk or interface named ALIAS. */
static gboolean
has_alias(const ArmzDomainDef *def, const char *alias)
{
    for (guint i = 0; i < def->disks->len; i++)
        if (g_strcmp0(((ArmzDomainDiskDef *)g_ptr_array_index(def->disks, i))->alias, alias) == 0)
            return TRUE;
    for (guint i = 0; i < def->nets->len; i++)
        if (g_strcmp0(((ArmzDomainNetDef *)g_ptr_array_index(def->nets, i))->alias, alias) == 0)
            return TRUE;
    return FALSE;
}

gboolean
armz_hotplug_detach_live(ArmzDriver *drv, ArmzDomainObj *obj, const ArmzDomainDef *dev,
                         const char *alias_arg, GError **error)
{
    g_autoptr(ArmzMonitor) mon = NULL;
    g_autofree char *alias = NULL, *args = NULL;
    ArmzDomainRun *run;
    GError *err = NULL;
    gint64 deadline;
    gboolean ok;
    yajl_gen g;
    const unsigned char *out;
    size_t len;
    (void)drv;

    if (alias_arg) {
        if (!has_alias(obj->def, alias_arg)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_DEVICE_MISSING,
                        _("no device found with alias %s"), alias_arg);
            return FALSE;
        }
        alias = g_strdup(alias_arg);
    } else {
        const char *a = live_alias(obj->def, dev, error);
        if (!a) {
            if (error && !*error)
                g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                                    _("the device has no alias"));
            return FALSE;
        }
        alias = g_strdup(a);
    }
    if (!(mon = armz_process_monitor(obj, error)))
        return FALSE;
    g = yajl_gen_alloc(NULL);
    yajl_gen_map_open(g);
    gen_pair(g, "id", alias);
    yajl_gen_map_close(g);
    yajl_gen_get_buf(g, &out, &len);
    args = g_strndup((const char *)out, len);
    yajl_gen_free(g);
    g_mutex_unlock(&obj->lock);
    ok = armz_monitor_command(mon, "device_del", args, NULL, 0, &err);
    g_mutex_lock(&obj->lock);
    if (!ok) {
        armz_monitor_propagate_error(error, err);
        return FALSE;
    }
    /* as libvirt: wait a little for the guest; a device it has not let go
     * of yet stays in the live XML, and DEVICE_REMOVED follows later */
    deadline = g_get_monotonic_time() + UNPLUG_WAIT_US;
    while ((run = armz_domain_run(obj)) && !run->exited && has_alias(obj->def, alias))
        if (!g_cond_wait_until(&run->cond, &obj->lock, deadline))
            break;
    return TRUE;
}

/* ---------------- the VMM's events ---------------- */

static void
forget_tap(ArmzDomainObj *obj, const char *name)
{
    ArmzDomainRun *run = armz_domain_run(obj);

    for (guint i = 0; run && name && i < run->taps->len; i++)
        if (g_str_equal(g_ptr_array_index(run->taps, i), name)) {
            g_ptr_array_remove_index(run->taps, i);
            return;
        }
}

void
armz_hotplug_vmm_event(ArmzDriver *drv, ArmzDomainObj *obj, gboolean removed, yajl_val data)
{
    const char *path[] = { "device", NULL };
    yajl_val dv = data ? yajl_tree_get(data, path, yajl_t_string) : NULL;
    const char *alias = dv ? YAJL_GET_STRING(dv) : NULL;
    ArmzDomainRun *run = armz_domain_run(obj);
    gboolean found = FALSE;

    if (!alias)
        return;
    if (!removed) {
        emit_device(drv, obj, ARMZ_DOMAIN_EVENT_DEVICE_REMOVAL_FAILED, alias);
        return;
    }
    for (guint i = 0; !found && i < obj->def->disks->len; i++) {
        ArmzDomainDiskDef *disk = g_ptr_array_index(obj->def->disks, i);
        if (g_strcmp0(disk->alias, alias) == 0) {
            if (armz_domain_disk_uses_qsd(disk))
                armz_hotplug_qsd_release(drv, obj, disk);
            g_ptr_array_remove_index(obj->def->disks, i);
            found = TRUE;
        }
    }
    for (guint i = 0; !found && i < obj->def->nets->len; i++) {
        ArmzDomainNetDef *net = g_ptr_array_index(obj->def->nets, i);
        if (g_strcmp0(net->alias, alias) == 0) {
            /* the VMM closed its fd: a tap made here is gone with it, its
             * Open vSwitch port is not (libvirt removes it) */
            if (net->vport_type && net->target_dev)
                armz_ovs_del_port(net->target_dev);
            forget_tap(obj, net->target_dev);
            g_ptr_array_remove_index(obj->def->nets, i);
            found = TRUE;
        }
    }
    if (!found)
        return;
    save_status(drv, obj);
    emit_device(drv, obj, ARMZ_DOMAIN_EVENT_DEVICE_REMOVED, alias);
    if (run)
        g_cond_broadcast(&run->cond);
}
