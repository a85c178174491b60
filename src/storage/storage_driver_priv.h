/* The storage driver's objects; internal to storage/ (see
 * docs/threads-and-locks.md).
 *
 * Each pool is an ArmzObj (util/objlist.h): its lock guards the fields
 * below and its volumes. Long work (commands, copies, directory scans)
 * runs without it: a pool-level operation holds the pool's job, a volume
 * operation counts in asyncjobs (pool operations that would pull the pool
 * away refuse), and the backends see private copies of the definitions.
 * drv->lock serialises define and create, whose checks span every pool;
 * it is taken before a pool lock, never after, and never held while
 * waiting for a job. */
#pragma once
#include <libvirt/libvirt.h>
#include "storage/storage_driver.h"
#include "storage/storage_backend.h"
#include "storage/pool_store.h"
#include "util/flags.h"
#include "util/objlist.h"

typedef struct {
    ArmzVolDef *def;
    int building;               /* being created or deleted: no other use */
    int in_use;                 /* transfers, wipes, resizes, clone sources */
    guint64 changed;            /* the pool's change count when the driver last made or
                                 * changed it */
} ArmzVolObj;

typedef struct {
    ARMZ_OBJ_BASE;
    ArmzPoolDef *def;           /* the running definition, or the only one */
    ArmzPoolDef *newdef;        /* a redefinition, applied at the next start */
    const ArmzStorageBackend *backend;
    gboolean active;
    int asyncjobs;              /* volume operations under way */
    GPtrArray *vols;            /* ArmzVolObj* */
    /* A refresh scans the host without the lock: what the driver changed
     * meanwhile is newer than the scan and wins over it. */
    guint64 changes;            /* the driver's changes to the volume list */
    int scans;                  /* refreshes scanning now */
    GHashTable *gone;           /* name -> change count of its delete, while scans run */
} ArmzPoolObj;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzPoolObj, armz_obj_unref)

struct _ArmzStorageDriver {
    GMutex lock;                /* define and create */
    ArmzObjList *pools;
    ArmzPoolStore *store;
    char *image_dir;
    ArmzObjSink events;         /* an ArmzPoolEventSink */
    ArmzVolSecretFunc resolve_secret;   /* LUKS volumes' passphrases */
    gpointer secret_opaque;
};

ArmzPoolObj *armz_pool_obj_new(ArmzPoolDef *def);
/* A new reference to the pool, or VIR_ERR_NO_STORAGE_POOL. */
ArmzPoolObj *armz_sto_get_name(ArmzStorageDriver *drv, const char *name, GError **error);
ArmzPoolObj *armz_sto_get_id(ArmzStorageDriver *drv, const ArmzPoolId *id, GError **error);
/* By name, started: a new reference, locked; VIR_ERR_NO_STORAGE_POOL or
 * VIR_ERR_OPERATION_INVALID. Undo with armz_sto_unlock. */
ArmzPoolObj *armz_sto_lock_active(ArmzStorageDriver *drv, const char *name, GError **error);
void armz_sto_unlock(ArmzPoolObj *obj);

/* Pool lock held for these. */
ArmzVolObj *armz_sto_find_vol(ArmzPoolObj *obj, const char *name);
ArmzVolObj *armz_sto_get_vol(ArmzPoolObj *obj, const char *name, GError **error);
/* A volume operation on OBJ: waits out a pool job; the pool must be
 * started. Pair with armz_sto_end_vol_op. */
gboolean armz_sto_begin_vol_op(ArmzPoolObj *obj, GError **error);
void armz_sto_end_vol_op(ArmzPoolObj *obj);
/* The driver made or changed VOL / deletes it (and drops it from the
 * list): a refresh that scanned before does not undo that. */
void armz_sto_vol_touched(ArmzPoolObj *obj, ArmzVolObj *vol);
void armz_sto_vol_forget(ArmzPoolObj *obj, ArmzVolObj *vol);
/* Merges a backend refresh begun at change count SINCE into OBJ: its
 * figures, and its volumes except those the driver made, changed or
 * deleted since; counters of volumes that stay are kept. */
void armz_sto_merge_refresh(ArmzPoolObj *obj, const ArmzPoolDef *fresh, GPtrArray *vols,
                            guint64 since);
/* Refreshes OBJ from the host without its lock (enter and leave with it
 * held); FALSE with ERROR when the backend fails (OBJ is untouched). */
gboolean armz_sto_refresh_now(ArmzPoolObj *obj, GError **error);
/* The same, failure logged. */
void armz_sto_refresh_unlocked(ArmzPoolObj *obj);
ArmzVolId *armz_sto_vol_id(ArmzPoolObj *obj, ArmzVolObj *vol);
ArmzPoolId *armz_sto_pool_id(ArmzPoolObj *obj);
void armz_sto_emit(ArmzStorageDriver *drv, ArmzPoolObj *obj, int event_id, int event);

/* Pool jobs (storage_pool_obj.c): a new reference, locked, job held for API. */
ArmzPoolObj *armz_sto_begin_job(ArmzStorageDriver *drv, const ArmzPoolId *id, const char *api,
                                GError **error);
/* Ends the job, unlocks and drops the reference. */
void armz_sto_end_job(ArmzPoolObj *obj);
gboolean armz_sto_check_no_asyncjobs(ArmzPoolObj *obj, GError **error);
/* Checks DEF against the pools with its name or UUID, and against pools
 * on the same storage (drv->lock held): *SAME is a new reference to the
 * pool it redefines, or NULL for a new pool. */
gboolean armz_sto_check_duplicate(ArmzStorageDriver *drv, const ArmzPoolDef *def,
                                  ArmzPoolObj **same, GError **error);
/* Takes OBJ (locked) out of the list; it stays locked. */
void armz_sto_remove(ArmzStorageDriver *drv, ArmzPoolObj *obj);
