/* Command-line parsing of armz-vmm. */
#include <inttypes.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <glib/gi18n-lib.h>
#include "options.h"
#include "layout.h"
#include "vmmlog.h"

const char *
armz_irqchip_mode_name(ArmzIrqchipMode mode)
{
    switch (mode) {
    case ARMZ_IRQCHIP_KERNEL: return "kernel";
    case ARMZ_IRQCHIP_USERSPACE: return "userspace";
    default: return "auto";
    }
}

static gboolean
parse_uint(const char *opt, const char *s, guint64 min, guint64 max, guint64 *out,
           GError **error)
{
    guint64 v;
    if (!g_ascii_string_to_unsigned(s, 10, min, max, &v, NULL)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("%s: '%s' is not a number from %" PRIu64 " to %"
                      PRIu64), opt, s, min, max);
        return FALSE;
    }
    *out = v;
    return TRUE;
}

gboolean
armz_options_parse(int argc, char **argv, ArmzOptions *o, GError **error)
{
    g_autofree char *memory = NULL, *vcpus = NULL, *serial = NULL, *irqchip = NULL;
    int qmp_fd = -1;
    gboolean version = FALSE;
    GOptionEntry entries[] = {
        { "name", 0, 0, G_OPTION_ARG_STRING, &o->name, N_("guest name (for logs)"), N_("NAME") },
        { "kernel", 0, 0, G_OPTION_ARG_FILENAME, &o->kernel,
          N_("arm64 Linux Image to boot (required)"), N_("PATH") },
        { "initrd", 0, 0, G_OPTION_ARG_FILENAME, &o->initrd, N_("initial ramdisk"), N_("PATH") },
        { "cmdline", 0, 0, G_OPTION_ARG_STRING, &o->cmdline, N_("kernel command line"),
          N_("STRING") },
        { "memory", 'm', 0, G_OPTION_ARG_STRING, &memory,
          N_("guest RAM in MiB (default 512)"), N_("MIB") },
        { "vcpus", 0, 0, G_OPTION_ARG_STRING, &vcpus, N_("number of vCPUs (default 1)"), N_("N") },
        { "serial", 0, 0, G_OPTION_ARG_STRING, &serial,
          N_("serial console backend: stdio (default), pty, file:PATH, fd:N or none"),
          N_("BACKEND") },
        { "pty-file", 0, 0, G_OPTION_ARG_FILENAME, &o->pty_file,
          N_("with --serial pty, also write the pty path to this file"), N_("PATH") },
        { "qmp", 0, 0, G_OPTION_ARG_FILENAME, &o->qmp_path,
          N_("QMP control socket to create and listen on"), N_("PATH") },
        { "qmp-fd", 0, 0, G_OPTION_ARG_INT, &qmp_fd,
          N_("QMP control socket already listening on this inherited fd"), N_("N") },
        { "kvm-device", 0, 0, G_OPTION_ARG_FILENAME, &o->kvm_device,
          N_("KVM device (default: /dev/kvm-arm64, then /dev/kvm)"), N_("PATH") },
        { "irqchip", 0, 0, G_OPTION_ARG_STRING, &irqchip,
          N_("interrupt controller: auto (default), kernel or userspace"), N_("MODE") },
        { "pidfile", 0, 0, G_OPTION_ARG_FILENAME, &o->pidfile,
          N_("write the VMM's process id to this file"), N_("PATH") },
        { "paused", 0, 0, G_OPTION_ARG_NONE, &o->paused,
          N_("start with the vCPUs stopped (QMP cont starts them)"), NULL },
        { "debug", 0, 0, G_OPTION_ARG_NONE, &o->debug, N_("log VMM internals on stderr"), NULL },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &version, N_("print the version and exit"), NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = NULL;
    guint64 v;

    o->memory_mib = 512;
    o->vcpus = 1;
    o->serial = ARMZ_SERIAL_STDIO;
    o->serial_fd = -1;
    o->qmp_fd = -1;
    o->irqchip = ARMZ_IRQCHIP_AUTO;

    ctx = g_option_context_new(NULL);
    g_option_context_set_summary(ctx, _("armz-vmm: lightweight arm64 virtual machine monitor "
                                        "(one process per guest) on the arm64 KVM interface."));
    g_option_context_set_description(ctx,
        _("Exit status: 0 when the guest powers off (or on QMP quit / SIGTERM),\n"
          "1 when the VMM fails (one line on stderr names the cause), 2 on usage errors.\n"
          "See armz-vmm(8)."));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, &argc, &argv, error))
        return FALSE;
    if (version) {
        printf("armz-vmm %s\n", PACKAGE_VERSION);
        exit(0);
    }
    if (argc > 1) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("unexpected argument '%s'"), argv[1]);
        return FALSE;
    }
    if (!o->kernel) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("--kernel is required"));
        return FALSE;
    }
    if (memory) {
        if (!parse_uint("--memory", memory, 16, 1024 * 1024, &v, error))
            return FALSE;
        o->memory_mib = v;
    }
    if (vcpus) {
        if (!parse_uint("--vcpus", vcpus, 1, ARMZ_MAX_VCPUS, &v, error))
            return FALSE;
        o->vcpus = (guint)v;
    }
    if (serial) {
        if (g_str_equal(serial, "stdio")) {
            o->serial = ARMZ_SERIAL_STDIO;
        } else if (g_str_equal(serial, "pty")) {
            o->serial = ARMZ_SERIAL_PTY;
        } else if (g_str_equal(serial, "none")) {
            o->serial = ARMZ_SERIAL_NONE;
        } else if (g_str_has_prefix(serial, "file:") && serial[5]) {
            o->serial = ARMZ_SERIAL_FILE;
            o->serial_path = g_strdup(serial + 5);
        } else if (g_str_has_prefix(serial, "fd:")) {
            if (!parse_uint("--serial fd:", serial + 3, 0, G_MAXINT, &v, error))
                return FALSE;
            o->serial = ARMZ_SERIAL_FD;
            o->serial_fd = (int)v;
        } else {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        _("--serial: unknown backend '%s' (stdio, pty, file:PATH, fd:N, none)"),
                        serial);
            return FALSE;
        }
    }
    if (o->pty_file && o->serial != ARMZ_SERIAL_PTY) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--pty-file needs --serial pty"));
        return FALSE;
    }
    if (irqchip) {
        if (g_str_equal(irqchip, "auto"))
            o->irqchip = ARMZ_IRQCHIP_AUTO;
        else if (g_str_equal(irqchip, "kernel"))
            o->irqchip = ARMZ_IRQCHIP_KERNEL;
        else if (g_str_equal(irqchip, "userspace"))
            o->irqchip = ARMZ_IRQCHIP_USERSPACE;
        else {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        _("--irqchip: unknown mode '%s' (auto, kernel, userspace)"), irqchip);
            return FALSE;
        }
    }
    if (o->qmp_path && qmp_fd >= 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--qmp and --qmp-fd exclude each other"));
        return FALSE;
    }
    o->qmp_fd = qmp_fd;
    if (o->irqchip == ARMZ_IRQCHIP_USERSPACE && o->vcpus > ARMZ_MAX_VCPUS_GICV2) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--irqchip=userspace supports at most %d vCPUs"), ARMZ_MAX_VCPUS_GICV2);
        return FALSE;
    }
    return TRUE;
}

void
armz_options_clear(ArmzOptions *o)
{
    g_free(o->name);
    g_free(o->kernel);
    g_free(o->initrd);
    g_free(o->cmdline);
    g_free(o->serial_path);
    g_free(o->pty_file);
    g_free(o->qmp_path);
    g_free(o->kvm_device);
    g_free(o->pidfile);
}
