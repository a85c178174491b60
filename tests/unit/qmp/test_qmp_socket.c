/* Unit tests of the QMP server over a real unix socket: several clients in
 * turn, a client leaving in the middle of a request. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <glib/gstdio.h>
#include "qmp_test.h"

/* --- real sockets ---------------------------------------------------------------- */

typedef struct {
    char *dir, *path;
    ArmzQmpServer *srv;
    Fake f;
} Sock;

static void
sock_setup(Sock *s)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    g_autoptr(GError) err = NULL;
    int fd;

    s->dir = g_dir_make_tmp("armz-qmp-XXXXXX", &err);
    g_assert_no_error(err);
    s->path = g_build_filename(s->dir, "qmp.sock", NULL);
    g_assert_cmpuint(strlen(s->path), <, sizeof(sa.sun_path));
    strcpy(sa.sun_path, s->path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(listen(fd, 4), ==, 0);
    fake_init(&s->f, &fake_ops);
    armz_qmp_session_free(s->f.session);
    s->f.session = NULL;
    s->srv = armz_qmp_server_new(fd, &fake_ops, &s->f, &err);
    g_assert_no_error(err);
    g_assert_nonnull(s->srv);
}

static void
sock_teardown(Sock *s)
{
    armz_qmp_server_free(s->srv);
    fake_clear(&s->f);
    g_unlink(s->path);
    g_rmdir(s->dir);
    g_free(s->path);
    g_free(s->dir);
}

static int
client_connect(Sock *s)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

    strcpy(sa.sun_path, s->path);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    return fd;
}

static void
client_send(int fd, const char *text)
{
    g_assert_cmpint(send(fd, text, strlen(text), MSG_NOSIGNAL), ==, (gssize)strlen(text));
}

/* Runs the main context until FD has a whole line (or TIMEOUT_MS passes:
 * then returns NULL). BUF keeps what follows the line. */
static char *
client_line(int fd, GString *buf, int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + timeout_ms * 1000;

    for (;;) {
        const char *nl = strchr(buf->str, '\n');
        char tmp[4096];
        ssize_t n;

        if (nl) {
            char *line = g_strndup(buf->str, nl - buf->str + 1);
            g_string_erase(buf, 0, nl - buf->str + 1);
            return line;
        }
        n = recv(fd, tmp, sizeof(tmp), MSG_DONTWAIT);
        if (n > 0) {
            g_string_append_len(buf, tmp, n);
            continue;
        }
        if (n == 0)
            return NULL;
        g_assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
        if (g_get_monotonic_time() > end)
            return NULL;
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
}

static void
spin(int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000;
    while (g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
}

static void
test_socket_session(void)
{
    Sock s;
    GString *b1 = g_string_new(NULL), *b2 = g_string_new(NULL);
    int c1, c2;
    char *line;
    yajl_val v;

    sock_setup(&s);
    c1 = client_connect(&s);
    line = client_line(c1, b1, 5000);
    v = parse_line(line);
    g_assert_nonnull(get(v, "QMP", NULL, NULL));
    yajl_tree_free(v);
    g_free(line);

    /* a second client waits for its turn: connected, but no greeting yet */
    c2 = client_connect(&s);
    g_assert_null(client_line(c2, b2, 300));

    /* events before negotiation are not sent */
    armz_qmp_server_emit(s.srv, "RESET", NULL);
    client_send(c1, "{\"execute\": \"qmp_capabilities\"}\r\n{\"execute\": \"query-status\", \"id\": 1}");
    line = client_line(c1, b1, 5000);
    yajl_tree_free(assert_return(line, NULL));
    g_free(line);
    line = client_line(c1, b1, 5000);
    v = assert_return(line, "1");
    g_assert_cmpstr(get_str(v, "return", "status", NULL), ==, "running");
    yajl_tree_free(v);
    g_free(line);

    /* a malformed request keeps the connection */
    client_send(c1, "{\"execute\" 1}\n");
    line = client_line(c1, b1, 5000);
    assert_error(line, "GenericError", "JSON parse error", NULL);
    g_free(line);

    /* events after negotiation, timestamped */
    armz_qmp_server_emit(s.srv, "SHUTDOWN", "{\"guest\": true, \"reason\": \"guest-shutdown\"}");
    line = client_line(c1, b1, 5000);
    v = parse_line(line);
    g_assert_cmpstr(get_str(v, "event", NULL, NULL), ==, "SHUTDOWN");
    g_assert_cmpstr(get_str(v, "data", "reason", NULL), ==, "guest-shutdown");
    g_assert_true(YAJL_IS_INTEGER(get(v, "timestamp", "seconds", NULL)));
    g_assert_cmpint(get(v, "timestamp", "seconds", NULL)->u.number.i, >, 1500000000);
    yajl_tree_free(v);
    g_free(line);

    /* the first client leaves in the middle of a request: nothing happens */
    client_send(c1, "{\"execute\": \"st");
    spin(50);
    close(c1);
    /* the second one gets its turn and a fresh session */
    line = client_line(c2, b2, 5000);
    v = parse_line(line);
    g_assert_nonnull(get(v, "QMP", NULL, NULL));
    yajl_tree_free(v);
    g_free(line);
    g_assert_cmpint(s.f.stops, ==, 0);
    client_send(c2, "{\"execute\": \"stop\"}");
    line = client_line(c2, b2, 5000);
    assert_error(line, "CommandNotFound", "qmp_capabilities", NULL);
    g_free(line);
    client_send(c2, "{\"execute\": \"qmp_capabilities\"}{\"execute\": \"quit\", \"id\": \"q\"}");
    line = client_line(c2, b2, 5000);
    yajl_tree_free(assert_return(line, NULL));
    g_free(line);
    line = client_line(c2, b2, 5000);
    yajl_tree_free(assert_return(line, "\"q\""));
    g_free(line);
    g_assert_cmpint(s.f.quits, ==, 1);
    g_assert_cmpint(s.f.stops, ==, 0);
    close(c2);
    spin(20);

    g_string_free(b1, TRUE);
    g_string_free(b2, TRUE);
    sock_teardown(&s);
}

static void
test_socket_reconnect(void)
{
    Sock s;
    sock_setup(&s);

    /* several clients in turn, each one negotiating on its own */
    for (int i = 0; i < 3; i++) {
        GString *b = g_string_new(NULL);
        int c = client_connect(&s);
        char *line = client_line(c, b, 5000);
        g_autofree char *id = g_strdup_printf("%d", i);
        g_autofree char *req = g_strdup_printf("{\"execute\": \"qmp_capabilities\"}"
                                               "{\"execute\": \"cont\", \"id\": %d}", i);
        yajl_val v = parse_line(line);

        g_assert_nonnull(get(v, "QMP", NULL, NULL));
        yajl_tree_free(v);
        g_free(line);
        client_send(c, req);
        line = client_line(c, b, 5000);
        yajl_tree_free(assert_return(line, NULL));
        g_free(line);
        line = client_line(c, b, 5000);
        yajl_tree_free(assert_return(line, id));
        g_free(line);
        if (i == 1) {
            /* a client that sends and leaves without reading */
            client_send(c, "{\"execute\": \"query-status\"}");
            spin(20);
        }
        close(c);
        g_string_free(b, TRUE);
        spin(20);
    }
    g_assert_cmpint(s.f.conts, ==, 3);
    /* an emit with nobody connected goes nowhere */
    armz_qmp_server_emit(s.srv, "STOP", NULL);
    sock_teardown(&s);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/socket/session", test_socket_session);
    g_test_add_func("/qmp/socket/reconnect", test_socket_reconnect);
    return g_test_run();
}
