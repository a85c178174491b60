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

ArmzServer *armz_server_new(const ArmzServerHooks *hooks, gpointer opaque,
                            guint max_workers, guint max_clients);
void armz_server_free(ArmzServer *srv);

/* A unix socket at PATH (any stale socket there is replaced). */
gboolean armz_server_listen_unix(ArmzServer *srv, const char *path, int mode,
                                 gboolean readonly, GError **error);
/* An already listening socket (systemd socket activation). */
gboolean armz_server_listen_fd(ArmzServer *srv, int fd, gboolean readonly, GError **error);
/* TCP on HOST:PORT. */
gboolean armz_server_listen_tcp(ArmzServer *srv, const char *host, guint port, GError **error);

guint armz_server_client_count(ArmzServer *srv);
/* Monotonic time (us) of the last connect or disconnect. */
gint64 armz_server_last_change(ArmzServer *srv);

/* Removes the socket files we created (at shutdown). */
void armz_server_unlink_sockets(ArmzServer *srv);

/* Internal to rpc/: the client module asks the server for these. */
GMainContext *armz_server_context(ArmzServer *srv);
void armz_server_client_gone(ArmzServer *srv, ArmzClient *client);
void armz_server_resume_input(ArmzServer *srv, ArmzClient *client);
