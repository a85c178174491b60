/* The monitor (src/driver/monitor.c) against the real QMP server of
 * armz-vmm (src/vmm/qmp), which needs no KVM. */
#include "monitor_fixture.h"
#include "vmm/qmp/qmp_server.h"

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
    g_test_add("/monitor/real-server", Fixture, NULL, fx_setup, test_real_server, fx_teardown);
    return g_test_run();
}
