/* virDomainUpdateDeviceFlags: the medium of a SCSI CD-ROM (virsh
 * change-media --eject, --insert, --update), LIVE and/or CONFIG. */
#pragma once
#include <glib.h>
#include "driver/driver.h"

gboolean armz_driver_update_device(ArmzDriver *drv, const ArmzDomainId *dom, const char *xml,
                                   unsigned int flags, GError **error);
