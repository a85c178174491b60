/* Serial console backends of the PL011: stdio, pty, file, passed fd.
 * Output is written by the vCPU thread that stores to the UART's DR; input
 * is read on the main thread (GLib) and fed into the RX FIFO, pausing while
 * the FIFO is full. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include "vmm.h"
#include "vmmlog.h"

struct _ArmzSerial {
    int in_fd;              /* -1: no input */
    int out_fd;             /* -1: output discarded */
    gboolean drop_when_full;/* pty: never block the guest on a missing reader */
    int pty_slave_fd;       /* kept open so the master never sees a hangup */
    gboolean tty_saved;
    struct termios saved;
    ArmzPl011 *uart;
    GMainContext *ctx;
    guint watch;
    gboolean in_eof;
};

static void
set_raw(int fd)
{
    struct termios t;
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(fd, TCSANOW, &t);
    }
}

ArmzSerial *
armz_serial_open(const ArmzOptions *o, GError **error)
{
    ArmzSerial *s = g_new0(ArmzSerial, 1);
    s->in_fd = s->out_fd = s->pty_slave_fd = -1;

    switch (o->serial) {
    case ARMZ_SERIAL_NONE:
        break;
    case ARMZ_SERIAL_STDIO:
        s->in_fd = STDIN_FILENO;
        s->out_fd = STDOUT_FILENO;
        if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &s->saved) == 0) {
            struct termios t = s->saved;
            /* raw input so keys reach the guest; output untouched */
            t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
                                     ICRNL | IXON);
            t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | IEXTEN);
            t.c_cc[VMIN] = 1;
            t.c_cc[VTIME] = 0;
            if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
                s->tty_saved = TRUE;
        }
        break;
    case ARMZ_SERIAL_FILE:
        s->out_fd = open(o->serial_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (s->out_fd < 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot open serial file %s: %s"),
                        o->serial_path, g_strerror(errno));
            goto fail;
        }
        break;
    case ARMZ_SERIAL_FD:
        if (fcntl(o->serial_fd, F_GETFD) < 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0, _("--serial fd:%d is not an open file descriptor"),
                        o->serial_fd);
            goto fail;
        }
        s->out_fd = o->serial_fd;
        if ((fcntl(o->serial_fd, F_GETFL) & O_ACCMODE) != O_WRONLY)
            s->in_fd = o->serial_fd;
        break;
    case ARMZ_SERIAL_PTY: {
        const char *name;
        int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || !(name = ptsname(m))) {
            g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot create a pty for the serial console: %s"),
                        g_strerror(errno));
            if (m >= 0)
                close(m);
            goto fail;
        }
        s->pty_slave_fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (s->pty_slave_fd >= 0)
            set_raw(s->pty_slave_fd);
        fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
        s->in_fd = s->out_fd = m;
        s->drop_when_full = TRUE;
        fprintf(stderr, "armz-vmm: serial pty %s\n", name);
        fflush(stderr);
        if (o->pty_file) {
            g_autofree char *line = g_strdup_printf("%s\n", name);
            if (!g_file_set_contents(o->pty_file, line, -1, error))
                goto fail;
        }
        break;
    }
    }
    return s;

fail:
    armz_serial_close(s);
    return NULL;
}

void
armz_serial_tx(void *opaque, uint8_t byte)
{
    ArmzSerial *s = opaque;
    ssize_t r;

    if (!s || s->out_fd < 0)
        return;
    do {
        r = write(s->out_fd, &byte, 1);
    } while (r < 0 && errno == EINTR && !s->drop_when_full);
    /* EAGAIN on a pty nobody reads: the byte is dropped, the guest goes on */
}

static gboolean serial_readable(gint fd, GIOCondition cond, gpointer opaque);

static void
serial_watch(ArmzSerial *s)
{
    if (s->watch || s->in_fd < 0 || s->in_eof)
        return;
    GSource *src = g_unix_fd_source_new(s->in_fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
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
    n = read(fd, buf, MIN(room, sizeof(buf)));
    if (n > 0) {
        armz_pl011_receive(s->uart, buf, (size_t)n);
        return G_SOURCE_CONTINUE;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return G_SOURCE_CONTINUE;
    if (n < 0 && errno == EIO && s->pty_slave_fd >= 0)
        return G_SOURCE_CONTINUE;
    /* EOF or error: no more input */
    s->in_eof = TRUE;
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
    if (s->tty_saved)
        tcsetattr(STDIN_FILENO, TCSANOW, &s->saved);
    if (s->pty_slave_fd >= 0)
        close(s->pty_slave_fd);
    g_free(s);
}
