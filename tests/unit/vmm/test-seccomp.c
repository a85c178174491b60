/* armz-vmm's seccomp sandbox (src/vmm/sandbox): every role's filter builds
 * for arm64 and s390x (the allow-lists resolve there), and a forked child
 * under a role's filter survives what the role allows and is killed by
 * SIGSYS for anything else. The kill tests run on the build machine's own
 * architecture; where filters cannot be loaded (qemu-user refuses them)
 * they skip. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <seccomp.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "sandbox/seccomp.h"
#include "sandbox/seccomp_rules.h"

#define CHILD_CANNOT_LOAD 77

static const uint32_t arches[] = { SCMP_ARCH_AARCH64, SCMP_ARCH_S390X };

/* the BPF program of ROLE for ARCH, in bytes */
static gsize
bpf_size(ArmzSandboxRole role, uint32_t arch)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *path = NULL;
    /* libseccomp refuses KILL_PROCESS where the kernel cannot be asked
     * (qemu-user has no seccomp(2)): the rules are what is tested here */
    uint32_t action = seccomp_api_get() >= 3 ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_KILL_THREAD;
    void *ctx = armz_seccomp_build(role, arch, action, &err);
    int fd;
    struct stat st;

    g_assert_no_error(err);
    g_assert_nonnull(ctx);
    fd = g_file_open_tmp("armz-seccomp-XXXXXX", &path, &err);
    g_assert_no_error(err);
    g_assert_cmpint(seccomp_export_bpf(ctx, fd), ==, 0);
    g_assert_cmpint(fstat(fd, &st), ==, 0);
    close(fd);
    g_unlink(path);
    seccomp_release(ctx);
    return (gsize)st.st_size;
}

static void
test_builds_for_arches(void)
{
    for (unsigned a = 0; a < G_N_ELEMENTS(arches); a++) {
        gsize sz[ARMZ_SANDBOX_N_ROLES];
        for (unsigned r = 0; r < ARMZ_SANDBOX_N_ROLES; r++) {
            sz[r] = bpf_size(r, arches[a]);
            /* whole sock_filter instructions (8 bytes), more than a stub */
            g_assert_cmpuint(sz[r] % 8, ==, 0);
            g_assert_cmpuint(sz[r], >, 8 * 20);
        }
        /* the roles differ: workers and main add to the common list */
        g_assert_cmpuint(sz[ARMZ_SANDBOX_WORKER], >, sz[ARMZ_SANDBOX_VCPU]);
        g_assert_cmpuint(sz[ARMZ_SANDBOX_MAIN], >, sz[ARMZ_SANDBOX_VCPU]);
    }
}

/* every name is known to libseccomp, and what the VMM cannot run without
 * exists as a real syscall on both target architectures */
static void
test_names_resolve(void)
{
    static const char *const needed[] = {
        "ioctl", "ppoll", "futex", "read", "write", "readv", "writev", "preadv", "pwritev",
        "fdatasync", "fallocate", "mmap", "exit_group", "eventfd2", "tgkill", "clone",
        "unlinkat",
    };
    /* QMP's socket calls: direct on arm64, through socketcall on s390x */
    g_assert_cmpint(seccomp_syscall_resolve_name_arch(SCMP_ARCH_AARCH64, "accept4"), >=, 0);
    g_assert_cmpint(seccomp_syscall_resolve_name_arch(SCMP_ARCH_S390X, "socketcall"), >=, 0);
    for (unsigned a = 0; a < G_N_ELEMENTS(arches); a++) {
        for (unsigned i = 0; i < G_N_ELEMENTS(needed); i++)
            g_assert_cmpint(seccomp_syscall_resolve_name_arch(arches[a], needed[i]), >=, 0);
        for (const ArmzSyscallRule *r = armz_seccomp_common; r->name; r++)
            g_assert_cmpint(seccomp_syscall_resolve_name_arch(arches[a], r->name), !=,
                            __NR_SCMP_ERROR);
        for (unsigned role = 0; role < ARMZ_SANDBOX_N_ROLES; role++)
            for (const ArmzSyscallRule *r = armz_seccomp_roles[role]; r->name; r++)
                g_assert_cmpint(seccomp_syscall_resolve_name_arch(arches[a], r->name), !=,
                                __NR_SCMP_ERROR);
    }
}

/* no role lets through what x-armz-debug-syscall relies on being refused */
static void
test_forbidden_not_listed(void)
{
    static const char *const forbidden[] = { "reboot", "ptrace", "execve", "socket",
                                             "openat", "connect", "kill", "mount" };
    for (unsigned i = 0; i < G_N_ELEMENTS(forbidden); i++) {
        for (const ArmzSyscallRule *r = armz_seccomp_common; r->name; r++)
            g_assert_cmpstr(r->name, !=, forbidden[i]);
        for (unsigned role = 0; role < ARMZ_SANDBOX_N_ROLES; role++)
            for (const ArmzSyscallRule *r = armz_seccomp_roles[role]; r->name; r++) {
                /* the worker role's vhost-user thread reconnects to its
                 * back-end, the main loop connects a hot-added one (and its
                 * thread, under the main filter, reconnects): a UNIX socket
                 * only */
                gboolean vu = role == ARMZ_SANDBOX_WORKER || role == ARMZ_SANDBOX_MAIN;
                if (vu && g_str_equal(r->name, "socket")) {
                    g_assert_cmpint(r->args, ==, ARMZ_ARG_SOCKET_UNIX);
                    continue;
                }
                if (vu && g_str_equal(r->name, "connect"))
                    continue;
                g_assert_cmpstr(r->name, !=, forbidden[i]);
            }
    }
}

static void
test_parse_mode(void)
{
    ArmzSeccompMode m = ARMZ_SECCOMP_OFF;
    g_autoptr(GError) err = NULL;

    g_assert_true(armz_seccomp_parse_mode("on", &m, NULL));
    g_assert_cmpint(m, ==, ARMZ_SECCOMP_ON);
    g_assert_true(armz_seccomp_parse_mode("log", &m, NULL));
    g_assert_cmpint(m, ==, ARMZ_SECCOMP_LOG);
    g_assert_true(armz_seccomp_parse_mode("off", &m, NULL));
    g_assert_cmpint(m, ==, ARMZ_SECCOMP_OFF);
    g_assert_false(armz_seccomp_parse_mode("1", &m, &err));
    g_assert_nonnull(err);
}

typedef enum {
    DO_ALLOWED,         /* what the role allows: exits 0 */
    DO_FORBIDDEN,       /* the debug syscall */
    DO_BAD_IOCTL,       /* an ioctl request outside the allowed ones */
    DO_EXEC,            /* execve */
    DO_THREADS,         /* many threads allocating at once */
    DO_TAP_IOCTL,       /* a tap request (TUNGETIFF), the main role's only */
    DO_UNIX_CONNECT,    /* a UNIX socket connecting (vhost-user's device_add) */
} ChildAction;

#define N_THREADS 24

/* Holds its malloc arena until all N_THREADS threads have one. */
static void *
allocating_thread(void *barrier)
{
    void *m = g_malloc(4096);

    pthread_barrier_wait(barrier);
    g_free(m);
    return NULL;
}

/* Forks a child that loads ROLE's filter in MODE and does ACTION; returns
 * its wait status, or -1 when it could not load the filter. */
static int
run_child(ArmzSandboxRole role, ArmzSeccompMode mode, ChildAction action)
{
    g_autofree char *path = NULL;
    int fd = g_file_open_tmp("armz-seccomp-XXXXXX", &path, NULL);
    int p[2], st = 0;
    pid_t pid;

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, "data", 4), ==, 4);
    g_assert_cmpint(pipe(p), ==, 0);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        char buf[4];
        int n = 0;
        if (!armz_seccomp_load_role(role, mode, NULL))
            _exit(CHILD_CANNOT_LOAD);
        switch (action) {
        case DO_ALLOWED:
            /* the common list: pipes, time, memory, getpid, terminal probe */
            if (write(p[1], "x", 1) != 1 || read(p[0], buf, 1) != 1)
                _exit(3);
            (void)getpid();
            (void)g_get_monotonic_time();
            g_free(g_malloc(1 << 20));
            if (ioctl(p[0], TCGETS, NULL) == 0 || errno == 0)
                _exit(4);
            if (role == ARMZ_SANDBOX_WORKER && pread(fd, buf, 4, 0) != 4)
                _exit(5);
            _exit(0);
        case DO_FORBIDDEN:
            n = armz_seccomp_debug_syscall();
            _exit(n == -EINVAL || n == -EPERM ? 0 : 6);
        case DO_BAD_IOCTL:
            (void)ioctl(p[0], FIONREAD, &n);
            _exit(0);
        case DO_TAP_IOCTL: {
            struct ifreq ifr = { 0 };
            (void)ioctl(p[0], TUNGETIFF, &ifr);
            _exit(0);
        }
        case DO_UNIX_CONNECT: {
            struct sockaddr_un sa = { .sun_family = AF_UNIX };
            int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            g_strlcpy(sa.sun_path, "/nonexistent/armz-vu.sock", sizeof(sa.sun_path));
            /* refused by the file system, not by the filter */
            if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno != ENOENT)
                _exit(10);
            _exit(0);
        }
        case DO_EXEC:
            execl("/bin/true", "true", (char *)NULL);
            _exit(7);
        case DO_THREADS: {
            /* more threads than glibc's first arenas: the next arena must
             * not make malloc count the CPUs (openat) under the filter */
            pthread_t t[N_THREADS];
            pthread_barrier_t b;
            pthread_barrier_init(&b, NULL, N_THREADS);
            for (int i = 0; i < N_THREADS; i++)
                if (pthread_create(&t[i], NULL, allocating_thread, &b) != 0)
                    _exit(9);
            for (int i = 0; i < N_THREADS; i++)
                pthread_join(t[i], NULL);
            _exit(0);
        }
        }
        _exit(8);
    }
    close(p[0]);
    close(p[1]);
    close(fd);
    g_unlink(path);
    g_assert_cmpint(waitpid(pid, &st, 0), ==, pid);
    if (WIFEXITED(st) && WEXITSTATUS(st) == CHILD_CANNOT_LOAD)
        return -1;
    return st;
}

static gboolean
killed_by_sigsys(int st)
{
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS;
}

/* The main role's threads (a VMM's device threads are as many) all take a
 * malloc arena under the filter (the Nova guest's VMM was killed there). */
static void
test_many_threads_allocate(void)
{
    int st = run_child(ARMZ_SANDBOX_MAIN, ARMZ_SECCOMP_ON, DO_THREADS);

    if (st == -1) {
        g_test_skip("seccomp filters cannot be loaded here");
        return;
    }
    g_test_message("%d allocating threads -> status 0x%x", N_THREADS, st);
    g_assert_false(killed_by_sigsys(st));
    g_assert_true(WIFEXITED(st));
    g_assert_cmpint(WEXITSTATUS(st), ==, 0);
}

static void
test_kill_and_survive(void)
{
    for (unsigned role = 0; role < ARMZ_SANDBOX_N_ROLES; role++) {
        int st = run_child(role, ARMZ_SECCOMP_ON, DO_ALLOWED);
        if (st == -1) {
            g_test_skip("seccomp filters cannot be loaded here");
            return;
        }
        g_test_message("role %s: allowed calls -> status 0x%x",
                       armz_seccomp_role_name(role), st);
        g_assert_true(WIFEXITED(st));
        g_assert_cmpint(WEXITSTATUS(st), ==, 0);
        g_assert_true(killed_by_sigsys(run_child(role, ARMZ_SECCOMP_ON, DO_FORBIDDEN)));
        g_assert_true(killed_by_sigsys(run_child(role, ARMZ_SECCOMP_ON, DO_BAD_IOCTL)));
        g_assert_true(killed_by_sigsys(run_child(role, ARMZ_SECCOMP_ON, DO_EXEC)));
        /* only the main loop hot-adds NICs and so sets up taps */
        st = run_child(role, ARMZ_SECCOMP_ON, DO_TAP_IOCTL);
        if (role == ARMZ_SANDBOX_MAIN)
            g_assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        else
            g_assert_true(killed_by_sigsys(st));
        /* the main loop (device_add vhost-user-blk-pci, and the thread it
         * makes, which keeps its filter) and workers connect to back-ends */
        st = run_child(role, ARMZ_SECCOMP_ON, DO_UNIX_CONNECT);
        g_test_message("role %s: UNIX connect -> status 0x%x", armz_seccomp_role_name(role), st);
        if (role == ARMZ_SANDBOX_VCPU)
            g_assert_true(killed_by_sigsys(st));
        else
            g_assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
}

/* log mode lets the forbidden call run (the kernel logs it); off loads nothing */
static void
test_log_and_off(void)
{
    int st = run_child(ARMZ_SANDBOX_VCPU, ARMZ_SECCOMP_LOG, DO_FORBIDDEN);
    if (st == -1) {
        g_test_skip("seccomp filters cannot be loaded here");
        return;
    }
    g_assert_true(WIFEXITED(st));
    g_assert_cmpint(WEXITSTATUS(st), ==, 0);
    st = run_child(ARMZ_SANDBOX_VCPU, ARMZ_SECCOMP_OFF, DO_FORBIDDEN);
    g_assert_true(WIFEXITED(st));
    g_assert_cmpint(WEXITSTATUS(st), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/seccomp/builds-for-arm64-and-s390x", test_builds_for_arches);
    g_test_add_func("/vmm/seccomp/names-resolve", test_names_resolve);
    g_test_add_func("/vmm/seccomp/forbidden-not-listed", test_forbidden_not_listed);
    g_test_add_func("/vmm/seccomp/parse-mode", test_parse_mode);
    g_test_add_func("/vmm/seccomp/kill-and-survive", test_kill_and_survive);
    g_test_add_func("/vmm/seccomp/many-threads-allocate", test_many_threads_allocate);
    g_test_add_func("/vmm/seccomp/log-and-off", test_log_and_off);
    return g_test_run();
}
