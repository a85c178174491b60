/* virtio-pci transport, modern only (virtio 1.x, PCI device IDs
 * 0x1040 + type): the common, notify, ISR and device configuration
 * structures in BAR 4, 64-bit and prefetchable as QEMU's (the guest puts
 * it in the 64-bit window), described by vendor capabilities; MSI-X (a
 * vector per queue plus one for config changes) with its table and PBA in
 * BAR 1, 32-bit; INTx (ISR status, read to clear) while MSI-X is off.
 * Queue notifications land in the worker's eventfds through KVM_IOEVENTFD
 * on the notify area wherever the guest puts BAR 4, or arrive as MMIO
 * exits. */
#pragma once
#include <stdbool.h>
#include <glib.h>
#include "pci/pci_host.h"
#include "pci/msix.h"
#include "virtio/virtio_core.h"

/* BAR 4 (with 5 its upper half) layout: each structure in its own 4 KiB page */
#define VIRTIO_PCI_MODERN_BAR   4
#define VIRTIO_PCI_COMMON_OFF   0x0000
#define VIRTIO_PCI_ISR_OFF      0x1000
#define VIRTIO_PCI_DEVICE_OFF   0x2000
#define VIRTIO_PCI_NOTIFY_OFF   0x3000
#define VIRTIO_PCI_MODERN_SIZE  0x4000
#define VIRTIO_PCI_NOTIFY_MULT  4       /* notify_off_multiplier: queue q at 4 * q */
/* BAR 1: MSI-X table, then the PBA */
#define VIRTIO_PCI_MSIX_BAR     1
#define VIRTIO_PCI_PBA_OFF      0x800
#define VIRTIO_PCI_BAR1_SIZE    0x1000

/* common configuration structure (virtio 1.x, 4.1.4.3) */
#define VPCI_DFSELECT           0x00
#define VPCI_DF                 0x04
#define VPCI_GFSELECT           0x08
#define VPCI_GF                 0x0c
#define VPCI_MSIX_CONFIG        0x10
#define VPCI_NUM_QUEUES         0x12
#define VPCI_STATUS             0x14
#define VPCI_CFG_GENERATION     0x15
#define VPCI_Q_SELECT           0x16
#define VPCI_Q_SIZE             0x18
#define VPCI_Q_MSIX             0x1a
#define VPCI_Q_ENABLE           0x1c
#define VPCI_Q_NOFF             0x1e
#define VPCI_Q_DESC             0x20
#define VPCI_Q_AVAIL            0x28
#define VPCI_Q_USED             0x30
#define VPCI_COMMON_LEN         0x38

#define VIRTIO_PCI_CAP_COMMON   1
#define VIRTIO_PCI_CAP_NOTIFY   2
#define VIRTIO_PCI_CAP_ISR      3
#define VIRTIO_PCI_CAP_DEVICE   4
#define VIRTIO_MSI_NO_VECTOR    0xffff

/* KVM_IOEVENTFD with (ASSIGN) or without a binding: 0 or -errno */
typedef int (*ArmzIoeventfdSetFn)(void *opaque, uint64_t addr, unsigned len, uint64_t datamatch,
                                  int fd, bool assign);

/* Puts D at DEVFN of HOST's root bus, or (BELOW) below the root port at
 * DEVFN, with MSI-X through SENDER; binds it to guest memory.  IOEVENTFD may be NULL (notifications exit to the VMM).
 * The transport's state is D's from then on (armz_virtio_dev_free). */
gboolean armz_virtio_pci_attach(ArmzVirtioDev *d, ArmzPciHost *host, unsigned devfn, bool below,
                                const ArmzMsiSender *sender, const ArmzGuestMem *mem,
                                ArmzIoeventfdSetFn ioeventfd, void *ioeventfd_opaque,
                                GError **error);
/* Hotplug: D into the empty hotplug-capable root port at PORT_DEVFN while
 * the guest runs (the slot tells the guest); as armz_virtio_pci_attach. */
gboolean armz_virtio_pci_hotplug(ArmzVirtioDev *d, ArmzPciHost *host, unsigned port_devfn,
                                 const ArmzMsiSender *sender, const ArmzGuestMem *mem,
                                 ArmzIoeventfdSetFn ioeventfd, void *ioeventfd_opaque,
                                 GError **error);
/* for tests: the PCI function of D's transport */
ArmzPciFunc *armz_virtio_pci_func(ArmzVirtioDev *d);
