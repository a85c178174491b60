/* Unit tests of the monitor's wire format (src/driver/monitor_json.c):
 * parsing what armz-vmm sends, building commands, and how monitor errors
 * become libvirt errors. */
#include <string.h>
#include <glib.h>
#include <libvirt/virterror.h>

#include "util/error.h"
#include "driver/monitor.h"
#include "driver/monitor_json.h"


static void
test_json_parse_good(void)
{
    ArmzMonitorMsg m;
    g_autoptr(GError) err = NULL;
    const char *greeting = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 0, "
                           "\"major\": 0}, \"package\": \"armz-vmm\"}, \"capabilities\": []}}";
    const char *ev = "{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true}, "
                     "\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 42}}";
    const char *ret = "{\"return\": [1, \"x\"], \"id\": \"armz-7\"}";
    const char *er = "{\"id\": \"armz-8\", \"error\": {\"class\": \"GenericError\", "
                     "\"desc\": \"it \\\"failed\\\"\"}}";
    g_autofree char *s = NULL;

    g_assert_true(armz_monitor_msg_parse(greeting, strlen(greeting), &m, &err));
    g_assert_no_error(err);
    g_assert_cmpint(m.kind, ==, ARMZ_MONITOR_MSG_GREETING);
    armz_monitor_msg_clear(&m);

    g_assert_true(armz_monitor_msg_parse(ev, strlen(ev), &m, &err));
    g_assert_cmpint(m.kind, ==, ARMZ_MONITOR_MSG_EVENT);
    g_assert_cmpstr(m.event, ==, "SHUTDOWN");
    g_assert_cmpint(m.timestamp_us, ==, G_GINT64_CONSTANT(1700000000000042));
    s = armz_monitor_json_to_string(m.value);
    g_assert_cmpstr(s, ==, "{\"guest\":true}");
    armz_monitor_msg_clear(&m);

    g_assert_true(armz_monitor_msg_parse(ret, strlen(ret), &m, &err));
    g_assert_cmpint(m.kind, ==, ARMZ_MONITOR_MSG_RETURN);
    g_assert_cmpstr(m.id, ==, "armz-7");
    g_clear_pointer(&s, g_free);
    s = armz_monitor_json_to_string(m.value);
    g_assert_cmpstr(s, ==, "[1,\"x\"]");
    armz_monitor_msg_clear(&m);

    g_assert_true(armz_monitor_msg_parse(er, strlen(er), &m, &err));
    g_assert_cmpint(m.kind, ==, ARMZ_MONITOR_MSG_ERROR);
    g_assert_cmpstr(m.id, ==, "armz-8");
    g_assert_cmpstr(m.err_class, ==, "GenericError");
    g_assert_cmpstr(m.err_desc, ==, "it \"failed\"");
    armz_monitor_msg_clear(&m);

    /* an event without data or timestamp; a reply whose id is no string */
    g_assert_true(armz_monitor_msg_parse("{\"event\": \"STOP\"}", 17, &m, &err));
    g_assert_null(m.value);
    g_assert_cmpint(m.timestamp_us, ==, -1);
    armz_monitor_msg_clear(&m);
    g_assert_true(armz_monitor_msg_parse("{\"return\": {}, \"id\": 5}", 23, &m, &err));
    g_assert_true(m.has_id);
    g_assert_null(m.id);
    armz_monitor_msg_clear(&m);
}

static void
test_json_parse_bad(void)
{
    static const char *const bad[] = {
        "",
        "hello",
        "\"a string\"",
        "[1, 2]",
        "{\"return\": {}, \"id\": \"x\"} trailing",
        "{\"return\": {}, \"id\": \"x\"",
        "{}",
        "{\"foo\": 1}",
        "{\"return\": {}, \"error\": {\"class\": \"A\", \"desc\": \"b\"}}",
        "{\"return\": {}, \"id\": \"x\", \"extra\": 1}",
        "{\"return\": {}, \"return\": {}}",
        "{\"QMP\": 1}",
        "{\"QMP\": {}, \"id\": \"x\"}",
        "{\"event\": 1}",
        "{\"event\": \"\"}",
        "{\"event\": \"X\", \"data\": []}",
        "{\"event\": \"X\", \"timestamp\": 5}",
        "{\"event\": \"X\", \"id\": \"y\"}",
        "{\"error\": \"x\"}",
        "{\"error\": {\"class\": \"A\"}}",
        "{\"error\": {\"class\": 1, \"desc\": \"d\"}}",
        "{\"error\": {\"class\": \"A\", \"desc\": \"d\", \"more\": 1}}",
        "{\"return\": \"\xff\xfe\"}",
    };
    g_autofree char *deep = NULL;
    GString *d = g_string_new("{\"return\": ");

    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        ArmzMonitorMsg m;
        g_autoptr(GError) err = NULL;

        if (armz_monitor_msg_parse(bad[i], strlen(bad[i]), &m, &err))
            g_error("accepted: %s", bad[i]);
        g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_PROTOCOL);
        g_assert_null(m.tree);
    }
    {
        /* a NUL would hide the rest of the line from yajl */
        ArmzMonitorMsg m;
        g_autoptr(GError) err = NULL;
        const char nul[] = "{\"return\": {}}\0garbage";
        g_assert_false(armz_monitor_msg_parse(nul, sizeof(nul) - 1, &m, &err));
        g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_PROTOCOL);
    }
    {
        /* deep nesting is refused before yajl_tree builds (and frees) it */
        ArmzMonitorMsg m;
        g_autoptr(GError) err = NULL;
        for (int i = 0; i < 100000; i++)
            g_string_append_c(d, '[');
        for (int i = 0; i < 100000; i++)
            g_string_append_c(d, ']');
        g_string_append(d, ", \"id\": \"x\"}");
        deep = g_string_free(d, FALSE);
        g_assert_false(armz_monitor_msg_parse(deep, strlen(deep), &m, &err));
        g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_PROTOCOL);
        g_assert_nonnull(strstr(err->message, "nested"));
    }
    g_assert_true(armz_monitor_json_depth_ok("[\"[[[[\", {\"a\": [1]}]", 21, 3));
    g_assert_false(armz_monitor_json_depth_ok("[[[[]]]]", 8, 3));
}

static void
test_json_build(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *line = NULL;
    yajl_val v;
    const char *execute[] = { "execute", NULL };
    const char *args_s[] = { "arguments", "s", NULL };

    line = armz_monitor_json_build_command("stop", NULL, "armz-1", &err);
    g_assert_no_error(err);
    g_assert_cmpstr(line, ==, "{\"execute\":\"stop\",\"id\":\"armz-1\"}\r\n");
    g_clear_pointer(&line, g_free);

    /* strings are escaped: quotes, backslashes, control characters */
    line = armz_monitor_json_build_command("x\"y", "{\"s\": \"a\\\"b\\\\c\\n\\u00e9\", "
                                           "\"n\": [1, 2.5e3, -7, true, null]}",
                                           "armz-2", &err);
    g_assert_no_error(err);
    g_assert_true(g_str_has_suffix(line, "\r\n"));
    g_assert_null(strchr(line, '\n') == line + strlen(line) - 1 ? NULL : "newline inside");
    v = yajl_tree_parse(line, NULL, 0);
    g_assert_nonnull(v);
    g_assert_cmpstr(YAJL_GET_STRING(yajl_tree_get(v, execute, yajl_t_string)), ==, "x\"y");
    g_assert_cmpstr(YAJL_GET_STRING(yajl_tree_get(v, args_s, yajl_t_string)), ==,
                    "a\"b\\c\n\xc3\xa9");
    yajl_tree_free(v);
    g_clear_pointer(&line, g_free);

    /* refused: arguments that are no object, not JSON, too deep; bad names */
    static const char *const bad_args[] = { "[1]", "1", "{\"a\": ", "{} {}", "nope" };
    for (gsize i = 0; i < G_N_ELEMENTS(bad_args); i++) {
        g_autoptr(GError) e = NULL;
        g_assert_null(armz_monitor_json_build_command("stop", bad_args[i], "armz-3", &e));
        g_assert_error(e, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_FAILED);
    }
    {
        g_autoptr(GError) e = NULL;
        GString *deep = g_string_new("{\"a\": ");
        for (int i = 0; i < 200; i++)
            g_string_append_c(deep, '[');
        for (int i = 0; i < 200; i++)
            g_string_append_c(deep, ']');
        g_string_append_c(deep, '}');
        g_assert_null(armz_monitor_json_build_command("stop", deep->str, "armz-4", &e));
        g_assert_error(e, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_FAILED);
        g_string_free(deep, TRUE);
    }
    {
        g_autoptr(GError) e = NULL;
        g_assert_null(armz_monitor_json_build_command("", NULL, "armz-5", &e));
        g_assert_error(e, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_FAILED);
    }
    {
        g_autoptr(GError) e = NULL;
        g_assert_null(armz_monitor_json_build_command("st\xffop", NULL, "armz-6", &e));
        g_assert_error(e, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_FAILED);
    }
    {
        /* a command longer than the VMM accepts is refused here */
        g_autoptr(GError) e = NULL;
        g_autofree char *big = g_strnfill(ARMZ_MONITOR_MAX_LINE, 'a');
        g_autofree char *args = g_strdup_printf("{\"s\": \"%s\"}", big);
        g_assert_null(armz_monitor_json_build_command("stop", args, "armz-7", &e));
        g_assert_error(e, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_FAILED);
    }
}

static void
test_error_mapping(void)
{
    static const struct { int code; int vir; } map[] = {
        { ARMZ_MONITOR_ERROR_TIMEOUT, VIR_ERR_OPERATION_TIMEOUT },
        { ARMZ_MONITOR_ERROR_COMMAND_NOT_FOUND, VIR_ERR_OPERATION_UNSUPPORTED },
        { ARMZ_MONITOR_ERROR_EOF, VIR_ERR_OPERATION_FAILED },
        { ARMZ_MONITOR_ERROR_GENERIC_ERROR, VIR_ERR_OPERATION_FAILED },
        { ARMZ_MONITOR_ERROR_PROTOCOL, VIR_ERR_INTERNAL_ERROR },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(map); i++) {
        g_autoptr(GError) out = NULL;
        armz_monitor_propagate_error(&out, g_error_new_literal(ARMZ_MONITOR_ERROR,
                                                               map[i].code, "msg"));
        g_assert_error(out, ARMZ_ERROR, map[i].vir);
        g_assert_cmpstr(out->message, ==, "msg");
    }
    g_assert_cmpstr(armz_monitor_error_class_name(ARMZ_MONITOR_ERROR_GENERIC_ERROR), ==,
                    "GenericError");
    g_assert_null(armz_monitor_error_class_name(ARMZ_MONITOR_ERROR_EOF));
    g_assert_null(armz_monitor_error_class_name(ARMZ_MONITOR_ERROR_QMP_OTHER));
}


/* qom-get guest-stats: reported figures kept, absent and QEMU's -1 become
 * -1, a reply without stats or last-update is refused */
static void
test_balloon_stats(void)
{
    ArmzBalloonStats st;
    GError *err = NULL;

    g_assert_true(armz_monitor_parse_balloon_stats(
        "{\"stats\": {\"stat-swap-in\": 4096, \"stat-total-memory\": 4886718345, "
        "\"stat-swap-out\": -1, \"stat-disk-caches\": 1.5, \"stat-oom-kills\": 2}, "
        "\"last-update\": 1700000000}", &st, &err));
    g_assert_no_error(err);
    g_assert_cmpint(st.swap_in, ==, 4096);
    g_assert_cmpint(st.total_memory, ==, 4886718345LL);
    g_assert_cmpint(st.swap_out, ==, -1);
    g_assert_cmpint(st.disk_caches, ==, -1);
    g_assert_cmpint(st.major_faults, ==, -1);
    g_assert_cmpint(st.last_update, ==, 1700000000);
    g_assert_false(armz_monitor_parse_balloon_stats("{\"stats\": {}}", &st, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_PROTOCOL);
    g_clear_error(&err);
    g_assert_false(armz_monitor_parse_balloon_stats("[1]", &st, &err));
    g_clear_error(&err);
    g_assert_false(armz_monitor_parse_balloon_stats("{\"stats\": 3, \"last-update\": 0}",
                                                    &st, &err));
    g_clear_error(&err);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/monitor/json/parse-good", test_json_parse_good);
    g_test_add_func("/monitor/json/parse-bad", test_json_parse_bad);
    g_test_add_func("/monitor/json/build", test_json_build);
    g_test_add_func("/monitor/error-mapping", test_error_mapping);
    g_test_add_func("/monitor/balloon-stats", test_balloon_stats);
    return g_test_run();
}
