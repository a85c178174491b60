/* MSI-X table, PBA and masking: see msix.h. */
#include <string.h>
#include "pci/msix.h"

void
armz_msix_init(ArmzMsix *m, ArmzPciFunc *f, unsigned nvec, unsigned bar, uint32_t table_off,
               uint32_t pba_off, const ArmzMsiSender *sender)
{
    memset(m, 0, sizeof(*m));
    m->nvec = nvec > ARMZ_MSIX_MAX_VECTORS ? ARMZ_MSIX_MAX_VECTORS : nvec;
    if (sender)
        m->sender = *sender;
    m->func = f;
    m->cap = armz_pci_func_add_cap(f, PCI_CAP_ID_MSIX, 12);
    if (!m->cap)
        return;
    /* Message Control: table size - 1; only Enable and Function Mask are writable */
    armz_pci_put(&f->cfg[m->cap + 2], 2, m->nvec - 1);
    f->wmask[m->cap + 3] = (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL) >> 8;
    armz_pci_put(&f->cfg[m->cap + 4], 4, table_off | bar);
    armz_pci_put(&f->cfg[m->cap + 8], 4, pba_off | bar);
    armz_msix_reset(m);
}

void
armz_msix_reset(ArmzMsix *m)
{
    memset(m->table, 0, sizeof(m->table));
    for (unsigned v = 0; v < m->nvec; v++)
        m->table[v * ARMZ_MSIX_ENTRY_SIZE + 12] = MSIX_ENTRY_CTRL_MASKED;
    m->pending = 0;
    m->enabled = m->maskall = false;
}

static bool
vector_masked(const ArmzMsix *m, unsigned v)
{
    return m->maskall || (m->table[v * ARMZ_MSIX_ENTRY_SIZE + 12] & MSIX_ENTRY_CTRL_MASKED);
}

static void
send(ArmzMsix *m, unsigned v)
{
    const uint8_t *e = &m->table[v * ARMZ_MSIX_ENTRY_SIZE];
    uint64_t addr = armz_pci_get(e, 4) | (uint64_t)armz_pci_get(e + 4, 4) << 32;

    if (m->sender.send)
        m->sender.send(m->sender.opaque, addr, armz_pci_get(e + 8, 4),
                       armz_pci_func_requester_id(m->func));
}

/* a vector may have been unmasked: deliver what it kept pending */
static void
flush_pending(ArmzMsix *m)
{
    if (!m->enabled)
        return;
    for (unsigned v = 0; v < m->nvec; v++) {
        if ((m->pending & (1ull << v)) && !vector_masked(m, v)) {
            m->pending &= ~(1ull << v);
            send(m, v);
        }
    }
}

bool
armz_msix_notify(ArmzMsix *m, unsigned vector)
{
    if (!m->enabled || vector >= m->nvec)
        return false;
    if (vector_masked(m, vector))
        m->pending |= 1ull << vector;
    else
        send(m, vector);
    return true;
}

uint64_t
armz_msix_table_read(ArmzMsix *m, uint64_t offset, unsigned size)
{
    if ((size != 4 && size != 8) || (offset & (size - 1)) ||
        offset + size > m->nvec * ARMZ_MSIX_ENTRY_SIZE)
        return 0;
    return armz_pci_get(&m->table[offset], 4) |
           (size == 8 ? (uint64_t)armz_pci_get(&m->table[offset + 4], 4) << 32 : 0);
}

void
armz_msix_table_write(ArmzMsix *m, uint64_t offset, unsigned size, uint64_t value)
{
    if ((size != 4 && size != 8) || (offset & (size - 1)) ||
        offset + size > m->nvec * ARMZ_MSIX_ENTRY_SIZE)
        return;
    armz_pci_put(&m->table[offset], 4, (uint32_t)value);
    if (size == 8)
        armz_pci_put(&m->table[offset + 4], 4, (uint32_t)(value >> 32));
    /* only bit 0 of Vector Control is defined */
    uint8_t *ctl = &m->table[(offset / ARMZ_MSIX_ENTRY_SIZE) * ARMZ_MSIX_ENTRY_SIZE + 12];
    ctl[0] &= MSIX_ENTRY_CTRL_MASKED;
    ctl[1] = ctl[2] = ctl[3] = 0;
    flush_pending(m);
}

uint64_t
armz_msix_pba_read(ArmzMsix *m, uint64_t offset, unsigned size)
{
    uint64_t v;

    if ((size != 4 && size != 8) || (offset & (size - 1)) || offset >= 8)
        return 0;
    v = m->pending >> (8 * offset);
    return size == 4 ? (uint32_t)v : v;
}

void
armz_msix_config_written(ArmzMsix *m, const ArmzPciFunc *f)
{
    uint16_t ctrl;

    if (!m->cap)
        return;
    ctrl = (uint16_t)armz_pci_get(&f->cfg[m->cap + 2], 2);
    m->enabled = ctrl & MSIX_CTRL_ENABLE;
    m->maskall = ctrl & MSIX_CTRL_MASKALL;
    flush_pending(m);
}
