/* An interrupt line from a device to whichever interrupt controller the VM
 * uses (in-kernel vGIC or the userspace GIC).  INTID is the GIC interrupt ID
 * (32 + SPI number). */
#pragma once

typedef void (*ArmzIrqSetFn)(void *opaque, unsigned intid, int level);

typedef struct {
    ArmzIrqSetFn set;
    void *opaque;
    unsigned intid;
} ArmzIrqLine;

static inline void
armz_irq_line_set(const ArmzIrqLine *line, int level)
{
    if (line && line->set)
        line->set(line->opaque, line->intid, level);
}
