#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib-unix.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "rpc/armz_protocol.h"
#include "rpc/packet.h"
#include "rpc/server.h"
#include "rpc/server_priv.h"
#include "rpc/stream.h"

/* Most bytes read from one client per wakeup: others get their turn. */
#define READ_CHUNK (256 * 1024)
#define READS_PER_WAKEUP 16
/* Freeing this much at a disconnect is worth handing back to the system. */
#define TRIM_THRESHOLD (1024 * 1024)

typedef struct {
    ArmzClient *client;
    GBytes *pkt;
} Job;

GMainContext *
armz_server_context(ArmzServer *srv)
{
    return srv->ctx;
}

guint
armz_server_client_count(ArmzServer *srv)
{
    return g_hash_table_size(srv->clients);
}

gint64
armz_server_last_change(ArmzServer *srv)
{
    return srv->last_change;
}

static void
worker(gpointer data, gpointer user_data)
{
    Job *job = data;
    ArmzServer *srv = user_data;

    srv->hooks.call(job->client, job->pkt, srv->opaque);
    armz_client_call_done(job->client);
    g_bytes_unref(job->pkt);
    armz_client_unref(job->client);
    g_free(job);
}

/* Main thread: a client is finished (EOF, error, protocol violation). */
void
armz_server_client_gone(ArmzServer *srv, ArmzClient *client)
{
    gsize freed;

    if (!g_hash_table_contains(srv->clients, client))
        return;
    g_mutex_lock(&client->lock);
    client->closed = TRUE;
    freed = client->out_bytes;
    g_queue_clear_full(&client->outq, (GDestroyNotify)g_bytes_unref);
    client->out_bytes = 0;
    client->out_replies = 0;
    client->out_events = 0;
    g_mutex_unlock(&client->lock);
    if (client->inbuf) {
        freed += client->inbuf->len;
        g_byte_array_unref(client->inbuf);
        client->inbuf = NULL;
    }
    armz_server_untrack(srv, client);
    if (client->in_src) {
        g_source_destroy(client->in_src);
        g_source_unref(client->in_src);
        client->in_src = NULL;
    }
    if (client->out_src) {
        g_source_destroy(client->out_src);
        g_source_unref(client->out_src);
        client->out_src = NULL;
    }
    close(client->fd);
    client->fd = -1;
    armz_debug("client %" G_GUINT64_FORMAT " disconnected", client->id);
    /* Its consoles and other streams end with it. */
    armz_stream_abort_all(client);
    if (srv->hooks.client_closed)
        srv->hooks.client_closed(client, srv->opaque);
    srv->last_change = g_get_monotonic_time();
    g_hash_table_remove(srv->clients, client); /* drops the server's ref */
#ifdef __GLIBC__
    /* glibc keeps freed memory in its arenas (one per worker thread that
     * built replies): hand a large queue back to the system. */
    if (freed >= TRIM_THRESHOLD)
        malloc_trim(0);
#endif
}

static void
send_keepalive_pong(ArmzClient *client, const armz_message_header *ping)
{
    armz_message_header hdr = *ping;

    hdr.proc = 2; /* PONG */
    hdr.type = ARMZ_MESSAGE;
    hdr.status = ARMZ_STATUS_OK;
    armz_client_send(client, armz_packet_encode_raw(&hdr, NULL, 0));
}

/* Main thread: one complete packet from CLIENT. FALSE: drop the client. */
static gboolean
handle_packet(ArmzServer *srv, ArmzClient *client, GBytes *pkt)
{
    gsize len;
    const guint8 *data = g_bytes_get_data(pkt, &len);
    armz_message_header hdr;
    g_autoptr(GError) error = NULL;
    Job *job;

    if (!armz_packet_decode_header(data, len, &hdr, &error)) {
        armz_warn("client %" G_GUINT64_FORMAT ": %s; closing it", client->id, error->message);
        return FALSE;
    }
    if (hdr.prog == ARMZ_KEEPALIVE_PROGRAM && hdr.vers == ARMZ_KEEPALIVE_VERSION) {
        if (hdr.type == ARMZ_MESSAGE && hdr.proc == 1)
            send_keepalive_pong(client, &hdr);
        /* PONG answers our (never sent) pings; anything else is ignored as
         * libvirt does for unknown keepalive messages. */
        return TRUE;
    }
    if (hdr.prog != ARMZ_PROGRAM || hdr.vers != ARMZ_PROTOCOL_VERSION) {
        armz_warn("client %" G_GUINT64_FORMAT ": unknown program 0x%x version %u; closing it",
                  client->id, hdr.prog, hdr.vers);
        return FALSE;
    }
    if (hdr.type == ARMZ_STREAM || hdr.type == ARMZ_STREAM_HOLE) {
        /* Here, not on a worker: stream data must reach its fd in order. */
        armz_stream_dispatch(client, &hdr, pkt);
        return TRUE;
    }
    if (hdr.type != ARMZ_CALL || hdr.status != ARMZ_STATUS_OK) {
        armz_warn("client %" G_GUINT64_FORMAT ": unexpected message type %d status %d; closing it",
                  client->id, hdr.type, hdr.status);
        return FALSE;
    }

    job = g_new0(Job, 1);
    job->client = armz_client_ref(client);
    job->pkt = g_bytes_ref(pkt);
    g_mutex_lock(&client->lock);
    client->inflight++;
    g_mutex_unlock(&client->lock);
    g_thread_pool_push(srv->pool, job, NULL);
    return TRUE;
}

static gboolean client_readable(gint fd, GIOCondition cond, gpointer data);

/* Input its transport has already taken from the socket (TLS records)
 * does not wake the poll: the source is made ready at once instead. */
static void
rearm_pending(ArmzClient *client)
{
    g_source_set_ready_time(client->in_src, armz_client_io_pending(client) ? 0 : -1);
}

static void
watch_input(ArmzServer *srv, ArmzClient *client)
{
    client->in_src = g_unix_fd_source_new(client->fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(client->in_src, (GSourceFunc)(void (*)(void))client_readable,
                          client, NULL);
    rearm_pending(client);
    g_source_attach(client->in_src, srv->ctx);
}

/* Whether CLIENT's input may be read: not while it has max_client_requests
 * calls running or answered but not yet sent, more than
 * max_client_output_bytes waiting for it, or stream data its fds have not
 * taken. A client that does not read makes us stop reading it. */
static gboolean
input_allowed(ArmzServer *srv, ArmzClient *client)
{
    gboolean ok;

    if (client->large_wait)
        return FALSE;
    g_mutex_lock(&client->lock);
    ok = !client->closed && !client->rx_blocked &&
         client->inflight + client->out_replies < srv->limits.max_client_requests &&
         client->out_bytes < srv->limits.max_client_output_bytes;
    g_mutex_unlock(&client->lock);
    return ok;
}

void
armz_server_resume_input(ArmzServer *srv, ArmzClient *client)
{
    if (!g_hash_table_contains(srv->clients, client) || client->in_src)
        return;
    if (input_allowed(srv, client))
        watch_input(srv, client);
}

/* Leaves the input source from its own callback, which returns
 * G_SOURCE_REMOVE: a partial message stays in inbuf meanwhile. */
static gboolean
pause_input(ArmzClient *client)
{
    g_source_unref(client->in_src);
    client->in_src = NULL;
    return G_SOURCE_REMOVE;
}

/* Reads one message at a time, its length word first, and never more than
 * it: what the client sends beyond stays in the socket while we do not
 * want it, and a large message grows inbuf only as its bytes arrive. */
static gboolean
client_readable(gint fd, GIOCondition cond, gpointer data)
{
    ArmzClient *client = data;
    ArmzServer *srv = client->server;

    for (int round = 0; round < READS_PER_WAKEUP; round++) {
        guint have = client->inbuf->len;
        guint need = (client->want ? client->want : ARMZ_PKT_LEN_SIZE) - have;
        guint chunk = MIN(need, READ_CHUNK);
        ssize_t n;

        g_byte_array_set_size(client->inbuf, have + chunk);
        n = armz_client_io_read(client, client->inbuf->data + have, chunk);
        g_byte_array_set_size(client->inbuf, have + MAX(n, 0));
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            rearm_pending(client);
            return G_SOURCE_CONTINUE;
        }
        if (n <= 0) {
            armz_server_client_gone(srv, client);
            return G_SOURCE_REMOVE;
        }
        client->last_rx = g_get_monotonic_time();
        client->pings = 0;
        if (client->want == 0) {
            g_autoptr(GError) error = NULL;

            if (client->inbuf->len < ARMZ_PKT_LEN_SIZE)
                continue;
            if (!armz_packet_length(client->inbuf->data, &client->want, &error)) {
                armz_warn("client %" G_GUINT64_FORMAT ": %s; closing it", client->id, error->message);
                armz_server_client_gone(srv, client);
                return G_SOURCE_REMOVE;
            }
            /* Large messages share one budget: 32 MiB ones on every
             * connection would not fit in memory. */
            if (client->want > ARMZ_SERVER_SMALL_MSG && !armz_server_large_grant(srv, client))
                return pause_input(client);
            continue;
        }
        if (client->inbuf->len == client->want) {
            g_autoptr(GBytes) pkt = g_byte_array_free_to_bytes(client->inbuf);

            client->inbuf = g_byte_array_new();
            client->want = 0;
            armz_server_large_release(srv, client);
            if (!handle_packet(srv, client, pkt)) {
                armz_server_client_gone(srv, client);
                return G_SOURCE_REMOVE;
            }
            if (!input_allowed(srv, client))
                return pause_input(client);
        }
    }
    rearm_pending(client);
    return G_SOURCE_CONTINUE;
}

static void add_client(ArmzServer *srv, Listener *l, int cfd);

static gboolean
listener_ready(gint fd, GIOCondition cond, gpointer data)
{
    Listener *l = data;
    ArmzServer *srv = l->srv;
    int cfd;

    /* Take every pending connection: a burst must not overflow the backlog. */
    while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        if (!armz_server_admit(srv, l)) {
            close(cfd);
            continue;
        }
        add_client(srv, l, cfd);
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        armz_warn("accept failed: %s", g_strerror(errno));
    return G_SOURCE_CONTINUE;
}

/* Field 22 of /proc/PID/stat: with the pid, it names the process even
 * after the pid is reused (polkit's unix-process subject). */
static guint64
process_start_time(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *text = NULL;
    g_auto(GStrv) fields = NULL;
    const char *rest;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    /* The command name may hold spaces and parentheses: fields count from
     * after its last ')', where field 3 begins. */
    rest = strrchr(text, ')');
    if (!rest)
        return 0;
    fields = g_strsplit(rest + 2, " ", 0);
    if (g_strv_length(fields) < 20)
        return 0;
    return g_ascii_strtoull(fields[19], NULL, 10);
}

static void
add_client(ArmzServer *srv, Listener *l, int cfd)
{
    ArmzClient *client;
    g_autoptr(GError) error = NULL;

    client = g_new0(ArmzClient, 1);
    client->refs = 1;
    client->server = srv;
    client->fd = cfd;
    client->id = ++srv->next_client_id;
    client->readonly = l->readonly;
    client->tcp = l->tcp;
    client->uid = (uid_t)-1;
    client->pid = -1;
    client->secure = !l->tcp || l->tls;
    client->auth = l->tcp ? ARMZ_CLIENT_AUTH_NONE :
                   l->readonly ? srv->auth_unix_ro : srv->auth_unix_rw;
    client->auth_pending = client->auth != ARMZ_CLIENT_AUTH_NONE;
    g_mutex_init(&client->lock);
    g_queue_init(&client->outq);
    client->inbuf = g_byte_array_new();
    if (!l->tcp) {
        struct ucred cred;
        socklen_t clen = sizeof(cred);
        if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0) {
            client->uid = cred.uid;
            client->pid = cred.pid;
            client->pid_start = process_start_time(cred.pid);
        }
    }
    if (l->tls && !armz_tls_client_start(l->tls, client, &error)) {
        armz_warn("client %" G_GUINT64_FORMAT ": %s; closing it", client->id, error->message);
        close(cfd);
        armz_client_unref(client);
        return;
    }
    armz_server_track(srv, l, client);
    g_hash_table_add(srv->clients, client);
    srv->last_change = g_get_monotonic_time();
    armz_debug("client %" G_GUINT64_FORMAT " connected (pid %d uid %d%s)", client->id,
               (int)client->pid, (int)client->uid, client->readonly ? ", read-only" : "");
    watch_input(srv, client);
}

static void
add_listener(ArmzServer *srv, int fd, gboolean readonly, gboolean tcp, const char *path,
             ArmzTlsContext *tls)
{
    Listener *l = g_new0(Listener, 1);

    l->srv = srv;
    l->tls = tls ? armz_tls_context_ref(tls) : NULL;
    l->fd = fd;
    l->readonly = readonly;
    l->tcp = tcp;
    l->path = g_strdup(path);
    g_unix_set_fd_nonblocking(fd, TRUE, NULL);
    l->src = g_unix_fd_source_new(fd, G_IO_IN);
    g_source_set_callback(l->src, (GSourceFunc)(void (*)(void))listener_ready, l, NULL);
    if (!srv->held)
        g_source_attach(l->src, srv->ctx);
    g_ptr_array_add(srv->listeners, l);
}

void
armz_server_hold(ArmzServer *srv)
{
    srv->held = TRUE;
}

void
armz_server_release(ArmzServer *srv)
{
    if (!srv->held)
        return;
    srv->held = FALSE;
    for (guint i = 0; i < srv->listeners->len; i++) {
        Listener *l = g_ptr_array_index(srv->listeners, i);
        g_source_attach(l->src, srv->ctx);
    }
}

static void
listener_free(gpointer data)
{
    Listener *l = data;

    g_source_destroy(l->src);
    g_source_unref(l->src);
    close(l->fd);
    g_queue_clear(&l->anonymous);
    armz_tls_context_unref(l->tls);
    g_free(l->path);
    g_free(l);
}

gboolean
armz_server_listen_unix(ArmzServer *srv, const char *path, int mode,
                        gboolean readonly, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("socket path '%s' is too long"), path);
        return FALSE;
    }
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    /* A socket file left by a daemon that died is replaced. */
    unlink(path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        chmod(path, mode) < 0 || listen(fd, SOMAXCONN) < 0)
        goto fail;
    add_listener(srv, fd, readonly, FALSE, path, NULL);
    return TRUE;
 fail:
    g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                _("cannot listen on '%s': %s"), path, g_strerror(errno));
    if (fd >= 0)
        close(fd);
    return FALSE;
}

gboolean
armz_server_listen_fd(ArmzServer *srv, int fd, gboolean readonly, GError **error)
{
    add_listener(srv, fd, readonly, FALSE, NULL, NULL);
    return TRUE;
}

static gboolean
listen_inet(ArmzServer *srv, const char *host, guint port, ArmzTlsContext *tls,
            GError **error)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
    struct addrinfo *res = NULL, *ai;
    g_autofree char *service = g_strdup_printf("%u", port);
    int rc, one = 1, count = 0;

    rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot resolve TCP listen address '%s': %s"), host, gai_strerror(rc));
        return FALSE;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (ai->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, SOMAXCONN) < 0) {
            int saved = errno;
            close(fd);
            freeaddrinfo(res);
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot listen on TCP %s:%u: %s"), host, port, g_strerror(saved));
            return FALSE;
        }
        add_listener(srv, fd, FALSE, TRUE, NULL, tls);
        count++;
    }
    freeaddrinfo(res);
    if (!count) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("no usable TCP address for '%s'"), host);
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_server_listen_tcp(ArmzServer *srv, const char *host, guint port, GError **error)
{
    return listen_inet(srv, host, port, NULL, error);
}

gboolean
armz_server_listen_tls(ArmzServer *srv, const char *host, guint port,
                       ArmzTlsContext *tls, GError **error)
{
    return listen_inet(srv, host, port, tls, error);
}

void
armz_server_set_unix_auth(ArmzServer *srv, int auth_rw, int auth_ro)
{
    srv->auth_unix_rw = auth_rw;
    srv->auth_unix_ro = auth_ro;
}

void
armz_server_unlink_sockets(ArmzServer *srv)
{
    for (guint i = 0; i < srv->listeners->len; i++) {
        Listener *l = g_ptr_array_index(srv->listeners, i);
        if (l->path)
            unlink(l->path);
    }
}

ArmzServer *
armz_server_new(const ArmzServerHooks *hooks, gpointer opaque,
                guint max_workers, guint max_clients)
{
    ArmzServer *srv = g_new0(ArmzServer, 1);

    srv->hooks = *hooks;
    srv->opaque = opaque;
    srv->ctx = g_main_context_ref(g_main_context_default());
    srv->pool = g_thread_pool_new(worker, srv, max_workers, FALSE, NULL);
    srv->listeners = g_ptr_array_new_with_free_func(listener_free);
    srv->clients = g_hash_table_new_full(NULL, NULL, (GDestroyNotify)armz_client_unref, NULL);
    armz_server_limits_init(&srv->limits);
    srv->limits.max_clients = max_clients;
    g_queue_init(&srv->large_waiters);
    srv->sweep_src = g_timeout_source_new_seconds(1);
    g_source_set_callback(srv->sweep_src, armz_server_sweep, srv, NULL);
    g_source_attach(srv->sweep_src, srv->ctx);
    srv->last_change = g_get_monotonic_time();
    return srv;
}

void
armz_server_free(ArmzServer *srv)
{
    GHashTableIter it;
    gpointer key;
    g_autoptr(GPtrArray) all = g_ptr_array_new();

    if (!srv)
        return;
    g_source_destroy(srv->sweep_src);
    g_source_unref(srv->sweep_src);
    g_hash_table_iter_init(&it, srv->clients);
    while (g_hash_table_iter_next(&it, &key, NULL))
        g_ptr_array_add(all, key);
    for (guint i = 0; i < all->len; i++)
        armz_server_client_gone(srv, g_ptr_array_index(all, i));
    /* After the clients, which point to their listeners. */
    g_ptr_array_free(srv->listeners, TRUE);
    g_thread_pool_free(srv->pool, FALSE, TRUE);
    g_hash_table_unref(srv->clients);
    g_main_context_unref(srv->ctx);
    g_free(srv);
}
