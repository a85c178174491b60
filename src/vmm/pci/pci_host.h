/* The PCIe host bridge of --pci: a generic ECAM host (Linux's
 * pci-host-ecam-generic) with one root bus, functions 0 of slots 1-31 on
 * it, memory BARs in the 32-bit window, and INTA-D swizzled onto four
 * level-triggered SPIs as on QEMU's virt. */
#pragma once
#include <glib.h>
#include "devices/mmio.h"
#include "irq/irq.h"
#include "pci/pci_config.h"
#include "pci/msi.h"

typedef struct _ArmzPciHost ArmzPciHost;

/* INTX_SET drives the SPIs of INTA-D (ArmzIrqSetFn of the GIC). */
ArmzPciHost *armz_pci_host_new(ArmzIrqSetFn intx_set, void *intx_opaque);
void armz_pci_host_free(ArmzPciHost *h);
/* Puts F at SLOT (1..31) of bus 0; FALSE if taken or out of range. */
gboolean armz_pci_host_add(ArmzPciHost *h, unsigned slot, ArmzPciFunc *f, GError **error);
/* Maps the ECAM and the memory window on BUS (NULL in tests). */
gboolean armz_pci_host_map(ArmzPciHost *h, ArmzMmioBus *bus, GError **error);
/* Resets every function's config space. */
void armz_pci_host_reset(ArmzPciHost *h);

/* The interrupt pin of the function at SLOT: level of its INTx.  Several
 * slots share a line, which is high while any of them asserts it. */
void armz_pci_host_set_intx(ArmzPciHost *h, unsigned slot, int level);

/* MMIO handlers (also for the unit tests): ECAM offsets, and guest
 * physical addresses inside the window. */
uint64_t armz_pci_host_ecam_read(void *opaque, uint64_t offset, unsigned size);
void armz_pci_host_ecam_write(void *opaque, uint64_t offset, unsigned size, uint64_t value);
uint64_t armz_pci_host_mem_read(void *opaque, uint64_t offset, unsigned size);
void armz_pci_host_mem_write(void *opaque, uint64_t offset, unsigned size, uint64_t value);

/* The /pcie node: GIC_PHANDLE for interrupt-map; MSI: ITS or v2m frame
 * phandle (0: none) for msi-map or msi-parent. */
int armz_pci_host_fdt(void *fdt, uint32_t gic_phandle, ArmzMsiKind msi, uint32_t msi_phandle);
