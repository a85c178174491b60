/* virDomainUpdateDeviceFlags: the medium of a SCSI CD-ROM (virsh
 * change-media --eject, --insert, --update), or an interface's link state
 * (domain_net_update.c), LIVE and/or CONFIG. */
#pragma once
#include <glib.h>
#include "driver/driver.h"
#include "driver/domain_obj.h"

gboolean armz_driver_update_device(ArmzDriver *drv, const ArmzDomainId *dom, const char *xml,
                                   unsigned int flags, GError **error);

/* The CONFIG half of an update (OBJ locked, its job held): APPLY with DATA
 * on a copy of the persistent definition, which replaces it once it
 * validates and is saved. */
typedef gboolean (*ArmzConfigApply)(ArmzDomainDef *copy, gconstpointer data, GError **error);
gboolean armz_domain_update_config(ArmzDriver *drv, ArmzDomainObj *obj, ArmzConfigApply apply,
                                   gconstpointer data, GError **error);

/* DEVICE_TRAY_MOVED of the CD-ROM armz-vmm calls ID (scsi0-0-0-UNIT): its
 * live <target tray='open'/>, as libvirt shows it. OBJ locked. */
void armz_domain_media_tray_moved(ArmzDomainObj *obj, const char *id, gboolean open);
