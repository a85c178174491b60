/* The domain driver's job and locking logic (util/objjob.h, domain_obj.c,
 * driver.c, lifecycle.c) with fake VMMs: a job that times out names the
 * API holding it, lookups go on during a long job (the fake QMP server of
 * tests/unit/monitor stalls a command), and concurrent start, destroy,
 * suspend, resume, undefine and define of one domain neither deadlock nor
 * leave the list inconsistent (this binary, run again as the VMM, serves
 * QMP on the socket the driver hands it). */
#include <stdio.h>
#include <libvirt/libvirt.h>
#include <glib/gstdio.h>

#include "../monitor/monitor_fixture.h"
#include "util/objjob.h"
#include "driver/driver_priv.h"
#include "driver/domain_run.h"
#include "driver/lifecycle.h"

#define DOMAIN_XML \
    "<domain type='kvm'><name>jobs</name>" \
    "<uuid>c7a5fdbd-edaf-4455-926a-d65c16db1809</uuid>" \
    "<memory>524288</memory><os><type>hvm</type><kernel>/boot/Image</kernel></os></domain>"

/* One the fake VMM can run: a kernel to boot (never read). */
#define RUNNABLE_XML \
    "<domain type='kvm'><name>jobs</name>" \
    "<uuid>c7a5fdbd-edaf-4455-926a-d65c16db1809</uuid>" \
    "<memory unit='MiB'>64</memory><vcpu>1</vcpu>" \
    "<os><type arch='aarch64' machine='virt'>hvm</type><kernel>%s</kernel></os></domain>"

#define FAKE_VMM_ENV "ARMZ_TEST_FAKE_VMM"

static char *self_path;

typedef struct {
    char *root;
    ArmzDriver *drv;
    GMainContext *ctx;       /* the driver's: VMM exits and monitors */
    GMainLoop *loop;
    GThread *loop_thread;
} Env;

static gpointer
loop_thread(gpointer data)
{
    Env *e = data;

    g_main_context_push_thread_default(e->ctx);
    g_main_loop_run(e->loop);
    g_main_context_pop_thread_default(e->ctx);
    return NULL;
}

static gboolean
quit_loop(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static void
env_setup(Env *e)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *schemas = g_build_filename(g_getenv("ARMZ_SRCDIR"), "schemas", NULL);
    g_autoptr(ArmzPaths) paths = NULL;
    ArmzDriverConfig cfg = { .vmm_path = self_path, .schema_dir = schemas };

    e->root = g_dir_make_tmp("armz-jobs-XXXXXX", &err);
    g_assert_no_error(err);
    paths = armz_paths_new(e->root, TRUE);
    e->ctx = g_main_context_new();
    e->loop = g_main_loop_new(e->ctx, FALSE);
    g_main_context_push_thread_default(e->ctx);
    e->drv = armz_driver_new(paths, &cfg, &err);
    g_main_context_pop_thread_default(e->ctx);
    g_assert_no_error(err);
    e->loop_thread = g_thread_new("mainloop", loop_thread, e);
    armz_obj_job_set_timeout_ms(300);
}

static void
env_teardown(Env *e)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", e->root);

    armz_driver_free(e->drv);
    g_main_context_invoke(e->ctx, quit_loop, e->loop);
    g_thread_join(e->loop_thread);
    g_main_loop_unref(e->loop);
    g_main_context_unref(e->ctx);
    g_assert_cmpint(system(cmd), ==, 0);
    g_free(e->root);
    armz_obj_job_set_timeout_ms(0);
}

/* The API names a domain by ArmzDomainId; the test reaches inside the
 * object behind it. ID(obj) borrows obj's name (a few slots per thread are
 * enough: no call here holds more than two at once). */
static ArmzDomainId *
ID(ArmzDomainObj *obj)
{
    static __thread ArmzDomainId ring[8];
    static __thread guint next;
    ArmzDomainId *id = &ring[next++ % G_N_ELEMENTS(ring)];

    id->name = obj->name;
    memcpy(id->uuid, obj->uuid, sizeof(id->uuid));
    id->id = obj->id;
    return id;
}

static ArmzDomainObj *
define_xml(Env *e, const char *xml, GError **err)
{
    ArmzDomainId id = { 0 };
    ArmzDomainObj *obj = NULL;

    if (armz_driver_define(e->drv, xml, 0, &id, err))
        obj = armz_driver_find(e->drv, &id, err);
    armz_domain_id_clear(&id);
    return obj;
}

static ArmzDomainObj *
find_name(Env *e, const char *name)
{
    ArmzDomainId id = { 0 };
    ArmzDomainObj *obj = NULL;

    if (armz_driver_lookup_name(e->drv, name, &id, NULL))
        obj = armz_driver_find(e->drv, &id, NULL);
    armz_domain_id_clear(&id);
    return obj;
}

static ArmzDomainObj *
define(Env *e)
{
    g_autoptr(GError) err = NULL;
    ArmzDomainObj *obj = define_xml(e, DOMAIN_XML, &err);

    g_assert_no_error(err);
    return obj;
}

static void
assert_timeout(GError *err, const char *holder, gint64 since)
{
    g_autofree char *want = g_strdup_printf("cannot acquire state change lock (held by %s)",
                                            holder);

    g_assert_error(err, ARMZ_ERROR, VIR_ERR_OPERATION_TIMEOUT);
    g_assert_cmpstr(err->message, ==, want);
    g_assert_cmpint(g_get_monotonic_time() - since, >=, 290 * 1000);
}

/* Another API holds the job: undefine, start and autostart give up after
 * the timeout, naming it; once it ends they work. */
static void
test_job_timeout(void)
{
    Env e;
    g_autoptr(ArmzDomainObj) obj = NULL;
    g_autoptr(GError) err = NULL;
    gint64 t0;

    env_setup(&e);
    obj = define(&e);
    g_mutex_lock(&obj->lock);
    g_assert_true(armz_domain_obj_begin_job(obj, "virDomainCreateWithFlags", NULL));
    g_mutex_unlock(&obj->lock);

    t0 = g_get_monotonic_time();
    g_assert_false(armz_driver_undefine(e.drv, ID(obj), 0, &err));
    assert_timeout(err, "virDomainCreateWithFlags", t0);
    g_clear_error(&err);
    t0 = g_get_monotonic_time();
    g_assert_false(armz_driver_set_autostart(e.drv, ID(obj), TRUE, &err));
    assert_timeout(err, "virDomainCreateWithFlags", t0);
    g_clear_error(&err);
    t0 = g_get_monotonic_time();
    g_assert_null(define_xml(&e, DOMAIN_XML, &err));
    assert_timeout(err, "virDomainCreateWithFlags", t0);
    g_clear_error(&err);

    g_mutex_lock(&obj->lock);
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    g_assert_true(armz_driver_undefine(e.drv, ID(obj), 0, &err));
    g_assert_no_error(err);
    g_assert_true(obj->removed);
    g_assert_cmpuint(armz_domain_list_count(e.drv->domains), ==, 0);
    env_teardown(&e);
}

/* ---- a long job: suspend waits on a fake VMM that does not answer ---- */

static void
script_slow_stop(Fixture *f)
{
    g_autofree char *id = NULL;

    srv_greet(f);
    id = srv_cmd(f, "stop", NULL);
    step_set(f, 1);          /* the command is in: the job is held */
    step_wait(f, 2);         /* until the test has done its lookups */
    srv_return(f, id, "{}");
}

typedef struct {
    ArmzDriver *drv;
    ArmzDomainObj *obj;
    gboolean ok;
    GError *err;
} Call;

static gpointer
suspend_thread(gpointer data)
{
    Call *c = data;

    c->ok = armz_driver_suspend(c->drv, ID(c->obj), &c->err);
    return NULL;
}

static void
test_lookups_during_long_job(void)
{
    Env e;
    Fixture f;
    g_autoptr(ArmzDomainObj) obj = NULL;
    g_autoptr(GError) err = NULL;
    ArmzDomainRun *run;
    Call c = { 0 };
    GThread *t;
    gint64 t0;

    env_setup(&e);
    obj = define(&e);
    fx_setup(&f, NULL);
    run_script(&f, script_slow_stop);
    /* what a start leaves behind, minus the process */
    g_mutex_lock(&obj->lock);
    run = armz_domain_run_new();
    run->mon = armz_monitor_ref(f.mon);
    run->pid = G_MAXINT32;           /* no such process: never signalled here */
    run->qmp_path = g_build_filename(e.root, "qmp.sock", NULL);
    run->pidfile = g_build_filename(e.root, "vmm.pid", NULL);
    run->log_path = g_build_filename(e.root, "vmm.log", NULL);
    obj->priv = run;
    obj->id = 7;
    obj->state = VIR_DOMAIN_RUNNING;
    obj->reason = VIR_DOMAIN_RUNNING_BOOTED;
    g_mutex_unlock(&obj->lock);

    c.drv = e.drv;
    c.obj = obj;
    t = g_thread_new("suspend", suspend_thread, &c);
    step_wait(&f, 1);

    /* lookups and reads do not wait for the job (else they would hang here:
     * the fake VMM answers only after them) */
    t0 = g_get_monotonic_time();
    {
        ArmzDomainId a = { 0 }, b = { 0 }, d = { 0 };
        g_autoptr(GArray) all = NULL;
        g_autofree char *xml = NULL;

        g_assert_true(armz_driver_lookup_name(e.drv, "jobs", &a, &err));
        g_assert_true(armz_driver_lookup_uuid(e.drv, ID(obj), &b, &err));
        g_assert_true(armz_driver_lookup_id(e.drv, 7, &d, &err));
        all = armz_driver_list_all(e.drv, 0, &err);
        xml = armz_driver_get_xml(e.drv, ID(obj), 0, &err);

        g_assert_no_error(err);
        g_assert_true(memcmp(a.uuid, obj->uuid, 16) == 0 && memcmp(b.uuid, obj->uuid, 16) == 0 &&
                      memcmp(d.uuid, obj->uuid, 16) == 0);
        g_assert_cmpint(a.id, ==, 7);
        g_assert_cmpuint(all->len, ==, 1);
        g_assert_nonnull(strstr(xml, "<domain type='kvm' id='7'>"));
        armz_domain_id_clear(&a);
        armz_domain_id_clear(&b);
        armz_domain_id_clear(&d);
    }
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);

    /* state changes wait, then time out naming the suspend */
    t0 = g_get_monotonic_time();
    g_assert_false(armz_driver_destroy(e.drv, ID(obj), 0, &err));
    assert_timeout(err, "virDomainSuspend", t0);
    g_clear_error(&err);

    step_set(&f, 2);
    g_thread_join(t);
    g_assert_no_error(c.err);
    g_assert_true(c.ok);
    g_mutex_lock(&obj->lock);
    g_assert_cmpint(obj->state, ==, VIR_DOMAIN_PAUSED);
    g_assert_null(obj->job.owner);
    /* back to shut off without a process to kill */
    armz_domain_run_free(obj->priv);
    obj->priv = NULL;
    obj->id = -1;
    obj->state = VIR_DOMAIN_SHUTOFF;
    g_mutex_unlock(&obj->lock);
    fx_teardown(&f, NULL);
    env_teardown(&e);
}

/* ---- one domain, many threads, real (fake) VMMs ---- */

#define RUN_US (1500 * 1000)   /* each thread acts this long */

typedef struct {
    Env *e;
    int kind;
    int unexpected;          /* errors no interleaving explains */
    int succeeded;
} Worker;

static gboolean
expected(const GError *err)
{
    /* a domain that is (not) running or not defined at that moment */
    return err->domain == ARMZ_ERROR &&
           (err->code == VIR_ERR_OPERATION_INVALID || err->code == VIR_ERR_NO_DOMAIN);
}

static gboolean
act(Worker *w, ArmzDomainObj *obj, GError **err)
{
    ArmzDriver *drv = w->e->drv;
    g_autofree char *kernel = g_build_filename(w->e->root, "Image", NULL);
    g_autofree char *xml = g_strdup_printf(RUNNABLE_XML, kernel);

    switch (w->kind) {
    case 0: return !obj || armz_driver_start(drv, ID(obj), 0, 0, err);
    case 1: return !obj || armz_driver_destroy(drv, ID(obj), 0, err);
    case 2: return !obj || armz_driver_suspend(drv, ID(obj), err);
    case 3: return !obj || armz_driver_resume(drv, ID(obj), err);
    case 4: return !obj || armz_driver_undefine(drv, ID(obj), 0, err);
    default: {
        g_autoptr(ArmzDomainObj) o = define_xml(w->e, xml, err);
        return o != NULL;
    }
    }
}

static gpointer
worker(gpointer data)
{
    Worker *w = data;
    gint64 until = g_get_monotonic_time() + RUN_US;

    while (g_get_monotonic_time() < until) {
        g_autoptr(GError) err = NULL;
        g_autoptr(ArmzDomainObj) obj = find_name(w->e, "jobs");

        if (act(w, obj, &err))
            w->succeeded += obj || w->kind == 5;
        else if (g_getenv("JOBS_DEBUG") || !expected(err)) {
            g_printerr("# thread %d: %s\n", w->kind, err->message);
            w->unexpected += !expected(err);
        }
        g_usleep(g_random_int_range(0, 2000));
    }
    return NULL;
}

static void
test_concurrent_one_domain(void)
{
    Env e;
    Worker w[6];
    GThread *t[6];
    g_autoptr(ArmzDomainObj) last = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *kernel = NULL;
    g_autofree char *xml = NULL;
    int starts = 0;

    env_setup(&e);
    armz_obj_job_set_timeout_ms(20000);     /* a timeout here would be a deadlock */
    kernel = g_build_filename(e.root, "Image", NULL);
    g_assert_true(g_file_set_contents(kernel, "", 0, NULL));
    xml = g_strdup_printf(RUNNABLE_XML, kernel);
    last = define_xml(&e, xml, &err);
    g_assert_no_error(err);
    /* the fake VMM serves: one start and destroy on their own */
    g_assert_true(armz_driver_start(e.drv, ID(last), 0, 0, &err));
    g_assert_no_error(err);
    g_assert_true(armz_domain_obj_is_active(last));
    g_assert_true(armz_driver_suspend(e.drv, ID(last), &err));
    g_assert_cmpint(last->state, ==, VIR_DOMAIN_PAUSED);
    g_assert_true(armz_driver_destroy(e.drv, ID(last), 0, &err));
    g_assert_no_error(err);
    g_assert_false(armz_domain_obj_is_active(last));
    g_clear_pointer(&last, armz_domain_obj_unref);

    for (int i = 0; i < 6; i++) {
        w[i] = (Worker){ &e, i, 0, 0 };
        t[i] = g_thread_new("worker", worker, &w[i]);
    }
    for (int i = 0; i < 6; i++) {
        g_thread_join(t[i]);
        g_assert_cmpint(w[i].unexpected, ==, 0);
    }
    starts = w[0].succeeded;
    g_test_message("%d starts, %d destroys, %d undefines succeeded", starts,
                   w[1].succeeded, w[4].succeeded);
    /* the race was run, not just refused */
    g_assert_cmpint(starts, >, 0);
    g_assert_cmpint(w[1].succeeded + w[4].succeeded, >, 0);

    /* whatever the interleaving, one definition remains reachable, and a
     * running domain can still be stopped */
    last = define_xml(&e, xml, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(armz_domain_list_count(e.drv->domains), ==, 1);
    g_assert_null(last->job.owner);
    if (armz_domain_obj_is_active(last))
        g_assert_true(armz_driver_destroy(e.drv, ID(last), 0, &err));
    g_assert_no_error(err);
    g_assert_true(armz_driver_undefine(e.drv, ID(last), 0, &err));
    g_assert_cmpuint(armz_domain_list_count(e.drv->domains), ==, 0);
    env_teardown(&e);
}

/* ---- the fake VMM: this binary again, serving QMP on fd 3 ---- */

static int
fake_vmm(void)
{
    int fd = accept(3, NULL, NULL);
    FILE *in = fd >= 0 ? fdopen(fd, "r") : NULL;
    char *line = NULL;
    size_t cap = 0;
    const char *greeting = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 0, "
                           "\"major\": 0}, \"package\": \"fake\"}, \"capabilities\": []}}\r\n";

    if (!in || write(fd, greeting, strlen(greeting)) < 0)
        return 1;
    while (getline(&line, &cap, in) > 0) {
        const char *p_id[] = { "id", NULL };
        const char *p_exec[] = { "execute", NULL };
        yajl_val v = yajl_tree_parse(line, NULL, 0);
        yajl_val id = v ? yajl_tree_get(v, p_id, yajl_t_any) : NULL;
        const char *cmd = v ? YAJL_GET_STRING(yajl_tree_get(v, p_exec, yajl_t_string)) : NULL;
        g_autofree char *id_json = id ? armz_monitor_json_to_string(id) : g_strdup("null");
        g_autofree char *reply = g_strdup_printf("{\"return\": {}, \"id\": %s}\r\n", id_json);

        if (write(fd, reply, strlen(reply)) < 0)
            return 1;
        if (cmd && strcmp(cmd, "quit") == 0)
            return 0;
        yajl_tree_free(v);
    }
    return 0;
}

int
main(int argc, char **argv)
{
    if (g_getenv(FAKE_VMM_ENV))
        return fake_vmm();
    self_path = g_canonicalize_filename(argv[0], NULL);
    g_setenv(FAKE_VMM_ENV, "1", TRUE);
    g_setenv("ARMZ_KVM_DEVICE", "/dev/null", TRUE);
    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);
    g_test_add_func("/domain-jobs/timeout", test_job_timeout);
    g_test_add_func("/domain-jobs/lookups-during-long-job", test_lookups_during_long_job);
    g_test_add_func("/domain-jobs/concurrent-start-destroy-undefine", test_concurrent_one_domain);
    return g_test_run();
}
