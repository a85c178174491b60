/* vsock: with auto='yes', armz-vmm takes the first guest CID the host
 * kernel has free; this reads it back into the live definition. */
#pragma once
#include "driver/domain_obj.h"
#include "driver/driver.h"

/* OBJ locked, its job held, just started (unlocked during the monitor
 * call). A failure is logged: the guest runs anyway. */
void armz_domain_vsock_record(ArmzDriver *drv, ArmzDomainObj *obj);
