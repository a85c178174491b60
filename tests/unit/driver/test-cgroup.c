/* cgroup v2 values and file writes (driver/cgroup.c) against a fake
 * hierarchy: a temporary directory as $ARMZ_CGROUP_ROOT. */
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>

#include "driver/cgroup.h"
#include "util/error.h"

static char *root;

static char *
slurp(const char *dir, const char *file)
{
    g_autofree char *p = g_build_filename(dir, file, NULL);
    char *text = NULL;

    g_assert_true(g_file_get_contents(p, &text, NULL, NULL));
    return text;
}

static void
put(const char *dir, const char *file, const char *text)
{
    g_autofree char *p = g_build_filename(dir, file, NULL);

    g_assert_true(g_file_set_contents(p, text, -1, NULL));
}

static void
test_escape(void)
{
    g_autofree char *e = armz_cgroup_escape("armz-3-web.1");
    g_autofree char *d = armz_cgroup_escape(".x");
    g_autofree char *path = armz_cgroup_domain_path("/cg", "web-1", 7);

    g_assert_cmpstr(e, ==, "armz\\x2d3\\x2dweb.1");
    g_assert_cmpstr(d, ==, "\\x2ex");
    g_assert_cmpstr(path, ==, "/cg/machine.slice/machine-armz\\x2d7\\x2dweb\\x2d1.scope");
}

/* create writes the definition's limits in libvirt's v2 mapping */
static void
test_create_writes_limits(void)
{
    g_autoptr(ArmzDomainDef) def = armz_domain_def_parse(
        "<domain type='kvm'><name>t1</name><memory>1024</memory><vcpu>2</vcpu>"
        "<os><type>hvm</type></os>"
        "<cputune><shares>300</shares><period>100000</period><quota>50000</quota></cputune>"
        "<memtune><hard_limit unit='MiB'>1</hard_limit><soft_limit>512</soft_limit></memtune>"
        "<blkiotune><weight>700</weight></blkiotune></domain>", NULL);
    g_autofree char *dir = armz_cgroup_domain_path(root, "t1", 4);
    g_autofree char *path = NULL, *w = NULL, *m = NULL, *h = NULL, *io = NULL, *c = NULL;
    g_autoptr(GError) err = NULL;
    int fd;

    g_assert_nonnull(def);
    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    /* files the kernel would provide */
    put(dir, "cgroup.procs", "");
    put(dir, "io.weight", "default 100\n");
    put(dir, "cpu.weight", "100\n");
    put(dir, "cpu.max", "max 100000\n");
    put(dir, "memory.max", "max\n");
    put(dir, "memory.high", "max\n");
    g_assert_true(armz_cgroup_create(def, 4, &path, &fd, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(path, ==, dir);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_cmpstr((w = slurp(dir, "cpu.weight")), ==, "300");
    /* the quota is per vCPU: two of them */
    g_assert_cmpstr((c = slurp(dir, "cpu.max")), ==, "100000 100000");
    g_assert_cmpstr((m = slurp(dir, "memory.max")), ==, "1048576");
    g_assert_cmpstr((h = slurp(dir, "memory.high")), ==, "524288");
    g_assert_cmpstr((io = slurp(dir, "io.weight")), ==, "default 700");
}

static void
test_values(void)
{
    g_autofree char *dir = g_build_filename(root, "values", NULL);
    g_autoptr(GError) err = NULL;
    guint64 kib, period, shares;
    gint64 quota;
    unsigned int weight;
    guint64 t = 0, u = 0, s = 0;

    g_mkdir_with_parents(dir, 0755);
    put(dir, "memory.max", "max\n");
    put(dir, "cpu.weight", "100\n");
    g_assert_true(armz_cgroup_get_memory(dir, "memory.max", &kib, &err));
    g_assert_cmpuint(kib, ==, ARMZ_TUNE_MEMORY_UNLIMITED);
    g_assert_true(armz_cgroup_set_memory(dir, "memory.max", ARMZ_TUNE_MEMORY_UNLIMITED, &err));
    g_assert_true(armz_cgroup_get_memory(dir, "memory.max", &kib, &err));
    g_assert_cmpuint(kib, ==, ARMZ_TUNE_MEMORY_UNLIMITED);
    g_assert_true(armz_cgroup_set_memory(dir, "memory.max", 2048, &err));
    g_assert_true(armz_cgroup_get_memory(dir, "memory.max", &kib, &err));
    g_assert_cmpuint(kib, ==, 2048);

    put(dir, "cpu.max", "max 100000\n");
    g_assert_true(armz_cgroup_get_cpu_max(dir, 4, &quota, &period, &err));
    g_assert_cmpint(quota, ==, -1);
    g_assert_cmpuint(period, ==, 100000);
    g_assert_true(armz_cgroup_set_cpu_max(dir, 20000, 50000, 4, &err));
    g_assert_true(armz_cgroup_get_cpu_max(dir, 4, &quota, &period, &err));
    g_assert_cmpint(quota, ==, 20000);
    g_assert_cmpuint(period, ==, 50000);

    g_assert_false(armz_cgroup_set_cpu_weight(dir, 10001, &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_INVALID_ARG);
    g_clear_error(&err);
    g_assert_true(armz_cgroup_set_cpu_weight(dir, 10000, &err));
    g_assert_true(armz_cgroup_get_cpu_weight(dir, &shares, &err));
    g_assert_cmpuint(shares, ==, 10000);

    /* no io.weight nor io.bfq.weight: libvirt's refusal */
    g_assert_false(armz_cgroup_set_io_weight(dir, 500, &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID);
    g_clear_error(&err);
    put(dir, "io.bfq.weight", "100\n");
    g_assert_true(armz_cgroup_set_io_weight(dir, 500, &err));
    g_assert_true(armz_cgroup_get_io_weight(dir, &weight, &err));
    g_assert_cmpuint(weight, ==, 500);

    put(dir, "cpu.stat", "usage_usec 12\nuser_usec 7\nsystem_usec 5\nnr_periods 0\n");
    g_assert_true(armz_cgroup_cpu_stat(dir, &t, &u, &s));
    g_assert_cmpuint(t, ==, 12000);
    g_assert_cmpuint(u, ==, 7000);
    g_assert_cmpuint(s, ==, 5000);
    g_assert_no_error(err);
}

/* no limits and no writable hierarchy: no cgroup, no error; limits: refused */
static void
test_no_hierarchy(void)
{
    g_autoptr(ArmzDomainDef) plain = armz_domain_def_parse(
        "<domain type='kvm'><name>p</name><memory>1024</memory><os><type>hvm</type></os>"
        "</domain>", NULL);
    g_autoptr(ArmzDomainDef) tuned = armz_domain_def_parse(
        "<domain type='kvm'><name>p</name><memory>1024</memory><os><type>hvm</type></os>"
        "<memtune><hard_limit>4096</hard_limit></memtune></domain>", NULL);
    g_autofree char *path = NULL;
    g_autoptr(GError) err = NULL;
    int fd;

    g_setenv("ARMZ_CGROUP_ROOT", "/nonexistent/cgroup", TRUE);
    g_assert_true(armz_cgroup_create(plain, 1, &path, &fd, &err));
    g_assert_null(path);
    g_assert_cmpint(fd, ==, -1);
    g_assert_false(armz_cgroup_create(tuned, 1, &path, &fd, &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
    g_setenv("ARMZ_CGROUP_ROOT", root, TRUE);
}

static void
test_cpuset(void)
{
    cpu_set_t set;

    g_assert_true(armz_cpuset_parse("0-3,^2,6", 8, &set));
    g_assert_cmpint(CPU_COUNT(&set), ==, 4);
    g_assert_true(CPU_ISSET(6, &set) && !CPU_ISSET(2, &set));
    g_assert_false(armz_cpuset_parse("9", 8, &set));
    g_assert_false(armz_cpuset_parse("3-1", 8, &set));
    g_assert_false(armz_cpuset_parse("^0", 8, &set));
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) err = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    root = g_dir_make_tmp("armz-cgroup-XXXXXX", &err);
    g_assert_no_error(err);
    g_setenv("ARMZ_CGROUP_ROOT", root, TRUE);
    g_test_add_func("/cgroup/escape", test_escape);
    g_test_add_func("/cgroup/create-writes-limits", test_create_writes_limits);
    g_test_add_func("/cgroup/values", test_values);
    g_test_add_func("/cgroup/no-hierarchy", test_no_hierarchy);
    g_test_add_func("/cgroup/cpuset", test_cpuset);
    ret = g_test_run();
    {
        const char *rm[] = { "rm", "-rf", root, NULL };
        g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                     NULL, NULL);
    }
    return ret;
}
