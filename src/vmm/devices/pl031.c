/* PL031 RTC model: DR counts host seconds plus the offset the guest loaded
 * through LR.  The match register is stored and compared when read; the
 * alarm interrupt is raised when the guest next touches the device after
 * the match time has passed (guests here do not sleep waiting for it). */
#include <glib.h>
#include "devices/pl031.h"

struct _ArmzPl031 {
    GMutex lock;
    ArmzIrqLine irq;
    int64_t (*now)(void);
    int64_t offset;
    uint32_t mr, imsc, ris;
    int level;
};

static const uint8_t pl031_id[8] = { 0x31, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static int64_t
host_now(void)
{
    return g_get_real_time() / G_USEC_PER_SEC;
}

static uint32_t
pl031_counter(ArmzPl031 *s)
{
    return (uint32_t)(s->now() + s->offset);
}

static void
pl031_update(ArmzPl031 *s)
{
    if (s->imsc && pl031_counter(s) >= s->mr && s->mr)
        s->ris |= 1;
    int level = (s->ris & s->imsc) != 0;
    if (level != s->level) {
        s->level = level;
        armz_irq_line_set(&s->irq, level);
    }
}

ArmzPl031 *
armz_pl031_new(ArmzIrqLine irq, int64_t (*now)(void))
{
    ArmzPl031 *s = g_new0(ArmzPl031, 1);
    g_mutex_init(&s->lock);
    s->irq = irq;
    s->now = now ? now : host_now;
    return s;
}

void
armz_pl031_free(ArmzPl031 *s)
{
    if (!s)
        return;
    g_mutex_clear(&s->lock);
    g_free(s);
}

void
armz_pl031_reset(ArmzPl031 *s)
{
    g_mutex_lock(&s->lock);
    s->offset = 0;
    s->mr = s->imsc = s->ris = 0;
    pl031_update(s);
    g_mutex_unlock(&s->lock);
}

uint64_t
armz_pl031_read(void *opaque, uint64_t offset, unsigned size)
{
    ArmzPl031 *s = opaque;
    uint64_t v = 0;

    if (offset >= 0xfe0 && offset < 0x1000)
        return pl031_id[(offset - 0xfe0) >> 2];
    g_mutex_lock(&s->lock);
    pl031_update(s);
    switch (offset) {
    case PL031_DR:   v = pl031_counter(s); break;
    case PL031_MR:   v = s->mr; break;
    case PL031_LR:   v = pl031_counter(s); break;
    case PL031_CR:   v = 1; break;               /* always started */
    case PL031_IMSC: v = s->imsc; break;
    case PL031_RIS:  v = s->ris; break;
    case PL031_MIS:  v = s->ris & s->imsc; break;
    default: break;
    }
    g_mutex_unlock(&s->lock);
    return v;
}

void
armz_pl031_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    ArmzPl031 *s = opaque;
    uint32_t v = (uint32_t)value;

    g_mutex_lock(&s->lock);
    switch (offset) {
    case PL031_MR:   s->mr = v; s->ris &= ~1u; break;
    case PL031_LR:   s->offset = (int64_t)v - s->now(); break;
    case PL031_IMSC: s->imsc = v & 1; break;
    case PL031_ICR:  s->ris &= ~(v & 1); break;
    default: break;
    }
    pl031_update(s);
    g_mutex_unlock(&s->lock);
}
