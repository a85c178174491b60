/* Listening sockets, accepted clients and the worker pool of virtarmzd. */
#pragma once
#include <glib.h>
#include "rpc/client.h"

/* How the server hands work to the daemon. CALL runs on a worker thread with
 * one complete packet (header already checked to be a REMOTE call; stream
 * packets go to rpc/stream.c on the main thread); CLIENT_CLOSED runs on the
 * main thread when a client goes away. */
typedef struct {
    void (*call)(ArmzClient *client, GBytes *pkt, gpointer opaque);
    void (*client_closed)(ArmzClient *client, gpointer opaque);
} ArmzServerHooks;

/* What one client, or all of them, may hold of the daemon (armz.conf). */
typedef struct {
    guint max_clients;           /* connections, all listeners together */
    guint rw_reserved_clients;   /* of max_clients, kept for read-write listeners */
    guint max_anonymous_clients; /* per listener, before CONNECT_OPEN; the oldest goes */
    guint anonymous_client_timeout; /* s to complete CONNECT_OPEN; 0: no limit */
    guint max_client_requests;   /* calls running or with a reply not yet sent */
    gsize max_client_output_bytes; /* queued output above which input is not read */
    gsize max_large_input_bytes; /* messages > ARMZ_SERVER_SMALL_MSG being received */
    int keepalive_interval;      /* s of silence before a ping; <= 0: none */
    guint keepalive_count;       /* unanswered pings before the client is dropped */
} ArmzServerLimits;

/* Incoming messages up to this size need no share of max_large_input_bytes. */
#define ARMZ_SERVER_SMALL_MSG (64 * 1024)

/* libvirt's defaults where libvirt has the setting. */
void armz_server_limits_init(ArmzServerLimits *limits);

/* MAX_CLIENTS overrides the default limits' max_clients. */
ArmzServer *armz_server_new(const ArmzServerHooks *hooks, gpointer opaque,
                            guint max_workers, guint max_clients);
/* Before any listener is added. */
void armz_server_set_limits(ArmzServer *srv, const ArmzServerLimits *limits);
const ArmzServerLimits *armz_server_limits(ArmzServer *srv);
void armz_server_free(ArmzServer *srv);

/* A unix socket at PATH (any stale socket there is replaced). */
gboolean armz_server_listen_unix(ArmzServer *srv, const char *path, int mode,
                                 gboolean readonly, GError **error);
/* An already listening socket (systemd socket activation). */
gboolean armz_server_listen_fd(ArmzServer *srv, int fd, gboolean readonly, GError **error);
/* TCP on HOST:PORT. */
gboolean armz_server_listen_tcp(ArmzServer *srv, const char *host, guint port, GError **error);
/* TCP with TLS on HOST:PORT (armz+tls://); the listener keeps a ref of TLS. */
typedef struct _ArmzTlsContext ArmzTlsContext;
gboolean armz_server_listen_tls(ArmzServer *srv, const char *host, guint port,
                                ArmzTlsContext *tls, GError **error);
/* What clients of the unix listeners must do before CONNECT_OPEN
 * (ARMZ_CLIENT_AUTH_*: libvirt's auth_unix_rw and auth_unix_ro). */
/* While held, connections wait in their listen backlog, not accepted: the
 * daemon serves nobody before the networks and pools it autostarts are up,
 * as libvirt's daemons serve nobody before their drivers are initialised.
 * Releasing starts accepting on every listener (main thread). */
void armz_server_hold(ArmzServer *srv);
void armz_server_release(ArmzServer *srv);
void armz_server_set_unix_auth(ArmzServer *srv, int auth_rw, int auth_ro);

guint armz_server_client_count(ArmzServer *srv);
/* Monotonic time (us) of the last connect or disconnect. */
gint64 armz_server_last_change(ArmzServer *srv);

/* Removes the socket files we created (at shutdown). */
void armz_server_unlink_sockets(ArmzServer *srv);

/* Internal to rpc/: the client module asks the server for these. */
GMainContext *armz_server_context(ArmzServer *srv);
void armz_server_client_gone(ArmzServer *srv, ArmzClient *client);
/* Reads CLIENT's socket again unless one of its limits still holds it back. */
void armz_server_resume_input(ArmzServer *srv, ArmzClient *client);
