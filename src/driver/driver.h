/* The armz hypervisor driver: what each libvirt API does with domains and
 * the host, independent of the RPC layer. Entry points follow libvirt's
 * sequence: check flags, look up, (access is checked by the dispatcher),
 * begin job, check state, act, end job. Errors are GErrors in ARMZ_ERROR. */
#pragma once
#include <glib.h>
#include "driver/domain_event.h"
#include "driver/domain_obj.h"
#include "util/flags.h"
#include "util/paths.h"

typedef struct _ArmzDriver ArmzDriver;

typedef struct {
    char *vmm_path;        /* armz-vmm binary, shown as <emulator> */
    char *schema_dir;      /* where domain.rng is */
} ArmzDriverConfig;

ArmzDriver *armz_driver_new(const ArmzPaths *paths, const ArmzDriverConfig *cfg,
                            GError **error);
void armz_driver_free(ArmzDriver *drv);
void armz_driver_set_event_sink(ArmzDriver *drv, ArmzDomainEventSink sink, gpointer opaque);
const ArmzPaths *armz_driver_paths(ArmzDriver *drv);

/* How domains find their networks' bridges and their volumes' paths at
 * start: set by the network and storage drivers, before any start. */
typedef gboolean (*ArmzResolveNetworkFunc)(const char *network, char **bridge,
                                           gpointer opaque, GError **error);
typedef gboolean (*ArmzResolveVolumeFunc)(const char *pool, const char *vol, char **path,
                                          gpointer opaque, GError **error);
void armz_driver_set_network_resolver(ArmzDriver *drv, ArmzResolveNetworkFunc fn,
                                      gpointer opaque);
void armz_driver_set_volume_resolver(ArmzDriver *drv, ArmzResolveVolumeFunc fn,
                                     gpointer opaque);

/* Host. */
typedef struct {
    char model[32];
    guint64 memory_kib;
    int cpus, mhz, nodes, sockets, cores, threads;
} ArmzNodeInfo;

void armz_driver_node_info(ArmzDriver *drv, ArmzNodeInfo *info);
guint64 armz_driver_node_free_memory(ArmzDriver *drv);
int armz_driver_max_vcpus(ArmzDriver *drv, const char *type, GError **error);
char *armz_driver_capabilities(ArmzDriver *drv);
char *armz_driver_domain_capabilities(ArmzDriver *drv, const char *emulator,
                                      const char *arch, const char *machine,
                                      const char *virttype, unsigned int flags,
                                      GError **error);

/* Lookups return a new reference or NULL with VIR_ERR_NO_DOMAIN. */
ArmzDomainObj *armz_driver_lookup_uuid(ArmzDriver *drv, const unsigned char *uuid,
                                       const char *name, GError **error);
ArmzDomainObj *armz_driver_lookup_name(ArmzDriver *drv, const char *name, GError **error);
ArmzDomainObj *armz_driver_lookup_id(ArmzDriver *drv, int id, GError **error);

/* Domain configuration APIs. */
ArmzDomainObj *armz_driver_define(ArmzDriver *drv, const char *xml, unsigned int flags,
                                  GError **error);
gboolean armz_driver_undefine(ArmzDriver *drv, ArmzDomainObj *obj, unsigned int flags,
                              GError **error);
char *armz_driver_get_xml(ArmzDriver *drv, ArmzDomainObj *obj, unsigned int flags,
                          GError **error);
gboolean armz_driver_set_autostart(ArmzDriver *drv, ArmzDomainObj *obj,
                                   gboolean autostart, GError **error);
GPtrArray *armz_driver_list_all(ArmzDriver *drv, unsigned int flags, GError **error);
