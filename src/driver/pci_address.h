/* PCI addresses of a domain's virtio devices, given as libvirt's QEMU
 * driver gives them on machine virt, for a domain whose XML has the
 * <controller type='pci' model='pcie-root'/>: every disk, interface and
 * rng without an address goes on a pcie-root-port of its own (the lowest
 * free one, else a new one is added: index max + 1, chassis = index,
 * placed on the root bus from slot 1 function 0 upwards, port = slot << 3
 * | function), in libvirt's order (interfaces, disks, rngs); an
 * <address type='pci'/> given is checked and kept (with <acpi/> too:
 * armz-vmm's ACPI tables describe the host bridge).  A domain without
 * pcie-root stays on virtio-mmio; a device at <address type='virtio-mmio'/>
 * stays there beside the PCI ones (armz-vmm's pci=off).  The virtio
 * console has no PCI address in the XML (it is the virtio-serial device,
 * whose controller armz does not model): armz-vmm puts it in a free slot
 * of the root bus. */
#pragma once
#include <glib.h>
#include "conf/domain_conf.h"

typedef struct {
    guint index;                /* controller index: the bus number devices name */
    guint slot, function;       /* on the root bus */
    guint chassis, port;
} ArmzPciRootPort;

typedef struct {
    gboolean set;
    gboolean mmio;              /* <address type='virtio-mmio'/>: not on PCI */
    guint bus, slot;
} ArmzPciDevAddr;

typedef struct {
    gboolean active;            /* devices on PCI */
    GArray *ports;              /* ArmzPciRootPort, the XML's and the added */
    guint nports_given;         /* the first ones came from the XML */
    /* root ports of the XML without an index or an address (virt-install
     * writes them bare): their port in PORTS and their place in
     * def->controllers, both guint, for the write-back */
    GArray *placed_port, *placed_ctrl;
    ArmzPciDevAddr *disks, *nets, *rngs;    /* per device of the definition */
} ArmzPciPlan;

/* The assignment for DEF (refusing bad controllers and addresses with
 * VIR_ERR_XML_ERROR / VIR_ERR_CONFIG_UNSUPPORTED). */
ArmzPciPlan *armz_pci_plan_new(const ArmzDomainDef *def, GError **error);
void armz_pci_plan_free(ArmzPciPlan *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzPciPlan, armz_pci_plan_free)
/* Writes the plan's addresses and added root ports into DEF, so that they
 * stay across restarts (define, create). */
gboolean armz_domain_pci_assign(ArmzDomainDef *def, GError **error);
