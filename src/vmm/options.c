/* Command-line parsing of armz-vmm: the option table and the driver that
 * checks the options against each other; each device's SPEC parser is in
 * the options_*.c file named for it (options_parse.h). */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include "options_parse.h"
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

/* --topology sockets=S,cores=C,threads=T (each 1 when left out): their
 * product is --vcpus */
static gboolean
parse_topology(ArmzOptions *o, const char *s, GError **error)
{
    g_autoptr(GPtrArray) kv = split_keyvals("--topology", s, error);
    guint *dst;
    guint64 v;

    if (!kv)
        return FALSE;
    o->sockets = o->cores = o->threads = 1;
    for (guint i = 0; i < kv->len; i += 2) {
        const char *k = g_ptr_array_index(kv, i), *val = g_ptr_array_index(kv, i + 1);

        if (g_str_equal(k, "sockets"))
            dst = &o->sockets;
        else if (g_str_equal(k, "cores"))
            dst = &o->cores;
        else if (g_str_equal(k, "threads"))
            dst = &o->threads;
        else
            return unknown_key("--topology", k, "sockets, cores, threads", error);
        if (!parse_uint("--topology", val, 1, ARMZ_MAX_VCPUS, &v, error))
            return FALSE;
        *dst = (guint)v;
    }
    if ((guint64)o->sockets * o->cores * o->threads != o->vcpus) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("--topology: %u sockets x %u cores x %u threads is not --vcpus %u"),
                    o->sockets, o->cores, o->threads, o->vcpus);
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_options_parse(int argc, char **argv, ArmzOptions *o, GError **error)
{
    g_autofree char *memory = NULL, *vcpus = NULL, *serial = NULL, *irqchip = NULL;
    g_autofree char *kvm_profile = NULL;
    g_autofree char *console = NULL, *serial_log = NULL, *console_log = NULL, *rng = NULL;
    g_autofree char *flash_code = NULL, *flash_vars = NULL;
    g_autofree char *seccomp = NULL, *topology = NULL;
    g_autofree char *balloon = NULL, *vsock = NULL;
    g_auto(GStrv) disks = NULL, nets = NULL, smbios = NULL, root_ports = NULL, channels = NULL;
    g_autofree char *console_pci = NULL, *rng_pci = NULL;
    g_autofree char *scsi_pci = NULL, *channel_pci = NULL;
    g_auto(GStrv) scsi_disks = NULL, scsi_cdroms = NULL;
    g_auto(GStrv) vu_blks = NULL, vu_fss = NULL;
    /* GOption removes what it parses from ARGV: the order of the
     * vhost-user devices is read from this copy of the pointers */
    int argc_copy = argc;
    g_autofree char **argv_copy = g_memdup2(argv, sizeof(char *) * (gsize)MAX(argc, 0));
    int qmp_fd = -1;
    gboolean version = FALSE;
    GOptionEntry entries[] = {
        { "name", 0, 0, G_OPTION_ARG_STRING, &o->name, N_("guest name (for logs)"), N_("NAME") },
        { "kernel", 0, 0, G_OPTION_ARG_FILENAME, &o->kernel,
          N_("arm64 Linux Image to boot (without --flash-code: required; with it: "
             "handed to the firmware through fw_cfg)"), N_("PATH") },
        { "initrd", 0, 0, G_OPTION_ARG_FILENAME, &o->initrd, N_("initial ramdisk"), N_("PATH") },
        { "cmdline", 0, 0, G_OPTION_ARG_STRING, &o->cmdline, N_("kernel command line"),
          N_("STRING") },
        { "memory", 'm', 0, G_OPTION_ARG_STRING, &memory,
          N_("guest RAM in MiB (default 512)"), N_("MIB") },
        { "vcpus", 0, 0, G_OPTION_ARG_STRING, &vcpus, N_("number of vCPUs (default 1)"), N_("N") },
        { "topology", 0, 0, G_OPTION_ARG_STRING, &topology,
          N_("CPU topology the guest sees (device tree cpu-map, ACPI PPTT, SMBIOS): "
             "sockets=S,cores=C,threads=T, their product --vcpus"), N_("SPEC") },
        { "serial", 0, 0, G_OPTION_ARG_STRING, &serial,
          N_("serial console backend: stdio (default), pty, file:PATH, fd:N or none"),
          N_("BACKEND") },
        { "pty-file", 0, 0, G_OPTION_ARG_FILENAME, &o->serial.pty_file,
          N_("with --serial pty, also write the pty path to this file"), N_("PATH") },
        { "serial-log", 0, 0, G_OPTION_ARG_FILENAME, &serial_log,
          N_("append a copy of the serial output to file:PATH or fd:N"), N_("LOG") },
        { "console", 0, 0, G_OPTION_ARG_FILENAME, &console,
          N_("virtio console (hvc0) backend: stdio, pty, file:PATH, fd:N or none"),
          N_("BACKEND") },
        { "console-pty-file", 0, 0, G_OPTION_ARG_FILENAME, &o->console.pty_file,
          N_("with --console pty, also write the pty path to this file"), N_("PATH") },
        { "console-log", 0, 0, G_OPTION_ARG_FILENAME, &console_log,
          N_("append a copy of the virtio console output to file:PATH or fd:N"), N_("LOG") },
        { "disk", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &disks,
          N_("virtio disk (repeatable; vda, vdb, ... in this order): "
             "path=FILE|fd=N[,readonly=on][,serial=STR][,cache=MODE][,discard=unmap]"
             "[,detect-zeroes=on|unmap][,werror=stop|report|ignore|enospc][,rerror=...]"
             "[,io=threads|native|io_uring]"),
          N_("SPEC") },
        { "scsi-disk", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &scsi_disks,
          N_("disk on the virtio-scsi controller (repeatable): "
             "path=FILE|fd=N,lun=L[,id=ALIAS][,readonly=on][,serial=STR][,bootindex=N]"),
          N_("SPEC") },
        { "scsi-cdrom", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &scsi_cdroms,
          N_("CD-ROM on the virtio-scsi controller (repeatable; without path or fd: "
             "empty; media change through QMP): [path=FILE|fd=N,]lun=L[,id=ALIAS]"
             "[,bootindex=N]"),
          N_("SPEC") },
        { "net", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &nets,
          N_("virtio network card (repeatable): tap=IFNAME|fd=N[,mac=52:54:00:12:34:56]"
             "[,link=up|down]"),
          N_("SPEC") },
        { "vhost-user-blk", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &vu_blks,
          N_("virtio disk served by a vhost-user back-end such as qemu-storage-daemon "
             "(repeatable; in command-line order with --disk): "
             "socket=PATH[,id=ALIAS][,bootindex=N][,readonly=on|off]"), N_("SPEC") },
        { "vhost-user-fs", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &vu_fss,
          N_("virtio-fs shared folder served by a vhost-user back-end such as virtiofsd "
             "(repeatable): socket=PATH,tag=TAG[,id=ALIAS][,queue-size=N]"), N_("SPEC") },
        { "memfd", 0, 0, G_OPTION_ARG_NONE, &o->memfd,
          N_("guest RAM from a shared memfd (implied by the vhost-user devices)"), NULL },
        { "rng", 0, 0, G_OPTION_ARG_FILENAME, &rng,
          N_("virtio entropy source: a file such as /dev/urandom, or fd:N"), N_("PATH") },
        { "channel", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &channels,
          N_("virtio-serial port (repeatable): name=NAME,path=SOCKET|fd=N[,id=ID]"),
          N_("SPEC") },
        { "vsock", 0, 0, G_OPTION_ARG_STRING, &vsock,
          N_("virtio-vsock through vhost-vsock: cid=N|auto[,fd=M] (M: an open /dev/vhost-vsock)"),
          N_("SPEC") },
        { "balloon", 0, 0, G_OPTION_ARG_STRING, &balloon,
          N_("virtio memory balloon: on, or stats-period=SECONDS[,target=BYTES]"
             "[,deflate-on-oom=on][,free-page-reporting=on]"), N_("SPEC") },
        { "qmp", 0, 0, G_OPTION_ARG_FILENAME, &o->qmp_path,
          N_("QMP control socket to create and listen on"), N_("PATH") },
        { "qmp-fd", 0, 0, G_OPTION_ARG_INT, &qmp_fd,
          N_("QMP control socket already listening on this inherited fd"), N_("N") },
        { "kvm-device", 0, 0, G_OPTION_ARG_FILENAME, &o->kvm_device,
          N_("KVM device (default: /dev/kvm-arm64, then /dev/kvm)"), N_("PATH") },
        { "kvm-profile", 0, 0, G_OPTION_ARG_STRING, &kvm_profile,
          N_("use KVM as: native (default) or s390 (only what IBM Z's kvm-arm64 offers)"),
          N_("PROFILE") },
        { "irqchip", 0, 0, G_OPTION_ARG_STRING, &irqchip,
          N_("interrupt controller: auto (default), kernel or userspace"), N_("MODE") },
        { "pidfile", 0, 0, G_OPTION_ARG_FILENAME, &o->pidfile,
          N_("write the VMM's process id to this file"), N_("PATH") },
        { "paused", 0, 0, G_OPTION_ARG_NONE, &o->paused,
          N_("start with the vCPUs stopped (QMP cont starts them)"), NULL },
        { "flash-code", 0, 0, G_OPTION_ARG_FILENAME, &flash_code,
          N_("UEFI firmware (64 MiB flash image such as AAVMF_CODE.fd), read-only "
             "flash at 0x0: boot through it"), N_("PATH|fd:N") },
        { "flash-vars", 0, 0, G_OPTION_ARG_FILENAME, &flash_vars,
          N_("the guest's own UEFI variable store (64 MiB, a copy of AAVMF_VARS.fd), "
             "writable flash at 0x4000000"), N_("PATH|fd:N") },
        { "smbios", 0, 0, G_OPTION_ARG_STRING_ARRAY, &smbios,
          N_("SMBIOS fields (repeatable): type=0,vendor=,version=,date= | "
             "type=1,manufacturer=,product=,version=,serial=,uuid=,sku=,family= | "
             "type=3,manufacturer=,version=,serial=,asset=,sku="), N_("SPEC") },
        { "acpi", 0, 0, G_OPTION_ARG_NONE, &o->acpi,
          N_("give the firmware ACPI tables (the guest then runs on ACPI)"), NULL },
        { "vmcoreinfo", 0, 0, G_OPTION_ARG_NONE, &o->vmcoreinfo,
          N_("offer the fw_cfg file etc/vmcoreinfo to the guest kernel"), NULL },
        { "debug", 0, 0, G_OPTION_ARG_NONE, &o->debug, N_("log VMM internals on stderr"), NULL },
        { "pci", 0, 0, G_OPTION_ARG_NONE, &o->pci,
          N_("PCIe host bridge: the virtio devices become virtio-pci functions on it "
             "(MSI-X through the ITS or a GICv2m frame) instead of virtio-mmio"), NULL },
        { "pcie-root-port", 0, 0, G_OPTION_ARG_STRING_ARRAY, &root_ports,
          N_("PCIe root port on the root bus (repeatable, implies --pci); a device "
             "below it says pci=N:0; hotplug-capable (QMP device_add bus pci.N) unless "
             "hotplug=off"), N_("index=N,addr=SLOT[.FN][,chassis=C][,port=P][,hotplug=on|off]") },
        { "console-pci", 0, 0, G_OPTION_ARG_STRING, &console_pci,
          N_("PCI address of the virtio console (implies --pci); --disk and --net take "
             "pci=BUS:SLOT"), N_("BUS:SLOT") },
        { "rng-pci", 0, 0, G_OPTION_ARG_STRING, &rng_pci,
          N_("PCI address of the virtio entropy device (implies --pci)"), N_("BUS:SLOT") },
        { "scsi-pci", 0, 0, G_OPTION_ARG_STRING, &scsi_pci,
          N_("PCI address of the virtio-scsi controller (implies --pci); --balloon, "
             "--vsock and the vhost-user devices take pci=BUS:SLOT"), N_("BUS:SLOT") },
        { "channel-pci", 0, 0, G_OPTION_ARG_STRING, &channel_pci,
          N_("PCI address of the virtio-serial device of the --channel ports "
             "(implies --pci)"), N_("BUS:SLOT") },
        { "seccomp", 0, 0, G_OPTION_ARG_STRING, &seccomp,
          N_("system call filter: on (default: others kill the VMM), log or off"), N_("MODE") },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &version, N_("print the version and exit"), NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = NULL;
    guint64 v;

    o->memory_mib = 512;
    o->vcpus = 1;
    o->serial.kind = ARMZ_SERIAL_STDIO;
    o->serial.fd = o->serial.log_fd = -1;
    o->console.kind = ARMZ_SERIAL_NONE;
    o->console.fd = o->console.log_fd = -1;
    o->rng_fd = -1;
    o->qmp_fd = -1;
    o->irqchip = ARMZ_IRQCHIP_AUTO;
    o->flash_code_fd = o->flash_vars_fd = -1;
    o->seccomp = ARMZ_SECCOMP_ON;
    o->kvm_profile = ARMZ_KVM_PROFILE_NATIVE;

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
    if (!parse_firmware(o, flash_code, flash_vars, smbios, error))
        return FALSE;
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
    if (topology && !parse_topology(o, topology, error))
        return FALSE;
    if (serial && !parse_backend("--serial", serial, &o->serial, error))
        return FALSE;
    if (o->serial.pty_file && o->serial.kind != ARMZ_SERIAL_PTY) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--pty-file needs --serial pty"));
        return FALSE;
    }
    if (serial_log && !parse_log("--serial-log", serial_log, &o->serial, error))
        return FALSE;
    if (console) {
        o->has_console = TRUE;
        if (!parse_backend("--console", console, &o->console, error))
            return FALSE;
        if (o->console.kind == ARMZ_SERIAL_LISTEN) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s",
                        _("--console: listen:fd:N is a --serial backend only"));
            return FALSE;
        }
    }
    if (o->console.pty_file && (!o->has_console || o->console.kind != ARMZ_SERIAL_PTY)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--console-pty-file needs --console pty"));
        return FALSE;
    }
    if (console_log) {
        if (!o->has_console) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                        _("--console-log needs --console"));
            return FALSE;
        }
        if (!parse_log("--console-log", console_log, &o->console, error))
            return FALSE;
    }
    if (o->has_console && o->console.kind == ARMZ_SERIAL_STDIO &&
        o->serial.kind == ARMZ_SERIAL_STDIO) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--console stdio: standard input is already the serial line's "
                      "(add --serial none, pty, file:PATH or fd:N)"));
        return FALSE;
    }
    o->ndisks = disks ? g_strv_length(disks) : 0;
    o->disks = g_new0(ArmzDiskOpt, o->ndisks + 1);
    for (guint i = 0; i < o->ndisks; i++)
        if (!parse_disk(disks[i], &o->disks[i], error))
            return FALSE;
    o->nnets = nets ? g_strv_length(nets) : 0;
    o->nets = g_new0(ArmzNetOpt, o->nnets + 1);
    for (guint i = 0; i < o->nnets; i++)
        if (!parse_net(nets[i], &o->nets[i], error))
            return FALSE;
    if (rng) {
        o->has_rng = TRUE;
        if (g_str_has_prefix(rng, "fd:")) {
            if (!parse_uint("--rng fd:", rng + 3, 0, G_MAXINT, &v, error))
                return FALSE;
            o->rng_fd = (int)v;
        } else {
            o->rng_path = g_strdup(rng);
        }
    }
    o->nchannels = channels ? g_strv_length(channels) : 0;
    o->channels = g_new0(ArmzChannelOpt, o->nchannels + 1);
    for (guint i = 0; i < o->nchannels; i++)
        if (!parse_channel(channels[i], &o->channels[i], error))
            return FALSE;
    if (o->nchannels > ARMZ_SERIAL_MAX_PORTS) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("too many --channel ports: at most %d"), ARMZ_SERIAL_MAX_PORTS);
        return FALSE;
    }
    if (vsock) {
        o->has_vsock = TRUE;
        if (!parse_vsock(vsock, &o->vsock, error))
            return FALSE;
    }
    if (balloon) {
        o->has_balloon = TRUE;
        if (!parse_balloon(balloon, &o->balloon, error))
            return FALSE;
    }
    if (!parse_scsi_all(o, scsi_disks, scsi_cdroms, error))
        return FALSE;
    if (!parse_vhost_users(argc_copy, argv_copy, vu_blks, vu_fss, o, error))
        return FALSE;
    if (o->ndisks + o->nnets + (o->has_console ? 1 : 0) + (o->has_rng ? 1 : 0) +
        (o->has_balloon ? 1 : 0) + (o->nchannels ? 1 : 0) + (o->has_vsock ? 1 : 0) +
        o->nvhost_user + (o->nscsi ? 1 : 0) > ARMZ_VIRTIO_MAX_SLOTS) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("too many virtio devices: --disk, --vhost-user-blk, --net, --console, "
                      "--rng, --vhost-user-fs, --balloon, --channel, --vsock and the SCSI "
                      "controller give at most %d"), ARMZ_VIRTIO_MAX_SLOTS);
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
    if (seccomp && !armz_seccomp_parse_mode(seccomp, &o->seccomp, error))
        return FALSE;
    if (kvm_profile &&
        !armz_kvm_profile_parse_spec(kvm_profile, &o->kvm_profile, &o->kvm_readonly_mem)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("--kvm-profile: unknown profile '%s' (native, s390, s390+readonly-mem)"),
                    kvm_profile);
        return FALSE;
    }
    /* the s390 host has no in-kernel GIC */
    if (o->kvm_profile == ARMZ_KVM_PROFILE_S390 && o->irqchip == ARMZ_IRQCHIP_KERNEL) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--irqchip=kernel: the s390 KVM profile has no in-kernel interrupt "
                      "controller"));
        return FALSE;
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
    if (!pci_more_parse(o, scsi_pci, channel_pci, error) ||
        !armz_pci_options_parse(o, root_ports, console_pci, rng_pci, error))
        return FALSE;
    if (o->pci && o->ndisks + o->nnets + o->has_console + o->has_rng >= ARMZ_PCIE_MAX_SLOTS) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("--pci: at most %d virtio devices"), ARMZ_PCIE_MAX_SLOTS - 1);
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
    char_opt_clear(&o->serial);
    char_opt_clear(&o->console);
    for (guint i = 0; o->disks && i < o->ndisks; i++) {
        g_free(o->disks[i].path);
        g_free(o->disks[i].serial);
        g_free(o->disks[i].id);
    }
    g_free(o->disks);
    g_free(o->root_ports);
    for (guint i = 0; o->scsi && i < o->nscsi; i++) {
        g_free(o->scsi[i].path);
        g_free(o->scsi[i].id);
        g_free(o->scsi[i].serial);
    }
    g_free(o->scsi);
    for (guint i = 0; o->nets && i < o->nnets; i++) {
        g_free(o->nets[i].tap);
        g_free(o->nets[i].id);
    }
    g_free(o->nets);
    for (guint i = 0; o->channels && i < o->nchannels; i++) {
        g_free(o->channels[i].name);
        g_free(o->channels[i].path);
        g_free(o->channels[i].id);
    }
    g_free(o->channels);
    for (guint i = 0; o->vhost_user && i < o->nvhost_user; i++) {
        g_free(o->vhost_user[i].socket);
        g_free(o->vhost_user[i].id);
        g_free(o->vhost_user[i].tag);
    }
    g_free(o->vhost_user);
    g_free(o->rng_path);
    g_free(o->qmp_path);
    g_free(o->kvm_device);
    g_free(o->pidfile);
    g_free(o->flash_code);
    g_free(o->flash_vars);
    armz_smbios_clear(&o->smbios);
}
