/* virtarmzd: the armz hypervisor driver served over libvirt's RPC protocol. */
#include <errno.h>
#include <grp.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib-unix.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "daemon/config.h"
#include "driver/lifecycle.h"
#include "driver/security_dac.h"
#include "daemon/daemon.h"
#include "kvm/profile.h"
#include "rpc/tls.h"

static char *opt_root;
static char *opt_config;
static char *opt_listen_tcp;
static int opt_timeout;
static gboolean opt_verbose;
static gboolean opt_version;

static GOptionEntry entries[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &opt_root,
      N_("Run inside DIR: sockets, configs, state and logs under it"), N_("DIR") },
    { "config", 'f', 0, G_OPTION_ARG_FILENAME, &opt_config,
      N_("Read settings from FILE instead of armz.conf"), N_("FILE") },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &opt_timeout,
      N_("Exit after SECS seconds without clients"), N_("SECS") },
    { "listen-tcp", 0, 0, G_OPTION_ARG_STRING, &opt_listen_tcp,
      N_("Also listen on TCP HOST:PORT (no authentication: keep it on loopback)"),
      N_("HOST:PORT") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, N_("Log debug messages"), NULL },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &opt_version, N_("Print the version and exit"), NULL },
    { NULL }
};

static void
server_call(ArmzClient *client, GBytes *pkt, gpointer opaque)
{
    g_atomic_int_inc(&armz_daemon->calls_running);
    armz_dispatcher_call(armz_daemon->dispatcher, client, pkt);
    armz_daemon_work_done(&armz_daemon->calls_running);
}

static gboolean
on_quit_signal(gpointer data)
{
    armz_info("shutting down on signal");
    /* stop the autostart between two domains now, not once the loop has
     * wound down (a loaded host would start another one meanwhile) */
    g_cancellable_cancel(armz_daemon->quit);
    g_main_loop_quit(armz_daemon->loop);
    return G_SOURCE_CONTINUE;
}

static gboolean
on_hup(gpointer data)
{
    armz_info("SIGHUP: nothing to reload; definitions are read at start");
    return G_SOURCE_CONTINUE;
}

static gboolean
check_idle(gpointer data)
{
    gint64 now = g_get_monotonic_time();

    /* running guests keep the daemon, as libvirt's session daemons do */
    if (armz_server_client_count(armz_daemon->server) == 0 &&
        armz_driver_active_count(armz_daemon->driver) == 0 &&
        now - armz_server_last_change(armz_daemon->server) >= (gint64)opt_timeout * G_USEC_PER_SEC) {
        armz_info("no clients for %d seconds: exiting", opt_timeout);
        g_main_loop_quit(armz_daemon->loop);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean
start_autostart(gpointer data)
{
    armz_daemon_autostart_begin(armz_daemon);
    return G_SOURCE_REMOVE;
}

/* systemd socket activation: fds 3.. named after their socket units. */
static gboolean
take_activated_sockets(ArmzServer *srv, GError **error)
{
    const char *pid = g_getenv("LISTEN_PID");
    const char *fds = g_getenv("LISTEN_FDS");
    const char *names = g_getenv("LISTEN_FDNAMES");
    g_auto(GStrv) namev = NULL;
    int n;

    if (!pid || !fds || g_ascii_strtoll(pid, NULL, 10) != getpid())
        return FALSE;
    n = g_ascii_strtoll(fds, NULL, 10);
    namev = g_strsplit(names ? names : "", ":", -1);
    for (int i = 0; i < n; i++) {
        int fd = 3 + i;
        const char *name = i < (int)g_strv_length(namev) ? namev[i] : "";
        g_unix_set_fd_nonblocking(fd, TRUE, NULL);
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        if (strstr(name, "-admin")) {
            /* The admin protocol is not served: keep the socket unused. */
            armz_info("socket activation: admin socket (fd %d) is not served", fd);
            continue;
        }
        armz_server_listen_fd(srv, fd, strstr(name, "-ro") != NULL, NULL);
    }
    g_unsetenv("LISTEN_PID");
    g_unsetenv("LISTEN_FDS");
    g_unsetenv("LISTEN_FDNAMES");
    return n > 0;
}

/* libvirt's certificate layout: /etc/pki for the system daemon (under
 * --root when given), ~/.pki/libvirt for a session one. */
static char *
pki_default(const char *system_dir, const char *name)
{
    ArmzPaths *paths = armz_daemon->paths;

    if (paths->privileged)
        return g_build_filename(paths->root ? paths->root : "/", "etc", "pki", system_dir,
                                name, NULL);
    return g_build_filename(g_get_home_dir(), ".pki", "libvirt", name, NULL);
}

static gboolean
listen_tls(ArmzConfig *cfg, GError **error)
{
    g_autofree char *ca = cfg->ca_file ? g_strdup(cfg->ca_file)
                                       : pki_default("CA", "cacert.pem");
    g_autofree char *cert = cfg->cert_file ? g_strdup(cfg->cert_file)
                                           : pki_default("libvirt", "servercert.pem");
    g_autofree char *key = cfg->key_file ? g_strdup(cfg->key_file)
                                         : pki_default("libvirt/private", "serverkey.pem");
    const ArmzTlsConfig tcfg = {
        .ca_file = ca, .cert_file = cert, .key_file = key,
        .verify = !cfg->tls_no_verify_certificate,
        .allowed_dn = (const char *const *)cfg->tls_allowed_dn_list,
    };
    g_autoptr(ArmzTlsContext) tls = armz_tls_context_new(&tcfg, error);

    if (!tls)
        return FALSE;
    if (cfg->tls_no_verify_certificate)
        armz_warn("tls_no_verify_certificate: TLS clients are not checked");
    return armz_server_listen_tls(armz_daemon->server, cfg->tls_listen_addr, cfg->tls_port,
                                  tls, error);
}

static gboolean
listen_all(ArmzConfig *cfg, GError **error)
{
    ArmzServer *srv = armz_daemon->server;
    ArmzPaths *paths = armz_daemon->paths;

    armz_server_set_unix_auth(srv, cfg->auth_unix_rw, cfg->auth_unix_ro);
    if (cfg->listen_tls && !listen_tls(cfg, error))
        return FALSE;
    if (!take_activated_sockets(srv, error)) {
        int ro = cfg->unix_sock_ro_perms, rw = cfg->unix_sock_rw_perms;
        /* rw last: once it exists, clients (and tests) find the others too */
        if (!armz_server_listen_unix(srv, paths->sock_ro, ro, TRUE, error) ||
            !armz_server_listen_unix(srv, paths->sock_rw, rw, FALSE, error))
            return FALSE;
        if (cfg->unix_sock_group) {
            struct group *gr = getgrnam(cfg->unix_sock_group);
            if (!gr) {
                g_set_error(error, ARMZ_ERROR, VIR_ERR_CONF_SYNTAX,
                            _("unix_sock_group '%s' does not exist"), cfg->unix_sock_group);
                return FALSE;
            }
            if (chown(paths->sock_rw, -1, gr->gr_gid) < 0 ||
                chown(paths->sock_ro, -1, gr->gr_gid) < 0)
                armz_warn("cannot give the sockets to group '%s': %s",
                          cfg->unix_sock_group, g_strerror(errno));
        }
    }
    if (opt_listen_tcp) {
        const char *colon = strrchr(opt_listen_tcp, ':');
        g_autofree char *host = NULL;
        guint64 port;

        if (!colon || !g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port, NULL)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                        _("--listen-tcp wants HOST:PORT, not '%s'"), opt_listen_tcp);
            return FALSE;
        }
        host = g_strndup(opt_listen_tcp, colon - opt_listen_tcp);
        if (host[0] == '[' && host[strlen(host) - 1] == ']') {
            memmove(host, host + 1, strlen(host));
            host[strlen(host) - 1] = '\0';
        }
        return armz_server_listen_tcp(srv, host, port, error);
    }
    if (cfg->listen_tcp)
        return armz_server_listen_tcp(srv, cfg->tcp_listen_addr, cfg->tcp_port, error);
    return TRUE;
}

static char *
find_schema_dir(void)
{
    const char *env = g_getenv("ARMZ_SCHEMA_DIR");
    g_autofree char *installed = g_build_filename(PKGDATADIR, "schemas", "domain.rng", NULL);

    if (env)
        return g_strdup(env);
    if (g_file_test(installed, G_FILE_TEST_EXISTS))
        return g_build_filename(PKGDATADIR, "schemas", NULL);
    /* Run from the build tree. */
    return g_build_filename(SRCDIR, "schemas", NULL);
}

static char *
find_vmm(const ArmzConfig *cfg)
{
    const char *env = g_getenv("ARMZ_VMM_PATH");
    g_autofree char *built = g_build_filename(BUILDDIR, "src", "vmm", "armz-vmm", NULL);

    if (cfg->vmm_path)
        return g_strdup(cfg->vmm_path);
    if (env)
        return g_strdup(env);
    if (!g_file_test(ARMZ_VMM_PATH, G_FILE_TEST_IS_EXECUTABLE) &&
        g_file_test(built, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer(&built);
    return g_strdup(ARMZ_VMM_PATH);
}

int
main(int argc, char **argv)
{
    g_autoptr(GOptionContext) octx = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(ArmzConfig) cfg = armz_config_new();
    ArmzDaemon daemon = { 0 };
    ArmzDriverConfig dcfg = { 0 };
    g_autofree char *root = NULL;
    int pid_fd;
    gboolean ok, readonly_mem;
    ArmzKvmProfile kvm_profile;
    const ArmzServerHooks hooks = { server_call, armz_daemon_client_closed };

    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);

    octx = g_option_context_new(NULL);
    g_option_context_set_summary(octx, _("Serve Arm64 guests to libvirt clients (armz:///system)."));
    g_option_context_add_main_entries(octx, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse(octx, &argc, &argv, &error)) {
        fprintf(stderr, "virtarmzd: %s\n", error->message);
        return 2;
    }
    if (opt_version) {
        printf("virtarmzd (libvirt-armz) %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (opt_timeout < 0) {
        fprintf(stderr, _("virtarmzd: --timeout must not be negative\n"));
        return 2;
    }
    if (opt_root) {
        root = g_canonicalize_filename(opt_root, NULL);
    }

    armz_daemon = &daemon;
    /* Signal handlers first: a SIGTERM from now on ends the loop, which
     * then never starts serving, and main returns 0. */
    daemon.loop = g_main_loop_new(NULL, FALSE);
    daemon.quit = g_cancellable_new();
    g_unix_signal_add(SIGTERM, on_quit_signal, NULL);
    g_unix_signal_add(SIGINT, on_quit_signal, NULL);
    g_unix_signal_add(SIGHUP, on_hup, NULL);
    signal(SIGPIPE, SIG_IGN);
    daemon.paths = armz_paths_new(root, getuid() == 0);
    if (!armz_config_load(cfg, opt_config ? opt_config : daemon.paths->config_file,
                          opt_config != NULL, &error)) {
        fprintf(stderr, "virtarmzd: %s\n", error->message);
        return 1;
    }
    armz_log_set_level(opt_verbose ? ARMZ_LOG_DEBUG : (ArmzLogLevel)(cfg->log_level - 1));

    umask(022);
    /* One daemon per layout: a second one would steal the sockets. */
    pid_fd = armz_pidfile_acquire(daemon.paths->pid_file, &error);
    if (pid_fd < 0) {
        armz_err("%s", error->message);
        return 1;
    }
    g_mutex_init(&daemon.conns_lock);
    daemon.conns = g_hash_table_new(NULL, NULL);
    if (!armz_dac_config_ids(cfg->user, cfg->group, !root && getuid() == 0,
                             &dcfg.vmm_uid, &dcfg.vmm_gid, &error)) {
        armz_err("%s", error->message);
        return 1;
    }
    dcfg.vmm_path = find_vmm(cfg);
    dcfg.seccomp = cfg->seccomp_sandbox == 1 ? "on" : cfg->seccomp_sandbox == 0 ? "off" : NULL;
    /* ARMZ_KVM_PROFILE (for tests) overrides armz.conf's kvm_profile */
    dcfg.kvm_profile = (char *)(g_getenv("ARMZ_KVM_PROFILE") ? g_getenv("ARMZ_KVM_PROFILE")
                                                              : cfg->kvm_profile);
    /* s390+readonly-mem, from the environment only: the test host's s390
     * run boots firmware with the one capability IBM Z lacks for it */
    if (dcfg.kvm_profile &&
        (!armz_kvm_profile_parse_spec(dcfg.kvm_profile, &kvm_profile, &readonly_mem) ||
         (readonly_mem && !g_getenv("ARMZ_KVM_PROFILE")))) {
        armz_err(_("ARMZ_KVM_PROFILE: unknown KVM profile '%s' (native, s390)"), dcfg.kvm_profile);
        return 1;
    }
    dcfg.schema_dir = find_schema_dir();
    ok = armz_daemon_drivers_open(&daemon, &dcfg, &error);
    g_free(dcfg.vmm_path);
    g_free(dcfg.schema_dir);
    if (!ok) {
        armz_err("%s", error->message);
        return 1;
    }

    daemon.dispatcher = armz_dispatcher_new();
    armz_remote_register_all(daemon.dispatcher);

    daemon.server = armz_server_new(&hooks, NULL, cfg->max_workers, cfg->limits.max_clients);
    armz_server_set_limits(daemon.server, &cfg->limits);
    armz_server_hold(daemon.server);    /* released by the autostart (drivers.c) */
    if (!listen_all(cfg, &error)) {
        armz_err("%s", error->message);
        armz_server_unlink_sockets(daemon.server);
        return 1;
    }
    if (opt_timeout > 0)
        g_timeout_add(250, check_idle, NULL);

    armz_info("virtarmzd %s ready on %s", PACKAGE_VERSION, daemon.paths->sock_rw);
    g_idle_add(start_autostart, NULL);
    g_main_loop_run(daemon.loop);

    /* Every thread we started ends before what it uses is freed: the
     * autostart, the workers (with the clients), the autodestroys; the
     * drivers join their own. */
    armz_daemon_autostart_join(&daemon);
    armz_daemon_serve_until_done(&daemon.calls_running);
    armz_server_unlink_sockets(daemon.server);
    armz_server_free(daemon.server);
    armz_remote_lifecycle_shutdown();
    armz_daemon_drivers_close(&daemon);
    armz_dispatcher_free(daemon.dispatcher);
    g_hash_table_unref(daemon.conns);
    g_object_unref(daemon.quit);
    g_main_loop_unref(daemon.loop);
    unlink(daemon.paths->pid_file);
    close(pid_fd);
    armz_paths_free(daemon.paths);
    return 0;
}
