/* virConnectGetDomainCapabilities: what define accepts, generated from the
 * validator's tables (domain_validate.h) so the two cannot disagree. */
#pragma once
#include <glib.h>

/* The <domainCapabilities> document for armz-vmm at VMM_PATH and domain
 * type VIRTTYPE ("kvm" or "qemu"). */
char *armz_domain_capabilities_format(const char *vmm_path, const char *virttype);
