/* The storage driver: pools and their volumes, what each libvirt storage
 * API does, independent of the RPC layer. Entry points follow libvirt's
 * sequence (check flags, look up, begin job, check state, act, end job);
 * errors are GErrors in ARMZ_ERROR whose codes are virErrorNumbers.
 *
 * Pools are named on the wire by UUID (and name, for messages), volumes by
 * their pool's name and their own name, as libvirt's daemon names them. */
#pragma once
#include <glib.h>
#include "util/paths.h"

typedef struct _ArmzStorageDriver ArmzStorageDriver;

typedef struct {
    char *name;
    unsigned char uuid[16];
} ArmzPoolId;

typedef struct {
    char *pool;
    char *name;
    char *key;
} ArmzVolId;

void armz_pool_id_free(ArmzPoolId *id);
void armz_vol_id_free(ArmzVolId *id);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzPoolId, armz_pool_id_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzVolId, armz_vol_id_free)

/* Pool events: EVENT_ID is a virStoragePoolEventID; EVENT and DETAIL as
 * libvirt's lifecycle callback has them (DETAIL is always 0). */
typedef void (*ArmzPoolEventSink)(const ArmzPoolId *pool, int event_id, int event,
                                  gpointer opaque);

/* Loads the stored definitions (and, on the first start, defines the
 * shipped default pool); started pools found again on the host stay
 * started. */
ArmzStorageDriver *armz_storage_driver_new(const ArmzPaths *paths, GError **error);
void armz_storage_driver_free(ArmzStorageDriver *drv);
void armz_storage_driver_set_event_sink(ArmzStorageDriver *drv, ArmzPoolEventSink sink,
                                        gpointer opaque);
/* The former names (the daemon still uses them). */
typedef ArmzPoolEventSink ArmzPoolEventFunc;
#define armz_storage_driver_set_event_func armz_storage_driver_set_event_sink
/* The passphrase of a LUKS volume to create: the value of the secret
 * with UUID, or of the 'volume' secret with usage id USAGE. Set by the
 * daemon from the secret driver. */
typedef GBytes *(*ArmzVolSecretFunc)(const char *uuid, const char *usage, gpointer opaque,
                                     GError **error);
void armz_storage_driver_set_secret_resolver(ArmzStorageDriver *drv, ArmzVolSecretFunc fn,
                                             gpointer opaque);
/* Starts the autostart pools that are not started. */
void armz_storage_driver_autostart(ArmzStorageDriver *drv);
/* The domain driver's volume resolver (ArmzResolveVolumeFunc; OPAQUE is
 * the storage driver). */
gboolean armz_storage_resolve_volume(const char *pool, const char *vol, const char *format,
                                     char **path,
                                     gpointer opaque, GError **error);

/* ---- pools ---- */
ArmzPoolId *armz_storage_pool_lookup_name(ArmzStorageDriver *drv, const char *name,
                                          GError **error);
ArmzPoolId *armz_storage_pool_lookup_uuid(ArmzStorageDriver *drv, const unsigned char *uuid,
                                          GError **error);
ArmzPoolId *armz_storage_pool_lookup_target(ArmzStorageDriver *drv, const char *path,
                                            GError **error);
/* ArmzPoolId*, filtered by virConnectListAllStoragePoolsFlags. */
GPtrArray *armz_storage_pool_list(ArmzStorageDriver *drv, unsigned int flags, GError **error);

ArmzPoolId *armz_storage_pool_define(ArmzStorageDriver *drv, const char *xml,
                                     unsigned int flags, GError **error);
ArmzPoolId *armz_storage_pool_create_xml(ArmzStorageDriver *drv, const char *xml,
                                         unsigned int flags, GError **error);
gboolean armz_storage_pool_undefine(ArmzStorageDriver *drv, const ArmzPoolId *id,
                                    GError **error);
gboolean armz_storage_pool_start(ArmzStorageDriver *drv, const ArmzPoolId *id,
                                 unsigned int flags, GError **error);
gboolean armz_storage_pool_build(ArmzStorageDriver *drv, const ArmzPoolId *id,
                                 unsigned int flags, GError **error);
gboolean armz_storage_pool_destroy(ArmzStorageDriver *drv, const ArmzPoolId *id,
                                   GError **error);
gboolean armz_storage_pool_delete(ArmzStorageDriver *drv, const ArmzPoolId *id,
                                  unsigned int flags, GError **error);
gboolean armz_storage_pool_refresh(ArmzStorageDriver *drv, const ArmzPoolId *id,
                                   unsigned int flags, GError **error);

typedef struct {
    int state;                  /* virStoragePoolState */
    guint64 capacity, allocation, available;
    gboolean active, persistent, autostart;
} ArmzPoolInfo;
gboolean armz_storage_pool_info(ArmzStorageDriver *drv, const ArmzPoolId *id,
                                ArmzPoolInfo *info, GError **error);
char *armz_storage_pool_xml(ArmzStorageDriver *drv, const ArmzPoolId *id, unsigned int flags,
                            GError **error);
gboolean armz_storage_pool_set_autostart(ArmzStorageDriver *drv, const ArmzPoolId *id,
                                         gboolean autostart, GError **error);
/* ArmzVolId* of a started pool. */
GPtrArray *armz_storage_pool_volumes(ArmzStorageDriver *drv, const ArmzPoolId *id,
                                     GError **error);

/* ---- volumes ---- */
ArmzVolId *armz_storage_vol_lookup_name(ArmzStorageDriver *drv, const char *pool,
                                        const char *name, GError **error);
ArmzVolId *armz_storage_vol_lookup_key(ArmzStorageDriver *drv, const char *key,
                                       GError **error);
ArmzVolId *armz_storage_vol_lookup_path(ArmzStorageDriver *drv, const char *path,
                                        GError **error);
ArmzPoolId *armz_storage_vol_pool(ArmzStorageDriver *drv, const ArmzVolId *vol,
                                  GError **error);
ArmzVolId *armz_storage_vol_create(ArmzStorageDriver *drv, const ArmzPoolId *pool,
                                   const char *xml, unsigned int flags, GError **error);
ArmzVolId *armz_storage_vol_clone(ArmzStorageDriver *drv, const ArmzPoolId *pool,
                                  const char *xml, const ArmzVolId *src, unsigned int flags,
                                  GError **error);
gboolean armz_storage_vol_delete(ArmzStorageDriver *drv, const ArmzVolId *vol,
                                 unsigned int flags, GError **error);
gboolean armz_storage_vol_wipe(ArmzStorageDriver *drv, const ArmzVolId *vol,
                               unsigned int algorithm, unsigned int flags, GError **error);
gboolean armz_storage_vol_resize(ArmzStorageDriver *drv, const ArmzVolId *vol,
                                 guint64 capacity, unsigned int flags, GError **error);
gboolean armz_storage_vol_info(ArmzStorageDriver *drv, const ArmzVolId *vol, unsigned int flags,
                               int *type, guint64 *capacity, guint64 *allocation,
                               GError **error);
char *armz_storage_vol_xml(ArmzStorageDriver *drv, const ArmzVolId *vol, unsigned int flags,
                           GError **error);
char *armz_storage_vol_path(ArmzStorageDriver *drv, const ArmzVolId *vol, GError **error);

/* Opens VOL for virStorageVolUpload (UPLOAD) or virStorageVolDownload at
 * OFFSET: a non-blocking fd positioned there, and in *LIMIT the most bytes
 * the transfer may move (0: up to the end of the file). The volume counts
 * as busy until armz_storage_vol_transfer_done. */
int armz_storage_vol_open_transfer(ArmzStorageDriver *drv, const ArmzVolId *vol,
                                   gboolean upload, guint64 offset, guint64 length,
                                   guint64 *limit, GError **error);
void armz_storage_vol_transfer_done(ArmzStorageDriver *drv, const ArmzVolId *vol,
                                    gboolean upload);
