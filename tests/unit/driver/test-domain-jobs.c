/* The domain driver's job and locking logic (util/objjob.h, domain_obj.c,
 * driver.c, lifecycle.c) with a fake monitor: a job that times out names
 * the API holding it, lookups go on during a long job, and concurrent
 * start/destroy/undefine/define of one domain neither deadlock nor leave
 * the list inconsistent. No VMM runs: "running" is a domain whose monitor
 * is the fake QMP server of tests/unit/monitor. */
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
    "<memory>524288</memory><os><type>hvm</type></os></domain>"

typedef struct {
    char *root;
    ArmzDriver *drv;
} Env;

static void
env_setup(Env *e)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *schemas = g_build_filename(g_getenv("ARMZ_SRCDIR"), "schemas", NULL);
    g_autoptr(ArmzPaths) paths = NULL;
    ArmzDriverConfig cfg = { .vmm_path = (char *)"/nonexistent/armz-vmm", .schema_dir = schemas };

    e->root = g_dir_make_tmp("armz-jobs-XXXXXX", &err);
    g_assert_no_error(err);
    paths = armz_paths_new(e->root, TRUE);
    e->drv = armz_driver_new(paths, &cfg, &err);
    g_assert_no_error(err);
    armz_obj_job_set_timeout_ms(300);
}

static void
env_teardown(Env *e)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", e->root);

    armz_driver_free(e->drv);
    g_assert_cmpint(system(cmd), ==, 0);
    g_free(e->root);
    armz_obj_job_set_timeout_ms(0);
}

static ArmzDomainObj *
define(Env *e)
{
    g_autoptr(GError) err = NULL;
    ArmzDomainObj *obj = armz_driver_define(e->drv, DOMAIN_XML, 0, &err);

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
    g_assert_false(armz_driver_undefine(e.drv, obj, 0, &err));
    assert_timeout(err, "virDomainCreateWithFlags", t0);
    g_clear_error(&err);
    t0 = g_get_monotonic_time();
    g_assert_false(armz_driver_set_autostart(e.drv, obj, TRUE, &err));
    assert_timeout(err, "virDomainCreateWithFlags", t0);
    g_clear_error(&err);
    t0 = g_get_monotonic_time();
    g_assert_null(armz_driver_define(e.drv, DOMAIN_XML, 0, &err));
    assert_timeout(err, "virDomainCreateWithFlags", t0);
    g_clear_error(&err);

    g_mutex_lock(&obj->lock);
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    g_assert_true(armz_driver_undefine(e.drv, obj, 0, &err));
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

    c->ok = armz_driver_suspend(c->drv, c->obj, &c->err);
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
        g_autoptr(ArmzDomainObj) a = armz_driver_lookup_name(e.drv, "jobs", &err);
        g_autoptr(ArmzDomainObj) b = armz_driver_lookup_uuid(e.drv, obj->uuid, NULL, &err);
        g_autoptr(ArmzDomainObj) d = armz_driver_lookup_id(e.drv, 7, &err);
        g_autoptr(GPtrArray) all = armz_driver_list_all(e.drv, 0, &err);
        g_autofree char *xml = armz_driver_get_xml(e.drv, obj, 0, &err);

        g_assert_no_error(err);
        g_assert_true(a == obj && b == obj && d == obj);
        g_assert_cmpuint(all->len, ==, 1);
        g_assert_nonnull(strstr(xml, "<domain type='kvm' id='7'>"));
    }
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);

    /* state changes wait, then time out naming the suspend */
    t0 = g_get_monotonic_time();
    g_assert_false(armz_driver_destroy(e.drv, obj, 0, &err));
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

/* ---- one domain, many threads ---- */

#define ROUNDS 60

typedef struct {
    Env *e;
    int kind;
    int unexpected;          /* errors no interleaving explains */
} Worker;

static gboolean
expected(const GError *err)
{
    /* a domain that is not running, not defined, or cannot start here */
    return err->domain == ARMZ_ERROR &&
           (err->code == VIR_ERR_OPERATION_INVALID || err->code == VIR_ERR_NO_DOMAIN ||
            err->code == VIR_ERR_CONFIG_UNSUPPORTED || err->code == VIR_ERR_INTERNAL_ERROR ||
            err->code == VIR_ERR_OPERATION_FAILED);
}

static gpointer
worker(gpointer data)
{
    Worker *w = data;

    for (int i = 0; i < ROUNDS; i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(ArmzDomainObj) obj = armz_driver_lookup_name(w->e->drv, "jobs", NULL);
        gboolean ok = TRUE;

        switch (w->kind) {
        case 0:
            if (obj)
                ok = armz_driver_start(w->e->drv, obj, 0, 0, &err);
            break;
        case 1:
            if (obj)
                ok = armz_driver_destroy(w->e->drv, obj, 0, &err);
            break;
        case 2:
            if (obj)
                ok = armz_driver_undefine(w->e->drv, obj, 0, &err);
            break;
        default: {
            g_autoptr(ArmzDomainObj) o = armz_driver_define(w->e->drv, DOMAIN_XML, 0, &err);
            ok = o != NULL;
        }
        }
        if (!ok && (!err || !expected(err))) {
            g_printerr("# thread %d: %s\n", w->kind, err ? err->message : "no error");
            w->unexpected++;
        }
    }
    return NULL;
}

static void
test_concurrent_one_domain(void)
{
    Env e;
    Worker w[4];
    GThread *t[4];
    g_autoptr(ArmzDomainObj) last = NULL;
    g_autoptr(ArmzDomainObj) found = NULL;
    g_autoptr(GError) err = NULL;

    env_setup(&e);
    armz_obj_job_set_timeout_ms(10000);     /* a timeout here would be a deadlock */
    g_clear_pointer(&last, armz_domain_obj_unref);
    last = define(&e);
    for (int i = 0; i < 4; i++) {
        w[i] = (Worker){ &e, i, 0 };
        t[i] = g_thread_new("worker", worker, &w[i]);
    }
    for (int i = 0; i < 4; i++) {
        g_thread_join(t[i]);
        g_assert_cmpint(w[i].unexpected, ==, 0);
    }
    /* whatever the interleaving, one definition remains reachable */
    g_clear_pointer(&last, armz_domain_obj_unref);
    last = define(&e);
    g_assert_cmpuint(armz_domain_list_count(e.drv->domains), ==, 1);
    found = armz_driver_lookup_uuid(e.drv, last->uuid, NULL, &err);
    g_assert_no_error(err);
    g_assert_true(found == last);
    g_assert_false(armz_domain_obj_is_active(found));
    g_assert_null(found->job.owner);
    env_teardown(&e);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);
    g_test_add_func("/domain-jobs/timeout", test_job_timeout);
    g_test_add_func("/domain-jobs/lookups-during-long-job", test_lookups_during_long_job);
    g_test_add_func("/domain-jobs/concurrent-start-destroy-undefine", test_concurrent_one_domain);
    return g_test_run();
}
