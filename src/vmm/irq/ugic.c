/* Userspace GICv2 (see ugic.h). */
#include <glib.h>
#include <string.h>
#include "irq/ugic.h"
#include "devices/mmio.h"

typedef struct {
    bool enabled;
    bool pending;       /* latched: edge, software (ISPENDR) */
    bool active;
    bool level;         /* input line */
    bool edge;          /* ICFGR: edge-triggered */
    uint8_t priority;
    uint8_t target;     /* SPIs: ITARGETSR CPU mask */
    uint8_t active_cpu; /* SPIs: CPU that acknowledged it */
    uint8_t sgi_src;    /* SGIs: pending source CPUs */
    uint8_t sgi_active_src;
} UgicIrq;

typedef struct {
    uint32_t ctlr;
    uint8_t pmr;
    uint8_t bpr;
    int line;
} UgicCpu;

struct _ArmzUgic {
    GMutex lock;
    unsigned ncpus, nirqs;
    ArmzUgicLineFn line;
    void *opaque;
    uint32_t ctlr;
    UgicIrq priv[UGIC_MAX_CPUS][32];
    UgicIrq *spi;
    UgicCpu cpu[UGIC_MAX_CPUS];
};

#define PRIO_MASK 0xf8      /* 32 priority levels implemented */
#define PRIO_IDLE 0x100

static UgicIrq *
irq_get(ArmzUgic *g, unsigned cpu, unsigned intid)
{
    if (intid < 32)
        return &g->priv[cpu][intid];
    if (intid < g->nirqs)
        return &g->spi[intid - 32];
    return NULL;
}

static bool
irq_is_pending(const UgicIrq *q, unsigned intid)
{
    if (intid < 16)
        return q->sgi_src != 0;
    return q->pending || (!q->edge && q->level);
}

static bool
irq_targets(const UgicIrq *q, unsigned cpu, unsigned intid)
{
    return intid < 32 || (q->target & (1u << cpu));
}

static unsigned
running_priority(ArmzUgic *g, unsigned cpu)
{
    unsigned prio = PRIO_IDLE;
    for (unsigned i = 0; i < g->nirqs; i++) {
        const UgicIrq *q = irq_get(g, cpu, i);
        if (!q || !q->active || (i >= 32 && q->active_cpu != cpu))
            continue;
        if (q->priority < prio)
            prio = q->priority;
    }
    return prio;
}

/* Highest-priority interrupt CPU could take now, or GIC_SPURIOUS. */
static unsigned
highest_pending(ArmzUgic *g, unsigned cpu)
{
    unsigned best = GIC_SPURIOUS, best_prio = PRIO_IDLE;
    unsigned rprio = running_priority(g, cpu);

    if (!(g->ctlr & 1) || !(g->cpu[cpu].ctlr & 1))
        return GIC_SPURIOUS;
    for (unsigned i = 0; i < g->nirqs; i++) {
        const UgicIrq *q = irq_get(g, cpu, i);
        if (!q || !q->enabled || q->active || !irq_is_pending(q, i) || !irq_targets(q, cpu, i))
            continue;
        if (q->priority >= g->cpu[cpu].pmr || q->priority >= rprio)
            continue;
        if (q->priority < best_prio) {
            best_prio = q->priority;
            best = i;
        }
    }
    return best;
}

/* lock held: re-evaluate every CPU's IRQ line */
static void
ugic_update(ArmzUgic *g)
{
    for (unsigned c = 0; c < g->ncpus; c++) {
        int level = highest_pending(g, c) != GIC_SPURIOUS;
        if (level != g->cpu[c].line) {
            g->cpu[c].line = level;
            if (g->line)
                g->line(g->opaque, c, level);
        }
    }
}

ArmzUgic *
armz_ugic_new(unsigned ncpus, unsigned nirqs, ArmzUgicLineFn line, void *opaque)
{
    ArmzUgic *g;

    if (ncpus == 0 || ncpus > UGIC_MAX_CPUS || nirqs < 64 || nirqs % 32 || nirqs > 1020)
        return NULL;
    g = g_new0(ArmzUgic, 1);
    g_mutex_init(&g->lock);
    g->ncpus = ncpus;
    g->nirqs = nirqs;
    g->line = line;
    g->opaque = opaque;
    g->spi = g_new0(UgicIrq, nirqs - 32);
    armz_ugic_reset(g);
    return g;
}

void
armz_ugic_free(ArmzUgic *g)
{
    if (!g)
        return;
    g_free(g->spi);
    g_mutex_clear(&g->lock);
    g_free(g);
}

void
armz_ugic_reset(ArmzUgic *g)
{
    g_mutex_lock(&g->lock);
    g->ctlr = 0;
    for (unsigned c = 0; c < g->ncpus; c++) {
        for (unsigned i = 0; i < 32; i++) {
            bool level = g->priv[c][i].level;   /* inputs keep their level */
            memset(&g->priv[c][i], 0, sizeof(UgicIrq));
            g->priv[c][i].level = level;
            g->priv[c][i].edge = i < 16;
        }
        g->cpu[c].ctlr = 0;
        g->cpu[c].pmr = 0;
        g->cpu[c].bpr = 2;
    }
    for (unsigned i = 0; i < g->nirqs - 32; i++) {
        bool level = g->spi[i].level;
        memset(&g->spi[i], 0, sizeof(UgicIrq));
        g->spi[i].level = level;
    }
    ugic_update(g);
    g_mutex_unlock(&g->lock);
}

void
armz_ugic_set_spi(void *gic, unsigned intid, int level)
{
    ArmzUgic *g = gic;
    UgicIrq *q;

    if (intid < 32 || intid >= g->nirqs)
        return;
    g_mutex_lock(&g->lock);
    q = &g->spi[intid - 32];
    if (q->edge && level && !q->level)
        q->pending = true;
    q->level = level != 0;
    ugic_update(g);
    g_mutex_unlock(&g->lock);
}

void
armz_ugic_set_ppi(ArmzUgic *g, unsigned cpu, unsigned intid, int level)
{
    UgicIrq *q;

    if (cpu >= g->ncpus || intid < 16 || intid >= 32)
        return;
    g_mutex_lock(&g->lock);
    q = &g->priv[cpu][intid];
    if (q->edge && level && !q->level)
        q->pending = true;
    q->level = level != 0;
    ugic_update(g);
    g_mutex_unlock(&g->lock);
}

int
armz_ugic_line(ArmzUgic *g, unsigned cpu)
{
    int l;
    g_mutex_lock(&g->lock);
    l = cpu < g->ncpus ? g->cpu[cpu].line : 0;
    g_mutex_unlock(&g->lock);
    return l;
}

/* ---- distributor ---------------------------------------------------------- */

static unsigned
cur_cpu(ArmzUgic *g)
{
    return armz_mmio_cpu < g->ncpus ? armz_mmio_cpu : 0;
}

typedef enum { BIT_ENABLE, BIT_PEND, BIT_ACTIVE } BitKind;

static uint32_t
bits_read(ArmzUgic *g, unsigned cpu, unsigned first, unsigned n, BitKind kind)
{
    uint32_t v = 0;
    for (unsigned b = 0; b < n; b++) {
        UgicIrq *q = irq_get(g, cpu, first + b);
        bool bit;
        if (!q)
            break;
        switch (kind) {
        case BIT_ENABLE: bit = q->enabled; break;
        case BIT_PEND:   bit = irq_is_pending(q, first + b); break;
        default:         bit = q->active; break;
        }
        if (bit)
            v |= 1u << b;
    }
    return v;
}

static void
bits_write(ArmzUgic *g, unsigned cpu, unsigned first, unsigned n, BitKind kind,
           bool set, uint32_t v)
{
    for (unsigned b = 0; b < n; b++) {
        unsigned intid = first + b;
        UgicIrq *q = irq_get(g, cpu, intid);
        if (!q)
            break;
        if (!(v & (1u << b)))
            continue;
        switch (kind) {
        case BIT_ENABLE:
            q->enabled = set;
            break;
        case BIT_PEND:
            if (intid >= 16)    /* SGIs use SPENDSGIR/CPENDSGIR */
                q->pending = set;
            break;
        case BIT_ACTIVE:
            q->active = set;
            if (set && intid >= 32)
                q->active_cpu = (uint8_t)cpu;
            break;
        }
    }
}

static const uint8_t gicd_id[12] = {
    0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1
};

uint64_t
armz_ugic_dist_read(void *opaque, uint64_t offset, unsigned size)
{
    ArmzUgic *g = opaque;
    unsigned cpu = cur_cpu(g);
    uint64_t v = 0;

    g_mutex_lock(&g->lock);
    if (offset == GICD_CTLR) {
        v = g->ctlr;
    } else if (offset == GICD_TYPER) {
        v = (g->nirqs / 32 - 1) | ((g->ncpus - 1) << 5);
    } else if (offset == GICD_IIDR) {
        v = 0x0200143b;
    } else if (offset >= GICD_ISENABLER && offset < GICD_ICENABLER + 0x80) {
        v = bits_read(g, cpu, (unsigned)(offset & 0x7f) * 8, size * 8, BIT_ENABLE);
    } else if (offset >= GICD_ISPENDR && offset < GICD_ICPENDR + 0x80) {
        v = bits_read(g, cpu, (unsigned)(offset & 0x7f) * 8, size * 8, BIT_PEND);
    } else if (offset >= GICD_ISACTIVER && offset < GICD_ICACTIVER + 0x80) {
        v = bits_read(g, cpu, (unsigned)(offset & 0x7f) * 8, size * 8, BIT_ACTIVE);
    } else if (offset >= GICD_IPRIORITYR && offset < GICD_IPRIORITYR + 0x400) {
        for (unsigned b = 0; b < size; b++) {
            UgicIrq *q = irq_get(g, cpu, (unsigned)(offset - GICD_IPRIORITYR) + b);
            if (q)
                v |= (uint64_t)q->priority << (8 * b);
        }
    } else if (offset >= GICD_ITARGETSR && offset < GICD_ITARGETSR + 0x400) {
        for (unsigned b = 0; b < size; b++) {
            unsigned intid = (unsigned)(offset - GICD_ITARGETSR) + b;
            UgicIrq *q = irq_get(g, cpu, intid);
            uint8_t t = 0;
            if (q)
                t = intid < 32 ? (uint8_t)(1u << cpu) : q->target;
            v |= (uint64_t)t << (8 * b);
        }
    } else if (offset >= GICD_ICFGR && offset < GICD_ICFGR + 0x100) {
        unsigned first = (unsigned)(offset - GICD_ICFGR) * 4;
        for (unsigned b = 0; b < size * 4; b++) {
            UgicIrq *q = irq_get(g, cpu, first + b);
            if (q && q->edge)
                v |= 2ull << (2 * b);
        }
    } else if (offset >= GICD_CPENDSGIR && offset < GICD_SPENDSGIR + 0x10) {
        unsigned first = (unsigned)(offset & 0xf);
        for (unsigned b = 0; b < size && first + b < 16; b++)
            v |= (uint64_t)g->priv[cpu][first + b].sgi_src << (8 * b);
    } else if (offset >= 0xfd0 && offset < 0x1000) {
        v = gicd_id[(offset - 0xfd0) >> 2];
    }
    g_mutex_unlock(&g->lock);
    return v;
}

void
armz_ugic_dist_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    ArmzUgic *g = opaque;
    unsigned cpu = cur_cpu(g);
    uint32_t v = (uint32_t)value;

    g_mutex_lock(&g->lock);
    if (offset == GICD_CTLR) {
        g->ctlr = v & 1;
    } else if (offset >= GICD_ISENABLER && offset < GICD_ICENABLER + 0x80) {
        bits_write(g, cpu, (unsigned)(offset & 0x7f) * 8, size * 8, BIT_ENABLE,
                   offset < GICD_ICENABLER, v);
    } else if (offset >= GICD_ISPENDR && offset < GICD_ICPENDR + 0x80) {
        bits_write(g, cpu, (unsigned)(offset & 0x7f) * 8, size * 8, BIT_PEND,
                   offset < GICD_ICPENDR, v);
    } else if (offset >= GICD_ISACTIVER && offset < GICD_ICACTIVER + 0x80) {
        bits_write(g, cpu, (unsigned)(offset & 0x7f) * 8, size * 8, BIT_ACTIVE,
                   offset < GICD_ICACTIVER, v);
    } else if (offset >= GICD_IPRIORITYR && offset < GICD_IPRIORITYR + 0x400) {
        for (unsigned b = 0; b < size; b++) {
            UgicIrq *q = irq_get(g, cpu, (unsigned)(offset - GICD_IPRIORITYR) + b);
            if (q)
                q->priority = (uint8_t)(value >> (8 * b)) & PRIO_MASK;
        }
    } else if (offset >= GICD_ITARGETSR && offset < GICD_ITARGETSR + 0x400) {
        for (unsigned b = 0; b < size; b++) {
            unsigned intid = (unsigned)(offset - GICD_ITARGETSR) + b;
            UgicIrq *q = irq_get(g, cpu, intid);
            if (q && intid >= 32)
                q->target = (uint8_t)(value >> (8 * b)) & (uint8_t)((1u << g->ncpus) - 1);
        }
    } else if (offset >= GICD_ICFGR && offset < GICD_ICFGR + 0x100) {
        unsigned first = (unsigned)(offset - GICD_ICFGR) * 4;
        for (unsigned b = 0; b < size * 4; b++) {
            unsigned intid = first + b;
            UgicIrq *q = irq_get(g, cpu, intid);
            if (q && intid >= 16)       /* SGIs are always edge */
                q->edge = (v >> (2 * b + 1)) & 1;
        }
    } else if (offset == GICD_SGIR) {
        unsigned sgi = v & 0xf;
        unsigned filter = (v >> 24) & 3;
        unsigned targets;
        switch (filter) {
        case 0:  targets = (v >> 16) & 0xff; break;
        case 1:  targets = ((1u << g->ncpus) - 1) & ~(1u << cpu); break;
        case 2:  targets = 1u << cpu; break;
        default: targets = 0; break;
        }
        for (unsigned c = 0; c < g->ncpus; c++)
            if (targets & (1u << c))
                g->priv[c][sgi].sgi_src |= (uint8_t)(1u << cpu);
    } else if (offset >= GICD_CPENDSGIR && offset < GICD_SPENDSGIR + 0x10) {
        unsigned first = (unsigned)(offset & 0xf);
        bool set = offset >= GICD_SPENDSGIR;
        for (unsigned b = 0; b < size && first + b < 16; b++) {
            uint8_t m = (uint8_t)(value >> (8 * b));
            if (set)
                g->priv[cpu][first + b].sgi_src |= m;
            else
                g->priv[cpu][first + b].sgi_src &= (uint8_t)~m;
        }
    }
    ugic_update(g);
    g_mutex_unlock(&g->lock);
}

/* ---- CPU interface ---------------------------------------------------------- */

/* lock held: acknowledge the highest pending interrupt of CPU */
static uint32_t
ugic_ack(ArmzUgic *g, unsigned cpu)
{
    unsigned intid = highest_pending(g, cpu);
    uint32_t v = intid;
    UgicIrq *q;

    if (intid == GIC_SPURIOUS)
        return GIC_SPURIOUS;
    q = irq_get(g, cpu, intid);
    if (!q)
        return GIC_SPURIOUS;
    if (intid < 16) {
        unsigned src = (unsigned)__builtin_ctz(q->sgi_src);
        q->sgi_src &= (uint8_t)~(1u << src);
        q->sgi_active_src = (uint8_t)src;
        v |= src << 10;
    } else {
        q->pending = false;     /* a level input stays pending while high */
    }
    q->active = true;
    if (intid >= 32)
        q->active_cpu = (uint8_t)cpu;
    ugic_update(g);
    return v;
}

static void
ugic_deactivate(ArmzUgic *g, unsigned cpu, uint32_t value)
{
    unsigned intid = value & 0x3ff;
    UgicIrq *q = irq_get(g, cpu, intid);

    if (!q)
        return;
    q->active = false;
    ugic_update(g);
}

uint64_t
armz_ugic_cpu_read(void *opaque, uint64_t offset, unsigned size)
{
    ArmzUgic *g = opaque;
    unsigned cpu = cur_cpu(g);
    uint64_t v = 0;
    unsigned rp;

    g_mutex_lock(&g->lock);
    switch (offset) {
    case GICC_CTLR: v = g->cpu[cpu].ctlr; break;
    case GICC_PMR:  v = g->cpu[cpu].pmr; break;
    case GICC_BPR:  v = g->cpu[cpu].bpr; break;
    case GICC_IAR:  v = ugic_ack(g, cpu); break;
    case GICC_RPR:
        rp = running_priority(g, cpu);
        v = rp == PRIO_IDLE ? 0xff : rp;
        break;
    case GICC_HPPIR: {
        unsigned intid = highest_pending(g, cpu);
        v = intid;
        if (intid < 16)
            v |= (unsigned)__builtin_ctz(g->priv[cpu][intid].sgi_src) << 10;
        break;
    }
    case GICC_AIAR:
    case GICC_AHPPIR:
        v = GIC_SPURIOUS;
        break;
    case GICC_IIDR: v = 0x0202143b; break;
    default: break;
    }
    g_mutex_unlock(&g->lock);
    return v;
}

void
armz_ugic_cpu_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    ArmzUgic *g = opaque;
    unsigned cpu = cur_cpu(g);
    uint32_t v = (uint32_t)value;

    g_mutex_lock(&g->lock);
    switch (offset) {
    case GICC_CTLR: g->cpu[cpu].ctlr = v & 0x3ff; break;
    case GICC_PMR:  g->cpu[cpu].pmr = (uint8_t)v & PRIO_MASK; break;
    case GICC_BPR:  g->cpu[cpu].bpr = v & 7; break;
    case GICC_EOIR:
    case GICC_DIR:
        ugic_deactivate(g, cpu, v);
        break;
    default: break;
    }
    ugic_update(g);
    g_mutex_unlock(&g->lock);
}
