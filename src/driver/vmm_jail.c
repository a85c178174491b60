/* The VMM's jail (see vmm_jail.h). Everything the child does is planned in
 * the parent: between clone3() and exec the child of this multithreaded
 * daemon makes system calls only (no allocation, no locks, no glibc
 * set*id, which would try to signal the daemon's other threads). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <pwd.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <libvirt/virterror.h>

#include "driver/cgroup.h"
#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "driver/vmm_jail.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

extern char **environ;

/* The first fields of the kernel's struct clone_args (CLONE_ARGS_SIZE_VER0). */
struct clone_args_v0 {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

typedef enum { OP_MKDIR, OP_BIND_DIR, OP_BIND_FILE, OP_BIND_DEV, OP_SYMLINK, OP_MKNOD } OpKind;

typedef struct {
    OpKind kind;
    char *src;              /* bind source, symlink target */
    char *dst;              /* in the jail, seen from the daemon's root */
    mode_t mode;            /* MKNOD */
    dev_t rdev;
    gboolean own;           /* MKNOD: give it to the VMM's user */
} Op;

/* The steps a child reports failing in (index sent back through the pipe). */
static const char *const step_names[] = {
    N_("moving the file descriptors"),
    N_("making the mounts private"),
    N_("mounting the jail's tmpfs on"),
    N_("creating the directory"),
    N_("binding"),
    N_("creating the symbolic link"),
    N_("creating the device node"),
    N_("changing the root to"),
    N_("mounting /proc"),
    N_("dropping capabilities"),
    N_("changing to the user and group of"),
    N_("setting no_new_privs"),
    N_("executing"),
};
enum {
    STEP_FDS, STEP_PRIVATE, STEP_TMPFS, STEP_MKDIR, STEP_BIND, STEP_SYMLINK, STEP_MKNOD,
    STEP_ROOT, STEP_PROC, STEP_CAPS, STEP_IDS, STEP_NNP, STEP_EXEC,
};

typedef struct {
    int step;
    int op;                 /* index in ops, or -1 */
    int err;
} Report;

typedef struct {
    const ArmzJailSpec *spec;
    GArray *ops;            /* Op */
    gid_t *groups;
    int ngroups;
    int *high;              /* scratch: the fds moved out of the way */
    int null_fd, err_fd;
    int base;               /* first fd above every fd in play */
    int max_target;
    int open_max;
} Prep;

static const char *const system_dirs[] = { "/usr", "/lib", "/lib64", NULL };

char *
armz_vmm_jail_root(const char *state_dir, const char *name)
{
    return g_strdup_printf("%s/jail/%s", state_dir, name);
}

void
armz_vmm_jail_cleanup(const char *root)
{
    rmdir(root);
}

static void
op_clear(gpointer p)
{
    Op *op = p;
    g_free(op->src);
    g_free(op->dst);
}

static void
add_op(Prep *p, OpKind kind, const char *src, const char *path, mode_t mode, dev_t rdev,
       gboolean own)
{
    Op op = { kind, g_strdup(src), g_strconcat(p->spec->root, path, NULL), mode, rdev, own };
    g_array_append_val(p->ops, op);
}

/* Directories leading to PATH (not PATH), each once. */
static void
add_parents(Prep *p, GHashTable *made, const char *path)
{
    for (const char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
        g_autofree char *dir = g_strndup(path, s - path);
        if (g_hash_table_contains(made, dir))
            continue;
        add_op(p, OP_MKDIR, NULL, dir, 0755, 0, FALSE);
        g_hash_table_add(made, g_steal_pointer(&dir));
    }
}

static gboolean
under_system_dir(const char *path)
{
    for (const char *const *d = system_dirs; *d; d++)
        if (g_str_has_prefix(path, *d) && path[strlen(*d)] == '/')
            return TRUE;
    return FALSE;
}

/* PATH bound at its own path, once (a kernel may be its initrd too). */
static void
add_file(Prep *p, GHashTable *made, const char *path, OpKind kind)
{
    if (under_system_dir(path) || g_hash_table_contains(made, path))
        return;
    add_parents(p, made, path);
    add_op(p, kind, path, path, 0, 0, FALSE);
    g_hash_table_add(made, g_strdup(path));
}

static gboolean
add_device(Prep *p, GHashTable *made, const char *path, mode_t perm, gboolean own,
           GError **error)
{
    struct stat st;

    if (stat(path, &st) < 0 || !S_ISCHR(st.st_mode)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot give the jail device '%s': not a character device"), path);
        return FALSE;
    }
    add_parents(p, made, path);
    add_op(p, OP_MKNOD, NULL, path, S_IFCHR | perm, st.st_rdev, own);
    return TRUE;
}

static gboolean
plan_ops(Prep *p, GError **error)
{
    g_autoptr(GHashTable) made = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    const ArmzJailSpec *s = p->spec;
    struct stat st;

    for (const char *const *d = system_dirs; *d; d++) {
        if (lstat(*d, &st) < 0)
            continue;
        if (S_ISLNK(st.st_mode)) {
            g_autofree char *target = g_file_read_link(*d, NULL);
            if (target)
                add_op(p, OP_SYMLINK, target, *d, 0, 0, FALSE);
        } else if (S_ISDIR(st.st_mode)) {
            add_op(p, OP_BIND_DIR, *d, *d, 0, 0, FALSE);
        }
        g_hash_table_add(made, g_strdup(*d));
    }
    if (g_file_test("/etc/ld.so.cache", G_FILE_TEST_IS_REGULAR)) {
        add_parents(p, made, "/etc/ld.so.cache");
        add_op(p, OP_BIND_FILE, "/etc/ld.so.cache", "/etc/ld.so.cache", 0, 0, FALSE);
    }
    /* the VMM itself, executed by path so that its name (comm) stays
     * armz-vmm: an exec through an fd would be named after the fd */
    add_file(p, made, s->argv[0], OP_BIND_FILE);
    for (const char *const *f = s->files; f && *f; f++)
        add_file(p, made, *f, OP_BIND_FILE);
    for (const char *const *d = s->dirs; d && *d; d++)
        add_file(p, made, *d, OP_BIND_DIR);
    add_op(p, OP_MKDIR, NULL, "/proc", 0555, 0, FALSE);
    g_hash_table_add(made, g_strdup("/dev"));
    add_op(p, OP_MKDIR, NULL, "/dev", 0755, 0, FALSE);
    for (const char *const *f = s->ptys; f && *f; f++)
        add_file(p, made, *f, OP_BIND_DEV);
    if (!add_device(p, made, "/dev/null", 0666, FALSE, error) ||
        !add_device(p, made, "/dev/urandom", 0666, FALSE, error))
        return FALSE;
    if (s->kvm_device && !add_device(p, made, s->kvm_device, 0600, TRUE, error))
        return FALSE;
    return TRUE;
}

/* The user's supplementary groups, as a login would have them. */
static void
plan_groups(Prep *p)
{
    char buf[4096];
    struct passwd pw, *res = NULL;
    int n = 64;

    p->groups = g_new(gid_t, 1);
    p->groups[0] = p->spec->gid;
    p->ngroups = 1;
    if (getpwuid_r(p->spec->uid, &pw, buf, sizeof(buf), &res) != 0 || !res)
        return;
    g_free(p->groups);
    p->groups = g_new(gid_t, n);
    if (getgrouplist(res->pw_name, p->spec->gid, p->groups, &n) < 0) {
        p->groups = g_renew(gid_t, p->groups, n);
        if (getgrouplist(res->pw_name, p->spec->gid, p->groups, &n) < 0)
            n = 1;
    }
    p->ngroups = n;
}

static G_GNUC_NORETURN void
child_fail(const Prep *p, int step, int op)
{
    Report r = { step, op, errno };
    ssize_t rc G_GNUC_UNUSED = write(p->err_fd, &r, sizeof(r));
    _exit(127);
}

/* The child: system calls only. */
static G_GNUC_NORETURN void
child_run(Prep *p)
{
    const ArmzJailSpec *s = p->spec;
    struct sigaction sa = { .sa_handler = SIG_DFL };
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct caps[2] = { { 0 } };
    sigset_t all;
    int fd;

    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &sa, NULL);
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    /* first, while still root: everything the VMM uses is charged there */
    if (s->has_cgroup)
        armz_cgroup_enter(s->cgroup_fd);
    setsid();   /* a signal to the daemon's process group never reaches guests */

    /* fds: out of the way first, then to their numbers (dup2 clears CLOEXEC) */
    if ((fd = fcntl(p->err_fd, F_DUPFD_CLOEXEC, p->base)) < 0)
        child_fail(p, STEP_FDS, -1);
    p->err_fd = fd;
    if ((p->null_fd = fcntl(p->null_fd, F_DUPFD_CLOEXEC, p->base)) < 0)
        child_fail(p, STEP_FDS, -1);
    for (guint i = 0; i < s->n_fds; i++)
        if ((p->high[i] = fcntl(s->fds[i], F_DUPFD_CLOEXEC, p->base)) < 0)
            child_fail(p, STEP_FDS, -1);
    if ((p->high[s->n_fds] = fcntl(s->log_fd, F_DUPFD_CLOEXEC, p->base)) < 0 ||
        dup2(p->null_fd, 0) < 0 || dup2(p->high[s->n_fds], 1) < 0 ||
        dup2(p->high[s->n_fds], 2) < 0)
        child_fail(p, STEP_FDS, -1);
    for (guint i = 0; i < s->n_fds; i++)
        if (dup2(p->high[i], s->targets[i]) < 0)
            child_fail(p, STEP_FDS, -1);
    if (syscall(SYS_close_range, p->max_target + 1, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
        for (fd = p->max_target + 1; fd < p->open_max; fd++)
            fcntl(fd, F_SETFD, FD_CLOEXEC);

    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        child_fail(p, STEP_PRIVATE, -1);
    if (mount("armz-jail", s->root, "tmpfs", MS_NOSUID, "mode=0755,size=1m") < 0)
        child_fail(p, STEP_TMPFS, -1);
    for (guint i = 0; i < p->ops->len; i++) {
        const Op *op = &g_array_index(p->ops, Op, i);

        switch (op->kind) {
        case OP_MKDIR:
            if (mkdir(op->dst, op->mode) < 0 && errno != EEXIST)
                child_fail(p, STEP_MKDIR, i);
            break;
        case OP_BIND_DIR:
        case OP_BIND_FILE:
        case OP_BIND_DEV:
            if (op->kind == OP_BIND_DIR) {
                if (mkdir(op->dst, 0755) < 0 && errno != EEXIST)
                    child_fail(p, STEP_MKDIR, i);
            } else {
                if ((fd = open(op->dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0)
                    child_fail(p, STEP_BIND, i);
                close(fd);
            }
            if (mount(op->src, op->dst, NULL, MS_BIND | MS_REC, NULL) < 0 ||
                mount(NULL, op->dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID |
                      (op->kind == OP_BIND_DEV ? 0 : MS_NODEV), NULL) < 0)
                child_fail(p, STEP_BIND, i);
            break;
        case OP_SYMLINK:
            if (symlink(op->src, op->dst) < 0)
                child_fail(p, STEP_SYMLINK, i);
            break;
        case OP_MKNOD:
            if (mknod(op->dst, op->mode, op->rdev) < 0 ||
                chmod(op->dst, op->mode & 07777) < 0 ||   /* past the umask */
                (op->own && chown(op->dst, s->uid, s->gid) < 0))
                child_fail(p, STEP_MKNOD, i);
            break;
        }
    }
    /* pivot_root, or on an initramfs root (where it cannot) move + chroot:
     * without CAP_SYS_CHROOT the VMM cannot get out of either */
    if (chdir(s->root) < 0)
        child_fail(p, STEP_ROOT, -1);
    if (syscall(SYS_pivot_root, ".", ".") == 0) {
        if (umount2(".", MNT_DETACH) < 0)
            child_fail(p, STEP_ROOT, -1);
    } else if (errno != EINVAL || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0) {
        child_fail(p, STEP_ROOT, -1);
    }
    if (chdir("/") < 0)
        child_fail(p, STEP_ROOT, -1);
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        child_fail(p, STEP_PROC, -1);

    /* the bounding set while we may (CAP_SETPCAP), then the identity,
     * which empties the permitted and effective sets; then the rest */
    for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
            child_fail(p, STEP_CAPS, -1);
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    if (syscall(SYS_setgroups, p->ngroups, p->groups) < 0 ||
        syscall(SYS_setresgid, s->gid, s->gid, s->gid) < 0 ||
        syscall(SYS_setresuid, s->uid, s->uid, s->uid) < 0)
        child_fail(p, STEP_IDS, -1);
    if (syscall(SYS_capset, &hdr, caps) < 0)
        child_fail(p, STEP_CAPS, -1);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        child_fail(p, STEP_NNP, -1);
    execve(s->argv[0], (char *const *)s->argv, environ);
    child_fail(p, STEP_EXEC, -1);
}

static void
set_child_error(const Prep *p, const Report *r, GError **error)
{
    const ArmzJailSpec *s = p->spec;
    const char *step = r->step >= 0 && r->step < (int)G_N_ELEMENTS(step_names)
                       ? _(step_names[r->step]) : "?";
    g_autofree char *what = NULL;

    if (r->op >= 0 && (guint)r->op < p->ops->len)
        what = g_strdup(g_array_index(p->ops, Op, r->op).dst);
    else if (r->step == STEP_TMPFS || r->step == STEP_ROOT)
        what = g_strdup(s->root);
    else if (r->step == STEP_IDS)
        what = g_strdup_printf("%ld:%ld", (long)s->uid, (long)s->gid);
    else if (r->step == STEP_EXEC)
        what = g_strdup(s->argv[0]);
    g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                _("cannot start armz-vmm in its jail: %s%s%s: %s"), step, what ? " " : "",
                what ? what : "", g_strerror(r->err));
}

static int
max_fd_of(const Prep *p)
{
    const ArmzJailSpec *s = p->spec;
    int m = MAX(p->null_fd, MAX(p->err_fd, s->log_fd));

    for (guint i = 0; i < s->n_fds; i++)
        m = MAX(m, MAX(s->fds[i], s->targets[i]));
    return m;
}

/* A child started, its exec not yet confirmed: what its report needs. */
struct ArmzJailPending {
    GArray *ops;            /* Op, to name the one that failed */
    ArmzJailSpec names;     /* root, argv[0], uid and gid of the spec, copied */
    const char *argv[2];
    char *root, *exe, *pidfile;
    int report_fd;          /* the child's end closes on its exec */
    GPid pid;
};

static void
pending_free(ArmzJailPending *jp)
{
    if (jp->report_fd >= 0)
        close(jp->report_fd);
    g_array_unref(jp->ops);
    g_free(jp->root);
    g_free(jp->exe);
    g_free(jp->pidfile);
    g_free(jp);
}

/* The child is made and runs on its own: the parent does not wait for its
 * mounts and exec here (armz_vmm_jail_finish does). */
static gboolean
jail_begin(const ArmzJailSpec *spec, GPid *pid, ArmzJailPending **pending, GError **error)
{
    Prep p = { .spec = spec, .null_fd = -1, .err_fd = -1, .max_target = 2 };
    struct clone_args_v0 args = {
        .flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC,
        .exit_signal = SIGCHLD,
    };
    int pipefd[2] = { -1, -1 };
    struct rlimit rl;
    gboolean ok = FALSE;
    long child;

    p.ops = g_array_new(FALSE, TRUE, sizeof(Op));
    g_array_set_clear_func(p.ops, op_clear);
    p.high = g_new0(int, spec->n_fds + 1);
    plan_groups(&p);
    for (guint i = 0; i < spec->n_fds; i++)
        p.max_target = MAX(p.max_target, spec->targets[i]);
    p.open_max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int)rl.rlim_cur
                                                                           : 65536;
    if (g_mkdir_with_parents(spec->root, 0700) < 0) {
        int e = errno;
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create the jail directory '%s': %s"), spec->root, g_strerror(e));
        goto out;
    }
    if (!plan_ops(&p, error))
        goto out;
    if (spec->argv[0][0] != '/' || access(spec->argv[0], X_OK) < 0) {
        int e = spec->argv[0][0] != '/' ? ENOENT : errno;
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot execute '%s': %s"), spec->argv[0], g_strerror(e));
        goto out;
    }
    if ((p.null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 ||
        pipe2(pipefd, O_CLOEXEC) < 0) {
        int e = errno;
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot prepare the jail of armz-vmm: %s"), g_strerror(e));
        goto out;
    }
    p.err_fd = pipefd[1];
    p.base = max_fd_of(&p) + 1;

    child = syscall(SYS_clone3, &args, sizeof(args));
    if (child == 0)
        child_run(&p);
    if (child < 0) {
        int e = errno;
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create the namespaces of armz-vmm: %s"), g_strerror(e));
        goto out;
    }
    close(pipefd[1]);
    pipefd[1] = -1;
    *pid = (GPid)child;
    *pending = g_new0(ArmzJailPending, 1);
    (*pending)->ops = g_steal_pointer(&p.ops);
    (*pending)->root = g_strdup(spec->root);
    (*pending)->exe = g_strdup(spec->argv[0]);
    (*pending)->names.root = (*pending)->root;
    (*pending)->argv[0] = (*pending)->exe;
    (*pending)->names.argv = (*pending)->argv;
    (*pending)->names.uid = spec->uid;
    (*pending)->names.gid = spec->gid;
    (*pending)->report_fd = pipefd[0];
    (*pending)->pid = *pid;
    pipefd[0] = -1;
    ok = TRUE;

 out:
    for (int i = 0; i < 2; i++)
        if (pipefd[i] >= 0)
            close(pipefd[i]);
    if (p.null_fd >= 0)
        close(p.null_fd);
    if (!ok)
        armz_vmm_jail_cleanup(spec->root);
    if (p.ops)
        g_array_unref(p.ops);
    g_free(p.groups);
    g_free(p.high);
    return ok;
}

gboolean
armz_vmm_jail_finish(ArmzJailPending *jp, GError **error)
{
    Report r;
    ssize_t n;
    gboolean ok = TRUE;

    do {
        n = read(jp->report_fd, &r, sizeof(r));
    } while (n < 0 && errno == EINTR);
    if (n == sizeof(r)) {
        Prep p = { .spec = &jp->names, .ops = jp->ops };
        int status;

        while (waitpid(jp->pid, &status, 0) < 0 && errno == EINTR)
            ;
        set_child_error(&p, &r, error);
        armz_vmm_jail_cleanup(jp->root);
        ok = FALSE;
    } else if (jp->pidfile) {
        /* the jailed VMM is pid 1 of its namespace: the daemon writes its
         * pid file, with the pid the host sees */
        g_autofree char *pid_text = g_strdup_printf("%d\n", (int)jp->pid);
        if (!g_file_set_contents(jp->pidfile, pid_text, -1, NULL))
            armz_warn("cannot write the pid file '%s'", jp->pidfile);
    }
    pending_free(jp);
    return ok;
}

gboolean
armz_vmm_jail_spawn(const ArmzJailSpec *spec, GPid *pid, GError **error)
{
    ArmzJailPending *jp = NULL;

    return jail_begin(spec, pid, &jp, error) && armz_vmm_jail_finish(jp, error);
}

gboolean
armz_vmm_jail_start(const ArmzLaunchPlan *plan, const ArmzLaunchFds *fds, int logfd,
                    const ArmzDacPlan *dac, const char *kvm_device, const char *jail_root,
                    const ArmzDomainDef *def, int cgroup_fd, GPid *pid,
                    ArmzJailPending **pending, GError **error)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree int *targets = g_new(int, MAX(fds->fds->len, 1));
    const char *files[ARMZ_DAC_DOMAIN_FILES_MAX + 1];
    g_autoptr(GPtrArray) ptys = g_ptr_array_new();
    ArmzJailSpec spec = {
        .fds = (const int *)fds->fds->data, .targets = targets, .n_fds = fds->fds->len,
        .log_fd = logfd, .root = jail_root, .files = files, .kvm_device = kvm_device,
        .uid = dac->uid, .gid = dac->gid,
        .has_cgroup = cgroup_fd >= 0, .cgroup_fd = cgroup_fd,
    };

    const char *dirs[] = { plan->vhost_dir, NULL };

    spec.dirs = dirs;
    armz_dac_domain_files(def, files);
    /* the VMM holds its pty slaves open: they are its user's, as the ptys
     * a VMM makes itself (they vanish with it: nothing to give back) */
    for (guint i = 0; i < fds->pty_paths->len; i++) {
        const char *pty = g_ptr_array_index(fds->pty_paths, i);
        if (!pty)
            continue;
        if (chown(pty, dac->uid, dac->gid) < 0) {
            int e = errno;
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("unable to set user and group to '%ld:%ld' on '%s': %s"),
                        (long)dac->uid, (long)dac->gid, pty, g_strerror(e));
            return FALSE;
        }
        g_ptr_array_add(ptys, (gpointer)pty);
    }
    g_ptr_array_add(ptys, NULL);
    spec.ptys = (const char *const *)ptys->pdata;
    for (guint i = 0; i < plan->argv->len; i++) {
        const char *a = g_ptr_array_index(plan->argv, i);
        if (g_str_equal(a, "--pidfile") && i + 1 < plan->argv->len) {
            i++;
            continue;
        }
        g_ptr_array_add(argv, (gpointer)a);
    }
    g_ptr_array_add(argv, NULL);
    spec.argv = (const char *const *)argv->pdata;
    for (guint i = 0; i < fds->fds->len; i++)
        targets[i] = ((const ArmzLaunchFd *)g_ptr_array_index(plan->fds, i))->num;
    if (!jail_begin(&spec, pid, pending, error))
        return FALSE;
    (*pending)->pidfile = g_strdup(plan->pidfile);
    return TRUE;
}
