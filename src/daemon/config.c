#include <errno.h>
#include <string.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "daemon/config.h"

ArmzConfig *
armz_config_new(void)
{
    ArmzConfig *cfg = g_new0(ArmzConfig, 1);

    cfg->tcp_listen_addr = g_strdup("127.0.0.1");
    cfg->tcp_port = 16509;
    cfg->unix_sock_ro_perms = 0777;
    cfg->unix_sock_rw_perms = 0700;
    armz_server_limits_init(&cfg->limits);
    cfg->max_workers = 20;
    cfg->log_level = 3;
    cfg->tls_listen_addr = g_strdup("0.0.0.0");
    cfg->tls_port = 16514;
    cfg->seccomp_sandbox = -1;
    return cfg;
}

void
armz_config_free(ArmzConfig *cfg)
{
    if (!cfg)
        return;
    g_free(cfg->tcp_listen_addr);
    g_free(cfg->unix_sock_group);
    g_free(cfg->vmm_path);
    g_free(cfg->tls_listen_addr);
    g_free(cfg->key_file);
    g_free(cfg->cert_file);
    g_free(cfg->ca_file);
    g_strfreev(cfg->tls_allowed_dn_list);
    g_free(cfg->user);
    g_free(cfg->group);
    g_free(cfg->kvm_profile);
    g_free(cfg);
}

/* VALUE is either "quoted text" or a bare integer. */
static gboolean
parse_value(const char *raw, char **str, gint64 *num)
{
    gsize len = strlen(raw);
    char *end;

    *str = NULL;
    if (len >= 2 && raw[0] == '"' && raw[len - 1] == '"') {
        *str = g_strndup(raw + 1, len - 2);
        *num = g_ascii_strtoll(*str, &end, 0);
        if (*end != '\0' || **str == '\0')
            *num = G_MININT64;
        return TRUE;
    }
    *num = g_ascii_strtoll(raw, &end, 0);
    return *end == '\0' && *raw != '\0';
}

/* A list on one line, libvirt's syntax: ["a", "b"]; NULL when malformed. */
static GStrv
parse_list(const char *raw)
{
    g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func(g_free);
    gsize len = strlen(raw);
    g_autofree char *inner = NULL;
    const char *p;

    if (len < 2 || raw[0] != '[' || raw[len - 1] != ']')
        return NULL;
    inner = g_strndup(raw + 1, len - 2);
    p = inner;
    for (;;) {
        const char *end;

        while (g_ascii_isspace(*p))
            p++;
        if (!*p)
            break;
        if (*p != '"' || !(end = strchr(p + 1, '"')))
            return NULL;
        g_ptr_array_add(items, g_strndup(p + 1, end - p - 1));
        p = end + 1;
        while (g_ascii_isspace(*p))
            p++;
        if (*p == ',')
            p++;
        else if (*p)
            return NULL;
    }
    g_ptr_array_add(items, NULL);
    return (GStrv)g_ptr_array_free(g_steal_pointer(&items), FALSE);
}

/* "none" or "polkit", libvirt's values of auth_unix_rw and auth_unix_ro
 * that we serve; -1 otherwise. */
static int
parse_unix_auth(const char *s)
{
    if (g_str_equal(s, "none"))
        return ARMZ_CLIENT_AUTH_NONE;
#ifdef ARMZ_HAVE_POLKIT
    if (g_str_equal(s, "polkit"))
        return ARMZ_CLIENT_AUTH_POLKIT;
#endif
    return -1;
}

typedef enum { SETTING_OTHER, SETTING_DONE, SETTING_BAD } SettingResult;

static void
set_str(char **field, char **value)
{
    g_free(*field);
    *field = g_steal_pointer(value);
}

/* Authenticated access: auth_unix_*, TLS listener and certificates. */
static SettingResult
auth_setting(ArmzConfig *cfg, const char *key, const char *raw)
{
    g_autofree char *sval = NULL;
    gint64 num;
    int auth;

    if (g_str_equal(key, "tls_allowed_dn_list")) {
        GStrv list = parse_list(raw);
        if (!list)
            return SETTING_BAD;
        g_strfreev(cfg->tls_allowed_dn_list);
        cfg->tls_allowed_dn_list = list;
        return SETTING_DONE;
    }
    if (!g_str_has_prefix(key, "auth_unix_") && !g_str_has_prefix(key, "tls_") &&
        !g_str_equal(key, "listen_tls") && !g_str_equal(key, "key_file") &&
        !g_str_equal(key, "cert_file") && !g_str_equal(key, "ca_file"))
        return SETTING_OTHER;
    if (!parse_value(raw, &sval, &num))
        return SETTING_BAD;
    auth = sval ? parse_unix_auth(sval) : -1;
    if (g_str_equal(key, "auth_unix_rw") && auth >= 0)
        cfg->auth_unix_rw = auth;
    else if (g_str_equal(key, "auth_unix_ro") && auth >= 0)
        cfg->auth_unix_ro = auth;
    else if (g_str_equal(key, "listen_tls") && num >= 0)
        cfg->listen_tls = num != 0;
    else if (g_str_equal(key, "tls_listen_addr") && sval)
        set_str(&cfg->tls_listen_addr, &sval);
    else if (g_str_equal(key, "tls_port") && num > 0 && num < 65536)
        cfg->tls_port = num;
    else if (g_str_equal(key, "key_file") && sval && *sval)
        set_str(&cfg->key_file, &sval);
    else if (g_str_equal(key, "cert_file") && sval && *sval)
        set_str(&cfg->cert_file, &sval);
    else if (g_str_equal(key, "ca_file") && sval && *sval)
        set_str(&cfg->ca_file, &sval);
    else if (g_str_equal(key, "tls_no_verify_certificate") && num >= 0)
        cfg->tls_no_verify_certificate = num != 0;
    else
        return SETTING_BAD;
    return SETTING_DONE;
}

gboolean
armz_config_load(ArmzConfig *cfg, const char *path, gboolean must_exist, GError **error)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GError) err = NULL;
    int lineno = 0;

    if (!g_file_get_contents(path, &text, NULL, &err)) {
        if (!must_exist && g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return TRUE;
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("cannot read config file '%s': %s"), path, err->message);
        return FALSE;
    }
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_autofree char *line = g_strstrip(g_strdup(*l));
        g_autofree char *sval = NULL;
        char *eq, *key, *val;
        gint64 num;

        lineno++;
        if (!*line || *line == '#')
            continue;
        eq = strchr(line, '=');
        if (!eq)
            goto syntax;
        *eq = '\0';
        key = g_strstrip(line);
        val = g_strstrip(eq + 1);
        switch (auth_setting(cfg, key, val)) {
        case SETTING_DONE:
            continue;
        case SETTING_BAD:
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONF_SYNTAX,
                        _("%s:%d: unknown setting or bad value for '%s'"), path, lineno, key);
            return FALSE;
        default:
            break;
        }
        if (!parse_value(val, &sval, &num))
            goto syntax;

        if (g_str_equal(key, "listen_tcp") && num >= 0) {
            cfg->listen_tcp = num != 0;
        } else if (g_str_equal(key, "tcp_listen_addr") && sval) {
            g_free(cfg->tcp_listen_addr);
            cfg->tcp_listen_addr = g_steal_pointer(&sval);
        } else if (g_str_equal(key, "tcp_port") && num > 0 && num < 65536) {
            cfg->tcp_port = num;
        } else if (g_str_equal(key, "unix_sock_group") && sval) {
            g_free(cfg->unix_sock_group);
            cfg->unix_sock_group = g_steal_pointer(&sval);
        } else if (g_str_equal(key, "unix_sock_ro_perms") && sval && num >= 0 && num <= 07777) {
            cfg->unix_sock_ro_perms = g_ascii_strtoll(sval, NULL, 8);
        } else if (g_str_equal(key, "unix_sock_rw_perms") && sval && num >= 0 && num <= 07777) {
            cfg->unix_sock_rw_perms = g_ascii_strtoll(sval, NULL, 8);
        } else if (g_str_equal(key, "max_clients") && num > 0 && num <= G_MAXINT) {
            cfg->limits.max_clients = num;
        } else if (g_str_equal(key, "rw_reserved_clients") && num >= 0 && num <= G_MAXINT) {
            cfg->limits.rw_reserved_clients = num;
        } else if (g_str_equal(key, "max_anonymous_clients") && num >= 0 && num <= G_MAXINT) {
            cfg->limits.max_anonymous_clients = num;
        } else if (g_str_equal(key, "anonymous_client_timeout") && num >= 0 && num <= 86400) {
            cfg->limits.anonymous_client_timeout = num;
        } else if (g_str_equal(key, "max_client_requests") && num > 0 && num <= 1000) {
            cfg->limits.max_client_requests = num;
        } else if (g_str_equal(key, "max_client_output_bytes") && num >= 65536 &&
                   num <= G_MAXINT) {
            cfg->limits.max_client_output_bytes = num;
        } else if (g_str_equal(key, "max_large_input_bytes") && num > 0 && num <= G_MAXINT) {
            cfg->limits.max_large_input_bytes = num;
        } else if (g_str_equal(key, "keepalive_interval") && num >= -1 && num <= 86400) {
            cfg->limits.keepalive_interval = num;
        } else if (g_str_equal(key, "keepalive_count") && num >= 0 && num <= 1000) {
            cfg->limits.keepalive_count = num;
        } else if (g_str_equal(key, "max_workers") && num > 0 && num <= 1000) {
            cfg->max_workers = num;
        } else if (g_str_equal(key, "log_level") && num >= 1 && num <= 4) {
            cfg->log_level = num;
        } else if (g_str_equal(key, "seccomp_sandbox") && !sval && num >= -1 && num <= 1) {
            cfg->seccomp_sandbox = num;     /* qemu.conf's name and values */
        } else if (g_str_equal(key, "vmm_path") && sval) {
            g_free(cfg->vmm_path);
            cfg->vmm_path = g_steal_pointer(&sval);
        } else if ((g_str_equal(key, "user") || g_str_equal(key, "group")) && sval && *sval) {
            char **dst = g_str_equal(key, "user") ? &cfg->user : &cfg->group;
            g_free(*dst);
            *dst = g_steal_pointer(&sval);
        } else if (g_str_equal(key, "kvm_profile") && sval &&
                   (g_str_equal(sval, "native") || g_str_equal(sval, "s390"))) {
            g_free(cfg->kvm_profile);
            cfg->kvm_profile = g_steal_pointer(&sval);
        } else {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONF_SYNTAX,
                        _("%s:%d: unknown setting or bad value for '%s'"), path, lineno, key);
            return FALSE;
        }
        continue;
 syntax:
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("%s:%d: expected 'key = value'"), path, lineno);
        return FALSE;
    }
    /* Otherwise the read-only socket would refuse every client. */
    if (cfg->limits.rw_reserved_clients >= cfg->limits.max_clients) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("%s: rw_reserved_clients (%u) must be less than max_clients (%u)"),
                    path, cfg->limits.rw_reserved_clients, cfg->limits.max_clients);
        return FALSE;
    }
    return TRUE;
}
