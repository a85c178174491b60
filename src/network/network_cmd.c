/* Host tools for the network driver (see network_cmd.h). */
#include <string.h>
#include <sys/wait.h>
#include <gio/gio.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "network/network_cmd.h"

char *
armz_net_tool(const char *tool, GError **error)
{
    g_autofree char *var = g_ascii_strup(tool, -1);
    g_autofree char *env_name = g_strconcat("ARMZ_", var, NULL);
    const char *env = g_getenv(env_name);
    char *found;

    if (env && *env)
        return g_strdup(env);
    if ((found = g_find_program_in_path(tool)))
        return found;
    /* the daemon's PATH may lack the sbin directories */
    for (const char *const *dir = (const char *const[]){ "/usr/sbin", "/sbin", NULL }; *dir; dir++) {
        g_autofree char *p = g_build_filename(*dir, tool, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_EXECUTABLE))
            return g_steal_pointer(&p);
    }
    g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                _("cannot find the program '%s' (set %s to its path)"), tool, env_name);
    return NULL;
}

/* The output as valid, stripped UTF-8. */
static char *
text_of(GBytes *bytes)
{
    gsize len = 0;
    const char *data = bytes ? g_bytes_get_data(bytes, &len) : NULL;
    char *text = g_utf8_make_valid(data ? data : "", data ? (gssize)len : 0);

    return g_strstrip(text);
}

gboolean
armz_net_run(const char *const *argv, const char *input, char **output, GError **error)
{
    g_autofree char *prog = armz_net_tool(argv[0], error);
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GBytes) in = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(GBytes) out = NULL, errout = NULL;
    g_autofree char *errtext = NULL;
    g_autofree char *cmdline = NULL;

    if (!prog)
        return FALSE;
    g_ptr_array_add(args, prog);
    for (guint i = 1; argv[i]; i++)
        g_ptr_array_add(args, (gpointer)argv[i]);
    g_ptr_array_add(args, NULL);
    cmdline = g_strjoinv(" ", (char **)args->pdata);
    armz_debug("running: %s", cmdline);

    proc = g_subprocess_newv((const char *const *)args->pdata,
                             G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE |
                             (input ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0), &err);
    /* bytes, not UTF-8: a tool's message in another encoding is still
     * worth reporting */
    if (input)
        in = g_bytes_new_static(input, strlen(input));
    if (!proc || !g_subprocess_communicate(proc, in, NULL, &out, &errout, &err)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot run '%s': %s"), cmdline, err->message);
        return FALSE;
    }
    if (!g_subprocess_get_if_exited(proc) || g_subprocess_get_exit_status(proc) != 0) {
        errtext = text_of(errout);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("'%s' failed: %s"), cmdline,
                    *errtext ? errtext : _("it exited with an error"));
        return FALSE;
    }
    if (output)
        *output = text_of(out);
    return TRUE;
}
