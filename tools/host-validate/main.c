/* armz-host-validate: can this host run Arm64 guests, and how well?
 * The local checks of `armz host-validate`, a program of its own without
 * libvirt so that it also runs where only armz-vmm is installed. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib/gi18n-lib.h>
#include "checks.h"

int
main(int argc, char **argv)
{
    gboolean json = FALSE, quiet = FALSE;
    g_autofree char *device = NULL;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the results as JSON"), NULL },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
          N_("Print only the checks that do not pass"), NULL },
        { "device", 0, 0, G_OPTION_ARG_FILENAME, &device,
          N_("Check this KVM device instead of the one armz-vmm would choose"), N_("PATH") },
        { NULL }
    };
    g_autoptr(GOptionContext) octx = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(armz_check_free);
    ArmzHostPaths paths;

    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);

    octx = g_option_context_new(NULL);
    g_option_context_set_summary(octx, _("Checks whether this host can run Arm64 guests with "
                                         "armz-vmm: one line per check, PASS, WARN or FAIL.\n"
                                         "Exits with status 1 when a check fails."));
    g_option_context_add_main_entries(octx, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse(octx, &argc, &argv, &err)) {
        fprintf(stderr, "armz-host-validate: %s\n", err->message);
        return 2;
    }
    if (argc > 1) {
        fprintf(stderr, _("armz-host-validate: unexpected argument '%s'\n"), argv[1]);
        return 2;
    }
    if (!device && g_getenv("ARMZ_KVM_DEVICE") && *g_getenv("ARMZ_KVM_DEVICE"))
        device = g_strdup(g_getenv("ARMZ_KVM_DEVICE"));   /* as virtarmzd */

    armz_host_paths_default(&paths);
    armz_check_kvm(list, device, &paths);
    armz_check_tun(list, &paths);
    armz_check_cgroups(list, &paths);
    armz_check_hugepages(list, &paths);

    if (json) {
        g_autofree char *text = armz_checks_to_json(list);
        printf("%s\n", text);
    } else {
        armz_checks_print(list, quiet);
    }
    return armz_checks_worst(list) == ARMZ_CHECK_FAIL ? 1 : 0;
}
