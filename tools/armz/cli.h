/* armz: the management CLI (a libvirt client, like virsh). */
#pragma once
#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <glib/gi18n-lib.h>

/* exit statuses */
#define ARMZ_CLI_OK     0
#define ARMZ_CLI_FAIL   1
#define ARMZ_CLI_USAGE  2

/* GErrors of armz: the code is the virErrorNumber of the failure (or
 * VIR_ERR_INTERNAL_ERROR for the CLI's own problems). */
#define ARMZ_CLI_ERROR (armz_cli_error_quark())
GQuark armz_cli_error_quark(void);

typedef struct {
    char *uri;              /* -c URI, or armz_cli_default_uri() */
    virConnectPtr conn;     /* opened on demand by armz_cli_connect */
    gboolean readonly;
} ArmzCli;

/* armz:///system for root, armz:///session otherwise ($ARMZ_DEFAULT_URI
 * wins). */
char *armz_cli_default_uri(void);
/* Opens CLI->uri (read-only when READONLY); on failure ERROR says why in
 * the user's terms: daemon not running and how to start it, permission
 * denied and which group to join, ... */
virConnectPtr armz_cli_connect(ArmzCli *cli, gboolean readonly, GError **error);
void armz_cli_disconnect(ArmzCli *cli);
/* The last libvirt error as a GError, prefixed with CONTEXT when given;
 * VIR_ERR_NO_SUPPORT becomes "the daemon does not offer ..." */
GError *armz_cli_libvirt_error(const char *context_fmt, ...) G_GNUC_PRINTF(1, 2);
/* "armz: error: MESSAGE" on stderr */
void armz_cli_print_error(const GError *error);
void armz_cli_errorf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Parses a GOptionContext of a subcommand; prints usage errors.
 * FALSE: *status is set (0 after --help, 2 on a usage error). */
gboolean armz_cli_parse(GOptionContext *octx, int *argc, char ***argv, int *status);

/* subcommands: ARGV[0] is the subcommand's name */
int armz_cmd_create(ArmzCli *cli, int argc, char **argv);
int armz_cmd_host_validate(ArmzCli *cli, int argc, char **argv);
int armz_cmd_top(ArmzCli *cli, int argc, char **argv);
int armz_cmd_image(ArmzCli *cli, int argc, char **argv);

/* console.c: attaches the terminal to DOM's console until ^] or its end */
int armz_console_attach(virDomainPtr dom, GError **error);
