/* Unit tests of set_link in a QMP session. */
#include "qmp_test.h"

/* set_link {name, up}: both required, UP a boolean; the op's error (no
 * such NIC) comes back as a GenericError */
static char *link_name;
static int link_up = -1;

static gboolean
fake_set_link(gpointer opaque, const char *name, gboolean up, GError **error)
{
    if (g_str_equal(name, "nosuch")) {
        g_set_error(error, ARMZ_QMP_ERROR, 0, "Device '%s' not found", name);
        return FALSE;
    }
    g_free(link_name);
    link_name = g_strdup(name);
    link_up = up;
    return TRUE;
}

static void
test_session_set_link(void)
{
    static const ArmzQmpOps ops = { .query_status = fake_query_status,
                                    .set_link = fake_set_link };
    Fake f;

    fake_init(&f, &ops);
    negotiate(&f);
    assert_error(say(&f, "{\"execute\": \"set_link\", \"arguments\": {\"up\": true}}"),
                 "GenericError", "'name' is missing", NULL);
    assert_error(say(&f, "{\"execute\": \"set_link\", \"arguments\": {\"name\": \"net0\"}}"),
                 "GenericError", "'up' is missing", NULL);
    assert_error(say(&f, "{\"execute\": \"set_link\", "
                         "\"arguments\": {\"name\": \"net0\", \"up\": 1}}"),
                 "GenericError", "expected: boolean", NULL);
    assert_error(say(&f, "{\"execute\": \"set_link\", "
                         "\"arguments\": {\"name\": \"net0\", \"up\": true, \"x\": 1}}"),
                 "GenericError", "'x' is unexpected", NULL);
    assert_error(say(&f, "{\"execute\": \"set_link\", "
                         "\"arguments\": {\"name\": \"nosuch\", \"up\": false}}"),
                 "GenericError", "Device 'nosuch' not found", NULL);
    g_assert_null(link_name);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"set_link\", \"arguments\": "
                                         "{\"name\": \"net0\", \"up\": false}}"), NULL));
    g_assert_cmpstr(link_name, ==, "net0");
    g_assert_cmpint(link_up, ==, 0);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"set_link\", \"arguments\": "
                                         "{\"name\": \"ua-x\", \"up\": true}}"), NULL));
    g_assert_cmpstr(link_name, ==, "ua-x");
    g_assert_cmpint(link_up, ==, 1);
    g_clear_pointer(&link_name, g_free);
    fake_clear(&f);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/session/set-link", test_session_set_link);
    return g_test_run();
}
