/* Unit tests of armz-vmm's QMP server: stream splitter, request parser,
 * reply/event builders, session dispatch with a fake ops table, and real
 * sessions over a unix socket (several clients in turn, a client leaving in
 * the middle of a request). Run natively and under qemu-s390x-static. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "vmm/qmp/qmp_proto.h"
#include "vmm/qmp/qmp_fds.h"

/* --- helpers --------------------------------------------------------------------- */

/* Parses one reply line, checking it is a single JSON object ending in \r\n. */
static yajl_val
parse_line(const char *line)
{
    char err[256];
    yajl_val v;

    g_assert_nonnull(line);
    g_assert_true(g_str_has_suffix(line, "\r\n"));
    g_assert_true(strchr(line, '\n') == line + strlen(line) - 1);
    v = yajl_tree_parse(line, err, sizeof(err));
    if (!v)
        g_error("not JSON: %s (%s)", line, err);
    g_assert_true(YAJL_IS_OBJECT(v));
    return v;
}

static yajl_val
get(yajl_val v, const char *a, const char *b, const char *c)
{
    const char *path[] = { a, b, c, NULL };
    return yajl_tree_get(v, path, yajl_t_any);
}

static const char *
get_str(yajl_val v, const char *a, const char *b, const char *c)
{
    yajl_val s = get(v, a, b, c);
    return YAJL_IS_STRING(s) ? s->u.string : NULL;
}

/* Checks LINE is an error of class KLASS whose desc contains DESC_PART and
 * whose id is ID_JSON (NULL: no id). */
static void
assert_error(const char *line, const char *klass, const char *desc_part, const char *id_json)
{
    yajl_val v = parse_line(line);
    yajl_val id = get(v, "id", NULL, NULL);

    g_assert_cmpstr(get_str(v, "error", "class", NULL), ==, klass);
    g_assert_nonnull(get_str(v, "error", "desc", NULL));
    if (!strstr(get_str(v, "error", "desc", NULL), desc_part))
        g_error("desc '%s' lacks '%s'", get_str(v, "error", "desc", NULL), desc_part);
    g_assert_null(get(v, "return", NULL, NULL));
    if (id_json) {
        g_autofree char *got = armz_qmp_value_to_json(id);
        g_assert_nonnull(id);
        g_assert_cmpstr(got, ==, id_json);
    } else {
        g_assert_null(id);
    }
    yajl_tree_free(v);
}

/* Checks LINE is a return; returns the parsed line (free it). */
static yajl_val
assert_return(const char *line, const char *id_json)
{
    yajl_val v = parse_line(line);
    yajl_val id = get(v, "id", NULL, NULL);

    if (!get(v, "return", NULL, NULL))
        g_error("not a return: %s", line);
    g_assert_null(get(v, "error", NULL, NULL));
    if (id_json) {
        g_autofree char *got = armz_qmp_value_to_json(id);
        g_assert_cmpstr(got, ==, id_json);
    } else {
        g_assert_null(id);
    }
    return v;
}

/* --- splitter ------------------------------------------------------------------- */

static void
test_split_basic(void)
{
    ArmzQmpSplitter sp;
    char *t;
    const char *in = " {\"execute\": \"a\"}\r\n{\"execute\":\"b\", \"x\": [1, {\"y\": 2}]}[1]\n";

    armz_qmp_splitter_init(&sp);
    armz_qmp_splitter_feed(&sp, in, strlen(in));
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_REQUEST);
    g_assert_cmpstr(t, ==, "{\"execute\": \"a\"}");
    g_free(t);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_REQUEST);
    g_assert_cmpstr(t, ==, "{\"execute\":\"b\", \"x\": [1, {\"y\": 2}]}");
    g_free(t);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_REQUEST);
    g_assert_cmpstr(t, ==, "[1]");
    g_free(t);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_MORE);
    g_assert_null(t);
    armz_qmp_splitter_clear(&sp);
}

static void
test_split_bytewise(void)
{
    ArmzQmpSplitter sp;
    char *t = NULL;
    /* braces and escaped quotes inside strings do not count */
    const char *in = "{\"execute\": \"x\", \"id\": \"}{\\\"]\\\\\"}";
    int got = 0;

    armz_qmp_splitter_init(&sp);
    for (gsize i = 0; in[i]; i++) {
        armz_qmp_splitter_feed(&sp, in + i, 1);
        if (armz_qmp_splitter_next(&sp, &t) == ARMZ_QMP_SPLIT_REQUEST) {
            g_assert_cmpuint(i, ==, strlen(in) - 1);
            g_assert_cmpstr(t, ==, in);
            g_free(t);
            got++;
        }
    }
    g_assert_cmpint(got, ==, 1);
    armz_qmp_splitter_clear(&sp);
}

static void
test_split_junk(void)
{
    ArmzQmpSplitter sp;
    char *t;
    const char *in = "hello {\"execute\": \"a\"}oops{\"execute\": \"b\"}";

    armz_qmp_splitter_init(&sp);
    armz_qmp_splitter_feed(&sp, in, strlen(in));
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_JUNK);
    g_assert_cmpstr(t, ==, "hello");
    g_free(t);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_REQUEST);
    g_free(t);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_JUNK);
    g_assert_cmpstr(t, ==, "oops");
    g_free(t);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_REQUEST);
    g_assert_cmpstr(t, ==, "{\"execute\": \"b\"}");
    g_free(t);
    armz_qmp_splitter_clear(&sp);
}

static void
test_split_limits(void)
{
    ArmzQmpSplitter sp;
    char *t;
    GString *deep = g_string_new(NULL);
    g_autofree char *big = NULL;

    armz_qmp_splitter_init(&sp);
    /* too deep: dropped up to the newline, then the next request is fine */
    for (int i = 0; i < ARMZ_QMP_MAX_DEPTH + 5; i++)
        g_string_append_c(deep, '[');
    g_string_append(deep, "]]]\n{\"execute\": \"ok\"}");
    armz_qmp_splitter_feed(&sp, deep->str, deep->len);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_TOO_LARGE);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_REQUEST);
    g_assert_cmpstr(t, ==, "{\"execute\": \"ok\"}");
    g_free(t);
    /* too large */
    big = g_strnfill(ARMZ_QMP_MAX_REQUEST + 10, 'a');
    armz_qmp_splitter_feed(&sp, "{\"x\": \"", 7);
    armz_qmp_splitter_feed(&sp, big, strlen(big));
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_TOO_LARGE);
    armz_qmp_splitter_feed(&sp, "\"}\n{\"execute\": \"ok2\"}", 22);
    g_assert_cmpint(armz_qmp_splitter_next(&sp, &t), ==, ARMZ_QMP_SPLIT_REQUEST);
    g_assert_cmpstr(t, ==, "{\"execute\": \"ok2\"}");
    g_free(t);
    g_string_free(deep, TRUE);
    armz_qmp_splitter_clear(&sp);
}

/* --- parser ------------------------------------------------------------------------ */

static void
test_parse_good(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *id = NULL;
    g_autoptr(ArmzQmpRequest) r =
        armz_qmp_request_parse("{\"id\": {\"n\": [1, -2.5e3, \"s\", true, null]}, "
                               "\"execute\": \"stop\", \"arguments\": {\"a\": 1}}", &id, &err);

    g_assert_no_error(err);
    g_assert_nonnull(r);
    g_assert_cmpstr(r->execute, ==, "stop");
    g_assert_true(YAJL_IS_OBJECT(r->arguments));
    /* numbers keep their exact text */
    g_assert_cmpstr(r->id_json, ==, "{\"n\":[1,-2.5e3,\"s\",true,null]}");
    g_assert_cmpstr(id, ==, r->id_json);
}

static void
test_parse_no_id(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *id = NULL;
    g_autoptr(ArmzQmpRequest) r = armz_qmp_request_parse("{\"execute\": \"cont\"}", &id, &err);

    g_assert_no_error(err);
    g_assert_cmpstr(r->execute, ==, "cont");
    g_assert_null(r->arguments);
    g_assert_null(r->id_json);
    g_assert_null(id);
}

static void
test_parse_bad(void)
{
    static const struct {
        const char *in, *desc, *id;
    } cases[] = {
        { "{\"execute\": }", "JSON parse error", NULL },
        { "{execute: 1}", "JSON parse error", NULL },
        { "{\"execute\": \"a\",}", "JSON parse error", NULL },
        { "[\"execute\"]", "QMP input must be a JSON object", NULL },
        { "{\"id\": 5}", "QMP input lacks member 'execute'", "5" },
        { "{\"execute\": 5, \"id\": \"x\"}", "QMP input member 'execute' must be a string", "\"x\"" },
        { "{\"execute\": null}", "QMP input member 'execute' must be a string", NULL },
        { "{\"execute\": \"stop\", \"arguments\": []}",
          "QMP input member 'arguments' must be an object", NULL },
        { "{\"execute\": \"stop\", \"id\": [1], \"bogus\": 1}",
          "QMP input member 'bogus' is unexpected", "[1]" },
        { "{\"execute\": \"\xff\xfe\"}", "JSON parse error", NULL },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *id = NULL;
        g_autoptr(ArmzQmpRequest) r = armz_qmp_request_parse(cases[i].in, &id, &err);

        g_assert_null(r);
        g_assert_nonnull(err);
        if (!strstr(err->message, cases[i].desc))
            g_error("%s: '%s' lacks '%s'", cases[i].in, err->message, cases[i].desc);
        g_assert_cmpstr(id, ==, cases[i].id);
    }
}

/* --- builders --------------------------------------------------------------------- */

static void
test_build(void)
{
    g_autofree char *greet = armz_qmp_build_greeting("armz-vmm 1.2.3");
    g_autofree char *ret = armz_qmp_build_return("7", NULL);
    g_autofree char *ret2 = armz_qmp_build_return(NULL, "{\"a\": [1, 2]}");
    g_autofree char *err = armz_qmp_build_error("\"x\"", "GenericError", "bad \"thing\"");
    g_autofree char *bad_utf8 = armz_qmp_build_error(NULL, "CommandNotFound", "cmd \xff");
    g_autofree char *ev = armz_qmp_build_event("SHUTDOWN", "{\"guest\": true}",
                                               G_GINT64_CONSTANT(1700000000123456));
    g_autofree char *ev2 = armz_qmp_build_event("STOP", NULL, 5 * G_USEC_PER_SEC + 7);
    yajl_val v;

    g_assert_cmpstr(greet, ==,
                    "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":0,\"minor\":0,\"major\":0},"
                    "\"package\":\"armz-vmm 1.2.3\"},\"capabilities\":[]}}\r\n");
    g_assert_cmpstr(ret, ==, "{\"return\":{},\"id\":7}\r\n");
    g_assert_cmpstr(ret2, ==, "{\"return\":{\"a\":[1,2]}}\r\n");
    g_assert_cmpstr(err, ==,
                    "{\"error\":{\"class\":\"GenericError\",\"desc\":\"bad \\\"thing\\\"\"},"
                    "\"id\":\"x\"}\r\n");
    assert_error(bad_utf8, "CommandNotFound", "cmd", NULL);
    g_assert_cmpstr(ev, ==,
                    "{\"event\":\"SHUTDOWN\",\"data\":{\"guest\":true},"
                    "\"timestamp\":{\"seconds\":1700000000,\"microseconds\":123456}}\r\n");
    v = parse_line(ev2);
    g_assert_cmpstr(get_str(v, "event", NULL, NULL), ==, "STOP");
    g_assert_true(YAJL_IS_OBJECT(get(v, "data", NULL, NULL)));
    g_assert_cmpint(get(v, "timestamp", "seconds", NULL)->u.number.i, ==, 5);
    g_assert_cmpint(get(v, "timestamp", "microseconds", NULL)->u.number.i, ==, 7);
    yajl_tree_free(v);
    /* data must be an object */
    g_assert_null(armz_qmp_build_event("X", "[1]", 0));
    g_assert_null(armz_qmp_build_event("X", "{bad", 0));
    g_assert_null(armz_qmp_build_event("", NULL, 0));
}

/* --- session with a fake VMM ----------------------------------------------------- */

typedef struct {
    ArmzRunState state;
    int stops, conts, powerdowns, resets, quits;
    gboolean fail_reset;
    GPtrArray *out;          /* lines sent to the client */
    GString *partial;
    ArmzQmpSession *session; /* for ops that emit events */
} Fake;

static ArmzRunState
fake_query_status(gpointer opaque)
{
    return ((Fake *)opaque)->state;
}

static gboolean
fake_stop(gpointer opaque, GError **error)
{
    Fake *f = opaque;
    f->stops++;
    f->state = ARMZ_RUNSTATE_PAUSED;
    if (f->session)
        armz_qmp_session_emit(f->session, "STOP", NULL);
    return TRUE;
}

static gboolean
fake_cont(gpointer opaque, GError **error)
{
    Fake *f = opaque;
    f->conts++;
    f->state = ARMZ_RUNSTATE_RUNNING;
    return TRUE;
}

static gboolean
fake_powerdown(gpointer opaque, GError **error)
{
    ((Fake *)opaque)->powerdowns++;
    return TRUE;
}

static gboolean
fake_reset(gpointer opaque, GError **error)
{
    Fake *f = opaque;
    if (f->fail_reset) {
        g_set_error(error, ARMZ_QMP_ERROR, 0, "reset went wrong");
        return FALSE;
    }
    f->resets++;
    return TRUE;
}

static void
fake_quit(gpointer opaque)
{
    Fake *f = opaque;
    /* the reply is out before quit runs (session tests) */
    if (f->session)
        g_assert_cmpuint(f->out->len, >, 0);
    f->quits++;
}

static const ArmzQmpOps fake_ops = {
    .query_status = fake_query_status,
    .stop = fake_stop,
    .cont = fake_cont,
    .system_powerdown = fake_powerdown,
    .system_reset = fake_reset,
    .quit = fake_quit,
};

static void
fake_send(const char *data, gsize len, gpointer user_data)
{
    Fake *f = user_data;
    const char *nl;

    g_string_append_len(f->partial, data, len);
    while ((nl = strchr(f->partial->str, '\n'))) {
        gsize n = nl - f->partial->str + 1;
        g_ptr_array_add(f->out, g_strndup(f->partial->str, n));
        g_string_erase(f->partial, 0, n);
    }
}

static void
fake_init(Fake *f, const ArmzQmpOps *ops)
{
    memset(f, 0, sizeof(*f));
    f->out = g_ptr_array_new_with_free_func(g_free);
    f->partial = g_string_new(NULL);
    f->session = armz_qmp_session_new(ops, f, fake_send, f);
}

static void
fake_clear(Fake *f)
{
    armz_qmp_session_free(f->session);
    g_ptr_array_free(f->out, TRUE);
    g_string_free(f->partial, TRUE);
}

/* Feeds IN; returns the only line it produced. */
static const char *
say(Fake *f, const char *in)
{
    guint before = f->out->len;

    armz_qmp_session_feed(f->session, in, strlen(in));
    if (f->out->len != before + 1)
        g_error("'%s' gave %u lines, not 1", in, f->out->len - before);
    return g_ptr_array_index(f->out, f->out->len - 1);
}

static void
negotiate(Fake *f)
{
    yajl_val v;

    armz_qmp_session_start(f->session);
    v = parse_line(g_ptr_array_index(f->out, 0));
    g_assert_nonnull(get(v, "QMP", "version", "qemu"));
    g_assert_true(YAJL_IS_ARRAY(get(v, "QMP", "capabilities", NULL)));
    g_assert_cmpstr(get_str(v, "QMP", "version", "package"), ==, "armz-vmm " PACKAGE_VERSION);
    yajl_tree_free(v);
    yajl_tree_free(assert_return(say(f, "{\"execute\": \"qmp_capabilities\"}"), NULL));
    g_assert_true(armz_qmp_session_negotiated(f->session));
}

/* getfd / closefd and blockdev-change-medium's fd:NAME; the fds stand
 * for what a client passes with SCM_RIGHTS */
static int media_fd = -1;
static char media_id[32];

static gboolean
fake_change_medium(gpointer opaque, const char *id, int fd, GError **error)
{
    g_strlcpy(media_id, id, sizeof(media_id));
    media_fd = fd;
    return TRUE;
}

static gboolean
fake_eject(gpointer opaque, const char *id, gboolean force, GError **error)
{
    g_set_error(error, ARMZ_QMP_ERROR, 0, "Device '%s' is locked%s", id, force ? " (force)" : "");
    return FALSE;
}

static void
test_session_fds(void)
{
    static const ArmzQmpOps media_ops = { .query_status = fake_query_status,
                                          .eject = fake_eject,
                                          .change_medium = fake_change_medium };
    ArmzQmpFds *fds;
    int p[2];
    Fake f;

    fake_init(&f, &media_ops);
    negotiate(&f);
    fds = armz_qmp_session_fds(f.session);
    assert_error(say(&f, "{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"cd\"}}"),
                 "GenericError", "No file descriptor supplied via SCM_RIGHTS", NULL);
    g_assert_cmpint(pipe(p), ==, 0);
    armz_qmp_fds_add_pending(fds, p[0]);
    armz_qmp_fds_add_pending(fds, p[1]);
    assert_error(say(&f, "{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"1x\"}}"),
                 "GenericError", "not starting with a digit", NULL);
    /* the other pending fd was closed once the request was done */
    g_assert_cmpint(fcntl(p[1], F_GETFD), ==, -1);
    g_assert_cmpint(pipe(p), ==, 0);
    close(p[1]);
    armz_qmp_fds_add_pending(fds, p[0]);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"getfd\", \"arguments\": "
                                     "{\"fdname\": \"cd\"}}"), NULL));
    g_assert_cmpint(fcntl(p[0], F_GETFD), >=, 0);
    assert_error(say(&f, "{\"execute\": \"blockdev-change-medium\", \"arguments\": "
                     "{\"id\": \"cd0\", \"filename\": \"/tmp/x.iso\"}}"),
                 "GenericError", "fd:NAME", NULL);
    assert_error(say(&f, "{\"execute\": \"blockdev-change-medium\", \"arguments\": "
                     "{\"id\": \"cd0\", \"filename\": \"fd:cd\", \"format\": \"qcow2\"}}"),
                 "GenericError", "raw", NULL);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"blockdev-change-medium\", "
                                     "\"arguments\": {\"id\": \"cd0\", \"filename\": \"fd:cd\", "
                                     "\"format\": \"raw\"}}"), NULL));
    g_assert_cmpint(media_fd, ==, p[0]);
    g_assert_cmpstr(media_id, ==, "cd0");
    close(media_fd);
    /* taken: the name is gone */
    assert_error(say(&f, "{\"execute\": \"closefd\", \"arguments\": {\"fdname\": \"cd\"}}"),
                 "GenericError", "File descriptor named 'cd' not found", NULL);
    assert_error(say(&f, "{\"execute\": \"eject\", \"arguments\": {\"id\": \"cd0\", "
                     "\"force\": true}}"), "GenericError", "Device 'cd0' is locked (force)", NULL);
    assert_error(say(&f, "{\"execute\": \"eject\", \"arguments\": {\"force\": 1}}"),
                 "GenericError", "'id' is missing", NULL);
    assert_error(say(&f, "{\"execute\": \"eject\", \"arguments\": {\"id\": \"a\", \"x\": 1}}"),
                 "GenericError", "'x' is unexpected", NULL);
    fake_clear(&f);
}

static void
test_session_negotiation(void)
{
    Fake f;

    fake_init(&f, &fake_ops);
    armz_qmp_session_start(f.session);
    g_assert_cmpuint(f.out->len, ==, 1);
    /* nothing but qmp_capabilities before negotiation; events are dropped */
    assert_error(say(&f, "{\"execute\": \"query-status\", \"id\": 1}"), "CommandNotFound",
                 "Expecting capabilities negotiation with 'qmp_capabilities'", "1");
    assert_error(say(&f, "{\"execute\": \"stop\"}"), "CommandNotFound", "qmp_capabilities", NULL);
    g_assert_cmpint(f.stops, ==, 0);
    g_assert_false(armz_qmp_session_emit(f.session, "STOP", NULL));
    assert_error(say(&f, "{\"execute\": \"nonsense\", \"id\": \"a\"}"), "CommandNotFound",
                 "qmp_capabilities", "\"a\"");
    /* capabilities we do not have */
    assert_error(say(&f, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}"),
                 "GenericError", "oob", NULL);
    assert_error(say(&f, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": 1}}"),
                 "GenericError", "enable", NULL);
    assert_error(say(&f, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"x\": 1}}"),
                 "GenericError", "'x'", NULL);
    g_assert_false(armz_qmp_session_negotiated(f.session));
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"qmp_capabilities\", \"id\": 9, "
                                      "\"arguments\": {\"enable\": []}}"), "9"));
    g_assert_true(armz_qmp_session_negotiated(f.session));
    assert_error(say(&f, "{\"execute\": \"qmp_capabilities\"}"), "CommandNotFound",
                 "already complete", NULL);
    fake_clear(&f);
}

static void
test_session_commands(void)
{
    Fake f;
    yajl_val v;

    fake_init(&f, &fake_ops);
    negotiate(&f);

    v = assert_return(say(&f, "{\"execute\": \"query-status\", \"id\": \"s1\"}"), "\"s1\"");
    g_assert_cmpstr(get_str(v, "return", "status", NULL), ==, "running");
    g_assert_true(YAJL_IS_TRUE(get(v, "return", "running", NULL)));
    g_assert_true(YAJL_IS_FALSE(get(v, "return", "singlestep", NULL)));
    yajl_tree_free(v);

    /* stop: the STOP event (sent by the op) comes before the reply */
    {
        const char *stop = "{\"execute\": \"stop\", \"id\": 2}";
        armz_qmp_session_feed(f.session, stop, strlen(stop));
    }
    g_assert_cmpint(f.stops, ==, 1);
    v = parse_line(g_ptr_array_index(f.out, f.out->len - 2));
    g_assert_cmpstr(get_str(v, "event", NULL, NULL), ==, "STOP");
    g_assert_nonnull(get(v, "timestamp", "seconds", NULL));
    g_assert_nonnull(get(v, "timestamp", "microseconds", NULL));
    yajl_tree_free(v);
    yajl_tree_free(assert_return(g_ptr_array_index(f.out, f.out->len - 1), "2"));

    v = assert_return(say(&f, "{\"execute\": \"query-status\"}"), NULL);
    g_assert_cmpstr(get_str(v, "return", "status", NULL), ==, "paused");
    g_assert_true(YAJL_IS_FALSE(get(v, "return", "running", NULL)));
    yajl_tree_free(v);

    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"cont\"}"), NULL));
    g_assert_cmpint(f.conts, ==, 1);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"system_powerdown\"}"), NULL));
    g_assert_cmpint(f.powerdowns, ==, 1);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"system_reset\"}"), NULL));
    g_assert_cmpint(f.resets, ==, 1);
    f.fail_reset = TRUE;
    assert_error(say(&f, "{\"execute\": \"system_reset\", \"id\": 3}"), "GenericError",
                 "reset went wrong", "3");

    f.state = ARMZ_RUNSTATE_SHUTDOWN;
    v = assert_return(say(&f, "{\"execute\": \"query-status\"}"), NULL);
    g_assert_cmpstr(get_str(v, "return", "status", NULL), ==, "shutdown");
    yajl_tree_free(v);

    v = assert_return(say(&f, "{\"execute\": \"query-version\"}"), NULL);
    g_assert_cmpint(get(v, "return", "qemu", "major")->u.number.i, ==, 0);
    g_assert_cmpstr(get_str(v, "return", "package", NULL), ==, "armz-vmm " PACKAGE_VERSION);
    yajl_tree_free(v);

    v = assert_return(say(&f, "{\"execute\": \"query-commands\"}"), NULL);
    {
        yajl_val list = get(v, "return", NULL, NULL);
        GString *names = g_string_new(NULL);
        g_assert_true(YAJL_IS_ARRAY(list));
        for (gsize i = 0; i < list->u.array.len; i++)
            g_string_append_printf(names, "%s ", get_str(list->u.array.values[i], "name", NULL, NULL));
        g_assert_cmpstr(names->str, ==, "qmp_capabilities query-commands query-status "
                        "query-version stop cont system_powerdown system_reset quit "
                        "getfd closefd ");
        g_string_free(names, TRUE);
    }
    yajl_tree_free(v);

    assert_error(say(&f, "{\"execute\": \"frobnicate\", \"id\": 4}"), "CommandNotFound",
                 "The command frobnicate has not been found", "4");
    assert_error(say(&f, "{\"execute\": \"stop\", \"arguments\": {\"now\": true}}"), "GenericError",
                 "Parameter 'now' is unexpected", NULL);
    g_assert_cmpint(f.stops, ==, 1);

    /* events after negotiation */
    g_assert_true(armz_qmp_session_emit(f.session, "POWERDOWN", NULL));
    v = parse_line(g_ptr_array_index(f.out, f.out->len - 1));
    g_assert_cmpstr(get_str(v, "event", NULL, NULL), ==, "POWERDOWN");
    yajl_tree_free(v);
    g_test_expect_message(NULL, G_LOG_LEVEL_WARNING, "*event BAD dropped*");
    g_assert_false(armz_qmp_session_emit(f.session, "BAD", "[]"));
    g_test_assert_expected_messages();

    /* quit: reply, then the op; later input is ignored */
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"quit\", \"id\": 5}"), "5"));
    g_assert_cmpint(f.quits, ==, 1);
    g_assert_true(armz_qmp_session_quit_requested(f.session));
    {
        guint n = f.out->len;
        const char *stop = "{\"execute\": \"stop\"}";
        armz_qmp_session_feed(f.session, stop, strlen(stop));
        g_assert_cmpuint(f.out->len, ==, n);
        g_assert_cmpint(f.stops, ==, 1);
    }
    fake_clear(&f);
}

static void
test_session_malformed(void)
{
    Fake f;
    const char *burst = "{\"execute\": \"cont\"}garbage {\"execute\": 1}{\"execute\": \"cont\", \"id\": 8}";

    fake_init(&f, &fake_ops);
    negotiate(&f);
    assert_error(say(&f, "{\"execute\": }\n"), "GenericError", "JSON parse error", NULL);
    assert_error(say(&f, "nonsense\n"), "GenericError", "JSON parse error", NULL);
    assert_error(say(&f, "\"just a \\\" string\"\n"), "GenericError", "must be a JSON object", NULL);
    assert_error(say(&f, "42\n"), "GenericError", "must be a JSON object", NULL);
    assert_error(say(&f, "[1, 2]"), "GenericError", "must be a JSON object", NULL);
    assert_error(say(&f, "{\"arguments\": {}, \"id\": true}"), "GenericError",
                 "lacks member 'execute'", "true");
    /* still usable, and several requests in one write are answered in order */
    {
        guint n = f.out->len;
        armz_qmp_session_feed(f.session, burst, strlen(burst));
        g_assert_cmpuint(f.out->len, ==, n + 4);
        yajl_tree_free(assert_return(g_ptr_array_index(f.out, n), NULL));
        assert_error(g_ptr_array_index(f.out, n + 1), "GenericError", "garbage", NULL);
        assert_error(g_ptr_array_index(f.out, n + 2), "GenericError", "'execute' must be a string", NULL);
        yajl_tree_free(assert_return(g_ptr_array_index(f.out, n + 3), "8"));
        g_assert_cmpint(f.conts, ==, 2);
    }
    fake_clear(&f);
}

static gint64 balloon_target;
static gint64 poll_interval;

static gboolean
fake_balloon(gpointer opaque, gint64 value, GError **error)
{
    balloon_target = value;
    return TRUE;
}

static gboolean
fake_query_balloon(gpointer opaque, guint64 *actual, GError **error)
{
    *actual = 1u << 30;
    return TRUE;
}

static char *
fake_qom_get(gpointer opaque, const char *path, const char *prop, GError **error)
{
    if (strcmp(prop, "guest-stats") != 0) {
        g_set_error(error, ARMZ_QMP_ERROR, 0, "Property '%s' not found", prop);
        return NULL;
    }
    return g_strdup("{\"stats\": {\"stat-swap-in\": 5}, \"last-update\": 9}");
}

static gboolean
fake_qom_set(gpointer opaque, const char *path, const char *prop, gint64 v, GError **error)
{
    poll_interval = v;
    return TRUE;
}

/* balloon, query-balloon, qom-get and qom-set: arguments checked, values
 * passed through */
static void
test_session_balloon(void)
{
    static const ArmzQmpOps ops = {
        .query_status = fake_query_status, .balloon = fake_balloon,
        .query_balloon = fake_query_balloon, .qom_get = fake_qom_get, .qom_set = fake_qom_set,
    };
    Fake f;
    yajl_val v;

    fake_init(&f, &ops);
    negotiate(&f);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"balloon\", "
                                         "\"arguments\": {\"value\": 536870912}}"), NULL));
    g_assert_cmpint(balloon_target, ==, 536870912);
    assert_error(say(&f, "{\"execute\": \"balloon\"}"), "GenericError",
                 "Parameter 'value' is missing", NULL);
    assert_error(say(&f, "{\"execute\": \"balloon\", \"arguments\": {\"value\": \"x\"}}"),
                 "GenericError", "expected: integer", NULL);
    assert_error(say(&f, "{\"execute\": \"balloon\", \"arguments\": {\"value\": 0}}"),
                 "GenericError", "expects a size", NULL);
    assert_error(say(&f, "{\"execute\": \"balloon\", "
                         "\"arguments\": {\"value\": 1, \"x\": 1}}"),
                 "GenericError", "'x' is unexpected", NULL);
    v = assert_return(say(&f, "{\"execute\": \"query-balloon\"}"), NULL);
    g_assert_cmpint(YAJL_GET_INTEGER(get(v, "return", "actual", NULL)), ==, 1 << 30);
    yajl_tree_free(v);
    v = assert_return(say(&f, "{\"execute\": \"qom-get\", \"arguments\": {\"path\": "
                              "\"/machine/peripheral/balloon0\", \"property\": \"guest-stats\"}}"),
                      NULL);
    g_assert_cmpint(YAJL_GET_INTEGER(get(v, "return", "last-update", NULL)), ==, 9);
    yajl_tree_free(v);
    assert_error(say(&f, "{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"/x\", "
                         "\"property\": \"nope\"}}"), "GenericError", "not found", NULL);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"qom-set\", \"arguments\": "
                                         "{\"path\": \"/machine/peripheral/balloon0\", "
                                         "\"property\": \"guest-stats-polling-interval\", "
                                         "\"value\": 10}}"), NULL));
    g_assert_cmpint(poll_interval, ==, 10);
    fake_clear(&f);
}

static void
test_session_missing_ops(void)
{
    static const ArmzQmpOps partial = { .query_status = fake_query_status };
    Fake f;

    fake_init(&f, &partial);
    negotiate(&f);
    assert_error(say(&f, "{\"execute\": \"system_reset\"}"), "CommandNotFound",
                 "has not been found", NULL);
    assert_error(say(&f, "{\"execute\": \"quit\"}"), "CommandNotFound", "has not been found", NULL);
    assert_error(say(&f, "{\"execute\": \"query-balloon\"}"), "CommandNotFound",
                 "has not been found", NULL);
    fake_clear(&f);
}

/* the block commands: arguments checked by the session, then the op */
static char *block_device;
static guint64 block_size;

static char *
fake_blockstats(gpointer opaque, GError **error)
{
    return g_strdup("[{\"device\": \"vda\", \"stats\": {\"rd_bytes\": 7}}]");
}

static char *
fake_query_block(gpointer opaque, GError **error)
{
    g_set_error(error, ARMZ_QMP_ERROR, 0, "no disks here");
    return NULL;
}

static gboolean
fake_block_resize(gpointer opaque, const char *device, guint64 size, GError **error)
{
    g_free(block_device);
    block_device = g_strdup(device);
    block_size = size;
    return TRUE;
}

static void
test_session_block(void)
{
    static const ArmzQmpOps ops = {
        .query_status = fake_query_status, .query_blockstats = fake_blockstats,
        .query_block = fake_query_block, .block_resize = fake_block_resize,
    };
    yajl_val v;
    Fake f;

    fake_init(&f, &ops);
    negotiate(&f);
    f.state = ARMZ_RUNSTATE_IO_ERROR;
    v = assert_return(say(&f, "{\"execute\": \"query-status\"}"), NULL);
    g_assert_cmpstr(get_str(v, "return", "status", NULL), ==, "io-error");
    yajl_tree_free(v);
    v = assert_return(say(&f, "{\"execute\": \"query-blockstats\", "
                              "\"arguments\": {\"query-nodes\": true}}"), NULL);
    g_assert_true(YAJL_IS_ARRAY(get(v, "return", NULL, NULL)));
    yajl_tree_free(v);
    assert_error(say(&f, "{\"execute\": \"query-blockstats\", \"arguments\": {\"x\": 1}}"),
                 "GenericError", "'x' is unexpected", NULL);
    assert_error(say(&f, "{\"execute\": \"query-block\"}"), "GenericError", "no disks here", NULL);
    assert_error(say(&f, "{\"execute\": \"block_resize\", \"arguments\": {\"size\": 4096}}"),
                 "GenericError", "'device' is missing", NULL);
    assert_error(say(&f, "{\"execute\": \"block_resize\", \"arguments\": {\"device\": \"vda\"}}"),
                 "GenericError", "'size' is missing", NULL);
    assert_error(say(&f, "{\"execute\": \"block_resize\", "
                         "\"arguments\": {\"device\": \"vda\", \"size\": -1}}"),
                 "GenericError", "'size'", NULL);
    g_assert_null(block_device);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"block_resize\", \"arguments\": "
                                         "{\"node-name\": \"vdb\", \"size\": 8388608}}"), NULL));
    g_assert_cmpstr(block_device, ==, "vdb");
    g_assert_cmpuint(block_size, ==, 8388608);
    g_clear_pointer(&block_device, g_free);
    fake_clear(&f);
}

/* set_link {name, up}: both required, UP a boolean; the op's error (no
 * such NIC) comes back as a GenericError */
static char *link_name;
static int link_up = -1;

static gboolean
fake_set_link(gpointer opaque, const char *name, gboolean up, GError **error)
{
    if (g_str_equal(name, "nosuch")) {
        g_set_error(error, ARMZ_QMP_ERROR, 0, "Device '%s' not found", name);
        return FALSE;
    }
    g_free(link_name);
    link_name = g_strdup(name);
    link_up = up;
    return TRUE;
}

static void
test_session_set_link(void)
{
    static const ArmzQmpOps ops = { .query_status = fake_query_status,
                                    .set_link = fake_set_link };
    Fake f;

    fake_init(&f, &ops);
    negotiate(&f);
    assert_error(say(&f, "{\"execute\": \"set_link\", \"arguments\": {\"up\": true}}"),
                 "GenericError", "'name' is missing", NULL);
    assert_error(say(&f, "{\"execute\": \"set_link\", \"arguments\": {\"name\": \"net0\"}}"),
                 "GenericError", "'up' is missing", NULL);
    assert_error(say(&f, "{\"execute\": \"set_link\", "
                         "\"arguments\": {\"name\": \"net0\", \"up\": 1}}"),
                 "GenericError", "expected: boolean", NULL);
    assert_error(say(&f, "{\"execute\": \"set_link\", "
                         "\"arguments\": {\"name\": \"net0\", \"up\": true, \"x\": 1}}"),
                 "GenericError", "'x' is unexpected", NULL);
    assert_error(say(&f, "{\"execute\": \"set_link\", "
                         "\"arguments\": {\"name\": \"nosuch\", \"up\": false}}"),
                 "GenericError", "Device 'nosuch' not found", NULL);
    g_assert_null(link_name);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"set_link\", \"arguments\": "
                                         "{\"name\": \"net0\", \"up\": false}}"), NULL));
    g_assert_cmpstr(link_name, ==, "net0");
    g_assert_cmpint(link_up, ==, 0);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"set_link\", \"arguments\": "
                                         "{\"name\": \"ua-x\", \"up\": true}}"), NULL));
    g_assert_cmpstr(link_name, ==, "ua-x");
    g_assert_cmpint(link_up, ==, 1);
    g_clear_pointer(&link_name, g_free);
    fake_clear(&f);
}

/* device_add / device_del / query-pci: the session checks the arguments,
 * takes the getfd descriptor and hands both to the op */
static char *hp_id, *hp_cache;
static gboolean hp_readonly, hp_mac;
static int hp_fd = -2;
static char *hp_del;

static gboolean
fake_device_add(gpointer opaque, const ArmzDeviceAddArgs *a, GError **error)
{
    g_free(hp_id);
    g_free(hp_cache);
    hp_id = g_strdup(a->id);
    hp_cache = g_strdup(a->cache);
    hp_readonly = a->readonly;
    hp_mac = a->mac != NULL;
    hp_fd = a->fd;
    if (g_strcmp0(a->bus, "pci.9") == 0) {
        g_set_error(error, ARMZ_QMP_ERROR, 0, "Bus 'pci.9' not found");
        if (a->fd >= 0)
            close(a->fd);
        return FALSE;
    }
    return TRUE;
}

static gboolean
fake_device_del(gpointer opaque, const char *id, GError **error)
{
    g_free(hp_del);
    hp_del = g_strdup(id);
    return TRUE;
}

static char *
fake_query_pci(gpointer opaque, GError **error)
{
    return g_strdup("[{\"bus\": 0, \"devices\": []}]");
}

static void
test_session_hotplug(void)
{
    static const ArmzQmpOps ops = {
        .query_status = fake_query_status, .device_add = fake_device_add,
        .device_del = fake_device_del, .query_pci = fake_query_pci,
    };
    int p[2];
    yajl_val v;
    Fake f;

    fake_init(&f, &ops);
    negotiate(&f);
    assert_error(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
                     "{\"id\": \"d\", \"bus\": \"pci.1\"}}"), "GenericError", "'driver' is missing",
                 NULL);
    assert_error(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
                     "{\"driver\": \"virtio-blk-pci\", \"bus\": \"pci.1\"}}"), "GenericError",
                 "'id' is missing", NULL);
    assert_error(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
                     "{\"driver\": \"virtio-blk-pci\", \"id\": \"d\"}}"), "GenericError",
                 "'bus' is missing", NULL);
    assert_error(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
                     "{\"driver\": \"virtio-blk-pci\", \"id\": \"d\", \"bus\": \"pci.1\", "
                     "\"drive\": \"x\"}}"), "GenericError", "'drive' is unexpected", NULL);
    assert_error(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
                     "{\"driver\": \"virtio-blk-pci\", \"id\": \"d\", \"bus\": \"pci.1\", "
                     "\"readonly\": \"yes\"}}"), "GenericError", "'readonly'", NULL);
    assert_error(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
                     "{\"driver\": \"virtio-blk-pci\", \"id\": \"d\", \"bus\": \"pci.1\", "
                     "\"addr\": \"0x3\"}}"), "GenericError", "'addr' must be 0x0", NULL);
    assert_error(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
                     "{\"driver\": \"virtio-blk-pci\", \"id\": \"d\", \"bus\": \"pci.1\", "
                     "\"fdname\": \"nope\"}}"), "GenericError", "nope", NULL);
    g_assert_cmpint(hp_fd, ==, -2);     /* the op was not reached */
    g_assert_cmpint(pipe(p), ==, 0);
    close(p[1]);
    armz_qmp_fds_add_pending(armz_qmp_session_fds(f.session), p[0]);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"getfd\", \"arguments\": "
                                     "{\"fdname\": \"img\"}}"), NULL));
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
        "{\"driver\": \"virtio-blk-pci\", \"id\": \"ua-disk1\", \"bus\": \"pci.2\", "
        "\"fdname\": \"img\", \"readonly\": true, \"serial\": \"S\", \"cache\": \"none\", "
        "\"bootindex\": 2, \"addr\": \"0x0\"}}"), NULL));
    g_assert_cmpint(hp_fd, ==, p[0]);
    g_assert_cmpstr(hp_id, ==, "ua-disk1");
    g_assert_true(hp_readonly);
    g_assert_cmpstr(hp_cache, ==, "none");
    g_assert_false(hp_mac);
    close(hp_fd);
    /* taken by the command */
    assert_error(say(&f, "{\"execute\": \"closefd\", \"arguments\": {\"fdname\": \"img\"}}"),
                 "GenericError", "'img' not found", NULL);
    assert_error(say(&f, "{\"execute\": \"device_add\", \"arguments\": "
                     "{\"driver\": \"virtio-net-pci\", \"id\": \"n\", \"bus\": \"pci.9\"}}"),
                 "GenericError", "Bus 'pci.9' not found", NULL);
    assert_error(say(&f, "{\"execute\": \"device_del\"}"), "GenericError", "'id' is missing",
                 NULL);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"device_del\", \"arguments\": "
                                     "{\"id\": \"ua-disk1\"}}"), NULL));
    g_assert_cmpstr(hp_del, ==, "ua-disk1");
    v = assert_return(say(&f, "{\"execute\": \"query-pci\"}"), NULL);
    g_assert_true(YAJL_IS_ARRAY(get(v, "return", NULL, NULL)));
    yajl_tree_free(v);
    g_clear_pointer(&hp_del, g_free);
    g_clear_pointer(&hp_id, g_free);
    g_clear_pointer(&hp_cache, g_free);
    fake_clear(&f);
}

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
    g_test_add_func("/qmp/split/basic", test_split_basic);
    g_test_add_func("/qmp/split/bytewise", test_split_bytewise);
    g_test_add_func("/qmp/split/junk", test_split_junk);
    g_test_add_func("/qmp/split/limits", test_split_limits);
    g_test_add_func("/qmp/parse/good", test_parse_good);
    g_test_add_func("/qmp/parse/no-id", test_parse_no_id);
    g_test_add_func("/qmp/parse/bad", test_parse_bad);
    g_test_add_func("/qmp/build", test_build);
    g_test_add_func("/qmp/session/hotplug", test_session_hotplug);
    g_test_add_func("/qmp/session/negotiation", test_session_negotiation);
    g_test_add_func("/qmp/session/fds", test_session_fds);
    g_test_add_func("/qmp/session/commands", test_session_commands);
    g_test_add_func("/qmp/session/malformed", test_session_malformed);
    g_test_add_func("/qmp/session/missing-ops", test_session_missing_ops);
    g_test_add_func("/qmp/session/balloon", test_session_balloon);
    g_test_add_func("/qmp/session/block", test_session_block);
    g_test_add_func("/qmp/session/set-link", test_session_set_link);
    g_test_add_func("/qmp/socket/session", test_socket_session);
    g_test_add_func("/qmp/socket/reconnect", test_socket_reconnect);
    return g_test_run();
}
