/* Internal to the server: its listeners and state, shared by server.c
 * (sockets and I/O) and server_limits.c (what clients may hold). */
#pragma once
#include <glib.h>
#include "rpc/client.h"
#include "rpc/server.h"
#include "rpc/tls.h"

typedef struct {
    ArmzServer *srv;
    int fd;
    gboolean readonly;
    gboolean tcp;
    ArmzTlsContext *tls; /* TCP with TLS (armz+tls://) */
    char *path;          /* unix sockets we created, unlinked at exit */
    GSource *src;
    GQueue anonymous;    /* its clients not yet opened (maybe), oldest first */
} Listener;

struct _ArmzServer {
    ArmzServerHooks hooks;
    gpointer opaque;
    GMainContext *ctx;
    GThreadPool *pool;
    GPtrArray *listeners;
    GHashTable *clients;     /* ArmzClient* set, main thread only */
    ArmzServerLimits limits;
    int auth_unix_rw;        /* ARMZ_CLIENT_AUTH_* of the unix listeners */
    int auth_unix_ro;
    guint ro_clients;        /* clients of read-only listeners */
    gsize large_used;        /* granted of limits.max_large_input_bytes */
    GQueue large_waiters;    /* clients waiting for a grant, in order */
    GSource *sweep_src;      /* open timeout and keepalive, once a second */
    gint64 last_refusal_log;
    guint64 next_client_id;
    gint64 last_change;
    gboolean held;           /* listeners not accepting yet (armz_server_hold) */
};

/* Main thread: admission of a connection on L (FALSE: refuse it), then its
 * accounting until it is gone. */
gboolean armz_server_admit(ArmzServer *srv, Listener *l);
void armz_server_track(ArmzServer *srv, Listener *l, ArmzClient *client);
void armz_server_untrack(ArmzServer *srv, ArmzClient *client);

/* Main thread: a share of max_large_input_bytes for the message of
 * client->want bytes, or a place in the queue for one (FALSE); given back
 * by release, which also serves the queue. */
gboolean armz_server_large_grant(ArmzServer *srv, ArmzClient *client);
void armz_server_large_release(ArmzServer *srv, ArmzClient *client);

/* The once-a-second timer: open timeout and keepalive. */
gboolean armz_server_sweep(gpointer data);
