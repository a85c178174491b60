/* Storage pool and volume definitions: libvirt's <pool> and <volume> XML
 * (schemas/storagepool.rng, schemas/storagevol.rng) <-> structs. Parse
 * errors are VIR_ERR_XML_ERROR naming the element; valid XML that asks for
 * something we do not provide is VIR_ERR_CONFIG_UNSUPPORTED. */
#pragma once
#include <glib.h>
#include <sys/types.h>

typedef enum {
    ARMZ_POOL_DIR,
    ARMZ_POOL_FS,
    ARMZ_POOL_LOGICAL,
    ARMZ_POOL_TYPE_LAST
} ArmzPoolType;

/* <permissions>: -1 where not given. */
typedef struct {
    int mode;
    gint64 owner;
    gint64 group;
} ArmzStoragePerms;

typedef struct {
    ArmzPoolType type;
    char *name;
    unsigned char uuid[16];
    /* Figures of an active pool, refreshed by its backend. */
    guint64 capacity;
    guint64 allocation;
    guint64 available;
    GPtrArray *devices;         /* <source><device path=.../>: char* (fs: one) */
    char *source_name;          /* logical: the volume group */
    char *source_format;        /* fs: filesystem type ("auto" default); logical: lvm2 */
    char *target_path;
    ArmzStoragePerms perms;
} ArmzPoolDef;

/* Volume formats we create and recognise. */
typedef enum {
    ARMZ_VOL_FORMAT_NONE,       /* a logical volume: no format layer */
    ARMZ_VOL_FORMAT_RAW,
    ARMZ_VOL_FORMAT_QCOW2,
    ARMZ_VOL_FORMAT_LAST
} ArmzVolFormat;

typedef struct {
    char *name;
    char *key;                  /* files: the path; logical volumes: the LV UUID */
    char *path;
    int type;                   /* virStorageVolType */
    guint64 capacity;
    guint64 allocation;
    guint64 physical;
    gboolean has_allocation;    /* <allocation> given in a create request */
    ArmzVolFormat format;
    char *compat;               /* qcow2 "0.10" / "1.1" */
    char *backing_path;         /* qcow2 with a backing file (read from the image) */
    ArmzStoragePerms perms;
    struct timespec atime, mtime, ctime_;
    gboolean has_times;
    /* logical: the extents' device */
    char *lv_device;
    gboolean luks;              /* <encryption format='luks'>: asked for, or probed */
    char *secret_uuid;          /* its <secret type='passphrase' uuid=''> ... */
    char *secret_usage;         /* ... or usage='' */
    GBytes *passphrase;         /* at create only (not copied) */
} ArmzVolDef;

/* ---- pools ---- */
ArmzPoolDef *armz_pool_def_parse(const char *xml, GError **error);
/* FLAGS: VIR_STORAGE_XML_INACTIVE drops nothing we keep (figures are
 * shown as libvirt shows them: zero for an inactive pool). */
char *armz_pool_def_format(const ArmzPoolDef *def);
ArmzPoolDef *armz_pool_def_copy(const ArmzPoolDef *def);
void armz_pool_def_free(ArmzPoolDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzPoolDef, armz_pool_def_free)

const char *armz_pool_type_to_string(ArmzPoolType t);
int armz_pool_type_from_string(const char *s);      /* -1 when unknown */

/* ---- volumes ---- */
ArmzVolDef *armz_vol_def_parse(const char *xml, GError **error);
char *armz_vol_def_format(const ArmzVolDef *def);
ArmzVolDef *armz_vol_def_copy(const ArmzVolDef *def);
void armz_vol_def_free(ArmzVolDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzVolDef, armz_vol_def_free)

const char *armz_vol_format_to_string(ArmzVolFormat f);
const char *armz_vol_type_to_string(int type);

/* ---- shared ---- */
/* Where storagepool.rng / storagevol.rng are (beside domain.rng). */
char *armz_storage_schema_path(const char *file);
