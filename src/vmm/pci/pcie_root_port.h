/* A PCI Express root port (as QEMU's pcie-root-port: 1b36:000c): a type 1
 * header whose secondary bus the guest numbers, a memory window the guest
 * programs, and a PCI Express capability (root port, slot implemented with
 * its physical slot number) for the one function behind it at device 0 of
 * its secondary bus.  No I/O or prefetchable window.  A hotplug-capable
 * port (the default) also has native PCIe hotplug (pcie_slot.h), an MSI
 * capability for its hotplug interrupt (INTA otherwise) and the Red Hat
 * resource-reservation capability firmware reads to give it bus numbers
 * and a window while it is empty. */
#pragma once
#include <stdbool.h>
#include "pci/pci_config.h"
#include "pci/msi.h"

typedef struct ArmzPcieRootPort ArmzPcieRootPort;

/* What the slot asks of the board (set with armz_pcie_root_port_connect;
 * called with the host bridge's lock held, from a vCPU thread or from the
 * thread that changed the slot) */
typedef struct {
    /* INTA of the port (MSI off) */
    void (*intx)(void *opaque, ArmzPcieRootPort *rp, int level);
    /* the guest switched the power of the occupied slot off: the board
     * removes the device (later, not from this call) */
    void (*power_off)(void *opaque, ArmzPcieRootPort *rp);
} ArmzPcieSlotOps;

struct ArmzPcieRootPort {
    ArmzPciFunc func;
    unsigned chassis, port;
    ArmzPciFunc *child;             /* device 0 function 0 below, or NULL */
    /* hotplug (pcie_slot.c) */
    bool hotplug;
    uint8_t msi_cap;                /* offset of the MSI capability (hotplug ports) */
    bool irq_cond;                  /* the hotplug interrupt condition, last evaluated */
    uint16_t ctl_seen;              /* Slot Control before the guest's last write */
    const ArmzPcieSlotOps *ops;
    void *opaque;
    ArmzMsiSender msi;
};

/* HOTPLUG: native PCIe hotplug, MSI and the reservation capability. */
void armz_pcie_root_port_init(ArmzPcieRootPort *rp, unsigned chassis, unsigned port,
                              bool hotplug);
/* Where the port's interrupts go and who removes devices. */
void armz_pcie_root_port_connect(ArmzPcieRootPort *rp, const ArmzPcieSlotOps *ops, void *opaque,
                                 const ArmzMsiSender *msi);
/* Puts CHILD below RP (NULL: takes it away) at boot, before the guest
 * runs; its presence shows in the slot status, nothing is signalled. */
void armz_pcie_root_port_plug(ArmzPcieRootPort *rp, ArmzPciFunc *child);
/* The secondary bus number the guest gave it (0: not yet). */
unsigned armz_pcie_root_port_secondary(const ArmzPcieRootPort *rp);
