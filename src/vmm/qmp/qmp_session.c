/* One QMP client's session: greeting, capabilities negotiation and the
 * commands, dispatched to the VMM core's ArmzQmpOps. No sockets here. */
#include <string.h>
#include <glib/gi18n-lib.h>
#include "qmp_proto.h"

#define CLASS_GENERIC "GenericError"
#define CLASS_NOT_FOUND "CommandNotFound"

struct _ArmzQmpSession {
    const ArmzQmpOps *ops;
    gpointer opaque;
    ArmzQmpSendFunc send;
    gpointer send_data;
    ArmzQmpSplitter sp;
    gboolean negotiated;
    gboolean quit;
};

/* A command: fills *RET (JSON text, NULL for {}) or sets ERROR (a
 * GenericError unless its code is CMD_NOT_FOUND). */
typedef gboolean (*CmdFunc)(ArmzQmpSession *s, yajl_val args, char **ret, GError **error);

enum { CMD_GENERIC, CMD_NOT_FOUND };
#define CMD_ERROR (cmd_error_quark())
static GQuark cmd_error_quark(void);
G_DEFINE_QUARK(armz-qmp-cmd-error, cmd_error)

typedef struct {
    const char *name;
    CmdFunc func;
    gsize ops_offset;   /* the op it needs (G_MAXSIZE: none) */
} Cmd;

static void
send_line(ArmzQmpSession *s, char *line)
{
    if (line)
        s->send(line, strlen(line), s->send_data);
    g_free(line);
}

/* Arguments are refused by every command but qmp_capabilities. */
static gboolean
no_args(yajl_val args, GError **error)
{
    if (args && YAJL_IS_OBJECT(args) && args->u.object.len > 0) {
        g_set_error(error, CMD_ERROR, CMD_GENERIC, _("Parameter '%s' is unexpected"),
                    args->u.object.keys[0]);
        return FALSE;
    }
    return TRUE;
}

static gboolean
cmd_qmp_capabilities(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    size_t i;

    if (s->negotiated) {
        g_set_error(error, CMD_ERROR, CMD_NOT_FOUND,
                    _("Capabilities negotiation is already complete, command ignored"));
        return FALSE;
    }
    for (i = 0; args && i < args->u.object.len; i++) {
        const char *key = args->u.object.keys[i];
        yajl_val v = args->u.object.values[i];
        size_t j;

        if (strcmp(key, "enable") != 0) {
            g_set_error(error, CMD_ERROR, CMD_GENERIC, _("Parameter '%s' is unexpected"), key);
            return FALSE;
        }
        if (!YAJL_IS_ARRAY(v)) {
            g_set_error(error, CMD_ERROR, CMD_GENERIC,
                        _("Invalid parameter type for 'enable', expected: array"));
            return FALSE;
        }
        for (j = 0; j < v->u.array.len; j++) {
            yajl_val cap = v->u.array.values[j];
            if (!YAJL_IS_STRING(cap)) {
                g_set_error(error, CMD_ERROR, CMD_GENERIC,
                            _("Invalid parameter type for 'enable[%zu]', expected: string"), j);
                return FALSE;
            }
            /* no capability (oob, ...) is offered */
            g_set_error(error, CMD_ERROR, CMD_GENERIC, _("Capability %s not available"),
                        cap->u.string);
            return FALSE;
        }
    }
    s->negotiated = TRUE;
    return TRUE;
}

static gboolean
cmd_query_status(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    ArmzRunState state;
    const char *name;

    if (!no_args(args, error))
        return FALSE;
    state = s->ops->query_status(s->opaque);
    switch (state) {
    case ARMZ_RUNSTATE_RUNNING: name = "running"; break;
    case ARMZ_RUNSTATE_PAUSED: name = "paused"; break;
    case ARMZ_RUNSTATE_SHUTDOWN: name = "shutdown"; break;
    case ARMZ_RUNSTATE_IO_ERROR: name = "io-error"; break;
    default: name = "internal-error"; break;
    }
    *ret = g_strdup_printf("{\"status\": \"%s\", \"singlestep\": false, \"running\": %s}",
                           name, state == ARMZ_RUNSTATE_RUNNING ? "true" : "false");
    return TRUE;
}

static gboolean
cmd_query_version(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    if (!no_args(args, error))
        return FALSE;
    *ret = g_strdup("{\"qemu\": {\"micro\": 0, \"minor\": 0, \"major\": 0}, "
                    "\"package\": \"armz-vmm " PACKAGE_VERSION "\"}");
    return TRUE;
}

static gboolean cmd_query_commands(ArmzQmpSession *s, yajl_val args, char **ret, GError **error);

/* Runs the op OP of the ops table; its GError becomes the reply's desc. */
#define OP_CMD(fn, op)                                                         \
    static gboolean                                                            \
    fn(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)            \
    {                                                                          \
        g_autoptr(GError) err = NULL;                                          \
        if (!no_args(args, error))                                             \
            return FALSE;                                                      \
        if (s->ops->op(s->opaque, &err))                                       \
            return TRUE;                                                       \
        g_set_error_literal(error, CMD_ERROR, CMD_GENERIC,                     \
                            err ? err->message : _("the command failed"));     \
        return FALSE;                                                          \
    }
OP_CMD(cmd_stop, stop)
OP_CMD(cmd_cont, cont)
OP_CMD(cmd_system_powerdown, system_powerdown)
OP_CMD(cmd_system_reset, system_reset)
OP_CMD(cmd_x_debug_syscall, x_debug_syscall)

/* An op's JSON reply in *RET; its GError (taken) becomes the reply's desc. */
static gboolean
op_reply(char *json, GError *err, char **ret, GError **error)
{
    *ret = json;
    if (!json)
        g_set_error_literal(error, CMD_ERROR, CMD_GENERIC,
                            err ? err->message : _("the command failed"));
    g_clear_error(&err);
    return json != NULL;
}

static gboolean
cmd_query_block(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    GError *err = NULL;
    char *json;

    if (!no_args(args, error))
        return FALSE;
    json = s->ops->query_block(s->opaque, &err);
    return op_reply(json, err, ret, error);
}

static gboolean
cmd_query_blockstats(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    GError *err = NULL;
    char *json;

    /* QEMU's optional query-nodes is accepted and has nothing to add */
    for (size_t i = 0; args && YAJL_IS_OBJECT(args) && i < args->u.object.len; i++) {
        if (strcmp(args->u.object.keys[i], "query-nodes") != 0) {
            g_set_error(error, CMD_ERROR, CMD_GENERIC, _("Parameter '%s' is unexpected"),
                        args->u.object.keys[i]);
            return FALSE;
        }
    }
    json = s->ops->query_blockstats(s->opaque, &err);
    return op_reply(json, err, ret, error);
}

static gboolean
cmd_block_resize(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    g_autoptr(GError) err = NULL;
    const char *device = NULL;
    gboolean have_size = FALSE;
    guint64 size = 0;

    for (size_t i = 0; args && YAJL_IS_OBJECT(args) && i < args->u.object.len; i++) {
        const char *k = args->u.object.keys[i];
        yajl_val v = args->u.object.values[i];

        if ((strcmp(k, "device") == 0 || strcmp(k, "node-name") == 0) && YAJL_IS_STRING(v)) {
            device = v->u.string;
        } else if (strcmp(k, "size") == 0 && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= 0) {
            size = (guint64)YAJL_GET_INTEGER(v);
            have_size = TRUE;
        } else {
            g_set_error(error, CMD_ERROR, CMD_GENERIC,
                        _("Invalid parameter '%s'"), k);
            return FALSE;
        }
    }
    if (!device || !have_size) {
        g_set_error(error, CMD_ERROR, CMD_GENERIC, _("Parameter '%s' is missing"),
                    device ? "size" : "device");
        return FALSE;
    }
    if (s->ops->block_resize(s->opaque, device, size, &err))
        return TRUE;
    g_set_error_literal(error, CMD_ERROR, CMD_GENERIC,
                        err ? err->message : _("the command failed"));
    return FALSE;
}

static gboolean
cmd_quit(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    if (!no_args(args, error))
        return FALSE;
    s->quit = TRUE;     /* ops->quit runs once the reply is out */
    return TRUE;
}

#define NO_OP G_MAXSIZE
static const Cmd commands[] = {
    { "qmp_capabilities", cmd_qmp_capabilities, NO_OP },
    { "query-commands", cmd_query_commands, NO_OP },
    { "query-status", cmd_query_status, G_STRUCT_OFFSET(ArmzQmpOps, query_status) },
    { "query-version", cmd_query_version, NO_OP },
    { "stop", cmd_stop, G_STRUCT_OFFSET(ArmzQmpOps, stop) },
    { "cont", cmd_cont, G_STRUCT_OFFSET(ArmzQmpOps, cont) },
    { "system_powerdown", cmd_system_powerdown, G_STRUCT_OFFSET(ArmzQmpOps, system_powerdown) },
    { "system_reset", cmd_system_reset, G_STRUCT_OFFSET(ArmzQmpOps, system_reset) },
    { "quit", cmd_quit, G_STRUCT_OFFSET(ArmzQmpOps, quit) },
    { "x-armz-debug-syscall", cmd_x_debug_syscall, G_STRUCT_OFFSET(ArmzQmpOps, x_debug_syscall) },
    { "query-blockstats", cmd_query_blockstats, G_STRUCT_OFFSET(ArmzQmpOps, query_blockstats) },
    { "query-block", cmd_query_block, G_STRUCT_OFFSET(ArmzQmpOps, query_block) },
    { "block_resize", cmd_block_resize, G_STRUCT_OFFSET(ArmzQmpOps, block_resize) },
};

/* Whether the ops table implements what CMD needs. */
static gboolean
cmd_available(ArmzQmpSession *s, const Cmd *cmd)
{
    if (cmd->ops_offset == NO_OP)
        return TRUE;
    return G_STRUCT_MEMBER(gpointer, s->ops, cmd->ops_offset) != NULL;
}

static gboolean
cmd_query_commands(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    GString *out;
    gboolean first = TRUE;

    if (!no_args(args, error))
        return FALSE;
    out = g_string_new("[");
    for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
        if (!cmd_available(s, &commands[i]))
            continue;
        g_string_append_printf(out, "%s{\"name\": \"%s\"}", first ? "" : ", ", commands[i].name);
        first = FALSE;
    }
    g_string_append_c(out, ']');
    *ret = g_string_free(out, FALSE);
    return TRUE;
}

static void
dispatch(ArmzQmpSession *s, const char *text)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *id = NULL;
    g_autofree char *ret = NULL;
    g_autoptr(ArmzQmpRequest) req = armz_qmp_request_parse(text, &id, &err);
    const Cmd *cmd = NULL;

    if (!req) {
        send_line(s, armz_qmp_build_error(id, CLASS_GENERIC, err->message));
        return;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
        if (strcmp(commands[i].name, req->execute) == 0 && cmd_available(s, &commands[i])) {
            cmd = &commands[i];
            break;
        }
    }
    if (!s->negotiated && !(cmd && cmd->func == cmd_qmp_capabilities)) {
        send_line(s, armz_qmp_build_error(id, CLASS_NOT_FOUND,
                  _("Expecting capabilities negotiation with 'qmp_capabilities'")));
        return;
    }
    if (!cmd) {
        g_autofree char *desc = g_strdup_printf(_("The command %s has not been found"),
                                                req->execute);
        send_line(s, armz_qmp_build_error(id, CLASS_NOT_FOUND, desc));
        return;
    }
    if (!cmd->func(s, req->arguments, &ret, &err)) {
        send_line(s, armz_qmp_build_error(id,
                  err->code == CMD_NOT_FOUND ? CLASS_NOT_FOUND : CLASS_GENERIC, err->message));
        return;
    }
    send_line(s, armz_qmp_build_return(id, ret));
    if (s->quit)
        s->ops->quit(s->opaque);
}

ArmzQmpSession *
armz_qmp_session_new(const ArmzQmpOps *ops, gpointer opaque,
                     ArmzQmpSendFunc send, gpointer send_data)
{
    ArmzQmpSession *s = g_new0(ArmzQmpSession, 1);

    s->ops = ops;
    s->opaque = opaque;
    s->send = send;
    s->send_data = send_data;
    armz_qmp_splitter_init(&s->sp);
    return s;
}

void
armz_qmp_session_free(ArmzQmpSession *s)
{
    if (!s)
        return;
    armz_qmp_splitter_clear(&s->sp);
    g_free(s);
}

void
armz_qmp_session_start(ArmzQmpSession *s)
{
    send_line(s, armz_qmp_build_greeting("armz-vmm " PACKAGE_VERSION));
}

void
armz_qmp_session_feed(ArmzQmpSession *s, const char *data, gsize len)
{
    char *text;
    ArmzQmpSplitResult r;

    if (s->quit)
        return;
    armz_qmp_splitter_feed(&s->sp, data, len);
    while (!s->quit && (r = armz_qmp_splitter_next(&s->sp, &text)) != ARMZ_QMP_SPLIT_MORE) {
        g_autofree char *owned = text;
        g_autofree char *desc = NULL;

        switch (r) {
        case ARMZ_QMP_SPLIT_REQUEST:
            dispatch(s, owned);
            break;
        case ARMZ_QMP_SPLIT_JUNK: {
            /* a JSON scalar is valid JSON, just not a request */
            yajl_val v = yajl_tree_parse(owned, NULL, 0);
            if (v)
                desc = g_strdup(_("QMP input must be a JSON object"));
            else
                desc = g_strdup_printf(_("JSON parse error, invalid keyword '%s'"), owned);
            yajl_tree_free(v);
            send_line(s, armz_qmp_build_error(NULL, CLASS_GENERIC, desc));
            break;
        }
        case ARMZ_QMP_SPLIT_TOO_LARGE:
            desc = g_strdup_printf(_("JSON parse error, request larger than %d bytes "
                                     "or nested deeper than %d levels"),
                                   ARMZ_QMP_MAX_REQUEST, ARMZ_QMP_MAX_DEPTH);
            send_line(s, armz_qmp_build_error(NULL, CLASS_GENERIC, desc));
            break;
        case ARMZ_QMP_SPLIT_MORE:
        default:
            break;
        }
    }
}

gboolean
armz_qmp_session_negotiated(ArmzQmpSession *s)
{
    return s->negotiated;
}

gboolean
armz_qmp_session_quit_requested(ArmzQmpSession *s)
{
    return s->quit;
}

gboolean
armz_qmp_session_emit(ArmzQmpSession *s, const char *name, const char *data_json)
{
    char *line;

    if (!s->negotiated)
        return FALSE;
    line = armz_qmp_build_event(name, data_json, g_get_real_time());
    if (!line) {
        g_warning("armz-vmm: QMP event %s dropped: its data is not a JSON object",
                  name ? name : "(null)");
        return FALSE;
    }
    send_line(s, line);
    return TRUE;
}
