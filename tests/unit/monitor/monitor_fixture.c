/* The monitor tests' fixture: see monitor_fixture.h. */
#include "monitor_fixture.h"





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

const ArmzMonitorCallbacks callbacks = {
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

void
rec_init(Rec *r)
{
    memset(r, 0, sizeof(*r));
    g_mutex_init(&r->lock);
    r->events = g_ptr_array_new_with_free_func(g_free);
    r->cmd_from_callback = -1;
}

void
rec_clear(Rec *r)
{
    g_ptr_array_free(r->events, TRUE);
    g_mutex_clear(&r->lock);
}

/* Starts the main-context thread and a monitor on one end of a socketpair. */
void
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

void
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

void
run_script(Fixture *f, Script s)
{
    f->script = s;
    f->srv_thread = g_thread_new("fakeqmp", script_thread, f);
}

void
step_set(Fixture *f, int step)
{
    g_mutex_lock(&f->lock);
    f->step = step;
    g_cond_broadcast(&f->cond);
    g_mutex_unlock(&f->lock);
}

void
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
void
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

void
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
char *
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
gboolean
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

void
srv_send(Fixture *f, const char *text)
{
    g_assert_true(srv_send_len(f, text, strlen(text)));
}

/* Nothing more arrives within MS. */
void
srv_quiet(Fixture *f, int ms)
{
    struct pollfd p = { .fd = f->srv_fd, .events = POLLIN };

    g_assert_cmpuint(f->srv_in->len, ==, 0);
    g_assert_cmpint(poll(&p, 1, ms), ==, 0);
}

/* Reads a command, checks its name, returns its id as JSON text; *ARGS (if
 * not NULL) gets its arguments as JSON text or NULL. */
char *
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

void
srv_return(Fixture *f, const char *id_json, const char *ret)
{
    g_autofree char *line = g_strdup_printf("{\"return\": %s, \"id\": %s}\r\n", ret, id_json);
    srv_send(f, line);
}

void
srv_greet(Fixture *f)
{
    g_autofree char *id = NULL;

    srv_send(f, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 0, \"major\": 0}, "
                "\"package\": \"fake\"}, \"capabilities\": []}}\r\n");
    id = srv_cmd(f, "qmp_capabilities", NULL);
    srv_return(f, id, "{}");
}

void
srv_close(Fixture *f)
{
    close(f->srv_fd);
    f->srv_fd = -1;
}

/* --- a command run in a worker thread ---------------------------------------------- */



static gpointer
async_thread(gpointer data)
{
    Async *a = data;

    a->ok = armz_monitor_command(a->mon, a->cmd, a->args, &a->reply, a->timeout, &a->err);
    return NULL;
}

Async *
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

void
async_free(Async *a)
{
    g_free(a->reply);
    g_clear_error(&a->err);
    g_free(a);
}

void
async_join(Async *a)
{
    g_thread_join(a->thread);
    a->thread = NULL;
}
