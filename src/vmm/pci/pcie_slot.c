/* Native PCIe hotplug slot of a root port: see pcie_slot.h. */
#include "pci/pcie_slot.h"

#define PCI_CAP_ID_EXP          0x10
#define PCI_CAP_ID_MSI          0x05
#define MSI_CTRL_ENABLE         0x0001
#define MSI_CTRL_64BIT          0x0080

/* Slot Capabilities: attention button, power controller, attention and
 * power indicators, hot-plug capable (no MRL sensor, no surprise removal,
 * no interlock; Command Completed is signalled) */
#define SLTCAP_HOTPLUG          (0x01 | 0x02 | 0x08 | 0x10 | 0x40)
/* what the guest may write: every control but the interlock's */
#define SLTCTL_WMASK            0x17ff
#define SLTSTA_EVENTS           (PCIE_SLTSTA_ABP | PCIE_SLTSTA_PFD | PCIE_SLTSTA_MRLSC | \
                                 PCIE_SLTSTA_PDC | PCIE_SLTSTA_CC | PCIE_SLTSTA_DLLSC)

static uint8_t
exp_cap(const ArmzPcieRootPort *rp)
{
    return armz_pci_func_find_cap(&rp->func, PCI_CAP_ID_EXP, 0);
}

static uint16_t
reg16(const ArmzPcieRootPort *rp, unsigned off)
{
    return (uint16_t)armz_pci_get(&rp->func.cfg[exp_cap(rp) + off], 2);
}

static void
set16(ArmzPcieRootPort *rp, unsigned off, uint16_t v)
{
    armz_pci_put(&rp->func.cfg[exp_cap(rp) + off], 2, v);
}

uint16_t
armz_pcie_slot_ctl(const ArmzPcieRootPort *rp)
{
    return reg16(rp, PCIE_EXP_SLTCTL);
}

uint16_t
armz_pcie_slot_sta(const ArmzPcieRootPort *rp)
{
    return reg16(rp, PCIE_EXP_SLTSTA);
}

bool
armz_pcie_slot_powered(const ArmzPcieRootPort *rp)
{
    return !(armz_pcie_slot_ctl(rp) & PCIE_SLTCTL_PCC);
}

/* the status bits Slot Control lets interrupt */
static uint16_t
enabled_events(uint16_t ctl)
{
    uint16_t m = ctl & (PCIE_SLTCTL_ABPE | 0x0002 | 0x0004 | PCIE_SLTCTL_PDCE | PCIE_SLTCTL_CCIE);
    if (ctl & PCIE_SLTCTL_DLLSCE)
        m |= PCIE_SLTSTA_DLLSC;
    return m;
}

/* Re-evaluates the hotplug interrupt: with MSI a message on each rising
 * edge of the condition (the guest clears every event before the next
 * one can fire), else INTA follows it. */
static void
update_irq(ArmzPcieRootPort *rp)
{
    ArmzPciFunc *f = &rp->func;
    uint16_t ctl = armz_pcie_slot_ctl(rp), sta = armz_pcie_slot_sta(rp);
    bool cond = rp->hotplug && (ctl & PCIE_SLTCTL_HPIE) && (sta & enabled_events(ctl));
    uint16_t mctl = rp->msi_cap ? (uint16_t)armz_pci_get(&f->cfg[rp->msi_cap + 2], 2) : 0;
    bool msi = mctl & MSI_CTRL_ENABLE;
    bool intx = cond && !msi && !(armz_pci_command(f) & PCI_CMD_INTX_DISABLE);

    if (msi && cond && !rp->irq_cond && rp->msi.send) {
        uint64_t addr = armz_pci_get(&f->cfg[rp->msi_cap + 4], 4) |
                        (uint64_t)armz_pci_get(&f->cfg[rp->msi_cap + 8], 4) << 32;
        rp->msi.send(rp->msi.opaque, addr, armz_pci_get(&f->cfg[rp->msi_cap + 12], 2),
                     armz_pci_func_requester_id(f));
    }
    rp->irq_cond = cond;
    if (rp->ops && rp->ops->intx)
        rp->ops->intx(rp->opaque, rp, intx);
}

static void
event(ArmzPcieRootPort *rp, uint16_t bits)
{
    set16(rp, PCIE_EXP_SLTSTA, armz_pcie_slot_sta(rp) | bits);
    update_irq(rp);
}

/* presence detect state and link active follow the child */
static void
set_presence(ArmzPcieRootPort *rp)
{
    uint16_t sta = armz_pcie_slot_sta(rp) & (uint16_t)~PCIE_SLTSTA_PDS;
    uint16_t lnk = reg16(rp, PCIE_EXP_LNKSTA) & (uint16_t)~PCIE_LNKSTA_DLLLA;

    set16(rp, PCIE_EXP_SLTSTA, sta | (rp->child ? PCIE_SLTSTA_PDS : 0));
    /* a port without hotplug keeps its link up, as before */
    set16(rp, PCIE_EXP_LNKSTA, lnk | (rp->child || !rp->hotplug ? PCIE_LNKSTA_DLLLA : 0));
}

void
armz_pcie_slot_init(ArmzPcieRootPort *rp)
{
    ArmzPciFunc *f = &rp->func;
    uint8_t c = exp_cap(rp);
    uint32_t cap = (uint32_t)armz_pci_get(&f->cfg[c + PCIE_EXP_SLTCAP], 4);

    if (rp->hotplug) {
        armz_pci_put(&f->cfg[c + PCIE_EXP_SLTCAP], 4, cap | SLTCAP_HOTPLUG);
        armz_pci_put(&f->wmask[c + PCIE_EXP_SLTCTL], 2, SLTCTL_WMASK);
        armz_pci_put(&f->w1cmask[c + PCIE_EXP_SLTSTA], 2, SLTSTA_EVENTS);
    }
    armz_pcie_slot_reset(rp);
}

void
armz_pcie_slot_reset(ArmzPcieRootPort *rp)
{
    uint16_t ctl = 0;

    if (rp->hotplug)
        ctl = PCIE_SLTCTL_AIC | (rp->child ? PCIE_SLTCTL_PIC_ON
                                           : PCIE_SLTCTL_PIC_OFF | PCIE_SLTCTL_PCC);
    set16(rp, PCIE_EXP_SLTCTL, ctl);
    rp->ctl_seen = ctl;
    set16(rp, PCIE_EXP_SLTSTA, 0);
    set_presence(rp);
    rp->irq_cond = false;
    update_irq(rp);
}

void
armz_pcie_slot_config_written(ArmzPcieRootPort *rp, unsigned offset, unsigned size)
{
    unsigned ctl_at = exp_cap(rp) + PCIE_EXP_SLTCTL;

    if (!rp->hotplug)
        return;
    if (offset < ctl_at + 2 && offset + size > ctl_at) {
        uint16_t ctl = armz_pcie_slot_ctl(rp), was = rp->ctl_seen;

        rp->ctl_seen = ctl;
        /* power off with a device in the slot: the guest let it go */
        if (!(was & PCIE_SLTCTL_PCC) && (ctl & PCIE_SLTCTL_PCC) && rp->child && rp->ops &&
            rp->ops->power_off)
            rp->ops->power_off(rp->opaque, rp);
        /* every command completes at once */
        event(rp, PCIE_SLTSTA_CC);
        return;
    }
    /* status bits cleared, MSI or INTx enabled or disabled */
    update_irq(rp);
}

void
armz_pcie_slot_set_child(ArmzPcieRootPort *rp, ArmzPciFunc *child)
{
    rp->child = child;
    if (child) {
        child->upstream = &rp->func;
        child->devfn = 0;
    }
    set_presence(rp);
    event(rp, PCIE_SLTSTA_PDC | PCIE_SLTSTA_DLLSC);
}

void
armz_pcie_slot_attention(ArmzPcieRootPort *rp)
{
    event(rp, PCIE_SLTSTA_ABP);
}
