/* Connecting to the daemon, and saying in the user's terms why it failed. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cli.h"


char *
armz_cli_default_uri(void)
{
    const char *env = g_getenv("ARMZ_DEFAULT_URI");

    if (env && *env)
        return g_strdup(env);
    return g_strdup(geteuid() == 0 ? "armz:///system" : "armz:///session");
}

/* The UNIX socket URI leads to, as libvirt's remote driver derives it
 * (DESIGN.md 3); NULL for TCP and other transports. */
static char *
uri_socket(const char *uri, gboolean readonly, gboolean *system)
{
    g_autoptr(GUri) u = g_uri_parse(uri, G_URI_FLAGS_ENCODED_QUERY, NULL);
    g_autoptr(GHashTable) params = NULL;
    const char *scheme, *sock;

    *system = TRUE;
    if (!u)
        return NULL;
    scheme = g_uri_get_scheme(u);
    if (strchr(scheme, '+') && !g_str_has_suffix(scheme, "+unix"))
        return NULL;
    if (g_uri_get_host(u) && *g_uri_get_host(u))
        return NULL;
    if (g_uri_get_query(u))
        params = g_uri_parse_params(g_uri_get_query(u), -1, "&", G_URI_PARAMS_NONE, NULL);
    if (params && (sock = g_hash_table_lookup(params, "socket")))
        return g_strdup(sock);
    *system = !g_str_equal(g_uri_get_path(u), "/session");
    if (*system)
        return g_strdup(readonly ? "/run/libvirt/virtarmzd-sock-ro"
                                 : "/run/libvirt/virtarmzd-sock");
    return g_build_filename(g_get_user_runtime_dir(), "libvirt", "virtarmzd-sock", NULL);
}

/* How to start the daemon that serves SOCK. */
static char *
start_hint(const char *sock, gboolean system)
{
    if (sock && g_str_has_suffix(sock, "/run/libvirt/virtarmzd-sock") &&
        !g_str_has_prefix(sock, "/run/")) {
        g_autofree char *root = g_strndup(sock, strlen(sock) - strlen("/run/libvirt/virtarmzd-sock"));
        return g_strdup_printf("virtarmzd --root %s &", root);
    }
    if (!system)
        return g_strdup("virtarmzd --timeout=120 &");
    return g_strdup("sudo systemctl start virtarmzd.socket");
}

static char *
permission_hint(const char *sock, gboolean system)
{
    struct stat st;
    struct group *gr;
    struct passwd *pw = getpwuid(geteuid());
    const char *user = pw ? pw->pw_name : "$USER";

    if (sock && stat(sock, &st) == 0 && (st.st_mode & 0020) && (gr = getgrgid(st.st_gid)) &&
        st.st_gid != 0)
        return g_strdup_printf(_("join the group '%s' (sudo usermod -aG %s %s, then log in "
                                 "again)"), gr->gr_name, gr->gr_name, user);
    if (system)
        return g_strdup_printf(_("the socket is for root only: run armz as root, use "
                                 "-c armz:///session, or let a group in with unix_sock_group "
                                 "in /etc/libvirt/armz.conf and join it (sudo usermod -aG "
                                 "libvirt %s)"), user);
    return g_strdup(_("run armz as the user that owns the daemon"));
}

virConnectPtr
armz_cli_connect(ArmzCli *cli, gboolean readonly, GError **error)
{
    virErrorPtr e;
    g_autofree char *sock = NULL, *hint = NULL;
    gboolean system;
    int code;
    const char *msg;

    if (cli->conn)
        return cli->conn;
    cli->conn = readonly ? virConnectOpenReadOnly(cli->uri) : virConnectOpen(cli->uri);
    if (cli->conn) {
        cli->readonly = readonly;
        return cli->conn;
    }
    e = virGetLastError();
    code = e ? e->code : VIR_ERR_INTERNAL_ERROR;
    msg = e && e->message ? e->message : _("unknown error");
    sock = uri_socket(cli->uri, readonly, &system);

    if (code == VIR_ERR_SYSTEM_ERROR && e && (e->int1 == ENOENT || e->int1 == ECONNREFUSED)) {
        hint = start_hint(sock, system);
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_NO_CONNECT,
                    _("cannot connect to %s: the daemon virtarmzd is not running (%s). "
                      "Start it with: %s"), cli->uri, msg, hint);
    } else if (code == VIR_ERR_SYSTEM_ERROR && e && (e->int1 == EACCES || e->int1 == EPERM)) {
        hint = permission_hint(sock, system);
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_AUTH_FAILED,
                    _("cannot connect to %s: permission denied on %s: %s"), cli->uri,
                    sock ? sock : cli->uri, hint);
    } else if (code == VIR_ERR_NO_CONNECT && strstr(msg, "no connection driver")) {
        /* a libvirtd took the call: Debian's legacy fallback socket */
        hint = start_hint(sock, system);
        g_set_error(error, ARMZ_CLI_ERROR, code,
                    _("cannot connect to %s: libvirtd answered instead of virtarmzd, which is "
                      "not running (%s). Start it with: %s"), cli->uri, msg, hint);
    } else {
        g_set_error(error, ARMZ_CLI_ERROR, code, _("cannot connect to %s: %s"), cli->uri, msg);
    }
    return NULL;
}

void
armz_cli_disconnect(ArmzCli *cli)
{
    if (cli->conn) {
        virConnectClose(cli->conn);
        cli->conn = NULL;
    }
}

GError *
armz_cli_libvirt_error(const char *context_fmt, ...)
{
    virErrorPtr e = virGetLastError();
    int code = e ? e->code : VIR_ERR_INTERNAL_ERROR;
    const char *msg = e && e->message ? e->message : _("unknown error");
    g_autofree char *ctx = NULL;
    va_list ap;

    if (context_fmt) {
        va_start(ap, context_fmt);
        ctx = g_strdup_vprintf(context_fmt, ap);
        va_end(ap);
    }
    if (code == VIR_ERR_NO_SUPPORT)
        return g_error_new(ARMZ_CLI_ERROR, code, _("%s%sthe daemon does not support this yet (%s)"),
                           ctx ? ctx : "", ctx ? ": " : "", msg);
    return g_error_new(ARMZ_CLI_ERROR, code, "%s%s%s", ctx ? ctx : "", ctx ? ": " : "", msg);
}

void
armz_cli_print_error(const GError *error)
{
    fprintf(stderr, _("armz: error: %s\n"), error->message);
}

void
armz_cli_errorf(const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, _("armz: error: %s\n"), msg);
}
