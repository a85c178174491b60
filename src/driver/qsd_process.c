/* qemu-storage-daemon processes (see qsd_process.h). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <glib-unix.h>
#include <yajl/yajl_tree.h>
#include <libvirt/virterror.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "driver/cgroup.h"
#include "driver/domain_log.h"
#include "driver/monitor.h"
#include "driver/process_priv.h"
#include "driver/qsd_keys.h"
#include "driver/qsd_process.h"

#define QSD_START_TIMEOUT_US (60 * G_USEC_PER_SEC)     /* TCG hosts are slow */
#define QSD_STOP_GRACE_MS 5000
#define QSD_RESTART_WINDOW_US (60 * G_USEC_PER_SEC)
#define QSD_RESTARTS_MAX 5
#define QSD_LOG_PREFIX "qemu-storage-daemon: "

ArmzQsdRun *
armz_qsd_run_new(const ArmzQsdPlan *plan, uid_t uid, gid_t gid, const char *cgroup)
{
    ArmzQsdRun *q = g_new0(ArmzQsdRun, 1);

    q->pid = 0;
    q->pidfd = -1;
    q->argv = g_new0(char *, plan->argv->len + 1);
    for (guint i = 0; i < plan->argv->len; i++)
        q->argv[i] = g_strdup(g_ptr_array_index(plan->argv, i));
    q->dir = g_strdup(plan->dir);
    q->qmp_path = g_strdup(plan->qmp_path);
    q->keyed = g_ptr_array_ref(plan->keyed);
    q->uid = uid;
    q->gid = gid;
    q->cgroup = g_strdup(cgroup);
    return q;
}

static void
unwatch(ArmzQsdRun *q)
{
    if (q->watch) {
        g_source_destroy(q->watch);
        g_source_unref(q->watch);
        q->watch = NULL;
    }
}

void
armz_qsd_run_free(ArmzQsdRun *q)
{
    if (!q)
        return;
    unwatch(q);
    if (q->pidfd >= 0)
        close(q->pidfd);
    g_strfreev(q->argv);
    g_free(q->dir);
    g_free(q->qmp_path);
    g_free(q->cgroup);
    if (q->keyed)
        g_ptr_array_unref(q->keyed);
    g_free(q);
}

typedef struct {
    const char *dir;
    uid_t uid;
    gid_t gid;
    gboolean drop;
    int cgroup_fd;
} ChildSetup;

static void
child_fail(const char *what)
{
    static const char pre[] = QSD_LOG_PREFIX "cannot start: ";
    (void)!write(STDERR_FILENO, pre, sizeof(pre) - 1);
    (void)!write(STDERR_FILENO, what, strlen(what));
    (void)!write(STDERR_FILENO, "\n", 1);
    _exit(127);
}

/* Between fork and exec: system calls only. */
static void
child_setup(gpointer data)
{
    const ChildSetup *c = data;

    armz_cgroup_enter(c->cgroup_fd);    /* while it may still write there */
    setsid();
    if (chdir(c->dir) < 0)
        child_fail("chdir");
    if (c->drop && (setgroups(1, &c->gid) < 0 || setgid(c->gid) < 0 || setuid(c->uid) < 0))
        child_fail("changing to the domain's user and group");
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        child_fail("no_new_privs");
}

static gboolean
spawn(ArmzQsdRun *q, int logfd, GError **error)
{
    ChildSetup c = { q->dir, q->uid, q->gid, geteuid() == 0 && q->uid != 0, -1 };
    g_autoptr(GError) err = NULL;
    g_autofree char *procs = q->cgroup ? g_build_filename(q->cgroup, "cgroup.procs", NULL)
                                       : NULL;
    GPid pid;
    int pidfd;
    gboolean ok;

    /* the domain's cgroup, as the VMM: its limits and accounting cover it */
    if (procs && (c.cgroup_fd = open(procs, O_WRONLY | O_CLOEXEC)) < 0) {
        int e = errno;
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot put qemu-storage-daemon into the cgroup '%s': %s"), q->cgroup,
                    g_strerror(e));
        return FALSE;
    }
    ok = g_spawn_async_with_pipes_and_fds(NULL, (const char *const *)q->argv, NULL,
                                          G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL,
                                          child_setup, &c, -1, logfd, logfd, NULL, NULL, 0,
                                          &pid, NULL, NULL, NULL, &err);
    if (c.cgroup_fd >= 0)
        close(c.cgroup_fd);
    if (!ok) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR, _("cannot execute '%s': %s"),
                    q->argv[0], err->message);
        return FALSE;
    }
    if ((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0) {
        int e = errno;
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot watch qemu-storage-daemon: %s"), g_strerror(e));
        return FALSE;
    }
    if (q->pidfd >= 0)
        close(q->pidfd);
    q->pid = pid;
    q->pidfd = pidfd;
    q->child = TRUE;
    return TRUE;
}

static gboolean
has_exited(ArmzQsdRun *q)
{
    struct pollfd p = { q->pidfd, POLLIN, 0 };
    return q->pidfd < 0 || (poll(&p, 1, 0) == 1);
}

static void
reap(ArmzQsdRun *q, int *status)
{
    *status = -1;
    if (q->child)
        while (waitpid(q->pid, status, 0) < 0 && errno == EINTR)
            ;
    q->child = FALSE;
}

static gboolean
is_socket(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static gboolean
make_dir(ArmzQsdRun *q, GError **error)
{
    if (g_mkdir_with_parents(q->dir, 0700) < 0 ||
        (geteuid() == 0 && chown(q->dir, q->uid, q->gid) < 0)) {
        int e = errno;
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create the directory '%s' of qemu-storage-daemon: %s"), q->dir,
                    g_strerror(e));
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_qsd_start(ArmzQsdRun *q, const GPtrArray *sockets, ArmzDomainObj *obj,
               const char *log_path, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + QSD_START_TIMEOUT_US;
    struct stat st;
    goffset log_start;
    int logfd;

    if (!make_dir(q, error) || (logfd = armz_domain_log_open(log_path, error)) < 0)
        return FALSE;
    log_start = fstat(logfd, &st) == 0 ? st.st_size : 0;
    if (!spawn(q, logfd, error)) {
        close(logfd);
        armz_qsd_stop(q);
        return FALSE;
    }
    close(logfd);
    for (;;) {
        gboolean ready = is_socket(q->qmp_path);

        for (guint i = 0; ready && i < sockets->len; i++)
            ready = is_socket(g_ptr_array_index(sockets, i));
        if (ready)
            return TRUE;
        if (has_exited(q) || g_get_monotonic_time() > deadline) {
            g_autofree char *why = armz_domain_log_last_line(log_path, log_start,
                                                             QSD_LOG_PREFIX);
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                        _("qemu-storage-daemon of domain '%s' failed to start: %s"), obj->name,
                        why ? why : has_exited(q) ? _("it exited") : _("its sockets did not "
                                                                       "appear in time"));
            armz_qsd_stop(q);
            return FALSE;
        }
        g_mutex_unlock(&obj->lock);
        g_usleep(10000);
        g_mutex_lock(&obj->lock);
    }
}

static void
remove_dir(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *e;

    while (d && (e = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, e, NULL);
        unlink(p);
    }
    rmdir(dir);
}

/* Ends the process (SIGTERM, then SIGKILL, unless it is gone already) and reaps it. */
static void
end_process(ArmzQsdRun *q)
{
    int status;

    if (q->pid > 0 && q->pidfd >= 0) {
        struct pollfd p = { q->pidfd, POLLIN, 0 };
        if (!has_exited(q)) {
            kill(q->pid, SIGTERM);
            if (poll(&p, 1, QSD_STOP_GRACE_MS) != 1) {
                kill(q->pid, SIGKILL);
                poll(&p, 1, QSD_STOP_GRACE_MS);
            }
        }
        reap(q, &status);
    }
    if (q->pidfd >= 0)
        close(q->pidfd);
    q->pidfd = -1;
    q->pid = 0;
}

void
armz_qsd_stop(ArmzQsdRun *q)
{
    unwatch(q);
    end_process(q);
    remove_dir(q->dir);
}

/* Its own files in its directory: QMP socket, pid file, export sockets
 * (relative to the directory on its command line). */
static void
remove_files(ArmzQsdRun *q)
{
    g_autofree char *pidfile = g_build_filename(q->dir, ARMZ_QSD_PID_NAME, NULL);
    const char *path[] = { "addr", "path", NULL };

    unlink(q->qmp_path);
    unlink(pidfile);
    for (guint i = 0; q->argv[i] && q->argv[i + 1]; i++) {
        yajl_val v = g_str_equal(q->argv[i], "--export")
                         ? yajl_tree_parse(q->argv[i + 1], NULL, 0) : NULL;
        yajl_val p = v ? yajl_tree_get(v, path, yajl_t_string) : NULL;

        if (p) {
            g_autofree char *sock = g_build_filename(q->dir, YAJL_GET_STRING(p), NULL);
            unlink(sock);
        }
        yajl_tree_free(v);
    }
    for (guint i = 0; q->keyed && i < q->keyed->len; i++)
        unlink(((ArmzQsdKeyedDisk *)g_ptr_array_index(q->keyed, i))->socket);
}

typedef struct {
    ArmzRunRef *ref;
    ArmzQsdRun *q;
} Quit;

static const ArmzMonitorCallbacks no_callbacks = { 0 };

static gpointer
quit_thread(gpointer data)
{
    Quit *x = data;
    ArmzQsdRun *q = x->q;
    ArmzDomainObj *obj = x->ref->obj;
    ArmzDomainRun *run;
    g_autoptr(GError) err = NULL;
    ArmzMonitor *mon = armz_monitor_connect_path(q->qmp_path, x->ref->drv->ctx, &no_callbacks,
                                                 NULL, &err);
    struct pollfd p = { q->pidfd, POLLIN, 0 };

    /* (its answer may be lost as it goes: the exit tells) */
    if (mon) {
        armz_monitor_command(mon, "quit", NULL, NULL, 0, NULL);
        armz_monitor_close(mon);
        armz_monitor_unref(mon);
    } else {
        armz_warn("domain '%s': cannot ask qemu-storage-daemon %d to quit: %s", obj->name,
                  (int)q->pid, err->message);
    }
    if (q->pidfd >= 0 && !has_exited(q))
        poll(&p, 1, QSD_STOP_GRACE_MS);
    end_process(q);
    remove_files(q);
    armz_debug("domain '%s': qemu-storage-daemon ended, no disk needs it", obj->name);
    g_mutex_lock(&obj->lock);
    run = obj->priv;
    if (run && run->generation == x->ref->generation && run->qsd_quitting > 0) {
        run->qsd_quitting--;
        g_cond_broadcast(&run->cond);
    }
    g_mutex_unlock(&obj->lock);
    armz_run_ref_free(x->ref);
    armz_qsd_run_free(q);
    g_free(x);
    return NULL;
}

void
armz_qsd_quit(ArmzDriver *drv, ArmzDomainObj *obj, ArmzQsdRun *q)
{
    ArmzDomainRun *run = obj->priv;
    Quit *x = g_new0(Quit, 1);

    unwatch(q);
    run->qsd_quitting++;
    x->ref = armz_run_ref_new(drv, obj, run->generation);
    x->q = q;
    /* QMP needs the main loop, which may be the caller */
    g_thread_unref(g_thread_new("qsd-quit", quit_thread, x));
}

void
armz_qsd_wait_quit(ArmzDomainObj *obj)
{
    /* end_process gives it two grace periods */
    gint64 deadline = g_get_monotonic_time() + 3 * QSD_STOP_GRACE_MS * G_TIME_SPAN_MILLISECOND;
    ArmzDomainRun *run;

    while ((run = obj->priv) && run->qsd_quitting > 0)
        if (!g_cond_wait_until(&run->cond, &obj->lock, deadline))
            break;
}

static void
log_line(const char *log_path, const char *text)
{
    int fd;

    if (log_path && (fd = armz_domain_log_open(log_path, NULL)) >= 0) {
        armz_domain_log_line(fd, text);
        close(fd);
    }
}

/* Starts it again with the same command line: same sockets, same nodes.
 * No wait: armz-vmm reconnects when the sockets come back. */
static void
restart(ArmzQsdRun *q, const char *name, const char *log_path)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *msg = NULL;
    gint64 now = g_get_monotonic_time();
    int logfd;

    if (now - q->window_start > QSD_RESTART_WINDOW_US) {
        q->window_start = now;
        q->restarts = 0;
    }
    if (++q->restarts > QSD_RESTARTS_MAX) {
        msg = g_strdup_printf("qemu-storage-daemon died %d times within a minute; not "
                              "restarted again: the guest's disks of it fail", QSD_RESTARTS_MAX);
        armz_err("domain '%s': %s", name, msg);
        log_line(log_path, msg);
        return;
    }
    /* the dead daemon's sockets: a new QMP socket tells it listens */
    unlink(q->qmp_path);
    for (guint i = 0; q->keyed && i < q->keyed->len; i++)
        unlink(((ArmzQsdKeyedDisk *)g_ptr_array_index(q->keyed, i))->socket);
    if ((logfd = armz_domain_log_open(log_path, &err)) < 0 || !make_dir(q, &err) ||
        !spawn(q, logfd, &err)) {
        armz_err("domain '%s': cannot restart qemu-storage-daemon: %s", name, err->message);
        log_line(log_path, err->message);
    } else {
        msg = g_strdup_printf("qemu-storage-daemon restarted, pid %d", (int)q->pid);
        armz_info("domain '%s': %s", name, msg);
        armz_domain_log_line(logfd, msg);
        q->rekey = q->keyed && q->keyed->len > 0;
    }
    if (logfd >= 0)
        close(logfd);
}

static gboolean
qsd_exited(gint fd, GIOCondition cond, gpointer data)
{
    ArmzRunRef *r = data;
    ArmzDomainObj *obj = r->obj;
    ArmzDomainRun *run;
    ArmzQsdRun *q;
    g_autofree char *msg = NULL;
    gboolean again = FALSE;
    int status;
    (void)cond;

    g_mutex_lock(&obj->lock);
    run = obj->priv;
    if (!run || run->generation != r->generation || !(q = run->qsd) || q->pidfd != fd) {
        g_mutex_unlock(&obj->lock);
        return G_SOURCE_REMOVE;
    }
    g_source_unref(q->watch);       /* removed by returning */
    q->watch = NULL;
    reap(q, &status);
    if (status == -1)
        msg = g_strdup_printf("qemu-storage-daemon (pid %d) exited", (int)q->pid);
    else if (WIFSIGNALED(status))
        msg = g_strdup_printf("qemu-storage-daemon (pid %d) was killed by signal %d",
                              (int)q->pid, WTERMSIG(status));
    else
        msg = g_strdup_printf("qemu-storage-daemon (pid %d) exited with status %d",
                              (int)q->pid, WEXITSTATUS(status));
    close(q->pidfd);
    q->pidfd = -1;
    /* a domain being stopped loses it on purpose */
    if (!run->destroying && !run->exited) {
        armz_warn("domain '%s': %s while the domain runs; restarting it", obj->name, msg);
        log_line(run->log_path, msg);
        restart(q, obj->name, run->log_path);
        again = q->pidfd >= 0;
        if (again) {
            g_autoptr(GError) err = NULL;
            if (!armz_process_status_save(r->drv, obj, &err))
                armz_warn("cannot save the status of domain '%s': %s", obj->name,
                          err->message);
        }
    }
    if (again)
        armz_qsd_watch(r->drv, obj);
    g_mutex_unlock(&obj->lock);
    return G_SOURCE_REMOVE;
}

/* A restarted daemon's encrypted disks, added again once its QMP socket
 * is there (the passphrases are read from the secret driver again). */
static gpointer
rekey_thread(gpointer data)
{
    ArmzRunRef *r = data;
    ArmzDomainObj *obj = r->obj;
    ArmzDomainRun *run;
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) keyed = NULL;
    g_autofree char *qmp = NULL;
    gint64 deadline = g_get_monotonic_time() + QSD_START_TIMEOUT_US;
    GPid pid = 0;

    g_mutex_lock(&obj->lock);
    run = obj->priv;
    if (run && run->generation == r->generation && run->qsd) {
        qmp = g_strdup(run->qsd->qmp_path);
        keyed = g_ptr_array_ref(run->qsd->keyed);
        pid = run->qsd->pid;
    }
    g_mutex_unlock(&obj->lock);
    /* (after a daemon restart the secret driver may not be wired up yet) */
    while (qmp && (!is_socket(qmp) || !g_atomic_pointer_get(&r->drv->resolve_secret)) &&
           g_get_monotonic_time() < deadline)
        g_usleep(10000);
    g_mutex_lock(&obj->lock);
    run = obj->priv;
    if (qmp && run && run->generation == r->generation && run->qsd && run->qsd->pid == pid &&
        !run->destroying && !armz_qsd_keys_apply(r->drv, obj, qmp, keyed, &err)) {
        armz_err("domain '%s': the restarted qemu-storage-daemon lacks its encrypted disks: %s",
                 obj->name, err->message);
        log_line(run->log_path, err->message);
    }
    g_mutex_unlock(&obj->lock);
    armz_run_ref_free(r);
    return NULL;
}

void
armz_qsd_watch(ArmzDriver *drv, ArmzDomainObj *obj)
{
    ArmzDomainRun *run = obj->priv;
    ArmzQsdRun *q = run ? run->qsd : NULL;
    GSource *src;

    if (q && q->rekey) {
        q->rekey = FALSE;
        g_thread_unref(g_thread_new("qsd-keys", rekey_thread,
                                    armz_run_ref_new(drv, obj, run->generation)));
    }
    if (!q || q->pidfd < 0 || q->watch)
        return;
    src = g_unix_fd_source_new(q->pidfd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(src, (GSourceFunc)(void (*)(void))qsd_exited,
                          armz_run_ref_new(drv, obj, run->generation), armz_run_ref_free);
    g_source_attach(src, drv->ctx);
    q->watch = src;
}

void
armz_qsd_status_save(const ArmzQsdRun *q, GKeyFile *kf, const char *group)
{
    g_key_file_set_int64(kf, group, "qsd-pid", q->pid);
    g_key_file_set_string_list(kf, group, "qsd-argv", (const char *const *)q->argv,
                               g_strv_length(q->argv));
    g_key_file_set_string(kf, group, "qsd-dir", q->dir);
    g_key_file_set_string(kf, group, "qsd-qmp", q->qmp_path);
    g_key_file_set_int64(kf, group, "qsd-uid", q->uid);
    g_key_file_set_int64(kf, group, "qsd-gid", q->gid);
    /* each encrypted disk: dev, secret uuid, usage, socket, its commands
     * (no passphrase: it is read from the secret driver when needed) */
    g_key_file_set_integer(kf, group, "qsd-keyed", q->keyed ? (gint)q->keyed->len : 0);
    for (guint i = 0; q->keyed && i < q->keyed->len; i++) {
        const ArmzQsdKeyedDisk *k = g_ptr_array_index(q->keyed, i);
        g_autoptr(GPtrArray) l = g_ptr_array_new();
        g_autofree char *key = g_strdup_printf("qsd-keyed-%u", i);

        g_ptr_array_add(l, k->dev);
        g_ptr_array_add(l, k->secret_uuid ? k->secret_uuid : (char *)"");
        g_ptr_array_add(l, k->secret_usage ? k->secret_usage : (char *)"");
        g_ptr_array_add(l, k->socket);
        g_ptr_array_extend(l, k->commands, NULL, NULL);
        g_key_file_set_string_list(kf, group, key, (const char *const *)l->pdata, l->len);
    }
}

static GPtrArray *
keyed_load(GKeyFile *kf, const char *group)
{
    GPtrArray *keyed = g_ptr_array_new_with_free_func(armz_qsd_keyed_disk_free);
    gint n = g_key_file_get_integer(kf, group, "qsd-keyed", NULL);

    for (gint i = 0; i < n; i++) {
        g_autofree char *key = g_strdup_printf("qsd-keyed-%d", i);
        g_auto(GStrv) l = g_key_file_get_string_list(kf, group, key, NULL, NULL);
        ArmzQsdKeyedDisk *k;

        if (!l || g_strv_length(l) < 4)
            continue;
        k = g_new0(ArmzQsdKeyedDisk, 1);
        k->dev = g_strdup(l[0]);
        k->secret_uuid = *l[1] ? g_strdup(l[1]) : NULL;
        k->secret_usage = *l[2] ? g_strdup(l[2]) : NULL;
        k->socket = g_strdup(l[3]);
        k->commands = g_ptr_array_new_with_free_func(g_free);
        for (guint c = 4; l[c]; c++)
            g_ptr_array_add(k->commands, g_strdup(l[c]));
        g_ptr_array_add(keyed, k);
    }
    return keyed;
}

ArmzQsdRun *
armz_qsd_status_load(GKeyFile *kf, const char *group)
{
    ArmzQsdRun *q;
    g_auto(GStrv) argv = g_key_file_get_string_list(kf, group, "qsd-argv", NULL, NULL);
    g_autofree char *dir = g_key_file_get_string(kf, group, "qsd-dir", NULL);

    if (!argv || !argv[0] || !dir)
        return NULL;
    q = g_new0(ArmzQsdRun, 1);
    q->pidfd = -1;
    q->argv = g_steal_pointer(&argv);
    q->dir = g_steal_pointer(&dir);
    q->qmp_path = g_key_file_get_string(kf, group, "qsd-qmp", NULL);
    if (!q->qmp_path)
        q->qmp_path = g_build_filename(q->dir, ARMZ_QSD_QMP_NAME, NULL);
    q->pid = (GPid)g_key_file_get_int64(kf, group, "qsd-pid", NULL);
    q->uid = (uid_t)g_key_file_get_int64(kf, group, "qsd-uid", NULL);
    q->gid = (gid_t)g_key_file_get_int64(kf, group, "qsd-gid", NULL);
    /* the domain's own entry (process_status.c): a restart joins it again */
    q->cgroup = g_key_file_get_string(kf, group, "cgroup", NULL);
    q->keyed = keyed_load(kf, group);
    return q;
}

/* PID still runs the storage daemon of ARGV0 (not a recycled pid)? */
static gboolean
is_qsd(pid_t pid, const char *argv0)
{
    g_autofree char *link = g_strdup_printf("/proc/%d/exe", (int)pid);
    g_autofree char *exe = g_file_read_link(link, NULL);
    g_autofree char *a = exe ? g_path_get_basename(exe) : NULL;
    g_autofree char *b = g_path_get_basename(argv0);

    return pid > 0 && a && g_str_equal(a, b);
}

void
armz_qsd_reattach(ArmzQsdRun *q, const char *name, const char *log_path)
{
    if (is_qsd(q->pid, q->argv[0]) && is_socket(q->qmp_path) &&
        (q->pidfd = (int)syscall(SYS_pidfd_open, q->pid, 0)) >= 0) {
        q->child = FALSE;
        armz_info("domain '%s': qemu-storage-daemon %d found running", name, (int)q->pid);
        return;
    }
    armz_warn("domain '%s': qemu-storage-daemon %d went away while the daemon was away; "
              "restarting it", name, (int)q->pid);
    log_line(log_path, "qemu-storage-daemon was gone when virtarmzd came back; restarting it");
    restart(q, name, log_path);
}

void
armz_qsd_stop_found(ArmzQsdRun *q)
{
    if (is_qsd(q->pid, q->argv[0]))
        q->pidfd = (int)syscall(SYS_pidfd_open, q->pid, 0);
    q->child = FALSE;
    armz_qsd_stop(q);
}
