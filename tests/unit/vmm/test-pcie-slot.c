/* The pciehp slot of a root port (src/vmm/pci/pcie_slot.c) driven through
 * config space as Linux's pciehp driver does: capabilities, the hotplug
 * interrupt on INTx and MSI, Command Completed, presence and link changes,
 * the attention button, power off = the device is let go, reset. */
#include <string.h>
#include <glib.h>
#include "pci/pcie_slot.h"

typedef struct {
    int intx;
    unsigned msgs;
    uint64_t addr;
    uint32_t data, devid;
    unsigned power_offs;
} Sink;

static void
sink_intx(void *opaque, ArmzPcieRootPort *rp, int level)
{
    ((Sink *)opaque)->intx = level;
}

static void
sink_power_off(void *opaque, ArmzPcieRootPort *rp)
{
    ((Sink *)opaque)->power_offs++;
}

static void
sink_msi(void *opaque, uint64_t addr, uint32_t data, uint32_t devid)
{
    Sink *s = opaque;
    s->msgs++;
    s->addr = addr;
    s->data = data;
    s->devid = devid;
}

static const ArmzPcieSlotOps ops = { sink_intx, sink_power_off };

static uint8_t
exp_cap(ArmzPcieRootPort *rp)
{
    return armz_pci_func_find_cap(&rp->func, 0x10, 0);
}

static void
port(ArmzPcieRootPort *rp, Sink *s, bool hotplug)
{
    ArmzMsiSender m = { sink_msi, s };

    memset(s, 0, sizeof(*s));
    armz_pcie_root_port_init(rp, 5, 0x10, hotplug);
    rp->func.devfn = 2 << 3;
    armz_pcie_root_port_connect(rp, &ops, s, &m);
}

static void
wr(ArmzPcieRootPort *rp, unsigned off, unsigned size, uint32_t v)
{
    armz_pci_cfg_write(&rp->func, off, size, v);
}

static uint32_t
rd(ArmzPcieRootPort *rp, unsigned off, unsigned size)
{
    return armz_pci_cfg_read(&rp->func, off, size);
}

#define HP_ENABLE (PCIE_SLTCTL_ABPE | PCIE_SLTCTL_PDCE | PCIE_SLTCTL_CCIE | PCIE_SLTCTL_HPIE | \
                   PCIE_SLTCTL_DLLSCE)

static void
test_caps(void)
{
    ArmzPcieRootPort rp;
    Sink s;
    uint8_t c, v;
    uint32_t cap;

    port(&rp, &s, true);
    c = exp_cap(&rp);
    cap = rd(&rp, c + PCIE_EXP_SLTCAP, 4);
    /* button, power controller, attention and power indicators, hot-plug
     * capable; no MRL, no surprise, NoCompl clear; physical slot = chassis */
    g_assert_cmphex(cap & 0x7f, ==, 0x5b);
    g_assert_cmphex(cap & (1u << 18), ==, 0);
    g_assert_cmpuint(cap >> 19, ==, 5);
    /* link: DLL active reporting capable; an empty slot is off, link down */
    g_assert_cmphex(rd(&rp, c + 0x0c, 4) & (1u << 20), !=, 0);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_LNKSTA, 2) & PCIE_LNKSTA_DLLLA, ==, 0);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_SLTSTA, 2), ==, 0);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_SLTCTL, 2) & (PCIE_SLTCTL_PCC | PCIE_SLTCTL_PIC), ==,
                    PCIE_SLTCTL_PCC | PCIE_SLTCTL_PIC_OFF);
    /* MSI capability (64-bit) and the Red Hat reservation capability */
    g_assert_cmphex(rp.msi_cap, !=, 0);
    g_assert_cmphex(rd(&rp, rp.msi_cap, 1), ==, 0x05);
    g_assert_cmphex(rd(&rp, rp.msi_cap + 2, 2) & 0x80, ==, 0x80);
    v = armz_pci_func_find_cap(&rp.func, PCI_CAP_ID_VNDR, 0);
    g_assert_cmphex(v, !=, 0);
    g_assert_cmphex(rd(&rp, v + 2, 1), ==, 0x20);
    g_assert_cmphex(rd(&rp, v + 3, 1), ==, 1);
    g_assert_cmphex(rd(&rp, v + 16, 4), ==, 2u << 20);
    g_assert_cmphex(rd(&rp, v + 8, 4), ==, 0);

    /* hotplug=off: no hotplug capabilities, Slot Control is read-only, a
     * write interrupts nobody */
    port(&rp, &s, false);
    c = exp_cap(&rp);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_SLTCAP, 4) & 0x7f, ==, 0);
    g_assert_cmphex(rp.msi_cap, ==, 0);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_LNKSTA, 2) & PCIE_LNKSTA_DLLLA, !=, 0);
    wr(&rp, c + PCIE_EXP_SLTCTL, 2, HP_ENABLE);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_SLTCTL, 2), ==, 0);
    g_assert_cmpint(s.intx, ==, 0);
}

static void
test_intx(void)
{
    ArmzPcieRootPort rp;
    ArmzPciFunc child;
    Sink s;
    uint8_t c;

    port(&rp, &s, true);
    c = exp_cap(&rp);
    /* every Slot Control write completes: CC, and with CCIE + HPIE INTA */
    wr(&rp, c + PCIE_EXP_SLTCTL, 2, HP_ENABLE | PCIE_SLTCTL_PCC | PCIE_SLTCTL_PIC_OFF);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_SLTSTA, 2) & PCIE_SLTSTA_CC, !=, 0);
    g_assert_cmpint(s.intx, ==, 1);
    /* RW1C: writing the bit back clears it and drops the line */
    wr(&rp, c + PCIE_EXP_SLTSTA, 2, PCIE_SLTSTA_CC);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_SLTSTA, 2), ==, 0);
    g_assert_cmpint(s.intx, ==, 0);
    /* hot-add: presence, link, PDC + DLLSC */
    memset(&child, 0, sizeof(child));
    armz_pcie_slot_set_child(&rp, &child);
    g_assert_true(child.upstream == &rp.func);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_SLTSTA, 2), ==,
                    PCIE_SLTSTA_PDS | PCIE_SLTSTA_PDC | PCIE_SLTSTA_DLLSC);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_LNKSTA, 2) & PCIE_LNKSTA_DLLLA, !=, 0);
    g_assert_cmpint(s.intx, ==, 1);
    /* clearing PDC alone keeps the line up (DLLSC pending and enabled) */
    wr(&rp, c + PCIE_EXP_SLTSTA, 2, PCIE_SLTSTA_PDC);
    g_assert_cmpint(s.intx, ==, 1);
    wr(&rp, c + PCIE_EXP_SLTSTA, 2, PCIE_SLTSTA_DLLSC | PCIE_SLTSTA_PDS);
    g_assert_cmpint(s.intx, ==, 0);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_SLTSTA, 2), ==, PCIE_SLTSTA_PDS);  /* not RW1C */
    /* INTx disabled in the command register: no line */
    wr(&rp, PCI_CFG_COMMAND, 2, PCI_CMD_INTX_DISABLE);
    armz_pcie_slot_attention(&rp);
    g_assert_cmpint(s.intx, ==, 0);
    wr(&rp, PCI_CFG_COMMAND, 2, 0);
    g_assert_cmpint(s.intx, ==, 1);
    /* events disabled: the status bit is set, nothing interrupts */
    wr(&rp, c + PCIE_EXP_SLTSTA, 2, 0x1ff);
    wr(&rp, c + PCIE_EXP_SLTCTL, 2, PCIE_SLTCTL_HPIE | PCIE_SLTCTL_PIC_ON);
    wr(&rp, c + PCIE_EXP_SLTSTA, 2, PCIE_SLTSTA_CC);
    armz_pcie_slot_attention(&rp);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_SLTSTA, 2) & PCIE_SLTSTA_ABP, !=, 0);
    g_assert_cmpint(s.intx, ==, 0);
}

static void
test_msi(void)
{
    ArmzPcieRootPort rp;
    ArmzPciFunc child;
    Sink s;
    uint8_t c;

    port(&rp, &s, true);
    c = exp_cap(&rp);
    wr(&rp, rp.msi_cap + 4, 4, 0x08090040);
    wr(&rp, rp.msi_cap + 8, 4, 0);
    wr(&rp, rp.msi_cap + 12, 2, 0x51);
    wr(&rp, rp.msi_cap + 2, 2, 1);      /* MSI enable */
    wr(&rp, c + PCIE_EXP_SLTCTL, 2, HP_ENABLE | PCIE_SLTCTL_PCC | PCIE_SLTCTL_PIC_OFF);
    /* one message for the command completion, INTA stays low */
    g_assert_cmpuint(s.msgs, ==, 1);
    g_assert_cmphex(s.addr, ==, 0x08090040);
    g_assert_cmphex(s.data, ==, 0x51);
    g_assert_cmphex(s.devid, ==, 2 << 3);
    g_assert_cmpint(s.intx, ==, 0);
    /* no new message while an event is still pending (edge) */
    memset(&child, 0, sizeof(child));
    armz_pcie_slot_set_child(&rp, &child);
    g_assert_cmpuint(s.msgs, ==, 1);
    /* the guest clears everything: the next event sends again */
    wr(&rp, c + PCIE_EXP_SLTSTA, 2, 0x1ff);
    armz_pcie_slot_attention(&rp);
    g_assert_cmpuint(s.msgs, ==, 2);
    wr(&rp, c + PCIE_EXP_SLTSTA, 2, PCIE_SLTSTA_ABP);
    /* power on, indicator changes: each completes with a message */
    wr(&rp, c + PCIE_EXP_SLTCTL, 2, HP_ENABLE | PCIE_SLTCTL_PIC_ON);
    g_assert_cmpuint(s.msgs, ==, 3);
    g_assert_true(armz_pcie_slot_powered(&rp));
    g_assert_cmpuint(s.power_offs, ==, 0);
}

static void
test_power_off(void)
{
    ArmzPcieRootPort rp;
    ArmzPciFunc child;
    Sink s;
    uint8_t c;

    port(&rp, &s, true);
    c = exp_cap(&rp);
    /* powering an empty slot off and on tells nobody */
    wr(&rp, c + PCIE_EXP_SLTCTL, 2, HP_ENABLE | PCIE_SLTCTL_PIC_ON);
    wr(&rp, c + PCIE_EXP_SLTCTL, 2, HP_ENABLE | PCIE_SLTCTL_PCC);
    g_assert_cmpuint(s.power_offs, ==, 0);
    /* an occupied slot: power off once (a repeated write is no new event) */
    memset(&child, 0, sizeof(child));
    wr(&rp, c + PCIE_EXP_SLTCTL, 2, HP_ENABLE | PCIE_SLTCTL_PIC_ON);
    armz_pcie_slot_set_child(&rp, &child);
    wr(&rp, c + PCIE_EXP_SLTCTL, 2, HP_ENABLE | PCIE_SLTCTL_PIC_BLINK);
    g_assert_cmpuint(s.power_offs, ==, 0);
    wr(&rp, c + PCIE_EXP_SLTCTL, 2, HP_ENABLE | PCIE_SLTCTL_PIC_BLINK | PCIE_SLTCTL_PCC);
    g_assert_cmpuint(s.power_offs, ==, 1);
    wr(&rp, c + PCIE_EXP_SLTCTL, 2, HP_ENABLE | PCIE_SLTCTL_PIC_OFF | PCIE_SLTCTL_PCC);
    g_assert_cmpuint(s.power_offs, ==, 1);
    /* the board takes the device away: presence and link go */
    wr(&rp, c + PCIE_EXP_SLTSTA, 2, 0x1ff);
    armz_pcie_slot_set_child(&rp, NULL);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_SLTSTA, 2), ==, PCIE_SLTSTA_PDC | PCIE_SLTSTA_DLLSC);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_LNKSTA, 2) & PCIE_LNKSTA_DLLLA, ==, 0);
}

static void
test_reset(void)
{
    ArmzPcieRootPort rp;
    ArmzPciFunc child;
    Sink s;
    uint8_t c;

    port(&rp, &s, true);
    c = exp_cap(&rp);
    memset(&child, 0, sizeof(child));
    /* cold-plugged: powered, indicator on, present, link up, no events */
    armz_pcie_root_port_plug(&rp, &child);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_SLTSTA, 2), ==, PCIE_SLTSTA_PDS);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_SLTCTL, 2) & (PCIE_SLTCTL_PCC | PCIE_SLTCTL_PIC), ==,
                    PCIE_SLTCTL_PIC_ON);
    wr(&rp, c + PCIE_EXP_SLTCTL, 2, HP_ENABLE | PCIE_SLTCTL_PIC_BLINK);
    g_assert_cmpint(s.intx, ==, 1);
    /* a VM reset: the guest's controls go, the line drops */
    armz_pci_func_reset(&rp.func);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_SLTCTL, 2), ==, PCIE_SLTCTL_AIC | PCIE_SLTCTL_PIC_ON);
    g_assert_cmphex(rd(&rp, c + PCIE_EXP_SLTSTA, 2), ==, PCIE_SLTSTA_PDS);
    g_assert_cmpint(s.intx, ==, 0);
    g_assert_cmphex(rd(&rp, rp.msi_cap + 2, 2) & 1, ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pcie-slot/caps", test_caps);
    g_test_add_func("/pcie-slot/intx", test_intx);
    g_test_add_func("/pcie-slot/msi", test_msi);
    g_test_add_func("/pcie-slot/power-off", test_power_off);
    g_test_add_func("/pcie-slot/reset", test_reset);
    return g_test_run();
}
