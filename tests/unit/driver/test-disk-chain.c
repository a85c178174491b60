/* The backing-chain reader (src/driver/disk_chain.c) on images made by
 * qemu-img (tests/data/disk-chain, copied to a temporary directory) and on
 * hostile headers written here: loops, overlong or NUL-laden names, names
 * past the end of the file, missing files, raw backing files whose format
 * is not recorded, protocol names. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>

#include "util/error.h"
#include "driver/disk_chain.h"

static char *datadir;
static char *tmpdir;

static char *
tmp(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

static void
copy_in(const char *name)
{
    g_autofree char *src = g_build_filename(datadir, name, NULL);
    g_autofree char *dst = tmp(name);
    g_autofree char *data = NULL;
    gsize len;

    g_assert_true(g_file_get_contents(src, &data, &len, NULL));
    g_assert_true(g_file_set_contents(dst, data, (gssize)len, NULL));
}

static void
put_be32(guint8 *p, guint32 v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static void
put_be64(guint8 *p, guint64 v)
{
    put_be32(p, v >> 32);
    put_be32(p + 4, (guint32)v);
}

/* A version 3 qcow2 header (cluster 512) naming NAME (NAME_LEN bytes, may
 * lie) at offset 512 with backing format FMT (NULL: no extension). */
static void
write_qcow2(const char *file, const char *name, guint32 name_len, guint64 name_off,
            const char *fmt)
{
    guint8 buf[1024] = { 0 };
    g_autofree char *path = tmp(file);
    gsize size = sizeof(buf);

    memcpy(buf, "QFI\xfb", 4);
    put_be32(buf + 4, 3);
    put_be64(buf + 8, name ? name_off : 0);
    put_be32(buf + 16, name ? name_len : 0);
    put_be32(buf + 20, 9);
    put_be64(buf + 24, 1 << 20);
    put_be32(buf + 96, 4);
    put_be32(buf + 100, 104);
    if (fmt) {
        put_be32(buf + 104, 0xe2792aca);
        put_be32(buf + 108, (guint32)strlen(fmt));
        memcpy(buf + 112, fmt, strlen(fmt));
    }
    if (name && name_off + strlen(name) <= sizeof(buf))
        memcpy(buf + name_off, name, strlen(name));
    if (name && name_off > 512)
        size = 520;     /* the name lies past the end */
    g_assert_true(g_file_set_contents(path, (const char *)buf, (gssize)size, NULL));
}

static void
qcow2_named(const char *file, const char *name, const char *fmt)
{
    write_qcow2(file, name, name ? (guint32)strlen(name) : 0, 512, fmt);
}

static GPtrArray *
chain_of(const char *file, const char *fmt, GError **error)
{
    g_autofree char *path = tmp(file);
    return armz_disk_chain_read(path, fmt, error);
}

static void
assert_layer(GPtrArray *chain, guint i, const char *file, const char *fmt)
{
    ArmzDiskLayer *l = g_ptr_array_index(chain, i);
    g_autofree char *want = tmp(file);

    g_assert_cmpstr(l->path, ==, want);
    g_assert_cmpstr(l->format, ==, fmt);
}

static void
assert_refused(const char *file, int code, const char *needle)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) chain = chain_of(file, "qcow2", &err);

    g_assert_null(chain);
    g_assert_error(err, ARMZ_ERROR, code);
    if (!strstr(err->message, needle))
        g_error("'%s' lacks '%s'", err->message, needle);
}

static void
test_qemu_img_chain(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) chain = chain_of("top.qcow2", "qcow2", &err);

    g_assert_no_error(err);
    g_assert_cmpuint(chain->len, ==, 3);
    assert_layer(chain, 0, "top.qcow2", "qcow2");
    assert_layer(chain, 1, "over-raw.qcow2", "qcow2");
    assert_layer(chain, 2, "base.raw", "raw");
}

static void
test_qemu_img_v2_and_single(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) v2 = chain_of("v2.qcow2", "qcow2", &err);
    g_autoptr(GPtrArray) one = NULL, raw = NULL;

    g_assert_no_error(err);
    g_assert_cmpuint(v2->len, ==, 2);
    assert_layer(v2, 1, "base.qcow2", "qcow2");
    one = chain_of("base.qcow2", "qcow2", &err);
    g_assert_no_error(err);
    g_assert_cmpuint(one->len, ==, 1);
    /* raw has no backing file, whatever its bytes say */
    raw = chain_of("top.qcow2", "raw", &err);
    g_assert_no_error(err);
    g_assert_cmpuint(raw->len, ==, 1);
    assert_layer(raw, 0, "top.qcow2", "raw");
}

static void
test_absolute_and_probed_qcow2(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *abs = tmp("base.qcow2");
    g_autoptr(GPtrArray) chain = NULL;

    /* no recorded format: a qcow2 backing file is recognised */
    qcow2_named("abs.qcow2", abs, NULL);
    chain = chain_of("abs.qcow2", "qcow2", &err);
    g_assert_no_error(err);
    g_assert_cmpuint(chain->len, ==, 2);
    assert_layer(chain, 1, "base.qcow2", "qcow2");
}

static void
test_hostile(void)
{
    g_autofree char *long_name = g_strnfill(ARMZ_QCOW2_BACKING_NAME_MAX + 1, 'a');

    qcow2_named("raw-unrecorded.qcow2", "base.raw", NULL);
    assert_refused("raw-unrecorded.qcow2", VIR_ERR_CONFIG_UNSUPPORTED,
                   "was not specified in the image metadata");
    qcow2_named("self.qcow2", "self.qcow2", "qcow2");
    assert_refused("self.qcow2", VIR_ERR_INVALID_ARG, "self-referential");
    qcow2_named("loop-a.qcow2", "loop-b.qcow2", "qcow2");
    qcow2_named("loop-b.qcow2", "loop-a.qcow2", "qcow2");
    assert_refused("loop-a.qcow2", VIR_ERR_INVALID_ARG, "self-referential");
    write_qcow2("long.qcow2", long_name, (guint32)strlen(long_name), 104, "raw");
    assert_refused("long.qcow2", VIR_ERR_CONFIG_UNSUPPORTED, "1024 bytes long");
    qcow2_named("missing.qcow2", "no-such-file", "raw");
    assert_refused("missing.qcow2", VIR_ERR_SYSTEM_ERROR,
                   "Cannot access backing file");
    assert_refused("missing.qcow2", VIR_ERR_SYSTEM_ERROR, "no-such-file");
    write_qcow2("past-end.qcow2", "base.raw", 8, 4096, "raw");
    assert_refused("past-end.qcow2", VIR_ERR_INTERNAL_ERROR, "ends inside its header");
    write_qcow2("nul.qcow2", "base.raw", 12, 512, "raw");
    assert_refused("nul.qcow2", VIR_ERR_INTERNAL_ERROR, "NUL");
    qcow2_named("nbd.qcow2", "nbd://example.org/disk", "raw");
    assert_refused("nbd.qcow2", VIR_ERR_CONFIG_UNSUPPORTED, "network protocol");
    qcow2_named("vmdk.qcow2", "base.raw", "vmdk");
    assert_refused("vmdk.qcow2", VIR_ERR_CONFIG_UNSUPPORTED, "'vmdk'");
    qcow2_named("notqcow.qcow2", NULL, NULL);
    g_assert_true(g_file_set_contents(g_build_filename(tmpdir, "notqcow.qcow2", NULL),
                                      "plain bytes", -1, NULL));
    assert_refused("notqcow.qcow2", VIR_ERR_CONFIG_UNSUPPORTED, "not in qcow2 format");
}

static void
test_deep_chain(void)
{
    /* every layer names the next: deeper than the limit is refused */
    for (int i = 0; i <= ARMZ_DISK_CHAIN_MAX + 1; i++) {
        g_autofree char *file = g_strdup_printf("deep%d.qcow2", i);
        g_autofree char *next = g_strdup_printf("deep%d.qcow2", i + 1);
        qcow2_named(file, next, "qcow2");
    }
    assert_refused("deep0.qcow2", VIR_ERR_CONFIG_UNSUPPORTED, "deeper than");
}

int
main(int argc, char **argv)
{
    g_autofree char *base = NULL;
    int rc;

    g_test_init(&argc, &argv, NULL);
    datadir = g_build_filename(g_getenv("ARMZ_SRCDIR") ? g_getenv("ARMZ_SRCDIR") : ".",
                               "tests", "data", "disk-chain", NULL);
    tmpdir = g_dir_make_tmp("armz-disk-chain-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    copy_in("base.qcow2");
    copy_in("over-raw.qcow2");
    copy_in("top.qcow2");
    copy_in("v2.qcow2");
    base = tmp("base.raw");
    g_assert_true(g_file_set_contents(base, "raw bytes", -1, NULL));
    g_test_add_func("/disk-chain/qemu-img", test_qemu_img_chain);
    g_test_add_func("/disk-chain/v2-single-raw", test_qemu_img_v2_and_single);
    g_test_add_func("/disk-chain/absolute-probed-qcow2", test_absolute_and_probed_qcow2);
    g_test_add_func("/disk-chain/hostile", test_hostile);
    g_test_add_func("/disk-chain/deep", test_deep_chain);
    rc = g_test_run();
    if (rc == 0) {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
        (void)!system(cmd);
    }
    return rc;
}
