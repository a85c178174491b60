/* dnsmasq configuration and process (see dnsmasq.h). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <libvirt/libvirt.h>

#include "conf/domain_conf.h"
#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/names.h"
#include "network/dnsmasq.h"
#include "network/network_cmd.h"

#define DNSMASQ_WAIT_MS 5000
/* dnsmasq reads its file with fgets() into a buffer of this size: a longer
 * line would go on as a line of its own */
#define DNSMASQ_LINE_MAX 1024
/* What dnsmasq reads as syntax in a value: blanks end it (and a '#' after
 * one starts a comment), '"' quotes, '\\' escapes inside quotes, list
 * options split at ',', local=/DOMAIN/ at '/'. */
#define DNSMASQ_SPECIAL " \t\"#\\,/"
/* In a path, which is written quoted when it has any of these. */
#define DNSMASQ_PATH_SPECIAL " \t\"#\\,"

void
armz_dnsmasq_files_init(ArmzDnsmasqFiles *f, const char *state_dir, const char *name)
{
    g_autofree char *conf = g_strconcat(name, ".conf", NULL);
    g_autofree char *pid = g_strconcat(name, ".pid", NULL);
    g_autofree char *leases = g_strconcat(name, ".leases", NULL);

    f->conf = g_build_filename(state_dir, conf, NULL);
    f->pidfile = g_build_filename(state_dir, pid, NULL);
    f->leases = g_build_filename(state_dir, leases, NULL);
}

void
armz_dnsmasq_files_clear(ArmzDnsmasqFiles *f)
{
    g_clear_pointer(&f->conf, g_free);
    g_clear_pointer(&f->pidfile, g_free);
    g_clear_pointer(&f->leases, g_free);
}

/* Values are checked where they are written, whatever the parser let
 * through: a newline in one would add options to a file that dnsmasq,
 * running as root, obeys. A name (interface, domain, host) is one plain
 * word; a path may be anything but a control character, quoted. */
static gboolean
value_ok(const char *what, const char *value, const char *special, GError **error)
{
    return armz_config_value_check(_("the dnsmasq configuration"), what, value, special, error);
}

/* OPT=PATH, PATH quoted when it has characters dnsmasq reads as syntax. */
static gboolean
add_path(GString *c, const char *opt, const char *path, GError **error)
{
    if (!value_ok(opt, path, NULL, error))
        return FALSE;
    g_string_append_printf(c, "%s=", opt);
    if (!strpbrk(path, DNSMASQ_PATH_SPECIAL)) {
        g_string_append(c, path);
    } else {
        g_string_append_c(c, '"');
        for (const char *p = path; *p; p++) {
            if (*p == '"' || *p == '\\')
                g_string_append_c(c, '\\');
            g_string_append_c(c, *p);
        }
        g_string_append_c(c, '"');
    }
    g_string_append_c(c, '\n');
    return TRUE;
}

static gboolean
lines_fit(const char *conf, GError **error)
{
    for (const char *line = conf; *line;) {
        const char *end = strchr(line, '\n');

        if (!end)
            end = line + strlen(line);
        if (end - line >= DNSMASQ_LINE_MAX - 1) {
            g_autofree char *start = g_strndup(line, 40);
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("refusing to write a line of %zu bytes into the dnsmasq "
                          "configuration (at most %d): \"%s...\""),
                        (gsize)(end - line), DNSMASQ_LINE_MAX - 2, start);
            return FALSE;
        }
        line = *end ? end + 1 : end;
    }
    return TRUE;
}

static gboolean
add_dhcp(GString *c, const ArmzNetIPDef *ip, guint64 *lease_max, GError **error)
{
    for (guint i = 0; i < ip->ranges->len; i++) {
        const ArmzNetDhcpRange *r = &g_array_index(ip->ranges, ArmzNetDhcpRange, i);
        char s[46], e[46];

        armz_ip_format(&r->start, s);
        armz_ip_format(&r->end, e);
        if (ip->address.family == AF_INET) {
            ArmzIPAddr m;
            char ms[46];
            armz_ip_prefix_to_netmask(ip->prefix, &m);
            armz_ip_format(&m, ms);
            g_string_append_printf(c, "dhcp-range=%s,%s,%s\n", s, e, ms);
        } else {
            g_string_append_printf(c, "dhcp-range=%s,%s,%u\n", s, e, ip->prefix);
        }
        *lease_max += MIN(armz_ip_range_size(&r->start, &r->end), (guint64)G_MAXINT32);
    }
    if (!ip->ranges->len && ip->hosts->len) {
        /* static hosts only: dnsmasq still needs the subnet to serve */
        ArmzIPAddr n;
        char ns[46];
        armz_ip_network(&ip->address, ip->prefix, &n);
        armz_ip_format(&n, ns);
        if (ip->address.family == AF_INET) {
            ArmzIPAddr m;
            char ms[46];
            armz_ip_prefix_to_netmask(ip->prefix, &m);
            armz_ip_format(&m, ms);
            g_string_append_printf(c, "dhcp-range=%s,static,%s\n", ns, ms);
        } else {
            g_string_append_printf(c, "dhcp-range=%s,static,%u\n", ns, ip->prefix);
        }
    }
    for (guint i = 0; i < ip->hosts->len; i++) {
        const ArmzNetDhcpHost *h = g_ptr_array_index(ip->hosts, i);
        char a[46];

        armz_ip_format(&h->ip, a);
        g_string_append(c, "dhcp-host=");
        if (h->has_mac) {
            char m[18];
            armz_mac_format(h->mac, m);
            g_string_append_printf(c, "%s,", m);
        }
        if (ip->address.family == AF_INET6)
            g_string_append_printf(c, "[%s]", a);
        else
            g_string_append(c, a);
        if (h->name) {
            if (!value_ok(_("DHCP host name"), h->name, DNSMASQ_SPECIAL, error))
                return FALSE;
            g_string_append_printf(c, ",%s", h->name);
        }
        g_string_append_c(c, '\n');
    }
    return TRUE;
}

char *
armz_dnsmasq_config(const ArmzNetworkDef *def, const ArmzDnsmasqFiles *f, GError **error)
{
    g_autoptr(GString) c = g_string_new(NULL);
    const ArmzNetIPDef *ip4 = NULL, *ip6 = NULL;
    guint64 lease_max = 0;

    if (!value_ok(_("network name"), def->name, NULL, error) ||
        !value_ok(_("bridge name"), def->bridge ? def->bridge : "", DNSMASQ_SPECIAL, error) ||
        (def->domain && !value_ok(_("domain name"), def->domain, DNSMASQ_SPECIAL, error)))
        return NULL;
    g_string_append_printf(c, "## Generated by virtarmzd for network '%s': changes are "
                              "overwritten.\n", def->name);
    g_string_append(c, "strict-order\n");
    if (!add_path(c, "pid-file", f->pidfile, error))
        return NULL;
    /* only our bridge, only its addresses, whatever else runs on the host */
    g_string_append(c, "except-interface=lo\nbind-dynamic\n");
    g_string_append_printf(c, "interface=%s\n", def->bridge);
    if (def->forward == ARMZ_NET_FORWARD_NONE)
        g_string_append(c, "no-resolv\n");      /* isolated: nothing to forward to */
    if (def->domain) {
        g_string_append_printf(c, "domain=%s\nexpand-hosts\n", def->domain);
        if (def->domain_local_only)
            g_string_append_printf(c, "local=/%s/\n", def->domain);
    }
    for (guint i = 0; i < def->dns_hosts->len; i++) {
        const ArmzNetDnsHost *h = g_ptr_array_index(def->dns_hosts, i);
        g_autofree char *names = NULL;
        char a[46];

        for (GStrv n = h->hostnames; *n; n++)
            if (!value_ok(_("DNS host name"), *n, DNSMASQ_SPECIAL, error))
                return NULL;
        names = g_strjoinv(",", h->hostnames);
        armz_ip_format(&h->ip, a);
        g_string_append_printf(c, "host-record=%s,%s\n", names, a);
    }
    for (guint i = 0; i < def->ips->len; i++) {
        const ArmzNetIPDef *ip = g_ptr_array_index(def->ips, i);
        if (!ip->ranges->len && !ip->hosts->len)
            continue;
        if (ip->address.family == AF_INET && !ip4)
            ip4 = ip;
        else if (ip->address.family == AF_INET6 && !ip6)
            ip6 = ip;
    }
    if ((ip4 && !add_dhcp(c, ip4, &lease_max, error)) ||
        (ip6 && !add_dhcp(c, ip6, &lease_max, error)))
        return NULL;
    if (ip4 || ip6) {
        g_string_append(c, "dhcp-no-override\ndhcp-authoritative\n");
        g_string_append_printf(c, "dhcp-lease-max=%" G_GUINT64_FORMAT "\n",
                               MAX(lease_max, (guint64)1));
        if (!add_path(c, "dhcp-leasefile", f->leases, error))
            return NULL;
    }
    if (ip4 && def->forward == ARMZ_NET_FORWARD_NONE)
        g_string_append(c, "dhcp-option=3\n");  /* isolated: no default route */
    if (armz_network_def_ip(def, AF_INET6))
        g_string_append(c, "enable-ra\n");
    if (!lines_fit(c->str, error))
        return NULL;
    return g_string_free(g_steal_pointer(&c), FALSE);
}

static pid_t
read_pidfile(const char *path)
{
    g_autofree char *text = NULL;
    guint64 pid;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    g_strstrip(text);
    if (!g_ascii_string_to_unsigned(text, 10, 1, G_MAXINT32, &pid, NULL))
        return 0;
    return (pid_t)pid;
}

gboolean
armz_dnsmasq_is_ours(pid_t pid, const ArmzDnsmasqFiles *f)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    g_autofree char *cmdline = NULL;
    g_autofree char *want = g_strconcat("--conf-file=", f->conf, NULL);
    gsize len;

    if (pid <= 0 || !g_file_get_contents(path, &cmdline, &len, NULL))
        return FALSE;
    /* arguments are NUL-separated: look for ours among them */
    for (gsize off = 0; off < len; off += strlen(cmdline + off) + 1)
        if (g_str_equal(cmdline + off, want))
            return TRUE;
    return FALSE;
}

pid_t
armz_dnsmasq_find(const ArmzDnsmasqFiles *f)
{
    pid_t pid = read_pidfile(f->pidfile);
    return armz_dnsmasq_is_ours(pid, f) ? pid : 0;
}

pid_t
armz_dnsmasq_start(const ArmzNetworkDef *def, const ArmzDnsmasqFiles *f, GError **error)
{
    g_autofree char *conf = armz_dnsmasq_config(def, f, error);
    g_autofree char *confarg = g_strconcat("--conf-file=", f->conf, NULL);
    const char *argv[] = { "dnsmasq", confarg, NULL };
    pid_t pid = 0;

    if (!conf)
        return -1;
    unlink(f->pidfile);
    if (!armz_file_write_atomic(f->conf, conf, strlen(conf), 0644, error))
        return -1;
    /* dnsmasq forks and its parent exits once the daemon is set up (or
     * reports why it is not), so success here means it serves */
    if (!armz_net_run(argv, NULL, NULL, error)) {
        g_prefix_error(error, _("cannot start dnsmasq for network '%s': "), def->name);
        return -1;
    }
    for (int waited = 0; waited < DNSMASQ_WAIT_MS; waited += 10) {
        if ((pid = armz_dnsmasq_find(f)) > 0)
            break;
        g_usleep(10 * 1000);
    }
    if (pid <= 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("dnsmasq for network '%s' did not write its pid file '%s'"),
                    def->name, f->pidfile);
        return -1;
    }
    armz_info("network '%s': dnsmasq running as pid %d", def->name, (int)pid);
    return pid;
}

/* Whether PID has exited: gone, or a zombie. Its command line vanishes
 * earlier, while it still holds its sockets, so that is no proof. */
static gboolean
exited(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *stat = NULL;
    const char *p;

    if (!g_file_get_contents(path, &stat, NULL, NULL))
        return TRUE;
    p = strrchr(stat, ')');
    return p && (p[2] == 'Z' || p[2] == 'X');
}

static gboolean
wait_exit(pid_t pid)
{
    for (int waited = 0; waited < DNSMASQ_WAIT_MS && !exited(pid); waited += 10)
        g_usleep(10 * 1000);
    return exited(pid);
}

void
armz_dnsmasq_stop(pid_t pid, const ArmzDnsmasqFiles *f, gboolean drop_leases)
{
    /* it is not our child: wait for it to be gone from /proc */
    if (pid > 0 && armz_dnsmasq_is_ours(pid, f)) {
        if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
            armz_warn("cannot stop dnsmasq (pid %d): %s", (int)pid, g_strerror(errno));
        if (!wait_exit(pid)) {
            armz_warn("dnsmasq (pid %d) ignored SIGTERM: killing it", (int)pid);
            kill(pid, SIGKILL);
            wait_exit(pid);
        }
    }
    unlink(f->pidfile);
    unlink(f->conf);
    if (drop_leases)
        unlink(f->leases);
}
