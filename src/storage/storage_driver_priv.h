/* The storage driver's objects; internal to storage/.
 *
 * One lock (drv->lock) guards the pool list and every field below. Long
 * work (commands, copies) runs without it: a pool-level operation holds
 * the pool's job (obj->job), a volume operation counts in obj->asyncjobs
 * (pool operations that would pull the pool away wait or refuse), and the
 * backends see private copies of the definitions. */
#pragma once
#include <libvirt/libvirt.h>
#include "storage/storage_driver.h"
#include "storage/storage_backend.h"
#include "storage/pool_store.h"
#include "util/flags.h"

typedef struct {
    ArmzVolDef *def;
    int building;               /* being created or deleted: no other use */
    int in_use;                 /* transfers, wipes, resizes, clone sources */
} ArmzVolObj;

typedef struct {
    int refs;
    ArmzPoolDef *def;           /* the running definition, or the only one */
    ArmzPoolDef *newdef;        /* a redefinition, applied at the next start */
    const ArmzStorageBackend *backend;
    gboolean active;
    gboolean persistent;
    gboolean autostart;
    gboolean job;               /* a pool-level operation runs */
    int asyncjobs;              /* volume operations under way */
    gboolean removed;           /* no longer in the list */
    GPtrArray *vols;            /* ArmzVolObj* */
} ArmzPoolObj;

struct _ArmzStorageDriver {
    GMutex lock;
    GCond cond;                 /* a job ended */
    ArmzPoolStore *store;
    char *image_dir;
    GPtrArray *pools;           /* ArmzPoolObj* (a reference each) */
    ArmzPoolEventFunc event_fn;
    gpointer event_opaque;
};

/* Lock held for all of these. */
ArmzPoolObj *armz_pool_obj_ref(ArmzPoolObj *obj);
void armz_pool_obj_unref(ArmzPoolObj *obj);
ArmzPoolObj *armz_sto_find_name(ArmzStorageDriver *drv, const char *name);
/* By name, started: VIR_ERR_NO_STORAGE_POOL / VIR_ERR_OPERATION_INVALID. */
ArmzPoolObj *armz_sto_get_active(ArmzStorageDriver *drv, const char *name, GError **error);
ArmzVolObj *armz_sto_find_vol(ArmzPoolObj *obj, const char *name);
ArmzVolObj *armz_sto_get_vol(ArmzPoolObj *obj, const char *name, GError **error);
/* A volume operation on OBJ: waits out a pool job; the pool must be
 * started. Pair with armz_sto_end_vol_op. */
gboolean armz_sto_begin_vol_op(ArmzStorageDriver *drv, ArmzPoolObj *obj, GError **error);
void armz_sto_end_vol_op(ArmzStorageDriver *drv, ArmzPoolObj *obj);
/* Replaces OBJ's figures and volumes with a backend refresh's, keeping
 * the counters of volumes that still exist and volumes being made. */
void armz_sto_merge_refresh(ArmzPoolObj *obj, const ArmzPoolDef *fresh, GPtrArray *vols);
/* Refreshes OBJ from the host without the lock (taken and dropped inside;
 * enter and leave with it held). Failure is logged. */
void armz_sto_refresh_unlocked(ArmzStorageDriver *drv, ArmzPoolObj *obj);
ArmzVolId *armz_sto_vol_id(ArmzPoolObj *obj, ArmzVolObj *vol);
ArmzPoolId *armz_sto_pool_id(ArmzPoolObj *obj);
