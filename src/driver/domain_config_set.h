/* The setters of a domain's definition that clients use beside hotplug:
 * virsh setvcpus (virDomainSetVcpus(Flags)), desc and metadata
 * (virDomainSet/GetMetadata), following libvirt's QEMU driver. */
#pragma once
#include <glib.h>
#include "driver/driver.h"

/* armz-vmm has no vCPU hotplug: only CONFIG changes, and since every vCPU
 * is online at boot, the count set with VIR_DOMAIN_VCPU_MAXIMUM is also
 * the current one. */
gboolean armz_driver_set_vcpus_flags(ArmzDriver *drv, const ArmzDomainId *dom,
                                     unsigned int nvcpus, unsigned int flags, GError **error);
/* TYPE: virDomainMetadataType; METADATA NULL or empty removes. */
gboolean armz_driver_set_metadata(ArmzDriver *drv, const ArmzDomainId *dom, int type,
                                  const char *metadata, const char *key, const char *uri,
                                  unsigned int flags, GError **error);
char *armz_driver_get_metadata(ArmzDriver *drv, const ArmzDomainId *dom, int type,
                               const char *uri, unsigned int flags, GError **error);
/* virDomainRename of an inactive persistent domain: OUT is the domain
 * under its new name. */
gboolean armz_driver_rename(ArmzDriver *drv, const ArmzDomainId *dom, const char *new_name,
                            unsigned int flags, ArmzDomainId *out, GError **error);
