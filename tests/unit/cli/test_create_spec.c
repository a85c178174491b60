/* armz create's option parsing and XML: sizes, --disk specs, volume names,
 * escaping. */
#include <string.h>
#include <glib.h>
#include "cli.h"
#include "create_spec.h"

static void
test_sizes(void)
{
    static const struct { const char *in; guint64 unit, want; } ok[] = {
        { "512", 1 << 20, 512ull << 20 }, { "1G", 1 << 20, 1ull << 30 },
        { "1.5GiB", 1, 3ull << 29 }, { "100MB", 1, 100000000ull }, { "2 k", 1, 2048 },
        { "4", 1ull << 30, 4ull << 30 }, { "0", 1, 0 }, { "7b", 1 << 20, 7 },
    };
    static const char *const bad[] = { "", "G", "-1", "1X", "1.2.3", "nan", "99999999999T" };

    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        guint64 v = 0;
        g_autoptr(GError) err = NULL;
        g_assert_true(armz_parse_size(ok[i].in, ok[i].unit, &v, &err));
        g_assert_no_error(err);
        g_assert_cmpuint(v, ==, ok[i].want);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        guint64 v = 0;
        g_autoptr(GError) err = NULL;
        g_assert_false(armz_parse_size(bad[i], 1, &v, &err));
        g_assert_error(err, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG);
    }
}

static ArmzDiskSpec *
disk_ok(const char *spec)
{
    g_autoptr(GError) err = NULL;
    ArmzDiskSpec *d = armz_disk_spec_parse(spec, &err);
    g_assert_no_error(err);
    g_assert_nonnull(d);
    return d;
}

static void
disk_bad(const char *spec, const char *why)
{
    g_autoptr(GError) err = NULL;
    g_assert_null(armz_disk_spec_parse(spec, &err));
    g_assert_error(err, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG);
    if (!strstr(err->message, why))
        g_error("--disk %s: '%s' lacks '%s'", spec, err->message, why);
}

static void
test_disks(void)
{
    ArmzDiskSpec *d;

    d = disk_ok("/var/lib/a.img");
    g_assert_cmpint(d->kind, ==, ARMZ_DISK_FILE);
    g_assert_cmpstr(d->path, ==, "/var/lib/a.img");
    g_assert_cmpstr(d->format, ==, "raw");
    armz_disk_spec_free(d);

    d = disk_ok("pool1/vol.qcow2,format=qcow2,readonly=on");
    g_assert_cmpint(d->kind, ==, ARMZ_DISK_VOLUME);
    g_assert_cmpstr(d->pool, ==, "pool1");
    g_assert_cmpstr(d->volume, ==, "vol.qcow2");
    g_assert_true(d->readonly);
    g_assert_cmpstr(d->format, ==, "qcow2");
    armz_disk_spec_free(d);

    d = disk_ok("disk.img");        /* no '/': a file here */
    g_assert_cmpint(d->kind, ==, ARMZ_DISK_FILE);
    g_assert_true(g_path_is_absolute(d->path));
    g_assert_true(g_str_has_suffix(d->path, "/disk.img"));
    armz_disk_spec_free(d);

    d = disk_ok("size=10");
    g_assert_cmpint(d->kind, ==, ARMZ_DISK_VOLUME);
    g_assert_cmpuint(d->new_size, ==, 10ull << 30);
    g_assert_null(d->pool);
    armz_disk_spec_free(d);

    d = disk_ok("size=512M,pool=fast,vol=x.img");
    g_assert_cmpuint(d->new_size, ==, 512ull << 20);
    g_assert_cmpstr(d->pool, ==, "fast");
    armz_disk_spec_free(d);

    d = disk_ok("/dev/null,readonly");
    g_assert_true(d->readonly);
    armz_disk_spec_free(d);

    disk_bad("a/b/c", "not a path and not POOL/VOLUME");
    disk_bad("path=/x,size=1G", "size= makes a new volume");
    disk_bad("/x,pool=p", "cannot go with");
    disk_bad("size=0", "more than 0");
    disk_bad("size=big", "is not a size");
    disk_bad("pool=p", "needs both");
    disk_bad("/x,color=red", "unknown key 'color'");
    disk_bad("/x,format=vmdk", "raw or qcow2");
    disk_bad("/x,readonly=maybe", "expected on or off");
    disk_bad("", "give a path");
}

static void
test_spec_xml(void)
{
    g_autoptr(ArmzCreateSpec) s = armz_create_spec_new("a<b>&'c\"");
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = NULL, *vol = NULL;

    s->kernel = g_strdup("/boot/Image");
    g_ptr_array_add(s->disks, disk_ok("size=1G"));
    g_ptr_array_add(s->disks, disk_ok("size=1G,format=qcow2"));
    g_ptr_array_add(s->disks, disk_ok("/d.img"));
    g_assert_true(armz_create_spec_finish(s, &err));
    xml = armz_create_spec_to_xml(s);
    g_assert_nonnull(strstr(xml, "<name>a&lt;b&gt;&amp;'c\"</name>"));
    g_assert_nonnull(strstr(xml, "volume=\"a&lt;b&gt;&amp;'c&quot;.img\""));
    g_assert_nonnull(strstr(xml, "volume=\"a&lt;b&gt;&amp;'c&quot;-1.qcow2\""));
    g_assert_nonnull(strstr(xml, "<target dev=\"vdc\" bus=\"virtio\"/>"));
    g_assert_nonnull(strstr(xml, "<cmdline>console=ttyAMA0 root=/dev/vda rw</cmdline>"));
    g_assert_null(strstr(xml, "<?xml"));
    vol = armz_disk_spec_volume_xml(g_ptr_array_index(s->disks, 1));
    g_assert_nonnull(strstr(vol, "<capacity unit=\"bytes\">1073741824</capacity>"));
    g_assert_nonnull(strstr(vol, "<format type=\"qcow2\"/>"));
}

static void
test_spec_refusals(void)
{
    static const char *const names[] = { "", "a/b" };

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autoptr(ArmzCreateSpec) s = armz_create_spec_new(names[i]);
        g_autoptr(GError) err = NULL;
        s->kernel = g_strdup("/k");
        g_assert_false(armz_create_spec_finish(s, &err));
    }
    {
        g_autoptr(ArmzCreateSpec) s = armz_create_spec_new("x");
        g_autoptr(GError) err = NULL;
        g_assert_false(armz_create_spec_finish(s, &err));   /* nothing to boot */
        g_assert_nonnull(strstr(err->message, "nothing to boot"));
    }
    {
        g_autoptr(ArmzCreateSpec) s = armz_create_spec_new("x");
        g_autoptr(GError) err = NULL;
        s->kernel = g_strdup("/k");
        s->memory_kib = 1024;
        g_assert_false(armz_create_spec_finish(s, &err));
    }
    {
        g_autoptr(ArmzCreateSpec) s = armz_create_spec_new("x");
        g_autoptr(GError) err = NULL;
        g_ptr_array_add(s->disks, disk_ok("/d.img"));
        g_assert_true(armz_create_spec_finish(s, &err));
        g_autofree char *xml = armz_create_spec_to_xml(s);
        g_assert_nonnull(strstr(xml, "<boot dev=\"hd\"/>"));   /* no kernel */
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cli/create/sizes", test_sizes);
    g_test_add_func("/cli/create/disks", test_disks);
    g_test_add_func("/cli/create/xml", test_spec_xml);
    g_test_add_func("/cli/create/refusals", test_spec_refusals);
    return g_test_run();
}
