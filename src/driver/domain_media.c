/* virsh change-media: virDomainUpdateDeviceFlags with a CD-ROM <disk> whose
 * <source> is new (insert, update) or gone (eject).  LIVE: the daemon opens
 * the medium (the jailed VMM opens nothing) and passes it to armz-vmm over
 * QMP (getfd + blockdev-change-medium), or ejects; CONFIG: the persistent
 * definition, saved. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <libvirt/libvirt.h>
#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/flags.h"
#include "util/log.h"
#include "conf/xml_util.h"
#include "driver/domain_media.h"
#include "driver/domain_net_update.h"
#include "driver/domain_store.h"
#include "driver/domain_tune_api.h"
#include "driver/domain_validate.h"
#include "driver/driver_priv.h"
#include "driver/process.h"
#include "driver/process_priv.h"
#include "driver/monitor.h"

#define API "virDomainUpdateDeviceFlags"

/* The CD-ROM of DEF that NEWDISK names, or NULL with libvirt's error. */
static ArmzDomainDiskDef *
find_cdrom(ArmzDomainDef *def, const ArmzDomainDiskDef *newdisk, GError **error)
{
    for (guint i = 0; i < def->disks->len; i++) {
        ArmzDomainDiskDef *d = g_ptr_array_index(def->disks, i);

        if (!g_str_equal(d->target_dev, newdisk->target_dev))
            continue;
        if (d->device != ARMZ_DOMAIN_DISK_DEVICE_CDROM ||
            newdisk->device != ARMZ_DOMAIN_DISK_DEVICE_CDROM) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_UNSUPPORTED,
                        _("only the medium of a CD-ROM can be changed by the armz driver "
                          "(disk '%s')"), d->target_dev);
            return NULL;
        }
        if (g_strcmp0(d->target_bus, newdisk->target_bus) != 0) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_UNSUPPORTED,
                        _("cannot modify field 'bus' of the disk '%s'"), d->target_dev);
            return NULL;
        }
        return d;
    }
    g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG, _("target %s doesn't exist."),
                newdisk->target_dev);
    return NULL;
}

static void
set_source(ArmzDomainDiskDef *disk, const ArmzDomainDiskDef *newdisk)
{
    g_free(disk->src_path);
    disk->src_path = g_strdup(newdisk->src_path);
    disk->type = newdisk->type;
}

/* QMP on the running VMM, OBJ unlocked meanwhile (the job keeps it ours):
 * eject, or the medium at PATH (opened here) in. */
static gboolean
change_live(ArmzDomainObj *obj, const char *id, const char *path, gboolean force,
            GError **error)
{
    g_autoptr(ArmzMonitor) mon = armz_process_monitor(obj, error);
    g_autofree char *args = NULL;
    g_autofree char *fdname = g_strdup_printf("media-%s", id);
    GError *err = NULL;
    gboolean ok;
    int fd = -1;

    if (!mon)
        return FALSE;
    if (path) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot open the medium '%s': %s"), path, g_strerror(errno));
            return FALSE;
        }
    }
    g_mutex_unlock(&obj->lock);
    if (fd < 0) {
        args = g_strdup_printf("{\"id\": \"%s\", \"force\": %s}", id, force ? "true" : "false");
        ok = armz_monitor_command(mon, "eject", args, NULL, 0, &err);
    } else {
        args = g_strdup_printf("{\"fdname\": \"%s\"}", fdname);
        ok = armz_monitor_command_fd(mon, "getfd", args, fd, NULL, 0, &err);
        close(fd);
        g_free(args);
        args = g_strdup_printf("{\"id\": \"%s\", \"filename\": \"fd:%s\", \"format\": \"raw\"}",
                               id, fdname);
        ok = ok && armz_monitor_command(mon, "blockdev-change-medium", args, NULL, 0, &err);
    }
    g_mutex_lock(&obj->lock);
    if (!ok)
        armz_monitor_propagate_error(error, err);
    return ok;
}

static gboolean
update_live(ArmzDriver *drv, ArmzDomainObj *obj, const ArmzDomainDiskDef *newdisk,
            unsigned int flags, GError **error)
{
    ArmzDomainDiskDef *disk = find_cdrom(obj->def, newdisk, error);
    g_autoptr(GError) err = NULL;
    g_autofree char *id = NULL;
    guint unit;

    if (!disk || !armz_domain_scsi_unit(disk, &unit, error))
        return FALSE;
    if (g_strcmp0(disk->src_path, newdisk->src_path) == 0)
        return TRUE;
    id = g_strdup_printf("scsi0-0-0-%u", unit);
    if (!change_live(obj, id, newdisk->src_path, !!(flags & VIR_DOMAIN_DEVICE_MODIFY_FORCE),
                     error))
        return FALSE;
    /* the object may have changed while it was unlocked: look again */
    if ((disk = find_cdrom(obj->def, newdisk, NULL)))
        set_source(disk, newdisk);
    if (!armz_process_status_save(drv, obj, &err))
        armz_warn("domain '%s': its status cannot be saved: %s", obj->name, err->message);
    return TRUE;
}

gboolean
armz_domain_update_config(ArmzDriver *drv, ArmzDomainObj *obj, ArmzConfigApply apply,
                          gconstpointer data, GError **error)
{
    g_autoptr(ArmzDomainDef) copy = armz_domain_def_copy(armz_domain_obj_config(obj));

    if (!copy) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR, "%s",
                    _("cannot copy the domain definition"));
        return FALSE;
    }
    if (!apply(copy, data, error) || !armz_domain_validate(copy, error) ||
        !armz_domain_store_save(drv->paths, copy, error))
        return FALSE;
    armz_domain_obj_replace_config(obj, g_steal_pointer(&copy));
    return TRUE;
}

static gboolean
apply_medium(ArmzDomainDef *copy, gconstpointer data, GError **error)
{
    ArmzDomainDiskDef *disk = find_cdrom(copy, data, error);

    if (disk)
        set_source(disk, data);
    return disk != NULL;
}

static gboolean
update_disk(ArmzDriver *drv, ArmzDomainObj *obj, const ArmzDomainDiskDef *newdisk,
            unsigned int flags, GError **error)
{
    return (!(flags & VIR_DOMAIN_AFFECT_CONFIG) ||
            find_cdrom(armz_domain_obj_config(obj), newdisk, error)) &&
           (!(flags & VIR_DOMAIN_AFFECT_LIVE) || update_live(drv, obj, newdisk, flags, error)) &&
           (!(flags & VIR_DOMAIN_AFFECT_CONFIG) ||
            armz_domain_update_config(drv, obj, apply_medium, newdisk, error));
}

static gboolean
is_interface(const char *xml)
{
    g_autoptr(xmlDoc) doc = armz_xml_parse(xml, "(device)", NULL);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;

    return root && armz_xml_is(root, "interface");
}

gboolean
armz_driver_update_device(ArmzDriver *drv, const ArmzDomainId *dom, const char *xml,
                          unsigned int flags, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;
    g_autoptr(ArmzDomainDiskDef) newdisk = NULL;
    g_autoptr(ArmzDomainDef) dev = NULL;
    gboolean ok = FALSE;

    if (!armz_check_flags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG |
                                 VIR_DOMAIN_DEVICE_MODIFY_FORCE, API, error))
        return FALSE;
    /* an <interface>: its link state (domain_net_update.c); anything else
     * is a disk's medium */
    if (is_interface(xml)) {
        if (!(dev = armz_domain_device_parse(xml, error)))
            return FALSE;
    } else if (!(newdisk = armz_domain_disk_parse(xml, error))) {
        return FALSE;
    } else if (newdisk->src_path) {
        g_autofree char *what = g_strdup_printf(_("disk '%s'"), newdisk->target_dev);
        if (newdisk->type == ARMZ_DOMAIN_DISK_TYPE_VOLUME ||
            !armz_domain_check_abs_path(newdisk->src_path, what, error))
            return FALSE;
    } else if (newdisk->type == ARMZ_DOMAIN_DISK_TYPE_VOLUME) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("a storage volume as the medium of '%s' is not supported by the armz "
                      "driver"), newdisk->target_dev);
        return FALSE;
    }
    if (!(obj = armz_driver_find(drv, dom, error)))
        return FALSE;
    g_mutex_lock(&obj->lock);
    if (!armz_domain_obj_begin_job(obj, API, error)) {
        g_mutex_unlock(&obj->lock);
        return FALSE;
    }
    if (armz_domain_resolve_impact(obj, &flags, error) &&
        (dev ? armz_net_update(drv, obj, g_ptr_array_index(dev->nets, 0), flags, error)
             : update_disk(drv, obj, newdisk, flags, error)))
        ok = TRUE;
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    return ok;
}

void
armz_domain_media_tray_moved(ArmzDomainObj *obj, const char *id, gboolean open)
{
    for (guint i = 0; obj->def && i < obj->def->disks->len; i++) {
        ArmzDomainDiskDef *disk = g_ptr_array_index(obj->def->disks, i);
        g_autofree char *alias = NULL;
        guint unit;

        if (disk->device != ARMZ_DOMAIN_DISK_DEVICE_CDROM ||
            !armz_domain_scsi_unit(disk, &unit, NULL))
            continue;
        alias = g_strdup_printf("scsi0-0-0-%u", unit);
        if (g_str_equal(alias, id))
            disk->tray_open = open;
    }
}
