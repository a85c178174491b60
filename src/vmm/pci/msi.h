/* Where a PCI function's message signalled interrupts go: the board's
 * MSI controller, chosen from the interrupt controller KVM gives us: the
 * in-kernel ITS (KVM_SIGNAL_MSI), or the GICv2m-style frame of the GICv2
 * (in-kernel or userspace), which turns the write into an SPI. */
#pragma once
#include <stdint.h>

typedef enum {
    ARMZ_MSI_NONE,          /* INTx only */
    ARMZ_MSI_ITS,           /* in-kernel GICv3 ITS */
    ARMZ_MSI_GICV2M,        /* GICv2m frame (irq/gicv2m.c) */
} ArmzMsiKind;

/* Performs the message write DATA to guest address ADDR on behalf of the
 * requester DEVID. */
typedef void (*ArmzMsiFn)(void *opaque, uint64_t addr, uint32_t data, uint32_t devid);

typedef struct {
    ArmzMsiFn send;
    void *opaque;
} ArmzMsiSender;
