/* The storage driver without the daemon: a dir pool in a temporary root,
 * volumes, and the volume resolver domains use at start. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>

#include "storage/storage_driver.h"
#include "util/error.h"
#include "util/paths.h"

static char *root;

static ArmzStorageDriver *
new_driver(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzPaths) paths = armz_paths_new(root, TRUE);
    ArmzStorageDriver *drv;

    g_assert_true(armz_paths_create(paths, &err));
    drv = armz_storage_driver_new(paths, &err);
    g_assert_no_error(err);
    return drv;
}

static void
test_resolver(void)
{
    ArmzStorageDriver *drv = new_driver();
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_build_filename(root, "pool", NULL);
    g_autofree char *xml = g_strdup_printf("<pool type='dir'><name>p</name><target><path>%s"
                                           "</path></target></pool>", dir);
    g_autoptr(ArmzPoolId) id = armz_storage_pool_define(drv, xml, 0, &err);
    g_autoptr(ArmzVolId) raw = NULL, q = NULL;
    g_autofree char *path = NULL;

    g_assert_no_error(err);
    g_assert_false(armz_storage_resolve_volume("p", "a.img", "raw", &path, drv, &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID);
    g_assert_nonnull(strstr(err->message, "not active"));
    g_clear_error(&err);

    g_assert_true(armz_storage_pool_start(drv, id, VIR_STORAGE_POOL_CREATE_WITH_BUILD, &err));
    raw = armz_storage_vol_create(drv, id, "<volume><name>a.img</name><capacity>4096</capacity>"
                                           "</volume>", 0, &err);
    g_assert_no_error(err);
    q = armz_storage_vol_create(drv, id, "<volume><name>b.qcow2</name><capacity>65536"
                                         "</capacity><target><format type='qcow2'/></target>"
                                         "</volume>", 0, &err);
    g_assert_no_error(err);

    g_assert_true(armz_storage_resolve_volume("p", "a.img", "raw", &path, drv, &err));
    g_assert_no_error(err);
    g_assert_true(g_str_has_suffix(path, "/pool/a.img"));

    g_assert_false(armz_storage_resolve_volume("p", "b.qcow2", "raw", &path, drv, &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID);
    g_assert_cmpstr(err->message, ==,
                    "armz-vmm reads raw volumes only: volume 'b.qcow2' in pool 'p' is qcow2");
    g_clear_error(&err);
    /* read as qcow2 (qemu-storage-daemon), or for its path alone */
    g_clear_pointer(&path, g_free);
    g_assert_true(armz_storage_resolve_volume("p", "b.qcow2", "qcow2", &path, drv, &err));
    g_assert_no_error(err);
    g_assert_true(g_str_has_suffix(path, "/pool/b.qcow2"));
    g_clear_pointer(&path, g_free);
    g_assert_true(armz_storage_resolve_volume("p", "b.qcow2", NULL, &path, drv, &err));
    g_clear_pointer(&path, g_free);
    g_assert_false(armz_storage_resolve_volume("p", "c", "raw", &path, drv, &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_NO_STORAGE_VOL);
    g_clear_error(&err);
    g_assert_false(armz_storage_resolve_volume("nopool", "c", "raw", &path, drv, &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_NO_STORAGE_POOL);
    g_clear_error(&err);

    /* a transfer holds the volume: no delete meanwhile */
    {
        guint64 limit = 1;
        int fd = armz_storage_vol_open_transfer(drv, raw, FALSE, 0, 0, &limit, &err);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpuint(limit, ==, 0);
        g_assert_false(armz_storage_vol_delete(drv, raw, 0, &err));
        g_assert_error(err, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID);
        g_clear_error(&err);
        g_assert_false(armz_storage_pool_destroy(drv, id, &err));
        g_assert_nonnull(strstr(err->message, "asynchronous jobs"));
        g_clear_error(&err);
        close(fd);
        armz_storage_vol_transfer_done(drv, raw, FALSE);
    }
    g_assert_true(armz_storage_vol_delete(drv, raw, 0, &err));
    g_assert_true(armz_storage_pool_destroy(drv, id, &err));
    g_assert_no_error(err);
    armz_storage_driver_free(drv);
}

int
main(int argc, char **argv)
{
    int rc;
    const char *src = g_getenv("ARMZ_SRCDIR");

    if (src) {
        g_autofree char *dir = g_build_filename(src, "schemas", NULL);
        g_setenv("ARMZ_SCHEMA_DIR", dir, TRUE);
        g_autofree char *def = g_build_filename(src, "src", "storage", "default-pool.xml", NULL);
        g_setenv("ARMZ_DEFAULT_POOL_XML", def, TRUE);
    }
    root = g_dir_make_tmp("armz-storage-unit-XXXXXX", NULL);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/storage/resolver", test_resolver);
    rc = g_test_run();
    {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", root);
        if (system(cmd) != 0)
            g_printerr("cannot remove %s\n", root);
    }
    return rc;
}
