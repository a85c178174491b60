/* Unit tests of the monitor (src/driver/monitor.c), the daemon's QMP client,
 * against a fake QMP server scripted per test (monitor_fixture.h): the
 * protocol, timeouts, a stuck or vanishing VMM, garbage on the wire. The
 * real QMP server of armz-vmm is in test_monitor_vmm.c, the wire format in
 * test_monitor_json.c. */
#include "monitor_fixture.h"

/* --- tests with the fake server --------------------------------------------------- */

static void
script_handshake(Fixture *f)
{
    g_autofree char *id = NULL;
    g_autofree char *args = NULL;

    /* the command waits for the handshake: nothing is sent before it */
    step_wait(f, 1);
    srv_quiet(f, 100);
    srv_send(f, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n");
    id = srv_cmd(f, "qmp_capabilities", &args);
    g_assert_null(args);
    srv_quiet(f, 50);      /* still nothing before the capabilities reply */
    srv_return(f, id, "{}");
    g_free(id);
    id = srv_cmd(f, "query-status", &args);
    g_assert_null(args);
    srv_return(f, id, "{\"status\": \"running\", \"singlestep\": false, \"running\": true}");
}

static void
test_handshake(Fixture *f, gconstpointer data)
{
    Async *a;

    run_script(f, script_handshake);
    a = async_start(f->mon, "query-status", NULL, WAIT_MS);
    g_usleep(20 * 1000);
    step_set(f, 1);
    async_join(a);
    g_assert_no_error(a->err);
    g_assert_true(a->ok);
    g_assert_cmpstr(a->reply, ==, "{\"status\":\"running\",\"singlestep\":false,\"running\":true}");
    g_assert_true(armz_monitor_wait_ready(f->mon, 100, NULL));
    async_free(a);
}

static void
script_handshake_timeout(Fixture *f)
{
    /* no greeting (another client has the VMM's monitor) until released */
    step_wait(f, 1);
    srv_greet(f);
}

static void
test_handshake_timeout(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    run_script(f, script_handshake_timeout);
    g_assert_false(armz_monitor_wait_ready(f->mon, 100, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_TIMEOUT);
    g_assert_nonnull(strstr(err->message, "handshake"));
    g_clear_error(&err);
    g_assert_false(armz_monitor_command(f->mon, "stop", NULL, NULL, 100, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_TIMEOUT);
    g_assert_nonnull(strstr(err->message, "handshake"));
    g_clear_error(&err);
    step_set(f, 1);
    g_assert_true(armz_monitor_wait_ready(f->mon, WAIT_MS, &err));
    g_assert_no_error(err);
}

static void
script_commands(Fixture *f)
{
    g_autofree char *id = NULL;
    g_autofree char *args = NULL;

    srv_greet(f);
    id = srv_cmd(f, "stop", &args);
    g_assert_null(args);
    srv_return(f, id, "{}");
    g_free(id);
    id = srv_cmd(f, "x-echo", &args);
    g_assert_cmpstr(args, ==, "{\"s\":\"q\\\"\\\\\\n\",\"n\":[1,-2.5,true,null]}");
    srv_return(f, id, args);
    g_free(id);
    /* the typed helpers */
    id = srv_cmd(f, "cont", NULL);
    srv_return(f, id, "{}");
    g_free(id);
    id = srv_cmd(f, "system_powerdown", NULL);
    srv_return(f, id, "{}");
    g_free(id);
    id = srv_cmd(f, "system_reset", NULL);
    srv_return(f, id, "{}");
    g_free(id);
    id = srv_cmd(f, "query-status", NULL);
    srv_return(f, id, "{\"status\": \"paused\", \"singlestep\": false, \"running\": false}");
    g_free(id);
    id = srv_cmd(f, "query-status", NULL);
    srv_return(f, id, "{\"status\": 5}");
    g_free(id);
    /* a long reply, read in many pieces */
    id = srv_cmd(f, "big", NULL);
    {
        g_autofree char *big = g_strnfill(900 * 1000, 'b');
        g_autofree char *ret = g_strdup_printf("\"%s\"", big);
        srv_return(f, id, ret);
    }
    g_free(id);
    id = srv_cmd(f, "quit", NULL);
    srv_return(f, id, "{}");
    srv_close(f);
}

static void
test_commands(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *reply = NULL;
    g_autofree char *status = NULL;
    gboolean running = TRUE;

    run_script(f, script_commands);
    g_assert_true(armz_monitor_command(f->mon, "stop", NULL, &reply, 0, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(reply, ==, "{}");
    g_clear_pointer(&reply, g_free);
    g_assert_true(armz_monitor_command(f->mon, "x-echo",
                                       "{\"s\": \"q\\\"\\\\\\n\", \"n\": [1, -2.5, true, null]}",
                                       &reply, 0, &err));
    g_assert_cmpstr(reply, ==, "{\"s\":\"q\\\"\\\\\\n\",\"n\":[1,-2.5,true,null]}");
    g_assert_true(armz_monitor_cont(f->mon, &err));
    g_assert_true(armz_monitor_system_powerdown(f->mon, &err));
    g_assert_true(armz_monitor_system_reset(f->mon, &err));
    g_assert_true(armz_monitor_query_status(f->mon, &running, &status, &err));
    g_assert_false(running);
    g_assert_cmpstr(status, ==, "paused");
    g_clear_pointer(&status, g_free);
    /* an unexpected reply fails the helper, not the monitor */
    g_assert_false(armz_monitor_query_status(f->mon, &running, &status, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_PROTOCOL);
    g_assert_null(status);
    g_clear_error(&err);
    g_assert_false(armz_monitor_is_closed(f->mon));
    g_clear_pointer(&reply, g_free);
    g_assert_true(armz_monitor_command(f->mon, "big", NULL, &reply, 0, &err));
    g_assert_cmpuint(strlen(reply), ==, 900 * 1000 + 2);
    /* quit: the reply, then EOF */
    g_assert_true(armz_monitor_quit(f->mon, &err));
    g_assert_no_error(err);
    rec_wait(&f->rec, &f->rec.eofs, 1);
    g_assert_cmpint(f->rec.errors, ==, 0);
    /* bad arguments are refused locally */
    g_assert_false(armz_monitor_command(f->mon, "stop", "[1]", NULL, 0, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_FAILED);
}

static void
script_qmp_errors(Fixture *f)
{
    g_autofree char *id = NULL;

    srv_greet(f);
    id = srv_cmd(f, "stop", NULL);
    srv_send(f, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"cannot \\\"stop\\\" now\"}, "
                "\"id\": ");
    srv_send(f, id);
    srv_send(f, "}\r\n");
    g_free(id);
    id = srv_cmd(f, "nope", NULL);
    srv_send(f, "{\"id\": ");
    srv_send(f, id);
    srv_send(f, ", \"error\": {\"desc\": \"The command nope has not been found\", "
                "\"class\": \"CommandNotFound\"}}\r\n");
    g_free(id);
    id = srv_cmd(f, "odd", NULL);
    srv_send(f, "{\"error\": {\"class\": \"WeirdClass\", \"desc\": \"strange\"}, \"id\": ");
    srv_send(f, id);
    srv_send(f, "}\r\n");
    g_free(id);
    id = srv_cmd(f, "cont", NULL);
    srv_return(f, id, "{}");
}

static void
test_qmp_errors(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *reply = NULL;

    run_script(f, script_qmp_errors);
    g_assert_false(armz_monitor_command(f->mon, "stop", NULL, &reply, 0, &err));
    g_assert_null(reply);
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_GENERIC_ERROR);
    g_assert_nonnull(strstr(err->message, "'stop'"));
    g_assert_nonnull(strstr(err->message, "cannot \"stop\" now"));
    g_clear_error(&err);
    g_assert_false(armz_monitor_command(f->mon, "nope", NULL, NULL, 0, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_COMMAND_NOT_FOUND);
    g_assert_nonnull(strstr(err->message, "has not been found"));
    g_clear_error(&err);
    g_assert_false(armz_monitor_command(f->mon, "odd", NULL, NULL, 0, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_QMP_OTHER);
    g_assert_nonnull(strstr(err->message, "WeirdClass"));
    g_assert_nonnull(strstr(err->message, "strange"));
    g_clear_error(&err);
    /* QMP errors leave the monitor usable */
    g_assert_true(armz_monitor_cont(f->mon, &err));
    g_assert_no_error(err);
    g_assert_cmpint(f->rec.errors, ==, 0);
}

static void
script_events(Fixture *f)
{
    g_autofree char *id = NULL;
    g_autofree char *chunk = NULL;
    g_autofree char *reply = NULL;

    srv_greet(f);
    srv_send(f, "{\"event\": \"RESET\", \"data\": {\"guest\": false, \"reason\": \"host-qmp\"}, "
                "\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 5}}\r\n");
    id = srv_cmd(f, "stop", NULL);
    /* event, reply, event in one write */
    chunk = g_strdup_printf("{\"timestamp\": {\"seconds\": 1700000001, \"microseconds\": 0}, "
                            "\"event\": \"STOP\"}\r\n"
                            "{\"return\": {}, \"id\": %s}\r\n"
                            "{\"event\": \"X\", \"data\": {\"l\": [1, {\"m\": \"\\u00e9\"}]}}\n",
                            id);
    srv_send(f, chunk);
    g_free(id);
    id = srv_cmd(f, "cont", NULL);
    /* reply split mid-line, an event inside the gap is impossible, so: event
     * first, then the reply byte by byte */
    srv_send(f, "{\"event\": \"RESUME\"}\r\n");
    reply = g_strdup_printf("{\"return\": {}, \"id\": %s}\r\n", id);
    for (gsize i = 0; reply[i]; i++) {
        g_assert_true(srv_send_len(f, reply + i, 1));
        if (i % 7 == 0)
            g_usleep(500);
    }
    /* an event with nobody waiting */
    srv_send(f, "\r\n{\"event\": \"POWERDOWN\"}\r\n");
}

static void
test_events(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    run_script(f, script_events);
    g_assert_true(armz_monitor_stop(f->mon, &err));
    g_assert_true(armz_monitor_cont(f->mon, &err));
    g_assert_no_error(err);
    rec_wait_events(&f->rec, 5);
    g_mutex_lock(&f->rec.lock);
    g_assert_cmpuint(f->rec.events->len, ==, 5);
    g_assert_cmpstr(g_ptr_array_index(f->rec.events, 0), ==,
                    "RESET {\"guest\":false,\"reason\":\"host-qmp\"} 1700000000000005");
    g_assert_cmpstr(g_ptr_array_index(f->rec.events, 1), ==, "STOP {} 1700000001000000");
    g_assert_cmpstr(g_ptr_array_index(f->rec.events, 2), ==,
                    "X {\"l\":[1,{\"m\":\"\xc3\xa9\"}]} -1");
    g_assert_cmpstr(g_ptr_array_index(f->rec.events, 3), ==, "RESUME {} -1");
    g_assert_cmpstr(g_ptr_array_index(f->rec.events, 4), ==, "POWERDOWN {} -1");
    g_mutex_unlock(&f->rec.lock);
    g_assert_cmpint(f->rec.errors, ==, 0);
}

#define N_THREADS 8
#define N_CMDS 20

static void
script_concurrent(Fixture *f)
{
    srv_greet(f);
    for (int i = 0; i < N_THREADS * N_CMDS; i++) {
        g_autofree char *args = NULL;
        g_autofree char *id = srv_cmd(f, "echo", &args);

        /* one command at a time: nothing else was sent before this reply */
        srv_quiet(f, 2);
        srv_return(f, id, args);
    }
}

typedef struct {
    ArmzMonitor *mon;
    int tid;
    int ok;
} Worker;

static gpointer
worker_thread(gpointer data)
{
    Worker *w = data;

    for (int n = 0; n < N_CMDS; n++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *args = g_strdup_printf("{\"tid\": %d, \"n\": %d}", w->tid, n);
        g_autofree char *want = g_strdup_printf("{\"tid\":%d,\"n\":%d}", w->tid, n);
        g_autofree char *reply = NULL;

        if (armz_monitor_command(w->mon, "echo", args, &reply, WAIT_MS, &err) &&
            g_strcmp0(reply, want) == 0)
            w->ok++;
    }
    return NULL;
}

static void
test_concurrent(Fixture *f, gconstpointer data)
{
    Worker w[N_THREADS];
    GThread *t[N_THREADS];

    run_script(f, script_concurrent);
    for (int i = 0; i < N_THREADS; i++) {
        w[i] = (Worker){ .mon = f->mon, .tid = i };
        t[i] = g_thread_new("worker", worker_thread, &w[i]);
    }
    for (int i = 0; i < N_THREADS; i++) {
        g_thread_join(t[i]);
        g_assert_cmpint(w[i].ok, ==, N_CMDS);
    }
}

static void
script_timeout(Fixture *f)
{
    g_autofree char *id1 = NULL;
    g_autofree char *id2 = NULL;

    srv_greet(f);
    id1 = srv_cmd(f, "slow", NULL);
    /* no answer until the command has timed out */
    step_wait(f, 1);
    id2 = srv_cmd(f, "next", NULL);
    /* the late reply first: dropped, not given to "next" */
    srv_return(f, id1, "{\"late\": true}");
    srv_return(f, id2, "{\"second\": true}");
}

static void
test_timeout(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *reply = NULL;
    gint64 t0 = g_get_monotonic_time();

    run_script(f, script_timeout);
    g_assert_false(armz_monitor_command(f->mon, "slow", NULL, &reply, 200, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_TIMEOUT);
    g_assert_nonnull(strstr(err->message, "did not answer command 'slow' within 200 ms"));
    g_assert_cmpint(g_get_monotonic_time() - t0, >=, 200 * 1000);
    g_clear_error(&err);
    /* the monitor stays usable */
    g_assert_false(armz_monitor_is_closed(f->mon));
    step_set(f, 1);
    g_assert_true(armz_monitor_command(f->mon, "next", NULL, &reply, WAIT_MS, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(reply, ==, "{\"second\":true}");
    g_assert_cmpint(f->rec.errors, ==, 0);
}

static int
step_get(Fixture *f)
{
    int v;

    g_mutex_lock(&f->lock);
    v = f->step;
    g_mutex_unlock(&f->lock);
    return v;
}

static void
script_stuck(Fixture *f)
{
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *id = NULL;

    srv_greet(f);
    /* a stuck VMM: reads every command, answers none */
    while (step_get(f) < 1) {
        struct pollfd p = { .fd = f->srv_fd, .events = POLLIN };
        if (!strchr(f->srv_in->str, '\n') && poll(&p, 1, 10) == 0)
            continue;
        g_ptr_array_add(ids, srv_cmd(f, "stop", NULL));
    }
    /* it wakes up: every late reply is dropped by the monitor */
    for (guint i = 0; i < ids->len; i++)
        srv_return(f, g_ptr_array_index(ids, i), "{\"late\": true}");
    id = srv_cmd(f, "cont", NULL);
    srv_return(f, id, "{\"fresh\": true}");
}

static void
test_stuck(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *reply = NULL;
    int i;

    run_script(f, script_stuck);
    g_assert_true(armz_monitor_wait_ready(f->mon, WAIT_MS, &err));
    for (i = 0; i < 1000; i++) {
        g_assert_false(armz_monitor_command(f->mon, "stop", NULL, NULL, 10, &err));
        g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_TIMEOUT);
        if (strstr(err->message, "unanswered"))
            break;
        g_clear_error(&err);
    }
    /* past the bound, commands fail at once, without being sent */
    g_assert_cmpint(i, >=, 64);
    g_assert_cmpint(i, <, 1000);
    g_clear_error(&err);
    step_set(f, 1);
    /* usable again once the late replies came in (then "cont" is sent) */
    for (i = 0; i < 5000; i++) {
        if (armz_monitor_command(f->mon, "cont", NULL, &reply, WAIT_MS, &err))
            break;
        g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_TIMEOUT);
        g_assert_nonnull(strstr(err->message, "unanswered"));
        g_clear_error(&err);
        g_usleep(1000);
    }
    g_assert_no_error(err);
    g_assert_cmpstr(reply, ==, "{\"fresh\":true}");
    g_assert_false(armz_monitor_is_closed(f->mon));
}

static void
script_eof_mid_command(Fixture *f)
{
    g_autofree char *id = NULL;

    srv_greet(f);
    id = srv_cmd(f, "stop", NULL);
    srv_close(f);
}

static void
test_eof_mid_command(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    run_script(f, script_eof_mid_command);
    g_assert_false(armz_monitor_stop(f->mon, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_EOF);
    g_assert_nonnull(strstr(err->message, "'stop'"));
    g_assert_nonnull(strstr(err->message, "went away"));
    g_clear_error(&err);
    rec_wait(&f->rec, &f->rec.eofs, 1);
    g_assert_true(armz_monitor_is_closed(f->mon));
    /* later commands fail at once, for the same reason */
    g_assert_false(armz_monitor_cont(f->mon, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_EOF);
    g_usleep(20 * 1000);
    g_assert_cmpint(f->rec.eofs, ==, 1);
    g_assert_cmpint(f->rec.errors, ==, 0);
}

static void
script_eof_idle(Fixture *f)
{
    srv_greet(f);
    srv_send(f, "{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true}}\r\n{\"event\": \"par");
    srv_close(f);
}

static void
test_eof_idle(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    run_script(f, script_eof_idle);
    rec_wait(&f->rec, &f->rec.eofs, 1);
    /* what came before EOF was delivered; the partial line is dropped */
    g_assert_cmpuint(f->rec.events->len, ==, 1);
    g_assert_cmpint(f->rec.errors, ==, 0);
    g_assert_false(armz_monitor_wait_ready(f->mon, 100, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_EOF);
}

static void
script_sigpipe(Fixture *f)
{
    srv_greet(f);
    /* the VMM stops reading: the monitor's next write gets EPIPE, which
     * must not raise SIGPIPE in the daemon */
    g_assert_cmpint(shutdown(f->srv_fd, SHUT_RD), ==, 0);
    step_set(f, 1);
    step_wait(f, 2);
    g_usleep(100 * 1000);
    srv_close(f);
}

static void
test_sigpipe(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    run_script(f, script_sigpipe);
    step_wait(f, 1);
    step_set(f, 2);
    g_assert_false(armz_monitor_command(f->mon, "stop", NULL, NULL, WAIT_MS, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_EOF);
    rec_wait(&f->rec, &f->rec.eofs, 1);
}

typedef struct {
    const char *what;
    const char *line;     /* ID is replaced by the id of the command waiting */
} Garbage;

static const Garbage garbage[] = {
    { "text", "hello world\r\n" },
    { "array", "[1, 2]\r\n" },
    { "scalar", "42\r\n" },
    { "unterminated", "{\"return\": {\r\n" },
    { "no-id", "{\"return\": {}}\r\n" },
    { "numeric-id", "{\"return\": {}, \"id\": 1}\r\n" },
    { "unknown-id", "{\"return\": {}, \"id\": \"someone-else\"}\r\n" },
    { "extra-member", "{\"return\": {}, \"id\": ID, \"oob\": true}\r\n" },
    { "two-kinds", "{\"return\": {}, \"event\": \"X\", \"id\": ID}\r\n" },
    { "second-greeting", "{\"QMP\": {}}\r\n" },
    { "bad-error", "{\"error\": {\"class\": \"GenericError\"}, \"id\": ID}\r\n" },
    { "event-data", "{\"event\": \"X\", \"data\": \"no\"}\r\n" },
    { "nul", "{\"return\": {}, \"id\": ID}NUL\r\n" },
    { "utf8", "{\"return\": \"\xc3\x28\", \"id\": ID}\r\n" },
};

static void
script_garbage(Fixture *f)
{
    const Garbage *g = f->data;
    g_autofree char *id = NULL;
    g_autoptr(GString) line = g_string_new(g->line);
    char *p;

    srv_greet(f);
    id = srv_cmd(f, "stop", NULL);
    if ((p = strstr(line->str, "ID"))) {
        gsize at = p - line->str;
        g_string_erase(line, at, 2);
        g_string_insert(line, at, id);
    }
    if ((p = strstr(line->str, "NUL"))) {
        gsize at = p - line->str;
        g_string_erase(line, at, 3);
        g_string_insert_c(line, at, '\0');
    }
    srv_send_len(f, line->str, line->len);
}

static void
test_garbage(gconstpointer data)
{
    const Garbage *g = data;
    Fixture fx, *f = &fx;
    g_autoptr(GError) err = NULL;

    fx_setup(f, NULL);
    f->data = g;
    run_script(f, script_garbage);
    g_assert_false(armz_monitor_stop(f->mon, &err));
    if (!g_error_matches(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_PROTOCOL))
        g_error("%s: %s", g->what, err ? err->message : "no error");
    g_assert_nonnull(strstr(err->message, "invalid QMP message"));
    rec_wait(&f->rec, &f->rec.errors, 1);
    g_assert_cmpint(f->rec.error_code, ==, ARMZ_MONITOR_ERROR_PROTOCOL);
    g_assert_cmpint(f->rec.eofs, ==, 0);
    g_assert_true(armz_monitor_is_closed(f->mon));
    fx_teardown(f, NULL);
}

static void
script_overlong(Fixture *f)
{
    g_autofree char *id = NULL;
    g_autofree char *big = g_strnfill(ARMZ_MONITOR_MAX_LINE, 'z');

    srv_greet(f);
    id = srv_cmd(f, "stop", NULL);
    /* no newline ever: the monitor has to give up, not buffer forever;
     * once it closes, the send fails (no SIGPIPE with MSG_NOSIGNAL) */
    srv_send_len(f, "{\"return\": \"", 12);
    srv_send_len(f, big, strlen(big));
    srv_send_len(f, big, strlen(big));
}

static void
test_overlong(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    run_script(f, script_overlong);
    g_assert_false(armz_monitor_stop(f->mon, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_PROTOCOL);
    g_assert_nonnull(strstr(err->message, "longer than"));
    rec_wait(&f->rec, &f->rec.errors, 1);
}

static void
script_close_waiting(Fixture *f)
{
    g_autofree char *id = NULL;
    g_autofree char *line = NULL;

    srv_greet(f);
    id = srv_cmd(f, "stop", NULL);
    step_set(f, 1);
    /* the monitor's close reaches the VMM as EOF */
    line = srv_line(f);
    g_assert_null(line);
}

static void
test_close_waiting(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    Async *a;

    run_script(f, script_close_waiting);
    a = async_start(f->mon, "stop", NULL, WAIT_MS);
    step_wait(f, 1);
    armz_monitor_close(f->mon);
    async_join(a);
    g_assert_false(a->ok);
    g_assert_error(a->err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_CLOSED);
    armz_monitor_close(f->mon);
    g_assert_false(armz_monitor_cont(f->mon, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_CLOSED);
    g_usleep(50 * 1000);
    /* closed by its owner: no eof/error callback */
    g_assert_cmpint(f->rec.eofs, ==, 0);
    g_assert_cmpint(f->rec.errors, ==, 0);
    async_free(a);
}

static void
script_callbacks(Fixture *f)
{
    srv_greet(f);
    srv_send(f, "{\"event\": \"TRY_CMD\"}\r\n");
    step_wait(f, 1);
    /* the monitor closes itself inside the first callback: the second event
     * in the same read is not delivered */
    srv_send(f, "{\"event\": \"CLOSE_ME\"}\r\n{\"event\": \"AFTER\"}\r\n");
}

static void
test_callbacks(Fixture *f, gconstpointer data)
{
    run_script(f, script_callbacks);
    rec_wait_events(&f->rec, 1);
    g_assert_cmpint(f->rec.cmd_from_callback, ==, ARMZ_MONITOR_ERROR_FAILED);
    step_set(f, 1);
    rec_wait_events(&f->rec, 2);
    g_usleep(50 * 1000);
    g_mutex_lock(&f->rec.lock);
    g_assert_cmpuint(f->rec.events->len, ==, 2);
    g_assert_true(g_str_has_prefix(g_ptr_array_index(f->rec.events, 1), "CLOSE_ME "));
    g_mutex_unlock(&f->rec.lock);
    g_assert_true(armz_monitor_is_closed(f->mon));
    g_assert_cmpint(f->rec.eofs, ==, 0);
    g_assert_cmpint(f->rec.errors, ==, 0);
}

int
main(int argc, char **argv)
{
    /* SIGPIPE must not be what saves the tests: leave its default (fatal) */
    signal(SIGPIPE, SIG_DFL);
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fx_setup, fn, fx_teardown)
    ADD("/monitor/handshake", test_handshake);
    ADD("/monitor/handshake-timeout", test_handshake_timeout);
    ADD("/monitor/commands", test_commands);
    ADD("/monitor/qmp-errors", test_qmp_errors);
    ADD("/monitor/events", test_events);
    ADD("/monitor/concurrent", test_concurrent);
    ADD("/monitor/timeout", test_timeout);
    ADD("/monitor/stuck-vmm", test_stuck);
    ADD("/monitor/eof-mid-command", test_eof_mid_command);
    ADD("/monitor/eof-idle", test_eof_idle);
    ADD("/monitor/sigpipe", test_sigpipe);
    ADD("/monitor/overlong-line", test_overlong);
    ADD("/monitor/close-while-waiting", test_close_waiting);
    ADD("/monitor/callbacks", test_callbacks);
#undef ADD
    for (gsize i = 0; i < G_N_ELEMENTS(garbage); i++) {
        g_autofree char *path = g_strdup_printf("/monitor/garbage/%s", garbage[i].what);
        g_test_add_data_func(path, &garbage[i], test_garbage);
    }
    return g_test_run();
}
