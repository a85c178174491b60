/* Boot files (--kernel, --initrd) read into guest RAM at start and again
 * at a reset: the content, and the errors when the file changed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "boot/bootfile.h"

static char *
temp_file(const char *dir, const char *name, const char *content)
{
    char *path = g_build_filename(dir, name, NULL);
    g_assert_true(g_file_set_contents(path, content, -1, NULL));
    return path;
}

static void
test_read(void)
{
    g_autofree char *dir = g_dir_make_tmp("bootfile-XXXXXX", NULL);
    g_autofree char *path = temp_file(dir, "Image", "0123456789abcdef");
    g_autoptr(ArmzBootFile) bf = armz_boot_file_open("kernel", path, NULL);
    g_autoptr(GBytes) all = NULL;
    char buf[8] = { 0 };
    GError *err = NULL;

    g_assert_nonnull(bf);
    g_assert_cmpuint(armz_boot_file_size(bf), ==, 16);
    g_assert_true(armz_boot_file_read(bf, 10, buf, 6, &err));
    g_assert_no_error(err);
    g_assert_cmpmem(buf, 6, "abcdef", 6);
    /* twice: a reset reads the same bytes again */
    memset(buf, 0, sizeof(buf));
    g_assert_true(armz_boot_file_read(bf, 0, buf, 4, &err));
    g_assert_cmpmem(buf, 4, "0123", 4);
    all = armz_boot_file_bytes(bf, &err);
    g_assert_no_error(err);
    g_assert_cmpmem(g_bytes_get_data(all, NULL), g_bytes_get_size(all), "0123456789abcdef", 16);

    /* past the end is refused, not read short */
    g_assert_false(armz_boot_file_read(bf, 12, buf, 8, &err));
    g_assert_nonnull(strstr(err->message, "it has 16 bytes"));
    g_clear_error(&err);
    g_unlink(path);
    g_rmdir(dir);
}

static void
test_open_errors(void)
{
    g_autofree char *dir = g_dir_make_tmp("bootfile-XXXXXX", NULL);
    g_autofree char *missing = g_build_filename(dir, "no-such-initrd", NULL);
    GError *err = NULL;

    g_assert_null(armz_boot_file_open("initrd", missing, &err));
    g_assert_nonnull(strstr(err->message, "initrd"));
    g_assert_nonnull(strstr(err->message, missing));
    g_assert_nonnull(strstr(err->message, g_strerror(ENOENT)));
    g_clear_error(&err);

    g_assert_null(armz_boot_file_open("kernel", dir, &err));
    g_assert_nonnull(strstr(err->message, "not a regular file"));
    g_clear_error(&err);
    g_rmdir(dir);
}

/* a kernel rewritten in place while the guest runs: the reset's read
 * fails and names the file and both sizes */
static void
test_changed_size(void)
{
    g_autofree char *dir = g_dir_make_tmp("bootfile-XXXXXX", NULL);
    g_autofree char *path = temp_file(dir, "Image", "0123456789abcdef");
    g_autoptr(ArmzBootFile) bf = armz_boot_file_open("kernel", path, NULL);
    char buf[16];
    GError *err = NULL;
    FILE *f;

    g_assert_cmpint(truncate(path, 5), ==, 0);
    g_assert_false(armz_boot_file_read(bf, 0, buf, 4, &err));
    g_assert_nonnull(strstr(err->message, path));
    g_assert_nonnull(strstr(err->message, "changed size"));
    g_assert_nonnull(strstr(err->message, "16 bytes, now 5"));
    g_clear_error(&err);
    g_assert_null(armz_boot_file_bytes(bf, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);

    /* grown is refused too: the guest's layout was made for 16 bytes
     * (rewritten in place, the same inode) */
    f = fopen(path, "w");
    g_assert_nonnull(f);
    g_assert_cmpint(fputs("0123456789abcdef-and-more", f), >=, 0);
    g_assert_cmpint(fclose(f), ==, 0);
    g_assert_false(armz_boot_file_read(bf, 0, buf, 4, &err));
    g_assert_nonnull(strstr(err->message, "now 25"));
    g_clear_error(&err);
    g_unlink(path);
    g_rmdir(dir);
}

/* a new file renamed over the old one (a package upgrade): the guest
 * keeps the kernel it started with */
static void
test_replaced(void)
{
    g_autofree char *dir = g_dir_make_tmp("bootfile-XXXXXX", NULL);
    g_autofree char *path = temp_file(dir, "Image", "old-kernel");
    g_autofree char *next = temp_file(dir, "Image.new", "a new kernel, longer");
    g_autoptr(ArmzBootFile) bf = armz_boot_file_open("kernel", path, NULL);
    char buf[10];
    GError *err = NULL;

    g_assert_cmpint(g_rename(next, path), ==, 0);
    g_assert_true(armz_boot_file_read(bf, 0, buf, sizeof(buf), &err));
    g_assert_no_error(err);
    g_assert_cmpmem(buf, sizeof(buf), "old-kernel", 10);
    g_unlink(path);
    g_rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/bootfile/read", test_read);
    g_test_add_func("/vmm/bootfile/open-errors", test_open_errors);
    g_test_add_func("/vmm/bootfile/changed-size", test_changed_size);
    g_test_add_func("/vmm/bootfile/replaced", test_replaced);
    return g_test_run();
}
