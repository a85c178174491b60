/* GICv2m MSI frame: see gicv2m.h. */
#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include "irq/gicv2m.h"
#include "vmmlog.h"

void
armz_gicv2m_init(ArmzGicv2m *m, uint64_t base, unsigned first_spi, unsigned count,
                 ArmzIrqSetFn set, void *opaque)
{
    m->base = base;
    m->first_intid = 32 + first_spi;
    m->count = count;
    m->set = set;
    m->opaque = opaque;
    m->dropped = 0;
}

uint64_t
armz_gicv2m_read(void *opaque, uint64_t offset, unsigned size)
{
    ArmzGicv2m *m = opaque;

    if (size != 4)
        return 0;
    switch (offset) {
    case GICV2M_MSI_TYPER:
        /* first INTID in bits 25:16, number of SPIs in bits 9:0 */
        return (uint64_t)(m->first_intid & 0x3ff) << 16 | (m->count & 0x3ff);
    case GICV2M_MSI_IIDR:
        return 0;
    default:
        return 0;
    }
}

void
armz_gicv2m_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    ArmzGicv2m *m = opaque;
    uint32_t intid = (uint32_t)value & 0x3ff;

    if (offset != GICV2M_MSI_SETSPI_NS || (size != 4 && size != 2))
        return;
    if (intid < m->first_intid || intid >= m->first_intid + m->count) {
        if (g_atomic_int_add(&m->dropped, 1) < 8)
            armz_vmm_warn(_("GICv2m frame: ignoring MSI to INTID %u, outside %u-%u"), intid,
                          m->first_intid, m->first_intid + m->count - 1);
        return;
    }
    /* the driver configures these SPIs as edge-triggered: a pulse */
    m->set(m->opaque, intid, 1);
    m->set(m->opaque, intid, 0);
}

void
armz_gicv2m_send(void *opaque, uint64_t addr, uint32_t data, uint32_t devid)
{
    ArmzGicv2m *m = opaque;

    (void)devid;
    if (addr != m->base + GICV2M_MSI_SETSPI_NS) {
        if (g_atomic_int_add(&m->dropped, 1) < 8)
            armz_vmm_warn(_("GICv2m frame: ignoring MSI write to 0x%" PRIx64), addr);
        return;
    }
    armz_gicv2m_write(m, GICV2M_MSI_SETSPI_NS, 4, data);
}
