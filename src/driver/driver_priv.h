/* Driver internals shared by the driver's own files. */
#pragma once
#include "driver/domain_obj.h"
#include "driver/monitor.h"
#include "driver/driver.h"
#include "driver/vmm_command.h"

struct _ArmzDriver {
    ArmzPaths *paths;
    ArmzDriverConfig cfg;
    ArmzDomainList *domains;
    GMutex event_lock;
    ArmzDomainEventSink sink;
    gpointer sink_opaque;
    gint next_id;          /* domain IDs: a fresh one on every start */
    guint64 next_generation; /* process starts, for telling late callbacks apart */
    GMainContext *ctx;     /* where VMM watches and monitors run (the daemon's loop) */
    GThreadPool *reaper;   /* tears down VMMs that went away on their own */
    /* Set once by the network and storage drivers before the daemon serves. */
    ArmzResolveNetworkFunc resolve_network;
    gpointer network_opaque;
    ArmzResolveVolumeFunc resolve_volume;
    gpointer volume_opaque;
    ArmzNetworkLeasesFunc network_leases;
    gpointer leases_opaque;
    ArmzResolveSecretFunc resolve_secret;   /* set by the secret driver */
    gpointer secret_opaque;
};

/* The object DOM names (a new reference), or NULL with VIR_ERR_NO_DOMAIN. */
ArmzDomainObj *armz_driver_find(ArmzDriver *drv, const ArmzDomainId *dom, GError **error);
/* OBJ's identity as the API hands it back (object lock not held). */
void armz_domain_id_set(ArmzDomainId *out, ArmzDomainObj *obj);
/* Objects (new references) matching virConnectListAllDomainsFlags FLAGS,
 * sorted by name; FUNC names the API in a flags error. */
GPtrArray *armz_driver_list_objs(ArmzDriver *drv, unsigned int flags, unsigned int allowed,
                                 const char *func, GError **error);

/* Runs CALL(monitor, DATA) on OBJ's monitor with the object unlocked (the
 * monitor's callbacks take its lock; the caller holds the job), as
 * ARMZ_ERROR (lifecycle.c). OBJ locked. */
typedef gboolean (*ArmzMonitorCallFunc)(ArmzMonitor *mon, gpointer data, GError **error);
gboolean armz_domain_monitor_call(ArmzDomainObj *obj, ArmzMonitorCallFunc call, gpointer data,
                                  GError **error);

/* domain.rng in the configured schema directory. */
char *armz_driver_schema_path(ArmzDriver *drv);
/* The reaper pool's function (process_watch.c). */
void armz_process_reap(gpointer data, gpointer user_data);

/* Emits a VIR_DOMAIN_EVENT_ID_REBOOT event. */
void armz_driver_emit_reboot(ArmzDriver *drv, ArmzDomainObj *obj, int id);
/* VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE: STATE and REASON as libvirt's. */
void armz_driver_emit_agent_lifecycle(ArmzDriver *drv, ArmzDomainObj *obj, int id, int state,
                                      int reason);
/* the tray of the CD-ROM DEV_ALIAS opened (OPEN) or closed */
void armz_driver_emit_tray_change(ArmzDriver *drv, ArmzDomainObj *obj, int id,
                                  const char *dev_alias, gboolean open);
/* VIR_DOMAIN_EVENT_ID_IO_ERROR(_REASON); ACTION: virDomainEventIOErrorAction */
void armz_driver_emit_io_error(ArmzDriver *drv, ArmzDomainObj *obj, int id, const char *src_path,
                               const char *dev_alias, int action, const char *reason);

/* ARMZ_DOMAIN_EVENT_DEVICE_* of the device DEV_ALIAS. */
void armz_driver_emit_device(ArmzDriver *drv, ArmzDomainObj *obj, int id,
                             ArmzDomainEventKind kind, const char *dev_alias);
/* Reports an event for OBJ's identity; OBJ locked or not, names are fixed. */
void armz_driver_emit_lifecycle(ArmzDriver *drv, ArmzDomainObj *obj, int id,
                                int event, int detail);
