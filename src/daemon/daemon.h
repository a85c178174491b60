/* virtarmzd's process-wide state, shared by the RPC handlers. */
#pragma once
#include <gio/gio.h>
#include <glib.h>
#include "daemon/event_callbacks.h"
#include "driver/driver.h"
#include "network/network_driver.h"
#include "secret/secret_driver.h"
#include "rpc/dispatch.h"
#include "rpc/server.h"
#include "storage/storage_driver.h"

typedef struct {
    ArmzPaths *paths;
    /* The drivers: the handlers reach them only through here. */
    ArmzDriver *driver;             /* domains */
    ArmzNetworkDriver *network;
    ArmzStorageDriver *storage;
    ArmzSecretDriver *secret;
    ArmzServer *server;
    ArmzDispatcher *dispatcher;
    GMainLoop *loop;

    /* The autostart thread (drivers.c), joined before anything is freed. */
    GThread *autostart;
    gint autostart_running;
    GCancellable *quit;             /* cancelled when the daemon stops */
    gint calls_running;             /* procedures on worker threads now */

    GMutex conns_lock;        /* clients with an open connection */
    GHashTable *conns;        /* ArmzClient* set (borrowed: removed on close) */
    gint next_callback_id;
} ArmzDaemon;

/* The one daemon of this process (set by main). */
extern ArmzDaemon *armz_daemon;

/* The drivers (drivers.c). Open: the domain driver, then the network and
 * storage drivers, which give it their resolvers, each with its event
 * sink. Autostart runs in a thread of its own (starts wait for VMM
 * monitors, which the main loop serves): networks and pools first, as
 * guests need them. Join: stops the autostart between objects and waits
 * for it, serving the main context meanwhile; before anything is freed.
 * Close frees the drivers, storage and network before domains. */
gboolean armz_daemon_drivers_open(ArmzDaemon *d, const ArmzDriverConfig *cfg, GError **error);
void armz_daemon_autostart_begin(ArmzDaemon *d);
void armz_daemon_autostart_join(ArmzDaemon *d);
void armz_daemon_drivers_close(ArmzDaemon *d);

/* Work on other threads may wait for the main context (a domain start for
 * its VMM's monitor, a destroy for the VMM's exit): at shutdown the main
 * thread serves it until *PENDING, counted up by whoever hands out work
 * and down with armz_daemon_work_done when it ends, is 0. */
void armz_daemon_work_done(gint *pending);
void armz_daemon_serve_until_done(gint *pending);

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

/* Domains on the wire: the identity the driver takes (borrowing the
 * wire's name), and the one it hands back described to the client. */
ArmzDomainId armz_remote_domain_id(const armz_nonnull_domain *dom);
void armz_remote_make_domain(armz_nonnull_domain *out, const ArmzDomainId *id);

/* Every procedure table (remote_register.c), and each of them, one per area. */
void armz_remote_register_all(ArmzDispatcher *d);
void armz_remote_connect_register(ArmzDispatcher *d);
void armz_remote_host_register(ArmzDispatcher *d);
void armz_remote_secret_register(ArmzDispatcher *d);
void armz_remote_domain_register(ArmzDispatcher *d);
void armz_remote_events_register(ArmzDispatcher *d);
void armz_remote_console_register(ArmzDispatcher *d);
void armz_remote_lifecycle_register(ArmzDispatcher *d);
void armz_remote_stats_register(ArmzDispatcher *d);
void armz_remote_tune_register(ArmzDispatcher *d);
void armz_remote_agent_register(ArmzDispatcher *d);
void armz_remote_block_register(ArmzDispatcher *d);
void armz_remote_config_register(ArmzDispatcher *d);
/* Moves PARAMS (ArmzTypedParam, emptied) into REC's wire parameters. */
void armz_remote_put_params(armz_domain_stats_record *rec, GArray *params);
/* A client went away: destroy what it started with AUTODESTROY. */
void armz_remote_lifecycle_client_closed(ArmzClient *client);
/* Waits for pending autodestroys; before the driver is freed. */
void armz_remote_lifecycle_shutdown(void);

/* The network and storage procedures (remote_network*.c,
 * remote_storage*.c), and their drivers' event sinks. */
void armz_remote_network_register(ArmzDispatcher *d);
void armz_remote_network_event(const ArmzNetworkEvent *ev, gpointer opaque);
void armz_remote_storage_register(ArmzDispatcher *d);
void armz_remote_storage_event(const ArmzPoolId *pool, int event_id, int event,
                               gpointer opaque);

/* Event plumbing: the driver's sink, and cleanup when a client leaves. */
void armz_daemon_domain_event(const ArmzDomainEvent *ev, gpointer opaque);
void armz_daemon_client_closed(ArmzClient *client, gpointer opaque);
