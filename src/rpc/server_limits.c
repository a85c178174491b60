/* What clients may hold of the daemon: admission per listener, the budget
 * of large incoming messages, the open timeout and keepalive. */
#include "util/log.h"
#include "rpc/armz_protocol.h"
#include "rpc/packet.h"
#include "rpc/server.h"
#include "rpc/server_priv.h"

void
armz_server_limits_init(ArmzServerLimits *limits)
{
    *limits = (ArmzServerLimits) {
        .max_clients = 5000,
        .rw_reserved_clients = 50,
        .max_anonymous_clients = 20,
        .anonymous_client_timeout = 30,
        .max_client_requests = 5,
        .max_client_output_bytes = 4 * 1024 * 1024,
        .max_large_input_bytes = 128 * 1024 * 1024,
        .keepalive_interval = 5,
        .keepalive_count = 5,
    };
}

const ArmzServerLimits *
armz_server_limits(ArmzServer *srv)
{
    return &srv->limits;
}

void
armz_server_set_limits(ArmzServer *srv, const ArmzServerLimits *limits)
{
    srv->limits = *limits;
}

/* Main thread: CLIENT no longer receives, or waits for, a share of
 * max_large_input_bytes; the waiters that now fit get theirs, in order. */
void
armz_server_large_release(ArmzServer *srv, ArmzClient *client)
{
    if (client->large_wait) {
        g_queue_remove(&srv->large_waiters, client);
        client->large_wait = FALSE;
    }
    if (!client->large_grant)
        return;
    srv->large_used -= client->large_grant;
    client->large_grant = 0;
    while (!g_queue_is_empty(&srv->large_waiters)) {
        ArmzClient *next = g_queue_peek_head(&srv->large_waiters);
        if (!armz_server_large_grant(srv, next))
            break;
        armz_server_resume_input(srv, next);
    }
}

/* Main thread: a share of max_large_input_bytes for the message of
 * client->want bytes that CLIENT is sending, or its place in the queue
 * (first come, first served: a large message is not starved by smaller
 * ones). The first one always fits, whatever the setting. */
gboolean
armz_server_large_grant(ArmzServer *srv, ArmzClient *client)
{
    gboolean first = g_queue_is_empty(&srv->large_waiters) ||
                     g_queue_peek_head(&srv->large_waiters) == client;

    if (first && (srv->large_used == 0 ||
                  srv->large_used + client->want <= srv->limits.max_large_input_bytes)) {
        if (client->large_wait) {
            g_queue_pop_head(&srv->large_waiters);
            client->large_wait = FALSE;
        }
        srv->large_used += client->want;
        client->large_grant = client->want;
        return TRUE;
    }
    if (!client->large_wait) {
        g_queue_push_tail(&srv->large_waiters, client);
        client->large_wait = TRUE;
    }
    return FALSE;
}

/* Main thread: CLIENT has not completed CONNECT_OPEN (or closed again). */
static gboolean
still_anonymous(ArmzClient *client)
{
    gboolean opened;

    g_mutex_lock(&client->lock);
    opened = client->opened;
    g_mutex_unlock(&client->lock);
    return !opened;
}

/* A listener's anonymous queue keeps clients until they are seen opened. */
static void
prune_opened(Listener *l)
{
    GList *link = l->anonymous.head;

    while (link) {
        GList *next = link->next;
        if (!still_anonymous(link->data))
            g_queue_delete_link(&l->anonymous, link);
        link = next;
    }
}

static void
send_ping(ArmzClient *client)
{
    armz_message_header hdr = {
        .prog = ARMZ_KEEPALIVE_PROGRAM, .vers = ARMZ_KEEPALIVE_VERSION, .proc = 1,
        .type = ARMZ_MESSAGE, .serial = 0, .status = ARMZ_STATUS_OK,
    };

    armz_client_send(client, armz_packet_encode_raw(&hdr, NULL, 0));
}

/* libvirt's keepalive: a client that asked for it and stays silent for
 * keepalive_interval s is pinged, and dropped when keepalive_count pings
 * in a row get no answer. A client whose input we do not read (its limits)
 * cannot answer: its clock starts again. */
static void
check_keepalive(ArmzServer *srv, ArmzClient *client, gint64 now)
{
    gint64 interval = (gint64)srv->limits.keepalive_interval * G_USEC_PER_SEC;
    gboolean wanted;

    g_mutex_lock(&client->lock);
    wanted = client->keepalive;
    g_mutex_unlock(&client->lock);
    if (!wanted || interval <= 0)
        return;
    if (!client->in_src) {
        client->last_rx = now;
        client->pings = 0;
        return;
    }
    if (now - client->last_rx < interval * (client->pings + 1))
        return;
    if (client->pings >= srv->limits.keepalive_count) {
        armz_warn("client %" G_GUINT64_FORMAT " did not answer %u keepalive pings; closing it",
                  client->id, client->pings);
        armz_server_client_gone(srv, client);
        return;
    }
    client->pings++;
    send_ping(client);
}

/* Once a second: clients that did not complete CONNECT_OPEN within
 * anonymous_client_timeout are dropped, and keepalive is checked. */
gboolean
armz_server_sweep(gpointer data)
{
    ArmzServer *srv = data;
    gint64 limit = (gint64)srv->limits.anonymous_client_timeout * G_USEC_PER_SEC;
    gint64 now = g_get_monotonic_time();

    if (srv->limits.keepalive_interval > 0) {
        g_autoptr(GPtrArray) all = g_ptr_array_new();
        GHashTableIter it;
        gpointer key;

        /* Closing a client removes it from the table: not while iterating. */
        g_hash_table_iter_init(&it, srv->clients);
        while (g_hash_table_iter_next(&it, &key, NULL))
            g_ptr_array_add(all, key);
        for (guint i = 0; i < all->len; i++)
            if (g_hash_table_contains(srv->clients, g_ptr_array_index(all, i)))
                check_keepalive(srv, g_ptr_array_index(all, i), now);
    }
    if (!limit)
        return G_SOURCE_CONTINUE;
    for (guint i = 0; i < srv->listeners->len; i++) {
        Listener *l = g_ptr_array_index(srv->listeners, i);

        prune_opened(l);
        while (!g_queue_is_empty(&l->anonymous)) {
            ArmzClient *client = g_queue_peek_head(&l->anonymous);
            if (now - client->connected_at < limit)
                break;
            armz_info("client %" G_GUINT64_FORMAT " did not open a connection within %u s; "
                      "closing it", client->id, srv->limits.anonymous_client_timeout);
            armz_server_client_gone(srv, client);
        }
    }
    return G_SOURCE_CONTINUE;
}

/* Main thread: whether a new connection on L may be served. Read-only
 * clients cannot take the read-write listeners' reserve: whoever can reach
 * the read-only socket cannot lock out root. */
gboolean
armz_server_admit(ArmzServer *srv, Listener *l)
{
    const ArmzServerLimits *lim = &srv->limits;
    guint ro_max = lim->max_clients > lim->rw_reserved_clients ?
                   lim->max_clients - lim->rw_reserved_clients : 0;
    gint64 now = g_get_monotonic_time();

    if (g_hash_table_size(srv->clients) < lim->max_clients &&
        !(l->readonly && srv->ro_clients >= ro_max))
        return TRUE;
    /* At most one line every 10 s: a flood must not fill the log. */
    if (now - srv->last_refusal_log > 10 * G_USEC_PER_SEC) {
        srv->last_refusal_log = now;
        if (l->readonly)
            armz_warn("refusing client: the limit of %u read-only clients is reached", ro_max);
        else
            armz_warn("refusing client: the limit of %u clients is reached", lim->max_clients);
    }
    return FALSE;
}

/* Main thread: CLIENT came through L. Clients that have not opened yet
 * cost nothing to open, so their number is bounded by dropping the oldest,
 * which also makes room for a client that opens at once. */
void
armz_server_track(ArmzServer *srv, Listener *l, ArmzClient *client)
{
    prune_opened(l);
    while (srv->limits.max_anonymous_clients &&
           g_queue_get_length(&l->anonymous) >= srv->limits.max_anonymous_clients) {
        ArmzClient *oldest = g_queue_peek_head(&l->anonymous);
        armz_info("client %" G_GUINT64_FORMAT " has not opened a connection and %u others "
                  "wait: closing it", oldest->id, srv->limits.max_anonymous_clients);
        armz_server_client_gone(srv, oldest);
    }
    client->listener = l;
    client->connected_at = client->last_rx = g_get_monotonic_time();
    g_queue_push_tail(&l->anonymous, client);
    if (l->readonly)
        srv->ro_clients++;
}

/* Main thread: CLIENT is gone; what it counted against is given back. */
void
armz_server_untrack(ArmzServer *srv, ArmzClient *client)
{
    Listener *l = client->listener;

    armz_server_large_release(srv, client);
    if (l) {
        g_queue_remove(&l->anonymous, client);
        if (l->readonly)
            srv->ro_clients--;
    }
}
