/* PL061 GPIO model. */
#include <glib.h>
#include "devices/pl061.h"

struct _ArmzPl061 {
    GMutex lock;
    ArmzIrqLine irq;
    uint8_t data;       /* output latch */
    uint8_t in;         /* external input levels */
    uint8_t dir, is, ibe, iev, ie, ris, afsel;
    int level;
};

static const uint8_t pl061_id[8] = { 0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static uint8_t
pl061_pins(ArmzPl061 *s)
{
    return (uint8_t)((s->data & s->dir) | (s->in & ~s->dir));
}

static void
pl061_update(ArmzPl061 *s)
{
    /* level-sensitive pins follow their level */
    uint8_t pins = pl061_pins(s);
    uint8_t lvl_hit = (uint8_t)(s->is & ~(pins ^ s->iev));
    s->ris = (uint8_t)((s->ris & ~s->is) | lvl_hit);
    int level = (s->ris & s->ie) != 0;
    if (level != s->level) {
        s->level = level;
        armz_irq_line_set(&s->irq, level);
    }
}

/* edge detection between OLD and NEW pin levels */
static void
pl061_edges(ArmzPl061 *s, uint8_t old, uint8_t new)
{
    uint8_t changed = old ^ new;
    uint8_t edge = (uint8_t)(changed & ~s->is);
    uint8_t both = edge & s->ibe;
    uint8_t rising = (uint8_t)(edge & ~s->ibe & s->iev & new);
    uint8_t falling = (uint8_t)(edge & ~s->ibe & ~s->iev & ~new);
    s->ris |= both | rising | falling;
}

ArmzPl061 *
armz_pl061_new(ArmzIrqLine irq)
{
    ArmzPl061 *s = g_new0(ArmzPl061, 1);
    g_mutex_init(&s->lock);
    s->irq = irq;
    return s;
}

void
armz_pl061_free(ArmzPl061 *s)
{
    if (!s)
        return;
    g_mutex_clear(&s->lock);
    g_free(s);
}

void
armz_pl061_reset(ArmzPl061 *s)
{
    g_mutex_lock(&s->lock);
    s->data = s->in = s->dir = s->is = s->ibe = s->iev = s->ie = s->ris = s->afsel = 0;
    pl061_update(s);
    g_mutex_unlock(&s->lock);
}

uint64_t
armz_pl061_read(void *opaque, uint64_t offset, unsigned size)
{
    ArmzPl061 *s = opaque;
    uint64_t v = 0;

    if (offset >= 0xfe0 && offset < 0x1000)
        return pl061_id[(offset - 0xfe0) >> 2];
    g_mutex_lock(&s->lock);
    if (offset < 0x400) {
        v = pl061_pins(s) & (offset >> 2);
    } else {
        switch (offset) {
        case PL061_DIR:   v = s->dir; break;
        case PL061_IS:    v = s->is; break;
        case PL061_IBE:   v = s->ibe; break;
        case PL061_IEV:   v = s->iev; break;
        case PL061_IE:    v = s->ie; break;
        case PL061_RIS:   v = s->ris; break;
        case PL061_MIS:   v = s->ris & s->ie; break;
        case PL061_AFSEL: v = s->afsel; break;
        default: break;
        }
    }
    g_mutex_unlock(&s->lock);
    return v;
}

void
armz_pl061_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    ArmzPl061 *s = opaque;
    uint8_t v = (uint8_t)value;
    uint8_t old;

    g_mutex_lock(&s->lock);
    old = pl061_pins(s);
    if (offset < 0x400) {
        uint8_t mask = (uint8_t)(offset >> 2);
        s->data = (uint8_t)((s->data & ~mask) | (v & mask));
    } else {
        switch (offset) {
        case PL061_DIR:   s->dir = v; break;
        case PL061_IS:    s->is = v; break;
        case PL061_IBE:   s->ibe = v; break;
        case PL061_IEV:   s->iev = v; break;
        case PL061_IE:    s->ie = v; break;
        case PL061_IC:    s->ris &= (uint8_t)~v; break;
        case PL061_AFSEL: s->afsel = v; break;
        default: break;
        }
    }
    pl061_edges(s, old, pl061_pins(s));
    pl061_update(s);
    g_mutex_unlock(&s->lock);
}

void
armz_pl061_set_input(ArmzPl061 *s, unsigned pin, int level)
{
    uint8_t old;

    if (pin >= 8)
        return;
    g_mutex_lock(&s->lock);
    old = pl061_pins(s);
    if (level)
        s->in |= (uint8_t)(1u << pin);
    else
        s->in &= (uint8_t)~(1u << pin);
    pl061_edges(s, old, pl061_pins(s));
    pl061_update(s);
    g_mutex_unlock(&s->lock);
}
