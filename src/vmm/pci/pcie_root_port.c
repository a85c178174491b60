/* PCI Express root port: see pcie_root_port.h. */
#include <string.h>
#include "pci/pcie_root_port.h"
#include "pci/pcie_slot.h"

#define PCI_VENDOR_ID_REDHAT    0x1b36
#define PCI_DEVICE_ROOT_PORT    0x000c
#define PCI_CAP_ID_EXP          0x10
#define PCI_CAP_ID_MSI          0x05
#define PCI_EXP_LEN             0x3c
#define PCI_MSI_LEN             14      /* 64-bit address, no per-vector masking */
/* QEMU's Red Hat vendor capability "resource reservation" (type 1), which
 * AAVMF/OVMF's PciHotPlugInitDxe reads: bus numbers (u32), I/O (u64),
 * 32-bit memory (u32), prefetchable 32-bit (u32) and 64-bit (u64); all
 * ones = no hint */
#define RESERVE_CAP_LEN         0x20
#define RESERVE_CAP_TYPE        1
#define RESERVE_MEM             (2u << 20)  /* as Linux's pci_hotplug_mem_size */
/* PCI Express capability registers (offsets in the capability) */
#define EXP_FLAGS               0x02
#define EXP_DEVCAP              0x04
#define EXP_LNKCAP              0x0c
#define EXP_LNKSTA              0x12
#define EXP_SLTCAP              0x14
#define EXP_TYPE_ROOT_PORT      0x4
#define EXP_FLAGS_SLOT          0x0100
#define LNKCAP_DLLLARC          (1u << 20)

static void
port_config_written(void *opaque, unsigned offset, unsigned size)
{
    armz_pcie_slot_config_written(opaque, offset, size);
}

static void
port_reset(void *opaque)
{
    armz_pcie_slot_reset(opaque);
}

static const ArmzPciFuncOps port_ops = {
    .config_written = port_config_written,
    .reset = port_reset,
};

static void
add_reserve_cap(ArmzPciFunc *f)
{
    uint8_t c = armz_pci_func_add_cap(f, PCI_CAP_ID_VNDR, RESERVE_CAP_LEN);

    f->cfg[c + 2] = RESERVE_CAP_LEN;
    f->cfg[c + 3] = RESERVE_CAP_TYPE;
    armz_pci_put(&f->cfg[c + 4], 4, 0xffffffff);            /* buses: no hint */
    armz_pci_put(&f->cfg[c + 8], 4, 0);                     /* I/O: none (no window) */
    armz_pci_put(&f->cfg[c + 12], 4, 0);
    armz_pci_put(&f->cfg[c + 16], 4, RESERVE_MEM);
    /* prefetchable: 64-bit only (QEMU refuses both kinds at once), for
     * the virtio BARs a device hot-added later brings */
    armz_pci_put(&f->cfg[c + 20], 4, 0xffffffff);
    armz_pci_put(&f->cfg[c + 24], 4, RESERVE_MEM);
    armz_pci_put(&f->cfg[c + 28], 4, 0);
}

void
armz_pcie_root_port_init(ArmzPcieRootPort *rp, unsigned chassis, unsigned port, bool hotplug)
{
    ArmzPciFunc *f = &rp->func;
    uint8_t c;

    memset(rp, 0, sizeof(*rp));
    rp->chassis = chassis;
    rp->port = port;
    rp->hotplug = hotplug;
    /* class: bridge, PCI-to-PCI, normal decode */
    armz_pci_func_init(f, PCI_VENDOR_ID_REDHAT, PCI_DEVICE_ROOT_PORT, 0, 0x060400, 0, 0, &port_ops,
                       rp);
    f->cfg[PCI_CFG_HEADER_TYPE] = 1;
    /* the type 1 header has no subsystem IDs there (prefetchable base) */
    armz_pci_put(&f->cfg[PCI_CFG_SUBSYS_VENDOR], 4, 0);
    /* bus numbers, the memory window (bits 15:4 of base and limit), the
     * 64-bit prefetchable window (type 1 in bits 3:0, upper halves at
     * 0x28 and 0x2c), bridge control */
    f->wmask[PCI_CFG_PRIMARY_BUS] = f->wmask[PCI_CFG_SECONDARY_BUS] = 0xff;
    f->wmask[PCI_CFG_SUBORDINATE_BUS] = 0xff;
    armz_pci_put(&f->wmask[0x20], 4, 0xfff0fff0);
    armz_pci_put(&f->cfg[0x24], 4, 0x00010001);
    armz_pci_put(&f->wmask[0x24], 4, 0xfff0fff0);
    armz_pci_put(&f->wmask[0x28], 4, 0xffffffff);
    armz_pci_put(&f->wmask[0x2c], 4, 0xffffffff);
    armz_pci_put(&f->wmask[0x3e], 2, 0x0fff);
    c = armz_pci_func_add_cap(f, PCI_CAP_ID_EXP, PCI_EXP_LEN);
    armz_pci_put(&f->cfg[c + EXP_FLAGS], 2, 2 | EXP_TYPE_ROOT_PORT << 4 | EXP_FLAGS_SLOT);
    armz_pci_put(&f->cfg[c + EXP_DEVCAP], 4, 0x8000);    /* role-based error reporting */
    /* 2.5 GT/s x1, data link layer active reporting, port number */
    armz_pci_put(&f->cfg[c + EXP_LNKCAP], 4, 1 | 1 << 4 | LNKCAP_DLLLARC | (port & 0xff) << 24);
    armz_pci_put(&f->cfg[c + EXP_LNKSTA], 2, 1 | 1 << 4);
    /* physical slot number: the chassis-unique slot, as QEMU takes it from chassis/slot */
    armz_pci_put(&f->cfg[c + EXP_SLTCAP], 4, (chassis & 0x1fff) << 19);
    if (hotplug) {
        /* MSI for the hotplug interrupt: one vector, 64-bit address */
        rp->msi_cap = armz_pci_func_add_cap(f, PCI_CAP_ID_MSI, PCI_MSI_LEN);
        armz_pci_put(&f->cfg[rp->msi_cap + 2], 2, 0x0080);
        armz_pci_put(&f->wmask[rp->msi_cap + 2], 2, 0x0071);    /* enable, multiple enable */
        armz_pci_put(&f->wmask[rp->msi_cap + 4], 4, 0xfffffffc);
        armz_pci_put(&f->wmask[rp->msi_cap + 8], 4, 0xffffffff);
        armz_pci_put(&f->wmask[rp->msi_cap + 12], 2, 0xffff);
        add_reserve_cap(f);
    }
    armz_pcie_slot_init(rp);
}

void
armz_pcie_root_port_connect(ArmzPcieRootPort *rp, const ArmzPcieSlotOps *ops, void *opaque,
                            const ArmzMsiSender *msi)
{
    rp->ops = ops;
    rp->opaque = opaque;
    if (msi)
        rp->msi = *msi;
}

void
armz_pcie_root_port_adopt(ArmzPcieRootPort *rp, ArmzPciFunc *child)
{
    rp->child = child;
    if (child) {
        child->upstream = &rp->func;
        child->devfn = 0;
    }
}

void
armz_pcie_root_port_plug(ArmzPcieRootPort *rp, ArmzPciFunc *child)
{
    armz_pcie_root_port_adopt(rp, child);
    /* as it is at power-on: powered, no events */
    armz_pcie_slot_reset(rp);
}

unsigned
armz_pcie_root_port_secondary(const ArmzPcieRootPort *rp)
{
    return rp->func.cfg[PCI_CFG_SECONDARY_BUS];
}
