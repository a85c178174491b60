#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/domain_obj.h"

/* The job name of a fresh object, until its creator's setup is done. */
#define NEW_OBJECT_JOB "domain-define"

struct _ArmzDomainList {
    ArmzObjList *objs;
};

ArmzDomainObj *
armz_domain_obj_ref(ArmzDomainObj *obj)
{
    return armz_obj_ref(obj);
}

void
armz_domain_obj_unref(ArmzDomainObj *obj)
{
    armz_obj_unref(obj);
}

static void
domain_obj_dispose(ArmzObj *base)
{
    ArmzDomainObj *obj = (ArmzDomainObj *)base;

    armz_domain_def_free(obj->def);
    armz_domain_def_free(obj->newdef);
}

ArmzDomainDef *
armz_domain_obj_config(ArmzDomainObj *obj)
{
    return obj->newdef ? obj->newdef : obj->def;
}

void
armz_domain_obj_replace_config(ArmzDomainObj *obj, ArmzDomainDef *def)
{
    ArmzDomainDef **slot = obj->newdef ? &obj->newdef : &obj->def;

    armz_domain_def_free(*slot);
    *slot = def;
}

gboolean
armz_domain_obj_is_active(ArmzDomainObj *obj)
{
    return obj->id >= 0;
}

gboolean
armz_domain_obj_begin_job(ArmzDomainObj *obj, const char *api, GError **error)
{
    return armz_obj_begin_job(&obj->parent, api, error);
}

void
armz_domain_obj_begin_job_wait(ArmzDomainObj *obj, const char *api)
{
    armz_obj_begin_job_wait(&obj->parent, api);
}

void
armz_domain_obj_end_job(ArmzDomainObj *obj)
{
    armz_obj_end_job(&obj->parent);
}

ArmzDomainList *
armz_domain_list_new(void)
{
    ArmzDomainList *list = g_new0(ArmzDomainList, 1);

    list->objs = armz_obj_list_new();
    return list;
}

void
armz_domain_list_free(ArmzDomainList *list)
{
    if (!list)
        return;
    armz_obj_list_free(list->objs);
    g_free(list);
}

ArmzDomainObj *
armz_domain_list_find_uuid(ArmzDomainList *list, const unsigned char *uuid)
{
    return armz_obj_list_find_uuid(list->objs, uuid);
}

ArmzDomainObj *
armz_domain_list_find_name(ArmzDomainList *list, const char *name)
{
    return armz_obj_list_find_name(list->objs, name);
}

static gboolean
has_id(gpointer obj, gpointer data)
{
    return ((ArmzDomainObj *)obj)->id == GPOINTER_TO_INT(data);
}

ArmzDomainObj *
armz_domain_list_find_id(ArmzDomainList *list, int id)
{
    if (id < 0)
        return NULL;
    return armz_obj_list_find(list->objs, has_id, GINT_TO_POINTER(id));
}

ArmzDomainObj *
armz_domain_list_add(ArmzDomainList *list, ArmzDomainDef *def,
                     gboolean *existing, GError **error)
{
    ArmzDomainObj *obj = g_new0(ArmzDomainObj, 1);
    g_autoptr(ArmzDomainObj) other = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];

    armz_obj_init(&obj->parent, def->name, def->uuid, domain_obj_dispose);
    obj->id = -1;
    obj->state = VIR_DOMAIN_SHUTOFF;
    obj->reason = VIR_DOMAIN_SHUTOFF_UNKNOWN;
    obj->job.owner = NEW_OBJECT_JOB;
    obj->def = def;                 /* complete before anyone can find it */
    *existing = FALSE;
    other = armz_obj_list_add(list->objs, obj);
    if (!other)
        return obj;
    obj->def = NULL;                /* never shared: DEF stays the caller's */
    armz_domain_obj_unref(obj);
    if (memcmp(other->uuid, def->uuid, 16) == 0 && strcmp(other->name, def->name) == 0) {
        *existing = TRUE;
        return g_steal_pointer(&other);
    }
    if (memcmp(other->uuid, def->uuid, 16) == 0) {
        /* The name of a defined domain never changes under the same UUID. */
        armz_uuid_format(def->uuid, uuid);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("domain '%s' is already defined with uuid %s"), other->name, uuid);
    } else {
        armz_uuid_format(other->uuid, uuid);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("domain '%s' already exists with uuid %s"), def->name, uuid);
    }
    return NULL;
}

void
armz_domain_list_remove(ArmzDomainList *list, ArmzDomainObj *obj)
{
    armz_obj_list_remove(list->objs, obj);
}

GPtrArray *
armz_domain_list_collect(ArmzDomainList *list)
{
    return armz_obj_list_collect(list->objs);
}

guint
armz_domain_list_count(ArmzDomainList *list)
{
    return armz_obj_list_count(list->objs);
}
