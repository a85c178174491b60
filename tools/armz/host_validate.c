/* armz host-validate: the local checks of armz-host-validate (a program of
 * its own, without libvirt, like virt-host-validate) plus whether the
 * daemon answers at the URI. */
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_tree.h>
#include "cli.h"
#include "checks.h"

/* armz-host-validate of the build tree this armz comes from (which an
 * installed /usr/bin/armz has not), else the installed one;
 * $ARMZ_HOST_VALIDATE wins. */
static char *
helper_path(void)
{
    const char *env = g_getenv("ARMZ_HOST_VALIDATE");
    g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);

    if (env && *env)
        return g_strdup(env);
    if (exe) {
        g_autofree char *dir = g_path_get_dirname(exe);
        char *p = g_build_filename(dir, "..", "host-validate", "armz-host-validate", NULL);
        if (g_file_test(p, G_FILE_TEST_IS_EXECUTABLE))
            return p;
        g_free(p);
    }
    return g_build_filename(LIBEXECDIR, "armz-host-validate", NULL);
}

static const char *const status_names[] = { "PASS", "WARN", "FAIL" };

static gboolean
parse_results(const char *json, GPtrArray *list, GError **error)
{
    char errbuf[256] = "";
    yajl_val root = yajl_tree_parse(json, errbuf, sizeof(errbuf));
    const char *checks_path[] = { "checks", NULL };
    yajl_val checks;

    if (!root || !(checks = yajl_tree_get(root, checks_path, yajl_t_array))) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("armz-host-validate printed no results (%s)"), errbuf);
        if (root)
            yajl_tree_free(root);
        return FALSE;
    }
    for (size_t i = 0; i < checks->u.array.len; i++) {
        yajl_val c = checks->u.array.values[i];
        const char *id_p[] = { "id", NULL }, *st_p[] = { "status", NULL };
        const char *ti_p[] = { "title", NULL }, *de_p[] = { "detail", NULL };
        const char *id = YAJL_GET_STRING(yajl_tree_get(c, id_p, yajl_t_string));
        const char *st = YAJL_GET_STRING(yajl_tree_get(c, st_p, yajl_t_string));
        const char *title = YAJL_GET_STRING(yajl_tree_get(c, ti_p, yajl_t_string));
        const char *detail = YAJL_GET_STRING(yajl_tree_get(c, de_p, yajl_t_string));
        ArmzCheckStatus status = ARMZ_CHECK_FAIL;

        for (size_t k = 0; st && k < G_N_ELEMENTS(status_names); k++)
            if (g_str_equal(st, status_names[k]))
                status = (ArmzCheckStatus)k;
        armz_check_add(list, id ? id : "?", title ? title : "?", status, "%s",
                       detail ? detail : "");
    }
    yajl_tree_free(root);
    return TRUE;
}

static gboolean
run_local_checks(const char *device, GPtrArray *list, GError **error)
{
    g_autofree char *helper = helper_path();
    g_autofree char *out = NULL, *err_text = NULL;
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    int wait_status;

    g_ptr_array_add(args, helper);
    g_ptr_array_add(args, (char *)"--json");
    if (device) {
        g_ptr_array_add(args, (char *)"--device");
        g_ptr_array_add(args, (char *)device);
    }
    g_ptr_array_add(args, NULL);
    if (!g_spawn_sync(NULL, (char **)args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                      &err_text, &wait_status, error)) {
        g_prefix_error(error, _("cannot run %s: "), helper);
        return FALSE;
    }
    if (err_text && *err_text)
        fputs(err_text, stderr);
    return parse_results(out, list, error);
}

static void
check_daemon(ArmzCli *cli, GPtrArray *list)
{
    g_autofree char *title = g_strdup_printf(_("Checking if the daemon answers at %s"), cli->uri);
    g_autoptr(GError) err = NULL;
    virConnectPtr conn = armz_cli_connect(cli, TRUE, &err);
    unsigned long ver = 0;

    if (!conn) {
        armz_check_add(list, "daemon", title, ARMZ_CHECK_FAIL, "%s", err->message);
        return;
    }
    if (virConnectGetLibVersion(conn, &ver) == 0)
        armz_check_add(list, "daemon", title, ARMZ_CHECK_PASS, _("library version %lu.%lu.%lu"),
                       ver / 1000000, ver / 1000 % 1000, ver % 1000);
    else
        armz_check_add(list, "daemon", title, ARMZ_CHECK_PASS, NULL);
}

int
armz_cmd_host_validate(ArmzCli *cli, int argc, char **argv)
{
    gboolean json = FALSE, quiet = FALSE, no_daemon = FALSE;
    g_autofree char *device = NULL;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the results as JSON"), NULL },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
          N_("Print only the checks that do not pass"), NULL },
        { "device", 0, 0, G_OPTION_ARG_FILENAME, &device,
          N_("Check this KVM device instead of the one armz-vmm would choose"), N_("PATH") },
        { "no-daemon", 0, 0, G_OPTION_ARG_NONE, &no_daemon,
          N_("Do not check whether the daemon answers"), NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) octx = g_option_context_new(_("host-validate"));
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(armz_check_free);
    g_autoptr(GError) err = NULL;
    int status;

    g_option_context_set_summary(octx,
        _("Checks whether this host can run Arm64 guests, and how well: the KVM device and "
          "its permissions, the Arm facility on IBM Z, each KVM capability armz-vmm relies "
          "on, /dev/net/tun, cgroup v2 controllers, huge pages, and whether the daemon "
          "answers. One line per check with PASS, WARN or FAIL; the exit status is 1 when a "
          "check fails."));
    g_option_context_add_main_entries(octx, entries, GETTEXT_PACKAGE);
    if (!armz_cli_parse(octx, &argc, &argv, &status))
        return status;
    if (argc > 1) {
        armz_cli_errorf(_("host-validate: unexpected argument '%s'"), argv[1]);
        return ARMZ_CLI_USAGE;
    }
    if (!run_local_checks(device, list, &err)) {
        armz_cli_print_error(err);
        return ARMZ_CLI_FAIL;
    }
    if (!no_daemon)
        check_daemon(cli, list);
    if (json) {
        g_autofree char *text = armz_checks_to_json(list);
        printf("%s\n", text);
    } else {
        armz_checks_print(list, quiet);
    }
    return armz_checks_worst(list) == ARMZ_CHECK_FAIL ? ARMZ_CLI_FAIL : ARMZ_CLI_OK;
}
