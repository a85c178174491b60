/* The shared helpers of src/util: API flags checks, UUID text, strict
 * decimal numbers, the removal of temporary files a crash left, and
 * definition saves that skip what changes nothing. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>

#include "util/defstore.h"
#include "util/error.h"
#include "util/fileutil.h"
#include "util/flags.h"
#include "util/number.h"
#include "util/unixaddr.h"
#include "util/uuid.h"
#include <sys/socket.h>

static void
test_check_flags(void)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(armz_check_flags(0, 0, "virX", &err));
    g_assert_true(armz_check_flags(0x5, 0x7, "virX", &err));
    g_assert_no_error(err);
    g_assert_false(armz_check_flags(0x13, 0x3, "virDomainFrob", &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_INVALID_ARG);
    /* the message names only the bits that are not allowed, as libvirt's */
    g_assert_cmpstr(err->message, ==, "unsupported flags (0x10) in function virDomainFrob");
}

static void
test_uuid_text(void)
{
    static const unsigned char u[16] = {
        0x00, 0xff, 0x10, 0xab, 0xcd, 0xef, 0x01, 0x23,
        0x45, 0x67, 0x89, 0x9a, 0xbc, 0xde, 0xf0, 0x0f,
    };
    unsigned char back[16], a[16], b[16];
    char buf[ARMZ_UUID_STRING_BUFLEN];

    armz_uuid_format(u, buf);
    g_assert_cmpstr(buf, ==, "00ff10ab-cdef-0123-4567-899abcdef00f");
    g_assert_cmpuint(strlen(buf) + 1, ==, ARMZ_UUID_STRING_BUFLEN);
    g_assert_true(armz_uuid_parse(buf, back));
    g_assert_cmpmem(u, 16, back, 16);
    /* libvirt's lenient form: dashes anywhere between bytes */
    g_assert_true(armz_uuid_parse("00-ff10abcdef0123456789-9abcdef00f", back));
    g_assert_cmpmem(u, 16, back, 16);
    g_assert_false(armz_uuid_parse(NULL, back));
    g_assert_false(armz_uuid_parse("00ff10ab-cdef-0123-4567-899abcdef00", back));
    g_assert_false(armz_uuid_parse("00ff10ab--cdef-0123-4567-899abcdef00f0", back));

    armz_uuid_generate(a);
    armz_uuid_generate(b);
    g_assert_true(memcmp(a, b, 16) != 0);
    g_assert_cmpuint(a[6] >> 4, ==, 4);            /* version 4 */
    g_assert_cmpuint(a[8] & 0xc0, ==, 0x80);       /* RFC 4122 variant */
    armz_uuid_format(a, buf);
    g_assert_true(armz_uuid_parse(buf, back));
    g_assert_cmpmem(a, 16, back, 16);
}

static void
test_parse_u64(void)
{
    static const char *const bad[] = {
        "", "-1", "+1", " 1", "1 ", "0x10", "1e3", "12a",
        "18446744073709551616", "99999999999999999999", NULL,
    };
    guint64 v = 0;

    g_assert_true(armz_parse_u64("0", 0, G_MAXUINT64, &v));
    g_assert_cmpuint(v, ==, 0);
    g_assert_true(armz_parse_u64("18446744073709551615", 0, G_MAXUINT64, &v));
    g_assert_cmpuint(v, ==, G_MAXUINT64);
    g_assert_true(armz_parse_u64("007", 0, 10, &v));
    g_assert_cmpuint(v, ==, 7);
    g_assert_false(armz_parse_u64(NULL, 0, G_MAXUINT64, &v));
    for (guint i = 0; bad[i]; i++) {
        v = 42;
        g_assert_false(armz_parse_u64(bad[i], 0, G_MAXUINT64, &v));
        g_assert_cmpuint(v, ==, 42);   /* untouched */
    }
    g_assert_true(armz_parse_u64("4096", 1, 4096, &v));
    g_assert_false(armz_parse_u64("4097", 1, 4096, &v));
    g_assert_false(armz_parse_u64("0", 1, 4096, &v));
    g_assert_cmpuint(v, ==, 4096);
}

static void
put(const char *dir, const char *name, const char *data)
{
    g_autofree char *p = g_build_filename(dir, name, NULL);
    g_autoptr(GError) err = NULL;

    g_assert_true(g_file_set_contents(p, data, -1, &err));
}

static gboolean
there(const char *dir, const char *name)
{
    g_autofree char *p = g_build_filename(dir, name, NULL);

    return g_file_test(p, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK);
}

static void
test_stale_tmp(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("armz-util-XXXXXX", &err);
    g_autofree char *xml = NULL, *sub = NULL, *link = NULL, *target = NULL;
    static const char *const kept[] = {
        "web.xml", "web.xml.tmp-ab", "web.xml.tmp-ab_c12", "web.xml.tmp-abc1234",
        ".tmp-abc123", "web.xml.tmp", "notes.txt",
    };

    g_assert_no_error(err);
    /* a failed write leaves nothing; a good one leaves only its file */
    xml = g_build_filename(dir, "web.xml", NULL);
    g_assert_true(armz_file_write_atomic(xml, "<domain/>", 9, 0600, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(armz_file_remove_stale_tmp(dir), ==, 0);

    /* what a crash between mkstemp and rename leaves */
    put(dir, "web.xml.tmp-Ab12Cd", "<domain");
    put(dir, "net0.xml.tmp-000000", "");
    for (guint i = 1; i < G_N_ELEMENTS(kept); i++)
        put(dir, kept[i], "x");
    /* not regular files: left alone */
    sub = g_build_filename(dir, "d.xml.tmp-ABCDEF", NULL);
    g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
    link = g_build_filename(dir, "l.xml.tmp-ABCDEF", NULL);
    target = g_build_filename(dir, "notes.txt", NULL);
    g_assert_cmpint(symlink(target, link), ==, 0);

    g_assert_cmpuint(armz_file_remove_stale_tmp(dir), ==, 2);
    g_assert_false(there(dir, "web.xml.tmp-Ab12Cd"));
    g_assert_false(there(dir, "net0.xml.tmp-000000"));
    for (guint i = 0; i < G_N_ELEMENTS(kept); i++)
        g_assert_true(there(dir, kept[i]));
    g_assert_true(g_file_test(sub, G_FILE_TEST_IS_DIR));
    g_assert_true(there(dir, "l.xml.tmp-ABCDEF"));
    g_assert_cmpuint(armz_file_remove_stale_tmp(dir), ==, 0);
    /* a missing directory is nothing to clean */
    g_assert_cmpuint(armz_file_remove_stale_tmp("/nonexistent/armz"), ==, 0);

    unlink(link);
    g_rmdir(sub);
    for (guint i = 0; i < G_N_ELEMENTS(kept); i++) {
        g_autofree char *p = g_build_filename(dir, kept[i], NULL);
        unlink(p);
    }
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

/* A socket path longer than sun_path is still bound and reached (the
 * daemon's state directory can be deep: test roots, --root trees). */
static void
test_unix_addr_long(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *tmp = g_dir_make_tmp("armz-unixaddr-XXXXXX", NULL);
    g_autofree char *deep = g_build_filename(tmp, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                             "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", NULL);
    g_autofree char *path = g_build_filename(deep, "c7a5fdbd-edaf-4455-926a-d65c16db1809.qmp",
                                             NULL);
    struct sockaddr_un sa;
    int dirfd, lfd, cfd, afd;

    g_assert_cmpint(g_mkdir_with_parents(deep, 0700), ==, 0);
    g_assert_cmpuint(strlen(path), >=, sizeof(sa.sun_path));

    g_assert_true(armz_unix_addr(path, &sa, &dirfd, &err));
    g_assert_no_error(err);
    g_assert_cmpint(dirfd, >=, 0);
    lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(listen(lfd, 1), ==, 0);
    close(dirfd);
    /* the socket is where PATH says, not somewhere under /proc */
    g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));

    g_assert_true(armz_unix_addr(path, &sa, &dirfd, &err));
    cfd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(connect(cfd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    close(dirfd);
    afd = accept(lfd, NULL, NULL);
    g_assert_cmpint(afd, >=, 0);
    close(afd);
    close(cfd);
    close(lfd);

    /* a short path goes as it is */
    g_assert_true(armz_unix_addr("/run/x.qmp", &sa, &dirfd, &err));
    g_assert_cmpint(dirfd, ==, -1);
    g_assert_cmpstr(sa.sun_path, ==, "/run/x.qmp");

    /* a missing directory is named */
    g_assert_false(armz_unix_addr("/nonexistent-armz-dir/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.qmp",
                                  &sa, &dirfd, &err));
    g_assert_nonnull(strstr(err->message, "/nonexistent-armz-dir"));

    unlink(path);
    g_rmdir(deep);
    g_autofree char *mid = g_path_get_dirname(deep);
    g_rmdir(mid);
    g_rmdir(tmp);
}

static ino_t
inode_of(const char *path)
{
    struct stat st;

    g_assert_cmpint(stat(path, &st), ==, 0);
    return st.st_ino;
}

/* an unchanged definition is not rewritten (the rename would give the file
 * a new inode); a changed one is */
static void
test_defstore_unchanged(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("armz-util-XXXXXX", &err);
    g_autofree char *path = NULL, *text = NULL;
    ino_t first;

    g_assert_no_error(err);
    path = armz_defstore_path(dir, "web");
    g_assert_true(armz_defstore_save(dir, "web", "<domain/>", &err));
    g_assert_no_error(err);
    first = inode_of(path);
    g_assert_true(armz_defstore_save(dir, "web", "<domain/>", &err));
    g_assert_cmpuint(inode_of(path), ==, first);
    g_assert_true(armz_defstore_save(dir, "web", "<domain/>\n", &err));
    g_assert_cmpuint(inode_of(path), !=, first);
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "<domain/>\n");
    g_assert_cmpint(unlink(path), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/util/check-flags", test_check_flags);
    g_test_add_func("/util/uuid-text", test_uuid_text);
    g_test_add_func("/util/parse-u64", test_parse_u64);
    g_test_add_func("/util/stale-tmp", test_stale_tmp);
    g_test_add_func("/util/defstore-unchanged", test_defstore_unchanged);
    g_test_add_func("/util/unix-addr-long", test_unix_addr_long);
    return g_test_run();
}
