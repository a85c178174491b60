/* The shared part of the QMP server's unit tests: reply checks and a
 * session over a fake VMM (qmp_test.h). */
#include <string.h>
#include "qmp_test.h"

/* --- helpers --------------------------------------------------------------------- */

/* Parses one reply line, checking it is a single JSON object ending in \r\n. */
yajl_val
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

yajl_val
get(yajl_val v, const char *a, const char *b, const char *c)
{
    const char *path[] = { a, b, c, NULL };
    return yajl_tree_get(v, path, yajl_t_any);
}

const char *
get_str(yajl_val v, const char *a, const char *b, const char *c)
{
    yajl_val s = get(v, a, b, c);
    return YAJL_IS_STRING(s) ? s->u.string : NULL;
}

/* Checks LINE is an error of class KLASS whose desc contains DESC_PART and
 * whose id is ID_JSON (NULL: no id). */
void
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
yajl_val
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

ArmzRunState
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

const ArmzQmpOps fake_ops = {
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

void
fake_init(Fake *f, const ArmzQmpOps *ops)
{
    memset(f, 0, sizeof(*f));
    f->out = g_ptr_array_new_with_free_func(g_free);
    f->partial = g_string_new(NULL);
    f->session = armz_qmp_session_new(ops, f, fake_send, f);
}

void
fake_clear(Fake *f)
{
    armz_qmp_session_free(f->session);
    g_ptr_array_free(f->out, TRUE);
    g_string_free(f->partial, TRUE);
}

/* Feeds IN; returns the only line it produced. */
const char *
say(Fake *f, const char *in)
{
    guint before = f->out->len;

    armz_qmp_session_feed(f->session, in, strlen(in));
    if (f->out->len != before + 1)
        g_error("'%s' gave %u lines, not 1", in, f->out->len - before);
    return g_ptr_array_index(f->out, f->out->len - 1);
}

void
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
