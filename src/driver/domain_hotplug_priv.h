/* Internals of device hotplug shared by domain_hotplug*.c, process.c and
 * process_watch.c. */
#pragma once
#include <glib.h>
#include <yajl/yajl_tree.h>
#include "conf/domain_conf.h"
#include "driver/driver_priv.h"

/* libvirt's virDomainDeviceType name of the one device DEV holds, or NULL. */
const char *armz_hotplug_device_kind(const ArmzDomainDef *dev);
/* The disk of DEF with target TARGET, or -1. */
gint armz_hotplug_disk_index(const ArmzDomainDef *def, const char *target);
/* The interface of DEF with MAC, or -1 with libvirt's DEVICE_MISSING error. */
gint armz_hotplug_net_index(const ArmzDomainDef *def, const unsigned char mac[6],
                            GError **error);

/* Aliases as libvirt's QEMU driver names them in the live XML: a user's
 * (ua-...) kept, virtio-diskN (N: the target's index), scsi0-0-0-UNIT,
 * netN; given to the live definition at start. */
void armz_hotplug_assign_aliases(ArmzDomainDef *def);
/* The alias a device added to DEF gets. */
char *armz_hotplug_disk_alias(const ArmzDomainDef *def, const ArmzDomainDiskDef *disk);
char *armz_hotplug_net_alias(const ArmzDomainDef *def, const ArmzDomainNetDef *net);
/* A definition holding a copy of the device of DEF with ALIAS, or NULL with
 * VIR_ERR_DEVICE_MISSING (virDomainDetachDeviceAlias). */
ArmzDomainDef *armz_hotplug_device_by_alias(const ArmzDomainDef *def, const char *alias,
                                            GError **error);

/* Whether the pcie-root-port with INDEX has <target hotplug='off'/>. */
gboolean armz_hotplug_port_off(const ArmzDomainDef *def, guint index);

/* The live halves (domain_hotplug_live.c), OBJ locked, its job held. */
gboolean armz_hotplug_attach_live(ArmzDriver *drv, ArmzDomainObj *obj, ArmzDomainDef *dev,
                                  GError **error);
gboolean armz_hotplug_detach_live(ArmzDriver *drv, ArmzDomainObj *obj, const ArmzDomainDef *dev,
                                  const char *alias, GError **error);
/* armz-vmm's DEVICE_DELETED (removed: TRUE) or DEVICE_UNPLUG_GUEST_ERROR
 * event with DATA (process_watch.c, OBJ locked). */
void armz_hotplug_vmm_event(ArmzDriver *drv, ArmzDomainObj *obj, gboolean removed,
                            yajl_val data);

/* domain_hotplug_qsd.c, OBJ locked, its job held: DISK (image PATH) added
 * to OBJ's qemu-storage-daemon (started when it has none), *SOCKET its
 * export and *FD a socket connected to it, the disk's <backingStore> set;
 * its release (nodes, export and their options go; from any thread: the
 * daemon's commands run in a thread of their own). */
gboolean armz_hotplug_qsd_attach(ArmzDriver *drv, ArmzDomainObj *obj, ArmzDomainDiskDef *disk,
                                 const char *path, int *fd, char **socket, GError **error);
void armz_hotplug_qsd_release(ArmzDriver *drv, ArmzDomainObj *obj,
                              const ArmzDomainDiskDef *disk);
