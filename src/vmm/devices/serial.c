/* The PL011 serial console on a character backend (chardev.c).  Output is
 * written by the vCPU thread that stores to the UART's DR; input is read on
 * the main thread (GLib) and fed into the RX FIFO, pausing while the FIFO
 * is full. */
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include "vmm.h"
#include "devices/chardev.h"
#include "vmmlog.h"

struct _ArmzSerial {
    ArmzChardev *chr;
    ArmzPl011 *uart;
    GMainContext *ctx;
    guint watch;
};

ArmzSerial *
armz_serial_open(const ArmzOptions *o, GError **error)
{
    ArmzSerial *s = g_new0(ArmzSerial, 1);

    s->chr = armz_chardev_open(&o->serial, "serial", error);
    if (!s->chr) {
        g_free(s);
        return NULL;
    }
    return s;
}

void
armz_serial_tx(void *opaque, uint8_t byte)
{
    ArmzSerial *s = opaque;

    if (s)
        armz_chardev_write(s->chr, &byte, 1);
}

static gboolean serial_readable(gint fd, GIOCondition cond, gpointer opaque);

static void
serial_watch(ArmzSerial *s)
{
    int fd = armz_chardev_in_fd(s->chr);

    if (s->watch || fd < 0)
        return;
    GSource *src = g_unix_fd_source_new(fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(src, (GSourceFunc)(void (*)(void))serial_readable, s, NULL);
    s->watch = g_source_attach(src, s->ctx);
    g_source_unref(src);
}

static gboolean
serial_readable(gint fd, GIOCondition cond, gpointer opaque)
{
    ArmzSerial *s = opaque;
    uint8_t buf[PL011_FIFO_DEPTH];
    size_t room = armz_pl011_rx_room(s->uart);
    ssize_t n;

    if (room == 0) {
        /* FIFO full: wait for the guest to read (rx_ready re-arms us) */
        s->watch = 0;
        return G_SOURCE_REMOVE;
    }
    n = armz_chardev_read(s->chr, buf, MIN(room, sizeof(buf)));
    if (n > 0)
        armz_pl011_receive(s->uart, buf, (size_t)n);
    if (n >= 0 && armz_chardev_in_fd(s->chr) != fd) {
        /* a listening line took or lost a client: watch the new fd */
        s->watch = 0;
        serial_watch(s);
        return G_SOURCE_REMOVE;
    }
    if (n >= 0)
        return G_SOURCE_CONTINUE;
    /* EOF or error: no more input */
    s->watch = 0;
    return G_SOURCE_REMOVE;
}

static gboolean
serial_rearm(gpointer opaque)
{
    serial_watch(opaque);
    return G_SOURCE_REMOVE;
}

static void
serial_rx_ready(void *opaque)
{
    ArmzSerial *s = opaque;
    /* vCPU thread: hop to the main thread */
    g_main_context_invoke(s->ctx, serial_rearm, s);
}

void
armz_serial_attach(ArmzSerial *s, ArmzPl011 *uart, GMainContext *ctx)
{
    s->uart = uart;
    s->ctx = ctx;
    armz_pl011_set_rx_ready_cb(uart, serial_rx_ready, s);
    serial_watch(s);
}

void
armz_serial_close(ArmzSerial *s)
{
    if (!s)
        return;
    if (s->watch)
        g_source_remove(s->watch);
    armz_chardev_close(s->chr);
    g_free(s);
}
