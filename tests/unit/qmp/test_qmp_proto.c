/* Unit tests of the QMP protocol layer of armz-vmm: stream splitter,
 * request parser, reply/event builders. */
#include <string.h>
#include "qmp_test.h"

/* --- splitter ------------------------------------------------------------------- */

static void
test_split_basic(void)
{
    ArmzQmpSplitter sp;
    char *t;
    const char *in = " {\"execute\": \"a\"}\r\n{\"execute\":\"b\", \"x\": [1, {\"y\": 2}]}[1]\n";

    armz_qmp_splitter_init(&sp);
    armz_qmp_splitter_feed(&sp, in, strlen(in));
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_REQUEST);
    g_assert_cmpstr(t, ==, "{\"execute\": \"a\"}");
    g_free(t);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_REQUEST);
    g_assert_cmpstr(t, ==, "{\"execute\":\"b\", \"x\": [1, {\"y\": 2}]}");
    g_free(t);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_REQUEST);
    g_assert_cmpstr(t, ==, "[1]");
    g_free(t);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_MORE);
    g_assert_null(t);
    armz_qmp_splitter_clear(&sp);
}

static void
test_split_bytewise(void)
{
    ArmzQmpSplitter sp;
    char *t = NULL;
    /* braces and escaped quotes inside strings do not count */
    const char *in = "{\"execute\": \"x\", \"id\": \"}{\\\"]\\\\\"}";
    int got = 0;

    armz_qmp_splitter_init(&sp);
    for (gsize i = 0; in[i]; i++) {
        armz_qmp_splitter_feed(&sp, in + i, 1);
        if (armz_qmp_splitter_next(&sp, &t) == ARMZ_QMP_SPLIT_REQUEST) {
            g_assert_cmpuint(i, ==, strlen(in) - 1);
            g_assert_cmpstr(t, ==, in);
            g_free(t);
            got++;
        }
    }
    g_assert_cmpint(got, ==, 1);
    armz_qmp_splitter_clear(&sp);
}

static void
test_split_junk(void)
{
    ArmzQmpSplitter sp;
    char *t;
    const char *in = "hello {\"execute\": \"a\"}oops{\"execute\": \"b\"}";

    armz_qmp_splitter_init(&sp);
    armz_qmp_splitter_feed(&sp, in, strlen(in));
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_JUNK);
    g_assert_cmpstr(t, ==, "hello");
    g_free(t);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_REQUEST);
    g_free(t);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_JUNK);
    g_assert_cmpstr(t, ==, "oops");
    g_free(t);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_REQUEST);
    g_assert_cmpstr(t, ==, "{\"execute\": \"b\"}");
    g_free(t);
    armz_qmp_splitter_clear(&sp);
}

static void
test_split_limits(void)
{
    ArmzQmpSplitter sp;
    char *t;
    GString *deep = g_string_new(NULL);
    g_autofree char *big = NULL;

    armz_qmp_splitter_init(&sp);
    /* too deep: dropped up to the newline, then the next request is fine */
    for (int i = 0; i < ARMZ_QMP_MAX_DEPTH + 5; i++)
        g_string_append_c(deep, '[');
    g_string_append(deep, "]]]\n{\"execute\": \"ok\"}");
    armz_qmp_splitter_feed(&sp, deep->str, deep->len);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_TOO_LARGE);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_REQUEST);
    g_assert_cmpstr(t, ==, "{\"execute\": \"ok\"}");
    g_free(t);
    /* too large */
    big = g_strnfill(ARMZ_QMP_MAX_REQUEST + 10, 'a');
    armz_qmp_splitter_feed(&sp, "{\"x\": \"", 7);
    armz_qmp_splitter_feed(&sp, big, strlen(big));
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_TOO_LARGE);
    armz_qmp_splitter_feed(&sp, "\"}\n{\"execute\": \"ok2\"}", 22);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_REQUEST);
    g_assert_cmpstr(t, ==, "{\"execute\": \"ok2\"}");
    g_free(t);
    g_string_free(deep, TRUE);
    armz_qmp_splitter_clear(&sp);
}

/* --- parser ------------------------------------------------------------------------ */

static void
test_parse_good(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *id = NULL;
    g_autoptr(ArmzQmpRequest) r =
        armz_qmp_request_parse("{\"id\": {\"n\": [1, -2.5e3, \"s\", true, null]}, "
                               "\"execute\": \"stop\", \"arguments\": {\"a\": 1}}", &id, &err);

    g_assert_no_error(err);
    g_assert_nonnull(r);
    g_assert_cmpstr(r->execute, ==, "stop");
    g_assert_true(YAJL_IS_OBJECT(r->arguments));
    /* numbers keep their exact text */
    g_assert_cmpstr(r->id_json, ==, "{\"n\":[1,-2.5e3,\"s\",true,null]}");
    g_assert_cmpstr(id, ==, r->id_json);
}

static void
test_parse_no_id(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *id = NULL;
    g_autoptr(ArmzQmpRequest) r = armz_qmp_request_parse("{\"execute\": \"cont\"}", &id, &err);

    g_assert_no_error(err);
    g_assert_cmpstr(r->execute, ==, "cont");
    g_assert_null(r->arguments);
    g_assert_null(r->id_json);
    g_assert_null(id);
}

static void
test_parse_bad(void)
{
    static const struct {
        const char *in, *desc, *id;
    } cases[] = {
        { "{\"execute\": }", "JSON parse error", NULL },
        { "{execute: 1}", "JSON parse error", NULL },
        { "{\"execute\": \"a\",}", "JSON parse error", NULL },
        { "[\"execute\"]", "QMP input must be a JSON object", NULL },
        { "{\"id\": 5}", "QMP input lacks member 'execute'", "5" },
        { "{\"execute\": 5, \"id\": \"x\"}", "QMP input member 'execute' must be a string", "\"x\"" },
        { "{\"execute\": null}", "QMP input member 'execute' must be a string", NULL },
        { "{\"execute\": \"stop\", \"arguments\": []}",
          "QMP input member 'arguments' must be an object", NULL },
        { "{\"execute\": \"stop\", \"id\": [1], \"bogus\": 1}",
          "QMP input member 'bogus' is unexpected", "[1]" },
        { "{\"execute\": \"\xff\xfe\"}", "JSON parse error", NULL },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *id = NULL;
        g_autoptr(ArmzQmpRequest) r = armz_qmp_request_parse(cases[i].in, &id, &err);

        g_assert_null(r);
        g_assert_nonnull(err);
        if (!strstr(err->message, cases[i].desc))
            g_error("%s: '%s' lacks '%s'", cases[i].in, err->message, cases[i].desc);
        g_assert_cmpstr(id, ==, cases[i].id);
    }
}

/* --- builders --------------------------------------------------------------------- */

static void
test_build(void)
{
    g_autofree char *greet = armz_qmp_build_greeting("armz-vmm 1.2.3");
    g_autofree char *ret = armz_qmp_build_return("7", NULL);
    g_autofree char *ret2 = armz_qmp_build_return(NULL, "{\"a\": [1, 2]}");
    g_autofree char *err = armz_qmp_build_error("\"x\"", "GenericError", "bad \"thing\"");
    g_autofree char *bad_utf8 = armz_qmp_build_error(NULL, "CommandNotFound", "cmd \xff");
    g_autofree char *ev = armz_qmp_build_event("SHUTDOWN", "{\"guest\": true}",
                                               G_GINT64_CONSTANT(1700000000123456));
    g_autofree char *ev2 = armz_qmp_build_event("STOP", NULL, 5 * G_USEC_PER_SEC + 7);
    yajl_val v;

    g_assert_cmpstr(greet, ==,
                    "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":0,\"minor\":0,\"major\":0},"
                    "\"package\":\"armz-vmm 1.2.3\"},\"capabilities\":[]}}\r\n");
    g_assert_cmpstr(ret, ==, "{\"return\":{},\"id\":7}\r\n");
    g_assert_cmpstr(ret2, ==, "{\"return\":{\"a\":[1,2]}}\r\n");
    g_assert_cmpstr(err, ==,
                    "{\"error\":{\"class\":\"GenericError\",\"desc\":\"bad \\\"thing\\\"\"},"
                    "\"id\":\"x\"}\r\n");
    assert_error(bad_utf8, "CommandNotFound", "cmd", NULL);
    g_assert_cmpstr(ev, ==,
                    "{\"event\":\"SHUTDOWN\",\"data\":{\"guest\":true},"
                    "\"timestamp\":{\"seconds\":1700000000,\"microseconds\":123456}}\r\n");
    v = parse_line(ev2);
    g_assert_cmpstr(get_str(v, "event", NULL, NULL), ==, "STOP");
    g_assert_true(YAJL_IS_OBJECT(get(v, "data", NULL, NULL)));
    g_assert_cmpint(get(v, "timestamp", "seconds", NULL)->u.number.i, ==, 5);
    g_assert_cmpint(get(v, "timestamp", "microseconds", NULL)->u.number.i, ==, 7);
    yajl_tree_free(v);
    /* data must be an object */
    g_assert_null(armz_qmp_build_event("X", "[1]", 0));
    g_assert_null(armz_qmp_build_event("X", "{bad", 0));
    g_assert_null(armz_qmp_build_event("", NULL, 0));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/split/basic", test_split_basic);
    g_test_add_func("/qmp/split/bytewise", test_split_bytewise);
    g_test_add_func("/qmp/split/junk", test_split_junk);
    g_test_add_func("/qmp/split/limits", test_split_limits);
    g_test_add_func("/qmp/parse/good", test_parse_good);
    g_test_add_func("/qmp/parse/no-id", test_parse_no_id);
    g_test_add_func("/qmp/parse/bad", test_parse_bad);
    g_test_add_func("/qmp/build", test_build);
    return g_test_run();
}
