/* virDomainInterfaceAddresses: what the DHCP servers of the networks a
 * running domain's interfaces are plugged into leased to them. */
#pragma once
#include "driver/driver.h"

typedef struct {
    char *name;                 /* the tap */
    char *hwaddr;               /* the MAC */
    GArray *addrs;              /* ArmzDomainIPAddr */
} ArmzDomainIface;

void armz_domain_iface_free(ArmzDomainIface *iface);

/* ArmzDomainIface pointers (freed with the array), in interface order; an
 * interface without a lease is left out, as libvirt does. SOURCE is
 * VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, or _AGENT (the guest's own
 * list, domain_agent.c). */
GPtrArray *armz_driver_interface_addresses(ArmzDriver *drv, const ArmzDomainId *dom,
                                           unsigned int source, unsigned int flags,
                                           GError **error);
