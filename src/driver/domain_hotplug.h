/* virsh attach-device, detach-device, attach-disk, detach-disk,
 * attach-interface, detach-interface: virDomainAttachDevice(Flags),
 * DetachDevice(Flags) and DetachDeviceAlias, with libvirt's LIVE / CONFIG
 * / CURRENT semantics, for disks and interfaces. */
#pragma once
#include <glib.h>
#include "driver/driver.h"

gboolean armz_driver_attach_device(ArmzDriver *drv, const ArmzDomainId *dom, const char *xml,
                                   unsigned int flags, GError **error);
gboolean armz_driver_detach_device(ArmzDriver *drv, const ArmzDomainId *dom, const char *xml,
                                   unsigned int flags, GError **error);
gboolean armz_driver_detach_device_alias(ArmzDriver *drv, const ArmzDomainId *dom,
                                         const char *alias, unsigned int flags,
                                         GError **error);
