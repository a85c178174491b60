/* The PCIe host bridge of --pci: a generic ECAM host (Linux's
 * pci-host-ecam-generic) whose root bus holds functions (any device and
 * function number but device 0) and PCI Express root ports with one
 * function each below them; memory BARs in the 32-bit window and the
 * 64-bit one (pci_window.h); INTA-D
 * swizzled onto four level-triggered SPIs as on QEMU's virt. */
#pragma once
#include <glib.h>
#include "devices/mmio.h"
#include "irq/irq.h"
#include "pci/pci_config.h"
#include "pci/msi.h"
#include "pci/pcie_root_port.h"
#include "pci/pci_window.h"

typedef struct _ArmzPciHost ArmzPciHost;

/* INTX_SET drives the SPIs of INTA-D (ArmzIrqSetFn of the GIC). */
ArmzPciHost *armz_pci_host_new(ArmzIrqSetFn intx_set, void *intx_opaque);
void armz_pci_host_free(ArmzPciHost *h);
/* Puts F at DEVFN (slot << 3 | function, slot 1-31) of the root bus;
 * FALSE if taken or out of range.  Function 0 of a slot with others is
 * marked multi-function. */
gboolean armz_pci_host_add(ArmzPciHost *h, unsigned devfn, ArmzPciFunc *f, GError **error);
/* A root port at DEVFN of the root bus (kept by the caller). */
gboolean armz_pci_host_add_root_port(ArmzPciHost *h, unsigned devfn, ArmzPcieRootPort *rp,
                                     GError **error);
/* Nothing at any function of SLOT of the root bus. */
gboolean armz_pci_host_slot_free(ArmzPciHost *h, unsigned slot);
/* The 64-bit MMIO window (size 0: none), set before armz_pci_host_map. */
void armz_pci_host_set_high_window(ArmzPciHost *h, const ArmzPciWindow *w);
/* The root port at DEVFN, or NULL. */
ArmzPcieRootPort *armz_pci_host_root_port(ArmzPciHost *h, unsigned devfn);
/* Puts F below the root port at PORT_DEVFN; FALSE if none or taken. */
gboolean armz_pci_host_add_below(ArmzPciHost *h, unsigned port_devfn, ArmzPciFunc *f,
                                 GError **error);
/* Hotplug: puts F below the hotplug-capable root port at PORT_DEVFN
 * (presence detect and link up are signalled to the guest), or takes the
 * device away (F NULL) after the guest powered the slot off.  Takes the
 * host's lock. */
gboolean armz_pci_host_hotplug_below(ArmzPciHost *h, unsigned port_devfn, ArmzPciFunc *f,
                                     GError **error);
/* Takes the lock of config space and BAR decoding (slot changes from the
 * main thread: the attention button). */
void armz_pci_host_lock(ArmzPciHost *h);
void armz_pci_host_unlock(ArmzPciHost *h);
/* The function at DEVFN of the root bus, or NULL. */
ArmzPciFunc *armz_pci_host_func(ArmzPciHost *h, unsigned devfn);
/* The slot whose INTx line F uses: its own on the root bus, its root
 * port's below one (device 0, INTA: the swizzle keeps the pin). */
unsigned armz_pci_host_intx_slot(const ArmzPciFunc *f);
/* Maps the ECAM and the memory windows on BUS (NULL in tests). */
gboolean armz_pci_host_map(ArmzPciHost *h, ArmzMmioBus *bus, GError **error);
/* Resets every function's config space. */
void armz_pci_host_reset(ArmzPciHost *h);

/* INTA of function F (on the line of armz_pci_host_intx_slot): its level.
 * Several functions share a line, which is high while any asserts it. */
void armz_pci_host_set_intx(ArmzPciHost *h, const ArmzPciFunc *f, int level);

/* MMIO handlers (also for the unit tests): ECAM offsets, and guest
 * physical addresses inside the window. */
uint64_t armz_pci_host_ecam_read(void *opaque, uint64_t offset, unsigned size);
void armz_pci_host_ecam_write(void *opaque, uint64_t offset, unsigned size, uint64_t value);
uint64_t armz_pci_host_mem_read(void *opaque, uint64_t offset, unsigned size);
void armz_pci_host_mem_write(void *opaque, uint64_t offset, unsigned size, uint64_t value);

/* The /pcie node: GIC_PHANDLE for interrupt-map; MSI: ITS or v2m frame
 * phandle (0: none) for msi-map or msi-parent; HIGH: the 64-bit window
 * (size 0: none) in ranges. */
int armz_pci_host_fdt(void *fdt, uint32_t gic_phandle, ArmzMsiKind msi, uint32_t msi_phandle,
                      const ArmzPciWindow *high);
