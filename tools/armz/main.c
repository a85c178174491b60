/* armz: what virsh does not cover for Arm64 guests: host validation,
 * guest creation, a guest image, a live view. Dispatches to the
 * subcommands; each has its own options and --help. */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

typedef struct {
    const char *name;
    int (*run)(ArmzCli *cli, int argc, char **argv);
    const char *summary;
} ArmzCommand;

static const ArmzCommand commands[] = {
    { "create", armz_cmd_create, N_("Define an Arm64 guest from a few options (and start it)") },
    { "host-validate", armz_cmd_host_validate, N_("Check whether this host can run Arm64 guests") },
    { "image", armz_cmd_image, N_("Build a small bootable Arm64 guest (image build)") },
    { "top", armz_cmd_top, N_("Live table of the guests; q quits") },
};

static void
silent_libvirt_errors(void *opaque, virErrorPtr err)
{
    /* reported once, by the command that failed */
}

gboolean
armz_cli_parse(GOptionContext *octx, int *argc, char ***argv, int *status)
{
    g_autoptr(GError) err = NULL;

    if (!g_option_context_parse(octx, argc, argv, &err)) {
        fprintf(stderr, _("armz %s: %s\n"), (*argv)[0], err->message);
        fprintf(stderr, _("Try 'armz %s --help'.\n"), (*argv)[0]);
        *status = ARMZ_CLI_USAGE;
        return FALSE;
    }
    return TRUE;
}

static char *
commands_text(void)
{
    GString *s = g_string_new(_("Commands:\n"));

    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        g_string_append_printf(s, "  %-16s %s\n", commands[i].name, _(commands[i].summary));
    g_string_append_printf(s, "\n%s", _("'armz COMMAND --help' describes the options of a command."));
    return g_string_free(s, FALSE);
}

static const ArmzCommand *
find_command(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        if (g_str_equal(commands[i].name, name))
            return &commands[i];
    return NULL;
}

int
main(int argc, char **argv)
{
    g_autofree char *uri = NULL, *desc = NULL;
    gboolean version = FALSE;
    GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING, &uri,
          N_("Connect to URI (default armz:///system for root, armz:///session otherwise)"),
          N_("URI") },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) octx = NULL;
    g_autoptr(GError) err = NULL;
    const ArmzCommand *cmd;
    ArmzCli cli = { 0 };
    int status;

    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);

    octx = g_option_context_new(_("COMMAND [OPTION...]"));
    g_option_context_set_summary(octx, _("Manage Arm64 guests of virtarmzd: what virsh does "
                                         "not cover."));
    desc = commands_text();
    g_option_context_set_description(octx, desc);
    g_option_context_add_main_entries(octx, entries, GETTEXT_PACKAGE);
    /* options after the command are the command's */
    g_option_context_set_strict_posix(octx, TRUE);
    if (!g_option_context_parse(octx, &argc, &argv, &err)) {
        fprintf(stderr, "armz: %s\n", err->message);
        fprintf(stderr, "%s\n", _("Try 'armz --help'."));
        return ARMZ_CLI_USAGE;
    }
    if (version) {
        printf("armz %s\n", PACKAGE_VERSION);
        return ARMZ_CLI_OK;
    }
    if (argc < 2) {
        g_autofree char *help = g_option_context_get_help(octx, TRUE, NULL);
        fputs(help, stderr);
        return ARMZ_CLI_USAGE;
    }
    if (g_str_equal(argv[1], "help")) {
        if (argc < 3) {
            g_autofree char *help = g_option_context_get_help(octx, TRUE, NULL);
            fputs(help, stdout);
            return ARMZ_CLI_OK;
        }
        if (!(cmd = find_command(argv[2]))) {
            armz_cli_errorf(_("unknown command '%s' (try 'armz --help')"), argv[2]);
            return ARMZ_CLI_USAGE;
        }
        char *hargv[] = { (char *)cmd->name, (char *)"--help", NULL };
        return cmd->run(&cli, 2, hargv);
    }
    if (!(cmd = find_command(argv[1]))) {
        armz_cli_errorf(_("unknown command '%s' (try 'armz --help')"), argv[1]);
        return ARMZ_CLI_USAGE;
    }

    virSetErrorFunc(NULL, silent_libvirt_errors);
    /* before any connection: consoles, top and uploads run libvirt's
     * default event loop */
    if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0) {
        armz_cli_errorf(_("cannot initialize the libvirt library"));
        return ARMZ_CLI_FAIL;
    }
    cli.uri = uri ? g_strdup(uri) : armz_cli_default_uri();
    status = cmd->run(&cli, argc - 1, argv + 1);
    armz_cli_disconnect(&cli);
    g_free(cli.uri);
    return status;
}
