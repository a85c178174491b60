/* The command-line pieces of --pci: device addresses (pci=BUS:SLOT) and
 * --pcie-root-port.  BUS is libvirt's bus number: 0 the root bus, N the
 * root port given index=N (its device is SLOT 0 there). */
#pragma once
#include <glib.h>

typedef struct {
    gboolean set;
    gboolean off;           /* pci=off: this device stays on virtio-mmio */
    guint bus, slot;
} ArmzPciAddrOpt;

/* --pcie-root-port index=N,addr=SLOT[.FN][,chassis=C][,port=P][,hotplug=on|off] */
typedef struct {
    guint index;            /* the bus number devices name it by, 1-255 */
    guint slot, function;   /* where it sits on the root bus */
    guint chassis, port;
    gboolean no_hotplug;    /* hotplug=off: no pciehp slot */
} ArmzRootPortOpt;

/* "BUS:SLOT" (each decimal or 0x-hex), or "off", for option OPT. */
gboolean armz_pci_addr_parse(const char *opt, const char *s, ArmzPciAddrOpt *a, GError **error);
gboolean armz_pcie_root_port_parse(const char *s, ArmzRootPortOpt *rp, GError **error);
/* Unique indexes and root-bus addresses among the N ports. */
gboolean armz_pcie_root_ports_check(const ArmzRootPortOpt *rp, guint n, GError **error);
