/* The object model shared by domains, networks and storage pools: each
 * object has an atomic reference count, its own lock and job (objjob.h), a
 * name and UUID fixed for its life; a list indexes the objects by UUID and
 * by name. Lock order: list lock, then object lock; never the other way
 * round, and never two object locks at once. */
#pragma once
#include <glib.h>
#include "util/objjob.h"

typedef struct _ArmzObj ArmzObj;

/* Frees what a kind of object adds to the common part. */
typedef void (*ArmzObjDispose)(ArmzObj *obj);

#define ARMZ_OBJ_FIELDS \
    gint refs; \
    ArmzObjDispose dispose; \
    GMutex lock;            /* guards the kind's fields and the job */ \
    ArmzObjJob job; \
    char *name;             /* fixed for the object's life: readable unlocked */ \
    unsigned char uuid[16]; \
    gboolean persistent;    /* has a stored definition */ \
    gboolean autostart;     /* started with the daemon */ \
    gboolean removed        /* gone from its list; references still held */

struct _ArmzObj {
    ARMZ_OBJ_FIELDS;
};

/* The first member of every kind of object: its fields are both
 * obj->parent.lock and, more briefly, obj->lock. */
#define ARMZ_OBJ_BASE \
    union { \
        ArmzObj parent; \
        struct { ARMZ_OBJ_FIELDS; }; \
    }

/* Sets up OBJ's common part (one reference, held by the caller). */
void armz_obj_init(ArmzObj *obj, const char *name, const unsigned char *uuid,
                   ArmzObjDispose dispose);
gpointer armz_obj_ref(gpointer obj);
/* Drops a reference; the last one disposes of the object and frees it. */
void armz_obj_unref(gpointer obj);

/* The object's job (its lock held); see objjob.h. */
gboolean armz_obj_begin_job(ArmzObj *obj, const char *api, GError **error);
void armz_obj_begin_job_wait(ArmzObj *obj, const char *api);
void armz_obj_end_job(ArmzObj *obj);

typedef struct _ArmzObjList ArmzObjList;

ArmzObjList *armz_obj_list_new(void);
void armz_obj_list_free(ArmzObjList *list);

/* Each returns a new reference, or NULL. */
gpointer armz_obj_list_find_uuid(ArmzObjList *list, const unsigned char *uuid);
gpointer armz_obj_list_find_name(ArmzObjList *list, const char *name);
/* The first object (by name) for which MATCH, called with the object
 * locked, says TRUE. */
typedef gboolean (*ArmzObjMatch)(gpointer obj, gpointer data);
gpointer armz_obj_list_find(ArmzObjList *list, ArmzObjMatch match, gpointer data);

/* Inserts OBJ (the list takes a reference) unless its UUID or name is
 * taken: then returns a new reference to the object that has the UUID, or
 * else the name; the caller compares identities. NULL when inserted. */
gpointer armz_obj_list_add(ArmzObjList *list, gpointer obj);
/* Takes OBJ out of the list and marks it removed; OBJ must not be locked. */
void armz_obj_list_remove(ArmzObjList *list, gpointer obj);

/* A snapshot of the objects (new references, freed with the array),
 * sorted by name. */
GPtrArray *armz_obj_list_collect(ArmzObjList *list);
guint armz_obj_list_count(ArmzObjList *list);

/* Whether an object ACTIVE, PERSISTENT and AUTOSTART passes the filter
 * FLAGS of virConnectListAllNetworks or virConnectListAllStoragePools
 * (which share these bits): a group with neither or both of its flags
 * does not filter. */
gboolean armz_obj_state_matches(unsigned int flags, gboolean active, gboolean persistent,
                                gboolean autostart);

/* Where a driver sends its events: set when the daemon serves, cleared
 * before it stops. The sink runs with S's lock held, so clearing S waits
 * for the calls under way. CALL turns FN back into the kind's own sink
 * type and passes it EVENT. */
typedef void (*ArmzObjFunc)(void);

typedef struct {
    GMutex lock;
    ArmzObjFunc fn;
    gpointer opaque;
} ArmzObjSink;

typedef void (*ArmzObjSinkCall)(ArmzObjFunc fn, gpointer opaque, gconstpointer event);

void armz_obj_sink_init(ArmzObjSink *s);
void armz_obj_sink_clear(ArmzObjSink *s);
void armz_obj_sink_set(ArmzObjSink *s, ArmzObjFunc fn, gpointer opaque);
void armz_obj_sink_emit(ArmzObjSink *s, ArmzObjSinkCall call, gconstpointer event);

/* Autostart: START (with DRV) for each object marked autostart whose
 * gboolean at ACTIVE_OFFSET (read under its lock) is FALSE; failures are
 * logged naming the KIND. */
typedef gboolean (*ArmzObjStart)(gpointer drv, ArmzObj *obj, GError **error);
void armz_obj_list_autostart(ArmzObjList *list, gsize active_offset, ArmzObjStart start,
                             gpointer drv, const char *kind);
