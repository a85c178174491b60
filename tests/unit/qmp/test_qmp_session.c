/* Unit tests of a QMP session over a fake VMM: capabilities negotiation,
 * the run-state commands, events, malformed input, missing ops. */
#include <string.h>
#include "qmp_test.h"

static void
test_session_negotiation(void)
{
    Fake f;

    fake_init(&f, &fake_ops);
    armz_qmp_session_start(f.session);
    g_assert_cmpuint(f.out->len, ==, 1);
    /* nothing but qmp_capabilities before negotiation; events are dropped */
    assert_error(say(&f, "{\"execute\": \"query-status\", \"id\": 1}"), "CommandNotFound",
                 "Expecting capabilities negotiation with 'qmp_capabilities'", "1");
    assert_error(say(&f, "{\"execute\": \"stop\"}"), "CommandNotFound", "qmp_capabilities", NULL);
    g_assert_cmpint(f.stops, ==, 0);
    g_assert_false(armz_qmp_session_emit(f.session, "STOP", NULL));
    assert_error(say(&f, "{\"execute\": \"nonsense\", \"id\": \"a\"}"), "CommandNotFound",
                 "qmp_capabilities", "\"a\"");
    /* capabilities we do not have */
    assert_error(say(&f, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}"),
                 "GenericError", "oob", NULL);
    assert_error(say(&f, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": 1}}"),
                 "GenericError", "enable", NULL);
    assert_error(say(&f, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"x\": 1}}"),
                 "GenericError", "'x'", NULL);
    g_assert_false(armz_qmp_session_negotiated(f.session));
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"qmp_capabilities\", \"id\": 9, "
                                      "\"arguments\": {\"enable\": []}}"), "9"));
    g_assert_true(armz_qmp_session_negotiated(f.session));
    assert_error(say(&f, "{\"execute\": \"qmp_capabilities\"}"), "CommandNotFound",
                 "already complete", NULL);
    fake_clear(&f);
}

static void
test_session_commands(void)
{
    Fake f;
    yajl_val v;

    fake_init(&f, &fake_ops);
    negotiate(&f);

    v = assert_return(say(&f, "{\"execute\": \"query-status\", \"id\": \"s1\"}"), "\"s1\"");
    g_assert_cmpstr(get_str(v, "return", "status", NULL), ==, "running");
    g_assert_true(YAJL_IS_TRUE(get(v, "return", "running", NULL)));
    g_assert_true(YAJL_IS_FALSE(get(v, "return", "singlestep", NULL)));
    yajl_tree_free(v);

    /* stop: the STOP event (sent by the op) comes before the reply */
    {
        const char *stop = "{\"execute\": \"stop\", \"id\": 2}";
        armz_qmp_session_feed(f.session, stop, strlen(stop));
    }
    g_assert_cmpint(f.stops, ==, 1);
    v = parse_line(g_ptr_array_index(f.out, f.out->len - 2));
    g_assert_cmpstr(get_str(v, "event", NULL, NULL), ==, "STOP");
    g_assert_nonnull(get(v, "timestamp", "seconds", NULL));
    g_assert_nonnull(get(v, "timestamp", "microseconds", NULL));
    yajl_tree_free(v);
    yajl_tree_free(assert_return(g_ptr_array_index(f.out, f.out->len - 1), "2"));

    v = assert_return(say(&f, "{\"execute\": \"query-status\"}"), NULL);
    g_assert_cmpstr(get_str(v, "return", "status", NULL), ==, "paused");
    g_assert_true(YAJL_IS_FALSE(get(v, "return", "running", NULL)));
    yajl_tree_free(v);

    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"cont\"}"), NULL));
    g_assert_cmpint(f.conts, ==, 1);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"system_powerdown\"}"), NULL));
    g_assert_cmpint(f.powerdowns, ==, 1);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"system_reset\"}"), NULL));
    g_assert_cmpint(f.resets, ==, 1);
    f.fail_reset = TRUE;
    assert_error(say(&f, "{\"execute\": \"system_reset\", \"id\": 3}"), "GenericError",
                 "reset went wrong", "3");

    f.state = ARMZ_RUNSTATE_SHUTDOWN;
    v = assert_return(say(&f, "{\"execute\": \"query-status\"}"), NULL);
    g_assert_cmpstr(get_str(v, "return", "status", NULL), ==, "shutdown");
    yajl_tree_free(v);

    v = assert_return(say(&f, "{\"execute\": \"query-version\"}"), NULL);
    g_assert_cmpint(get(v, "return", "qemu", "major")->u.number.i, ==, 0);
    g_assert_cmpstr(get_str(v, "return", "package", NULL), ==, "armz-vmm " PACKAGE_VERSION);
    yajl_tree_free(v);

    v = assert_return(say(&f, "{\"execute\": \"query-commands\"}"), NULL);
    {
        yajl_val list = get(v, "return", NULL, NULL);
        GString *names = g_string_new(NULL);
        g_assert_true(YAJL_IS_ARRAY(list));
        for (gsize i = 0; i < list->u.array.len; i++)
            g_string_append_printf(names, "%s ", get_str(list->u.array.values[i], "name", NULL, NULL));
        g_assert_cmpstr(names->str, ==, "qmp_capabilities query-commands query-status "
                        "query-version stop cont system_powerdown system_reset quit "
                        "getfd closefd ");
        g_string_free(names, TRUE);
    }
    yajl_tree_free(v);

    assert_error(say(&f, "{\"execute\": \"frobnicate\", \"id\": 4}"), "CommandNotFound",
                 "The command frobnicate has not been found", "4");
    assert_error(say(&f, "{\"execute\": \"stop\", \"arguments\": {\"now\": true}}"), "GenericError",
                 "Parameter 'now' is unexpected", NULL);
    g_assert_cmpint(f.stops, ==, 1);

    /* events after negotiation */
    g_assert_true(armz_qmp_session_emit(f.session, "POWERDOWN", NULL));
    v = parse_line(g_ptr_array_index(f.out, f.out->len - 1));
    g_assert_cmpstr(get_str(v, "event", NULL, NULL), ==, "POWERDOWN");
    yajl_tree_free(v);
    g_test_expect_message(NULL, G_LOG_LEVEL_WARNING, "*event BAD dropped*");
    g_assert_false(armz_qmp_session_emit(f.session, "BAD", "[]"));
    g_test_assert_expected_messages();

    /* quit: reply, then the op; later input is ignored */
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"quit\", \"id\": 5}"), "5"));
    g_assert_cmpint(f.quits, ==, 1);
    g_assert_true(armz_qmp_session_quit_requested(f.session));
    {
        guint n = f.out->len;
        const char *stop = "{\"execute\": \"stop\"}";
        armz_qmp_session_feed(f.session, stop, strlen(stop));
        g_assert_cmpuint(f.out->len, ==, n);
        g_assert_cmpint(f.stops, ==, 1);
    }
    fake_clear(&f);
}

static void
test_session_malformed(void)
{
    Fake f;
    const char *burst = "{\"execute\": \"cont\"}garbage {\"execute\": 1}{\"execute\": \"cont\", \"id\": 8}";

    fake_init(&f, &fake_ops);
    negotiate(&f);
    assert_error(say(&f, "{\"execute\": }\n"), "GenericError", "JSON parse error", NULL);
    assert_error(say(&f, "nonsense\n"), "GenericError", "JSON parse error", NULL);
    assert_error(say(&f, "\"just a \\\" string\"\n"), "GenericError", "must be a JSON object", NULL);
    assert_error(say(&f, "42\n"), "GenericError", "must be a JSON object", NULL);
    assert_error(say(&f, "[1, 2]"), "GenericError", "must be a JSON object", NULL);
    assert_error(say(&f, "{\"arguments\": {}, \"id\": true}"), "GenericError",
                 "lacks member 'execute'", "true");
    /* still usable, and several requests in one write are answered in order */
    {
        guint n = f.out->len;
        armz_qmp_session_feed(f.session, burst, strlen(burst));
        g_assert_cmpuint(f.out->len, ==, n + 4);
        yajl_tree_free(assert_return(g_ptr_array_index(f.out, n), NULL));
        assert_error(g_ptr_array_index(f.out, n + 1), "GenericError", "garbage", NULL);
        assert_error(g_ptr_array_index(f.out, n + 2), "GenericError", "'execute' must be a string", NULL);
        yajl_tree_free(assert_return(g_ptr_array_index(f.out, n + 3), "8"));
        g_assert_cmpint(f.conts, ==, 2);
    }
    fake_clear(&f);
}

static void
test_session_missing_ops(void)
{
    static const ArmzQmpOps partial = { .query_status = fake_query_status };
    Fake f;

    fake_init(&f, &partial);
    negotiate(&f);
    assert_error(say(&f, "{\"execute\": \"system_reset\"}"), "CommandNotFound",
                 "has not been found", NULL);
    assert_error(say(&f, "{\"execute\": \"quit\"}"), "CommandNotFound", "has not been found", NULL);
    assert_error(say(&f, "{\"execute\": \"query-balloon\"}"), "CommandNotFound",
                 "has not been found", NULL);
    fake_clear(&f);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/session/negotiation", test_session_negotiation);
    g_test_add_func("/qmp/session/commands", test_session_commands);
    g_test_add_func("/qmp/session/malformed", test_session_malformed);
    g_test_add_func("/qmp/session/missing-ops", test_session_missing_ops);
    return g_test_run();
}
