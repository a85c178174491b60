/* The network driver: what each libvirt network API does, independent of
 * the RPC layer. Networks are named on the wire by UUID (and name, for
 * messages), as domains are. Every entry point checks its flags first and
 * reports errors as GErrors in ARMZ_ERROR. Each network has its own lock
 * and job (util/objlist.h): a network that is slow to start holds up no
 * other network and no lookup. */
#pragma once
#include <glib.h>
#include "network/leases.h"
#include "network/network_conf.h"
#include "util/paths.h"

typedef struct _ArmzNetworkDriver ArmzNetworkDriver;

/* A network's identity as the wire names it, like ArmzPoolId for pools. */
typedef struct {
    char *name;
    unsigned char uuid[16];
} ArmzNetworkId;

void armz_network_id_clear(ArmzNetworkId *ref);
/* The former names (the daemon still uses them). */
typedef ArmzNetworkId ArmzNetworkRef;
#define armz_network_ref_clear armz_network_id_clear

typedef struct {
    const char *name;
    const unsigned char *uuid;
    int event;                 /* virNetworkEventLifecycleType */
} ArmzNetworkEvent;

typedef void (*ArmzNetworkEventSink)(const ArmzNetworkEvent *ev, gpointer opaque);

/* Loads the configs, finds running networks again from their status (a
 * network whose bridge is gone is cleaned up; a dead dnsmasq is
 * restarted), reinstalls the rules, and on the very first start defines
 * the shipped 'default' network. */
ArmzNetworkDriver *armz_network_driver_new(const ArmzPaths *paths, GError **error);
void armz_network_driver_free(ArmzNetworkDriver *drv);
void armz_network_driver_set_event_sink(ArmzNetworkDriver *drv, ArmzNetworkEventSink sink,
                                        gpointer opaque);
/* Starts every inactive network marked autostart (errors are logged). */
void armz_network_driver_autostart(ArmzNetworkDriver *drv);

/* Lookups fill OUT; VIR_ERR_NO_NETWORK when there is no such network. */
gboolean armz_network_lookup_name(ArmzNetworkDriver *drv, const char *name,
                                  ArmzNetworkId *out, GError **error);
gboolean armz_network_lookup_uuid(ArmzNetworkDriver *drv, const unsigned char *uuid,
                                  ArmzNetworkId *out, GError **error);

gboolean armz_network_define(ArmzNetworkDriver *drv, const char *xml, unsigned int flags,
                             ArmzNetworkId *out, GError **error);
gboolean armz_network_create_xml(ArmzNetworkDriver *drv, const char *xml, unsigned int flags,
                                 ArmzNetworkId *out, GError **error);
gboolean armz_network_undefine(ArmzNetworkDriver *drv, const unsigned char *uuid,
                               GError **error);
gboolean armz_network_start(ArmzNetworkDriver *drv, const unsigned char *uuid, GError **error);
gboolean armz_network_destroy(ArmzNetworkDriver *drv, const unsigned char *uuid,
                              GError **error);

char *armz_network_get_xml(ArmzNetworkDriver *drv, const unsigned char *uuid,
                           unsigned int flags, GError **error);
char *armz_network_get_bridge(ArmzNetworkDriver *drv, const unsigned char *uuid,
                              GError **error);

typedef struct {
    gboolean active, persistent, autostart;
} ArmzNetworkState;

gboolean armz_network_get_state(ArmzNetworkDriver *drv, const unsigned char *uuid,
                                ArmzNetworkState *out, GError **error);
gboolean armz_network_set_autostart(ArmzNetworkDriver *drv, const unsigned char *uuid,
                                    gboolean autostart, GError **error);

/* virNetworkUpdate: COMMAND on SECTION with the element XML (see
 * network_update.h), in the running network and/or its persistent
 * definition as FLAGS (virNetworkUpdateFlags) say; a live change restarts
 * the network's dnsmasq. */
gboolean armz_network_update(ArmzNetworkDriver *drv, const unsigned char *uuid,
                             unsigned int command, unsigned int section, int parent_index,
                             const char *xml, unsigned int flags, GError **error);

/* ArmzNetworkId array, sorted by name, of the networks matching FLAGS
 * (virConnectListAllNetworksFlags). */
GArray *armz_network_list(ArmzNetworkDriver *drv, unsigned int flags, GError **error);

/* DHCP leases of an active network (ArmzNetworkLease*), those of MAC only
 * when MAC is not NULL. */
GPtrArray *armz_network_get_leases(ArmzNetworkDriver *drv, const unsigned char *uuid,
                                   const char *mac, unsigned int flags, GError **error);
/* The same, by network name (for domifaddr); NULL network -> error. */
GPtrArray *armz_network_get_leases_by_name(ArmzNetworkDriver *drv, const char *name,
                                           const char *mac, GError **error);

/* The domain driver's resolver: the bridge of active network NAME. */
gboolean armz_network_resolve_bridge(const char *name, char **bridge, gpointer opaque,
                                     GError **error);
