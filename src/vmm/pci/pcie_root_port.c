/* PCI Express root port: see pcie_root_port.h. */
#include <string.h>
#include "pci/pcie_root_port.h"

#define PCI_VENDOR_ID_REDHAT    0x1b36
#define PCI_DEVICE_ROOT_PORT    0x000c
#define PCI_CAP_ID_EXP          0x10
#define PCI_EXP_LEN             0x3c
/* PCI Express capability registers (offsets in the capability) */
#define EXP_FLAGS               0x02
#define EXP_DEVCAP              0x04
#define EXP_LNKCAP              0x0c
#define EXP_LNKSTA              0x12
#define EXP_SLTCAP              0x14
#define EXP_SLTSTA              0x1a
#define EXP_TYPE_ROOT_PORT      0x4
#define EXP_FLAGS_SLOT          0x0100
#define LNKCAP_DLLLARC          (1u << 20)
#define LNKSTA_DLLLA            (1u << 13)
#define SLTSTA_PDS              (1u << 6)

static uint8_t
exp_cap(const ArmzPcieRootPort *rp)
{
    return armz_pci_func_find_cap(&rp->func, PCI_CAP_ID_EXP, 0);
}

void
armz_pcie_root_port_init(ArmzPcieRootPort *rp, unsigned chassis, unsigned port)
{
    ArmzPciFunc *f = &rp->func;
    uint8_t c;

    memset(rp, 0, sizeof(*rp));
    rp->chassis = chassis;
    rp->port = port;
    /* class: bridge, PCI-to-PCI, normal decode */
    armz_pci_func_init(f, PCI_VENDOR_ID_REDHAT, PCI_DEVICE_ROOT_PORT, 0, 0x060400, 0, 0, NULL,
                       NULL);
    f->cfg[PCI_CFG_HEADER_TYPE] = 1;
    /* the type 1 header has no subsystem IDs there (prefetchable base) */
    armz_pci_put(&f->cfg[PCI_CFG_SUBSYS_VENDOR], 4, 0);
    /* bus numbers, the memory window (bits 15:4 of base and limit), bridge control */
    f->wmask[PCI_CFG_PRIMARY_BUS] = f->wmask[PCI_CFG_SECONDARY_BUS] = 0xff;
    f->wmask[PCI_CFG_SUBORDINATE_BUS] = 0xff;
    armz_pci_put(&f->wmask[0x20], 4, 0xfff0fff0);
    armz_pci_put(&f->wmask[0x3e], 2, 0x0fff);
    c = armz_pci_func_add_cap(f, PCI_CAP_ID_EXP, PCI_EXP_LEN);
    armz_pci_put(&f->cfg[c + EXP_FLAGS], 2, 2 | EXP_TYPE_ROOT_PORT << 4 | EXP_FLAGS_SLOT);
    armz_pci_put(&f->cfg[c + EXP_DEVCAP], 4, 0x8000);    /* role-based error reporting */
    /* 2.5 GT/s x1, data link layer active reporting, port number */
    armz_pci_put(&f->cfg[c + EXP_LNKCAP], 4, 1 | 1 << 4 | LNKCAP_DLLLARC | (port & 0xff) << 24);
    armz_pci_put(&f->cfg[c + EXP_LNKSTA], 2, 1 | 1 << 4 | LNKSTA_DLLLA);
    /* physical slot number: the chassis-unique slot, as QEMU takes it from chassis/slot */
    armz_pci_put(&f->cfg[c + EXP_SLTCAP], 4, (chassis & 0x1fff) << 19);
}

void
armz_pcie_root_port_plug(ArmzPcieRootPort *rp, ArmzPciFunc *child)
{
    uint8_t c = exp_cap(rp);
    uint16_t st = (uint16_t)armz_pci_get(&rp->func.cfg[c + EXP_SLTSTA], 2);

    rp->child = child;
    child->upstream = &rp->func;
    child->devfn = 0;
    st = child ? (st | SLTSTA_PDS) : (st & ~SLTSTA_PDS);
    armz_pci_put(&rp->func.cfg[c + EXP_SLTSTA], 2, st);
}

unsigned
armz_pcie_root_port_secondary(const ArmzPcieRootPort *rp)
{
    return rp->func.cfg[PCI_CFG_SECONDARY_BUS];
}
