/* Guest agent client (see agent.h). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <libvirt/virterror.h>
#include <yajl/yajl_tree.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/unixaddr.h"
#include "driver/agent.h"
#include "driver/monitor_json.h"

/* Longest reply line accepted (an interface list is a few KiB). */
#define AGENT_MAX_LINE (1024 * 1024)
#define AGENT_DELIMITER '\xff'

typedef struct {
    int fd;
    gint64 deadline;            /* monotonic, microseconds */
    GString *in;
    gboolean eof;
} Conn;

static gboolean
unresponsive(GError **error, const char *why)
{
    g_set_error(error, ARMZ_ERROR, VIR_ERR_AGENT_UNRESPONSIVE,
                _("Guest agent is not responding: %s"), why);
    return FALSE;
}

static int
remaining_ms(Conn *c)
{
    gint64 left = c->deadline - g_get_monotonic_time();
    return left <= 0 ? 0 : (int)MIN(left / 1000 + 1, G_MAXINT);
}

static gboolean
send_all(Conn *c, const char *data, gsize len, GError **error)
{
    while (len) {
        struct pollfd p = { c->fd, POLLOUT, 0 };
        ssize_t w;

        if (poll(&p, 1, remaining_ms(c)) <= 0)
            return unresponsive(error, _("timed out sending a command"));
        w = send(c->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (w < 0)
            return unresponsive(error, g_strerror(errno));
        data += w;
        len -= (gsize)w;
    }
    return TRUE;
}

/* More input, waiting until the deadline: FALSE on timeout or EOF. */
static gboolean
read_more(Conn *c)
{
    char buf[4096];
    struct pollfd p = { c->fd, POLLIN, 0 };
    ssize_t n;

    if (c->eof || poll(&p, 1, remaining_ms(c)) <= 0)
        return FALSE;
    n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN;
    if (n == 0) {
        c->eof = TRUE;
        return FALSE;
    }
    g_string_append_len(c->in, buf, n);
    return c->in->len <= AGENT_MAX_LINE;
}

/* The next non-empty line (without its newline), or NULL. */
static char *
next_line(Conn *c)
{
    for (;;) {
        char *nl = memchr(c->in->str, '\n', c->in->len);
        if (nl) {
            gsize n = (gsize)(nl - c->in->str);
            char *line = g_strndup(c->in->str, n);
            g_string_erase(c->in, 0, (gssize)n + 1);
            if (*g_strstrip(line))
                return line;
            g_free(line);
            continue;
        }
        if (!read_more(c))
            return NULL;
    }
}

/* guest-sync-delimited: what came before the agent's delimiter is stale,
 * and so is every reply that does not carry our id. */
static gboolean
resync(Conn *c, GError **error)
{
    gint64 id = g_random_int_range(1, G_MAXINT32);
    g_autofree char *cmd = g_strdup_printf("%c{\"execute\": \"guest-sync-delimited\", "
                                           "\"arguments\": {\"id\": %" G_GINT64_FORMAT "}}\n",
                                           AGENT_DELIMITER, id);
    const char *path[] = { "return", NULL };

    if (!send_all(c, cmd, strlen(cmd), error))
        return FALSE;
    for (;;) {
        char *d = memchr(c->in->str, AGENT_DELIMITER, c->in->len);
        g_autofree char *line = NULL;
        yajl_val v, r;
        gboolean match;

        if (!d) {
            g_string_truncate(c->in, 0);
            if (!read_more(c))
                return unresponsive(error, _("no answer to guest-sync-delimited"));
            continue;
        }
        g_string_erase(c->in, 0, d - c->in->str + 1);
        if (!(line = next_line(c)))
            return unresponsive(error, _("no answer to guest-sync-delimited"));
        v = yajl_tree_parse(line, NULL, 0);
        r = v ? yajl_tree_get(v, path, yajl_t_number) : NULL;
        match = r && YAJL_IS_INTEGER(r) && YAJL_GET_INTEGER(r) == id;
        if (v)
            yajl_tree_free(v);
        if (match)
            return TRUE;
        /* an older sync's answer: wait for ours */
    }
}

static gboolean
run(Conn *c, const char *cmd, const char *args_json, ArmzAgentReplyKind kind,
    char **reply_json, GError **error)
{
    g_autofree char *req = g_strdup_printf("{\"execute\": \"%s\"%s%s}\n", cmd,
                                           args_json ? ", \"arguments\": " : "",
                                           args_json ? args_json : "");
    const char *ret_path[] = { "return", NULL };
    const char *desc_path[] = { "error", "desc", NULL };
    g_autofree char *line = NULL;
    yajl_val v, r, desc;
    gboolean ok = FALSE;

    if (!resync(c, error) || !send_all(c, req, strlen(req), error))
        return FALSE;
    if (!(line = next_line(c))) {
        /* guest-shutdown: the agent goes away instead of answering */
        if (kind == ARMZ_AGENT_NO_REPLY)
            return TRUE;
        return unresponsive(error, c->eof ? _("the agent closed the channel")
                                          : _("no reply in time"));
    }
    if (!(v = yajl_tree_parse(line, NULL, 0)) || !YAJL_IS_OBJECT(v)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_AGENT_UNSYNCED,
                    _("guest agent sent something that is not a reply to '%s'"), cmd);
    } else if ((r = yajl_tree_get(v, ret_path, yajl_t_any))) {
        if (reply_json)
            *reply_json = armz_monitor_json_to_string(r);
        ok = TRUE;
    } else {
        desc = yajl_tree_get(v, desc_path, yajl_t_string);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("unable to execute QEMU agent command '%s': %s"), cmd,
                    desc ? desc->u.string : _("unknown error"));
    }
    if (v)
        yajl_tree_free(v);
    return ok;
}

gboolean
armz_agent_command(const char *sock_path, const char *cmd, const char *args_json,
                   ArmzAgentReplyKind kind, int timeout_ms, char **reply_json, GError **error)
{
    struct sockaddr_un sa;
    int dirfd = -1;
    Conn c = { -1, 0, NULL, FALSE };
    gboolean ok;

    if (reply_json)
        *reply_json = NULL;
    if (!sock_path || !armz_unix_addr(sock_path, &sa, &dirfd, NULL) ||
        (c.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        connect(c.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        if (dirfd >= 0)
            close(dirfd);
        if (c.fd >= 0)
            close(c.fd);
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_AGENT_UNRESPONSIVE,
                            _("QEMU guest agent is not connected"));
        return FALSE;
    }
    if (dirfd >= 0)
        close(dirfd);
    c.deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    c.in = g_string_new(NULL);
    ok = run(&c, cmd, args_json, kind, reply_json, error);
    g_string_free(c.in, TRUE);
    close(c.fd);
    return ok;
}
