/* One QMP client's session: greeting, capabilities negotiation and the
 * commands, dispatched to the VMM core's ArmzQmpOps. No sockets here. */
#include <string.h>
#include <glib/gi18n-lib.h>
#include "qmp_proto.h"
#include "qmp_fds.h"

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
    ArmzQmpFds *fds;
    ArmzQmpFds *own_fds;        /* without a server's table */
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

/* ARGS may hold only the members named in ALLOWED (NULL-terminated). */
static gboolean
only_args(yajl_val args, const char *const *allowed, GError **error)
{
    for (size_t i = 0; args && YAJL_IS_OBJECT(args) && i < args->u.object.len; i++) {
        if (!g_strv_contains(allowed, args->u.object.keys[i])) {
            g_set_error(error, CMD_ERROR, CMD_GENERIC, _("Parameter '%s' is unexpected"),
                        args->u.object.keys[i]);
            return FALSE;
        }
    }
    return TRUE;
}

static yajl_val
arg_find(yajl_val args, const char *key)
{
    for (size_t i = 0; args && YAJL_IS_OBJECT(args) && i < args->u.object.len; i++)
        if (strcmp(args->u.object.keys[i], key) == 0)
            return args->u.object.values[i];
    return NULL;
}

/* string argument KEY: NULL (ERROR set) when missing or not a string */
static const char *
arg_str(yajl_val args, const char *key, GError **error)
{
    yajl_val v = arg_find(args, key);

    if (!v) {
        g_set_error(error, CMD_ERROR, CMD_GENERIC, _("Parameter '%s' is missing"), key);
        return NULL;
    }
    if (!YAJL_IS_STRING(v)) {
        g_set_error(error, CMD_ERROR, CMD_GENERIC,
                    _("Invalid parameter type for '%s', expected: string"), key);
        return NULL;
    }
    return YAJL_GET_STRING(v);
}

static gboolean
arg_bool(yajl_val args, const char *key, gboolean *out, GError **error)
{
    yajl_val v = arg_find(args, key);

    *out = FALSE;
    if (!v)
        return TRUE;
    if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v)) {
        g_set_error(error, CMD_ERROR, CMD_GENERIC,
                    _("Invalid parameter type for '%s', expected: boolean"), key);
        return FALSE;
    }
    *out = YAJL_IS_TRUE(v);
    return TRUE;
}

/* Member NAME of ARGS, of type TYPE (yajl_t_string, yajl_t_number for an
 * integer, yajl_t_any for anything). */
static yajl_val
arg_get(yajl_val args, const char *name, yajl_type type, GError **error)
{
    for (size_t i = 0; args && YAJL_IS_OBJECT(args) && i < args->u.object.len; i++) {
        yajl_val v = args->u.object.values[i];

        if (strcmp(args->u.object.keys[i], name) != 0)
            continue;
        if ((type == yajl_t_string && !YAJL_IS_STRING(v)) ||
            (type == yajl_t_number && !YAJL_IS_INTEGER(v))) {
            g_set_error(error, CMD_ERROR, CMD_GENERIC,
                        _("Invalid parameter type for '%s', expected: %s"), name,
                        type == yajl_t_string ? "string" : "integer");
            return NULL;
        }
        return v;
    }
    g_set_error(error, CMD_ERROR, CMD_GENERIC, _("Parameter '%s' is missing"), name);
    return NULL;
}

static gboolean
op_failed(GError *err, GError **error)
{
    g_set_error_literal(error, CMD_ERROR, CMD_GENERIC,
                        err ? err->message : _("the command failed"));
    return FALSE;
}

static gboolean
cmd_balloon(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    static const char *const allowed[] = { "value", NULL };
    g_autoptr(GError) err = NULL;
    yajl_val v;

    if (!only_args(args, allowed, error) || !(v = arg_get(args, "value", yajl_t_number, error)))
        return FALSE;
    if (YAJL_GET_INTEGER(v) <= 0) {
        g_set_error(error, CMD_ERROR, CMD_GENERIC, _("Parameter 'value' expects a size"));
        return FALSE;
    }
    return s->ops->balloon(s->opaque, YAJL_GET_INTEGER(v), &err) || op_failed(err, error);
}

static gboolean
cmd_query_balloon(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    g_autoptr(GError) err = NULL;
    guint64 actual;

    if (!no_args(args, error))
        return FALSE;
    if (!s->ops->query_balloon(s->opaque, &actual, &err))
        return op_failed(err, error);
    *ret = g_strdup_printf("{\"actual\": %" G_GUINT64_FORMAT "}", actual);
    return TRUE;
}

static gboolean
cmd_qom_get(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    static const char *const allowed[] = { "path", "property", NULL };
    g_autoptr(GError) err = NULL;
    yajl_val path, prop;

    if (!only_args(args, allowed, error) ||
        !(path = arg_get(args, "path", yajl_t_string, error)) ||
        !(prop = arg_get(args, "property", yajl_t_string, error)))
        return FALSE;
    *ret = s->ops->qom_get(s->opaque, YAJL_GET_STRING(path), YAJL_GET_STRING(prop), &err);
    return *ret || op_failed(err, error);
}

static gboolean
cmd_qom_set(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    static const char *const allowed[] = { "path", "property", "value", NULL };
    g_autoptr(GError) err = NULL;
    yajl_val path, prop, v;

    if (!only_args(args, allowed, error) ||
        !(path = arg_get(args, "path", yajl_t_string, error)) ||
        !(prop = arg_get(args, "property", yajl_t_string, error)) ||
        !(v = arg_get(args, "value", yajl_t_number, error)))
        return FALSE;
    return s->ops->qom_set(s->opaque, YAJL_GET_STRING(path), YAJL_GET_STRING(prop),
                           YAJL_GET_INTEGER(v), &err) || op_failed(err, error);
}

static gboolean
cmd_getfd(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    static const char *const known[] = { "fdname", NULL };
    g_autoptr(GError) err = NULL;
    const char *name;

    if (!only_args(args, known, error) || !(name = arg_str(args, "fdname", error)))
        return FALSE;
    return armz_qmp_fds_name(s->fds, name, &err) || op_failed(err, error);
}

static gboolean
cmd_closefd(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    static const char *const known[] = { "fdname", NULL };
    g_autoptr(GError) err = NULL;
    const char *name;

    if (!only_args(args, known, error) || !(name = arg_str(args, "fdname", error)))
        return FALSE;
    return armz_qmp_fds_close(s->fds, name, &err) || op_failed(err, error);
}

static gboolean
cmd_eject(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    static const char *const known[] = { "id", "force", NULL };
    g_autoptr(GError) err = NULL;
    gboolean force;
    const char *id;

    if (!only_args(args, known, error) || !(id = arg_str(args, "id", error)) ||
        !arg_bool(args, "force", &force, error))
        return FALSE;
    return s->ops->eject(s->opaque, id, force, &err) || op_failed(err, error);
}

/* The new medium comes as an fd named by getfd: armz-vmm opens no files
 * once it runs (its sandbox and jail have no paths to open). */
static gboolean
cmd_change_medium(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    static const char *const known[] = { "id", "filename", "format", "read-only-mode", NULL };
    g_autoptr(GError) err = NULL;
    const char *id, *filename, *format = NULL;
    int fd;

    if (!only_args(args, known, error) || !(id = arg_str(args, "id", error)) ||
        !(filename = arg_str(args, "filename", error)))
        return FALSE;
    if (arg_find(args, "format") && !(format = arg_str(args, "format", error)))
        return FALSE;
    if (format && strcmp(format, "raw") != 0) {
        g_set_error(error, CMD_ERROR, CMD_GENERIC,
                    _("Unsupported medium format '%s': only 'raw'"), format);
        return FALSE;
    }
    if (!g_str_has_prefix(filename, "fd:")) {
        g_set_error(error, CMD_ERROR, CMD_GENERIC,
                    _("'filename' must be fd:NAME with a file descriptor passed by getfd"));
        return FALSE;
    }
    if ((fd = armz_qmp_fds_take(s->fds, filename + 3, &err)) < 0)
        return op_failed(err, error);
    return s->ops->change_medium(s->opaque, id, fd, &err) || op_failed(err, error);
}

/* optional string KEY into *OUT (NULL when absent) */
static gboolean
opt_str(yajl_val args, const char *key, const char **out, GError **error)
{
    *out = NULL;
    return !arg_find(args, key) || (*out = arg_str(args, key, error)) != NULL;
}

/* device_add per the hotplug contract (docs/armz-vmm.8): the arguments
 * are checked here, the device and its bus by the VMM core */
static gboolean
cmd_device_add(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    static const char *const known[] = { "driver", "id", "bus", "fdname", "path", "readonly",
                                         "serial", "cache", "discard", "werror", "rerror",
                                         "bootindex", "mac", "addr", "io", NULL };
    g_autoptr(GError) err = NULL;
    ArmzDeviceAddArgs a;
    const char *fdname, *addr;
    yajl_val bi = arg_find(args, "bootindex");

    memset(&a, 0, sizeof(a));
    a.fd = -1;
    if (!only_args(args, known, error) || !(a.driver = arg_str(args, "driver", error)) ||
        !(a.id = arg_str(args, "id", error)) || !(a.bus = arg_str(args, "bus", error)) ||
        !opt_str(args, "fdname", &fdname, error) || !opt_str(args, "path", &a.path, error) ||
        !arg_bool(args, "readonly", &a.readonly, error) ||
        !opt_str(args, "serial", &a.serial, error) || !opt_str(args, "cache", &a.cache, error) ||
        !opt_str(args, "discard", &a.discard, error) ||
        !opt_str(args, "werror", &a.werror, error) || !opt_str(args, "rerror", &a.rerror, error) ||
        !opt_str(args, "mac", &a.mac, error) || !opt_str(args, "addr", &addr, error) ||
        !opt_str(args, "io", &a.io, error))
        return FALSE;
    /* bootindex is ignored (no firmware boot from a hot-added disk) */
    if (bi && !YAJL_IS_INTEGER(bi)) {
        g_set_error(error, CMD_ERROR, CMD_GENERIC,
                    _("Invalid parameter type for 'bootindex', expected: integer"));
        return FALSE;
    }
    /* libvirt's address below a root port: slot 0 function 0, the only one */
    if (addr && strcmp(addr, "0") != 0 && strcmp(addr, "0x0") != 0 && strcmp(addr, "0.0") != 0 &&
        strcmp(addr, "0x0.0x0") != 0) {
        g_set_error(error, CMD_ERROR, CMD_GENERIC,
                    _("Parameter 'addr' must be 0x0: a device below a root port is its "
                      "slot 0"));
        return FALSE;
    }
    if (fdname && (a.fd = armz_qmp_fds_take(s->fds, fdname, &err)) < 0)
        return op_failed(err, error);
    return s->ops->device_add(s->opaque, &a, &err) || op_failed(err, error);
}

static gboolean
cmd_device_del(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    static const char *const known[] = { "id", NULL };
    g_autoptr(GError) err = NULL;
    const char *id;

    if (!only_args(args, known, error) || !(id = arg_str(args, "id", error)))
        return FALSE;
    return s->ops->device_del(s->opaque, id, &err) || op_failed(err, error);
}

static gboolean
cmd_query_pci(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    GError *err = NULL;
    char *json;

    if (!no_args(args, error))
        return FALSE;
    json = s->ops->query_pci(s->opaque, &err);
    return op_reply(json, err, ret, error);
}

/* QEMU's set_link {name, up}, both required */
static gboolean
cmd_set_link(ArmzQmpSession *s, yajl_val args, char **ret, GError **error)
{
    static const char *const known[] = { "name", "up", NULL };
    g_autoptr(GError) err = NULL;
    const char *name;
    gboolean up;

    if (!only_args(args, known, error) || !(name = arg_str(args, "name", error)))
        return FALSE;
    if (!arg_find(args, "up")) {
        g_set_error(error, CMD_ERROR, CMD_GENERIC, _("Parameter '%s' is missing"), "up");
        return FALSE;
    }
    if (!arg_bool(args, "up", &up, error))
        return FALSE;
    return s->ops->set_link(s->opaque, name, up, &err) || op_failed(err, error);
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
    { "balloon", cmd_balloon, G_STRUCT_OFFSET(ArmzQmpOps, balloon) },
    { "query-balloon", cmd_query_balloon, G_STRUCT_OFFSET(ArmzQmpOps, query_balloon) },
    { "qom-get", cmd_qom_get, G_STRUCT_OFFSET(ArmzQmpOps, qom_get) },
    { "qom-set", cmd_qom_set, G_STRUCT_OFFSET(ArmzQmpOps, qom_set) },
    { "getfd", cmd_getfd, NO_OP },
    { "closefd", cmd_closefd, NO_OP },
    { "eject", cmd_eject, G_STRUCT_OFFSET(ArmzQmpOps, eject) },
    { "blockdev-change-medium", cmd_change_medium, G_STRUCT_OFFSET(ArmzQmpOps, change_medium) },
    { "query-blockstats", cmd_query_blockstats, G_STRUCT_OFFSET(ArmzQmpOps, query_blockstats) },
    { "query-block", cmd_query_block, G_STRUCT_OFFSET(ArmzQmpOps, query_block) },
    { "block_resize", cmd_block_resize, G_STRUCT_OFFSET(ArmzQmpOps, block_resize) },
    { "device_add", cmd_device_add, G_STRUCT_OFFSET(ArmzQmpOps, device_add) },
    { "device_del", cmd_device_del, G_STRUCT_OFFSET(ArmzQmpOps, device_del) },
    { "query-pci", cmd_query_pci, G_STRUCT_OFFSET(ArmzQmpOps, query_pci) },
    { "set_link", cmd_set_link, G_STRUCT_OFFSET(ArmzQmpOps, set_link) },
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
    s->fds = s->own_fds = armz_qmp_fds_new();
    armz_qmp_splitter_init(&s->sp);
    return s;
}

void
armz_qmp_session_set_fds(ArmzQmpSession *s, ArmzQmpFds *fds)
{
    s->fds = fds;
}

ArmzQmpFds *
armz_qmp_session_fds(ArmzQmpSession *s)
{
    return s->fds;
}

void
armz_qmp_session_free(ArmzQmpSession *s)
{
    if (!s)
        return;
    armz_qmp_splitter_clear(&s->sp);
    armz_qmp_fds_free(s->own_fds);
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
    guint done = 0;

    if (s->quit)
        return;
    armz_qmp_splitter_feed(&s->sp, data, len);
    while (!s->quit && (r = armz_qmp_splitter_next(&s->sp, &text)) != ARMZ_QMP_SPLIT_MORE) {
        g_autofree char *owned = text;
        g_autofree char *desc = NULL;

        switch (r) {
        case ARMZ_QMP_SPLIT_REQUEST:
            dispatch(s, owned);
            done++;
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
    /* fds came with a request that is complete now and did not take them */
    if (done)
        armz_qmp_fds_drop_pending(s->fds);
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
