/* QMP server of armz-vmm: accepts clients on the listening socket, one at a
 * time, and moves bytes between the connected client and its session
 * (qmp_session.c), on the thread-default GLib main context of its creator.
 *
 * While a client is connected the listening socket is not watched: a
 * second client's connect() completes in the kernel's backlog and it gets
 * its greeting when the first one leaves (QEMU's monitor behaves the same
 * way: one client at a time). Every client starts a fresh session and has
 * to negotiate capabilities again. A request is carried out only when it
 * has arrived whole: a client that disconnects in the middle of a request
 * changes nothing, and its buffered output is dropped. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include "qmp_proto.h"
#include "qmp_fds.h"

/* A client that lets more than this pile up unread is disconnected. */
#define ARMZ_QMP_MAX_OUTPUT (4 * 1024 * 1024)

struct _ArmzQmpServer {
    int listen_fd;
    GSource *listen_src;
    GMainContext *ctx;
    const ArmzQmpOps *ops;
    gpointer opaque;

    int client_fd;              /* -1: none */
    GSource *client_src;
    GSource *out_src;
    GString *out;               /* bytes not yet written to the client */
    gboolean broken;            /* writing failed: output dropped */
    ArmzQmpSession *session;
    guint busy;                 /* inside a session callback */
    gboolean close_pending;     /* disconnect once no longer busy */
    ArmzQmpFds *fds;            /* getfd's table, across clients */
};

/* fds one message may carry */
#define ARMZ_QMP_MAX_MSG_FDS 8

static void watch_listen(ArmzQmpServer *srv);

/* Sources are destroyed through here only, also from their own callback
 * (GLib keeps a dispatching source alive until its callback returns). */
static void
remove_source(GSource **src)
{
    if (*src) {
        g_source_destroy(*src);
        g_source_unref(*src);
        *src = NULL;
    }
}

static void
client_close(ArmzQmpServer *srv)
{
    if (srv->busy) {
        srv->close_pending = TRUE;
        return;
    }
    remove_source(&srv->client_src);
    remove_source(&srv->out_src);
    armz_qmp_session_free(srv->session);
    srv->session = NULL;
    armz_qmp_fds_drop_pending(srv->fds);
    if (srv->client_fd >= 0)
        close(srv->client_fd);
    srv->client_fd = -1;
    g_string_truncate(srv->out, 0);
    srv->broken = FALSE;
    srv->close_pending = FALSE;
    watch_listen(srv);          /* the next client's turn */
}

/* Writes what it can of the output buffer; FALSE when the client is gone. */
static gboolean
flush_out(ArmzQmpServer *srv)
{
    while (srv->out->len > 0) {
        ssize_t n = send(srv->client_fd, srv->out->str, srv->out->len,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return TRUE;
            return FALSE;
        }
        g_string_erase(srv->out, 0, n);
    }
    return TRUE;
}

static gboolean
on_client_out(gint fd, GIOCondition cond, gpointer data)
{
    ArmzQmpServer *srv = data;

    if (!flush_out(srv)) {
        srv->broken = TRUE;
        g_string_truncate(srv->out, 0);
    }
    if (srv->out->len == 0) {
        remove_source(&srv->out_src);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void
session_send(const char *data, gsize len, gpointer user_data)
{
    ArmzQmpServer *srv = user_data;

    if (srv->broken || srv->client_fd < 0)
        return;
    if (srv->out->len + len > ARMZ_QMP_MAX_OUTPUT) {
        g_warning("armz-vmm: QMP client does not read its replies: disconnecting it");
        srv->broken = TRUE;
        g_string_truncate(srv->out, 0);
        client_close(srv);
        return;
    }
    g_string_append_len(srv->out, data, len);
    if (!flush_out(srv)) {
        /* the client is gone: its input watch sees the hangup */
        srv->broken = TRUE;
        g_string_truncate(srv->out, 0);
        return;
    }
    if (srv->out->len > 0 && !srv->out_src) {
        srv->out_src = g_unix_fd_source_new(srv->client_fd, G_IO_OUT);
        g_source_set_callback(srv->out_src, G_SOURCE_FUNC(on_client_out), srv, NULL);
        g_source_attach(srv->out_src, srv->ctx);
    }
}

static gboolean
on_client_in(gint fd, GIOCondition cond, gpointer data)
{
    ArmzQmpServer *srv = data;
    char buf[4096];
    union {
        char buf[CMSG_SPACE(sizeof(int) * ARMZ_QMP_MAX_MSG_FDS)];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = { buf, sizeof(buf) };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                          .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
    ssize_t n;

    /* file descriptors come with the bytes of the getfd they are for */
    n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return G_SOURCE_CONTINUE;
    for (struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL; c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < k; i++) {
                int passed;
                memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                armz_qmp_fds_add_pending(srv->fds, passed);
            }
        }
    }
    if (n <= 0) {
        /* end of input: whatever partial request is buffered is dropped */
        client_close(srv);
        return G_SOURCE_REMOVE;
    }
    srv->busy++;
    armz_qmp_session_feed(srv->session, buf, n);
    srv->busy--;
    if (srv->close_pending) {
        client_close(srv);          /* destroys this source */
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean
on_accept(gint fd, GIOCondition cond, gpointer data)
{
    ArmzQmpServer *srv = data;
    int c;

    c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
            errno != ECONNABORTED)
            g_warning("armz-vmm: QMP accept: %s", g_strerror(errno));
        return G_SOURCE_CONTINUE;
    }
    /* one client at a time: stop listening until this one leaves */
    remove_source(&srv->listen_src);

    srv->client_fd = c;
    srv->broken = FALSE;
    srv->session = armz_qmp_session_new(srv->ops, srv->opaque, session_send, srv);
    armz_qmp_session_set_fds(srv->session, srv->fds);
    srv->client_src = g_unix_fd_source_new(c, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(srv->client_src, G_SOURCE_FUNC(on_client_in), srv, NULL);
    g_source_attach(srv->client_src, srv->ctx);
    srv->busy++;
    armz_qmp_session_start(srv->session);
    srv->busy--;
    if (srv->close_pending)
        client_close(srv);
    return G_SOURCE_REMOVE;
}

static void
watch_listen(ArmzQmpServer *srv)
{
    if (srv->listen_src || srv->listen_fd < 0)
        return;
    srv->listen_src = g_unix_fd_source_new(srv->listen_fd, G_IO_IN);
    g_source_set_callback(srv->listen_src, G_SOURCE_FUNC(on_accept), srv, NULL);
    g_source_attach(srv->listen_src, srv->ctx);
}

ArmzQmpServer *
armz_qmp_server_new(int listen_fd, const ArmzQmpOps *ops, gpointer opaque, GError **error)
{
    ArmzQmpServer *srv;
    int flags;

    if (listen_fd < 0 || !ops) {
        g_set_error(error, ARMZ_QMP_ERROR, 0,
                    _("QMP: no listening socket"));
        return NULL;
    }
    flags = fcntl(listen_fd, F_GETFL);
    if (flags < 0 || fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        g_set_error(error, ARMZ_QMP_ERROR, 0,
                    _("QMP: cannot use socket fd %d: %s"), listen_fd, g_strerror(errno));
        return NULL;
    }
    fcntl(listen_fd, F_SETFD, fcntl(listen_fd, F_GETFD) | FD_CLOEXEC);
    srv = g_new0(ArmzQmpServer, 1);
    srv->listen_fd = listen_fd;
    srv->ctx = g_main_context_ref_thread_default();
    srv->ops = ops;
    srv->opaque = opaque;
    srv->client_fd = -1;
    srv->out = g_string_new(NULL);
    srv->fds = armz_qmp_fds_new();
    watch_listen(srv);
    return srv;
}

void
armz_qmp_server_free(ArmzQmpServer *srv)
{
    if (!srv)
        return;
    /* last replies and events (SHUTDOWN): give a reading client a moment */
    if (srv->client_fd >= 0 && !srv->broken) {
        gint64 deadline = g_get_monotonic_time() + 500 * 1000;
        while (srv->out->len > 0 && flush_out(srv)) {
            struct pollfd p = { .fd = srv->client_fd, .events = POLLOUT };
            gint64 left = (deadline - g_get_monotonic_time()) / 1000;
            if (left <= 0 || poll(&p, 1, (int)left) <= 0)
                break;
        }
    }
    srv->busy = 0;
    remove_source(&srv->client_src);
    remove_source(&srv->out_src);
    remove_source(&srv->listen_src);
    armz_qmp_session_free(srv->session);
    if (srv->client_fd >= 0)
        close(srv->client_fd);
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    g_string_free(srv->out, TRUE);
    armz_qmp_fds_free(srv->fds);
    g_main_context_unref(srv->ctx);
    g_free(srv);
}

void
armz_qmp_server_emit(ArmzQmpServer *srv, const char *name, const char *data_json)
{
    if (!srv || !srv->session || srv->broken)
        return;
    srv->busy++;
    armz_qmp_session_emit(srv->session, name, data_json);
    srv->busy--;
    if (srv->close_pending && !srv->busy)
        client_close(srv);
}

int
armz_qmp_server_take_fd(ArmzQmpServer *srv, const char *name, GError **error)
{
    return armz_qmp_fds_take(srv->fds, name, error);
}
