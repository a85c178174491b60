/* The stream layer through a real server: a test procedure opens a stream
 * whose fd is one end of a socketpair (the "device"); the test is both the
 * libvirt client (raw packets on the unix socket) and the device (the other
 * end of the pair), and runs the daemon's main context itself. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <rpc/rpc.h>

#include "util/error.h"
#include "rpc/dispatch.h"
#include "rpc/packet.h"
#include "rpc/server.h"
#include "rpc/stream.h"

#define PROC REMOTE_PROC_DOMAIN_OPEN_CONSOLE

typedef struct {
    GMutex lock;             /* the fields the worker sets */
    ArmzClient *client;      /* ref */
    ArmzStream *stream;      /* ref */
    int dev;                 /* the device's end of the pair */
    gboolean fail;           /* the handler fails after opening the stream */
    gboolean abort_early;    /* the handler aborts its stream, then succeeds */
    guint closed_calls;
    guint clients_closed;
} State;

static State S;
static ArmzServer *srv;
static ArmzDispatcher *disp;
static char *sock_path;

static void
on_closed(ArmzStream *st, gpointer data)
{
    g_mutex_lock(&S.lock);
    S.closed_calls++;
    g_mutex_unlock(&S.lock);
}

static gboolean
h_open(ArmzClient *client, void *a, void *r, GError **error)
{
    ArmzStream *st = armz_dispatch_stream();
    int sv[2];

    g_assert_nonnull(st);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    g_assert_true(g_unix_set_fd_nonblocking(sv[0], TRUE, NULL));
    g_assert_true(g_unix_set_fd_nonblocking(sv[1], TRUE, NULL));
    armz_stream_set_closed_func(st, on_closed, NULL, NULL);
    armz_stream_set_fd(st, sv[0]);
    g_mutex_lock(&S.lock);
    g_clear_pointer(&S.client, armz_client_unref);
    g_clear_pointer(&S.stream, armz_stream_unref);
    if (S.dev >= 0)
        close(S.dev);
    S.client = armz_client_ref(client);
    S.stream = armz_stream_ref(st);
    S.dev = sv[1];
    g_mutex_unlock(&S.lock);
    if (S.abort_early) {
        g_autoptr(GError) why = g_error_new_literal(ARMZ_ERROR, VIR_ERR_OPERATION_ABORTED,
                                                    "taken over");
        armz_stream_abort(st, why);
    }
    if (S.fail) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED, "busy");
        return FALSE;
    }
    return TRUE;
}

static const ArmzProc procs[] = {
    { PROC, ARMZ_NOARGS, ARMZ_NORET, h_open,
      ARMZ_PROC_PREOPEN | ARMZ_PROC_STREAM },
};

static void
hook_call(ArmzClient *client, GBytes *pkt, gpointer opaque)
{
    armz_dispatcher_call(disp, client, pkt);
}

static void
hook_closed(ArmzClient *client, gpointer opaque)
{
    g_mutex_lock(&S.lock);
    S.clients_closed++;
    g_mutex_unlock(&S.lock);
}

/* ---- helpers: the test runs the daemon's loop while it waits ---- */

static void
spin(void)
{
    while (g_main_context_iteration(NULL, FALSE))
        ;
}

#define WAIT_US (5 * G_USEC_PER_SEC)

static void
spin_until(gboolean (*cond)(gpointer), gpointer data)
{
    gint64 end = g_get_monotonic_time() + WAIT_US;

    while (!cond(data)) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        spin();
        g_usleep(1000);
    }
}

/* Runs the loop for MS milliseconds (to show that nothing happens). */
static void
spin_for(int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < end) {
        spin();
        g_usleep(1000);
    }
}

static int
client_connect(void)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(addr.sun_path, sock_path, sizeof(addr.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_true(g_unix_set_fd_nonblocking(fd, TRUE, NULL));
    return fd;
}

static void
write_all(int fd, const void *buf, gsize len)
{
    gsize off = 0;
    gint64 end = g_get_monotonic_time() + WAIT_US;

    while (off < len) {
        ssize_t n = write(fd, (const char *)buf + off, len - off);
        if (n < 0) {
            g_assert_true(errno == EAGAIN || errno == EINTR);
            g_assert_cmpint(g_get_monotonic_time(), <, end);
            spin();
            g_usleep(1000);
            continue;
        }
        off += n;
    }
}

static void
send_pkt(int fd, int type, guint32 serial, int status, const void *data, gsize len)
{
    armz_message_header hdr = { ARMZ_PROGRAM, ARMZ_PROTOCOL_VERSION, PROC, type, serial, status };
    g_autoptr(GBytes) pkt = armz_packet_encode_raw(&hdr, data, len);
    gsize n;
    const void *d = g_bytes_get_data(pkt, &n);

    write_all(fd, d, n);
}

/* Reads exactly LEN bytes from FD, running the loop meanwhile; FALSE on EOF. */
static gboolean
read_exact(int fd, guint8 *buf, gsize len)
{
    gsize off = 0;
    gint64 end = g_get_monotonic_time() + WAIT_US;

    while (off < len) {
        ssize_t n = read(fd, buf + off, len - off);
        if (n == 0)
            return FALSE;
        if (n < 0) {
            g_assert_true(errno == EAGAIN || errno == EINTR);
            g_assert_cmpint(g_get_monotonic_time(), <, end);
            spin();
            g_usleep(500);
            continue;
        }
        off += n;
    }
    return TRUE;
}

/* The next packet from the daemon (keepalive never comes: we never ping). */
static GBytes *
recv_pkt(int fd, armz_message_header *hdr)
{
    guint8 lenbuf[4];
    guint32 len;
    guint8 *buf;

    g_assert_true(read_exact(fd, lenbuf, 4));
    g_assert_true(armz_packet_length(lenbuf, &len, NULL));
    buf = g_malloc(len);
    memcpy(buf, lenbuf, 4);
    g_assert_true(read_exact(fd, buf + 4, len - 4));
    g_assert_true(armz_packet_decode_header(buf, len, hdr, NULL));
    return g_bytes_new_take(buf, len);
}

static gsize
payload(GBytes *pkt, const guint8 **data)
{
    gsize len;
    const guint8 *d = g_bytes_get_data(pkt, &len);

    *data = d + ARMZ_PKT_MIN;
    return len - ARMZ_PKT_MIN;
}

static void
expect_pkt(int fd, int type, guint32 serial, int status, const char *data)
{
    armz_message_header hdr;
    g_autoptr(GBytes) pkt = recv_pkt(fd, &hdr);
    const guint8 *d;
    gsize n = payload(pkt, &d);

    g_assert_cmphex(hdr.prog, ==, ARMZ_PROGRAM);
    g_assert_cmpint(hdr.proc, ==, PROC);
    g_assert_cmpint(hdr.type, ==, type);
    g_assert_cmpuint(hdr.serial, ==, serial);
    g_assert_cmpint(hdr.status, ==, status);
    if (data)
        g_assert_cmpmem(d, n, data, strlen(data));
}

static int
expect_stream_error(int fd, guint32 serial)
{
    armz_message_header hdr;
    g_autoptr(GBytes) pkt = recv_pkt(fd, &hdr);
    gsize len;
    const guint8 *d = g_bytes_get_data(pkt, &len);
    armz_error err = { 0 };
    int code;

    g_assert_cmpint(hdr.type, ==, ARMZ_STREAM);
    g_assert_cmpuint(hdr.serial, ==, serial);
    g_assert_cmpint(hdr.status, ==, ARMZ_STATUS_ERROR);
    g_assert_true(armz_packet_decode_body(d, len, (xdrproc_t)xdr_armz_error, &err, NULL));
    code = err.code;
    g_assert_nonnull(err.message);
    xdr_free((xdrproc_t)xdr_armz_error, (char *)&err);
    return code;
}

/* Nothing more arrives on FD for a while. */
static void
expect_silence(int fd)
{
    guint8 b;

    spin_for(100);
    g_assert_cmpint(read(fd, &b, 1), ==, -1);
    g_assert_cmpint(errno, ==, EAGAIN);
}

static gboolean
closed_calls_are(gpointer n)
{
    gboolean r;

    g_mutex_lock(&S.lock);
    r = S.closed_calls == GPOINTER_TO_UINT(n);
    g_mutex_unlock(&S.lock);
    return r;
}

static gboolean
clients_closed_are(gpointer n)
{
    gboolean r;

    g_mutex_lock(&S.lock);
    r = S.clients_closed == GPOINTER_TO_UINT(n);
    g_mutex_unlock(&S.lock);
    return r;
}

static void
reset_state(void)
{
    g_mutex_lock(&S.lock);
    g_clear_pointer(&S.client, armz_client_unref);
    g_clear_pointer(&S.stream, armz_stream_unref);
    if (S.dev >= 0)
        close(S.dev);
    S.dev = -1;
    S.fail = S.abort_early = FALSE;
    S.closed_calls = 0;
    S.clients_closed = 0;
    g_mutex_unlock(&S.lock);
}

/* Connects and opens a stream with SERIAL: the reply comes first. */
static int
open_stream(guint32 serial)
{
    int fd = client_connect();

    send_pkt(fd, ARMZ_CALL, serial, ARMZ_STATUS_OK, NULL, 0);
    expect_pkt(fd, ARMZ_REPLY, serial, ARMZ_STATUS_OK, "");
    g_assert_cmpint(S.dev, >=, 0);
    return fd;
}

/* The client disconnects and the daemon notices. */
static void
disconnect(int fd, guint expect_clients)
{
    close(fd);
    spin_until(clients_closed_are, GUINT_TO_POINTER(expect_clients));
}

/* ---- tests ---- */

static void
test_data_both_ways(void)
{
    int fd = open_stream(7);
    guint8 buf[5];

    write_all(S.dev, "hello", 5);
    expect_pkt(fd, ARMZ_STREAM, 7, ARMZ_STATUS_CONTINUE, "hello");
    send_pkt(fd, ARMZ_STREAM, 7, ARMZ_STATUS_CONTINUE, "world", 5);
    g_assert_true(read_exact(S.dev, buf, 5));
    g_assert_cmpmem(buf, 5, "world", 5);
    /* An empty CONTINUE from the client carries nothing. */
    send_pkt(fd, ARMZ_STREAM, 7, ARMZ_STATUS_CONTINUE, NULL, 0);
    send_pkt(fd, ARMZ_STREAM, 7, ARMZ_STATUS_CONTINUE, "!", 1);
    g_assert_true(read_exact(S.dev, buf, 1));
    g_assert_cmpint(buf[0], ==, '!');
    disconnect(fd, 1);
    reset_state();
}

static void
test_eof_then_finish(void)
{
    int fd = open_stream(8);

    write_all(S.dev, "last", 4);
    shutdown(S.dev, SHUT_WR);
    expect_pkt(fd, ARMZ_STREAM, 8, ARMZ_STATUS_CONTINUE, "last");
    /* End of data: CONTINUE with no bytes; the stream stays until the
     * client finishes, which the daemon confirms with an empty OK. */
    expect_pkt(fd, ARMZ_STREAM, 8, ARMZ_STATUS_CONTINUE, "");
    g_assert_false(armz_stream_is_closed(S.stream));
    send_pkt(fd, ARMZ_STREAM, 8, ARMZ_STATUS_OK, NULL, 0);
    expect_pkt(fd, ARMZ_STREAM, 8, ARMZ_STATUS_OK, "");
    spin_until(closed_calls_are, GUINT_TO_POINTER(1));
    g_assert_true(armz_stream_is_closed(S.stream));
    /* Later packets for it are dropped without an answer. */
    send_pkt(fd, ARMZ_STREAM, 8, ARMZ_STATUS_CONTINUE, "x", 1);
    expect_silence(fd);
    disconnect(fd, 1);
    reset_state();
}

static void
test_finish_flushes_data(void)
{
    int fd = open_stream(9);
    g_autofree guint8 *big = g_malloc(100000);
    g_autofree guint8 *got = g_malloc(100000);

    for (gsize i = 0; i < 100000; i++)
        big[i] = i * 7;
    send_pkt(fd, ARMZ_STREAM, 9, ARMZ_STATUS_CONTINUE, big, 60000);
    send_pkt(fd, ARMZ_STREAM, 9, ARMZ_STATUS_CONTINUE, big + 60000, 40000);
    send_pkt(fd, ARMZ_STREAM, 9, ARMZ_STATUS_OK, NULL, 0);
    /* The device gets every byte before the finish is confirmed. */
    g_assert_true(read_exact(S.dev, got, 100000));
    g_assert_cmpmem(got, 100000, big, 100000);
    expect_pkt(fd, ARMZ_STREAM, 9, ARMZ_STATUS_OK, "");
    g_assert_false(read_exact(S.dev, got, 1)); /* the daemon closed its end */
    g_assert_cmpuint(S.closed_calls, ==, 1);
    disconnect(fd, 1);
    reset_state();
}

static void
test_client_abort(void)
{
    int fd = open_stream(10);
    guint8 b;

    /* libvirt's virStreamAbort: ERROR with an empty body, confirmed by OK. */
    send_pkt(fd, ARMZ_STREAM, 10, ARMZ_STATUS_ERROR, NULL, 0);
    expect_pkt(fd, ARMZ_STREAM, 10, ARMZ_STATUS_OK, "");
    spin_until(closed_calls_are, GUINT_TO_POINTER(1));
    g_assert_false(read_exact(S.dev, &b, 1));
    disconnect(fd, 1);
    reset_state();
}

static void
test_daemon_abort(void)
{
    int fd = open_stream(11);
    g_autoptr(GError) why = g_error_new_literal(ARMZ_ERROR, VIR_ERR_OPERATION_ABORTED, "gone");
    guint8 b;

    armz_stream_abort(S.stream, why);
    g_assert_cmpint(expect_stream_error(fd, 11), ==, VIR_ERR_OPERATION_ABORTED);
    g_assert_cmpuint(S.closed_calls, ==, 1);
    g_assert_false(read_exact(S.dev, &b, 1));
    /* A second abort does nothing; the client's late packets are dropped. */
    armz_stream_abort(S.stream, why);
    send_pkt(fd, ARMZ_STREAM, 11, ARMZ_STATUS_ERROR, NULL, 0);
    expect_silence(fd);
    g_assert_cmpuint(S.closed_calls, ==, 1);
    /* The connection still works: a new stream on it. */
    send_pkt(fd, ARMZ_CALL, 12, ARMZ_STATUS_OK, NULL, 0);
    expect_pkt(fd, ARMZ_REPLY, 12, ARMZ_STATUS_OK, "");
    write_all(S.dev, "ok", 2);
    expect_pkt(fd, ARMZ_STREAM, 12, ARMZ_STATUS_CONTINUE, "ok");
    disconnect(fd, 1);
    spin_until(closed_calls_are, GUINT_TO_POINTER(2));
    reset_state();
}

static void
test_abort_before_reply(void)
{
    int fd = client_connect();

    /* Taken over while its call still runs: the client must see the reply
     * first, or it would drop the error and wait for ever. */
    S.abort_early = TRUE;
    send_pkt(fd, ARMZ_CALL, 13, ARMZ_STATUS_OK, NULL, 0);
    expect_pkt(fd, ARMZ_REPLY, 13, ARMZ_STATUS_OK, "");
    g_assert_cmpint(expect_stream_error(fd, 13), ==, VIR_ERR_OPERATION_ABORTED);
    g_assert_cmpuint(S.closed_calls, ==, 1);
    disconnect(fd, 1);
    reset_state();
}

static void
test_handler_failure(void)
{
    int fd = client_connect();
    guint8 b;

    S.fail = TRUE;
    send_pkt(fd, ARMZ_CALL, 14, ARMZ_STATUS_OK, NULL, 0);
    expect_pkt(fd, ARMZ_REPLY, 14, ARMZ_STATUS_ERROR, NULL);
    g_assert_cmpuint(S.closed_calls, ==, 1);
    g_assert_true(armz_stream_is_closed(S.stream));
    g_assert_false(read_exact(S.dev, &b, 1));
    send_pkt(fd, ARMZ_STREAM, 14, ARMZ_STATUS_CONTINUE, "x", 1);
    expect_silence(fd);
    disconnect(fd, 1);
    reset_state();
}

static void
test_disconnect_with_streams(void)
{
    int fd = client_connect();
    int dev1, dev2;
    guint8 b;

    send_pkt(fd, ARMZ_CALL, 20, ARMZ_STATUS_OK, NULL, 0);
    expect_pkt(fd, ARMZ_REPLY, 20, ARMZ_STATUS_OK, "");
    dev1 = dup(S.dev);
    send_pkt(fd, ARMZ_CALL, 21, ARMZ_STATUS_OK, NULL, 0);
    expect_pkt(fd, ARMZ_REPLY, 21, ARMZ_STATUS_OK, "");
    dev2 = dup(S.dev);
    send_pkt(fd, ARMZ_STREAM, 21, ARMZ_STATUS_CONTINUE, "pending", 7);
    g_assert_true(read_exact(dev2, &b, 1));
    disconnect(fd, 1);
    /* Both streams ended with the client, and closed their fds. */
    spin_until(closed_calls_are, GUINT_TO_POINTER(2));
    g_assert_false(read_exact(dev1, &b, 1));
    while (read_exact(dev2, &b, 1))
        ;
    close(dev1);
    close(dev2);
    reset_state();
}

static void
test_duplicate_serial(void)
{
    int fd = open_stream(30);

    /* The same serial again while its stream is open: refused, and the
     * open stream is untouched. */
    send_pkt(fd, ARMZ_CALL, 30, ARMZ_STATUS_OK, NULL, 0);
    expect_pkt(fd, ARMZ_REPLY, 30, ARMZ_STATUS_ERROR, NULL);
    write_all(S.dev, "still", 5);
    expect_pkt(fd, ARMZ_STREAM, 30, ARMZ_STATUS_CONTINUE, "still");
    disconnect(fd, 1);
    reset_state();
}

static void
test_hole_and_bad_status(void)
{
    int fd = open_stream(40);
    guint8 hole[12] = { 0 };

    /* Holes belong to sparse streams only: the stream is aborted. */
    send_pkt(fd, ARMZ_STREAM_HOLE, 40, ARMZ_STATUS_CONTINUE, hole, sizeof(hole));
    g_assert_cmpint(expect_stream_error(fd, 40), ==, VIR_ERR_RPC);
    send_pkt(fd, ARMZ_CALL, 41, ARMZ_STATUS_OK, NULL, 0);
    expect_pkt(fd, ARMZ_REPLY, 41, ARMZ_STATUS_OK, "");
    send_pkt(fd, ARMZ_STREAM, 41, 7, NULL, 0);
    g_assert_cmpint(expect_stream_error(fd, 41), ==, VIR_ERR_RPC);
    disconnect(fd, 1);
    reset_state();
}

/* A client that does not read: the daemon queues at most about the bound
 * and then stops reading the device, which then cannot write any more. */
static void
test_tx_backpressure(void)
{
    int fd = open_stream(50);
    guint8 chunk[8192];
    gsize written = 0, got = 0;
    gsize max_queued = 0;
    gint64 idle_since = 0;
    guint32 seq = 0;

    for (gsize i = 0; i < sizeof(chunk); i++)
        chunk[i] = i;
    while (TRUE) {
        ssize_t n = write(S.dev, chunk, sizeof(chunk));
        gsize q;

        spin();
        g_mutex_lock(&S.client->lock);
        q = S.client->out_bytes;
        g_mutex_unlock(&S.client->lock);
        max_queued = MAX(max_queued, q);
        if (n > 0) {
            written += n;
            idle_since = 0;
        } else {
            g_assert_cmpint(errno, ==, EAGAIN);
            if (!idle_since)
                idle_since = g_get_monotonic_time();
            else if (g_get_monotonic_time() - idle_since > 300 * 1000)
                break;
            g_usleep(1000);
        }
        g_assert_cmpuint(written, <, 64 * 1024 * 1024);
    }
    g_test_message("device wrote %zu bytes before blocking; daemon queued at most %zu",
                   written, max_queued);
    g_assert_cmpuint(max_queued, <=, ARMZ_STREAM_TX_MAX + ARMZ_STREAM_CHUNK + 2 * ARMZ_PKT_MIN);
    g_assert_cmpuint(max_queued, >=, ARMZ_STREAM_TX_MAX);

    /* The client reads: everything arrives, in order, nothing lost. */
    while (got < written) {
        armz_message_header hdr;
        g_autoptr(GBytes) pkt = NULL;
        const guint8 *d;
        gsize n;

        /* Keep the device's buffer drained into the daemon as it resumes. */
        pkt = recv_pkt(fd, &hdr);
        g_assert_cmpint(hdr.type, ==, ARMZ_STREAM);
        g_assert_cmpint(hdr.status, ==, ARMZ_STATUS_CONTINUE);
        n = payload(pkt, &d);
        g_assert_cmpuint(n, >, 0);
        g_assert_cmpuint(n, <=, ARMZ_STREAM_CHUNK);
        for (gsize i = 0; i < n; i++, seq++)
            g_assert_cmpuint(d[i], ==, (guint8)(seq % sizeof(chunk)));
        got += n;
    }
    g_assert_cmpuint(got, ==, written);
    disconnect(fd, 1);
    reset_state();
}

/* A device that does not read: the daemon stops reading the client's socket
 * once about the bound waits for the device, and resumes when it drains. */
static void
test_rx_backpressure(void)
{
    int fd = open_stream(60);
    g_autofree guint8 *data = g_malloc(32768);
    g_autofree guint8 *got = g_malloc(32768);
    g_autoptr(GBytes) pkt = NULL;
    armz_message_header hdr = { ARMZ_PROGRAM, ARMZ_PROTOCOL_VERSION, PROC,
                                ARMZ_STREAM, 60, ARMZ_STATUS_CONTINUE };
    const guint8 *d;
    gsize n, done = 0;
    guint whole = 0, blocked_seen = 0;
    gint64 idle_since = 0;

    for (gsize i = 0; i < 32768; i++)
        data[i] = i % 251;
    pkt = armz_packet_encode_raw(&hdr, data, 32768);
    d = g_bytes_get_data(pkt, &n);
    /* The client writes packets until its socket stays full. */
    while (TRUE) {
        ssize_t w = write(fd, d + done, n - done);

        spin();
        if (w > 0) {
            done += w;
            idle_since = 0;
            if (done == n) {
                done = 0;
                whole++;
                g_assert_cmpuint(whole, <, 4096);
            }
            continue;
        }
        g_assert_cmpint(errno, ==, EAGAIN);
        if (S.client->rx_blocked)
            blocked_seen++;
        if (!idle_since)
            idle_since = g_get_monotonic_time();
        else if (g_get_monotonic_time() - idle_since > 300 * 1000)
            break;
        g_usleep(1000);
    }
    g_test_message("client wrote %u whole packets (and %zu bytes) before blocking", whole, done);
    g_assert_cmpuint(blocked_seen, >, 0);
    g_assert_cmpuint(S.client->rx_blocked, ==, 1);
    /* What the daemon holds is bounded: the device got nothing, the kernel
     * buffers hold the rest. */
    g_assert_cmpuint(whole, <, 64);

    /* The device reads: every byte comes in order, and the socket is read
     * again; the packet cut short is completed then. */
    for (guint k = 0; k < whole; k++) {
        g_assert_true(read_exact(S.dev, got, 32768));
        g_assert_cmpmem(got, 32768, data, 32768);
    }
    if (done) {
        write_all(fd, d + done, n - done);
        g_assert_true(read_exact(S.dev, got, 32768));
        g_assert_cmpmem(got, 32768, data, 32768);
    }
    spin_for(50);
    g_assert_cmpuint(S.client->rx_blocked, ==, 0);
    send_pkt(fd, ARMZ_STREAM, 60, ARMZ_STATUS_OK, NULL, 0);
    expect_pkt(fd, ARMZ_STREAM, 60, ARMZ_STATUS_OK, "");
    disconnect(fd, 1);
    reset_state();
}

int
main(int argc, char **argv)
{
    ArmzServerHooks hooks = { hook_call, hook_closed };
    g_autofree char *dir = NULL;
    int rc;

    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);
    g_mutex_init(&S.lock);
    S.dev = -1;
    dir = g_dir_make_tmp("armz-stream-XXXXXX", NULL);
    g_assert_nonnull(dir);
    sock_path = g_build_filename(dir, "sock", NULL);
    disp = armz_dispatcher_new();
    armz_dispatcher_add(disp, procs, G_N_ELEMENTS(procs));
    srv = armz_server_new(&hooks, NULL, 4, 16);
    g_assert_true(armz_server_listen_unix(srv, sock_path, 0600, FALSE, NULL));

    g_test_add_func("/stream/data-both-ways", test_data_both_ways);
    g_test_add_func("/stream/eof-then-finish", test_eof_then_finish);
    g_test_add_func("/stream/finish-flushes-data", test_finish_flushes_data);
    g_test_add_func("/stream/client-abort", test_client_abort);
    g_test_add_func("/stream/daemon-abort", test_daemon_abort);
    g_test_add_func("/stream/abort-before-reply", test_abort_before_reply);
    g_test_add_func("/stream/handler-failure", test_handler_failure);
    g_test_add_func("/stream/disconnect-with-streams", test_disconnect_with_streams);
    g_test_add_func("/stream/duplicate-serial", test_duplicate_serial);
    g_test_add_func("/stream/hole-and-bad-status", test_hole_and_bad_status);
    g_test_add_func("/stream/tx-backpressure", test_tx_backpressure);
    g_test_add_func("/stream/rx-backpressure", test_rx_backpressure);
    rc = g_test_run();

    armz_server_unlink_sockets(srv);
    armz_server_free(srv);
    armz_dispatcher_free(disp);
    reset_state();
    g_rmdir(dir);
    g_free(sock_path);
    return rc;
}
