/* QMP wire format of the monitor: commands built with yajl_gen, messages
 * from the VMM parsed with yajl_tree and checked strictly, since a broken
 * or hostile VMM may send anything. */
#include <string.h>
#include <yajl/yajl_gen.h>

#include "util/armz-i18n.h"
#include "util/json_gen.h"
#include "driver/monitor.h"
#include "driver/monitor_json.h"

void
armz_monitor_msg_clear(ArmzMonitorMsg *msg)
{
    if (msg->tree)
        yajl_tree_free(msg->tree);
    memset(msg, 0, sizeof(*msg));
}

gboolean
armz_monitor_json_depth_ok(const char *text, gsize len, int max_depth)
{
    gboolean in_string = FALSE, escape = FALSE;
    int depth = 0;

    for (gsize i = 0; i < len; i++) {
        char c = text[i];

        if (in_string) {
            if (escape)
                escape = FALSE;
            else if (c == '\\')
                escape = TRUE;
            else if (c == '"')
                in_string = FALSE;
        } else if (c == '"') {
            in_string = TRUE;
        } else if (c == '{' || c == '[') {
            if (++depth > max_depth)
                return FALSE;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return TRUE;
}

char *
armz_monitor_json_excerpt(const char *data, gsize len)
{
    const gsize max = 80;
    g_autofree char *raw = g_strndup(data, MIN(len, max));
    g_autofree char *esc = g_strescape(raw, NULL);

    return g_strdup_printf("%s%s", esc, len > max ? "..." : "");
}

/* yajl's message is several lines (the text and a caret): keep the first. */
static char *
yajl_first_line(const char *msg)
{
    g_autofree char *first = g_strndup(msg, strcspn(msg, "\n"));

    g_strstrip(first);
    return g_steal_pointer(&first);
}

static gboolean G_GNUC_PRINTF(2, 3)
proto_error(GError **error, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_PROTOCOL,
                _("armz-vmm sent an invalid QMP message: %s"), msg);
    return FALSE;
}

/* Parses TEXT (NUL-terminated) after the depth check. */
static yajl_val
parse_tree(const char *text, gsize len, GError **error, int code)
{
    char buf[256] = "";
    yajl_val v;

    if (!armz_monitor_json_depth_ok(text, len, ARMZ_MONITOR_MAX_DEPTH)) {
        g_set_error(error, ARMZ_MONITOR_ERROR, code,
                    _("JSON nested deeper than %d levels"), ARMZ_MONITOR_MAX_DEPTH);
        return NULL;
    }
    v = yajl_tree_parse(text, buf, sizeof(buf));
    if (!v) {
        g_autofree char *why = yajl_first_line(buf);
        g_set_error(error, ARMZ_MONITOR_ERROR, code, _("not JSON (%s)"),
                    *why ? why : _("parse error"));
    }
    return v;
}

/* TIMESTAMP as microseconds, -1 when it is not two sane integers. */
static gint64
timestamp_us(yajl_val ts)
{
    const char *s_path[] = { "seconds", NULL };
    const char *us_path[] = { "microseconds", NULL };
    yajl_val s = yajl_tree_get(ts, s_path, yajl_t_number);
    yajl_val us = yajl_tree_get(ts, us_path, yajl_t_number);

    if (!s || !us || !YAJL_IS_INTEGER(s) || !YAJL_IS_INTEGER(us))
        return -1;
    if (YAJL_GET_INTEGER(s) < 0 || YAJL_GET_INTEGER(s) > G_MAXINT64 / G_USEC_PER_SEC - 1 ||
        YAJL_GET_INTEGER(us) < 0 || YAJL_GET_INTEGER(us) >= G_USEC_PER_SEC)
        return -1;
    return YAJL_GET_INTEGER(s) * G_USEC_PER_SEC + YAJL_GET_INTEGER(us);
}

/* Checks the members of the error object of an error reply. */
static gboolean
check_error_body(yajl_val body, ArmzMonitorMsg *msg, GError **error)
{
    if (!YAJL_IS_OBJECT(body))
        return proto_error(error, _("member 'error' is not an object"));
    for (size_t i = 0; i < body->u.object.len; i++) {
        const char *key = body->u.object.keys[i];
        yajl_val v = body->u.object.values[i];

        if (strcmp(key, "class") == 0 && YAJL_IS_STRING(v) && !msg->err_class)
            msg->err_class = v->u.string;
        else if (strcmp(key, "desc") == 0 && YAJL_IS_STRING(v) && !msg->err_desc)
            msg->err_desc = v->u.string;
        else
            return proto_error(error, _("unexpected or repeated member '%s' in 'error'"), key);
    }
    if (!msg->err_class || !msg->err_desc)
        return proto_error(error, _("an error lacks its 'class' or 'desc'"));
    return TRUE;
}

/* Which members each kind may have; the first one identifies the kind. */
static const struct {
    ArmzMonitorMsgKind kind;
    const char *members[4];
} kinds[] = {
    { ARMZ_MONITOR_MSG_GREETING, { "QMP", NULL } },
    { ARMZ_MONITOR_MSG_EVENT, { "event", "data", "timestamp", NULL } },
    { ARMZ_MONITOR_MSG_RETURN, { "return", "id", NULL } },
    { ARMZ_MONITOR_MSG_ERROR, { "error", "id", NULL } },
};

static gboolean
has_member(yajl_val obj, const char *key)
{
    for (size_t i = 0; i < obj->u.object.len; i++) {
        if (strcmp(obj->u.object.keys[i], key) == 0)
            return TRUE;
    }
    return FALSE;
}

static gboolean
check_message(yajl_val tree, ArmzMonitorMsg *msg, GError **error)
{
    int which = -1;

    if (!YAJL_IS_OBJECT(tree))
        return proto_error(error, _("not a JSON object"));
    for (gsize k = 0; k < G_N_ELEMENTS(kinds); k++) {
        if (!has_member(tree, kinds[k].members[0]))
            continue;
        if (which >= 0)
            return proto_error(error, _("both '%s' and '%s'"),
                               kinds[which].members[0], kinds[k].members[0]);
        which = k;
    }
    if (which < 0)
        return proto_error(error, _("neither a greeting, an event nor a reply"));
    msg->kind = kinds[which].kind;

    for (size_t i = 0; i < tree->u.object.len; i++) {
        const char *key = tree->u.object.keys[i];
        yajl_val v = tree->u.object.values[i];
        gboolean known = FALSE;

        for (size_t j = 0; j < i; j++) {
            if (strcmp(tree->u.object.keys[j], key) == 0)
                return proto_error(error, _("member '%s' appears twice"), key);
        }
        for (gsize m = 0; kinds[which].members[m]; m++)
            known |= strcmp(kinds[which].members[m], key) == 0;
        if (!known)
            return proto_error(error, _("unexpected member '%s'"), key);

        if (strcmp(key, "id") == 0) {
            msg->has_id = TRUE;
            msg->id = YAJL_IS_STRING(v) ? v->u.string : NULL;
        } else if (strcmp(key, "QMP") == 0) {
            if (!YAJL_IS_OBJECT(v))
                return proto_error(error, _("member 'QMP' is not an object"));
            msg->value = v;
        } else if (strcmp(key, "event") == 0) {
            if (!YAJL_IS_STRING(v) || !*v->u.string)
                return proto_error(error, _("member 'event' is not a name"));
            msg->event = v->u.string;
        } else if (strcmp(key, "data") == 0) {
            if (!YAJL_IS_OBJECT(v))
                return proto_error(error, _("member 'data' is not an object"));
            msg->value = v;
        } else if (strcmp(key, "timestamp") == 0) {
            if (!YAJL_IS_OBJECT(v))
                return proto_error(error, _("member 'timestamp' is not an object"));
            msg->timestamp_us = timestamp_us(v);
        } else if (strcmp(key, "return") == 0) {
            msg->value = v;
        } else if (strcmp(key, "error") == 0) {
            if (!check_error_body(v, msg, error))
                return FALSE;
        }
    }
    return TRUE;
}

gboolean
armz_monitor_msg_parse(const char *line, gsize len, ArmzMonitorMsg *msg, GError **error)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    yajl_val tree;

    memset(msg, 0, sizeof(*msg));
    msg->timestamp_us = -1;
    /* yajl_tree reads a C string: a NUL would hide the rest of the line */
    if (memchr(line, '\0', len))
        return proto_error(error, _("a NUL byte in a line"));
    text = g_strndup(line, len);
    tree = parse_tree(text, len, &err, ARMZ_MONITOR_ERROR_PROTOCOL);
    if (!tree) {
        g_autofree char *what = armz_monitor_json_excerpt(line, len);
        return proto_error(error, "%s: '%s'", err->message, what);
    }
    msg->tree = tree;
    if (!check_message(tree, msg, error)) {
        armz_monitor_msg_clear(msg);
        return FALSE;
    }
    return TRUE;
}

/* --- generation ---------------------------------------------------------------- */

/* Recursion is bounded by ARMZ_MONITOR_MAX_DEPTH, checked before parsing. */

static yajl_gen
gen_new(void)
{
    yajl_gen g = yajl_gen_alloc(NULL);

    yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    return g;
}

/* The text generated so far plus SUFFIX, or NULL; frees G. */
static char *
gen_finish(yajl_gen g, const char *suffix)
{
    const unsigned char *buf;
    size_t len;
    char *out = NULL;

    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
        out = g_strdup_printf("%.*s%s", (int)len, (const char *)buf, suffix);
    yajl_gen_free(g);
    return out;
}

char *
armz_monitor_json_to_string(yajl_val v)
{
    yajl_gen g = gen_new();

    armz_json_gen_value(g, v);
    return gen_finish(g, "");
}

char *
armz_monitor_json_build_command(const char *cmd, const char *args_json, const char *id,
                                GError **error)
{
    yajl_val args = NULL;
    yajl_gen g;
    char *line;

    if (!cmd || !*cmd || !g_utf8_validate(cmd, -1, NULL)) {
        g_set_error(error, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_FAILED,
                    _("invalid QMP command name"));
        return NULL;
    }
    if (args_json) {
        g_autoptr(GError) err = NULL;

        args = parse_tree(args_json, strlen(args_json), &err, ARMZ_MONITOR_ERROR_FAILED);
        if (!args || !YAJL_IS_OBJECT(args)) {
            g_set_error(error, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_FAILED,
                        _("arguments of QMP command '%s' are not a JSON object%s%s"), cmd,
                        err ? ": " : "", err ? err->message : "");
            if (args)
                yajl_tree_free(args);
            return NULL;
        }
    }
    g = gen_new();
    yajl_gen_map_open(g);
    armz_json_gen_str(g, "execute");
    armz_json_gen_str(g, cmd);
    if (args) {
        armz_json_gen_str(g, "arguments");
        armz_json_gen_value(g, args);
        yajl_tree_free(args);
    }
    armz_json_gen_str(g, "id");
    armz_json_gen_str(g, id);
    yajl_gen_map_close(g);
    line = gen_finish(g, "\r\n");
    if (!line) {
        g_set_error(error, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_FAILED,
                    _("cannot encode QMP command '%s'"), cmd);
        return NULL;
    }
    if (strlen(line) > ARMZ_MONITOR_MAX_LINE) {
        g_set_error(error, ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_FAILED,
                    _("QMP command '%s' is longer than %d bytes"), cmd, ARMZ_MONITOR_MAX_LINE);
        g_free(line);
        return NULL;
    }
    return line;
}
