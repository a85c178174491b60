/* The VMM's jail on a probe program (jail-probe.c) run in it as nobody:
 * pid 1 of its namespace, no capabilities anywhere, no_new_privs, a root
 * with no /etc/passwd but the bound file (read-only) and the device node
 * given to it, and only the fds passed. Needs root (namespaces, mounts). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "util/error.h"
#include "driver/vmm_jail.h"

#define NOBODY 65534

typedef struct {
    char *dir, *root, *file, *log;
    int master;     /* of the pty the probe gets (open until teardown) */
} Jail;

static gboolean
can_jail(void)
{
    if (geteuid() != 0) {
        g_test_skip("the jail needs root");
        return FALSE;
    }
    if (!g_getenv("ARMZ_JAIL_PROBE")) {
        g_test_skip("no ARMZ_JAIL_PROBE");
        return FALSE;
    }
    return TRUE;
}

static void
jail_setup(Jail *j, gconstpointer data)
{
    (void)data;
    j->dir = g_dir_make_tmp("armz-jail-XXXXXX", NULL);
    g_assert_nonnull(j->dir);
    g_assert_cmpint(chmod(j->dir, 0755), ==, 0);
    j->root = g_build_filename(j->dir, "jail", "dom", NULL);
    j->file = g_build_filename(j->dir, "kernel", NULL);
    j->log = g_build_filename(j->dir, "log", NULL);
    g_assert_true(g_file_set_contents(j->file, "KERNEL\n", -1, NULL));
    g_assert_cmpint(chmod(j->file, 0600), ==, 0);
    if (geteuid() == 0)
        g_assert_cmpint(chown(j->file, NOBODY, NOBODY), ==, 0);
}

static void
jail_teardown(Jail *j, gconstpointer data)
{
    g_autofree char *jaildir = g_path_get_dirname(j->root);

    (void)data;
    if (j->master > 0)
        close(j->master);
    unlink(j->file);
    unlink(j->log);
    rmdir(j->root);
    rmdir(jaildir);
    g_assert_cmpint(rmdir(j->dir), ==, 0);   /* nothing left behind */
    g_free(j->dir);
    g_free(j->root);
    g_free(j->file);
    g_free(j->log);
}

/* A pty whose slave is nobody's, as the daemon gives the VMM its ptys. */
static int
open_pty(char **slave)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

    g_assert_cmpint(m, >=, 0);
    g_assert_cmpint(grantpt(m), ==, 0);
    g_assert_cmpint(unlockpt(m), ==, 0);
    *slave = g_strdup(ptsname(m));
    g_assert_cmpint(chown(*slave, NOBODY, NOBODY), ==, 0);
    return m;
}

static gboolean
spawn(Jail *j, const char *file, int data_fd, GPid *pid, GError **error)
{
    g_autofree char *slave = NULL;
    j->master = open_pty(&slave);
    const char *argv[] = { g_getenv("ARMZ_JAIL_PROBE"), j->file, "/dev/zero", slave, NULL };
    const char *files[] = { file, file, NULL };     /* twice: bound once */
    const char *ptys[] = { slave, NULL };
    const int fds[] = { data_fd }, targets[] = { 3 };
    int logfd = open(j->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ArmzJailSpec spec = {
        .argv = argv, .fds = fds, .targets = targets, .n_fds = 1, .log_fd = logfd,
        .root = j->root, .files = files, .ptys = ptys, .kvm_device = "/dev/zero",
        .uid = NOBODY, .gid = NOBODY,
    };
    gboolean ok;

    g_assert_cmpint(logfd, >=, 0);
    ok = armz_vmm_jail_spawn(&spec, pid, error);
    close(logfd);
    return ok;
}

static void
test_jail_probe(Jail *j, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    int pfd[2], leak, status;
    GPid pid;

    (void)data;
    if (!can_jail())
        return;
    g_assert_cmpint(pipe2(pfd, O_CLOEXEC), ==, 0);
    g_assert_cmpint(write(pfd[1], "hello", 5), ==, 5);
    close(pfd[1]);
    leak = open("/dev/null", O_RDONLY);   /* not close-on-exec: must not get in */
    g_assert_cmpint(leak, >, 3);
    if (!spawn(j, j->file, pfd[0], &pid, &err)) {
        if (err && strstr(err->message, "namespaces"))
            g_test_skip(err->message);
        else
            g_assert_no_error(err);
        close(pfd[0]);
        close(leak);
        return;
    }
    close(pfd[0]);
    close(leak);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(g_file_get_contents(j->log, &out, NULL, NULL));
    g_test_message("%s", out);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert_nonnull(strstr(out, "pid=1\n"));
    g_assert_nonnull(strstr(out, "Name:\tjail-probe\n"));   /* ps shows its name */
    g_assert_nonnull(strstr(out, "Uid:\t65534\t65534\t65534\t65534\n"));
    g_assert_nonnull(strstr(out, "Gid:\t65534\t65534\t65534\t65534\n"));
    g_assert_nonnull(strstr(out, "CapInh:\t0000000000000000\n"));
    g_assert_nonnull(strstr(out, "CapPrm:\t0000000000000000\n"));
    g_assert_nonnull(strstr(out, "CapEff:\t0000000000000000\n"));
    g_assert_nonnull(strstr(out, "CapBnd:\t0000000000000000\n"));
    g_assert_nonnull(strstr(out, "NoNewPrivs:\t1\n"));
    g_assert_nonnull(strstr(out, "passwd=0\n"));
    g_assert_nonnull(strstr(out, "file=KERNEL\n"));
    g_assert_nonnull(strstr(out, "file-writable=0\n"));
    g_assert_nonnull(strstr(out, "device=20600:65534\n"));
    g_assert_nonnull(strstr(out, "fd3=hello\n"));
    g_assert_nonnull(strstr(out, "pty=ok\n"));
    g_assert_nonnull(strstr(out, "fds=0,1,2,3,\n"));
    armz_vmm_jail_cleanup(j->root);
}

/* A step that fails in the child is reported by the parent, named. */
static void
test_jail_failure(Jail *j, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *missing = g_build_filename(j->dir, "no-such-kernel", NULL);
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    GPid pid;

    (void)data;
    if (!can_jail()) {
        close(fd);
        return;
    }
    g_assert_false(spawn(j, missing, fd, &pid, &err));
    close(fd);
    g_assert_nonnull(err);
    if (strstr(err->message, "namespaces")) {
        g_test_skip(err->message);
        return;
    }
    g_assert_nonnull(strstr(err->message, "no-such-kernel"));
    g_assert_nonnull(strstr(err->message, "binding"));
    g_assert_false(g_file_test(j->root, G_FILE_TEST_EXISTS));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/vmm-jail/probe", Jail, NULL, jail_setup, test_jail_probe, jail_teardown);
    g_test_add("/vmm-jail/failure", Jail, NULL, jail_setup, test_jail_failure, jail_teardown);
    return g_test_run();
}
