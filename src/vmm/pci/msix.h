/* MSI-X of one PCI function: the capability, the vector table and the
 * pending bit array (in a BAR of the function), per-vector and function
 * masking with pending bits, and delivery of a message through the
 * board's MSI controller (ITS or GICv2m frame, msi.h).  The owner
 * serialises every call (the virtio device lock for virtio-pci). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "pci/pci_config.h"
#include "pci/msi.h"

#define ARMZ_MSIX_ENTRY_SIZE    16
#define ARMZ_MSIX_MAX_VECTORS   64
#define MSIX_CTRL_ENABLE        0x8000
#define MSIX_CTRL_MASKALL       0x4000
#define MSIX_ENTRY_CTRL_MASKED  0x1

typedef struct {
    unsigned nvec;
    uint8_t table[ARMZ_MSIX_MAX_VECTORS * ARMZ_MSIX_ENTRY_SIZE];   /* guest bytes */
    uint64_t pending;                   /* PBA: bit per vector */
    bool enabled, maskall;
    uint8_t cap;                        /* offset of the capability */
    ArmzMsiSender sender;
    const ArmzPciFunc *func;            /* for its requester ID */
} ArmzMsix;

/* Adds the capability to F: NVEC vectors, table at TABLE_OFF and PBA at
 * PBA_OFF of BAR; every vector masked. */
void armz_msix_init(ArmzMsix *m, ArmzPciFunc *f, unsigned nvec, unsigned bar,
                    uint32_t table_off, uint32_t pba_off, const ArmzMsiSender *sender);
/* Table and PBA accesses at OFFSET from their start (4 or 8 bytes). */
uint64_t armz_msix_table_read(ArmzMsix *m, uint64_t offset, unsigned size);
void armz_msix_table_write(ArmzMsix *m, uint64_t offset, unsigned size, uint64_t value);
uint64_t armz_msix_pba_read(ArmzMsix *m, uint64_t offset, unsigned size);
/* The guest wrote the function's config space: picks up Enable and
 * Function Mask from the capability, delivers what they unmasked. */
void armz_msix_config_written(ArmzMsix *m, const ArmzPciFunc *f);
/* Fires VECTOR, or sets its pending bit while it is masked.  False when
 * MSI-X is off or VECTOR does not exist. */
bool armz_msix_notify(ArmzMsix *m, unsigned vector);
/* Function reset: disabled, every vector masked, nothing pending. */
void armz_msix_reset(ArmzMsix *m);
