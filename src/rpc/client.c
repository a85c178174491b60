#include <errno.h>
#include <unistd.h>
#include <glib-unix.h>

#include "util/log.h"
#include "rpc/client.h"
#include "rpc/packet.h"
#include "rpc/server.h"
#include "rpc/stream.h"

static void client_flush(ArmzClient *client);

ArmzClient *
armz_client_ref(ArmzClient *client)
{
    g_atomic_int_inc(&client->refs);
    return client;
}

void
armz_client_unref(ArmzClient *client)
{
    if (!client || !g_atomic_int_dec_and_test(&client->refs))
        return;
    g_queue_clear_full(&client->outq, (GDestroyNotify)g_bytes_unref);
    if (client->streams)
        g_hash_table_unref(client->streams);
    if (client->priv_free)
        client->priv_free(client->priv);
    if (client->inbuf)
        g_byte_array_unref(client->inbuf);
    if (client->io && client->io->free)
        client->io->free(client->io_data);
    g_mutex_clear(&client->lock);
    g_free(client);
}

ssize_t
armz_client_io_read(ArmzClient *client, void *buf, size_t len)
{
    if (client->io)
        return client->io->read(client, buf, len);
    return read(client->fd, buf, len);
}

ssize_t
armz_client_io_write(ArmzClient *client, const void *buf, size_t len)
{
    if (client->io)
        return client->io->write(client, buf, len);
    return write(client->fd, buf, len);
}

gsize
armz_client_io_pending(ArmzClient *client)
{
    return client->io ? client->io->pending(client) : 0;
}

/* Always through an idle source, never run inline: a sender may hold locks
 * (the event registry) that closing this client would take again. */
static void
schedule(ArmzClient *client, GSourceFunc fn)
{
    GSource *src = g_idle_source_new();

    g_source_set_callback(src, fn, armz_client_ref(client), (GDestroyNotify)armz_client_unref);
    g_source_attach(src, armz_server_context(client->server));
    g_source_unref(src);
}

static gboolean
flush_cb(gpointer data)
{
    client_flush(data);
    return G_SOURCE_REMOVE;
}

static gboolean
writable_cb(gint fd, GIOCondition cond, gpointer data)
{
    ArmzClient *client = data;

    g_source_unref(client->out_src);
    client->out_src = NULL;
    client_flush(client);
    return G_SOURCE_REMOVE;
}

/* What a queued packet counts against (lock held); SIGN +1 on queueing,
 * -1 once written. */
static void
account(ArmzClient *client, GBytes *pkt, int sign)
{
    int type = armz_packet_type(pkt);
    gsize size = g_bytes_get_size(pkt);

    if (type == ARMZ_REPLY)
        client->out_replies += sign;
    else if (type != ARMZ_STREAM && type != ARMZ_STREAM_HOLE)
        client->out_events += sign * (gssize)size;
}

static void
drop_output(ArmzClient *client)
{
    g_queue_clear_full(&client->outq, (GDestroyNotify)g_bytes_unref);
    client->out_off = 0;
    client->out_bytes = 0;
    client->out_replies = 0;
    client->out_events = 0;
}

/* Main thread: writes what the socket takes; waits for POLLOUT otherwise. */
static void
client_flush(ArmzClient *client)
{
    gboolean done_and_close = FALSE;
    gboolean drained = FALSE;
    gboolean sent = FALSE;

    g_mutex_lock(&client->lock);
    if (client->overflow && !client->closed) {
        drop_output(client);
        done_and_close = TRUE;
    }
    while (!client->closed && !done_and_close && !g_queue_is_empty(&client->outq)) {
        GBytes *pkt = g_queue_peek_head(&client->outq);
        gsize len;
        const guint8 *data = g_bytes_get_data(pkt, &len);
        ssize_t n = armz_client_io_write(client, data + client->out_off,
                                          len - client->out_off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!client->out_src) {
                client->out_src = g_unix_fd_source_new(client->fd, G_IO_OUT);
                g_source_set_callback(client->out_src, (GSourceFunc)(void (*)(void))writable_cb,
                                      client, NULL);
                g_source_attach(client->out_src, armz_server_context(client->server));
            }
            g_mutex_unlock(&client->lock);
            return;
        }
        if (n <= 0) {
            /* The peer went away: the reader notices and cleans up. */
            drop_output(client);
            done_and_close = TRUE;
            break;
        }
        client->out_off += n;
        client->out_bytes -= n;
        if (client->out_off == len) {
            account(client, pkt, -1);
            g_bytes_unref(g_queue_pop_head(&client->outq));
            client->out_off = 0;
            sent = TRUE;
        }
    }
    if (g_queue_is_empty(&client->outq) && client->close_after_flush)
        done_and_close = TRUE;
    if (client->tx_waiting && client->out_bytes <= ARMZ_STREAM_TX_MAX / 2) {
        client->tx_waiting = FALSE;
        drained = TRUE;
    }
    g_mutex_unlock(&client->lock);

    if (done_and_close) {
        armz_server_client_gone(client->server, client);
        return;
    }
    if (drained)
        armz_stream_client_drained(client);
    /* A written reply or a shorter queue may let its input be read again. */
    if (sent)
        armz_server_resume_input(client->server, client);
}

/* TRUE when queued; *FULL: the queue holds ARMZ_STREAM_TX_MAX or more. */
static gboolean
enqueue(ArmzClient *client, GBytes *pkt, gboolean *full)
{
    const ArmzServerLimits *limits = armz_server_limits(client->server);
    int type = armz_packet_type(pkt);

    g_mutex_lock(&client->lock);
    if (client->closed || client->overflow) {
        g_mutex_unlock(&client->lock);
        g_bytes_unref(pkt);
        return FALSE;
    }
    /* Replies and stream data have bounds of their own (max_client_requests,
     * ARMZ_STREAM_TX_MAX); events come whether or not the client reads them,
     * and one that leaves them unread is dropped rather than let them pile up. */
    if (type != ARMZ_REPLY && type != ARMZ_STREAM && type != ARMZ_STREAM_HOLE &&
        client->out_events + g_bytes_get_size(pkt) > limits->max_client_output_bytes) {
        client->overflow = TRUE;
        g_mutex_unlock(&client->lock);
        g_bytes_unref(pkt);
        armz_warn("client %" G_GUINT64_FORMAT " does not read its messages: more than %"
                  G_GSIZE_FORMAT " bytes wait for it; closing it",
                  client->id, limits->max_client_output_bytes);
        schedule(client, flush_cb);
        return FALSE;
    }
    client->out_bytes += g_bytes_get_size(pkt);
    account(client, pkt, +1);
    g_queue_push_tail(&client->outq, pkt);
    if (full) {
        *full = client->out_bytes >= ARMZ_STREAM_TX_MAX;
        if (*full)
            client->tx_waiting = TRUE;
    }
    g_mutex_unlock(&client->lock);
    return TRUE;
}

void
armz_client_send(ArmzClient *client, GBytes *pkt)
{
    if (enqueue(client, pkt, NULL))
        schedule(client, flush_cb);
}

gboolean
armz_client_send_stream(ArmzClient *client, GBytes *pkt)
{
    gboolean full = FALSE;

    if (enqueue(client, pkt, &full))
        schedule(client, flush_cb);
    return full;
}

void
armz_client_close_after_flush(ArmzClient *client)
{
    g_mutex_lock(&client->lock);
    client->close_after_flush = TRUE;
    g_mutex_unlock(&client->lock);
    schedule(client, flush_cb);
}

static gboolean
resume_cb(gpointer data)
{
    ArmzClient *client = data;

    armz_server_resume_input(client->server, client);
    return G_SOURCE_REMOVE;
}

void
armz_client_call_done(ArmzClient *client)
{
    g_mutex_lock(&client->lock);
    client->inflight--;
    g_mutex_unlock(&client->lock);
    schedule(client, resume_cb);
}

void
armz_client_want_keepalive(ArmzClient *client)
{
    g_mutex_lock(&client->lock);
    client->keepalive = TRUE;
    g_mutex_unlock(&client->lock);
}

void
armz_client_schedule_resume(ArmzClient *client)
{
    schedule(client, resume_cb);
}
