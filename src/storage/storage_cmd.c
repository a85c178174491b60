#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>
#include <libvirt/virterror.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "storage/storage_cmd.h"

char *
armz_sto_find_tool(const char *name)
{
    static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin" };
    char *p = g_find_program_in_path(name);

    for (gsize i = 0; !p && i < G_N_ELEMENTS(dirs); i++) {
        g_autofree char *c = g_build_filename(dirs[i], name, NULL);
        if (g_file_test(c, G_FILE_TEST_IS_EXECUTABLE))
            p = g_steal_pointer(&c);
    }
    return p;
}

const char *
armz_sto_lvm_config(void)
{
    if (g_file_test("/run/udev/control", G_FILE_TEST_EXISTS))
        return "devices { use_devicesfile = 0 }";
    return "devices { use_devicesfile = 0 obtain_device_list_from_udev = 0 } "
           "activation { udev_sync = 0 udev_rules = 0 }";
}

/* The output as text (a tool's message may be in any encoding). */
static char *
text_of(GBytes *bytes)
{
    gsize len = 0;
    const char *data = bytes ? g_bytes_get_data(bytes, &len) : NULL;

    return g_utf8_make_valid(data ? data : "", data ? (gssize)len : 0);
}

gboolean
armz_sto_run(const char *const *argv, char **out, int code, GError **error)
{
    return armz_sto_run_fds(argv, NULL, 0, out, code, error);
}

gboolean
armz_sto_run_fds(const char *const *argv, const int *fds, guint n_fds, char **out, int code,
                 GError **error)
{
    g_autofree char *tool = armz_sto_find_tool(argv[0]);
    g_autofree char *cmdline = g_strjoinv(" ", (char **)argv);
    g_autofree char *serr = NULL;
    g_autoptr(GBytes) bout = NULL, berr = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GSubprocess) proc = NULL;
    g_auto(GStrv) env = g_get_environ();
    g_autofree char **args = NULL;
    gsize n = g_strv_length((char **)argv);

    if (!code)
        code = VIR_ERR_OPERATION_FAILED;
    if (!tool) {
        g_set_error(error, ARMZ_ERROR, code,
                    _("cannot run '%s': the program is not installed"), argv[0]);
        return FALSE;
    }
    args = g_new0(char *, n + 1);
    args[0] = tool;
    for (gsize i = 1; i < n; i++)
        args[i] = (char *)argv[i];
    env = g_environ_setenv(env, "LC_ALL", "C", TRUE);
    env = g_environ_setenv(env, "LVM_SUPPRESS_FD_WARNINGS", "1", TRUE);
    armz_debug("storage: running %s", cmdline);
    /* stdin is /dev/null; FDS are passed down as they are numbered here */
    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                         G_SUBPROCESS_FLAGS_STDERR_PIPE);
    g_subprocess_launcher_set_environ(launcher, env);
    for (guint i = 0; i < n_fds; i++) {
        int copy = dup(fds[i]);
        if (copy < 0) {
            g_set_error(error, ARMZ_ERROR, code, _("cannot run '%s': %s"), argv[0],
                        g_strerror(errno));
            return FALSE;
        }
        g_subprocess_launcher_take_fd(launcher, copy, fds[i]);
    }
    proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)args, &err);
    if (!proc || !g_subprocess_communicate(proc, NULL, NULL, &bout, &berr, &err)) {
        g_set_error(error, ARMZ_ERROR, code, _("cannot run '%s': %s"), argv[0], err->message);
        return FALSE;
    }
    if (!g_subprocess_get_if_exited(proc) || g_subprocess_get_exit_status(proc) != 0) {
        serr = g_strstrip(text_of(berr));
        g_set_error(error, ARMZ_ERROR, code, _("'%s' failed: %s"), cmdline,
                    *serr ? serr : _("(no message)"));
        return FALSE;
    }
    if (out)
        *out = text_of(bout);
    return TRUE;
}
