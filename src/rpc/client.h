/* One connected libvirt client: socket I/O on the main thread, calls run on
 * worker threads, replies and events queued from any thread. */
#pragma once
#include <sys/types.h>
#include <glib.h>

typedef struct _ArmzServer ArmzServer;
typedef struct _ArmzClient ArmzClient;

/* How a client's bytes travel (main thread only): the plain socket when a
 * client has none, or a layer over it such as TLS (rpc/tls.c). READ and
 * WRITE behave as read(2)/write(2), errno included (EAGAIN: wait for the
 * socket); PENDING is what the layer holds already read from the socket,
 * which polling the socket does not show. */
typedef struct {
    ssize_t (*read)(ArmzClient *client, void *buf, size_t len);
    ssize_t (*write)(ArmzClient *client, const void *buf, size_t len);
    gsize (*pending)(ArmzClient *client);
    void (*free)(gpointer data);
} ArmzTransport;

/* libvirt's auth types (remote_auth_type) a listener may require. */
enum {
    ARMZ_CLIENT_AUTH_NONE = 0,
    ARMZ_CLIENT_AUTH_POLKIT = 2,
};

struct _ArmzClient {
    gint refs;
    ArmzServer *server;
    int fd;
    guint64 id;              /* for log lines */
    gboolean readonly;       /* came in on a read-only listener or opened RO */
    gboolean tcp;
    uid_t uid;               /* peer credentials (unix sockets) */
    pid_t pid;
    guint64 pid_start;       /* start time of pid (clock ticks since boot) */
    gboolean secure;         /* unix socket or TLS: no eavesdropper */
    int auth;                /* ARMZ_CLIENT_AUTH_* its listener requires */
    const ArmzTransport *io; /* NULL: the plain socket */
    gpointer io_data;        /* the transport's, freed with the client */

    GMutex lock;             /* everything below */
    GQueue outq;             /* GBytes packets waiting for the socket */
    gsize out_off;           /* bytes of the head packet already written */
    gboolean closed;
    gboolean close_after_flush;
    guint inflight;          /* calls handed to workers, not yet answered */
    guint out_replies;       /* replies in outq: their calls still count against
                              * max_client_requests until they are written */
    gsize out_events;        /* bytes in outq of messages that are neither
                              * replies nor stream data (events, pongs) */
    gboolean overflow;       /* events beyond max_client_output_bytes: dropped */
    gboolean keepalive;      /* asked for keepalive: we ping it when silent */
    gboolean opened;         /* CONNECT_OPEN succeeded */
    gboolean auth_pending;   /* must complete its listener's auth first */
    gpointer priv;           /* owned by the dispatcher: per-connection state */
    GDestroyNotify priv_free;
    GHashTable *streams;     /* open streams by (proc, serial) (rpc/stream.c) */
    gsize out_bytes;         /* bytes in outq not yet written */
    gboolean tx_waiting;     /* a stream stopped reading for a full outq */
    guint rx_blocked;        /* streams whose fd lags: the socket is not read */

    /* main thread only */
    GSource *in_src;
    GSource *out_src;
    GByteArray *inbuf;
    guint32 want;            /* length of the packet being read, 0: unknown */
    gpointer listener;       /* the server's listener it came through */
    gint64 connected_at;     /* monotonic us */
    guint32 large_grant;     /* bytes of max_large_input_bytes it holds */
    gboolean large_wait;     /* waits for a share of max_large_input_bytes */
    gint64 last_rx;          /* monotonic us of its last input */
    guint pings;             /* keepalive pings sent since then */
};

ArmzClient *armz_client_ref(ArmzClient *client);
void armz_client_unref(ArmzClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzClient, armz_client_unref)

/* Queues a whole packet for sending (any thread); dropped once closed. */
void armz_client_send(ArmzClient *client, GBytes *pkt);

/* Queues a stream data packet; TRUE when the queue then holds
 * ARMZ_STREAM_TX_MAX bytes or more: the caller stops producing until
 * armz_stream_client_drained runs (main thread only). */
gboolean armz_client_send_stream(ArmzClient *client, GBytes *pkt);

/* Has the main thread check whether reading the socket may resume (any thread). */
void armz_client_schedule_resume(ArmzClient *client);

/* Closes the connection after what is queued has been sent (any thread). */
void armz_client_close_after_flush(ArmzClient *client);

/* The client supports libvirt's keepalive protocol: from now on it is sent
 * pings when silent and dropped when it does not answer them (any thread). */
void armz_client_want_keepalive(ArmzClient *client);

/* The socket through CLIENT's transport (main thread). */
ssize_t armz_client_io_read(ArmzClient *client, void *buf, size_t len);
ssize_t armz_client_io_write(ArmzClient *client, const void *buf, size_t len);
gsize armz_client_io_pending(ArmzClient *client);

/* Called by a worker when a call finished (any thread). */
void armz_client_call_done(ArmzClient *client);
