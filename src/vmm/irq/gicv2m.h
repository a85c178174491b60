/* A GICv2m-style MSI frame (arm,gic-v2m-frame) in front of a GICv2 (the
 * userspace one, or the in-kernel one): a PCI function's message write
 * of an INTID to MSI_SETSPI_NS becomes an edge on that SPI.  The only MSI
 * path where KVM has no ITS (the s390x host runs the userspace GIC). */
#pragma once
#include <stdint.h>
#include <glib.h>
#include "irq/irq.h"
#include "pci/msi.h"

#define GICV2M_MSI_TYPER        0x008
#define GICV2M_MSI_SETSPI_NS    0x040
#define GICV2M_MSI_IIDR         0xfcc

typedef struct {
    uint64_t base;
    unsigned first_intid, count;
    ArmzIrqSetFn set;           /* SPI input of the GIC */
    void *opaque;
    gint dropped;               /* messages ignored (atomic: any thread) */
} ArmzGicv2m;

void armz_gicv2m_init(ArmzGicv2m *m, uint64_t base, unsigned first_spi, unsigned count,
                      ArmzIrqSetFn set, void *opaque);
/* MMIO handlers of the frame */
uint64_t armz_gicv2m_read(void *opaque, uint64_t offset, unsigned size);
void armz_gicv2m_write(void *opaque, uint64_t offset, unsigned size, uint64_t value);
/* ArmzMsiFn: the message write of a function (DEVID is not needed) */
void armz_gicv2m_send(void *opaque, uint64_t addr, uint32_t data, uint32_t devid);
