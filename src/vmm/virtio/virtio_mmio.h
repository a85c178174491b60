/* virtio-mmio transport, version 2 ("modern", virtio 1.x only): the
 * register block of 4.2.2 mapped onto the device core (virtio_core.h), one
 * level-triggered interrupt line that is high while InterruptStatus is not
 * zero, and QueueNotify through KVM_IOEVENTFD when KVM has it. */
#pragma once
#include <glib.h>
#include "irq/irq.h"
#include "devices/mmio.h"
#include "virtio/virtio_core.h"

/* "ARMZ" as little-endian bytes */
#define ARMZ_VIRTIO_VENDOR_ID   0x5a4d5241u

/* Maps D's registers at BASE on BUS (BUS may be NULL in tests), wires the
 * interrupt and guest memory, and registers an ioeventfd per queue through
 * IOEVENTFD when it is not NULL.  The transport's state is D's from then on
 * (freed by armz_virtio_dev_free). */
gboolean armz_virtio_mmio_attach(ArmzVirtioDev *d, ArmzMmioBus *bus, uint64_t base,
                                 ArmzIrqLine irq, const ArmzGuestMem *mem,
                                 ArmzIoeventfdFn ioeventfd, void *ioeventfd_opaque,
                                 GError **error);
