/* PL011 UART model.  The transmitter is infinitely fast: every byte written
 * to DR goes straight to the backend and the TX FIFO is always empty. */
#include <glib.h>
#include "devices/pl011.h"

struct _ArmzPl011 {
    GMutex lock;
    ArmzIrqLine irq;
    ArmzPl011TxFn tx;
    void *tx_opaque;
    void (*rx_ready)(void *);
    void *rx_ready_opaque;

    uint32_t cr, lcr_h, ibrd, fbrd, ifls, imsc, ris, dmacr, ilpr, rsr;
    uint8_t fifo[PL011_FIFO_DEPTH];
    unsigned rx_head, rx_count;
    int irq_level;
};

static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

/* lock held; the line is driven under the lock so that concurrent updates
 * from vCPU threads and the input backend cannot reorder */
static void
pl011_update(ArmzPl011 *s)
{
    /* RX (and receive timeout) follow the FIFO: asserted while data waits */
    if (s->rx_count)
        s->ris |= PL011_INT_RX | PL011_INT_RT;
    else
        s->ris &= ~(PL011_INT_RX | PL011_INT_RT);
    int level = (s->ris & s->imsc) != 0;
    if (level == s->irq_level)
        return;
    s->irq_level = level;
    armz_irq_line_set(&s->irq, level);
}


ArmzPl011 *
armz_pl011_new(ArmzIrqLine irq, ArmzPl011TxFn tx, void *tx_opaque)
{
    ArmzPl011 *s = g_new0(ArmzPl011, 1);
    g_mutex_init(&s->lock);
    s->irq = irq;
    s->tx = tx;
    s->tx_opaque = tx_opaque;
    armz_pl011_reset(s);
    return s;
}

void
armz_pl011_free(ArmzPl011 *s)
{
    if (!s)
        return;
    g_mutex_clear(&s->lock);
    g_free(s);
}

void
armz_pl011_set_rx_ready_cb(ArmzPl011 *s, void (*cb)(void *), void *opaque)
{
    s->rx_ready = cb;
    s->rx_ready_opaque = opaque;
}

void
armz_pl011_reset(ArmzPl011 *s)
{
    g_mutex_lock(&s->lock);
    s->cr = 0x300;          /* TXE | RXE */
    s->lcr_h = 0;
    s->ibrd = s->fbrd = 0;
    s->ifls = 0x12;
    s->imsc = 0;
    s->ris = 0;
    s->dmacr = 0;
    s->ilpr = 0;
    s->rsr = 0;
    s->rx_head = s->rx_count = 0;
    pl011_update(s);
    g_mutex_unlock(&s->lock);
}

uint64_t
armz_pl011_read(void *opaque, uint64_t offset, unsigned size)
{
    ArmzPl011 *s = opaque;
    uint64_t v = 0;
    gboolean was_full = FALSE;

    g_mutex_lock(&s->lock);
    if (offset >= 0xfe0 && offset < 0x1000) {
        v = pl011_id[(offset - 0xfe0) >> 2];
        g_mutex_unlock(&s->lock);
        return v;
    }
    switch (offset) {
    case PL011_DR:
        if (s->rx_count) {
            was_full = s->rx_count == PL011_FIFO_DEPTH;
            v = s->fifo[s->rx_head];
            s->rx_head = (s->rx_head + 1) % PL011_FIFO_DEPTH;
            s->rx_count--;
            pl011_update(s);
        }
        break;
    case PL011_RSR:
        v = s->rsr;
        break;
    case PL011_FR:
        v = PL011_FR_TXFE;
        v |= s->rx_count ? 0 : PL011_FR_RXFE;
        v |= s->rx_count == PL011_FIFO_DEPTH ? PL011_FR_RXFF : 0;
        break;
    case PL011_ILPR:  v = s->ilpr; break;
    case PL011_IBRD:  v = s->ibrd; break;
    case PL011_FBRD:  v = s->fbrd; break;
    case PL011_LCR_H: v = s->lcr_h; break;
    case PL011_CR:    v = s->cr; break;
    case PL011_IFLS:  v = s->ifls; break;
    case PL011_IMSC:  v = s->imsc; break;
    case PL011_RIS:   v = s->ris; break;
    case PL011_MIS:   v = s->ris & s->imsc; break;
    case PL011_DMACR: v = s->dmacr; break;
    default:
        break;
    }
    g_mutex_unlock(&s->lock);
    if (was_full && s->rx_ready)
        s->rx_ready(s->rx_ready_opaque);
    return v;
}

void
armz_pl011_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    ArmzPl011 *s = opaque;
    uint32_t v = (uint32_t)value;

    g_mutex_lock(&s->lock);
    switch (offset) {
    case PL011_DR:
        if (s->tx)
            s->tx(s->tx_opaque, (uint8_t)v);
        /* the byte left at once: the TX FIFO is empty again */
        s->ris |= PL011_INT_TX;
        break;
    case PL011_RSR:   s->rsr = 0; break;   /* write clears errors */
    case PL011_ILPR:  s->ilpr = v & 0xff; break;
    case PL011_IBRD:  s->ibrd = v & 0xffff; break;
    case PL011_FBRD:  s->fbrd = v & 0x3f; break;
    case PL011_LCR_H: s->lcr_h = v & 0xff; break;
    case PL011_CR:    s->cr = v & 0xffff; break;
    case PL011_IFLS:  s->ifls = v & 0x3f; break;
    case PL011_IMSC:  s->imsc = v & PL011_INT_ALL; break;
    case PL011_ICR:   s->ris &= ~(v & PL011_INT_ALL); break;
    case PL011_DMACR: s->dmacr = v & 0x7; break;
    default:
        break;
    }
    pl011_update(s);
    g_mutex_unlock(&s->lock);
}

size_t
armz_pl011_receive(ArmzPl011 *s, const uint8_t *buf, size_t len)
{
    size_t n = 0;

    g_mutex_lock(&s->lock);
    while (n < len && s->rx_count < PL011_FIFO_DEPTH) {
        s->fifo[(s->rx_head + s->rx_count) % PL011_FIFO_DEPTH] = buf[n++];
        s->rx_count++;
    }
    pl011_update(s);
    g_mutex_unlock(&s->lock);
    return n;
}

size_t
armz_pl011_rx_room(ArmzPl011 *s)
{
    size_t room;
    g_mutex_lock(&s->lock);
    room = PL011_FIFO_DEPTH - s->rx_count;
    g_mutex_unlock(&s->lock);
    return room;
}
