/* Domain objects and the list that indexes them by UUID, name and ID, on
 * the object model of util/objlist.h (shared with networks and pools).
 * Lock order: list lock, then object lock; never the other way round. */
#pragma once
#include <glib.h>
#include "conf/domain_conf.h"
#include "util/objlist.h"

typedef struct _ArmzDomainObj ArmzDomainObj;

struct _ArmzDomainObj {
    ARMZ_OBJ_BASE;           /* refs, lock, job, name, uuid, persistent, autostart, removed */
    ArmzDomainDef *def;      /* the live definition while running, else the config */
    ArmzDomainDef *newdef;   /* config for the next start, set while running */
    int id;                  /* -1 when inactive */
    int state;               /* virDomainState */
    int reason;              /* its virDomain*Reason */
    gpointer priv;           /* lifecycle state (a later issue) */
};

ArmzDomainObj *armz_domain_obj_ref(ArmzDomainObj *obj);
void armz_domain_obj_unref(ArmzDomainObj *obj);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzDomainObj, armz_domain_obj_unref)

/* The persistent config of OBJ: newdef when running with one, else def. */
ArmzDomainDef *armz_domain_obj_config(ArmzDomainObj *obj);
/* DEF (taken) replaces that persistent config. */
void armz_domain_obj_replace_config(ArmzDomainObj *obj, ArmzDomainDef *def);
gboolean armz_domain_obj_is_active(ArmzDomainObj *obj);

/* Takes the object's job for API (OBJ locked), waiting at most the job
 * timeout: VIR_ERR_OPERATION_TIMEOUT naming the API that holds it. */
gboolean armz_domain_obj_begin_job(ArmzDomainObj *obj, const char *api, GError **error);
/* Without a time limit, for the daemon's own threads. */
void armz_domain_obj_begin_job_wait(ArmzDomainObj *obj, const char *api);
void armz_domain_obj_end_job(ArmzDomainObj *obj);

typedef struct _ArmzDomainList ArmzDomainList;

ArmzDomainList *armz_domain_list_new(void);
void armz_domain_list_free(ArmzDomainList *list);

/* Returns a new reference, or NULL. */
ArmzDomainObj *armz_domain_list_find_uuid(ArmzDomainList *list, const unsigned char *uuid);
ArmzDomainObj *armz_domain_list_find_name(ArmzDomainList *list, const char *name);
ArmzDomainObj *armz_domain_list_find_id(ArmzDomainList *list, int id);

/* Adds DEF as a new object, or, for an existing UUID with the same name,
 * hands that object back (*EXISTING = TRUE) without touching its defs; the
 * caller replaces them under the object lock and job. A new object is
 * created with its job already taken (for API), so nobody can act on it
 * before the caller has finished setting it up (and calls
 * armz_domain_obj_end_job). Refuses a name taken by another UUID and a
 * UUID taken by another name (VIR_ERR_OPERATION_FAILED). Takes DEF only
 * for a new object. Returns a new reference. */
ArmzDomainObj *armz_domain_list_add(ArmzDomainList *list, ArmzDomainDef *def,
                                    gboolean *existing, GError **error);

/* Takes OBJ (not locked) out of the list and marks it removed. */
void armz_domain_list_remove(ArmzDomainList *list, ArmzDomainObj *obj);

/* A snapshot of the objects (new references), sorted by name. */
GPtrArray *armz_domain_list_collect(ArmzDomainList *list);
guint armz_domain_list_count(ArmzDomainList *list);
