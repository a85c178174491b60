/* The board's platform devices, registered through one list (devices.c),
 * kvmtool-style: each entry creates its model, maps it on the MMIO bus,
 * resets it and writes its device tree node. */
#pragma once
#include <glib.h>
#include "devices/mmio.h"
#include "devices/pl011.h"
#include "devices/pl031.h"
#include "devices/pl061.h"
#include "devices/cfi_flash.h"
#include "devices/fw_cfg.h"
#include "options.h"
#include "layout.h"
#include "virtio/virtio_core.h"
#include "virtio/virtio_pci.h"
#include "pci/pci_host.h"

typedef struct {
    ArmzMmioBus *bus;
    ArmzIrqSetFn irq_set;           /* SPI input of the interrupt controller */
    void *irq_opaque;
    ArmzPl011TxFn uart_tx;          /* serial backend output */
    void *uart_tx_opaque;
    /* for the virtio devices: guest RAM, and KVM_IOEVENTFD when KVM has it
     * (NULL: QueueNotify writes exit to the VMM) */
    ArmzGuestMem mem;
    ArmzIoeventfdFn ioeventfd;
    void *ioeventfd_opaque;
    /* firmware boot only (NULL otherwise): made by the boot path, mapped
     * and reset with the board */
    ArmzCfiFlash *flash[ARMZ_FLASH_BANKS];
    ArmzFwCfg *fw_cfg;
    /* created by armz_board_create_devices */
    ArmzPl011 *uart;
    ArmzPl031 *rtc;
    ArmzPl061 *gpio;
    /* created by armz_board_open_virtio, slot order */
    ArmzVirtioDev *virtio[ARMZ_VIRTIO_MAX_SLOTS];
    unsigned nvirtio;
    ArmzVirtioDev *balloon;         /* one of them, or NULL */
    ArmzVirtioDev *serial;          /* the virtio-serial ports, or NULL */
    ArmzVirtioDev *vsock;           /* or NULL */
    /* --pci: the virtio devices are virtio-pci functions on the host
     * bridge (device i in slot i + 1), MSIs through MSI, notify areas
     * through IOEVENTFD_SET when KVM has ioeventfds */
    gboolean pci;
    ArmzMsiSender msi;
    ArmzIoeventfdSetFn ioeventfd_set;
    ArmzPciHost *pci_host;
    /* from the options (armz_board_open_virtio): each device's address
     * (unset: the next free root-bus slot) and the root ports */
    ArmzPciAddrOpt pci_addr[ARMZ_VIRTIO_MAX_SLOTS];
    const ArmzRootPortOpt *root_port_opts;
    unsigned nroot_ports;
    ArmzPcieRootPort *root_ports;
    unsigned nmmio;                 /* devices on virtio-mmio (pci=off with --pci) */
    ArmzPciWindow pci_high;         /* the host bridge's 64-bit window (size 0: none) */
} ArmzBoard;

typedef struct {
    uint32_t gic_phandle;
    uint32_t clock_phandle;
    uint32_t gpio_phandle;
    uint32_t cpu_mask;              /* GICv2 PPI CPU mask bits (0 for GICv3) */
    unsigned nvirtio;               /* virtio-mmio slots in use */
    gboolean firmware;              /* flash and fw_cfg nodes */
    gboolean pci;                   /* the PCIe host bridge node */
    ArmzMsiKind msi;                /* its MSI controller, */
    uint32_t msi_phandle;           /* which the GIC node holds */
    ArmzPciWindow pci_high;         /* the bridge's 64-bit window (size 0: none) */
} ArmzFdtCtx;

typedef struct ArmzDeviceInfo ArmzDeviceInfo;
struct ArmzDeviceInfo {
    const char *name;               /* node name prefix, e.g. "pl011" */
    uint64_t base, size;
    unsigned spi;                   /* SPI number, INTID - 32 */
    gboolean (*create)(ArmzBoard *b, const ArmzDeviceInfo *d, GError **error);
    void (*reset)(ArmzBoard *b);
    int (*fdt)(void *fdt, const ArmzDeviceInfo *d, const ArmzFdtCtx *ctx);
};

/* Creates the virtio devices O asks for (opening their backends: a file
 * that cannot be opened fails here), in slot order: disks, nets, console,
 * rng, balloon, virtio-serial,
 * vsock.  Before armz_board_create_devices. */
gboolean armz_board_open_virtio(ArmzBoard *b, const ArmzOptions *o, GError **error);
/* Maps every device and starts the virtio workers. */
gboolean armz_board_create_devices(ArmzBoard *b, GError **error);
void armz_board_reset_devices(ArmzBoard *b);
void armz_board_free_devices(ArmzBoard *b);
/* Writes every device's node (sequential-write libfdt); 0 or a libfdt error. */
int armz_board_fdt_devices(void *fdt, const ArmzFdtCtx *ctx);
/* "/pl011@9000000": the console, for /chosen/stdout-path */
char *armz_board_console_path(void);
