/* PCI type 0 configuration space: see pci_config.h. */
#include <string.h>
#include "pci/pci_config.h"

void
armz_pci_func_init(ArmzPciFunc *f, uint16_t vendor, uint16_t device, uint8_t revision,
                   uint32_t class_code, uint16_t subsys_vendor, uint16_t subsys_id,
                   const ArmzPciFuncOps *ops, void *opaque)
{
    memset(f, 0, sizeof(*f));
    f->ops = ops;
    f->opaque = opaque;
    armz_pci_put(&f->cfg[PCI_CFG_VENDOR_ID], 2, vendor);
    armz_pci_put(&f->cfg[PCI_CFG_DEVICE_ID], 2, device);
    f->cfg[PCI_CFG_REVISION] = revision;
    armz_pci_put(&f->cfg[PCI_CFG_CLASS_PROG], 3, class_code);
    f->cfg[PCI_CFG_HEADER_TYPE] = 0;
    armz_pci_put(&f->cfg[PCI_CFG_SUBSYS_VENDOR], 2, subsys_vendor);
    armz_pci_put(&f->cfg[PCI_CFG_SUBSYS_ID], 2, subsys_id);
    f->cfg[PCI_CFG_INT_PIN] = 1;
    armz_pci_put(&f->wmask[PCI_CFG_COMMAND], 2,
                 PCI_CMD_MEMORY | PCI_CMD_MASTER | PCI_CMD_INTX_DISABLE);
    f->wmask[PCI_CFG_INT_LINE] = 0xff;
    f->next_cap = PCI_CFG_FIRST_CAP;
}

void
armz_pci_func_set_bar(ArmzPciFunc *f, unsigned bar, uint32_t size)
{
    if (bar >= ARMZ_PCI_NUM_BARS || size < 16 || (size & (size - 1)))
        return;
    f->bar_size[bar] = size;
    /* the low bits (type: 32-bit memory, not prefetchable) read as 0 and
     * the size bits cannot be set, so all ones reads back as the size mask */
    armz_pci_put(&f->wmask[PCI_CFG_BAR0 + 4 * bar], 4, ~(size - 1));
}

void
armz_pci_func_set_bar64(ArmzPciFunc *f, unsigned bar, uint32_t size, bool prefetchable)
{
    if (bar + 1 >= ARMZ_PCI_NUM_BARS)
        return;
    armz_pci_func_set_bar(f, bar, size);
    if (f->bar_size[bar] != size)
        return;
    f->bar_64[bar] = true;
    f->bar_size[bar + 1] = 0;
    f->cfg[PCI_CFG_BAR0 + 4 * bar] = PCI_BAR_MEM_64 | (prefetchable ? PCI_BAR_PREFETCH : 0);
    /* the upper half takes any address */
    armz_pci_put(&f->wmask[PCI_CFG_BAR0 + 4 * (bar + 1)], 4, 0xffffffff);
}

uint8_t
armz_pci_func_add_cap(ArmzPciFunc *f, uint8_t id, uint8_t len)
{
    uint8_t off = f->next_cap;

    if (off == 0 || off + len > ARMZ_PCI_CFG_SIZE)
        return 0;
    f->cfg[off] = id;
    f->cfg[off + 1] = 0;
    if (f->last_cap)
        f->cfg[f->last_cap + 1] = off;
    else
        f->cfg[PCI_CFG_CAP_PTR] = off;
    f->last_cap = off;
    f->next_cap = (uint8_t)((off + len + 3) & ~3u);
    f->cfg[PCI_CFG_STATUS] |= PCI_STATUS_CAP_LIST;
    return off;
}

uint8_t
armz_pci_func_find_cap(const ArmzPciFunc *f, uint8_t id, uint8_t from)
{
    uint8_t off = from ? f->cfg[from + 1] : f->cfg[PCI_CFG_CAP_PTR];

    /* at most 48 capabilities fit: a loop in the list ends there */
    for (unsigned n = 0; off && n < 48; n++, off = f->cfg[off + 1])
        if (f->cfg[off] == id)
            return off;
    return 0;
}

uint16_t
armz_pci_func_requester_id(const ArmzPciFunc *f)
{
    const ArmzPciFunc *up = f->upstream;
    return (uint16_t)((up ? up->cfg[PCI_CFG_SECONDARY_BUS] << 8 : 0) | f->devfn);
}

uint16_t
armz_pci_command(const ArmzPciFunc *f)
{
    return (uint16_t)armz_pci_get(&f->cfg[PCI_CFG_COMMAND], 2);
}

uint64_t
armz_pci_bar_addr(const ArmzPciFunc *f, unsigned bar)
{
    uint64_t a;

    if (bar >= ARMZ_PCI_NUM_BARS || !f->bar_size[bar])
        return 0;
    a = armz_pci_get(&f->cfg[PCI_CFG_BAR0 + 4 * bar], 4) & ~0xfu;
    if (f->bar_64[bar])
        a |= (uint64_t)armz_pci_get(&f->cfg[PCI_CFG_BAR0 + 4 * (bar + 1)], 4) << 32;
    return a;
}

/* a BAR decodes when memory decoding is on and it is programmed to an
 * address other than 0 or the size probe (all ones; in a 64-bit BAR's
 * upper half, an address past the 52 bits of Arm's largest IPA) */
static bool
bar_decoding(const ArmzPciFunc *f, unsigned bar)
{
    uint64_t a = armz_pci_bar_addr(f, bar);

    if (!(armz_pci_command(f) & PCI_CMD_MEMORY) || a == 0)
        return false;
    if (f->bar_64[bar])
        return a >> 52 == 0;
    return a != (uint32_t)~(f->bar_size[bar] - 1);
}

bool
armz_pci_func_decodes(const ArmzPciFunc *f, uint64_t addr, unsigned *bar, uint64_t *offset)
{
    for (unsigned b = 0; b < ARMZ_PCI_NUM_BARS; b++) {
        uint64_t a;
        if (!f->bar_size[b] || !bar_decoding(f, b))
            continue;
        a = armz_pci_bar_addr(f, b);
        if (addr >= a && addr - a < f->bar_size[b]) {
            *bar = b;
            *offset = addr - a;
            return true;
        }
    }
    return false;
}

/* tells the function which BARs start or stop decoding */
static void
update_bars(ArmzPciFunc *f)
{
    for (unsigned b = 0; b < ARMZ_PCI_NUM_BARS; b++) {
        bool on;
        uint64_t at;
        if (!f->bar_size[b])
            continue;
        on = bar_decoding(f, b);
        at = armz_pci_bar_addr(f, b);
        if (on == f->bar_on[b] && (!on || at == f->bar_at[b]))
            continue;
        if (f->bar_on[b] && f->ops && f->ops->bar_mapped)
            f->ops->bar_mapped(f->opaque, b, f->bar_at[b], false);
        f->bar_on[b] = on;
        f->bar_at[b] = at;
        if (on && f->ops && f->ops->bar_mapped)
            f->ops->bar_mapped(f->opaque, b, at, true);
    }
}

uint32_t
armz_pci_cfg_read(ArmzPciFunc *f, unsigned offset, unsigned size)
{
    if (size > 4 || offset >= ARMZ_PCI_CFG_SIZE || offset + size > ARMZ_PCI_CFG_SIZE)
        return 0;
    return armz_pci_get(&f->cfg[offset], size);
}

void
armz_pci_cfg_write(ArmzPciFunc *f, unsigned offset, unsigned size, uint32_t value)
{
    if (size > 4 || offset >= ARMZ_PCI_CFG_SIZE || offset + size > ARMZ_PCI_CFG_SIZE)
        return;
    for (unsigned i = 0; i < size; i++) {
        uint8_t m = f->wmask[offset + i];
        uint8_t b = (uint8_t)(value >> (8 * i));
        f->cfg[offset + i] = (uint8_t)((f->cfg[offset + i] & ~m) | (b & m));
        f->cfg[offset + i] &= (uint8_t)~(b & f->w1cmask[offset + i]);
    }
    if (offset < PCI_CFG_BAR0 + 4 * ARMZ_PCI_NUM_BARS && offset + size > PCI_CFG_COMMAND)
        update_bars(f);
    if (f->ops && f->ops->config_written)
        f->ops->config_written(f->opaque, offset, size);
}

void
armz_pci_func_reset(ArmzPciFunc *f)
{
    for (unsigned i = 0; i < ARMZ_PCI_CFG_SIZE; i++)
        f->cfg[i] &= (uint8_t)~f->wmask[i];
    update_bars(f);
    if (f->ops && f->ops->reset)
        f->ops->reset(f->opaque);
}
