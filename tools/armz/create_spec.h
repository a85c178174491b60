/* What `armz create` was asked for, and the domain XML made of it. Kept
 * free of libvirt calls so that the unit tests exercise it directly. */
#pragma once
#include <glib.h>

typedef enum {
    ARMZ_DISK_FILE,
    ARMZ_DISK_BLOCK,
    ARMZ_DISK_VOLUME,
} ArmzDiskKind;

typedef struct {
    ArmzDiskKind kind;
    char *path;             /* FILE, BLOCK: absolute */
    char *pool;             /* VOLUME */
    char *volume;           /* VOLUME; NULL until named (size= without vol=) */
    guint64 new_size;       /* bytes: create the volume first (size=); 0: it exists */
    char *format;           /* raw or qcow2 */
    gboolean readonly;
} ArmzDiskSpec;

typedef struct {
    gboolean bridge;        /* TRUE: <interface type='bridge'>, else 'network' */
    char *source;
} ArmzNicSpec;

typedef struct {
    char *name;
    char *virt_type;        /* kvm or qemu */
    char *kernel, *initrd, *cmdline;    /* absolute paths; NULL: none */
    guint64 memory_kib;
    guint vcpus;
    GPtrArray *disks;       /* ArmzDiskSpec */
    GPtrArray *nics;        /* ArmzNicSpec */
} ArmzCreateSpec;

ArmzCreateSpec *armz_create_spec_new(const char *name);
void armz_create_spec_free(ArmzCreateSpec *spec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzCreateSpec, armz_create_spec_free)
void armz_disk_spec_free(gpointer disk);
void armz_nic_spec_free(gpointer nic);

/* "512", "512M", "2GiB", "1.5G", "100MB"...: a size in bytes; a plain
 * number counts in DEFAULT_UNIT bytes. */
gboolean armz_parse_size(const char *text, guint64 default_unit, guint64 *bytes,
                         GError **error);

/* --disk SPEC: PATH, POOL/VOLUME, or KEY=VALUE,... with path=, pool=,
 * vol=, size= (a new volume; GiB when no unit), format=, readonly=on.
 * A first item without '=' is a path when it names an existing file, starts
 * with '/' or '.', or has no '/'; POOL/VOLUME otherwise. */
ArmzDiskSpec *armz_disk_spec_parse(const char *text, GError **error);

/* Names the volumes size= creates (GUEST.img, GUEST-1.img, ...), puts them
 * in pool 'default' when none is given, and checks the whole spec. */
gboolean armz_create_spec_finish(ArmzCreateSpec *spec, GError **error);

/* The domain XML (libxml2), formatted, without an XML declaration. */
char *armz_create_spec_to_xml(const ArmzCreateSpec *spec);
/* The storage volume XML for a disk with new_size. */
char *armz_disk_spec_volume_xml(const ArmzDiskSpec *disk);
