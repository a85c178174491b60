/* The guest agent client against a fake agent on a unix socket: the
 * guest-sync-delimited resynchronisation (stale bytes before the delimiter
 * and a stale sync answer skipped), a command's return value, an agent's
 * error reply, an agent that does not answer (VIR_ERR_AGENT_UNRESPONSIVE in
 * time), nobody listening, and guest-shutdown that gets no answer. */
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <glib.h>
#include <libvirt/virterror.h>
#include <yajl/yajl_tree.h>

#include "util/error.h"
#include "driver/agent.h"

typedef enum { FAKE_GOOD, FAKE_ERROR, FAKE_SILENT, FAKE_NO_REPLY } FakeMode;

typedef struct {
    int listen_fd;
    FakeMode mode;
    char *commands;             /* what the agent was asked, one per line */
} Fake;

/* One line from FD (without the newline; a leading 0xFF dropped), or NULL. */
static char *
read_line(int fd)
{
    GString *s = g_string_new(NULL);
    char c;

    while (read(fd, &c, 1) == 1) {
        if (c == '\n')
            return g_string_free(s, FALSE);
        if (c != '\xff')
            g_string_append_c(s, c);
    }
    g_string_free(s, TRUE);
    return NULL;
}

static void
say(int fd, const char *text)
{
    g_assert_cmpint(write(fd, text, strlen(text)), ==, (gssize)strlen(text));
}

static gpointer
fake_agent(gpointer data)
{
    Fake *f = data;
    int fd = accept(f->listen_fd, NULL, NULL);
    GString *seen = g_string_new(NULL);
    char *line;

    g_assert_cmpint(fd, >=, 0);
    /* leftovers of an earlier client: junk and a stale sync answer */
    say(fd, "{\"return\": {}}\n\xff{\"return\": 1}\n");
    while ((line = read_line(fd))) {
        const char *id_path[] = { "arguments", "id", NULL };
        const char *ex_path[] = { "execute", NULL };
        yajl_val v = yajl_tree_parse(line, NULL, 0);
        yajl_val ex = v ? yajl_tree_get(v, ex_path, yajl_t_string) : NULL;
        const char *name = ex && YAJL_IS_STRING(ex) ? YAJL_GET_STRING(ex) : "?";

        g_string_append_printf(seen, "%s\n", name);
        if (g_str_equal(name, "guest-sync-delimited")) {
            yajl_val id = yajl_tree_get(v, id_path, yajl_t_number);
            g_autofree char *ans = g_strdup_printf("\xff{\"return\": %lld}\n",
                                                   id ? YAJL_GET_INTEGER(id) : -1LL);
            say(fd, ans);
        } else if (f->mode == FAKE_GOOD) {
            say(fd, "\n{\"return\": 1700000000123456789}\n");
        } else if (f->mode == FAKE_ERROR) {
            say(fd, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no clock\"}}\n");
        }
        yajl_tree_free(v);
        g_free(line);
    }
    close(fd);
    f->commands = g_string_free(seen, FALSE);
    return NULL;
}

static char *
listen_at(Fake *f, const char *dir)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char *path = g_build_filename(dir, "agent.sock", NULL);

    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    unlink(path);
    f->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(bind(f->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(listen(f->listen_fd, 1), ==, 0);
    return path;
}

static void
run_case(FakeMode mode, const char *cmd, ArmzAgentReplyKind kind, int timeout_ms,
         gboolean want_ok, int want_code, const char *want_reply)
{
    g_autofree char *dir = g_dir_make_tmp("armz-agent-XXXXXX", NULL);
    Fake f = { .mode = mode };
    g_autofree char *path = listen_at(&f, dir);
    GThread *t = g_thread_new("fake-agent", fake_agent, &f);
    g_autoptr(GError) err = NULL;
    g_autofree char *reply = NULL;
    gboolean ok = armz_agent_command(path, cmd, NULL, kind, timeout_ms, &reply, &err);

    g_thread_join(t);
    g_assert_cmpint(ok, ==, want_ok);
    if (want_ok) {
        g_assert_no_error(err);
        g_assert_cmpstr(reply, ==, want_reply);
    } else {
        g_assert_error(err, ARMZ_ERROR, want_code);
    }
    {
        g_autofree char *want = g_strdup_printf("guest-sync-delimited\n%s\n", cmd);
        g_assert_cmpstr(f.commands, ==, want);
    }
    g_free(f.commands);
    close(f.listen_fd);
    unlink(path);
    rmdir(dir);
}

static void
test_sync_and_reply(void)
{
    run_case(FAKE_GOOD, "guest-get-time", ARMZ_AGENT_REPLY, 5000, TRUE, 0,
             "1700000000123456789");
}

static void
test_error_reply(void)
{
    run_case(FAKE_ERROR, "guest-get-time", ARMZ_AGENT_REPLY, 5000, FALSE,
             VIR_ERR_INTERNAL_ERROR, NULL);
}

static void
test_silent_agent(void)
{
    gint64 t0 = g_get_monotonic_time();
    run_case(FAKE_SILENT, "guest-get-time", ARMZ_AGENT_REPLY, 300, FALSE,
             VIR_ERR_AGENT_UNRESPONSIVE, NULL);
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC);
}

static void
test_shutdown_without_reply(void)
{
    run_case(FAKE_NO_REPLY, "guest-shutdown", ARMZ_AGENT_NO_REPLY, 300, TRUE, 0, NULL);
}

static void
test_nobody_listens(void)
{
    g_autoptr(GError) err = NULL;

    g_assert_false(armz_agent_command("/nonexistent/agent.sock", "guest-ping", NULL,
                                      ARMZ_AGENT_REPLY, 100, NULL, &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_AGENT_UNRESPONSIVE);
    g_assert_nonnull(strstr(err->message, "not connected"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/agent/sync-and-reply", test_sync_and_reply);
    g_test_add_func("/agent/error-reply", test_error_reply);
    g_test_add_func("/agent/silent", test_silent_agent);
    g_test_add_func("/agent/shutdown-without-reply", test_shutdown_without_reply);
    g_test_add_func("/agent/nobody-listens", test_nobody_listens);
    return g_test_run();
}
