/* virtarmzd's process-wide state, shared by the RPC handlers. */
#pragma once
#include <glib.h>
#include "daemon/event_callbacks.h"
#include "driver/driver.h"
#include "rpc/dispatch.h"
#include "rpc/server.h"

typedef struct {
    ArmzPaths *paths;
    ArmzDriver *driver;
    ArmzServer *server;
    ArmzDispatcher *dispatcher;
    GMainLoop *loop;

    GMutex conns_lock;        /* clients with an open connection */
    GHashTable *conns;        /* ArmzClient* set (borrowed: removed on close) */
    gint next_callback_id;
} ArmzDaemon;

/* The one daemon of this process (set by main). */
extern ArmzDaemon *armz_daemon;

/* Per-connection state kept in client->priv. */
typedef struct {
    char *uri;
    /* ArmzEventCallback, of domain, network and storage pool events */
    GArray *callbacks[ARMZ_EVENT_N_KINDS];
    gboolean legacy_events;   /* old-style lifecycle registration (105) */
    gboolean close_callback;
} ArmzConn;

/* The connection state of CLIENT, created on first use (client lock held). */
ArmzConn *armz_conn_get(ArmzClient *client);

/* Domains on the wire: looked up by UUID (as libvirt's daemon does), and
 * described back to the client. */
ArmzDomainObj *armz_remote_get_domain(const armz_nonnull_domain *dom, GError **error);
void armz_remote_make_domain(armz_nonnull_domain *out, ArmzDomainObj *obj);

/* Every procedure table (remote_register.c), and each of them, one per area. */
void armz_remote_register_all(ArmzDispatcher *d);
void armz_remote_connect_register(ArmzDispatcher *d);
void armz_remote_domain_register(ArmzDispatcher *d);
void armz_remote_events_register(ArmzDispatcher *d);
void armz_remote_console_register(ArmzDispatcher *d);
void armz_remote_lifecycle_register(ArmzDispatcher *d);
void armz_remote_stats_register(ArmzDispatcher *d);
/* A client went away: destroy what it started with AUTODESTROY. */
void armz_remote_lifecycle_client_closed(ArmzClient *client);
/* Waits for pending autodestroys; before the driver is freed. */
void armz_remote_lifecycle_shutdown(void);

/* The network and storage drivers (remote_network.c, remote_storage.c and
 * the files beside them): created after the domain driver, to which they
 * give their resolvers; their autostart runs before the domains' (guests
 * need their networks and pools); shut down before the domain driver. */
gboolean armz_remote_network_init(GError **error);
void armz_remote_network_register(ArmzDispatcher *d);
void armz_remote_network_autostart(void);
void armz_remote_network_client_closed(ArmzClient *client);
void armz_remote_network_shutdown(void);
gboolean armz_remote_storage_init(GError **error);
void armz_remote_storage_register(ArmzDispatcher *d);
void armz_remote_storage_autostart(void);
void armz_remote_storage_client_closed(ArmzClient *client);
void armz_remote_storage_shutdown(void);

/* Event plumbing: the driver's sink, and cleanup when a client leaves. */
void armz_daemon_domain_event(const ArmzDomainEvent *ev, gpointer opaque);
void armz_daemon_client_closed(ArmzClient *client, gpointer opaque);
