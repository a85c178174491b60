/* The monitor: QMP client of one armz-vmm (see monitor.h for the threading
 * contract).
 *
 * The main context does all socket I/O: it reads lines, answers the
 * greeting with qmp_capabilities, delivers events and completes commands.
 * Worker threads only queue a command and sleep on the condition variable
 * until the main context has sent it and filed its reply (or until their
 * deadline). Only the head of the queue is ever on the wire, so at most one
 * command is outstanding besides abandoned ones (timed out after being
 * sent), whose late replies are recognized by id and dropped. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <glib-unix.h>
#include <libvirt/virterror.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/monitor.h"
#include "util/unixaddr.h"
#include "driver/monitor_json.h"

G_DEFINE_QUARK(armz-monitor-error, armz_monitor_error)

/* Timed-out commands whose replies may still come; beyond this many the VMM
 * is considered stuck and further commands fail at once. */
#define MAX_ABANDONED 64

typedef enum {
    CMD_QUEUED,   /* in mon->queue */
    CMD_SENT,     /* mon->in_flight */
    CMD_DONE,     /* reply or error filed */
} CmdState;

/* A command being run; it lives on its caller's stack and is only touched
 * under mon->lock. */
typedef struct {
    const char *name;
    char *id;
    char *line;
    CmdState state;
    char *reply;      /* "return" as JSON text */
    GError *error;
    int fd;           /* passed (SCM_RIGHTS) with the line, -1: none */
} Cmd;

typedef enum {
    HS_GREETING,  /* waiting for the greeting */
    HS_CAPS,      /* qmp_capabilities sent */
    HS_READY,
} Handshake;

struct _ArmzMonitor {
    gint refs;
    int fd;
    GMainContext *ctx;
    const ArmzMonitorCallbacks *cb;
    gpointer opaque;

    GMutex lock;            /* protects what follows, up to the main-context part */
    GCond cond;             /* broadcast on every change a waiter may wait for */
    gboolean closed;
    GError *close_reason;   /* why, once closed */
    Handshake hs;
    char *caps_id;
    guint64 next_id;
    GQueue queue;           /* Cmd *, not sent yet */
    Cmd *in_flight;
    GHashTable *abandoned;  /* ids of commands sent and timed out */
    GSource *in_src, *out_src, *pump_src;
    guint default_timeout;

    /* main context only */
    GString *inbuf;
    gsize scanned;          /* bytes of INBUF known to hold no newline */
    GString *outbuf;
    gboolean write_broken;  /* the peer stopped reading: wait for its EOF */
};

static void pump(ArmzMonitor *mon);

/* --- errors ------------------------------------------------------------------------ */

static const struct {
    const char *klass;
    ArmzMonitorErrorCode code;
} qmp_classes[] = {
    { "GenericError", ARMZ_MONITOR_ERROR_GENERIC_ERROR },
    { "CommandNotFound", ARMZ_MONITOR_ERROR_COMMAND_NOT_FOUND },
    { "DeviceNotActive", ARMZ_MONITOR_ERROR_DEVICE_NOT_ACTIVE },
    { "DeviceNotFound", ARMZ_MONITOR_ERROR_DEVICE_NOT_FOUND },
    { "KVMMissingCap", ARMZ_MONITOR_ERROR_KVM_MISSING_CAP },
};

const char *
armz_monitor_error_class_name(int code)
{
    for (gsize i = 0; i < G_N_ELEMENTS(qmp_classes); i++) {
        if (qmp_classes[i].code == (ArmzMonitorErrorCode)code)
            return qmp_classes[i].klass;
    }
    return NULL;
}

void
armz_monitor_propagate_error(GError **dest, GError *src)
{
    int code;

    if (!src)
        return;
    if (src->domain != ARMZ_MONITOR_ERROR) {
        g_propagate_error(dest, src);
        return;
    }
    switch (src->code) {
    case ARMZ_MONITOR_ERROR_TIMEOUT:
        code = VIR_ERR_OPERATION_TIMEOUT;
        break;
    case ARMZ_MONITOR_ERROR_COMMAND_NOT_FOUND:
        code = VIR_ERR_OPERATION_UNSUPPORTED;
        break;
    case ARMZ_MONITOR_ERROR_EOF:
    case ARMZ_MONITOR_ERROR_CLOSED:
    case ARMZ_MONITOR_ERROR_GENERIC_ERROR:
    case ARMZ_MONITOR_ERROR_DEVICE_NOT_ACTIVE:
    case ARMZ_MONITOR_ERROR_DEVICE_NOT_FOUND:
    case ARMZ_MONITOR_ERROR_KVM_MISSING_CAP:
    case ARMZ_MONITOR_ERROR_QMP_OTHER:
        code = VIR_ERR_OPERATION_FAILED;
        break;
    default:
        code = VIR_ERR_INTERNAL_ERROR;
        break;
    }
    g_set_error_literal(dest, ARMZ_ERROR, code, src->message);
    g_error_free(src);
}

/* DESC (valid UTF-8: yajl checked it) cut to ARMZ_MONITOR_MAX_DESC bytes:
 * it ends up in client-visible errors and logs. */
static char *
short_desc(const char *desc)
{
    const char *end;

    if (strlen(desc) <= ARMZ_MONITOR_MAX_DESC)
        return g_strdup(desc);
    end = g_utf8_find_prev_char(desc, desc + ARMZ_MONITOR_MAX_DESC + 1);
    return g_strdup_printf("%.*s...", (int)(end - desc), desc);
}

/* The error of a QMP error reply to command NAME. */
static GError *
qmp_error(const char *name, const char *klass, const char *long_desc)
{
    g_autofree char *desc = short_desc(long_desc);

    for (gsize i = 0; i < G_N_ELEMENTS(qmp_classes); i++) {
        if (strcmp(qmp_classes[i].klass, klass) == 0)
            return g_error_new(ARMZ_MONITOR_ERROR, qmp_classes[i].code,
                               _("armz-vmm command '%s' failed: %s"), name, desc);
    }
    {
        g_autofree char *kl = armz_monitor_json_excerpt(klass, strlen(klass));
        return g_error_new(ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_QMP_OTHER,
                           _("armz-vmm command '%s' failed (%s): %s"), name, kl, desc);
    }
}

/* The error a command NAME gets from a monitor closed for REASON. */
static GError *
closed_error(const char *name, const GError *reason)
{
    return g_error_new(ARMZ_MONITOR_ERROR, reason->code,
                       _("armz-vmm command '%s' failed: %s"), name, reason->message);
}

/* --- lifetime ------------------------------------------------------------------------ */

ArmzMonitor *
armz_monitor_ref(ArmzMonitor *mon)
{
    g_atomic_int_inc(&mon->refs);
    return mon;
}

void
armz_monitor_unref(ArmzMonitor *mon)
{
    if (!mon || !g_atomic_int_dec_and_test(&mon->refs))
        return;
    /* sources hold references: none is attached any more */
    if (mon->fd >= 0)
        close(mon->fd);
    g_clear_error(&mon->close_reason);
    g_free(mon->caps_id);
    g_queue_clear(&mon->queue);
    g_hash_table_unref(mon->abandoned);
    g_string_free(mon->inbuf, TRUE);
    g_string_free(mon->outbuf, TRUE);
    g_mutex_clear(&mon->lock);
    g_cond_clear(&mon->cond);
    g_main_context_unref(mon->ctx);
    if (mon->cb && mon->cb->dispose)
        mon->cb->dispose(mon->opaque);
    g_free(mon);
}

static void
drop_source(GSource *src)
{
    if (src) {
        g_source_destroy(src);
        g_source_unref(src);
    }
}

static void
fail_cmd(Cmd *c, const GError *reason)
{
    c->error = closed_error(c->name, reason);
    c->state = CMD_DONE;
}

/* Closes the monitor for REASON (taken); FALSE when it was closed already.
 * Any thread. */
static gboolean
close_internal(ArmzMonitor *mon, GError *reason)
{
    GSource *in_src, *out_src, *pump_src;
    Cmd *c;

    g_mutex_lock(&mon->lock);
    if (mon->closed) {
        g_mutex_unlock(&mon->lock);
        g_error_free(reason);
        return FALSE;
    }
    mon->closed = TRUE;
    mon->close_reason = reason;
    while ((c = g_queue_pop_head(&mon->queue)))
        fail_cmd(c, reason);
    if (mon->in_flight)
        fail_cmd(mon->in_flight, reason);
    mon->in_flight = NULL;
    g_cond_broadcast(&mon->cond);
    in_src = g_steal_pointer(&mon->in_src);
    out_src = g_steal_pointer(&mon->out_src);
    pump_src = g_steal_pointer(&mon->pump_src);
    g_mutex_unlock(&mon->lock);

    /* outside the lock: destroying a source drops its reference */
    armz_monitor_ref(mon);
    drop_source(in_src);
    drop_source(out_src);
    drop_source(pump_src);
    /* the fd itself is closed with the last reference: the main context may
     * be inside recv() on it right now, and the number must not be reused
     * under it; shutdown() tells the VMM at once */
    shutdown(mon->fd, SHUT_RDWR);
    armz_monitor_unref(mon);
    return TRUE;
}

void
armz_monitor_close(ArmzMonitor *mon)
{
    if (!mon)
        return;
    close_internal(mon, g_error_new_literal(ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_CLOSED,
                                            _("the monitor connection to armz-vmm was closed")));
}

gboolean
armz_monitor_is_closed(ArmzMonitor *mon)
{
    gboolean closed;

    g_mutex_lock(&mon->lock);
    closed = mon->closed;
    g_mutex_unlock(&mon->lock);
    return closed;
}

/* Main context: the VMM went away or broke the protocol. */
static void
fail(ArmzMonitor *mon, GError *reason)
{
    g_autoptr(GError) copy = g_error_copy(reason);

    if (!close_internal(mon, reason))
        return;
    if (copy->code == ARMZ_MONITOR_ERROR_EOF) {
        if (mon->cb && mon->cb->eof)
            mon->cb->eof(mon, mon->opaque);
    } else if (mon->cb && mon->cb->error) {
        mon->cb->error(mon, copy, mon->opaque);
    }
}

static void
fail_eof(ArmzMonitor *mon)
{
    fail(mon, g_error_new_literal(ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_EOF,
                                  _("armz-vmm went away (it closed its QMP socket)")));
}

static void
fail_io(ArmzMonitor *mon, const char *what, int err)
{
    fail(mon, g_error_new(ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_IO,
                          "%s: %s", what, g_strerror(err)));
}

/* --- output (main context) ----------------------------------------------------------- */

static gboolean on_output(gint fd, GIOCondition cond, gpointer data);

/* Writes what the socket takes; FALSE when the monitor failed. */
static gboolean
flush_out(ArmzMonitor *mon)
{
    while (mon->outbuf->len > 0 && !mon->write_broken) {
        ssize_t n = send(mon->fd, mon->outbuf->str, mon->outbuf->len,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return TRUE;
            if (errno == EPIPE || errno == ECONNRESET) {
                /* the VMM is going away: what it sent before still has to
                 * be read (the last events), then the input sees EOF */
                mon->write_broken = TRUE;
                break;
            }
            fail_io(mon, _("cannot write to the armz-vmm monitor socket"), errno);
            return FALSE;
        }
        g_string_erase(mon->outbuf, 0, n);
    }
    if (mon->write_broken)
        g_string_truncate(mon->outbuf, 0);
    return TRUE;
}

static void
send_line(ArmzMonitor *mon, const char *line)
{
    if (mon->write_broken)
        return;
    g_string_append(mon->outbuf, line);
    if (!flush_out(mon) || mon->outbuf->len == 0)
        return;
    g_mutex_lock(&mon->lock);
    if (!mon->closed && !mon->out_src) {
        mon->out_src = g_unix_fd_source_new(mon->fd, G_IO_OUT);
        g_source_set_callback(mon->out_src, G_SOURCE_FUNC(on_output), armz_monitor_ref(mon),
                              (GDestroyNotify)armz_monitor_unref);
        g_source_attach(mon->out_src, mon->ctx);
    }
    g_mutex_unlock(&mon->lock);
}

static gboolean
on_output(gint fd, GIOCondition cond, gpointer data)
{
    ArmzMonitor *mon = data;
    GSource *src = NULL;

    if (!flush_out(mon))
        return G_SOURCE_REMOVE;
    if (mon->outbuf->len > 0)
        return G_SOURCE_CONTINUE;
    g_mutex_lock(&mon->lock);
    src = g_steal_pointer(&mon->out_src);
    g_mutex_unlock(&mon->lock);
    if (src)
        g_source_unref(src);    /* GLib destroys it on REMOVE */
    return G_SOURCE_REMOVE;
}

/* Sends the head of the queue when nothing is on the wire. */
/* BYTE with FD attached; FALSE when the monitor failed */
static gboolean
send_fd(ArmzMonitor *mon, char byte, int fd)
{
    union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } ctl;
    struct iovec iov = { &byte, 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                          .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    ssize_t n;

    memset(ctl.b, 0, sizeof(ctl.b));
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    do {
        n = sendmsg(mon->fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n != 1) {
        fail_io(mon, _("cannot pass a file descriptor to armz-vmm"), n < 0 ? errno : EIO);
        return FALSE;
    }
    return TRUE;
}

static void
pump(ArmzMonitor *mon)
{
    g_autofree char *line = NULL;
    Cmd *c;
    int fd;

    g_mutex_lock(&mon->lock);
    if (mon->closed || mon->hs != HS_READY || mon->in_flight ||
        !(c = g_queue_pop_head(&mon->queue))) {
        g_mutex_unlock(&mon->lock);
        return;
    }
    c->state = CMD_SENT;
    mon->in_flight = c;
    line = g_steal_pointer(&c->line);
    fd = c->fd;
    g_mutex_unlock(&mon->lock);
    /* the fd travels with the first byte of its command (nothing else is
     * on the way: one command at a time, and the last one was answered) */
    if (fd >= 0 && !send_fd(mon, line[0], fd))
        return;
    send_line(mon, fd >= 0 ? line + 1 : line);
}

static gboolean
on_pump(gpointer data)
{
    ArmzMonitor *mon = data;
    GSource *src;

    g_mutex_lock(&mon->lock);
    src = g_steal_pointer(&mon->pump_src);
    g_mutex_unlock(&mon->lock);
    if (src)
        g_source_unref(src);
    pump(mon);
    return G_SOURCE_REMOVE;
}

/* Any thread, lock held: has the main context run pump(). */
static void
schedule_pump_locked(ArmzMonitor *mon)
{
    if (mon->closed || mon->pump_src)
        return;
    mon->pump_src = g_idle_source_new();
    g_source_set_priority(mon->pump_src, G_PRIORITY_DEFAULT);
    g_source_set_callback(mon->pump_src, on_pump, armz_monitor_ref(mon),
                          (GDestroyNotify)armz_monitor_unref);
    g_source_attach(mon->pump_src, mon->ctx);
}

/* --- input (main context) ------------------------------------------------------------ */

static void
fail_protocol(ArmzMonitor *mon, const char *why)
{
    fail(mon, g_error_new(ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_PROTOCOL,
                          _("armz-vmm sent an invalid QMP message: %s"), why));
}

static void
handle_greeting(ArmzMonitor *mon)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *line = NULL;

    g_mutex_lock(&mon->lock);
    if (mon->hs != HS_GREETING) {
        g_mutex_unlock(&mon->lock);
        fail_protocol(mon, _("a second greeting"));
        return;
    }
    mon->hs = HS_CAPS;
    mon->caps_id = g_strdup_printf("armz-%" G_GUINT64_FORMAT, mon->next_id++);
    g_mutex_unlock(&mon->lock);
    line = armz_monitor_json_build_command("qmp_capabilities", NULL, mon->caps_id, &err);
    send_line(mon, line);
}

static void
handle_event(ArmzMonitor *mon, ArmzMonitorMsg *msg)
{
    g_autofree char *data_json = NULL;
    gboolean early, closed;

    g_mutex_lock(&mon->lock);
    early = mon->hs == HS_GREETING;
    closed = mon->closed;
    g_mutex_unlock(&mon->lock);
    if (early) {
        fail_protocol(mon, _("an event before the greeting"));
        return;
    }
    if (closed || !mon->cb || !mon->cb->event)
        return;
    data_json = msg->value ? armz_monitor_json_to_string(msg->value) : g_strdup("{}");
    mon->cb->event(mon, msg->event, msg->value, data_json, msg->timestamp_us, mon->opaque);
}

static void
handle_reply(ArmzMonitor *mon, ArmzMonitorMsg *msg)
{
    g_autofree char *what = NULL;
    gboolean is_error = msg->kind == ARMZ_MONITOR_MSG_ERROR;

    g_mutex_lock(&mon->lock);
    if (!msg->id) {
        g_mutex_unlock(&mon->lock);
        fail_protocol(mon, msg->has_id ? _("a reply whose id is not a string")
                                       : _("a reply without an id"));
        return;
    }
    if (mon->hs == HS_CAPS && strcmp(msg->id, mon->caps_id) == 0) {
        if (is_error) {
            g_autofree char *desc = short_desc(msg->err_desc);

            g_mutex_unlock(&mon->lock);
            what = g_strdup_printf(_("qmp_capabilities refused: %s"), desc);
            fail_protocol(mon, what);
            return;
        }
        mon->hs = HS_READY;
        g_cond_broadcast(&mon->cond);
        g_mutex_unlock(&mon->lock);
        pump(mon);
        return;
    }
    if (mon->in_flight && strcmp(msg->id, mon->in_flight->id) == 0) {
        Cmd *c = g_steal_pointer(&mon->in_flight);

        if (is_error)
            c->error = qmp_error(c->name, msg->err_class, msg->err_desc);
        else
            c->reply = armz_monitor_json_to_string(msg->value);
        c->state = CMD_DONE;
        g_cond_broadcast(&mon->cond);
        g_mutex_unlock(&mon->lock);
        pump(mon);
        return;
    }
    if (g_hash_table_remove(mon->abandoned, msg->id)) {
        /* the late reply of a command that timed out */
        g_mutex_unlock(&mon->lock);
        return;
    }
    g_mutex_unlock(&mon->lock);
    {
        g_autofree char *id = armz_monitor_json_excerpt(msg->id, strlen(msg->id));
        what = g_strdup_printf(_("a reply with an unknown id '%s'"), id);
    }
    fail_protocol(mon, what);
}

static void
process_line(ArmzMonitor *mon, const char *line, gsize len)
{
    g_autoptr(GError) err = NULL;
    ArmzMonitorMsg msg;
    gsize i;

    for (i = 0; i < len && g_ascii_isspace(line[i]); i++)
        ;
    if (i == len)
        return;     /* blank lines are harmless */
    if (!armz_monitor_msg_parse(line, len, &msg, &err)) {
        fail(mon, g_steal_pointer(&err));
        return;
    }
    g_mutex_lock(&mon->lock);
    if (mon->hs == HS_GREETING && msg.kind != ARMZ_MONITOR_MSG_GREETING &&
        msg.kind != ARMZ_MONITOR_MSG_EVENT) {
        g_mutex_unlock(&mon->lock);
        armz_monitor_msg_clear(&msg);
        fail_protocol(mon, _("a reply before the greeting"));
        return;
    }
    g_mutex_unlock(&mon->lock);
    switch (msg.kind) {
    case ARMZ_MONITOR_MSG_GREETING:
        handle_greeting(mon);
        break;
    case ARMZ_MONITOR_MSG_EVENT:
        handle_event(mon, &msg);
        break;
    case ARMZ_MONITOR_MSG_RETURN:
    case ARMZ_MONITOR_MSG_ERROR:
        handle_reply(mon, &msg);
        break;
    }
    armz_monitor_msg_clear(&msg);
}

static gboolean
on_input(gint fd, GIOCondition cond, gpointer data)
{
    ArmzMonitor *mon = data;
    char buf[16384];
    gsize start = 0;
    ssize_t n;

    n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!(cond & (G_IO_HUP | G_IO_ERR)))
                return G_SOURCE_CONTINUE;
            /* hung up with nothing to read: do not spin */
        } else if (errno != ECONNRESET) {
            fail_io(mon, _("cannot read from the armz-vmm monitor socket"), errno);
            return G_SOURCE_REMOVE;
        }
        n = 0;
    }
    if (n == 0) {
        fail_eof(mon);
        return G_SOURCE_REMOVE;
    }
    g_string_append_len(mon->inbuf, buf, n);

    while (!armz_monitor_is_closed(mon)) {
        const char *s = mon->inbuf->str + start;
        const char *nl = memchr(mon->inbuf->str + mon->scanned, '\n',
                                mon->inbuf->len - mon->scanned);
        gsize len;

        if (!nl) {
            mon->scanned = mon->inbuf->len;
            if (mon->inbuf->len - start > ARMZ_MONITOR_MAX_LINE)
                goto too_long;
            break;
        }
        len = nl - s;
        if (len > ARMZ_MONITOR_MAX_LINE)
            goto too_long;
        mon->scanned = nl - mon->inbuf->str + 1;
        start = mon->scanned;
        if (len > 0 && s[len - 1] == '\r')
            len--;
        process_line(mon, s, len);
    }
    if (armz_monitor_is_closed(mon))
        return G_SOURCE_REMOVE;
    g_string_erase(mon->inbuf, 0, start);
    mon->scanned -= start;
    return G_SOURCE_CONTINUE;

 too_long:
    {
        g_autofree char *what = g_strdup_printf(_("a line longer than %d bytes"),
                                                ARMZ_MONITOR_MAX_LINE);
        fail_protocol(mon, what);
    }
    return G_SOURCE_REMOVE;
}

/* --- opening ------------------------------------------------------------------------- */

ArmzMonitor *
armz_monitor_open(int fd, GMainContext *ctx, const ArmzMonitorCallbacks *cb,
                  gpointer opaque, GError **error)
{
    ArmzMonitor *mon;
    int type = 0;
    socklen_t tlen = sizeof(type);
    int flags;

    if (fd < 0) {
        g_set_error(error, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_FAILED,
                    _("no socket for the armz-vmm monitor"));
        return NULL;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0 || type != SOCK_STREAM) {
        g_set_error(error, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_FAILED,
                    _("fd %d is not a stream socket: cannot use it as the armz-vmm monitor"), fd);
        close(fd);
        return NULL;
    }
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        g_set_error(error, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_FAILED,
                    _("cannot set up the armz-vmm monitor socket: %s"), g_strerror(errno));
        close(fd);
        return NULL;
    }

    mon = g_new0(ArmzMonitor, 1);
    mon->refs = 1;
    mon->fd = fd;
    mon->ctx = ctx ? g_main_context_ref(ctx) : g_main_context_ref(g_main_context_default());
    mon->cb = cb;
    mon->opaque = opaque;
    g_mutex_init(&mon->lock);
    g_cond_init(&mon->cond);
    mon->hs = HS_GREETING;
    mon->next_id = 1;
    g_queue_init(&mon->queue);
    mon->abandoned = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    mon->default_timeout = ARMZ_MONITOR_DEFAULT_TIMEOUT_MS;
    mon->inbuf = g_string_new(NULL);
    mon->outbuf = g_string_new(NULL);

    g_mutex_lock(&mon->lock);
    mon->in_src = g_unix_fd_source_new(fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(mon->in_src, G_SOURCE_FUNC(on_input), armz_monitor_ref(mon),
                          (GDestroyNotify)armz_monitor_unref);
    g_source_attach(mon->in_src, mon->ctx);
    g_mutex_unlock(&mon->lock);
    return mon;
}

ArmzMonitor *
armz_monitor_connect_path(const char *path, GMainContext *ctx, const ArmzMonitorCallbacks *cb,
                          gpointer opaque, GError **error)
{
    struct sockaddr_un sa;
    int fd, dirfd, rc;

    if (!armz_unix_addr(path, &sa, &dirfd, error))
        return NULL;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        g_set_error(error, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_FAILED,
                    _("cannot create a socket for the armz-vmm monitor: %s"),
                    g_strerror(errno));
        if (dirfd >= 0)
            close(dirfd);
        return NULL;
    }
    /* non-blocking: a unix connect either completes at once or fails (EAGAIN
     * when the backlog is full), so this never stalls the calling thread */
    rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
    if (rc < 0)
        g_set_error(error, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_FAILED,
                    _("cannot connect to the armz-vmm monitor socket %s: %s"),
                    path, g_strerror(errno));
    if (dirfd >= 0)
        close(dirfd);
    if (rc < 0) {
        close(fd);
        return NULL;
    }
    return armz_monitor_open(fd, ctx, cb, opaque, error);
}

void
armz_monitor_set_default_timeout(ArmzMonitor *mon, guint timeout_ms)
{
    g_mutex_lock(&mon->lock);
    mon->default_timeout = timeout_ms ? timeout_ms : ARMZ_MONITOR_DEFAULT_TIMEOUT_MS;
    g_mutex_unlock(&mon->lock);
}

/* --- commands (worker threads) ------------------------------------------------------- */

static gboolean
check_thread(ArmzMonitor *mon, GError **error)
{
    /* the main context would have to read the reply this thread waits for */
    if (g_main_context_is_owner(mon->ctx)) {
        g_set_error(error, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_FAILED,
                    _("armz-vmm monitor commands cannot be run from the main loop thread"));
        return FALSE;
    }
    return TRUE;
}

static gint64
deadline_locked(ArmzMonitor *mon, guint timeout_ms)
{
    if (!timeout_ms)
        timeout_ms = mon->default_timeout;
    return g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
}

static guint
timeout_locked(ArmzMonitor *mon, guint timeout_ms)
{
    return timeout_ms ? timeout_ms : mon->default_timeout;
}

static void
handshake_timeout(GError **error, guint ms)
{
    g_set_error(error, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_TIMEOUT,
                _("armz-vmm did not complete the QMP handshake within %u ms "
                  "(is another client connected to its monitor?)"), ms);
}

gboolean
armz_monitor_wait_ready(ArmzMonitor *mon, guint timeout_ms, GError **error)
{
    GError *err = NULL;
    gint64 deadline;
    guint ms;

    if (!check_thread(mon, error))
        return FALSE;
    g_mutex_lock(&mon->lock);
    deadline = deadline_locked(mon, timeout_ms);
    ms = timeout_locked(mon, timeout_ms);
    while (!mon->closed && mon->hs != HS_READY) {
        if (!g_cond_wait_until(&mon->cond, &mon->lock, deadline))
            break;
    }
    if (mon->closed)
        err = g_error_new(ARMZ_MONITOR_ERROR, mon->close_reason->code,
                          _("armz-vmm monitor handshake failed: %s"),
                          mon->close_reason->message);
    else if (mon->hs != HS_READY)
        handshake_timeout(&err, ms);
    g_mutex_unlock(&mon->lock);
    if (err) {
        g_propagate_error(error, err);
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_monitor_command(ArmzMonitor *mon, const char *cmd, const char *args_json,
                     char **reply_json, guint timeout_ms, GError **error)
{
    return armz_monitor_command_fd(mon, cmd, args_json, -1, reply_json, timeout_ms, error);
}

gboolean
armz_monitor_command_fd(ArmzMonitor *mon, const char *cmd, const char *args_json, int fd,
                        char **reply_json, guint timeout_ms, GError **error)
{
    Cmd c = { .name = cmd, .state = CMD_QUEUED, .fd = fd };
    g_autoptr(ArmzMonitor) hold = NULL;
    gint64 deadline;
    guint ms;
    gboolean ok;

    if (reply_json)
        *reply_json = NULL;
    g_return_val_if_fail(mon != NULL, FALSE);
    if (!check_thread(mon, error))
        return FALSE;
    /* a concurrent close + unref by the owner must not free it under us */
    hold = armz_monitor_ref(mon);

    g_mutex_lock(&mon->lock);
    c.id = g_strdup_printf("armz-%" G_GUINT64_FORMAT, mon->next_id++);
    deadline = deadline_locked(mon, timeout_ms);
    ms = timeout_locked(mon, timeout_ms);
    g_mutex_unlock(&mon->lock);

    c.line = armz_monitor_json_build_command(cmd, args_json, c.id, error);
    if (!c.line) {
        g_free(c.id);
        return FALSE;
    }

    g_mutex_lock(&mon->lock);
    if (mon->closed) {
        c.error = closed_error(cmd, mon->close_reason);
        c.state = CMD_DONE;
    } else if (g_hash_table_size(mon->abandoned) >= MAX_ABANDONED) {
        c.error = g_error_new(ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_TIMEOUT,
                              _("armz-vmm command '%s' not sent: armz-vmm left %d commands "
                                "unanswered"), cmd, MAX_ABANDONED);
        c.state = CMD_DONE;
    } else {
        g_queue_push_tail(&mon->queue, &c);
        if (mon->hs == HS_READY && !mon->in_flight)
            schedule_pump_locked(mon);
    }
    while (c.state != CMD_DONE) {
        if (g_cond_wait_until(&mon->cond, &mon->lock, deadline) || c.state == CMD_DONE)
            continue;
        /* deadline passed */
        if (c.state == CMD_QUEUED) {
            g_queue_remove(&mon->queue, &c);
            if (mon->hs != HS_READY)
                handshake_timeout(&c.error, ms);
            else
                c.error = g_error_new(ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_TIMEOUT,
                                      _("armz-vmm command '%s' not sent within %u ms: "
                                        "earlier commands are still running"), cmd, ms);
        } else {
            /* on the wire: its reply may still come and is then dropped */
            mon->in_flight = NULL;
            g_hash_table_add(mon->abandoned, g_strdup(c.id));
            if (!g_queue_is_empty(&mon->queue))
                schedule_pump_locked(mon);
            c.error = g_error_new(ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_TIMEOUT,
                                  _("armz-vmm did not answer command '%s' within %u ms"),
                                  cmd, ms);
        }
        c.state = CMD_DONE;
    }
    g_mutex_unlock(&mon->lock);

    ok = c.error == NULL;
    if (ok && reply_json)
        *reply_json = g_steal_pointer(&c.reply);
    if (!ok)
        g_propagate_error(error, c.error);
    g_free(c.reply);
    g_free(c.line);
    g_free(c.id);
    return ok;
}

/* --- typed commands ------------------------------------------------------------------ */

static gboolean
simple(ArmzMonitor *mon, const char *cmd, GError **error)
{
    return armz_monitor_command(mon, cmd, NULL, NULL, 0, error);
}

gboolean
armz_monitor_stop(ArmzMonitor *mon, GError **error)
{
    return simple(mon, "stop", error);
}

gboolean
armz_monitor_cont(ArmzMonitor *mon, GError **error)
{
    return simple(mon, "cont", error);
}

gboolean
armz_monitor_system_powerdown(ArmzMonitor *mon, GError **error)
{
    return simple(mon, "system_powerdown", error);
}

gboolean
armz_monitor_system_reset(ArmzMonitor *mon, GError **error)
{
    return simple(mon, "system_reset", error);
}

gboolean
armz_monitor_quit(ArmzMonitor *mon, GError **error)
{
    g_autoptr(GError) err = NULL;

    if (simple(mon, "quit", &err))
        return TRUE;
    /* the VMM exiting before its reply got through is what quit asked for */
    if (g_error_matches(err, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_EOF))
        return TRUE;
    g_propagate_error(error, g_steal_pointer(&err));
    return FALSE;
}

gboolean
armz_monitor_query_status(ArmzMonitor *mon, gboolean *running, char **status, GError **error)
{
    g_autofree char *reply = NULL;
    const char *running_path[] = { "running", NULL };
    const char *status_path[] = { "status", NULL };
    yajl_val v, r, s;

    if (status)
        *status = NULL;
    if (!armz_monitor_command(mon, "query-status", NULL, &reply, 0, error))
        return FALSE;
    /* REPLY was re-serialized from a depth-checked tree */
    v = yajl_tree_parse(reply, NULL, 0);
    r = v ? yajl_tree_get(v, running_path, yajl_t_any) : NULL;
    s = v ? yajl_tree_get(v, status_path, yajl_t_string) : NULL;
    if (!r || !(YAJL_IS_TRUE(r) || YAJL_IS_FALSE(r)) || !s) {
        g_autofree char *what = armz_monitor_json_excerpt(reply, strlen(reply));
        g_set_error(error, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_PROTOCOL,
                    _("armz-vmm sent an unexpected reply to 'query-status': %s"), what);
        if (v)
            yajl_tree_free(v);
        return FALSE;
    }
    if (running)
        *running = YAJL_IS_TRUE(r);
    if (status)
        *status = g_strdup(s->u.string);
    yajl_tree_free(v);
    return TRUE;
}
