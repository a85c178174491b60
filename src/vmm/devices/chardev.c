/* Character backends: see chardev.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include "devices/chardev.h"
#include "vmmlog.h"

struct _ArmzChardev {
    int in_fd;              /* -1: no input */
    int out_fd;             /* -1: output discarded */
    int log_fd;             /* -1: no log */
    gboolean own_out;       /* close out_fd at the end */
    gboolean own_log;
    int pty_slave_fd;       /* kept open so the master never sees a hangup */
    int listen_fd;          /* listen: the socket clients connect to, -1 otherwise */
    gboolean tty_saved;
    struct termios saved;
    gboolean in_eof;
    GMutex write_lock;      /* several vCPUs (PL011) or the worker write */
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

static gboolean
fd_is_open(int fd)
{
    return fd >= 0 && fcntl(fd, F_GETFD) >= 0;
}

ArmzChardev *
armz_chardev_open(const ArmzCharOpt *o, const char *what, GError **error)
{
    ArmzChardev *c = g_new0(ArmzChardev, 1);

    c->in_fd = c->out_fd = c->log_fd = c->pty_slave_fd = c->listen_fd = -1;
    g_mutex_init(&c->write_lock);

    if (o->log_path) {
        c->log_fd = open(o->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (c->log_fd < 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot open the %s log file %s: %s"),
                        what, o->log_path, g_strerror(errno));
            goto fail;
        }
        c->own_log = TRUE;
    } else if (o->log_fd >= 0) {
        if (!fd_is_open(o->log_fd)) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("the %s log fd:%d is not an open file descriptor"), what, o->log_fd);
            goto fail;
        }
        c->log_fd = o->log_fd;
    }

    switch (o->kind) {
    case ARMZ_SERIAL_NONE:
        break;
    case ARMZ_SERIAL_STDIO:
        c->in_fd = STDIN_FILENO;
        c->out_fd = STDOUT_FILENO;
        if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &c->saved) == 0) {
            struct termios t = c->saved;
            /* raw input so keys reach the guest; output untouched */
            t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
                                     ICRNL | IXON);
            t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | IEXTEN);
            t.c_cc[VMIN] = 1;
            t.c_cc[VTIME] = 0;
            if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
                c->tty_saved = TRUE;
        }
        break;
    case ARMZ_SERIAL_FILE:
        c->out_fd = open(o->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (c->out_fd < 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot open the %s file %s: %s"),
                        what, o->path, g_strerror(errno));
            goto fail;
        }
        c->own_out = TRUE;
        break;
    case ARMZ_SERIAL_FD:
        if (!fd_is_open(o->fd)) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("the %s fd:%d is not an open file descriptor"), what, o->fd);
            goto fail;
        }
        c->out_fd = o->fd;
        if ((fcntl(o->fd, F_GETFL) & O_ACCMODE) != O_WRONLY)
            c->in_fd = o->fd;
        {
            /* a pty master from the daemon: hold its slave open as for
             * "pty", so the master never hangs up between console clients,
             * and never block the guest on a missing reader */
            char name[64];
            if (ptsname_r(o->fd, name, sizeof(name)) == 0) {
                c->pty_slave_fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
                fcntl(o->fd, F_SETFL, fcntl(o->fd, F_GETFL) | O_NONBLOCK);
            }
        }
        break;
    case ARMZ_SERIAL_LISTEN: {
        int acc = 0;
        socklen_t len = sizeof(acc);

        if (getsockopt(o->fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) < 0 || !acc) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("the %s listen:fd:%d is not a listening socket"), what, o->fd);
            goto fail;
        }
        fcntl(o->fd, F_SETFL, fcntl(o->fd, F_GETFL) | O_NONBLOCK);
        /* input is polled on the listening socket until a client comes */
        c->listen_fd = c->in_fd = o->fd;
        break;
    }
    case ARMZ_SERIAL_PTY: {
        const char *name;
        int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || !(name = ptsname(m))) {
            g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot create a pty for the %s: %s"),
                        what, g_strerror(errno));
            if (m >= 0)
                close(m);
            goto fail;
        }
        c->pty_slave_fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (c->pty_slave_fd >= 0)
            set_raw(c->pty_slave_fd);
        fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
        c->in_fd = c->out_fd = m;
        c->own_out = TRUE;
        fprintf(stderr, "armz-vmm: %s pty %s\n", what, name);
        fflush(stderr);
        if (o->pty_file) {
            g_autofree char *line = g_strdup_printf("%s\n", name);
            if (!g_file_set_contents(o->pty_file, line, -1, error))
                goto fail;
        }
        break;
    }
    }
    return c;

fail:
    armz_chardev_close(c);
    return NULL;
}

static void
write_all(int fd, const uint8_t *p, size_t len)
{
    while (len) {
        ssize_t r = write(fd, p, len);
        if (r > 0) {
            p += r;
            len -= (size_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        /* EAGAIN on a pty nobody reads (it is non-blocking): dropped, the
         * guest goes on; other errors: the backend is gone, output is lost */
        return;
    }
}

void
armz_chardev_write(ArmzChardev *c, const void *buf, size_t len)
{
    if (!c || !len)
        return;
    g_mutex_lock(&c->write_lock);
    if (c->out_fd >= 0)
        write_all(c->out_fd, buf, len);
    if (c->log_fd >= 0)
        write_all(c->log_fd, buf, len);
    g_mutex_unlock(&c->write_lock);
}

int
armz_chardev_in_fd(ArmzChardev *c)
{
    return c && !c->in_eof ? c->in_fd : -1;
}

/* listen: takes a waiting client as the line's input and output (one at a
 * time, as QEMU's socket chardev); what the guest prints meanwhile goes to
 * the log only. */
static void
accept_client(ArmzChardev *c)
{
    int fd = accept4(c->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (fd < 0)
        return;
    g_mutex_lock(&c->write_lock);
    c->in_fd = c->out_fd = fd;
    g_mutex_unlock(&c->write_lock);
}

/* listen: the client left; wait for the next one. */
static void
drop_client(ArmzChardev *c)
{
    int fd = c->in_fd;

    g_mutex_lock(&c->write_lock);
    c->in_fd = c->listen_fd;
    c->out_fd = -1;
    g_mutex_unlock(&c->write_lock);
    close(fd);
}

ssize_t
armz_chardev_read(ArmzChardev *c, void *buf, size_t len)
{
    ssize_t n;

    if (!c || c->in_fd < 0 || c->in_eof)
        return -1;
    if (c->listen_fd >= 0 && c->in_fd == c->listen_fd) {
        accept_client(c);
        return 0;
    }
    n = read(c->in_fd, buf, len);
    if (c->listen_fd >= 0 && (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))) {
        drop_client(c);
        return 0;
    }
    if (n > 0)
        return n;
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    /* a pty whose last client went away: more may come */
    if (n < 0 && errno == EIO && c->pty_slave_fd >= 0)
        return 0;
    c->in_eof = TRUE;
    return -1;
}

void
armz_chardev_close(ArmzChardev *c)
{
    if (!c)
        return;
    if (c->tty_saved)
        tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
    if (c->pty_slave_fd >= 0)
        close(c->pty_slave_fd);
    if (c->listen_fd >= 0 && c->in_fd != c->listen_fd && c->in_fd >= 0)
        close(c->in_fd);
    if (c->own_out && c->out_fd >= 0)
        close(c->out_fd);
    if (c->own_log && c->log_fd >= 0)
        close(c->log_fd);
    g_mutex_clear(&c->write_lock);
    g_free(c);
}
