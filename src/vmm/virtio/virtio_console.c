/* virtio-console (5.3), port 0 only (no MULTIPORT): the guest's hvc0 on
 * the same character backends as the serial line (devices/chardev.c).
 * The transmit queue goes to the backend; backend input fills the receive
 * queue, read only while the guest has receive buffers posted. */
#include <poll.h>
#include <glib/gi18n-lib.h>
#include "virtio/virtio.h"
#include "devices/chardev.h"
#include "vmmlog.h"

#define CONSOLE_QUEUE_SIZE 128
#define CONSOLE_BATCH      64

typedef struct {
    ArmzChardev *chr;
    bool rx_wait;               /* no receive buffer: leave input in the backend */
    ArmzVirtqElem rx, tx;
    uint8_t buf[4096];
} Console;

static bool
console_tx(ArmzVirtioDev *d, Console *c)
{
    for (unsigned i = 0; i < CONSOLE_BATCH; i++) {
        ArmzVirtqElem *e = &c->tx;

        if (armz_virtio_pop(d, VIRTIO_CONSOLE_TX_QUEUE, e) <= 0)
            return false;
        for (unsigned k = 0; k < e->n_out; k++)
            armz_chardev_write(c->chr, e->iov[k].iov_base, e->iov[k].iov_len);
        armz_virtio_push(d, VIRTIO_CONSOLE_TX_QUEUE, e, 0);
    }
    return true;
}

static bool
console_work(ArmzVirtioDev *d, unsigned q)
{
    Console *c = armz_virtio_priv(d);

    if (q == VIRTIO_CONSOLE_TX_QUEUE)
        return console_tx(d, c);
    c->rx_wait = false;         /* new receive buffers: read input again */
    return false;
}

static short
console_fd_events(ArmzVirtioDev *d, unsigned i)
{
    Console *c = armz_virtio_priv(d);
    return !c->rx_wait && armz_chardev_in_fd(c->chr) >= 0 ? POLLIN : 0;
}

static void
console_fd_ready(ArmzVirtioDev *d, unsigned i, short revents)
{
    Console *c = armz_virtio_priv(d);
    ArmzVirtqElem *e = &c->rx;
    ssize_t n;

    if (armz_virtio_pop(d, VIRTIO_CONSOLE_RX_QUEUE, e) <= 0) {
        c->rx_wait = true;
        return;
    }
    n = armz_chardev_read(c->chr, c->buf, MIN(sizeof(c->buf), e->in_len));
    if (n <= 0) {
        /* nothing after all, or the input ended: keep the buffer */
        armz_virtio_unpop(d, VIRTIO_CONSOLE_RX_QUEUE);
        return;
    }
    armz_iov_from_buf(armz_elem_in(e), e->n_in, 0, c->buf, (size_t)n);
    armz_virtio_push(d, VIRTIO_CONSOLE_RX_QUEUE, e, (uint32_t)n);
}

static void
console_reset(ArmzVirtioDev *d)
{
    Console *c = armz_virtio_priv(d);
    c->rx_wait = false;
}

static void
console_free(void *priv)
{
    Console *c = priv;
    armz_chardev_close(c->chr);
    g_free(c);
}

static const ArmzVirtioOps console_ops = {
    .name = "virtio-console",
    .device_id = VIRTIO_ID_CONSOLE,
    .nqueues = 2,
    .queue_max = CONSOLE_QUEUE_SIZE,
    .config_size = VIRTIO_CONSOLE_CFG_SIZE,
    .queue_work = console_work,
    .fd_events = console_fd_events,
    .fd_ready = console_fd_ready,
    .reset = console_reset,
    .free_priv = console_free,
};

ArmzVirtioDev *
armz_virtio_console_new(const ArmzCharOpt *o, GError **error)
{
    Console *c = g_new0(Console, 1);
    ArmzVirtioDev *d;

    c->chr = armz_chardev_open(o, "console", error);
    if (!c->chr) {
        g_free(c);
        return NULL;
    }
    /* config space: cols, rows, max_nr_ports, emerg_wr; none offered */
    d = armz_virtio_dev_new(&console_ops, c, "virtio-console", 0);
    if (armz_chardev_in_fd(c->chr) >= 0)
        armz_virtio_add_fd(d, armz_chardev_in_fd(c->chr));
    return d;
}
