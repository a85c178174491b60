/* virConnectGetDomainCapabilities: what define accepts, generated from the
 * validator's tables (domain_validate.h) so the two cannot disagree. */
#pragma once
#include <glib.h>

/* The <domainCapabilities> document for armz-vmm at VMM_PATH and domain
 * type VIRTTYPE ("kvm" or "qemu"), with the loaders of FIRMWARES
 * (ArmzFirmware*, armz_firmware_list()). */
char *armz_domain_capabilities_format(const char *vmm_path, const char *virttype,
                                      const GPtrArray *firmwares);
