/* virtiofsd processes (see virtiofs_process.h). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <libvirt/virterror.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/unixaddr.h"
#include "driver/cgroup.h"
#include "driver/domain_log.h"
#include "driver/virtiofs_process.h"

#define STOP_GRACE_MS 5000
#define START_CHECK_US (200 * 1000)

/* The listening socket at PATH, the VMM user's. */
static int
listen_at(const char *path, uid_t uid, gid_t gid, GError **error)
{
    struct sockaddr_un sa;
    int dirfd = -1, fd, e;

    if (!armz_unix_addr(path, &sa, &dirfd, error))
        return -1;
    unlink(path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        (geteuid() == 0 && chown(path, uid, gid) < 0) || chmod(path, 0600) < 0 ||
        listen(fd, 8) < 0) {
        e = errno;
        if (fd >= 0)
            close(fd);
        if (dirfd >= 0)
            close(dirfd);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot listen on the virtiofs socket '%s': %s"), path, g_strerror(e));
        return -1;
    }
    if (dirfd >= 0)
        close(dirfd);
    return fd;
}

static void
child_setup(gpointer data)
{
    armz_cgroup_enter(*(const int *)data);
    setsid();
}

gboolean
armz_virtiofs_start(const ArmzLaunchPlan *plan, uid_t uid, gid_t gid, int cgroup_fd,
                    const char *log_path, GArray *pids, GError **error)
{
    guint first = pids->len;
    int logfd;

    /* (its directory is made by the caller) */
    if (!plan->virtiofsds)
        return TRUE;
    if ((logfd = armz_domain_log_open(log_path, error)) < 0)
        return FALSE;
    for (guint i = 0; i < plan->virtiofsds->len; i++) {
        const ArmzVirtiofsdPlan *v = g_ptr_array_index(plan->virtiofsds, i);
        g_auto(GStrv) argv = g_new0(char *, v->argv->len + 1);
        g_autoptr(GError) err = NULL;
        int target = 3, fd;
        GPid pid;
        gboolean ok;

        for (guint j = 0; j < v->argv->len; j++)
            argv[j] = g_strdup(g_ptr_array_index(v->argv, j));
        if ((fd = listen_at(v->socket, uid, gid, error)) < 0)
            goto fail;
        ok = g_spawn_async_with_pipes_and_fds(NULL, (const char *const *)argv, NULL,
                                              G_SPAWN_DO_NOT_REAP_CHILD |
                                              G_SPAWN_STDIN_FROM_DEV_NULL,
                                              child_setup, &cgroup_fd, -1, logfd, logfd, &fd,
                                              &target,
                                              1, &pid, NULL, NULL, NULL, &err);
        close(fd);
        if (!ok) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR, _("cannot execute '%s': %s"),
                        argv[0], err->message);
            goto fail;
        }
        g_array_append_val(pids, pid);
    }
    close(logfd);
    logfd = -1;
    /* one that refuses its options says so at once */
    g_usleep(START_CHECK_US);
    for (guint i = first; i < pids->len; i++) {
        GPid pid = g_array_index(pids, GPid, i);
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            g_array_index(pids, GPid, i) = 0;
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                        _("virtiofsd (%s) exited at start; the domain log has its words"),
                        (const char *)g_ptr_array_index(
                            ((ArmzVirtiofsdPlan *)g_ptr_array_index(plan->virtiofsds,
                                                                   i - first))->argv, 3));
            goto fail;
        }
    }
    return TRUE;

 fail:
    if (logfd >= 0)
        close(logfd);
    {
        g_autoptr(GArray) mine = g_array_new(FALSE, FALSE, sizeof(GPid));
        g_array_append_vals(mine, pids->data + first * sizeof(GPid), pids->len - first);
        g_array_set_size(pids, first);
        armz_virtiofs_stop(mine, TRUE, plan->vhost_dir);
    }
    return FALSE;
}

/* PID still runs a virtiofsd (not a recycled pid)? */
static gboolean
is_virtiofsd(GPid pid)
{
    g_autofree char *link = g_strdup_printf("/proc/%d/exe", (int)pid);
    g_autofree char *exe = g_file_read_link(link, NULL);

    return exe && strstr(exe, "virtiofsd") != NULL;
}

void
armz_virtiofs_stop(GArray *pids, gboolean children, const char *dir)
{
    for (guint i = 0; pids && i < pids->len; i++) {
        GPid pid = g_array_index(pids, GPid, i);
        int pidfd;

        if (pid <= 0 || (!children && !is_virtiofsd(pid)))
            continue;
        if ((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) >= 0) {
            struct pollfd p = { pidfd, POLLIN, 0 };
            kill(pid, SIGTERM);
            if (poll(&p, 1, STOP_GRACE_MS) != 1) {
                kill(pid, SIGKILL);
                poll(&p, 1, STOP_GRACE_MS);
            }
            close(pidfd);
        }
        if (children)
            waitpid(pid, NULL, 0);
    }
    if (pids)
        g_array_set_size(pids, 0);
    if (dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *e;

        while (d && (e = g_dir_read_name(d)))
            if (g_str_has_prefix(e, "fs") && g_str_has_suffix(e, ".sock")) {
                g_autofree char *p = g_build_filename(dir, e, NULL);
                unlink(p);
            }
        rmdir(dir);
    }
}
