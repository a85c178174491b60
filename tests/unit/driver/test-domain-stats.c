/* The /proc reader of domain_stats.c, on this test's own process and
 * threads: CPU time that grows with work done, a CPU that exists, and the
 * thread found under /proc/PID/task. */
#include <sched.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "driver/domain_stats.h"

/* Works until CLOCK has advanced by NS: CPU time, whatever else runs. */
static void
burn_cpu(clockid_t clock, guint64 ns)
{
    struct timespec t;
    guint64 start, now;
    volatile guint64 x = 0;

    clock_gettime(clock, &t);
    start = (guint64)t.tv_sec * 1000000000 + t.tv_nsec;
    do {
        for (int i = 0; i < 100000; i++)
            x++;
        clock_gettime(clock, &t);
        now = (guint64)t.tv_sec * 1000000000 + t.tv_nsec;
    } while (now - start < ns);
}

static void
test_process_stat(void)
{
    ArmzThreadStat a, b;
    long ncpu = sysconf(_SC_NPROCESSORS_CONF);

    g_assert_true(armz_proc_thread_stat(getpid(), 0, &a));
    burn_cpu(CLOCK_PROCESS_CPUTIME_ID, 200 * G_GUINT64_CONSTANT(1000000));
    g_assert_true(armz_proc_thread_stat(getpid(), 0, &b));
    /* 200 ms of CPU time shows (in clock ticks of 10 ms) */
    g_assert_cmpuint(b.cpu_time_ns, >=, a.cpu_time_ns + 150 * G_GUINT64_CONSTANT(1000000));
    g_assert_cmpint(b.cpu, >=, 0);
    g_assert_cmpint(b.cpu, <, ncpu);
}

static gpointer
worker(gpointer data)
{
    ArmzThreadStat *st = data;
    pid_t tid = (pid_t)syscall(SYS_gettid);

    burn_cpu(CLOCK_THREAD_CPUTIME_ID, 150 * G_GUINT64_CONSTANT(1000000));
    g_assert_true(armz_proc_thread_stat(getpid(), tid, st));
    return NULL;
}

static void
test_thread_stat(void)
{
    ArmzThreadStat st = { 0 }, whole;

    g_thread_join(g_thread_new("worker", worker, &st));
    g_assert_cmpuint(st.cpu_time_ns, >=, 120 * G_GUINT64_CONSTANT(1000000));
    /* the thread's time is part of the process's */
    g_assert_true(armz_proc_thread_stat(getpid(), 0, &whole));
    g_assert_cmpuint(whole.cpu_time_ns, >=, st.cpu_time_ns);
}

static void
test_missing_process(void)
{
    ArmzThreadStat st;

    g_assert_false(armz_proc_thread_stat(getpid(), 0x7ffffff0, &st));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/domain-stats/process", test_process_stat);
    g_test_add_func("/domain-stats/thread", test_thread_stat);
    g_test_add_func("/domain-stats/missing", test_missing_process);
    return g_test_run();
}
