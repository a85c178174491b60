/* Unit tests of device_add, device_del and query-pci in a QMP session. */
#include "vmm/qmp/qmp_fds.h"
#include "qmp_test.h"

/* device_add / device_del / query-pci: the session checks the arguments,
 * takes the getfd descriptor and hands both to the op */
static char *hp_id, *hp_cache;
static gboolean hp_readonly, hp_mac;
static int hp_fd = -2;
static char *hp_del;

static gboolean
fake_device_add(gpointer opaque, const ArmzDeviceAddArgs *a, GError **error)
{
    g_free(hp_id);
    g_free(hp_cache);
    hp_id = g_strdup(a->id);
    hp_cache = g_strdup(a->cache);
    hp_readonly = a->readonly;
    hp_mac = a->mac != NULL;
    hp_fd = a->fd;
    if (g_strcmp0(a->bus, "pci.9") == 0) {
        g_set_error(error, ARMZ_QMP_ERROR, 0, "Bus 'pci.9' not found");
        if (a->fd >= 0)
            close(a->fd);
        return FALSE;
    }
    return TRUE;
}

static gboolean
fake_device_del(gpointer opaque, const char *id, GError **error)
{
    g_free(hp_del);
    hp_del = g_strdup(id);
    return TRUE;
}

static char *
fake_query_pci(gpointer opaque, GError **error)
{
    return g_strdup("[{\"bus\": 0, \"devices\": []}]");
}

static void
test_session_hotplug(void)
{
    static const ArmzQmpOps ops = {
        .query_status = fake_query_status, .device_add = fake_device_add,
        .device_del = fake_device_del, .query_pci = fake_query_pci,
    };
    int p[2];
    yajl_val v;
    Fake f;

    fake_init(&f, &ops);
    negotiate(&f);
    assert_error(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
                     "{\"id\": \"d\", \"bus\": \"pci.1\"}}"), "GenericError", "'driver' is missing",
                 NULL);
    assert_error(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
                     "{\"driver\": \"virtio-blk-pci\", \"bus\": \"pci.1\"}}"), "GenericError",
                 "'id' is missing", NULL);
    assert_error(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
                     "{\"driver\": \"virtio-blk-pci\", \"id\": \"d\"}}"), "GenericError",
                 "'bus' is missing", NULL);
    assert_error(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
                     "{\"driver\": \"virtio-blk-pci\", \"id\": \"d\", \"bus\": \"pci.1\", "
                     "\"drive\": \"x\"}}"), "GenericError", "'drive' is unexpected", NULL);
    assert_error(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
                     "{\"driver\": \"virtio-blk-pci\", \"id\": \"d\", \"bus\": \"pci.1\", "
                     "\"readonly\": \"yes\"}}"), "GenericError", "'readonly'", NULL);
    assert_error(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
                     "{\"driver\": \"virtio-blk-pci\", \"id\": \"d\", \"bus\": \"pci.1\", "
                     "\"addr\": \"0x3\"}}"), "GenericError", "'addr' must be 0x0", NULL);
    assert_error(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
                     "{\"driver\": \"virtio-blk-pci\", \"id\": \"d\", \"bus\": \"pci.1\", "
                     "\"fdname\": \"nope\"}}"), "GenericError", "nope", NULL);
    g_assert_cmpint(hp_fd, ==, -2);     /* the op was not reached */
    g_assert_cmpint(pipe(p), ==, 0);
    close(p[1]);
    armz_qmp_fds_add_pending(armz_qmp_session_fds(f.session), p[0]);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"getfd\", \"arguments\": "
                                     "{\"fdname\": \"img\"}}"), NULL));
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
        "{\"driver\": \"virtio-blk-pci\", \"id\": \"ua-disk1\", \"bus\": \"pci.2\", "
        "\"fdname\": \"img\", \"readonly\": true, \"serial\": \"S\", \"cache\": \"none\", "
        "\"bootindex\": 2, \"addr\": \"0x0\"}}"), NULL));
    g_assert_cmpint(hp_fd, ==, p[0]);
    g_assert_cmpstr(hp_id, ==, "ua-disk1");
    g_assert_true(hp_readonly);
    g_assert_cmpstr(hp_cache, ==, "none");
    g_assert_false(hp_mac);
    close(hp_fd);
    /* taken by the command */
    assert_error(say(&f, "{\"execute\": \"closefd\", \"arguments\": {\"fdname\": \"img\"}}"),
                 "GenericError", "'img' not found", NULL);
    assert_error(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
                     "{\"driver\": \"virtio-net-pci\", \"id\": \"n\", \"bus\": \"pci.9\"}}"),
                 "GenericError", "Bus 'pci.9' not found", NULL);
    assert_error(say(&f, "{\"execute\": \"device_del\"}"), "GenericError", "'id' is missing",
                 NULL);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"device_del\", \"arguments\": "
                                     "{\"id\": \"ua-disk1\"}}"), NULL));
    g_assert_cmpstr(hp_del, ==, "ua-disk1");
    v = assert_return(say(&f, "{\"execute\": \"query-pci\"}"), NULL);
    g_assert_true(YAJL_IS_ARRAY(get(v, "return", NULL, NULL)));
    yajl_tree_free(v);
    g_clear_pointer(&hp_del, g_free);
    g_clear_pointer(&hp_id, g_free);
    g_clear_pointer(&hp_cache, g_free);
    fake_clear(&f);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/session/hotplug", test_session_hotplug);
    return g_test_run();
}
