#include <string.h>
#include <libvirt/libvirt.h>

#include "util/log.h"
#include "util/objlist.h"

struct _ArmzObjList {
    GRWLock lock;
    GHashTable *by_uuid;     /* obj->uuid -> obj (owns a reference) */
    GHashTable *by_name;     /* obj->name -> obj (borrowed) */
};

void
armz_obj_init(ArmzObj *obj, const char *name, const unsigned char *uuid,
              ArmzObjDispose dispose)
{
    obj->refs = 1;
    obj->dispose = dispose;
    g_mutex_init(&obj->lock);
    armz_obj_job_init(&obj->job);
    obj->name = g_strdup(name);
    memcpy(obj->uuid, uuid, sizeof(obj->uuid));
    obj->removed = FALSE;
}

gpointer
armz_obj_ref(gpointer p)
{
    ArmzObj *obj = p;

    g_atomic_int_inc(&obj->refs);
    return obj;
}

void
armz_obj_unref(gpointer p)
{
    ArmzObj *obj = p;

    if (!obj || !g_atomic_int_dec_and_test(&obj->refs))
        return;
    if (obj->dispose)
        obj->dispose(obj);
    armz_obj_job_clear(&obj->job);
    g_mutex_clear(&obj->lock);
    g_free(obj->name);
    g_free(obj);
}

gboolean
armz_obj_begin_job(ArmzObj *obj, const char *api, GError **error)
{
    return armz_obj_job_begin(&obj->job, &obj->lock, api, error);
}

void
armz_obj_begin_job_wait(ArmzObj *obj, const char *api)
{
    armz_obj_job_begin_wait(&obj->job, &obj->lock, api);
}

void
armz_obj_end_job(ArmzObj *obj)
{
    armz_obj_job_end(&obj->job);
}

static guint
uuid_hash(gconstpointer key)
{
    const unsigned char *u = key;
    guint h = 5381;

    for (int i = 0; i < 16; i++)
        h = h * 33 + u[i];
    return h;
}

static gboolean
uuid_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, 16) == 0;
}

ArmzObjList *
armz_obj_list_new(void)
{
    ArmzObjList *list = g_new0(ArmzObjList, 1);

    g_rw_lock_init(&list->lock);
    /* keys point into the objects, which the by_uuid table keeps alive */
    list->by_uuid = g_hash_table_new_full(uuid_hash, uuid_equal, NULL, armz_obj_unref);
    list->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    return list;
}

void
armz_obj_list_free(ArmzObjList *list)
{
    if (!list)
        return;
    g_hash_table_unref(list->by_name);
    g_hash_table_unref(list->by_uuid);
    g_rw_lock_clear(&list->lock);
    g_free(list);
}

static gpointer
find_in(ArmzObjList *list, GHashTable *index, gconstpointer key)
{
    gpointer obj;

    g_rw_lock_reader_lock(&list->lock);
    obj = g_hash_table_lookup(index, key);
    if (obj)
        armz_obj_ref(obj);
    g_rw_lock_reader_unlock(&list->lock);
    return obj;
}

gpointer
armz_obj_list_find_uuid(ArmzObjList *list, const unsigned char *uuid)
{
    return find_in(list, list->by_uuid, uuid);
}

gpointer
armz_obj_list_find_name(ArmzObjList *list, const char *name)
{
    return find_in(list, list->by_name, name);
}

gpointer
armz_obj_list_find(ArmzObjList *list, ArmzObjMatch match, gpointer data)
{
    g_autoptr(GPtrArray) all = armz_obj_list_collect(list);

    for (guint i = 0; i < all->len; i++) {
        ArmzObj *obj = g_ptr_array_index(all, i);
        gboolean yes;

        g_mutex_lock(&obj->lock);
        yes = !obj->removed && match(obj, data);
        g_mutex_unlock(&obj->lock);
        if (yes)
            return armz_obj_ref(obj);
    }
    return NULL;
}

gpointer
armz_obj_list_add(ArmzObjList *list, gpointer p)
{
    ArmzObj *obj = p, *other;

    g_rw_lock_writer_lock(&list->lock);
    other = g_hash_table_lookup(list->by_uuid, obj->uuid);
    if (!other)
        other = g_hash_table_lookup(list->by_name, obj->name);
    if (other) {
        armz_obj_ref(other);
    } else {
        g_hash_table_insert(list->by_uuid, obj->uuid, armz_obj_ref(obj));
        g_hash_table_insert(list->by_name, obj->name, obj);
    }
    g_rw_lock_writer_unlock(&list->lock);
    return other;
}

void
armz_obj_list_remove(ArmzObjList *list, gpointer p)
{
    ArmzObj *obj = p;

    g_rw_lock_writer_lock(&list->lock);
    g_mutex_lock(&obj->lock);
    obj->removed = TRUE;
    g_mutex_unlock(&obj->lock);
    if (g_hash_table_lookup(list->by_uuid, obj->uuid) == obj) {
        g_hash_table_remove(list->by_name, obj->name);
        g_hash_table_remove(list->by_uuid, obj->uuid);   /* drops the list's reference */
    }
    g_rw_lock_writer_unlock(&list->lock);
}

static gint
by_name_cmp(gconstpointer a, gconstpointer b)
{
    const ArmzObj *x = *(ArmzObj *const *)a;
    const ArmzObj *y = *(ArmzObj *const *)b;

    return strcmp(x->name, y->name);
}

GPtrArray *
armz_obj_list_collect(ArmzObjList *list)
{
    GPtrArray *all = g_ptr_array_new_with_free_func(armz_obj_unref);
    GHashTableIter it;
    gpointer value;

    g_rw_lock_reader_lock(&list->lock);
    g_hash_table_iter_init(&it, list->by_uuid);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(all, armz_obj_ref(value));
    g_rw_lock_reader_unlock(&list->lock);
    g_ptr_array_sort(all, by_name_cmp);
    return all;
}

guint
armz_obj_list_count(ArmzObjList *list)
{
    guint n;

    g_rw_lock_reader_lock(&list->lock);
    n = g_hash_table_size(list->by_uuid);
    g_rw_lock_reader_unlock(&list->lock);
    return n;
}

/* A pair of filter flags: only YES, only NO, or no filter. */
static gboolean
pair_matches(unsigned int flags, unsigned int yes, unsigned int no, gboolean value)
{
    unsigned int both = yes | no;

    if ((flags & both) == 0 || (flags & both) == both)
        return TRUE;
    return (flags & yes) ? value : !value;
}

G_STATIC_ASSERT((int)VIR_CONNECT_LIST_NETWORKS_ACTIVE ==
                (int)VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
G_STATIC_ASSERT((int)VIR_CONNECT_LIST_NETWORKS_INACTIVE ==
                (int)VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE);
G_STATIC_ASSERT((int)VIR_CONNECT_LIST_NETWORKS_PERSISTENT ==
                (int)VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT);
G_STATIC_ASSERT((int)VIR_CONNECT_LIST_NETWORKS_TRANSIENT ==
                (int)VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT);
G_STATIC_ASSERT((int)VIR_CONNECT_LIST_NETWORKS_AUTOSTART ==
                (int)VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART);
G_STATIC_ASSERT((int)VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART ==
                (int)VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART);

gboolean
armz_obj_state_matches(unsigned int flags, gboolean active, gboolean persistent,
                       gboolean autostart)
{
    return pair_matches(flags, VIR_CONNECT_LIST_NETWORKS_ACTIVE,
                        VIR_CONNECT_LIST_NETWORKS_INACTIVE, active) &&
           pair_matches(flags, VIR_CONNECT_LIST_NETWORKS_PERSISTENT,
                        VIR_CONNECT_LIST_NETWORKS_TRANSIENT, persistent) &&
           pair_matches(flags, VIR_CONNECT_LIST_NETWORKS_AUTOSTART,
                        VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART, autostart);
}

void
armz_obj_sink_init(ArmzObjSink *s)
{
    g_mutex_init(&s->lock);
    s->fn = NULL;
    s->opaque = NULL;
}

void
armz_obj_sink_clear(ArmzObjSink *s)
{
    g_mutex_clear(&s->lock);
}

void
armz_obj_sink_set(ArmzObjSink *s, ArmzObjFunc fn, gpointer opaque)
{
    g_mutex_lock(&s->lock);
    s->fn = fn;
    s->opaque = opaque;
    g_mutex_unlock(&s->lock);
}

void
armz_obj_sink_emit(ArmzObjSink *s, ArmzObjSinkCall call, gconstpointer event)
{
    g_mutex_lock(&s->lock);
    if (s->fn)
        call(s->fn, s->opaque, event);
    g_mutex_unlock(&s->lock);
}

void
armz_obj_list_autostart(ArmzObjList *list, gsize active_offset, ArmzObjStart start,
                        gpointer drv, const char *kind)
{
    g_autoptr(GPtrArray) all = armz_obj_list_collect(list);

    for (guint i = 0; i < all->len; i++) {
        ArmzObj *obj = g_ptr_array_index(all, i);
        g_autoptr(GError) err = NULL;
        gboolean want;

        g_mutex_lock(&obj->lock);
        want = !obj->removed && obj->autostart &&
               !G_STRUCT_MEMBER(gboolean, obj, active_offset);
        g_mutex_unlock(&obj->lock);
        if (!want)
            continue;
        if (start(drv, obj, &err))
            armz_info("%s '%s' autostarted", kind, obj->name);
        else
            armz_err("autostart of %s '%s' failed: %s", kind, obj->name, err->message);
    }
}
