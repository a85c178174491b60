/* Opening the host resources of a launch plan (see process_fds.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/process_fds.h"
#include "util/unixaddr.h"
#include <netdb.h>
#include <sys/socket.h>
#include "driver/ovs.h"
#include "driver/tap.h"

/* WHAT: the failed step, formatted by the caller; errno is still its own. */
static int
sys_fail(GError **error, char *what)
{
    int e = errno;
    g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR, "%s: %s", what, g_strerror(e));
    g_free(what);
    return -1;
}

/* with the flags of its cache mode: armz-vmm cannot add O_DSYNC to an fd */
static int
open_disk(const ArmzLaunchFd *f, GError **error)
{
    struct stat st;
    int fd = open(f->path, (f->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC |
                           (f->direct ? O_DIRECT : 0) | (f->dsync ? O_DSYNC : 0));

    if (fd < 0 && errno == EINVAL && f->direct) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("cannot open disk '%s' with O_DIRECT (cache mode 'none' or "
                      "'directsync'): its file system does not support it"), f->path);
        return -1;
    }
    if (fd < 0)
        return sys_fail(error, g_strdup_printf(_("cannot open disk '%s'"), f->path));
    if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
        close(fd);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk '%s' is neither a regular file nor a block device"), f->path);
        return -1;
    }
    return fd;
}

static int
open_flash(const ArmzLaunchFd *f, GError **error)
{
    struct stat st;
    int fd = open(f->path, (f->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);

    if (fd < 0)
        return sys_fail(error, g_strdup_printf(_("cannot open firmware file '%s'"), f->path));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("firmware file '%s' is not a regular file"), f->path);
        return -1;
    }
    return fd;
}

/* A pty master; the slave (its path is what clients open) in raw mode so the
 * console passes bytes untouched. */
static int
open_pty(char **slave_path, GError **error)
{
    char name[64];
    struct termios t;
    int sfd, fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

    if (fd < 0)
        return sys_fail(error, g_strdup(_("cannot open a pty")));
    if (grantpt(fd) < 0 || unlockpt(fd) < 0 || ptsname_r(fd, name, sizeof(name)) != 0) {
        sys_fail(error, g_strdup(_("cannot set up a pty")));
        close(fd);
        return -1;
    }
    sfd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (sfd >= 0) {
        if (tcgetattr(sfd, &t) == 0) {
            cfmakeraw(&t);
            tcsetattr(sfd, TCSANOW, &t);
        }
        close(sfd);
    }
    *slave_path = g_strdup(name);
    return fd;
}

static int
open_qmp(const char *path, GError **error)
{
    struct sockaddr_un sa;
    int fd, dirfd, rc;

    if (!armz_unix_addr(path, &sa, &dirfd, error))
        return -1;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        if (dirfd >= 0)
            close(dirfd);
        return sys_fail(error, g_strdup_printf(_("cannot create the monitor socket '%s'"), path));
    }
    unlink(path);   /* a stale socket of an earlier run */
    rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    if (dirfd >= 0)
        close(dirfd);
    if (rc < 0 || listen(fd, 4) < 0) {
        sys_fail(error, g_strdup_printf(_("cannot listen on the monitor socket '%s'"), path));
        close(fd);
        return -1;
    }
    chmod(path, 0600);
    return fd;
}

/* A <serial type='tcp'>'s listening socket (Nova's serial console proxy
 * connects to it); armz-vmm accepts its clients. */
static int
open_tcp_listen(const ArmzLaunchFd *f, GError **error)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *res = NULL;
    int fd = -1, one = 1, rc;

    if ((rc = getaddrinfo(f->path, f->port, &hints, &res)) != 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("cannot resolve '%s' for the %s's tcp listener: %s"), f->path, f->role,
                    gai_strerror(rc));
        return -1;
    }
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, a->ai_addr, a->ai_addrlen) < 0 || listen(fd, 1) < 0) {
            int e = errno;
            close(fd);
            fd = -1;
            errno = e;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        sys_fail(error, g_strdup_printf(_("cannot listen on %s port %s for %s"), f->path,
                                        f->port, f->role));
    return fd;
}

/* A tap made here, or the existing one of <target managed='no'>; an Open
 * vSwitch port for it when the plan says so. */
static int
open_tap(const ArmzLaunchFd *f, ArmzLaunchFds *out, GError **error)
{
    char *name = NULL;
    int fd;

    fd = f->tap.unmanaged
        ? armz_tap_open_existing(f->tap.ifname, &name, error)
        : armz_tap_create(f->tap.ifname, f->tap.mac, f->tap.ovs_bridge ? NULL : f->tap.bridge,
                          f->tap.mtu, &name, error);
    if (fd < 0)
        return -1;
    g_ptr_array_add(out->taps, name);
    if (f->tap.ovs_bridge) {
        if (!armz_ovs_add_port(f->tap.ovs_bridge, name, f->tap.mac, f->tap.ovs_iface_id,
                               f->tap.vm_uuid, error)) {
            close(fd);
            return -1;
        }
        g_ptr_array_add(out->ovs_ports, g_strdup(name));
    }
    return fd;
}

gboolean
armz_launch_fds_open(const ArmzLaunchPlan *plan, ArmzLaunchFds *out, GError **error)
{
    memset(out, 0, sizeof(*out));
    out->fds = g_array_new(FALSE, FALSE, sizeof(int));
    out->pty_paths = g_ptr_array_new_with_free_func(g_free);
    out->taps = g_ptr_array_new_with_free_func(g_free);
    out->ovs_ports = g_ptr_array_new_with_free_func(g_free);

    for (guint i = 0; i < plan->fds->len; i++) {
        const ArmzLaunchFd *f = g_ptr_array_index(plan->fds, i);
        char *pty = NULL;
        int fd = -1;

        switch (f->kind) {
        case ARMZ_LAUNCH_FD_DISK:
            fd = open_disk(f, error);
            break;
        case ARMZ_LAUNCH_FD_TAP:
            fd = open_tap(f, out, error);
            break;
        case ARMZ_LAUNCH_FD_TCP_LISTEN:
            fd = open_tcp_listen(f, error);
            break;
        case ARMZ_LAUNCH_FD_PTY:
            fd = open_pty(&pty, error);
            break;
        case ARMZ_LAUNCH_FD_FILE_OUT:
            fd = open(f->path, O_WRONLY | O_CREAT | O_CLOEXEC | (f->append ? O_APPEND : O_TRUNC),
                      0600);
            if (fd < 0)
                sys_fail(error, g_strdup_printf(_("cannot open file '%s'"), f->path));
            break;
        case ARMZ_LAUNCH_FD_QMP_LISTEN:
            fd = open_qmp(f->path, error);
            break;
        case ARMZ_LAUNCH_FD_FLASH:
            fd = open_flash(f, error);
            break;
        case ARMZ_LAUNCH_FD_CHANNEL_LISTEN: {
            g_autofree char *dir = g_path_get_dirname(f->path);
            /* a generated path's directory is ours to make */
            if (g_mkdir_with_parents(dir, 0700) < 0)
                fd = sys_fail(error, g_strdup_printf(_("cannot create directory '%s'"), dir));
            else
                fd = open_qmp(f->path, error);
            break;
        }
        case ARMZ_LAUNCH_FD_VHOST:
            fd = open(f->path, O_RDWR | O_CLOEXEC);
            if (fd < 0 && errno == ENOENT)
                sys_fail(error, g_strdup_printf(_("cannot open '%s' (load the vhost_vsock "
                                                  "kernel module)"), f->path));
            else if (fd < 0)
                sys_fail(error, g_strdup_printf(_("cannot open '%s'"), f->path));
            break;
        case ARMZ_LAUNCH_FD_RNG:
            fd = open(f->path, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                sys_fail(error, g_strdup_printf(_("cannot open the entropy source '%s'"), f->path));
            break;
        }
        if (fd < 0) {
            armz_launch_fds_close(out);
            armz_launch_fds_undo_ports(out);
            armz_launch_fds_clear(out);
            return FALSE;
        }
        g_array_append_val(out->fds, fd);
        g_ptr_array_add(out->pty_paths, pty);
    }
    return TRUE;
}

void
armz_launch_fds_close(ArmzLaunchFds *f)
{
    if (!f->fds)
        return;
    for (guint i = 0; i < f->fds->len; i++) {
        int *fd = &g_array_index(f->fds, int, i);
        if (*fd >= 0)
            close(*fd);
        *fd = -1;
    }
}

void
armz_launch_fds_clear(ArmzLaunchFds *f)
{
    g_clear_pointer(&f->fds, g_array_unref);
    g_clear_pointer(&f->pty_paths, g_ptr_array_unref);
    g_clear_pointer(&f->taps, g_ptr_array_unref);
    g_clear_pointer(&f->ovs_ports, g_ptr_array_unref);
}

void
armz_launch_fds_undo_ports(ArmzLaunchFds *f)
{
    for (guint i = 0; f->ovs_ports && i < f->ovs_ports->len; i++)
        armz_ovs_del_port(g_ptr_array_index(f->ovs_ports, i));
}
