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
 * stays there beside the PCI ones (armz-vmm's pci=off).
 * The same goes, in libvirt's order of assignment (filesystems, interfaces,
 * the SCSI and virtio-serial controllers, disks with the vhost-user ones,
 * memballoon, rngs, vsock), for every virtio device: a domain with a virtio
 * console or channels gets libvirt's <controller type='virtio-serial'
 * index='0'/> when it has none.  That controller's address is armz-vmm's
 * virtio console; its channels are a second virtio-serial device, which
 * then takes a root port of its own after all the others (added, without
 * a device in the XML naming it). */
#pragma once
#include <glib.h>
#include "conf/domain_conf.h"

typedef struct {
    guint index;                /* controller index: the bus number devices name */
    guint slot, function;       /* on the root bus */
    guint chassis, port;
    gboolean hotplug_off;       /* <target hotplug='off'/> */
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
    ArmzPciDevAddr *fss;        /* per <filesystem> */
    ArmzPciDevAddr *ctrls;      /* per controller: the SCSI and virtio-serial ones */
    ArmzPciDevAddr balloon, vsock;
    gboolean add_serial;        /* virtio-serial controller 0 is added */
    /* armz-vmm's virtio console (or channels' device when no console): the
     * address of virtio-serial controller 0; and the channels' device
     * beside a console */
    ArmzPciDevAddr serial, serial_extra;
    gboolean has_console;       /* a virtio console: SERIAL is its address */
} ArmzPciPlan;

/* The assignment for DEF (refusing bad controllers and addresses with
 * VIR_ERR_XML_ERROR / VIR_ERR_CONFIG_UNSUPPORTED). */
ArmzPciPlan *armz_pci_plan_new(const ArmzDomainDef *def, GError **error);
void armz_pci_plan_free(ArmzPciPlan *p);
/* A device of DEF (planned as P) is on root port BUS. */
gboolean armz_pci_plan_bus_used(const ArmzPciPlan *p, const ArmzDomainDef *def, guint bus);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzPciPlan, armz_pci_plan_free)
/* Whether the controller's XML says <target hotplug='off'/> (our own
 * fragment serialiser quotes attributes with '). */
gboolean armz_pci_ctrl_hotplug_off(const ArmzDomainControllerDef *ctrl);
/* Writes the plan's addresses and added root ports into DEF, so that they
 * stay across restarts (define, create). */
gboolean armz_domain_pci_assign(ArmzDomainDef *def, GError **error);
