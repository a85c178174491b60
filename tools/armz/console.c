/* The terminal on a guest's console, as virsh console does it: raw mode,
 * ^] detaches, the guest's end ends it. Runs libvirt's default event loop
 * (registered in main before the connection opened). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "cli.h"

#define ESCAPE_CHAR 0x1d    /* ^] */

typedef struct {
    virStreamPtr st;
    int stdin_watch;
    GByteArray *to_guest;   /* typed, not yet taken by the stream */
    gboolean quit;
    gboolean failed;
    char *error;
} Console;

static void
update_events(Console *c)
{
    int ev = VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP;

    if (c->to_guest->len)
        ev |= VIR_STREAM_EVENT_WRITABLE;
    virStreamEventUpdateCallback(c->st, ev);
}

static void
stop(Console *c, const char *error)
{
    c->quit = TRUE;
    if (error && !c->error) {
        c->error = g_strdup(error);
        c->failed = TRUE;
    }
}

static void
stream_event(virStreamPtr st, int events, void *opaque)
{
    Console *c = opaque;
    char buf[4096];

    if (events & VIR_STREAM_EVENT_READABLE) {
        for (;;) {
            int n = virStreamRecv(st, buf, sizeof(buf));
            if (n == -2)
                break;
            if (n == 0) {
                stop(c, NULL);
                return;
            }
            if (n < 0) {
                stop(c, virGetLastErrorMessage());
                return;
            }
            if (fwrite(buf, 1, n, stdout) != (size_t)n) {
                stop(c, g_strerror(errno));
                return;
            }
            fflush(stdout);
        }
    }
    if ((events & VIR_STREAM_EVENT_WRITABLE) && c->to_guest->len) {
        int n = virStreamSend(st, (const char *)c->to_guest->data, c->to_guest->len);
        if (n < 0 && n != -2) {
            stop(c, virGetLastErrorMessage());
            return;
        }
        if (n > 0)
            g_byte_array_remove_range(c->to_guest, 0, n);
    }
    if (events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP)) {
        stop(c, NULL);
        return;
    }
    update_events(c);
}

static void
stdin_event(int watch, int fd, int events, void *opaque)
{
    Console *c = opaque;
    char buf[1024];
    ssize_t n = read(fd, buf, sizeof(buf));
    char *esc;

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        /* no more input: keep showing the guest's output */
        virEventRemoveHandle(watch);
        c->stdin_watch = -1;
        return;
    }
    if ((esc = memchr(buf, ESCAPE_CHAR, n))) {
        n = esc - buf;
        c->quit = TRUE;
    }
    g_byte_array_append(c->to_guest, (guint8 *)buf, n);
    if (c->to_guest->len)
        update_events(c);
}

int
armz_console_attach(virDomainPtr dom, GError **error)
{
    virConnectPtr conn = virDomainGetConnect(dom);
    Console c = { .stdin_watch = -1 };
    struct termios saved, raw;
    gboolean tty = isatty(STDIN_FILENO);
    int rc = 0;

    c.st = virStreamNew(conn, VIR_STREAM_NONBLOCK);
    if (!c.st || virDomainOpenConsole(dom, NULL, c.st, 0) < 0) {
        *error = armz_cli_libvirt_error(_("cannot open the console of '%s'"), virDomainGetName(dom));
        if (c.st)
            virStreamFree(c.st);
        return -1;
    }
    c.to_guest = g_byte_array_new();
    printf(_("Connected to domain '%s'\nEscape character is ^] (Ctrl + ])\n"),
           virDomainGetName(dom));
    fflush(stdout);
    if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
    } else {
        tty = FALSE;
    }
    virStreamEventAddCallback(c.st, VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR |
                              VIR_STREAM_EVENT_HANGUP, stream_event, &c, NULL);
    c.stdin_watch = virEventAddHandle(STDIN_FILENO, VIR_EVENT_HANDLE_READABLE, stdin_event,
                                      &c, NULL);
    while (!c.quit) {
        if (virEventRunDefaultImpl() < 0) {
            stop(&c, virGetLastErrorMessage());
            break;
        }
    }
    virStreamEventRemoveCallback(c.st);
    if (c.stdin_watch >= 0)
        virEventRemoveHandle(c.stdin_watch);
    if (c.failed) {
        virStreamAbort(c.st);
    } else if (virStreamFinish(c.st) < 0) {
        /* the guest side may already be gone: not an error for the user */
    }
    virStreamFree(c.st);
    if (tty)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    printf("\n");
    if (c.failed) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("console of '%s': %s"), virDomainGetName(dom), c.error);
        rc = -1;
    }
    g_free(c.error);
    g_byte_array_unref(c.to_guest);
    return rc;
}
