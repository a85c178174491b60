/* virDomainUpdateDeviceFlags: the medium of a SCSI CD-ROM (virsh
 * change-media --eject, --insert, --update), LIVE and/or CONFIG. */
#pragma once
#include <glib.h>
#include "driver/driver.h"
#include "driver/domain_obj.h"

gboolean armz_driver_update_device(ArmzDriver *drv, const ArmzDomainId *dom, const char *xml,
                                   unsigned int flags, GError **error);

/* DEVICE_TRAY_MOVED of the CD-ROM armz-vmm calls ID (scsi0-0-0-UNIT): its
 * live <target tray='open'/>, as libvirt shows it. OBJ locked. */
void armz_domain_media_tray_moved(ArmzDomainObj *obj, const char *id, gboolean open);
