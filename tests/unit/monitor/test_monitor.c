/* Unit tests of the monitor (src/driver/monitor.c), the daemon's QMP client:
 * a monitor whose main context runs in a thread of its own, talking over a
 * socketpair to a fake QMP server scripted per test in another thread,
 * while the test thread (a "worker") runs commands; then the monitor
 * against the real QMP server of armz-vmm (src/vmm/qmp), which needs no
 * KVM. The wire format has its own tests (test_monitor_json.c). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>

#include "util/error.h"
#include "driver/monitor.h"
#include "driver/monitor_json.h"
#include "vmm/qmp/qmp_server.h"

#define WAIT_MS 5000

/* --- fixture: monitor in a main-context thread, fake server in another ---------------- */

typedef struct {
    GMutex lock;
    GPtrArray *events;        /* "NAME DATA_JSON TIMESTAMP" */
    int eofs, errors;
    int error_code;
    gboolean disposed;
    int cmd_from_callback;    /* error code of a command run inside a callback, -1 none */
    gboolean close_in_callback;
} Rec;

typedef struct _Fixture Fixture;
typedef void (*Script)(Fixture *f);

struct _Fixture {
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *loop_thread;
    ArmzMonitor *mon;
    int srv_fd;
    GString *srv_in;
    GThread *srv_thread;
    Script script;
    Rec rec;
    /* a simple handshake between script and test */
    GMutex lock;
    GCond cond;
    int step;
    gconstpointer data;       /* the test's data */
};

static void
on_event(ArmzMonitor *mon, const char *name, yajl_val data, const char *data_json,
         gint64 ts, gpointer opaque)
{
    Rec *r = opaque;

    g_assert_true(data == NULL || YAJL_IS_OBJECT(data));
    if (strcmp(name, "TRY_CMD") == 0) {
        g_autoptr(GError) err = NULL;
        /* inside the main context: refused, not a deadlock */
        g_assert_false(armz_monitor_command(mon, "stop", NULL, NULL, 1000, &err));
        g_mutex_lock(&r->lock);
        r->cmd_from_callback = err->code;
        g_mutex_unlock(&r->lock);
    }
    if (strcmp(name, "CLOSE_ME") == 0)
        armz_monitor_close(mon);
    g_mutex_lock(&r->lock);
    g_ptr_array_add(r->events, g_strdup_printf("%s %s %" G_GINT64_FORMAT, name, data_json, ts));
    g_mutex_unlock(&r->lock);
}

static void
on_eof(ArmzMonitor *mon, gpointer opaque)
{
    Rec *r = opaque;

    g_assert_true(armz_monitor_is_closed(mon));
    g_mutex_lock(&r->lock);
    r->eofs++;
    g_mutex_unlock(&r->lock);
}

static void
on_error(ArmzMonitor *mon, const GError *error, gpointer opaque)
{
    Rec *r = opaque;

    g_assert_true(armz_monitor_is_closed(mon));
    g_assert_true(error->domain == ARMZ_MONITOR_ERROR);
    g_mutex_lock(&r->lock);
    r->errors++;
    r->error_code = error->code;
    g_mutex_unlock(&r->lock);
}

static void
on_dispose(gpointer opaque)
{
    Rec *r = opaque;

    g_mutex_lock(&r->lock);
    r->disposed = TRUE;
    g_mutex_unlock(&r->lock);
}

static const ArmzMonitorCallbacks callbacks = {
    .event = on_event,
    .eof = on_eof,
    .error = on_error,
    .dispose = on_dispose,
};

static gpointer
loop_thread(gpointer data)
{
    Fixture *f = data;

    g_main_context_push_thread_default(f->ctx);
    g_main_loop_run(f->loop);
    g_main_context_pop_thread_default(f->ctx);
    return NULL;
}

static void
rec_init(Rec *r)
{
    memset(r, 0, sizeof(*r));
    g_mutex_init(&r->lock);
    r->events = g_ptr_array_new_with_free_func(g_free);
    r->cmd_from_callback = -1;
}

static void
rec_clear(Rec *r)
{
    g_ptr_array_free(r->events, TRUE);
    g_mutex_clear(&r->lock);
}

/* Starts the main-context thread and a monitor on one end of a socketpair. */
static void
fx_setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    int sv[2];

    memset(f, 0, sizeof(*f));
    rec_init(&f->rec);
    g_mutex_init(&f->lock);
    g_cond_init(&f->cond);
    f->ctx = g_main_context_new();
    f->loop = g_main_loop_new(f->ctx, FALSE);
    f->loop_thread = g_thread_new("mainctx", loop_thread, f);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    f->srv_fd = sv[1];
    f->srv_in = g_string_new(NULL);
    f->mon = armz_monitor_open(sv[0], f->ctx, &callbacks, &f->rec, &err);
    g_assert_no_error(err);
    g_assert_nonnull(f->mon);
}

static gboolean
quit_loop(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

static void
fx_teardown(Fixture *f, gconstpointer data)
{
    if (f->srv_thread)
        g_thread_join(f->srv_thread);
    armz_monitor_close(f->mon);
    armz_monitor_close(f->mon);         /* idempotent */
    armz_monitor_unref(f->mon);
    g_main_context_invoke(f->ctx, quit_loop, f->loop);
    g_thread_join(f->loop_thread);
    /* the sources' references are gone: the opaque was released */
    g_assert_true(f->rec.disposed);
    g_main_loop_unref(f->loop);
    g_main_context_unref(f->ctx);
    if (f->srv_fd >= 0)
        close(f->srv_fd);
    g_string_free(f->srv_in, TRUE);
    rec_clear(&f->rec);
    g_mutex_clear(&f->lock);
    g_cond_clear(&f->cond);
}

static gpointer
script_thread(gpointer data)
{
    Fixture *f = data;

    f->script(f);
    return NULL;
}

static void
run_script(Fixture *f, Script s)
{
    f->script = s;
    f->srv_thread = g_thread_new("fakeqmp", script_thread, f);
}

static void
step_set(Fixture *f, int step)
{
    g_mutex_lock(&f->lock);
    f->step = step;
    g_cond_broadcast(&f->cond);
    g_mutex_unlock(&f->lock);
}

static void
step_wait(Fixture *f, int step)
{
    gint64 end = g_get_monotonic_time() + WAIT_MS * G_TIME_SPAN_MILLISECOND;

    g_mutex_lock(&f->lock);
    while (f->step < step) {
        if (!g_cond_wait_until(&f->cond, &f->lock, end))
            g_error("step %d not reached", step);
    }
    g_mutex_unlock(&f->lock);
}

/* Waits until *FIELD (under the rec lock) reaches N. */
static void
rec_wait(Rec *r, const int *field, int n)
{
    gint64 end = g_get_monotonic_time() + WAIT_MS * G_TIME_SPAN_MILLISECOND;

    for (;;) {
        int v;
        g_mutex_lock(&r->lock);
        v = *field;
        g_mutex_unlock(&r->lock);
        if (v >= n)
            return;
        if (g_get_monotonic_time() > end)
            g_error("callback count %d, expected %d", v, n);
        g_usleep(1000);
    }
}

static void
rec_wait_events(Rec *r, guint n)
{
    gint64 end = g_get_monotonic_time() + WAIT_MS * G_TIME_SPAN_MILLISECOND;

    for (;;) {
        guint v;
        g_mutex_lock(&r->lock);
        v = r->events->len;
        g_mutex_unlock(&r->lock);
        if (v >= n)
            return;
        if (g_get_monotonic_time() > end)
            g_error("%u events, expected %u", v, n);
        g_usleep(1000);
    }
}

/* --- the fake server's side ------------------------------------------------------- */

/* The next line from the monitor without its "\r\n"; NULL at EOF. */
static char *
srv_line(Fixture *f)
{
    for (;;) {
        char *nl = strchr(f->srv_in->str, '\n');
        struct pollfd p = { .fd = f->srv_fd, .events = POLLIN };
        char buf[4096];
        ssize_t n;

        if (nl) {
            gsize len = nl - f->srv_in->str;
            char *line = g_strndup(f->srv_in->str, len);
            g_string_erase(f->srv_in, 0, len + 1);
            g_assert_true(len > 0 && line[len - 1] == '\r');
            line[len - 1] = '\0';
            return line;
        }
        if (poll(&p, 1, WAIT_MS) != 1)
            g_error("fake server: nothing from the monitor");
        n = recv(f->srv_fd, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return NULL;
        g_string_append_len(f->srv_in, buf, n);
    }
}

/* Sends TEXT; FALSE when the monitor went away. */
static gboolean
srv_send_len(Fixture *f, const char *text, gsize len)
{
    while (len > 0) {
        ssize_t n = send(f->srv_fd, text, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return FALSE;
        text += n;
        len -= n;
    }
    return TRUE;
}

static void
srv_send(Fixture *f, const char *text)
{
    g_assert_true(srv_send_len(f, text, strlen(text)));
}

/* Nothing more arrives within MS. */
static void
srv_quiet(Fixture *f, int ms)
{
    struct pollfd p = { .fd = f->srv_fd, .events = POLLIN };

    g_assert_cmpuint(f->srv_in->len, ==, 0);
    g_assert_cmpint(poll(&p, 1, ms), ==, 0);
}

/* Reads a command, checks its name, returns its id as JSON text; *ARGS (if
 * not NULL) gets its arguments as JSON text or NULL. */
static char *
srv_cmd(Fixture *f, const char *name, char **args)
{
    g_autofree char *line = srv_line(f);
    const char *p_exec[] = { "execute", NULL };
    const char *p_id[] = { "id", NULL };
    const char *p_args[] = { "arguments", NULL };
    char err[256];
    yajl_val v, id;
    char *id_json;

    if (!line)
        g_error("fake server: EOF instead of '%s'", name);
    v = yajl_tree_parse(line, err, sizeof(err));
    if (!v)
        g_error("fake server: not JSON: %s", line);
    g_assert_cmpstr(YAJL_GET_STRING(yajl_tree_get(v, p_exec, yajl_t_string)), ==, name);
    id = yajl_tree_get(v, p_id, yajl_t_any);
    g_assert_true(YAJL_IS_STRING(id));
    id_json = armz_monitor_json_to_string(id);
    if (args) {
        yajl_val a = yajl_tree_get(v, p_args, yajl_t_any);
        *args = a ? armz_monitor_json_to_string(a) : NULL;
    }
    yajl_tree_free(v);
    return id_json;
}

static void
srv_return(Fixture *f, const char *id_json, const char *ret)
{
    g_autofree char *line = g_strdup_printf("{\"return\": %s, \"id\": %s}\r\n", ret, id_json);
    srv_send(f, line);
}

static void
srv_greet(Fixture *f)
{
    g_autofree char *id = NULL;

    srv_send(f, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 0, \"major\": 0}, "
                "\"package\": \"fake\"}, \"capabilities\": []}}\r\n");
    id = srv_cmd(f, "qmp_capabilities", NULL);
    srv_return(f, id, "{}");
}

static void
srv_close(Fixture *f)
{
    close(f->srv_fd);
    f->srv_fd = -1;
}

/* --- a command run in a worker thread ---------------------------------------------- */

typedef struct {
    ArmzMonitor *mon;
    const char *cmd;
    const char *args;
    guint timeout;
    gboolean ok;
    char *reply;
    GError *err;
    GThread *thread;
} Async;

static gpointer
async_thread(gpointer data)
{
    Async *a = data;

    a->ok = armz_monitor_command(a->mon, a->cmd, a->args, &a->reply, a->timeout, &a->err);
    return NULL;
}

static Async *
async_start(ArmzMonitor *mon, const char *cmd, const char *args, guint timeout)
{
    Async *a = g_new0(Async, 1);

    a->mon = mon;
    a->cmd = cmd;
    a->args = args;
    a->timeout = timeout;
    a->thread = g_thread_new("worker", async_thread, a);
    return a;
}

static void
async_free(Async *a)
{
    g_free(a->reply);
    g_clear_error(&a->err);
    g_free(a);
}

static void
async_join(Async *a)
{
    g_thread_join(a->thread);
    a->thread = NULL;
}

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

/* --- the real QMP server of armz-vmm --------------------------------------------------- */

typedef struct {
    char *dir, *path;
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;
    ArmzQmpServer *srv;
    ArmzRunState state;
    gboolean ready;
    GMutex lock;
    GCond cond;
} Vmm;

static ArmzRunState
vmm_query_status(gpointer opaque)
{
    return ((Vmm *)opaque)->state;
}

static gboolean
vmm_stop(gpointer opaque, GError **error)
{
    Vmm *v = opaque;
    v->state = ARMZ_RUNSTATE_PAUSED;
    armz_qmp_server_emit(v->srv, "STOP", NULL);
    return TRUE;
}

static gboolean
vmm_cont(gpointer opaque, GError **error)
{
    Vmm *v = opaque;
    v->state = ARMZ_RUNSTATE_RUNNING;
    armz_qmp_server_emit(v->srv, "RESUME", NULL);
    return TRUE;
}

static gboolean
vmm_powerdown(gpointer opaque, GError **error)
{
    armz_qmp_server_emit(((Vmm *)opaque)->srv, "POWERDOWN", NULL);
    return TRUE;
}

static gboolean
vmm_reset(gpointer opaque, GError **error)
{
    g_set_error_literal(error, g_quark_from_static_string("test"), 0, "reset went wrong");
    return FALSE;
}

static void
vmm_quit(gpointer opaque)
{
    Vmm *v = opaque;
    armz_qmp_server_emit(v->srv, "SHUTDOWN", "{\"guest\": false, \"reason\": \"host-qmp-quit\"}");
    g_main_loop_quit(v->loop);
}

static const ArmzQmpOps vmm_ops = {
    .query_status = vmm_query_status,
    .stop = vmm_stop,
    .cont = vmm_cont,
    .system_powerdown = vmm_powerdown,
    .system_reset = vmm_reset,
    .quit = vmm_quit,
};

static gpointer
vmm_thread(gpointer data)
{
    Vmm *v = data;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    g_autoptr(GError) err = NULL;
    int fd;

    g_main_context_push_thread_default(v->ctx);
    g_assert_cmpuint(strlen(v->path), <, sizeof(sa.sun_path));
    strcpy(sa.sun_path, v->path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(listen(fd, 4), ==, 0);
    v->srv = armz_qmp_server_new(fd, &vmm_ops, v, &err);
    g_assert_no_error(err);
    g_mutex_lock(&v->lock);
    v->ready = TRUE;
    g_cond_broadcast(&v->cond);
    g_mutex_unlock(&v->lock);
    g_main_loop_run(v->loop);
    /* as armz-vmm does on quit: the server flushes and hangs up */
    armz_qmp_server_free(v->srv);
    g_main_context_pop_thread_default(v->ctx);
    return NULL;
}

static void
test_real_server(Fixture *f, gconstpointer data)
{
    Vmm v = { .state = ARMZ_RUNSTATE_RUNNING };
    g_autoptr(GError) err = NULL;
    g_autofree char *status = NULL;
    gboolean running = FALSE;
    ArmzMonitor *mon, *second;
    Rec rec2;

    /* the fixture's socketpair monitor is not used here */
    armz_monitor_close(f->mon);
    v.dir = g_dir_make_tmp("armz-mon-XXXXXX", &err);
    g_assert_no_error(err);
    v.path = g_build_filename(v.dir, "qmp.sock", NULL);
    v.ctx = g_main_context_new();
    v.loop = g_main_loop_new(v.ctx, FALSE);
    g_mutex_init(&v.lock);
    g_cond_init(&v.cond);
    v.thread = g_thread_new("vmm", vmm_thread, &v);
    g_mutex_lock(&v.lock);
    while (!v.ready)
        g_cond_wait(&v.cond, &v.lock);
    g_mutex_unlock(&v.lock);

    /* a missing socket is a clear error */
    {
        g_autofree char *nowhere = g_build_filename(v.dir, "nope.sock", NULL);
        g_autoptr(GError) e = NULL;
        g_assert_null(armz_monitor_connect_path(nowhere, f->ctx, &callbacks, NULL, &e));
        g_assert_error(e, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_FAILED);
        g_assert_nonnull(strstr(e->message, "nope.sock"));
    }

    rec_init(&rec2);
    mon = armz_monitor_connect_path(v.path, f->ctx, &callbacks, &rec2, &err);
    g_assert_no_error(err);
    g_assert_true(armz_monitor_wait_ready(mon, WAIT_MS, &err));
    g_assert_true(armz_monitor_query_status(mon, &running, &status, &err));
    g_assert_true(running);
    g_assert_cmpstr(status, ==, "running");
    g_clear_pointer(&status, g_free);

    g_assert_true(armz_monitor_stop(mon, &err));
    g_assert_true(armz_monitor_query_status(mon, &running, &status, &err));
    g_assert_false(running);
    g_assert_cmpstr(status, ==, "paused");
    g_assert_true(armz_monitor_cont(mon, &err));
    g_assert_true(armz_monitor_system_powerdown(mon, &err));
    g_assert_no_error(err);
    /* the VMM's errors */
    g_assert_false(armz_monitor_system_reset(mon, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_GENERIC_ERROR);
    g_assert_nonnull(strstr(err->message, "reset went wrong"));
    g_clear_error(&err);
    g_assert_false(armz_monitor_command(mon, "query-nothing", NULL, NULL, 0, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_COMMAND_NOT_FOUND);
    g_clear_error(&err);
    g_assert_false(armz_monitor_command(mon, "stop", "{\"force\": true}", NULL, 0, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_GENERIC_ERROR);
    g_assert_nonnull(strstr(err->message, "force"));
    g_clear_error(&err);

    /* the VMM serves one client at a time: a second monitor gets no greeting */
    second = armz_monitor_connect_path(v.path, f->ctx, &callbacks, &f->rec, &err);
    g_assert_no_error(err);
    g_assert_false(armz_monitor_wait_ready(second, 200, &err));
    g_assert_error(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_TIMEOUT);
    g_clear_error(&err);
    armz_monitor_close(second);
    armz_monitor_unref(second);

    /* the events, timestamped, in order with the replies */
    rec_wait_events(&rec2, 3);
    g_mutex_lock(&rec2.lock);
    g_assert_true(g_str_has_prefix(g_ptr_array_index(rec2.events, 0), "STOP {} 1"));
    g_assert_true(g_str_has_prefix(g_ptr_array_index(rec2.events, 1), "RESUME {} 1"));
    g_assert_true(g_str_has_prefix(g_ptr_array_index(rec2.events, 2), "POWERDOWN {} 1"));
    g_mutex_unlock(&rec2.lock);

    /* quit: reply, SHUTDOWN, EOF */
    g_assert_true(armz_monitor_quit(mon, &err));
    g_assert_no_error(err);
    rec_wait(&rec2, &rec2.eofs, 1);
    g_mutex_lock(&rec2.lock);
    g_assert_cmpuint(rec2.events->len, ==, 4);
    g_assert_true(g_str_has_prefix(g_ptr_array_index(rec2.events, 3),
                                   "SHUTDOWN {\"guest\":false,\"reason\":\"host-qmp-quit\"} 1"));
    g_mutex_unlock(&rec2.lock);
    g_assert_cmpint(rec2.errors, ==, 0);
    armz_monitor_unref(mon);
    g_thread_join(v.thread);

    /* the monitor is released once the main context let go of it */
    rec_wait(&rec2, &rec2.disposed, 1);
    rec_clear(&rec2);
    g_main_loop_unref(v.loop);
    g_main_context_unref(v.ctx);
    g_mutex_clear(&v.lock);
    g_cond_clear(&v.cond);
    g_unlink(v.path);
    g_rmdir(v.dir);
    g_free(v.path);
    g_free(v.dir);
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
    ADD("/monitor/real-server", test_real_server);
#undef ADD
    for (gsize i = 0; i < G_N_ELEMENTS(garbage); i++) {
        g_autofree char *path = g_strdup_printf("/monitor/garbage/%s", garbage[i].what);
        g_test_add_data_func(path, &garbage[i], test_garbage);
    }
    return g_test_run();
}
