/* Unit tests of the balloon commands of a QMP session: balloon,
 * query-balloon, qom-get and qom-set. */
#include <string.h>
#include "qmp_test.h"

static gint64 balloon_target;
static gint64 poll_interval;

static gboolean
fake_balloon(gpointer opaque, gint64 value, GError **error)
{
    balloon_target = value;
    return TRUE;
}

static gboolean
fake_query_balloon(gpointer opaque, guint64 *actual, GError **error)
{
    *actual = 1u << 30;
    return TRUE;
}

static char *
fake_qom_get(gpointer opaque, const char *path, const char *prop, GError **error)
{
    if (strcmp(prop, "guest-stats") != 0) {
        g_set_error(error, ARMZ_QMP_ERROR, 0, "Property '%s' not found", prop);
        return NULL;
    }
    return g_strdup("{\"stats\": {\"stat-swap-in\": 5}, \"last-update\": 9}");
}

static gboolean
fake_qom_set(gpointer opaque, const char *path, const char *prop, gint64 v, GError **error)
{
    poll_interval = v;
    return TRUE;
}

/* balloon, query-balloon, qom-get and qom-set: arguments checked, values
 * passed through */
static void
test_session_balloon(void)
{
    static const ArmzQmpOps ops = {
        .query_status = fake_query_status, .balloon = fake_balloon,
        .query_balloon = fake_query_balloon, .qom_get = fake_qom_get, .qom_set = fake_qom_set,
    };
    Fake f;
    yajl_val v;

    fake_init(&f, &ops);
    negotiate(&f);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"balloon\", "
                                         "\"arguments\": {\"value\": 536870912}}"), NULL));
    g_assert_cmpint(balloon_target, ==, 536870912);
    assert_error(say(&f, "{\"execute\": \"balloon\"}"), "GenericError",
                 "Parameter 'value' is missing", NULL);
    assert_error(say(&f, "{\"execute\": \"balloon\", \"arguments\": {\"value\": \"x\"}}"),
                 "GenericError", "expected: integer", NULL);
    assert_error(say(&f, "{\"execute\": \"balloon\", \"arguments\": {\"value\": 0}}"),
                 "GenericError", "expects a size", NULL);
    assert_error(say(&f, "{\"execute\": \"balloon\", "
                         "\"arguments\": {\"value\": 1, \"x\": 1}}"),
                 "GenericError", "'x' is unexpected", NULL);
    v = assert_return(say(&f, "{\"execute\": \"query-balloon\"}"), NULL);
    g_assert_cmpint(YAJL_GET_INTEGER(get(v, "return", "actual", NULL)), ==, 1 << 30);
    yajl_tree_free(v);
    v = assert_return(say(&f, "{\"execute\": \"qom-get\", \"arguments\": {\"path\": "
                              "\"/machine/peripheral/balloon0\", \"property\": \"guest-stats\"}}"),
                      NULL);
    g_assert_cmpint(YAJL_GET_INTEGER(get(v, "return", "last-update", NULL)), ==, 9);
    yajl_tree_free(v);
    assert_error(say(&f, "{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"/x\", "
                         "\"property\": \"nope\"}}"), "GenericError", "not found", NULL);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"qom-set\", \"arguments\": "
                                         "{\"path\": \"/machine/peripheral/balloon0\", "
                                         "\"property\": \"guest-stats-polling-interval\", "
                                         "\"value\": 10}}"), NULL));
    g_assert_cmpint(poll_interval, ==, 10);
    fake_clear(&f);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/session/balloon", test_session_balloon);
    return g_test_run();
}
