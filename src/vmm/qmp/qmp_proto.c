/* QMP wire format: splitting the input stream into requests, parsing a
 * request (yajl_tree), building replies and events (yajl_gen). */
#include <string.h>
#include <glib/gi18n-lib.h>
#include <yajl/yajl_gen.h>
#include "qmp_proto.h"
#include "util/json_gen.h"

G_DEFINE_QUARK(armz-qmp-error, armz_qmp_error)

/* --- splitter ------------------------------------------------------------------ */

void
armz_qmp_splitter_init(ArmzQmpSplitter *sp)
{
    memset(sp, 0, sizeof(*sp));
    sp->buf = g_string_new(NULL);
    sp->pending = g_string_new(NULL);
}

void
armz_qmp_splitter_clear(ArmzQmpSplitter *sp)
{
    if (sp->buf)
        g_string_free(sp->buf, TRUE);
    if (sp->pending)
        g_string_free(sp->pending, TRUE);
    memset(sp, 0, sizeof(*sp));
}

void
armz_qmp_splitter_feed(ArmzQmpSplitter *sp, const char *data, gsize len)
{
    g_string_append_len(sp->pending, data, len);
}

static gboolean
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
consume(ArmzQmpSplitter *sp)
{
    g_string_erase(sp->pending, 0, sp->pos);
    sp->pos = 0;
}

static ArmzQmpSplitResult
too_large(ArmzQmpSplitter *sp, char c)
{
    g_string_truncate(sp->buf, 0);
    sp->depth = 0;
    sp->in_string = sp->escape = sp->junk = FALSE;
    sp->resync = c != '\n';
    consume(sp);
    return ARMZ_QMP_SPLIT_TOO_LARGE;
}

/* Inside a JSON string: C ends it unless escaped by the one before. */
static void
string_step(ArmzQmpSplitter *sp, char c)
{
    if (sp->escape)
        sp->escape = FALSE;
    else if (c == '\\')
        sp->escape = TRUE;
    else if (c == '"')
        sp->in_string = FALSE;
}

ArmzQmpSplitResult
armz_qmp_splitter_next(ArmzQmpSplitter *sp, char **text)
{
    *text = NULL;
    while (sp->pos < sp->pending->len) {
        char c = sp->pending->str[sp->pos++];

        if (sp->resync) {
            if (c == '\n')
                sp->resync = FALSE;
            continue;
        }
        if (sp->junk) {
            if (sp->in_string) {
                /* a top-level JSON string: one item, spaces and all */
                g_string_append_c(sp->buf, c);
                string_step(sp, c);
                if (sp->buf->len > ARMZ_QMP_MAX_REQUEST)
                    return too_large(sp, c);
                continue;
            }
            if (is_space(c) || c == '{' || c == '[') {
                if (!is_space(c))
                    sp->pos--;          /* a request starts right after */
                sp->junk = FALSE;
                *text = g_string_free(sp->buf, FALSE);
                sp->buf = g_string_new(NULL);
                consume(sp);
                return ARMZ_QMP_SPLIT_JUNK;
            }
            g_string_append_c(sp->buf, c);
            if (sp->buf->len > ARMZ_QMP_MAX_REQUEST)
                return too_large(sp, c);
            continue;
        }
        if (sp->depth == 0) {
            if (is_space(c))
                continue;
            g_string_append_c(sp->buf, c);
            if (c == '{' || c == '[') {
                sp->depth = 1;
            } else {
                sp->junk = TRUE;
                sp->in_string = c == '"';
            }
            continue;
        }

        g_string_append_c(sp->buf, c);
        if (sp->in_string) {
            string_step(sp, c);
        } else if (c == '"') {
            sp->in_string = TRUE;
        } else if (c == '{' || c == '[') {
            if (++sp->depth > ARMZ_QMP_MAX_DEPTH)
                return too_large(sp, c);
        } else if (c == '}' || c == ']') {
            if (--sp->depth == 0) {
                *text = g_string_free(sp->buf, FALSE);
                sp->buf = g_string_new(NULL);
                consume(sp);
                return ARMZ_QMP_SPLIT_REQUEST;
            }
        }
        if (sp->buf->len > ARMZ_QMP_MAX_REQUEST)
            return too_large(sp, c);
    }
    consume(sp);
    return ARMZ_QMP_SPLIT_MORE;
}

/* --- JSON generation ----------------------------------------------------------- */


/* Writes the JSON text JSON as a value; FALSE when it does not parse. */
static gboolean
gen_json(yajl_gen g, const char *json)
{
    yajl_val v = yajl_tree_parse(json, NULL, 0);
    if (!v)
        return FALSE;
    armz_json_gen_value(g, v);
    yajl_tree_free(v);
    return TRUE;
}

static yajl_gen
gen_new(void)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    return g;
}

/* The generated text plus "\r\n"; frees G. */
static char *
gen_finish(yajl_gen g)
{
    const unsigned char *buf;
    size_t len;
    char *out = NULL;

    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
        out = g_strdup_printf("%.*s\r\n", (int)len, (const char *)buf);
    yajl_gen_free(g);
    return out;
}

char *
armz_qmp_value_to_json(yajl_val value)
{
    const unsigned char *buf;
    size_t len;
    char *out = NULL;
    yajl_gen g = gen_new();

    armz_json_gen_value(g, value);
    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
        out = g_strndup((const char *)buf, len);
    yajl_gen_free(g);
    return out;
}

static void
gen_id(yajl_gen g, const char *id_json)
{
    if (!id_json)
        return;
    armz_json_gen_str(g, "id");
    if (!gen_json(g, id_json))
        yajl_gen_null(g);
}

char *
armz_qmp_build_greeting(const char *package)
{
    yajl_gen g = gen_new();

    yajl_gen_map_open(g);
    armz_json_gen_str(g, "QMP");
    yajl_gen_map_open(g);
    armz_json_gen_str(g, "version");
    yajl_gen_map_open(g);
    armz_json_gen_str(g, "qemu");
    yajl_gen_map_open(g);
    armz_json_gen_str(g, "micro");
    yajl_gen_integer(g, 0);
    armz_json_gen_str(g, "minor");
    yajl_gen_integer(g, 0);
    armz_json_gen_str(g, "major");
    yajl_gen_integer(g, 0);
    yajl_gen_map_close(g);
    armz_json_gen_str(g, "package");
    armz_json_gen_str(g, package);
    yajl_gen_map_close(g);
    armz_json_gen_str(g, "capabilities");
    yajl_gen_array_open(g);
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    return gen_finish(g);
}

char *
armz_qmp_build_return(const char *id_json, const char *return_json)
{
    yajl_gen g = gen_new();

    yajl_gen_map_open(g);
    armz_json_gen_str(g, "return");
    if (!return_json || !gen_json(g, return_json)) {
        yajl_gen_map_open(g);
        yajl_gen_map_close(g);
    }
    gen_id(g, id_json);
    yajl_gen_map_close(g);
    return gen_finish(g);
}

char *
armz_qmp_build_error(const char *id_json, const char *klass, const char *desc)
{
    yajl_gen g = gen_new();

    yajl_gen_map_open(g);
    armz_json_gen_str(g, "error");
    yajl_gen_map_open(g);
    armz_json_gen_str(g, "class");
    armz_json_gen_str(g, klass);
    armz_json_gen_str(g, "desc");
    /* DESC may carry bytes from the client (a command name): keep the
     * reply valid UTF-8 whatever it holds */
    if (g_utf8_validate(desc, -1, NULL)) {
        armz_json_gen_str(g, desc);
    } else {
        g_autofree char *valid = g_utf8_make_valid(desc, -1);
        armz_json_gen_str(g, valid);
    }
    yajl_gen_map_close(g);
    gen_id(g, id_json);
    yajl_gen_map_close(g);
    return gen_finish(g);
}

char *
armz_qmp_build_event(const char *name, const char *data_json, gint64 realtime_us)
{
    yajl_val data = NULL;
    yajl_gen g;

    if (!name || !*name)
        return NULL;
    if (data_json) {
        data = yajl_tree_parse(data_json, NULL, 0);
        if (!data || !YAJL_IS_OBJECT(data)) {
            yajl_tree_free(data);
            return NULL;
        }
    }
    g = gen_new();
    yajl_gen_map_open(g);
    armz_json_gen_str(g, "event");
    armz_json_gen_str(g, name);
    armz_json_gen_str(g, "data");
    if (data) {
        armz_json_gen_value(g, data);
    } else {
        yajl_gen_map_open(g);
        yajl_gen_map_close(g);
    }
    armz_json_gen_str(g, "timestamp");
    yajl_gen_map_open(g);
    armz_json_gen_str(g, "seconds");
    yajl_gen_integer(g, realtime_us / G_USEC_PER_SEC);
    armz_json_gen_str(g, "microseconds");
    yajl_gen_integer(g, realtime_us % G_USEC_PER_SEC);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    yajl_tree_free(data);
    return gen_finish(g);
}

/* --- requests ------------------------------------------------------------------ */

void
armz_qmp_request_free(ArmzQmpRequest *req)
{
    if (!req)
        return;
    g_free(req->execute);
    g_free(req->id_json);
    yajl_tree_free(req->tree);
    g_free(req);
}

/* yajl's message is several lines (the text and a caret): keep the first,
 * without its "parse error: " or "lexical error: " prefix. */
static char *
yajl_message(const char *msg)
{
    const char *p = strstr(msg, "error: ");
    g_autofree char *first = NULL;

    if (p)
        msg = p + strlen("error: ");
    first = g_strndup(msg, strcspn(msg, "\n"));
    g_strstrip(first);
    return g_steal_pointer(&first);
}

ArmzQmpRequest *
armz_qmp_request_parse(const char *text, char **id_json, GError **error)
{
    char msg[512] = "";
    yajl_val tree;
    g_autoptr(ArmzQmpRequest) req = NULL;
    size_t i;

    *id_json = NULL;
    tree = yajl_tree_parse(text, msg, sizeof(msg));
    if (!tree) {
        g_autofree char *why = yajl_message(msg);
        g_set_error(error, ARMZ_QMP_ERROR, 0,
                    _("JSON parse error, %s"), *why ? why : _("invalid input"));
        return NULL;
    }
    req = g_new0(ArmzQmpRequest, 1);
    req->tree = tree;
    if (!YAJL_IS_OBJECT(tree)) {
        g_set_error(error, ARMZ_QMP_ERROR, 0,
                    _("QMP input must be a JSON object"));
        return NULL;
    }
    for (i = 0; i < tree->u.object.len; i++) {
        if (strcmp(tree->u.object.keys[i], "id") == 0) {
            g_free(req->id_json);
            req->id_json = armz_qmp_value_to_json(tree->u.object.values[i]);
        }
    }
    *id_json = g_strdup(req->id_json);
    for (i = 0; i < tree->u.object.len; i++) {
        const char *key = tree->u.object.keys[i];
        yajl_val v = tree->u.object.values[i];

        if (strcmp(key, "execute") == 0) {
            if (!YAJL_IS_STRING(v)) {
                g_set_error(error, ARMZ_QMP_ERROR, 0,
                            _("QMP input member 'execute' must be a string"));
                return NULL;
            }
            g_free(req->execute);
            req->execute = g_strdup(v->u.string);
        } else if (strcmp(key, "arguments") == 0) {
            if (!YAJL_IS_OBJECT(v)) {
                g_set_error(error, ARMZ_QMP_ERROR, 0,
                            _("QMP input member 'arguments' must be an object"));
                return NULL;
            }
            req->arguments = v;
        } else if (strcmp(key, "id") != 0) {
            g_set_error(error, ARMZ_QMP_ERROR, 0,
                        _("QMP input member '%s' is unexpected"), key);
            return NULL;
        }
    }
    if (!req->execute) {
        g_set_error(error, ARMZ_QMP_ERROR, 0,
                    _("QMP input lacks member 'execute'"));
        return NULL;
    }
    return g_steal_pointer(&req);
}
