/* The shared object model (util/objlist.h, util/objjob.h): indexes and
 * identity clashes, references that outlive removal, the job's timeout
 * and its message, the list filter flags and autostart. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/error.h"
#include "util/objlist.h"

typedef struct {
    ARMZ_OBJ_BASE;
    gboolean active;
    int *disposed;
} TestObj;

static void
dispose(ArmzObj *base)
{
    (*((TestObj *)base)->disposed)++;
}

static TestObj *
new_obj(const char *name, unsigned char tag, int *disposed)
{
    TestObj *o = g_new0(TestObj, 1);
    unsigned char uuid[16];

    memset(uuid, tag, sizeof(uuid));
    armz_obj_init(&o->parent, name, uuid, dispose);
    o->disposed = disposed;
    return o;
}

static void
test_indexes_and_clashes(void)
{
    ArmzObjList *list = armz_obj_list_new();
    int disposed = 0;
    TestObj *a = new_obj("a", 1, &disposed);
    TestObj *same_uuid = new_obj("b", 1, &disposed);
    TestObj *same_name = new_obj("a", 2, &disposed);
    TestObj *found, *other;
    g_autoptr(GPtrArray) all = NULL;

    g_assert_null(armz_obj_list_add(list, a));
    /* a clash hands back the object that has the UUID, else the name */
    other = armz_obj_list_add(list, same_uuid);
    g_assert_true(other == (gpointer)a);
    armz_obj_unref(other);
    other = armz_obj_list_add(list, same_name);
    g_assert_true(other == (gpointer)a);
    armz_obj_unref(other);
    g_assert_cmpuint(armz_obj_list_count(list), ==, 1);

    found = armz_obj_list_find_uuid(list, a->uuid);
    g_assert_true(found == a);
    armz_obj_unref(found);
    found = armz_obj_list_find_name(list, "a");
    g_assert_true(found == a);
    armz_obj_unref(found);
    g_assert_null(armz_obj_list_find_name(list, "b"));

    /* removal: gone from the indexes, alive while referenced */
    armz_obj_list_remove(list, a);
    g_assert_true(a->removed);
    g_assert_null(armz_obj_list_find_name(list, "a"));
    all = armz_obj_list_collect(list);
    g_assert_cmpuint(all->len, ==, 0);
    g_assert_cmpint(disposed, ==, 0);
    armz_obj_unref(a);
    g_assert_cmpint(disposed, ==, 1);
    armz_obj_unref(same_uuid);
    armz_obj_unref(same_name);
    g_assert_cmpint(disposed, ==, 3);
    armz_obj_list_free(list);
}

static void
test_collect_sorted(void)
{
    ArmzObjList *list = armz_obj_list_new();
    const char *names[] = { "m", "c", "x", "a" };
    int disposed = 0;
    g_autoptr(GPtrArray) all = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        TestObj *o = new_obj(names[i], (unsigned char)(i + 1), &disposed);
        g_assert_null(armz_obj_list_add(list, o));
        armz_obj_unref(o);
    }
    all = armz_obj_list_collect(list);
    g_assert_cmpuint(all->len, ==, 4);
    g_assert_cmpstr(((ArmzObj *)all->pdata[0])->name, ==, "a");
    g_assert_cmpstr(((ArmzObj *)all->pdata[3])->name, ==, "x");
    armz_obj_list_free(list);
    g_assert_cmpint(disposed, ==, 0);       /* the snapshot holds them */
    g_clear_pointer(&all, g_ptr_array_unref);
    g_assert_cmpint(disposed, ==, 4);
}

static gpointer
hold_then_end(gpointer data)
{
    TestObj *o = data;

    g_usleep(150 * 1000);
    g_mutex_lock(&o->lock);
    armz_obj_end_job(&o->parent);
    g_mutex_unlock(&o->lock);
    return NULL;
}

static void
test_job(void)
{
    int disposed = 0;
    TestObj *o = new_obj("j", 9, &disposed);
    g_autoptr(GError) err = NULL;
    GThread *t;
    gint64 t0;

    armz_obj_job_set_timeout_ms(200);
    g_mutex_lock(&o->lock);
    g_assert_true(armz_obj_begin_job(&o->parent, "virNetworkCreate", NULL));
    t0 = g_get_monotonic_time();
    g_assert_false(armz_obj_begin_job(&o->parent, "virNetworkDestroy", &err));
    g_assert_cmpint(g_get_monotonic_time() - t0, >=, 190 * 1000);
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_OPERATION_TIMEOUT);
    g_assert_cmpstr(err->message, ==,
                    "cannot acquire state change lock (held by virNetworkCreate)");
    g_clear_error(&err);
    g_assert_false(armz_obj_job_wait_free(&o->job, &o->lock, &err));
    g_clear_error(&err);

    /* a job that ends before the timeout hands over */
    armz_obj_job_set_timeout_ms(5000);
    t = g_thread_new("holder", hold_then_end, o);
    g_mutex_unlock(&o->lock);
    g_mutex_lock(&o->lock);
    g_assert_true(armz_obj_begin_job(&o->parent, "virNetworkDestroy", &err));
    g_assert_no_error(err);
    g_assert_cmpstr(o->job.owner, ==, "virNetworkDestroy");
    armz_obj_end_job(&o->parent);
    g_mutex_unlock(&o->lock);
    g_thread_join(t);
    armz_obj_job_set_timeout_ms(0);
    g_assert_cmpuint(armz_obj_job_timeout_ms(), ==, 30000);
    armz_obj_unref(o);
}

static void
test_state_filter(void)
{
    const unsigned int act = VIR_CONNECT_LIST_NETWORKS_ACTIVE;
    const unsigned int inact = VIR_CONNECT_LIST_NETWORKS_INACTIVE;
    const unsigned int trans = VIR_CONNECT_LIST_NETWORKS_TRANSIENT;
    const unsigned int noauto = VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART;

    g_assert_true(armz_obj_state_matches(0, FALSE, FALSE, FALSE));
    g_assert_true(armz_obj_state_matches(act, TRUE, FALSE, FALSE));
    g_assert_false(armz_obj_state_matches(act, FALSE, TRUE, TRUE));
    g_assert_true(armz_obj_state_matches(act | inact, FALSE, FALSE, FALSE));
    g_assert_false(armz_obj_state_matches(trans, TRUE, TRUE, FALSE));
    g_assert_true(armz_obj_state_matches(act | noauto, TRUE, TRUE, FALSE));
    g_assert_false(armz_obj_state_matches(act | noauto, TRUE, TRUE, TRUE));
}

static gboolean
record_start(gpointer drv, ArmzObj *obj, GError **error)
{
    g_ptr_array_add(drv, g_strdup(obj->name));
    return TRUE;
}

static void
test_autostart(void)
{
    ArmzObjList *list = armz_obj_list_new();
    g_autoptr(GPtrArray) started = g_ptr_array_new_with_free_func(g_free);
    int disposed = 0;
    struct { const char *name; gboolean autostart, active; } objs[] = {
        { "on", TRUE, FALSE }, { "running", TRUE, TRUE }, { "off", FALSE, FALSE },
    };

    for (guint i = 0; i < G_N_ELEMENTS(objs); i++) {
        TestObj *o = new_obj(objs[i].name, (unsigned char)(i + 1), &disposed);
        o->autostart = objs[i].autostart;
        o->active = objs[i].active;
        g_assert_null(armz_obj_list_add(list, o));
        armz_obj_unref(o);
    }
    armz_obj_list_autostart(list, G_STRUCT_OFFSET(TestObj, active), record_start, started,
                            "test object");
    g_assert_cmpuint(started->len, ==, 1);
    g_assert_cmpstr(started->pdata[0], ==, "on");
    armz_obj_list_free(list);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/objlist/indexes-and-clashes", test_indexes_and_clashes);
    g_test_add_func("/objlist/collect-sorted", test_collect_sorted);
    g_test_add_func("/objlist/job", test_job);
    g_test_add_func("/objlist/state-filter", test_state_filter);
    g_test_add_func("/objlist/autostart", test_autostart);
    return g_test_run();
}
