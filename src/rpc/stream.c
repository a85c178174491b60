#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <rpc/rpc.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "rpc/packet.h"
#include "rpc/server.h"
#include "rpc/stream.h"
#include "rpc/wire_error.h"

struct _ArmzStream {
    gint refs;
    ArmzClient *client;      /* ref held for the stream's life */
    int proc;
    guint32 serial;
    guint64 key;             /* (proc, serial): the client's table key */

    GMutex lock;             /* everything below */
    int fd;
    GSource *in_src;         /* fd readable: data for the client */
    GSource *out_src;        /* fd writable: client data is waiting */
    GQueue rxq;              /* GBytes payloads from the client, for the fd */
    gsize rx_off;            /* bytes of the head already written */
    gsize rx_bytes;          /* bytes waiting in rxq */
    gboolean rx_blocking;    /* counted in client->rx_blocked */
    gboolean sink_dead;      /* the fd took no more data (EIO): drop it */
    gboolean attached;       /* in client->streams */
    gboolean started;        /* the opening call's reply is queued */
    gboolean tx_paused;      /* not reading the fd: the client's queue is full */
    gboolean eof_sent;
    gboolean finishing;      /* the client finished: flush rxq, then confirm */
    gboolean closed;
    /* File transfers (armz_stream_set_transfer). */
    gboolean recv_only;      /* an upload: the fd is not read */
    gboolean send_only;      /* a download */
    guint64 limit;           /* bytes the transfer may carry; 0: no bound */
    guint64 moved;           /* bytes carried so far */
    GError *deferred;        /* an abort before start, sent by start */
    ArmzStreamClosedFunc closed_fn;
    gpointer closed_data;
    GDestroyNotify closed_destroy;
};

typedef struct {
    ArmzStreamClosedFunc fn;
    gpointer data;
    GDestroyNotify destroy;
} ClosedCb;

static guint64
make_key(int proc, guint32 serial)
{
    return ((guint64)(guint32)proc << 32) | serial;
}

ArmzStream *
armz_stream_new(ArmzClient *client, int proc, guint32 serial)
{
    ArmzStream *st = g_new0(ArmzStream, 1);

    st->refs = 1;
    st->client = armz_client_ref(client);
    st->proc = proc;
    st->serial = serial;
    st->key = make_key(proc, serial);
    st->fd = -1;
    g_mutex_init(&st->lock);
    g_queue_init(&st->rxq);
    return st;
}

ArmzStream *
armz_stream_ref(ArmzStream *st)
{
    g_atomic_int_inc(&st->refs);
    return st;
}

void
armz_stream_unref(ArmzStream *st)
{
    if (!st || !g_atomic_int_dec_and_test(&st->refs))
        return;
    /* Sources hold references, so none is left here. */
    g_assert(!st->in_src && !st->out_src && !st->attached);
    if (st->fd >= 0)
        close(st->fd);
    g_queue_clear_full(&st->rxq, (GDestroyNotify)g_bytes_unref);
    if (st->closed_destroy)
        st->closed_destroy(st->closed_data);
    g_clear_error(&st->deferred);
    armz_client_unref(st->client);
    g_mutex_clear(&st->lock);
    g_free(st);
}

guint32
armz_stream_serial(ArmzStream *st)
{
    return st->serial;
}

gboolean
armz_stream_is_closed(ArmzStream *st)
{
    gboolean closed;

    g_mutex_lock(&st->lock);
    closed = st->closed;
    g_mutex_unlock(&st->lock);
    return closed;
}

gboolean
armz_stream_is_live(ArmzStream *st)
{
    gboolean live;

    g_mutex_lock(&st->lock);
    live = !st->closed && !st->eof_sent;
    g_mutex_unlock(&st->lock);
    return live;
}

gboolean
armz_stream_set_closed_func(ArmzStream *st, ArmzStreamClosedFunc fn,
                            gpointer data, GDestroyNotify destroy)
{
    gboolean live;

    g_mutex_lock(&st->lock);
    live = !st->closed;
    if (live) {
        st->closed_fn = fn;
        st->closed_data = data;
        st->closed_destroy = destroy;
    }
    g_mutex_unlock(&st->lock);
    return live;
}

/* ---- packets ---- */

static GBytes *
stream_packet(ArmzStream *st, int status, const void *data, gsize len)
{
    armz_message_header hdr = {
        .prog = ARMZ_PROGRAM, .vers = ARMZ_PROTOCOL_VERSION, .proc = st->proc,
        .type = ARMZ_STREAM, .serial = st->serial, .status = status,
    };

    return armz_packet_encode_raw(&hdr, data, len);
}

static void
send_error_packet(ArmzStream *st, const GError *error)
{
    armz_message_header hdr = {
        .prog = ARMZ_PROGRAM, .vers = ARMZ_PROTOCOL_VERSION, .proc = st->proc,
        .type = ARMZ_STREAM, .serial = st->serial, .status = ARMZ_STATUS_ERROR,
    };
    armz_error body;
    GBytes *pkt;

    armz_wire_error_fill(&body, error);
    pkt = armz_packet_encode(&hdr, (xdrproc_t)xdr_armz_error, &body, NULL);
    xdr_free((xdrproc_t)xdr_armz_error, (char *)&body);
    if (pkt)
        armz_client_send(st->client, pkt);
}

/* ---- closing ---- */

static void
drop_source(GSource **src)
{
    if (*src) {
        g_source_destroy(*src);
        g_source_unref(*src);
        *src = NULL;
    }
}

static void
set_rx_blocking(ArmzStream *st, gboolean on)
{
    ArmzClient *client = st->client;
    gboolean resume = FALSE;

    if (st->rx_blocking == on)
        return;
    st->rx_blocking = on;
    g_mutex_lock(&client->lock);
    if (on) {
        client->rx_blocked++;
    } else {
        client->rx_blocked--;
        resume = client->rx_blocked == 0;
    }
    g_mutex_unlock(&client->lock);
    if (resume)
        armz_client_schedule_resume(client);
}

/* Ends ST (lock held): no more I/O, out of the client's table. The caller
 * holds a reference, so removing the table's does not free ST. */
static ClosedCb
close_locked(ArmzStream *st)
{
    ClosedCb cb = { st->closed_fn, st->closed_data, st->closed_destroy };
    ArmzClient *client = st->client;

    st->closed = TRUE;
    st->closed_fn = NULL;
    st->closed_data = NULL;
    st->closed_destroy = NULL;
    drop_source(&st->in_src);
    drop_source(&st->out_src);
    if (st->fd >= 0) {
        close(st->fd);
        st->fd = -1;
    }
    g_queue_clear_full(&st->rxq, (GDestroyNotify)g_bytes_unref);
    g_queue_init(&st->rxq);
    st->rx_bytes = 0;
    st->rx_off = 0;
    set_rx_blocking(st, FALSE);
    if (st->attached) {
        st->attached = FALSE;
        g_mutex_lock(&client->lock);
        g_hash_table_remove(client->streams, &st->key);
        g_mutex_unlock(&client->lock);
    }
    armz_debug("client %" G_GUINT64_FORMAT ": stream %d/%u closed",
               client->id, st->proc, st->serial);
    return cb;
}

static void
run_closed(ArmzStream *st, ClosedCb cb)
{
    if (cb.fn)
        cb.fn(st, cb.data);
    if (cb.destroy)
        cb.destroy(cb.data);
}

/* Daemon-side abort with the lock held; ERROR NULL: nothing is sent. */
static ClosedCb
abort_locked(ArmzStream *st, const GError *error)
{
    if (error) {
        armz_debug("client %" G_GUINT64_FORMAT ": aborting stream %d/%u: %s",
                   st->client->id, st->proc, st->serial, error->message);
        /* Before the reply of the opening call the client does not know the
         * stream: it would drop the error, so start sends it later. */
        if (st->started)
            send_error_packet(st, error);
        else if (!st->deferred)
            st->deferred = g_error_copy(error);
    }
    return close_locked(st);
}

void
armz_stream_abort(ArmzStream *st, const GError *error)
{
    ClosedCb cb = { 0 };

    g_mutex_lock(&st->lock);
    if (!st->closed)
        cb = abort_locked(st, error);
    g_mutex_unlock(&st->lock);
    run_closed(st, cb);
}

/* ---- fd -> client ---- */

static gboolean source_readable(gint fd, GIOCondition cond, gpointer data);

static void
watch_source(ArmzStream *st)
{
    if (st->in_src || st->fd < 0 || st->closed || st->eof_sent || st->tx_paused ||
        st->recv_only)
        return;
    st->in_src = g_unix_fd_source_new(st->fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(st->in_src, (GSourceFunc)(void (*)(void))source_readable,
                          armz_stream_ref(st), (GDestroyNotify)armz_stream_unref);
    g_source_attach(st->in_src, armz_server_context(st->client->server));
}

/* Leaves the in-source from its own callback, which returns G_SOURCE_REMOVE. */
static void
leave_source(ArmzStream *st)
{
    g_source_unref(st->in_src);
    st->in_src = NULL;
}

static gboolean
source_readable(gint fd, GIOCondition cond, gpointer data)
{
    ArmzStream *st = data;
    guint8 buf[ARMZ_STREAM_CHUNK];
    ClosedCb cb = { 0 };
    gboolean keep = G_SOURCE_REMOVE;
    ssize_t n;

    g_mutex_lock(&st->lock);
    if (st->closed || !st->in_src)
        goto out;
    if (st->limit && st->moved >= st->limit)
        n = 0;      /* the download's length is reached: its end */
    else
        n = read(st->fd, buf, st->limit ? MIN(sizeof(buf), st->limit - st->moved) : sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN) && !(cond & (G_IO_HUP | G_IO_ERR))) {
        keep = G_SOURCE_CONTINUE;
        goto out;
    }
    if (n > 0) {
        st->moved += n;
        if (armz_client_send_stream(st->client, stream_packet(st, ARMZ_STATUS_CONTINUE, buf, n))) {
            /* A slow client: stop reading until its queue drains. */
            st->tx_paused = TRUE;
            leave_source(st);
        } else {
            keep = G_SOURCE_CONTINUE;
        }
        goto out;
    }
    if (n == 0 || errno == EIO || errno == EAGAIN || errno == EINTR) {
        /* End of data (a pty whose other side has gone reads EIO): an empty
         * CONTINUE, after which the client finishes the stream. */
        leave_source(st);
        st->eof_sent = TRUE;
        armz_client_send(st->client, stream_packet(st, ARMZ_STATUS_CONTINUE, NULL, 0));
        goto out;
    } else {
        g_autoptr(GError) error = NULL;
        g_set_error(&error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot read from stream: %s"), g_strerror(errno));
        leave_source(st);
        cb = abort_locked(st, error);
    }
 out:
    g_mutex_unlock(&st->lock);
    run_closed(st, cb);
    return keep;
}

/* New references to CLIENT's open streams, taken under its lock so that
 * each can then be handled without it. */
static GPtrArray *
client_streams(ArmzClient *client)
{
    GPtrArray *all = g_ptr_array_new_with_free_func((GDestroyNotify)armz_stream_unref);
    GHashTableIter it;
    gpointer value;

    g_mutex_lock(&client->lock);
    if (client->streams) {
        g_hash_table_iter_init(&it, client->streams);
        while (g_hash_table_iter_next(&it, NULL, &value))
            g_ptr_array_add(all, armz_stream_ref(value));
    }
    g_mutex_unlock(&client->lock);
    return all;
}

void
armz_stream_client_drained(ArmzClient *client)
{
    g_autoptr(GPtrArray) all = client_streams(client);

    for (guint i = 0; i < all->len; i++) {
        ArmzStream *st = g_ptr_array_index(all, i);
        g_mutex_lock(&st->lock);
        if (st->tx_paused) {
            st->tx_paused = FALSE;
            if (st->started)
                watch_source(st);
        }
        g_mutex_unlock(&st->lock);
    }
}

/* ---- client -> fd ---- */

static gboolean sink_writable(gint fd, GIOCondition cond, gpointer data);

static void
discard_rx(ArmzStream *st)
{
    g_queue_clear_full(&st->rxq, (GDestroyNotify)g_bytes_unref);
    g_queue_init(&st->rxq);
    st->rx_bytes = 0;
    st->rx_off = 0;
}

/* The client's finish, once its data is written: confirm with an empty OK. */
static ClosedCb
finish_locked(ArmzStream *st)
{
    armz_client_send(st->client, stream_packet(st, ARMZ_STATUS_OK, NULL, 0));
    return close_locked(st);
}

/* Writes what the fd takes; waits for POLLOUT for the rest. */
static ClosedCb
sink_flush_locked(ArmzStream *st)
{
    ClosedCb none = { 0 };

    while (!g_queue_is_empty(&st->rxq)) {
        GBytes *head = g_queue_peek_head(&st->rxq);
        gsize len;
        const guint8 *data = g_bytes_get_data(head, &len);
        ssize_t n = write(st->fd, data + st->rx_off, len - st->rx_off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0 && errno == EIO) {
            /* A pty whose other side has gone: its reader reports the end
             * of the stream; what the client types meanwhile is dropped. */
            st->sink_dead = TRUE;
            discard_rx(st);
            break;
        }
        if (n < 0) {
            g_autoptr(GError) error = NULL;
            g_set_error(&error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot write to stream: %s"), g_strerror(errno));
            return abort_locked(st, error);
        }
        st->rx_off += n;
        st->rx_bytes -= n;
        if (st->rx_off == len) {
            g_bytes_unref(g_queue_pop_head(&st->rxq));
            st->rx_off = 0;
        }
    }

    if (g_queue_is_empty(&st->rxq)) {
        drop_source(&st->out_src);
    } else if (!st->out_src) {
        st->out_src = g_unix_fd_source_new(st->fd, G_IO_OUT | G_IO_ERR);
        g_source_set_callback(st->out_src, (GSourceFunc)(void (*)(void))sink_writable,
                              armz_stream_ref(st), (GDestroyNotify)armz_stream_unref);
        g_source_attach(st->out_src, armz_server_context(st->client->server));
    }
    /* Hysteresis, so the client's socket is not toggled on every packet. */
    if (st->rx_bytes > ARMZ_STREAM_RX_MAX)
        set_rx_blocking(st, TRUE);
    else if (st->rx_bytes <= ARMZ_STREAM_RX_MAX / 2)
        set_rx_blocking(st, FALSE);

    if (st->finishing && g_queue_is_empty(&st->rxq)) {
        if (st->recv_only && fdatasync(st->fd) < 0 && errno != EINVAL) {
            g_autoptr(GError) error = NULL;
            g_set_error(&error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot write to stream: %s"), g_strerror(errno));
            return abort_locked(st, error);
        }
        return finish_locked(st);
    }
    return none;
}

static gboolean
sink_writable(gint fd, GIOCondition cond, gpointer data)
{
    ArmzStream *st = data;
    ClosedCb cb = { 0 };

    g_mutex_lock(&st->lock);
    if (!st->closed && st->out_src) {
        g_source_unref(st->out_src);
        st->out_src = NULL;
        cb = sink_flush_locked(st);
    }
    g_mutex_unlock(&st->lock);
    run_closed(st, cb);
    return G_SOURCE_REMOVE;
}

void
armz_stream_dispatch(ArmzClient *client, const armz_message_header *hdr, GBytes *pkt)
{
    guint64 key = make_key(hdr->proc, hdr->serial);
    g_autoptr(ArmzStream) st = NULL;
    g_autoptr(GError) error = NULL;
    ClosedCb cb = { 0 };
    gsize len = g_bytes_get_size(pkt);

    g_mutex_lock(&client->lock);
    if (client->streams && (st = g_hash_table_lookup(client->streams, &key)))
        armz_stream_ref(st);
    g_mutex_unlock(&client->lock);
    if (!st) {
        /* A stream we ended may still have packets on the way: libvirt
         * drops them too. */
        armz_debug("client %" G_GUINT64_FORMAT ": stream packet for proc %d serial %u "
                   "without a stream", client->id, hdr->proc, hdr->serial);
        return;
    }

    g_mutex_lock(&st->lock);
    if (st->closed)
        goto out;
    if (hdr->type == ARMZ_STREAM_HOLE) {
        /* Only sparse streams (volume upload/download) carry holes. */
        g_set_error(&error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("unexpected stream hole: this stream is not sparse"));
        cb = abort_locked(st, error);
        goto out;
    }
    switch (hdr->status) {
    case ARMZ_STATUS_CONTINUE:
        /* Data after the client's finish, or for a device that has gone,
         * has nowhere to go. */
        if (st->finishing || st->sink_dead || st->eof_sent || len == ARMZ_PKT_MIN)
            break;
        if (st->send_only) {
            g_set_error(&error, ARMZ_ERROR, VIR_ERR_RPC,
                        _("unexpected stream data: this stream only sends"));
            cb = abort_locked(st, error);
            break;
        }
        if (st->recv_only && st->limit && len - ARMZ_PKT_MIN > st->limit - st->moved) {
            g_set_error(&error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                        _("stream data goes past the %" PRIu64
                          " bytes requested"), st->limit);
            cb = abort_locked(st, error);
            break;
        }
        st->moved += len - ARMZ_PKT_MIN;
        g_queue_push_tail(&st->rxq, g_bytes_new_from_bytes(pkt, ARMZ_PKT_MIN, len - ARMZ_PKT_MIN));
        st->rx_bytes += len - ARMZ_PKT_MIN;
        cb = sink_flush_locked(st);
        break;
    case ARMZ_STATUS_OK:
        st->finishing = TRUE;
        cb = sink_flush_locked(st);
        break;
    case ARMZ_STATUS_ERROR:
        /* The client aborts (its body, if any, says why): confirm. */
        discard_rx(st);
        cb = finish_locked(st);
        break;
    default:
        g_set_error(&error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("unexpected stream status %d"), hdr->status);
        cb = abort_locked(st, error);
        break;
    }
 out:
    g_mutex_unlock(&st->lock);
    run_closed(st, cb);
}

/* ---- life cycle ---- */

gboolean
armz_stream_attach(ArmzStream *st, GError **error)
{
    ArmzClient *client = st->client;
    gboolean ok = FALSE;

    g_mutex_lock(&st->lock);
    g_mutex_lock(&client->lock);
    if (client->closed) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC, _("the client has disconnected"));
    } else if (client->streams && g_hash_table_contains(client->streams, &st->key)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("a stream with serial %u is already open"), st->serial);
    } else if (!st->closed && !st->attached) {
        if (!client->streams)
            client->streams = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
                                                    (GDestroyNotify)armz_stream_unref);
        g_hash_table_insert(client->streams, &st->key, armz_stream_ref(st));
        st->attached = TRUE;
        ok = TRUE;
    } else {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC, _("the stream has ended"));
    }
    g_mutex_unlock(&client->lock);
    g_mutex_unlock(&st->lock);
    return ok;
}

void
armz_stream_set_transfer(ArmzStream *st, gboolean upload, guint64 limit)
{
    g_mutex_lock(&st->lock);
    st->recv_only = upload;
    st->send_only = !upload;
    st->limit = limit;
    g_mutex_unlock(&st->lock);
}

void
armz_stream_set_fd(ArmzStream *st, int fd)
{
    g_mutex_lock(&st->lock);
    if (st->closed) {
        close(fd);
    } else {
        if (st->fd >= 0)
            close(st->fd);
        st->fd = fd;
        if (st->started)
            watch_source(st);
    }
    g_mutex_unlock(&st->lock);
}

void
armz_stream_start(ArmzStream *st)
{
    g_mutex_lock(&st->lock);
    if (st->closed) {
        if (st->deferred) {
            send_error_packet(st, st->deferred);
            g_clear_error(&st->deferred);
        }
    } else {
        st->started = TRUE;
        watch_source(st);
    }
    g_mutex_unlock(&st->lock);
}

void
armz_stream_abort_all(ArmzClient *client)
{
    g_autoptr(GPtrArray) all = client_streams(client);
    for (guint i = 0; i < all->len; i++)
        armz_stream_abort(g_ptr_array_index(all, i), NULL);
}
