#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/domain_obj.h"

struct _ArmzDomainList {
    GRWLock lock;
    GHashTable *by_uuid;     /* uuid string -> obj (owns a ref) */
    GHashTable *by_name;     /* name -> obj (borrowed) */
};

ArmzDomainObj *
armz_domain_obj_ref(ArmzDomainObj *obj)
{
    g_atomic_int_inc(&obj->refs);
    return obj;
}

void
armz_domain_obj_unref(ArmzDomainObj *obj)
{
    if (!obj || !g_atomic_int_dec_and_test(&obj->refs))
        return;
    armz_domain_def_free(obj->def);
    armz_domain_def_free(obj->newdef);
    g_free(obj->name);
    g_mutex_clear(&obj->lock);
    g_cond_clear(&obj->job_cond);
    g_free(obj);
}

ArmzDomainDef *
armz_domain_obj_config(ArmzDomainObj *obj)
{
    return obj->newdef ? obj->newdef : obj->def;
}

gboolean
armz_domain_obj_is_active(ArmzDomainObj *obj)
{
    return obj->id >= 0;
}

void
armz_domain_obj_begin_job(ArmzDomainObj *obj)
{
    while (obj->job_active)
        g_cond_wait(&obj->job_cond, &obj->lock);
    obj->job_active = TRUE;
}

void
armz_domain_obj_end_job(ArmzDomainObj *obj)
{
    obj->job_active = FALSE;
    g_cond_broadcast(&obj->job_cond);
}

static char *
uuid_key(const unsigned char *uuid)
{
    char buf[VIR_UUID_STRING_BUFLEN];

    armz_uuid_format(uuid, buf);
    return g_strdup(buf);
}

ArmzDomainList *
armz_domain_list_new(void)
{
    ArmzDomainList *list = g_new0(ArmzDomainList, 1);

    g_rw_lock_init(&list->lock);
    list->by_uuid = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify)armz_domain_obj_unref);
    list->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return list;
}

void
armz_domain_list_free(ArmzDomainList *list)
{
    if (!list)
        return;
    g_hash_table_unref(list->by_name);
    g_hash_table_unref(list->by_uuid);
    g_rw_lock_clear(&list->lock);
    g_free(list);
}

static ArmzDomainObj *
ref_or_null(ArmzDomainObj *obj)
{
    return obj ? armz_domain_obj_ref(obj) : NULL;
}

ArmzDomainObj *
armz_domain_list_find_uuid(ArmzDomainList *list, const unsigned char *uuid)
{
    g_autofree char *key = uuid_key(uuid);
    ArmzDomainObj *obj;

    g_rw_lock_reader_lock(&list->lock);
    obj = ref_or_null(g_hash_table_lookup(list->by_uuid, key));
    g_rw_lock_reader_unlock(&list->lock);
    return obj;
}

ArmzDomainObj *
armz_domain_list_find_name(ArmzDomainList *list, const char *name)
{
    ArmzDomainObj *obj;

    g_rw_lock_reader_lock(&list->lock);
    obj = ref_or_null(g_hash_table_lookup(list->by_name, name));
    g_rw_lock_reader_unlock(&list->lock);
    return obj;
}

ArmzDomainObj *
armz_domain_list_find_id(ArmzDomainList *list, int id)
{
    GHashTableIter it;
    gpointer value;
    ArmzDomainObj *found = NULL;

    if (id < 0)
        return NULL;
    g_rw_lock_reader_lock(&list->lock);
    g_hash_table_iter_init(&it, list->by_uuid);
    while (!found && g_hash_table_iter_next(&it, NULL, &value)) {
        ArmzDomainObj *obj = value;
        g_mutex_lock(&obj->lock);
        if (obj->id == id)
            found = armz_domain_obj_ref(obj);
        g_mutex_unlock(&obj->lock);
    }
    g_rw_lock_reader_unlock(&list->lock);
    return found;
}

ArmzDomainObj *
armz_domain_list_add(ArmzDomainList *list, ArmzDomainDef *def,
                     gboolean *existing, GError **error)
{
    g_autofree char *key = uuid_key(def->uuid);
    ArmzDomainObj *by_uuid, *by_name, *obj = NULL;

    *existing = FALSE;
    g_rw_lock_writer_lock(&list->lock);
    by_uuid = g_hash_table_lookup(list->by_uuid, key);
    by_name = g_hash_table_lookup(list->by_name, def->name);
    if (by_uuid) {
        /* The name of a defined domain never changes under the same UUID. */
        if (strcmp(by_uuid->name, def->name) != 0) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                        _("domain '%s' is already defined with uuid %s"),
                        by_uuid->name, key);
        } else {
            obj = armz_domain_obj_ref(by_uuid);
            *existing = TRUE;
        }
    } else if (by_name) {
        g_autofree char *other = uuid_key(by_name->uuid);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("domain '%s' already exists with uuid %s"), def->name, other);
    } else {
        obj = g_new0(ArmzDomainObj, 1);
        obj->refs = 1;
        g_mutex_init(&obj->lock);
        g_cond_init(&obj->job_cond);
        obj->def = def;
        obj->name = g_strdup(def->name);
        memcpy(obj->uuid, def->uuid, sizeof(obj->uuid));
        obj->id = -1;
        obj->state = VIR_DOMAIN_SHUTOFF;
        obj->reason = VIR_DOMAIN_SHUTOFF_UNKNOWN;
        obj->job_active = TRUE;
        g_hash_table_insert(list->by_uuid, g_steal_pointer(&key), armz_domain_obj_ref(obj));
        g_hash_table_insert(list->by_name, g_strdup(def->name), obj);
    }
    g_rw_lock_writer_unlock(&list->lock);
    return obj;
}

void
armz_domain_list_remove(ArmzDomainList *list, ArmzDomainObj *obj)
{
    g_autofree char *key = uuid_key(obj->uuid);

    /* Lock order: list before object. */
    g_rw_lock_writer_lock(&list->lock);
    g_mutex_lock(&obj->lock);
    obj->removed = TRUE;
    g_mutex_unlock(&obj->lock);
    if (g_hash_table_lookup(list->by_uuid, key) == obj) {
        g_hash_table_remove(list->by_name, obj->name);
        g_hash_table_remove(list->by_uuid, key);
    }
    g_rw_lock_writer_unlock(&list->lock);
}

static gint
by_name_cmp(gconstpointer a, gconstpointer b)
{
    const ArmzDomainObj *x = *(ArmzDomainObj *const *)a;
    const ArmzDomainObj *y = *(ArmzDomainObj *const *)b;

    return strcmp(x->name, y->name);
}

GPtrArray *
armz_domain_list_collect(ArmzDomainList *list)
{
    GPtrArray *all = g_ptr_array_new_with_free_func((GDestroyNotify)armz_domain_obj_unref);
    GHashTableIter it;
    gpointer value;

    g_rw_lock_reader_lock(&list->lock);
    g_hash_table_iter_init(&it, list->by_uuid);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(all, armz_domain_obj_ref(value));
    g_ptr_array_sort(all, by_name_cmp);
    g_rw_lock_reader_unlock(&list->lock);
    return all;
}

guint
armz_domain_list_count(ArmzDomainList *list)
{
    guint n;

    g_rw_lock_reader_lock(&list->lock);
    n = g_hash_table_size(list->by_uuid);
    g_rw_lock_reader_unlock(&list->lock);
    return n;
}
