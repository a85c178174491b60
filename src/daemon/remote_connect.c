/* Connection and host procedures. */
#include <string.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "daemon/auth_polkit.h"
#include "daemon/daemon.h"

/* libvirt's internal driver feature numbers (virDrvFeature) that the remote
 * client asks about: typed string params, keepalive, remote event callbacks,
 * remote close callbacks, and virNetworkUpdate's command and section sent in
 * the API's order (older daemons received them swapped). */
enum {
    FEATURE_TYPED_PARAM_STRING = 9,
    FEATURE_PROGRAM_KEEPALIVE = 10,
    FEATURE_REMOTE_EVENT_CALLBACK = 14,
    FEATURE_REMOTE_CLOSE_CALLBACK = 15,
    FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER = 16,
};

static gboolean
open_uri_check(const char *name, char **uri, GError **error)
{
    gboolean system = armz_daemon->paths->privileged;
    const char *ours = system ? "armz:///system" : "armz:///session";

    if (!name || !*name) {
        *uri = g_strdup(ours);
        return TRUE;
    }
    if (g_str_equal(name, ours) || (g_str_has_prefix(name, ours) && g_str_equal(name + strlen(ours), "/"))) {
        *uri = g_strdup(ours);
        return TRUE;
    }
    if (g_str_equal(name, "armz:///system") || g_str_equal(name, "armz:///session")) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("unexpected armz URI path '%s', try %s"), name + strlen("armz://"), ours);
        return FALSE;
    }
    g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                _("URI '%s' is not served by virtarmzd: it serves armz:///system "
                  "(as root) and armz:///session (as other users)"), name);
    return FALSE;
}

static gboolean
h_open(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_open_args *args = a;
    g_autofree char *uri = NULL;
    ArmzConn *conn;

    /* The remote client forwards its own open flags (read-only, no
     * aliases, remote-driver internals): only read-only matters here. */
    if (!open_uri_check(args->name ? *args->name : NULL, &uri, error))
        return FALSE;
    g_mutex_lock(&client->lock);
    if (client->opened) {
        g_mutex_unlock(&client->lock);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR, _("connection already open"));
        return FALSE;
    }
    conn = armz_conn_get(client);
    g_free(conn->uri);
    conn->uri = g_steal_pointer(&uri);
    client->opened = TRUE;
    if (args->flags & VIR_CONNECT_RO)
        client->readonly = TRUE;
    g_mutex_unlock(&client->lock);

    g_mutex_lock(&armz_daemon->conns_lock);
    g_hash_table_add(armz_daemon->conns, client);
    g_mutex_unlock(&armz_daemon->conns_lock);
    armz_debug("client %" G_GUINT64_FORMAT " opened %s%s", client->id, conn->uri,
               client->readonly ? " read-only" : "");
    return TRUE;
}

static gboolean
h_close(ArmzClient *client, void *a, void *r, GError **error)
{
    /* Dropping the connection's callbacks now: no event may follow CLOSE. */
    armz_daemon_client_closed(client, NULL);
    g_mutex_lock(&client->lock);
    client->opened = FALSE;
    g_mutex_unlock(&client->lock);
    return TRUE;
}

/* The auth the client still has to complete: its listener's, or none.
 * As libvirt, root and the daemon's own user need no polkit. */
static gboolean
h_auth_list(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_auth_list_ret *ret = r;
    int type = ARMZ_AUTH_NONE;

    g_mutex_lock(&client->lock);
    if (client->auth_pending && client->auth == ARMZ_CLIENT_AUTH_POLKIT &&
        (client->uid == 0 || client->uid == geteuid())) {
        armz_info("client %" G_GUINT64_FORMAT ": uid %d bypasses polkit", client->id,
                  (int)client->uid);
        client->auth_pending = FALSE;
    }
    if (client->auth_pending)
        type = client->auth;
    g_mutex_unlock(&client->lock);
    ret->types.types_len = 1;
    ret->types.types_val = g_new0(armz_auth_type, 1);
    ret->types.types_val[0] = type;
    return TRUE;
}

static gboolean
h_auth_polkit(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_auth_polkit_ret *ret = r;
    const char *action = client->readonly ? ARMZ_POLKIT_ACTION_MONITOR
                                          : ARMZ_POLKIT_ACTION_MANAGE;
    gboolean pending;
    g_autoptr(GError) denied = NULL;

    g_mutex_lock(&client->lock);
    pending = client->auth_pending && client->auth == ARMZ_CLIENT_AUTH_POLKIT;
    g_mutex_unlock(&client->lock);
    if (!pending || client->pid <= 0) {
        armz_warn("client %" G_GUINT64_FORMAT ": polkit authentication it does not need",
                  client->id);
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_AUTH_FAILED,
                            _("client tried invalid polkit authentication request"));
        return FALSE;
    }
    if (!armz_polkit_check(action, client->pid, client->pid_start, client->uid, &denied)) {
        armz_warn("client %" G_GUINT64_FORMAT " (pid %d uid %d): polkit refused %s: %s",
                  client->id, (int)client->pid, (int)client->uid, action, denied->message);
        g_propagate_error(error, g_steal_pointer(&denied));
        return FALSE;
    }
    armz_info("client %" G_GUINT64_FORMAT " (pid %d uid %d): polkit allowed %s",
              client->id, (int)client->pid, (int)client->uid, action);
    g_mutex_lock(&client->lock);
    client->auth_pending = FALSE;
    g_mutex_unlock(&client->lock);
    ret->complete = 1;
    return TRUE;
}

static gboolean
h_supports_feature(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_supports_feature_args *args = a;
    armz_connect_supports_feature_ret *ret = r;

    armz_debug("client %" G_GUINT64_FORMAT " asks about driver feature %d", client->id,
               args->feature);
    /* As libvirt: a client that asks has an event loop to answer pings. */
    if (args->feature == FEATURE_PROGRAM_KEEPALIVE)
        armz_client_want_keepalive(client);
    switch (args->feature) {
    case FEATURE_TYPED_PARAM_STRING:
    case FEATURE_PROGRAM_KEEPALIVE:
    case FEATURE_REMOTE_EVENT_CALLBACK:
    case FEATURE_REMOTE_CLOSE_CALLBACK:
    case FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER:
        ret->supported = 1;
        break;
    default:
        ret->supported = 0;
    }
    return TRUE;
}

static gboolean
h_get_type(ArmzClient *client, void *a, void *r, GError **error)
{
    ((armz_connect_get_type_ret *)r)->type = g_strdup("ARMZ");
    return TRUE;
}

static gboolean
h_get_version(ArmzClient *client, void *a, void *r, GError **error)
{
    ((armz_connect_get_version_ret *)r)->hv_ver = ARMZ_VERSION_NUMBER;
    return TRUE;
}

static gboolean
h_get_lib_version(ArmzClient *client, void *a, void *r, GError **error)
{
    /* The libvirt API level we implement is the one we are built against. */
    ((armz_connect_get_lib_version_ret *)r)->lib_ver = LIBVIR_VERSION_NUMBER;
    return TRUE;
}

static gboolean
h_get_hostname(ArmzClient *client, void *a, void *r, GError **error)
{
    char buf[256] = "";

    if (gethostname(buf, sizeof(buf) - 1) < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot get the host name: %s"), g_strerror(errno));
        return FALSE;
    }
    ((armz_connect_get_hostname_ret *)r)->hostname = g_strdup(buf);
    return TRUE;
}

static gboolean
h_get_uri(ArmzClient *client, void *a, void *r, GError **error)
{
    g_mutex_lock(&client->lock);
    ((armz_connect_get_uri_ret *)r)->uri = g_strdup(armz_conn_get(client)->uri);
    g_mutex_unlock(&client->lock);
    return TRUE;
}

static gboolean
h_is_secure(ArmzClient *client, void *a, void *r, GError **error)
{
    /* A local unix socket and TLS are secure; plain TCP is not. */
    ((armz_connect_is_secure_ret *)r)->secure = client->secure ? 1 : 0;
    return TRUE;
}

static gboolean
h_get_capabilities(ArmzClient *client, void *a, void *r, GError **error)
{
    ((armz_connect_get_capabilities_ret *)r)->capabilities =
        armz_driver_capabilities(armz_daemon->driver);
    return TRUE;
}

static const char *
opt(armz_string s)
{
    return s ? *s : NULL;
}

static gboolean
h_get_domain_capabilities(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_get_domain_capabilities_args *args = a;
    char *caps = armz_driver_domain_capabilities(armz_daemon->driver, opt(args->emulatorbin),
                                                 opt(args->arch), opt(args->machine),
                                                 opt(args->virttype), args->flags, error);
    if (!caps)
        return FALSE;
    ((armz_connect_get_domain_capabilities_ret *)r)->capabilities = caps;
    return TRUE;
}

static gboolean
h_get_max_vcpus(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_get_max_vcpus_args *args = a;
    int n = armz_driver_max_vcpus(armz_daemon->driver, opt(args->type), error);

    if (n < 0)
        return FALSE;
    ((armz_connect_get_max_vcpus_ret *)r)->max_vcpus = n;
    return TRUE;
}

static gboolean
h_node_get_info(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_node_get_info_ret *ret = r;
    ArmzNodeInfo ni;

    armz_driver_node_info(armz_daemon->driver, &ni);
    memcpy(ret->model, ni.model, sizeof(ret->model));
    ret->memory = ni.memory_kib;
    ret->cpus = ni.cpus;
    ret->mhz = ni.mhz;
    ret->nodes = ni.nodes;
    ret->sockets = ni.sockets;
    ret->cores = ni.cores;
    ret->threads = ni.threads;
    return TRUE;
}

static gboolean
h_node_get_free_memory(ArmzClient *client, void *a, void *r, GError **error)
{
    ((armz_node_get_free_memory_ret *)r)->free_mem =
        armz_driver_node_free_memory(armz_daemon->driver);
    return TRUE;
}

static gboolean
h_node_get_security_model(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_node_get_security_model_ret *ret = r;

    /* No security driver: empty model and DOI, NUL included as libvirt sends. */
    ret->model.model_len = 1;
    ret->model.model_val = g_new0(char, 1);
    ret->doi.doi_len = 1;
    ret->doi.doi_val = g_new0(char, 1);
    return TRUE;
}

static gboolean
h_close_callback(ArmzClient *client, void *a, void *r, GError **error)
{
    /* The client fires its close callback itself when the socket closes;
     * the daemon only records the registration. */
    g_mutex_lock(&client->lock);
    armz_conn_get(client)->close_callback = TRUE;
    g_mutex_unlock(&client->lock);
    return TRUE;
}

static gboolean
h_close_callback_off(ArmzClient *client, void *a, void *r, GError **error)
{
    g_mutex_lock(&client->lock);
    armz_conn_get(client)->close_callback = FALSE;
    g_mutex_unlock(&client->lock);
    return TRUE;
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_CONNECT_OPEN, ARMZ_ARGS(armz_connect_open_args), ARMZ_NORET,
      h_open, ARMZ_PROC_PREOPEN },
    { REMOTE_PROC_CONNECT_CLOSE, ARMZ_NOARGS, ARMZ_NORET, h_close, 0 },
    { REMOTE_PROC_CONNECT_GET_TYPE, ARMZ_NOARGS, ARMZ_RET(armz_connect_get_type_ret),
      h_get_type, 0 },
    { REMOTE_PROC_CONNECT_GET_VERSION, ARMZ_NOARGS, ARMZ_RET(armz_connect_get_version_ret),
      h_get_version, 0 },
    { REMOTE_PROC_CONNECT_GET_MAX_VCPUS, ARMZ_ARGS(armz_connect_get_max_vcpus_args),
      ARMZ_RET(armz_connect_get_max_vcpus_ret), h_get_max_vcpus, 0 },
    { REMOTE_PROC_NODE_GET_INFO, ARMZ_NOARGS, ARMZ_RET(armz_node_get_info_ret),
      h_node_get_info, 0 },
    { REMOTE_PROC_CONNECT_GET_CAPABILITIES, ARMZ_NOARGS,
      ARMZ_RET(armz_connect_get_capabilities_ret), h_get_capabilities, 0 },
    { REMOTE_PROC_CONNECT_GET_HOSTNAME, ARMZ_NOARGS, ARMZ_RET(armz_connect_get_hostname_ret),
      h_get_hostname, 0 },
    { REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, ARMZ_ARGS(armz_connect_supports_feature_args),
      ARMZ_RET(armz_connect_supports_feature_ret), h_supports_feature, ARMZ_PROC_PREOPEN },
    { REMOTE_PROC_AUTH_LIST, ARMZ_NOARGS, ARMZ_RET(armz_auth_list_ret),
      h_auth_list, ARMZ_PROC_PREOPEN | ARMZ_PROC_AUTH },
    { REMOTE_PROC_AUTH_POLKIT, ARMZ_NOARGS, ARMZ_RET(armz_auth_polkit_ret),
      h_auth_polkit, ARMZ_PROC_PREOPEN | ARMZ_PROC_AUTH },
    { REMOTE_PROC_NODE_GET_FREE_MEMORY, ARMZ_NOARGS, ARMZ_RET(armz_node_get_free_memory_ret),
      h_node_get_free_memory, 0 },
    { REMOTE_PROC_CONNECT_GET_URI, ARMZ_NOARGS, ARMZ_RET(armz_connect_get_uri_ret), h_get_uri, 0 },
    { REMOTE_PROC_NODE_GET_SECURITY_MODEL, ARMZ_NOARGS, ARMZ_RET(armz_node_get_security_model_ret),
      h_node_get_security_model, 0 },
    { REMOTE_PROC_CONNECT_IS_SECURE, ARMZ_NOARGS, ARMZ_RET(armz_connect_is_secure_ret),
      h_is_secure, 0 },
    { REMOTE_PROC_CONNECT_GET_LIB_VERSION, ARMZ_NOARGS, ARMZ_RET(armz_connect_get_lib_version_ret),
      h_get_lib_version, 0 },
    { REMOTE_PROC_CONNECT_GET_DOMAIN_CAPABILITIES,
      ARMZ_ARGS(armz_connect_get_domain_capabilities_args),
      ARMZ_RET(armz_connect_get_domain_capabilities_ret), h_get_domain_capabilities, 0 },
    { REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK, ARMZ_NOARGS, ARMZ_NORET, h_close_callback, 0 },
    { REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK, ARMZ_NOARGS, ARMZ_NORET,
      h_close_callback_off, 0 },
};

void
armz_remote_connect_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
