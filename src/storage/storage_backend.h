/* What each pool type does on the host. Backends work on private copies
 * of the definitions, without the pool's lock: they may run commands
 * and copy gigabytes. Every function reports its own errors. */
#pragma once
#include <glib.h>
#include "storage/storage_conf.h"

typedef struct {
    ArmzPoolType type;
    /* After a daemon restart: is the pool still started on the host? */
    gboolean (*is_started)(const ArmzPoolDef *def);
    gboolean (*build)(const ArmzPoolDef *def, unsigned int flags, GError **error);
    gboolean (*start)(const ArmzPoolDef *def, GError **error);
    gboolean (*stop)(const ArmzPoolDef *def, GError **error);
    gboolean (*remove)(const ArmzPoolDef *def, unsigned int flags, GError **error);
    /* Sets DEF's capacity figures and fills VOLS (ArmzVolDef*). */
    gboolean (*refresh)(ArmzPoolDef *def, GPtrArray *vols, GError **error);

    /* VOL has its name; the backend sets path and key. On failure nothing
     * of the volume is left behind. */
    void (*vol_locate)(const ArmzPoolDef *pool, ArmzVolDef *vol);
    gboolean (*vol_create)(const ArmzPoolDef *pool, ArmzVolDef *vol, unsigned int flags,
                           GError **error);
    gboolean (*vol_clone)(const ArmzPoolDef *pool, ArmzVolDef *vol, const ArmzVolDef *src,
                          unsigned int flags, GError **error);
    gboolean (*vol_delete)(const ArmzPoolDef *pool, const ArmzVolDef *vol, GError **error);
    gboolean (*vol_resize)(const ArmzPoolDef *pool, const ArmzVolDef *vol, guint64 capacity,
                           unsigned int flags, GError **error);
    gboolean (*vol_wipe)(const ArmzPoolDef *pool, const ArmzVolDef *vol, GError **error);
    /* Re-reads VOL's figures from the host. */
    gboolean (*vol_refresh)(const ArmzPoolDef *pool, ArmzVolDef *vol, GError **error);
} ArmzStorageBackend;

const ArmzStorageBackend *armz_storage_backend_for(ArmzPoolType type);

extern const ArmzStorageBackend armz_backend_dir;
extern const ArmzStorageBackend armz_backend_fs;
extern const ArmzStorageBackend armz_backend_logical;

/* ---- file volumes (dir and fs pools): vol_file.c ---- */
gboolean armz_vol_file_probe(ArmzVolDef *vol, GError **error);
gboolean armz_vol_file_scan(const char *dir, GPtrArray *vols, GError **error);
gboolean armz_vol_file_create(const ArmzPoolDef *pool, ArmzVolDef *vol, unsigned int flags,
                              GError **error);
gboolean armz_vol_file_clone(const ArmzPoolDef *pool, ArmzVolDef *vol, const ArmzVolDef *src,
                             unsigned int flags, GError **error);
gboolean armz_vol_file_delete(const ArmzPoolDef *pool, const ArmzVolDef *vol, GError **error);
gboolean armz_vol_file_resize(const ArmzPoolDef *pool, const ArmzVolDef *vol,
                              guint64 capacity, unsigned int flags, GError **error);
gboolean armz_vol_file_wipe(const ArmzPoolDef *pool, const ArmzVolDef *vol, GError **error);
gboolean armz_vol_file_refresh(const ArmzPoolDef *pool, ArmzVolDef *vol, GError **error);
void armz_vol_file_locate(const ArmzPoolDef *pool, ArmzVolDef *vol);
/* Capacity figures of the filesystem holding DEF's target. */
gboolean armz_pool_statvfs(ArmzPoolDef *def, GError **error);
/* Writes zeros over LEN bytes of FD from 0 (only its data extents when
 * SPARSE_AWARE): what wiping a volume means. */
gboolean armz_sto_zero_fd(int fd, guint64 len, gboolean sparse_aware, const char *what,
                          GError **error);
/* Copies SRC's LEN bytes into DST, keeping holes as holes when DST is a
 * fresh file. */
gboolean armz_sto_copy_fd(int src, int dst, guint64 len, gboolean keep_holes,
                          const char *what, GError **error);
