/* Device attach and detach (see domain_hotplug.h). A CONFIG change is made
 * on a copy of the persistent definition: a new device gets its address as
 * at define (a pcie-root-port added when none is free), and the copy
 * replaces the definition once it validates and is saved. LIVE changes go
 * through armz-vmm's QMP (domain_hotplug_live.c). */
#include <string.h>
#include <libvirt/libvirt.h>
#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/flags.h"
#include "driver/domain_hotplug.h"
#include "driver/domain_hotplug_priv.h"
#include "driver/domain_store.h"
#include "driver/domain_tune_api.h"
#include "driver/domain_validate.h"
#include "driver/driver_priv.h"
#include "driver/pci_address.h"

/* libvirt's name of the one device DEV holds (virDomainDeviceType), or
 * NULL when it holds none. */
const char *
armz_hotplug_device_kind(const ArmzDomainDef *dev)
{
    if (dev->disks->len)
        return "disk";
    if (dev->nets->len)
        return "interface";
    if (dev->controllers->len)
        return "controller";
    if (dev->serials->len || dev->consoles->len || dev->channels->len)
        return "chr";
    if (dev->rngs->len)
        return "rng";
    if (dev->filesystems->len)
        return "fs";
    if (dev->has_memballoon)
        return "memballoon";
    if (dev->has_vsock)
        return "vsock";
    return NULL;
}

static gboolean
unsupported(const ArmzDomainDef *dev, const char *what, GError **error)
{
    const char *kind = armz_hotplug_device_kind(dev);

    if (!kind)
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                            _("unknown device type in the device XML"));
    else
        /* TRANSLATORS: WHAT is "persistent attach", "live detach", ... */
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_UNSUPPORTED,
                    _("%s of device '%s' is not supported"), what, kind);
    return FALSE;
}

gint
armz_hotplug_disk_index(const ArmzDomainDef *def, const char *target)
{
    for (guint i = 0; i < def->disks->len; i++)
        if (g_strcmp0(((ArmzDomainDiskDef *)g_ptr_array_index(def->disks, i))->target_dev,
                      target) == 0)
            return (gint)i;
    return -1;
}

gint
armz_hotplug_net_index(const ArmzDomainDef *def, const unsigned char mac[6], GError **error)
{
    char buf[18];

    for (guint i = 0; i < def->nets->len; i++)
        if (memcmp(((ArmzDomainNetDef *)g_ptr_array_index(def->nets, i))->mac, mac, 6) == 0)
            return (gint)i;
    armz_mac_format(mac, buf);
    g_set_error(error, ARMZ_ERROR, VIR_ERR_DEVICE_MISSING,
                _("no device matching MAC address %s found"), buf);
    return -1;
}

/* DEV's device into CFG (a copy of the persistent definition). */
static gboolean
attach_config(ArmzDomainDef *cfg, ArmzDomainDef *dev, GError **error)
{
    if (dev->disks->len) {
        ArmzDomainDiskDef *disk = g_ptr_array_index(dev->disks, 0);

        if (armz_hotplug_disk_index(cfg, disk->target_dev) >= 0) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                        _("target %s already exists"), disk->target_dev);
            return FALSE;
        }
        g_ptr_array_add(cfg->disks, g_ptr_array_steal_index(dev->disks, 0));
        armz_domain_scsi_complete(cfg);
    } else if (dev->nets->len) {
        g_ptr_array_add(cfg->nets, g_ptr_array_steal_index(dev->nets, 0));
    } else {
        return unsupported(dev, _("persistent attach"), error);
    }
    return armz_domain_pci_assign(cfg, error) && armz_domain_validate(cfg, error);
}

static gboolean
detach_config(ArmzDomainDef *cfg, const ArmzDomainDef *dev, GError **error)
{
    gint i;

    if (dev->disks->len) {
        const ArmzDomainDiskDef *disk = g_ptr_array_index(dev->disks, 0);

        if ((i = armz_hotplug_disk_index(cfg, disk->target_dev)) < 0) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_DEVICE_MISSING, _("no target device %s"),
                        disk->target_dev);
            return FALSE;
        }
        g_ptr_array_remove_index(cfg->disks, (guint)i);
    } else if (dev->nets->len) {
        if ((i = armz_hotplug_net_index(
                 cfg, ((ArmzDomainNetDef *)g_ptr_array_index(dev->nets, 0))->mac, error)) < 0)
            return FALSE;
        g_ptr_array_remove_index(cfg->nets, (guint)i);
    } else {
        return unsupported(dev, _("persistent detach"), error);
    }
    return armz_domain_validate(cfg, error);
}

typedef enum { ATTACH, DETACH } Op;

/* libvirt's entry sequence: flags, lookup, job, state, act (the persistent
 * copy prepared first, the live change, then the copy saved), end job. */
static gboolean
change(ArmzDriver *drv, const ArmzDomainId *dom, Op op, const char *api, const char *xml,
       const char *alias, unsigned int flags, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;
    g_autoptr(ArmzDomainDef) dev = NULL, cfg_dev = NULL, copy = NULL;
    gboolean ok = FALSE;

    if (!armz_check_flags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, api, error))
        return FALSE;
    if (xml && (!(dev = armz_domain_device_parse(xml, error)) ||
                !(cfg_dev = armz_domain_device_parse(xml, error))))
        return FALSE;
    if (!(obj = armz_driver_find(drv, dom, error)))
        return FALSE;
    g_mutex_lock(&obj->lock);
    if (!armz_domain_obj_begin_job(obj, api, error)) {
        g_mutex_unlock(&obj->lock);
        return FALSE;
    }
    if (!armz_domain_resolve_impact(obj, &flags, error))
        goto out;
    if (flags & VIR_DOMAIN_AFFECT_CONFIG) {
        if (!(copy = armz_domain_def_copy(armz_domain_obj_config(obj)))) {
            g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                                _("cannot copy the domain definition"));
            goto out;
        }
        if (alias) {
            g_clear_pointer(&cfg_dev, armz_domain_def_free);
            if (!(cfg_dev = armz_hotplug_device_by_alias(copy, alias, error)))
                goto out;
        }
        if (!(op == ATTACH ? attach_config(copy, cfg_dev, error)
                           : detach_config(copy, cfg_dev, error)))
            goto out;
    }
    if (flags & VIR_DOMAIN_AFFECT_LIVE) {
        if (op == ATTACH ? !armz_hotplug_attach_live(drv, obj, dev, error)
                         : !armz_hotplug_detach_live(drv, obj, dev, alias, error))
            goto out;
    }
    if (flags & VIR_DOMAIN_AFFECT_CONFIG) {
        if (!armz_domain_store_save(drv->paths, copy, error))
            goto out;
        armz_domain_obj_replace_config(obj, g_steal_pointer(&copy));
    }
    ok = TRUE;
out:
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    return ok;
}

gboolean
armz_driver_attach_device(ArmzDriver *drv, const ArmzDomainId *dom, const char *xml,
                          unsigned int flags, GError **error)
{
    return change(drv, dom, ATTACH, "virDomainAttachDeviceFlags", xml, NULL, flags, error);
}

gboolean
armz_driver_detach_device(ArmzDriver *drv, const ArmzDomainId *dom, const char *xml,
                          unsigned int flags, GError **error)
{
    return change(drv, dom, DETACH, "virDomainDetachDeviceFlags", xml, NULL, flags, error);
}

gboolean
armz_driver_detach_device_alias(ArmzDriver *drv, const ArmzDomainId *dom, const char *alias,
                                unsigned int flags, GError **error)
{
    return change(drv, dom, DETACH, "virDomainDetachDeviceAlias", NULL, alias, flags, error);
}
