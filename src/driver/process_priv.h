/* Shared by process.c, process_watch.c and process_status.c. */
#pragma once
#include "driver/domain_run.h"
#include "driver/process.h"

/* What a callback in the main context needs to find its domain again. */
typedef struct {
    ArmzDriver *drv;
    ArmzDomainObj *obj;     /* a reference */
    guint64 generation;
} ArmzRunRef;

ArmzRunRef *armz_run_ref_new(ArmzDriver *drv, ArmzDomainObj *obj, guint64 generation);
void armz_run_ref_free(gpointer p);

/* Main-context watches: the VMM's exit (child watch or pidfd) and its monitor. */
void armz_process_watch_exit(ArmzDriver *drv, ArmzDomainObj *obj);
ArmzMonitor *armz_process_open_monitor(ArmzDriver *drv, ArmzDomainObj *obj, GError **error);

/* Status files STATE_DIR/NAME.status (runtime) + NAME.xml (live XML). */
gboolean armz_process_status_save(ArmzDriver *drv, ArmzDomainObj *obj, GError **error);
void armz_process_status_remove(ArmzDriver *drv, const char *name);

/* Worker-pool task: a VMM exited (or must be stopped) without an API job
 * waiting for it. */
typedef enum { ARMZ_REAP_EXITED, ARMZ_REAP_DESTROY_ON_REBOOT } ArmzReapKind;
void armz_process_queue_reap(ArmzDriver *drv, ArmzDomainObj *obj, guint64 generation,
                             ArmzReapKind kind);

/* ArmzResolveChainFunc of the daemon: the chain from the image headers. */
gboolean armz_process_read_chain(const char *path, const char *format, GPtrArray **chain,
                                 gpointer opaque, GError **error);

/* DISK's <backingStore> from CHAIN (ArmzDiskLayer*, the image first), as
 * libvirt shows a running disk's chain. */
void armz_process_disk_backing(ArmzDomainDiskDef *disk, const GPtrArray *chain);
