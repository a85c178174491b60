/* armz-host-validate's checks on fake files: cpuinfo features, cgroup v2
 * controllers, huge pages, /dev/net/tun. */
#include <glib.h>
#include <glib/gstdio.h>
#include "checks.h"

static char *tmpdir;

static char *
fake(const char *name, const char *text)
{
    char *p = g_build_filename(tmpdir, name, NULL);
    g_autofree char *dir = g_path_get_dirname(p);
    g_mkdir_with_parents(dir, 0755);
    g_assert_true(g_file_set_contents(p, text, -1, NULL));
    return p;
}

static ArmzCheck *
only(GPtrArray *list)
{
    g_assert_cmpuint(list->len, ==, 1);
    return g_ptr_array_index(list, 0);
}

static void
test_cpuinfo(void)
{
    const char *z = "vendor_id       : IBM/S390\n# processors    : 4\n"
                    "features\t: esan3 zarch stfle msa ldisp eimm dfp edat etf3eh highgprs te "
                    "vx vxd vxe gs sie sae\nfacilities      : 0 1 2 3\n";
    g_assert_true(armz_cpuinfo_has_feature(z, "sae"));
    g_assert_true(armz_cpuinfo_has_feature(z, "sie"));
    g_assert_false(armz_cpuinfo_has_feature(z, "sa"));
    g_assert_false(armz_cpuinfo_has_feature("features : esan3 zarch\n", "sae"));
    g_assert_false(armz_cpuinfo_has_feature("flags : sae\n", "sae"));
}

static void
test_cgroups(void)
{
    ArmzHostPaths p;
    g_autoptr(GPtrArray) l1 = g_ptr_array_new_with_free_func(armz_check_free);
    g_autoptr(GPtrArray) l2 = g_ptr_array_new_with_free_func(armz_check_free);
    g_autoptr(GPtrArray) l3 = g_ptr_array_new_with_free_func(armz_check_free);
    g_autofree char *v2 = g_build_filename(tmpdir, "cg2", NULL);
    g_autofree char *part = g_build_filename(tmpdir, "cgpart", NULL);
    g_autofree char *none = g_build_filename(tmpdir, "cgnone", NULL);
    g_autofree char *a = fake("cg2/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma\n");
    g_autofree char *b = fake("cgpart/cgroup.controllers", "cpuset io\n");

    armz_host_paths_default(&p);
    p.cgroup_root = v2;
    armz_check_cgroups(l1, &p);
    g_assert_cmpint(only(l1)->status, ==, ARMZ_CHECK_PASS);
    p.cgroup_root = part;
    armz_check_cgroups(l2, &p);
    g_assert_cmpint(only(l2)->status, ==, ARMZ_CHECK_WARN);
    g_assert_cmpstr(only(l2)->detail, ==, "missing: cpu memory pids");
    p.cgroup_root = none;
    armz_check_cgroups(l3, &p);
    g_assert_cmpint(only(l3)->status, ==, ARMZ_CHECK_WARN);
    g_assert_nonnull(strstr(only(l3)->detail, "no cgroup v2"));
}

static void
test_hugepages(void)
{
    ArmzHostPaths p;
    g_autoptr(GPtrArray) l1 = g_ptr_array_new_with_free_func(armz_check_free);
    g_autoptr(GPtrArray) l2 = g_ptr_array_new_with_free_func(armz_check_free);
    g_autofree char *mem = fake("meminfo", "MemTotal: 100 kB\nHugePages_Total:      16\n");
    g_autofree char *madv = fake("thp-madvise", "always [madvise] never\n");
    g_autofree char *never = fake("thp-never", "always madvise [never]\n");

    armz_host_paths_default(&p);
    p.meminfo = mem;
    p.thp_enabled = madv;
    armz_check_hugepages(l1, &p);
    g_assert_cmpint(only(l1)->status, ==, ARMZ_CHECK_PASS);
    g_assert_cmpstr(only(l1)->detail, ==, "transparent huge pages: madvise; hugetlbfs pages: 16");
    p.thp_enabled = never;
    armz_check_hugepages(l2, &p);
    g_assert_cmpint(only(l2)->status, ==, ARMZ_CHECK_WARN);
}

static void
test_tun_missing(void)
{
    ArmzHostPaths p;
    g_autoptr(GPtrArray) l = g_ptr_array_new_with_free_func(armz_check_free);
    g_autofree char *nodev = g_build_filename(tmpdir, "no-tun", NULL);
    g_autofree char *regular = fake("regular-tun", "");
    g_autoptr(GPtrArray) l2 = g_ptr_array_new_with_free_func(armz_check_free);

    armz_host_paths_default(&p);
    p.tun = nodev;
    armz_check_tun(l, &p);
    g_assert_cmpint(only(l)->status, ==, ARMZ_CHECK_WARN);
    g_assert_nonnull(strstr(only(l)->detail, "tun module"));
    p.tun = regular;
    armz_check_tun(l2, &p);
    g_assert_nonnull(strstr(only(l2)->detail, "not a character device"));
}

static void
test_json_and_worst(void)
{
    g_autoptr(GPtrArray) l = g_ptr_array_new_with_free_func(armz_check_free);
    g_autofree char *json = NULL;

    g_assert_cmpint(armz_checks_worst(l), ==, ARMZ_CHECK_PASS);
    armz_check_add(l, "a", "Checking \"a\"", ARMZ_CHECK_WARN, "w %d", 1);
    armz_check_add(l, "b", "Checking b", ARMZ_CHECK_PASS, NULL);
    g_assert_cmpint(armz_checks_worst(l), ==, ARMZ_CHECK_WARN);
    json = armz_checks_to_json(l);
    g_assert_nonnull(strstr(json, "\"result\": \"WARN\""));
    g_assert_nonnull(strstr(json, "\"title\": \"Checking \\\"a\\\"\""));
    g_assert_nonnull(strstr(json, "\"detail\": \"w 1\""));
}

int
main(int argc, char **argv)
{
    int rc;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("armz-host-checks-XXXXXX", NULL);
    g_test_add_func("/cli/host-checks/cpuinfo", test_cpuinfo);
    g_test_add_func("/cli/host-checks/cgroups", test_cgroups);
    g_test_add_func("/cli/host-checks/hugepages", test_hugepages);
    g_test_add_func("/cli/host-checks/tun", test_tun_missing);
    g_test_add_func("/cli/host-checks/json", test_json_and_worst);
    rc = g_test_run();
    {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
        (void)!system(cmd);
    }
    g_free(tmpdir);
    return rc;
}
