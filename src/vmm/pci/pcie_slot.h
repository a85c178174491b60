/* Native PCI Express hotplug of a root port's slot (pciehp): the Slot
 * Capabilities, Control and Status registers of the port's PCIe
 * capability, Data Link Layer Link Active, and the hotplug interrupt (MSI
 * on its rising edge, else INTA while it holds), as Linux's pciehp driver
 * uses them.  The slot has an attention button, a power controller, power
 * and attention indicators, no MRL, no electromechanical interlock;
 * every Slot Control write completes at once (Command Completed).  A guest
 * that switches the power of an occupied slot off has let the device go:
 * the port's ops->power_off tells the board.  Callers hold the host
 * bridge's lock (the unit tests have none). */
#pragma once
#include "pci/pcie_root_port.h"

/* Slot Control / Slot Status bits (PCIe base spec 7.5.3.10-11) */
#define PCIE_SLTCTL_ABPE        0x0001
#define PCIE_SLTCTL_PDCE        0x0008
#define PCIE_SLTCTL_CCIE        0x0010
#define PCIE_SLTCTL_HPIE        0x0020
#define PCIE_SLTCTL_AIC         0x00c0
#define PCIE_SLTCTL_PIC         0x0300
#define PCIE_SLTCTL_PIC_ON      0x0100
#define PCIE_SLTCTL_PIC_BLINK   0x0200
#define PCIE_SLTCTL_PIC_OFF     0x0300
#define PCIE_SLTCTL_PCC         0x0400      /* 1: power off */
#define PCIE_SLTCTL_DLLSCE      0x1000
#define PCIE_SLTSTA_ABP         0x0001
#define PCIE_SLTSTA_PFD         0x0002
#define PCIE_SLTSTA_MRLSC       0x0004
#define PCIE_SLTSTA_PDC         0x0008
#define PCIE_SLTSTA_CC          0x0010
#define PCIE_SLTSTA_PDS         0x0040
#define PCIE_SLTSTA_DLLSC       0x0100
/* offsets in the PCIe capability */
#define PCIE_EXP_LNKSTA         0x12
#define PCIE_EXP_SLTCAP         0x14
#define PCIE_EXP_SLTCTL         0x18
#define PCIE_EXP_SLTSTA         0x1a
#define PCIE_LNKSTA_DLLLA       0x2000

/* Sets up the slot registers of a new port (RP->hotplug: hotplug ones). */
void armz_pcie_slot_init(ArmzPcieRootPort *rp);
/* Slot and link state after a reset: powered and indicator on when
 * occupied, off when empty; no events pending. */
void armz_pcie_slot_reset(ArmzPcieRootPort *rp);
/* The guest wrote the port's config space at OFFSET (SIZE bytes). */
void armz_pcie_slot_config_written(ArmzPcieRootPort *rp, unsigned offset, unsigned size);
/* Hot-add (CHILD) or the removal the guest agreed to (NULL): presence
 * detect and link state change, the guest is interrupted. */
void armz_pcie_slot_set_child(ArmzPcieRootPort *rp, ArmzPciFunc *child);
/* Presses the attention button (the guest's pciehp starts its 5 s wait,
 * or cancels it on a second press). */
void armz_pcie_slot_attention(ArmzPcieRootPort *rp);
/* Slot Control and Status as the guest sees them. */
uint16_t armz_pcie_slot_ctl(const ArmzPcieRootPort *rp);
uint16_t armz_pcie_slot_sta(const ArmzPcieRootPort *rp);
/* Power is on (Power Controller Control 0). */
bool armz_pcie_slot_powered(const ArmzPcieRootPort *rp);
