/* A PCI Express root port (as QEMU's pcie-root-port: 1b36:000c): a type 1
 * header whose secondary bus the guest numbers, a memory window the guest
 * programs, and a PCI Express capability (root port, slot implemented with
 * its physical slot number, link up) for the one function behind it at
 * device 0 of its secondary bus.  No I/O or prefetchable window, no
 * hotplug yet. */
#pragma once
#include "pci/pci_config.h"

typedef struct {
    ArmzPciFunc func;
    unsigned chassis, port;
    ArmzPciFunc *child;             /* device 0 function 0 below, or NULL */
} ArmzPcieRootPort;

void armz_pcie_root_port_init(ArmzPcieRootPort *rp, unsigned chassis, unsigned port);
/* Puts CHILD below RP (its presence shows in the slot status). */
void armz_pcie_root_port_plug(ArmzPcieRootPort *rp, ArmzPciFunc *child);
/* The secondary bus number the guest gave it (0: not yet). */
unsigned armz_pcie_root_port_secondary(const ArmzPcieRootPort *rp);
