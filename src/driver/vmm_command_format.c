/* A launch plan as argv for exec and as text for golden files and the
 * domain log (see vmm_command.h). */
#include <string.h>

#include "driver/vmm_command.h"

GStrv
armz_launch_plan_argv(const ArmzLaunchPlan *plan)
{
    GStrv v = g_new0(char *, plan->argv->len + 1);

    for (guint i = 0; i < plan->argv->len; i++)
        v[i] = g_strdup(g_ptr_array_index(plan->argv, i));
    return v;
}

const char *
armz_launch_fd_kind_to_string(ArmzLaunchFdKind kind)
{
    switch (kind) {
    case ARMZ_LAUNCH_FD_DISK: return "disk";
    case ARMZ_LAUNCH_FD_TAP: return "tap";
    case ARMZ_LAUNCH_FD_PTY: return "pty";
    case ARMZ_LAUNCH_FD_FILE_OUT: return "file-out";
    case ARMZ_LAUNCH_FD_QMP_LISTEN: return "qmp-listen";
    case ARMZ_LAUNCH_FD_RNG: return "rng";
    case ARMZ_LAUNCH_FD_FLASH: return "flash";
    case ARMZ_LAUNCH_FD_CHANNEL_LISTEN: return "channel-listen";
    case ARMZ_LAUNCH_FD_VHOST: return "vhost";
    case ARMZ_LAUNCH_FD_TCP_LISTEN: return "tcp-listen";
    }
    return "unknown";
}

/* Shell quoting as libvirt's argv files do: bare when harmless, else in
 * single quotes. */
static void
append_quoted(GString *out, const char *s)
{
    static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789-_./,:=+@%";

    if (*s && strspn(s, safe) == strlen(s)) {
        g_string_append(out, s);
        return;
    }
    g_string_append_c(out, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            g_string_append(out, "'\\''");
        else
            g_string_append_c(out, *p);
    }
    g_string_append_c(out, '\'');
}

void
armz_launch_append_quoted(GString *out, const char *s)
{
    append_quoted(out, s);
}

static const char *
chr_role(GString *tmp, ArmzLaunchChrList list, guint index)
{
    g_string_printf(tmp, "%s%u", list == ARMZ_LAUNCH_CHR_SERIAL ? "serial" : "console", index);
    return tmp->str;
}

char *
armz_launch_plan_format(const ArmzLaunchPlan *plan)
{
    GString *out = g_string_new(NULL);
    g_autoptr(GString) tmp = g_string_new(NULL);

    /* one option and its value per line, as in libvirt's .args files;
     * every option but --paused takes a value, which may itself start
     * with "--" (a domain name, a kernel command line) */
    for (guint i = 0; i < plan->argv->len; i++) {
        const char *a = g_ptr_array_index(plan->argv, i);
        const char *prev = i > 0 ? g_ptr_array_index(plan->argv, i - 1) : NULL;
        gboolean is_value = prev && i > 1 && g_str_has_prefix(prev, "--") &&
                            !g_str_equal(prev, "--paused");

        if (i > 0)
            g_string_append(out, g_str_has_prefix(a, "--") && !is_value ? " \\\n" : " ");
        append_quoted(out, a);
    }
    g_string_append_c(out, '\n');

    for (guint i = 0; i < plan->fds->len; i++) {
        const ArmzLaunchFd *fd = g_ptr_array_index(plan->fds, i);

        g_string_append_printf(out, "# fd %d: %s ", fd->num, armz_launch_fd_kind_to_string(fd->kind));
        if (fd->path)
            append_quoted(out, fd->path);
        else
            g_string_append_c(out, '-');
        switch (fd->kind) {
        case ARMZ_LAUNCH_FD_DISK:
        case ARMZ_LAUNCH_FD_FLASH:
            g_string_append(out, fd->readonly ? " ro" : " rw");
            if (fd->direct)
                g_string_append(out, " O_DIRECT");
            if (fd->dsync)
                g_string_append(out, " O_DSYNC");
            break;
        case ARMZ_LAUNCH_FD_FILE_OUT:
            g_string_append(out, fd->append ? " append" : " truncate");
            break;
        case ARMZ_LAUNCH_FD_TCP_LISTEN:
            g_string_append(out, " port=");
            append_quoted(out, fd->port);
            break;
        case ARMZ_LAUNCH_FD_TAP: {
            char mac[18];

            g_string_append(out, " ifname=");
            append_quoted(out, fd->tap.ifname ? fd->tap.ifname : "auto");
            if (fd->tap.ovs_bridge) {
                g_string_append(out, " ovs-bridge=");
                append_quoted(out, fd->tap.ovs_bridge);
                g_string_append(out, " iface-id=");
                append_quoted(out, fd->tap.ovs_iface_id);
            } else {
                g_string_append(out, " bridge=");
                append_quoted(out, fd->tap.bridge ? fd->tap.bridge : "none");
            }
            if (fd->tap.unmanaged)
                g_string_append(out, " managed=no");
            if (fd->tap.mtu)
                g_string_append_printf(out, " mtu=%u", fd->tap.mtu);
            else
                g_string_append(out, " mtu=default");
            armz_mac_format(fd->tap.mac, mac);
            g_string_append_printf(out, " mac=%s", mac);
            break;
        }
        default:
            break;
        }
        g_string_append_printf(out, " role=%s\n", fd->role);
    }

    for (guint i = 0; i < plan->chardevs->len; i++) {
        const ArmzLaunchChr *chr = g_ptr_array_index(plan->chardevs, i);

        g_string_append_printf(out, "# chardev %s: ", chr_role(tmp, chr->list, chr->index));
        if (chr->alias_of >= 0)
            g_string_append_printf(out, "alias of serial%d, ", chr->alias_of);
        g_string_append(out, armz_domain_chr_type_to_string(chr->type));
        if (chr->fd >= 0)
            g_string_append_printf(out, " fd=%d", chr->fd);
        if (chr->log_fd >= 0)
            g_string_append_printf(out, " log-fd=%d", chr->log_fd);
        g_string_append_c(out, '\n');
    }

    g_string_append_printf(out, "# lifecycle: on_poweroff=%s on_reboot=%s on_crash=%s\n",
                           armz_domain_lifecycle_action_to_string(plan->on_poweroff),
                           armz_domain_lifecycle_action_to_string(plan->on_reboot),
                           armz_domain_lifecycle_action_to_string(plan->on_crash));
    if (plan->qsd)
        armz_qsd_plan_format(plan->qsd, out);
    for (guint i = 0; plan->virtiofsds && i < plan->virtiofsds->len; i++) {
        const ArmzVirtiofsdPlan *v = g_ptr_array_index(plan->virtiofsds, i);

        g_string_append(out, "# virtiofsd, listening socket ");
        append_quoted(out, v->socket);
        g_string_append(out, " as fd 3:\n#");
        for (guint j = 0; j < v->argv->len; j++) {
            g_string_append_c(out, ' ');
            append_quoted(out, g_ptr_array_index(v->argv, j));
        }
        g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}
