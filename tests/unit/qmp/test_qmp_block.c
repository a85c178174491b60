/* Unit tests of the block commands of a QMP session: query-blockstats,
 * query-block, block_resize. */
#include "qmp_test.h"

/* the block commands: arguments checked by the session, then the op */
static char *block_device;
static guint64 block_size;

static char *
fake_blockstats(gpointer opaque, GError **error)
{
    return g_strdup("[{\"device\": \"vda\", \"stats\": {\"rd_bytes\": 7}}]");
}

static char *
fake_query_block(gpointer opaque, GError **error)
{
    g_set_error(error, ARMZ_QMP_ERROR, 0, "no disks here");
    return NULL;
}

static gboolean
fake_block_resize(gpointer opaque, const char *device, guint64 size, GError **error)
{
    g_free(block_device);
    block_device = g_strdup(device);
    block_size = size;
    return TRUE;
}

static void
test_session_block(void)
{
    static const ArmzQmpOps ops = {
        .query_status = fake_query_status, .query_blockstats = fake_blockstats,
        .query_block = fake_query_block, .block_resize = fake_block_resize,
    };
    yajl_val v;
    Fake f;

    fake_init(&f, &ops);
    negotiate(&f);
    f.state = ARMZ_RUNSTATE_IO_ERROR;
    v = assert_return(say(&f, "{\"execute\": \"query-status\"}"), NULL);
    g_assert_cmpstr(get_str(v, "return", "status", NULL), ==, "io-error");
    yajl_tree_free(v);
    v = assert_return(say(&f, "{\"execute\": \"query-blockstats\", "
                              "\"arguments\": {\"query-nodes\": true}}"), NULL);
    g_assert_true(YAJL_IS_ARRAY(get(v, "return", NULL, NULL)));
    yajl_tree_free(v);
    assert_error(say(&f, "{\"execute\": \"query-blockstats\", \"arguments\": {\"x\": 1}}"),
                 "GenericError", "'x' is unexpected", NULL);
    assert_error(say(&f, "{\"execute\": \"query-block\"}"), "GenericError", "no disks here", NULL);
    assert_error(say(&f, "{\"execute\": \"block_resize\", \"arguments\": {\"size\": 4096}}"),
                 "GenericError", "'device' is missing", NULL);
    assert_error(say(&f, "{\"execute\": \"block_resize\", \"arguments\": {\"device\": \"vda\"}}"),
                 "GenericError", "'size' is missing", NULL);
    assert_error(say(&f, "{\"execute\": \"block_resize\", "
                         "\"arguments\": {\"device\": \"vda\", \"size\": -1}}"),
                 "GenericError", "'size'", NULL);
    g_assert_null(block_device);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"block_resize\", \"arguments\": "
                                         "{\"node-name\": \"vdb\", \"size\": 8388608}}"), NULL));
    g_assert_cmpstr(block_device, ==, "vdb");
    g_assert_cmpuint(block_size, ==, 8388608);
    g_clear_pointer(&block_device, g_free);
    fake_clear(&f);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/session/block", test_session_block);
    return g_test_run();
}
