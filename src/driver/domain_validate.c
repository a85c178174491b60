/* Domain definition -> accepted or refused, at define and at start. Pure:
 * reads the definition, nothing of the host. */
#include <stdarg.h>
#include <string.h>
#include <libvirt/virterror.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/number.h"
#include "util/uuid.h"
#include "driver/domain_validate.h"
#include "driver/pci_address.h"

/* Disk names vd[a-z]+ beyond this many letters are refused as invalid
 * (keeps the index arithmetic far from overflow). */
#define DISK_NAME_MAX_LETTERS 6

static const char *const virt_types[] = { "kvm", "qemu", NULL };
/* host-passthrough, maximum and host-model all give the guest the host's
 * CPU: KVM on arm64 offers nothing else to choose. */
static const char *const cpu_modes[] = { "host-passthrough", "host-model", "maximum", NULL };
/* armz-vmm picks the GIC the host offers (--irqchip auto) */
static const char *const gic_versions[] = { "host", NULL };
static const char *const disk_devices[] = { "disk", "cdrom", NULL };
static const char *const disk_buses[] = { "virtio", "scsi", NULL };
static const char *const disk_driver_names[] = { "qemu", NULL };
static const char *const disk_formats[] = { "raw", "qcow2", NULL };
/* QEMU's modes: the daemon opens the image with O_DIRECT / O_DSYNC as the
 * mode asks and armz-vmm shows the guest a write cache accordingly */
static const char *const disk_caches[] = {
    "default", "none", "writethrough", "writeback", "directsync", "unsafe", NULL };
/* armz-vmm does a disk's I/O on its own worker thread, with preadv/pwritev,
 * Linux AIO or io_uring (where the build has liburing) */
static const char *const disk_ios[] = { "threads", "native",
#if ARMZ_HAVE_IO_URING
                                        "io_uring",
#endif
                                        NULL };
static const char *const disk_discards[] = { "ignore", "unmap", NULL };
/* where armz puts every virtio device */
static const char *const device_addresses[] = { "virtio-mmio", "pci", NULL };
static const char *const net_models[] = { "virtio", NULL };
static const char *const chr_types[] = { "pty", "file", "null", "tcp", NULL };
static const char *const serial_targets[] = { "system-serial", NULL };
static const char *const serial_models[] = { "pl011", NULL };
/* libvirt's default console target on arm is the serial port */
static const char *const console_targets[] = { "serial", "virtio", NULL };
static const char *const rng_models[] = { "virtio", NULL };
static const char *const rng_backends[] = { "random", NULL };
static const char *const rng_sources[] = { "/dev/urandom", "/dev/random", NULL };
static const char *const memballoon_models[] = { "virtio", "none", NULL };
static const char *const channel_types[] = { "unix", "pty", NULL };
static const char *const channel_targets[] = { "virtio", NULL };
/* where libvirt puts a channel: a port of its virtio-serial controller */
static const char *const channel_addresses[] = { "virtio-serial", "virtio-mmio", NULL };

const ArmzDomainSupport armz_domain_support = {
    .virt_types = virt_types,
    .cpu_modes = cpu_modes,
    .gic_versions = gic_versions,
    .disk_devices = disk_devices,
    .disk_buses = disk_buses,
    .disk_driver_names = disk_driver_names,
    .disk_formats = disk_formats,
    .disk_caches = disk_caches,
    .disk_ios = disk_ios,
    .disk_discards = disk_discards,
    .device_addresses = device_addresses,
    .net_models = net_models,
    .chr_types = chr_types,
    .serial_targets = serial_targets,
    .serial_models = serial_models,
    .console_targets = console_targets,
    .rng_models = rng_models,
    .rng_backends = rng_backends,
    .rng_sources = rng_sources,
    .memballoon_models = memballoon_models,
    .channel_types = channel_types,
    .channel_targets = channel_targets,
};

static gboolean G_GNUC_PRINTF(3, 4)
fail(GError **error, int code, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, ARMZ_ERROR, code, msg);
    return FALSE;
}

/* VALUE is accepted: absent (the default is) or in LIST. */
static gboolean
ok_value(const char *const *list, const char *value)
{
    return !value || g_strv_contains(list, value);
}

/* ---------------- small checks ---------------- */

/* The daemon opens these paths with "/" as its working directory, and the
 * VMM may run elsewhere: a relative path would name some other file. */
gboolean
armz_domain_check_abs_path(const char *path, const char *what, GError **error)
{
    if (!path || !*path)
        return fail(error, VIR_ERR_XML_ERROR, _("missing path of %s"), what);
    if (!g_path_is_absolute(path))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("relative path '%s' of %s is not supported: give an absolute path"),
                    path, what);
    return TRUE;
}

/* Any other bus than virtio-mmio cannot be honoured. */
static gboolean
check_virtio_address(const ArmzDomainAddressDef *address, const char *what, GError **error)
{
    if (!address || (address->type && g_strv_contains(device_addresses, address->type)))
        return TRUE;
    return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                _("<address type='%s'> of %s is not supported by the armz driver: "
                  "its devices sit on virtio-mmio or PCI"),
                address->type ? address->type : "", what);
}

/* ---------------- domain-wide settings ---------------- */

static gboolean
check_virt_type(const ArmzDomainDef *def, GError **error)
{
    if (!def->virt_type || !g_strv_contains(virt_types, def->virt_type))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<domain type='%s'> is not supported by the armz driver"),
                    def->virt_type ? def->virt_type : "");
    return TRUE;
}

static gboolean
check_memory(const ArmzDomainDef *def, GError **error)
{
    guint64 mib;

    if (def->current_memory_kib && def->current_memory_kib < def->memory_kib &&
        !(def->has_memballoon && def->memballoon.virtio))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("currentMemory (%llu KiB) below memory (%llu KiB) needs "
                      "<memballoon model='virtio'>"),
                    def->current_memory_kib, def->memory_kib);
    /* whole MiB, as the plan gives armz-vmm */
    mib = def->memory_kib / 1024 + (def->memory_kib % 1024 != 0);
    if (mib < ARMZ_LAUNCH_MIN_MEMORY_MIB)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("memory size %llu KiB is below the minimum of %u MiB"),
                    def->memory_kib, (unsigned int)ARMZ_LAUNCH_MIN_MEMORY_MIB);
    if (mib > ARMZ_LAUNCH_MAX_MEMORY_MIB)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("memory size %llu KiB exceeds the maximum of %u MiB"),
                    def->memory_kib, (unsigned int)ARMZ_LAUNCH_MAX_MEMORY_MIB);
    return TRUE;
}

static gboolean
check_vcpus(const ArmzDomainDef *def, GError **error)
{
    if (def->vcpus > ARMZ_LAUNCH_MAX_VCPUS)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("Maximum CPUs greater than specified machine type limit %u"),
                    (unsigned int)ARMZ_LAUNCH_MAX_VCPUS);
    if (def->vcpus_current && def->vcpus_current < def->vcpus)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("%u of %u vCPUs online at boot needs vCPU hotplug, which the armz "
                      "driver does not support"),
                    def->vcpus_current, def->vcpus);
    if (def->vcpu_cpuset)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<vcpu cpuset='%s'> (vCPU pinning) is not supported by the armz driver"),
                    def->vcpu_cpuset);
    return TRUE;
}

static gboolean
check_os(const ArmzDomainDef *def, GError **error)
{
    /* with firmware, a <kernel> is handed to it (fw_cfg) */
    if (!armz_domain_uses_firmware(def) && (!def->os_kernel || !*def->os_kernel))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("no <kernel> and no firmware given: a guest boots through UEFI "
                      "(<os firmware='efi'>) or a kernel directly (<os><kernel>)"));
    if (def->os_dtb)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<dtb> is not supported: armz-vmm generates the guest's device tree"));
    if (def->os_kernel && !armz_domain_check_abs_path(def->os_kernel, "<kernel>", error))
        return FALSE;
    if (def->os_initrd && !armz_domain_check_abs_path(def->os_initrd, "<initrd>", error))
        return FALSE;
    /* <boot dev=''> and <boot order=''> select what firmware boots from; with
     * a kernel booted directly they have no effect, as with libvirt's QEMU
     * driver. They are accepted. */
    return TRUE;
}

static gboolean
check_cpu(const ArmzDomainDef *def, GError **error)
{
    const ArmzDomainCpuDef *cpu = def->cpu;
    unsigned int s, d, c, t;

    if (!cpu)
        return TRUE;
    /* match, check and migratable change nothing for the host's CPU and are
     * accepted */
    if (!ok_value(cpu_modes, cpu->mode))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("CPU mode '%s' is not supported by the armz driver: use "
                      "'host-passthrough', 'host-model' or 'maximum'"), cpu->mode);
    if (cpu->model && *cpu->model)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("CPU model '%s' is not supported by the armz driver: guests get the "
                      "host's CPU"), cpu->model);
    if (cpu->features->len) {
        const ArmzDomainCpuFeatureDef *f = g_ptr_array_index(cpu->features, 0);
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("CPU feature '%s' is not supported by the armz driver: guests get the "
                      "host's CPU as it is"), f->name);
    }
    if (!cpu->sockets && !cpu->dies && !cpu->cores && !cpu->threads)
        return TRUE;
    s = cpu->sockets ? cpu->sockets : 1;
    d = cpu->dies ? cpu->dies : 1;
    c = cpu->cores ? cpu->cores : 1;
    t = cpu->threads ? cpu->threads : 1;
    if ((guint64)s * d * c * t != def->vcpus)
        return fail(error, VIR_ERR_XML_ERROR,
                    _("CPU topology doesn't match maximum vcpu count"));
    /* armz-vmm --topology: device tree cpu-map, ACPI PPTT, SMBIOS; no dies */
    if (d != 1)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("CPU topology of %u dies is not supported by the armz driver"), d);
    return TRUE;
}

static gboolean
check_features(const ArmzDomainDef *def, GError **error)
{
    for (guint i = 0; i < def->features->len; i++) {
        const ArmzDomainFeatureDef *f = g_ptr_array_index(def->features, i);

        /* a feature switched off is honoured: armz provides none of them */
        if (f->state == ARMZ_TRISTATE_OFF || armz_domain_platform_feature(f->name))
            continue;
        if (g_str_equal(f->name, "gic")) {
            if (ok_value(gic_versions, f->gic_version))
                continue;
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("<gic version='%s'> is not supported by the armz driver: armz-vmm "
                          "uses the GIC the host offers (<gic version='host'/>)"),
                        f->gic_version);
        }
        if (g_str_equal(f->name, "pmu"))
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("the PMU is not supported by the armz driver (use <pmu state='off'/>)"));
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("The '%s' feature is not supported for architecture '%s' or machine "
                      "type '%s'"), f->name, def->os_arch ? def->os_arch : "aarch64",
                    def->os_machine ? def->os_machine : "virt");
    }
    return TRUE;
}

static gboolean
check_clock(const ArmzDomainDef *def, GError **error)
{
    /* The PL031 RTC shows the host's UTC time. */
    if (def->clock_offset && !g_str_equal(def->clock_offset, "utc"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("clock offset '%s' is not supported by the armz driver: the guest's "
                      "RTC runs in UTC"), def->clock_offset);
    if (def->clock_adjustment || def->clock_basis || def->clock_timezone)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("clock adjustments are not supported by the armz driver: the guest's "
                      "RTC runs in UTC"));
    for (guint i = 0; i < def->clock_timers->len; i++) {
        const ArmzDomainTimerDef *t = g_ptr_array_index(def->clock_timers, i);
        if (!armz_domain_ignored_timer(t->name))
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported timer type (name) '%s'"), t->name ? t->name : "");
    }
    return TRUE;
}

static gboolean
check_lifecycle(const ArmzDomainDef *def, GError **error)
{
    if (def->on_poweroff == ARMZ_DOMAIN_LIFECYCLE_RENAME_RESTART ||
        def->on_reboot == ARMZ_DOMAIN_LIFECYCLE_RENAME_RESTART ||
        def->on_crash == ARMZ_DOMAIN_LIFECYCLE_RENAME_RESTART)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("the armz driver doesn't support the 'rename-restart' action for "
                      "'on_reboot'/'on_poweroff'/'on_crash'"));
    /* a stopped guest cannot be kept for inspection: the VMM has exited */
    if (def->on_poweroff == ARMZ_DOMAIN_LIFECYCLE_PRESERVE ||
        def->on_reboot == ARMZ_DOMAIN_LIFECYCLE_PRESERVE)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("the armz driver doesn't support the 'preserve' action for "
                      "'on_reboot'/'on_poweroff'"));
    if (def->on_crash == ARMZ_DOMAIN_LIFECYCLE_COREDUMP_DESTROY ||
        def->on_crash == ARMZ_DOMAIN_LIFECYCLE_COREDUMP_RESTART)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("the armz driver doesn't support the '%s' action for 'on_crash': "
                      "armz-vmm cannot dump guest memory"),
                    armz_domain_lifecycle_action_to_string(def->on_crash));
    if (def->on_poweroff == ARMZ_DOMAIN_LIFECYCLE_RESTART &&
        def->on_reboot == ARMZ_DOMAIN_LIFECYCLE_DESTROY)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("the armz driver doesn't support 'on_reboot' set to 'destroy' and "
                      "'on_poweroff' set to 'restart'"));
    return TRUE;
}

static gboolean
check_pm(const ArmzDomainDef *def, GError **error)
{
    /* suspend disabled is what armz offers; anything else is not */
    if (def->pm_suspend_to_mem == ARMZ_TRISTATE_ON ||
        def->pm_suspend_to_disk == ARMZ_TRISTATE_ON ||
        armz_domain_xml_extra_present(&def->pm_extra))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED, _("setting ACPI S3/S4 not supported"));
    return TRUE;
}

static gboolean
check_placement(const ArmzDomainDef *def, GError **error)
{
    if (def->resource)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<resource> (cgroup partition) is not supported by the armz driver"));
    for (guint i = 0; i < def->seclabels->len; i++) {
        const ArmzDomainSeclabelDef *sec = g_ptr_array_index(def->seclabels, i);

        /* the DAC driver (security_dac.h) is the only security driver */
        if (sec->model && g_strcmp0(sec->model, "dac") != 0)
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("<seclabel model='%s'> is not supported by the armz driver (only 'dac')"),
                        sec->model);
        if (g_strcmp0(sec->type, "none") != 0 && g_strcmp0(sec->type, "dynamic") != 0 &&
            g_strcmp0(sec->type, "static") != 0)
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("<seclabel type='%s'> is not supported by the armz driver (only "
                          "'dynamic', 'static' or 'none')"), sec->type ? sec->type : "");
        if (sec->relabel && g_strcmp0(sec->relabel, "yes") != 0 &&
            g_strcmp0(sec->relabel, "no") != 0)
            return fail(error, VIR_ERR_XML_ERROR,
                        _("invalid security relabel value '%s'"), sec->relabel);
        if (g_str_equal(sec->type, "dynamic") && g_strcmp0(sec->relabel, "no") == 0)
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("dynamic label type must use resource relabeling"));
        if (g_str_equal(sec->type, "static") && (!sec->label || !strchr(sec->label, ':')))
            return fail(error, VIR_ERR_XML_ERROR,
                        _("security label of type 'static' needs <label>user:group</label>"));
    }
    return TRUE;
}

static gboolean
check_emulator(const ArmzDomainDef *def, GError **error)
{
    return !def->emulator || armz_domain_check_abs_path(def->emulator, "<emulator>", error);
}

/* STATE_DIR/UUID.EXT */
static char *
uuid_path(const ArmzDomainDef *def, const char *state_dir, const char *ext)
{
    char uuid[ARMZ_UUID_STRING_BUFLEN];
    g_autofree char *name = NULL;

    armz_uuid_format(def->uuid, uuid);
    name = g_strconcat(uuid, ext, NULL);
    return g_build_filename(state_dir, name, NULL);
}

char *
armz_domain_monitor_path(const ArmzDomainDef *def, const char *state_dir)
{
    return uuid_path(def, state_dir, ".qmp");
}

char *
armz_domain_vhost_user_dir(const ArmzDomainDef *def, const char *state_dir)
{
    return uuid_path(def, state_dir, ".vu");
}

/* ---------------- serial and consoles ---------------- */

static const char *
chr_what(gboolean console)
{
    return console ? "console" : "serial";
}

/* A tcp line listens (mode='bind', raw) on HOST:SERVICE, as Nova's serial
 * console proxy expects; armz-vmm takes one client at a time. */
static gboolean
check_chr_tcp(const ArmzDomainChrDef *chr, gboolean console, GError **error)
{
    guint64 port;

    if (g_strcmp0(chr->source_mode, "connect") == 0)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<%s type='tcp'> with <source mode='connect'> is not supported by the "
                      "armz driver: it listens (mode='bind')"), chr_what(console));
    if (chr->protocol && !g_str_equal(chr->protocol, "raw"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<protocol type='%s'> of <%s type='tcp'> is not supported by the armz "
                      "driver (raw is)"), chr->protocol, chr_what(console));
    if (!g_ascii_string_to_unsigned(chr->source_service, 10, 1, 65535, &port, NULL))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<%s type='tcp'> service '%s' is not a port number"),
                    chr_what(console), chr->source_service);
    if (!*chr->source_host || strpbrk(chr->source_host, " \t\n/"))
        return fail(error, VIR_ERR_XML_ERROR,
                    _("<%s type='tcp'> host '%s' is not a host name or address"),
                    chr_what(console), chr->source_host);
    return TRUE;
}

/* The backend of a <serial> or <console>: pty, file, tcp or null. */
static gboolean
check_chr_backend(const ArmzDomainChrDef *chr, gboolean console, GError **error)
{
    if (chr->type == ARMZ_DOMAIN_CHR_TYPE_STDIO)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<%s type='stdio'> is not supported by the armz driver: the daemon has "
                      "no terminal to connect it to"), chr_what(console));
    if (!g_strv_contains(chr_types, armz_domain_chr_type_to_string(chr->type)))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<%s type='%s'> is not supported by the armz driver (pty, file, tcp and "
                      "null are)"), chr_what(console), armz_domain_chr_type_to_string(chr->type));
    if (chr->type == ARMZ_DOMAIN_CHR_TYPE_TCP && !check_chr_tcp(chr, console, error))
        return FALSE;
    if (chr->type == ARMZ_DOMAIN_CHR_TYPE_FILE &&
        !armz_domain_check_abs_path(chr->source_path,
                                    console ? "<console> <source>" : "<serial> <source>", error))
        return FALSE;
    if (chr->log_file &&
        !armz_domain_check_abs_path(chr->log_file, console ? "<console> <log>" : "<serial> <log>",
                                    error))
        return FALSE;
    return TRUE;
}

/* The PL011: the first <serial>, or a serial-type <console> without one. */
static gboolean
check_uart(const ArmzDomainChrDef *chr, gboolean console, GError **error)
{
    if (chr->target_port > 0)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("%s port %d is not supported by the armz driver: the guest has one "
                      "serial port, port 0"), chr_what(console), chr->target_port);
    if (chr->target_type &&
        !(console ? g_str_equal(chr->target_type, "serial")
                  : g_strv_contains(serial_targets, chr->target_type)))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<%s> target type '%s' is not supported by the armz driver"),
                    chr_what(console), chr->target_type);
    if (!ok_value(serial_models, chr->target_model))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<%s> target model '%s' is not supported by the armz driver"),
                    chr_what(console), chr->target_model);
    if (chr->address)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<address> of <%s> is not supported by the armz driver: the PL011 "
                      "has a fixed place"), chr_what(console));
    return check_chr_backend(chr, console, error);
}

/* libvirt's console of target type 'serial' is another view of the first
 * serial port: it must describe that port, not a second backend. The
 * source and log may be left out (they are the serial's). */
static gboolean
check_console_alias(const ArmzDomainChrDef *con, const ArmzDomainChrDef *ser, GError **error)
{
    if (con->type != ser->type ||
        (con->type == ARMZ_DOMAIN_CHR_TYPE_FILE && con->source_path &&
         g_strcmp0(con->source_path, ser->source_path) != 0) ||
        (con->type == ARMZ_DOMAIN_CHR_TYPE_TCP &&
         (g_strcmp0(con->source_host, ser->source_host) != 0 ||
          g_strcmp0(con->source_service, ser->source_service) != 0)) ||
        (con->log_file && (g_strcmp0(con->log_file, ser->log_file) != 0 ||
                           g_strcmp0(con->log_append, ser->log_append) != 0)))
        return fail(error, VIR_ERR_XML_ERROR,
                    _("<console type='%s'> with target type 'serial' is the first <serial> "
                      "(type '%s') and must describe it the same way"),
                    armz_domain_chr_type_to_string(con->type),
                    armz_domain_chr_type_to_string(ser->type));
    if (con->target_port > 0)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("console port %d is not supported by the armz driver: the guest has one "
                      "serial port, port 0"), con->target_port);
    if (con->address)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<address> of <console> is not supported by the armz driver: the PL011 "
                      "has a fixed place"));
    return TRUE;
}

gboolean
armz_domain_chr_layout(const ArmzDomainDef *def, ArmzDomainChrLayout *layout, GError **error)
{
    memset(layout, 0, sizeof(*layout));
    layout->alias_console = -1;
    if (def->serials->len > 1)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("%u <serial> devices given, but the armz driver supports one (the guest "
                      "has one PL011 UART)"), def->serials->len);
    if (def->serials->len == 1) {
        layout->uart = g_ptr_array_index(def->serials, 0);
        if (!check_uart(layout->uart, FALSE, error))
            return FALSE;
    }
    for (guint i = 0; i < def->consoles->len; i++) {
        const ArmzDomainChrDef *con = g_ptr_array_index(def->consoles, i);

        if (con->target_type && !g_strv_contains(console_targets, con->target_type))
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("<console> target type '%s' is not supported by the armz driver"),
                        con->target_type);
        if (!con->target_type || g_str_equal(con->target_type, "serial")) {
            if (i != 0)
                return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                            _("Only the first console can be a serial port"));
            if (layout->uart) {
                if (!check_console_alias(con, layout->uart, error))
                    return FALSE;
                layout->alias_console = 0;
            } else {
                if (!check_uart(con, TRUE, error))
                    return FALSE;
                layout->uart = con;
                layout->uart_is_console = TRUE;
            }
            continue;
        }
        /* virtio */
        if (layout->vcon)
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("more than one virtio <console> is not supported by the armz "
                          "driver"));
        if (con->target_port > 0)
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("virtio console port %d is not supported by the armz driver: "
                          "the guest has one virtio console, port 0 (hvc0)"),
                        con->target_port);
        if (!check_virtio_address(con->address, "<console>", error) ||
            !check_chr_backend(con, TRUE, error))
            return FALSE;
        if (con->type == ARMZ_DOMAIN_CHR_TYPE_TCP)
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("<console type='tcp'> with target type 'virtio' is not supported by "
                          "the armz driver: a tcp line is the serial port's"));
        layout->vcon = con;
        layout->vcon_index = i;
    }
    return TRUE;
}

/* ---------------- disks ---------------- */

gboolean
armz_domain_disk_index(const char *name, guint64 *index)
{
    const char *p;
    guint64 idx = 0;
    size_t n;

    if (!name || !g_str_has_prefix(name, "vd"))
        return FALSE;
    p = name + 2;
    n = strlen(p);
    if (n == 0 || n > DISK_NAME_MAX_LETTERS)
        return FALSE;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 'a' || p[i] > 'z')
            return FALSE;
        idx = (i == 0 ? 0 : (idx + 1) * 26) + (guint64)(p[i] - 'a');
    }
    *index = idx;
    return TRUE;
}

gboolean
armz_domain_disk_is_scsi(const ArmzDomainDiskDef *disk)
{
    return disk->target_bus && g_str_equal(disk->target_bus, "scsi");
}

/* a drive address field: absent or 0 */
static gboolean
drive_zero(const ArmzDomainAddressDef *addr, const char *name)
{
    const char *v = armz_domain_address_attr(addr, name);
    return !v || g_str_equal(v, "0");
}

gboolean
armz_domain_scsi_unit(const ArmzDomainDiskDef *disk, guint *unit, GError **error)
{
    const ArmzDomainAddressDef *a = disk->address;
    const char *u;
    guint64 v;

    /* parsing gave every well-named SCSI disk its drive address */
    if (!a)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk target '%s' is not supported by the armz driver: SCSI disks "
                      "are named sda, sdb, ..."), disk->target_dev ? disk->target_dev : "");
    if (!a->type || !g_str_equal(a->type, "drive"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<address type='%s'> of SCSI disk '%s' is not supported by the armz "
                      "driver: use type='drive'"), a->type ? a->type : "", disk->target_dev);
    if (!drive_zero(a, "controller"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk '%s' is on SCSI controller %s: the armz driver has one "
                      "virtio-scsi controller (index 0), with 7 units for sda to sdg"),
                    disk->target_dev, armz_domain_address_attr(a, "controller"));
    if (!drive_zero(a, "bus") || !drive_zero(a, "target"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("SCSI disk '%s': the armz driver has bus 0 and target 0 only"),
                    disk->target_dev);
    u = armz_domain_address_attr(a, "unit");
    if (!u || !g_ascii_string_to_unsigned(u, 10, 0, ARMZ_SCSI_MAX_UNIT, &v, NULL))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("SCSI disk '%s': unit '%s' is not a number from 0 to %d"),
                    disk->target_dev, u ? u : "", ARMZ_SCSI_MAX_UNIT);
    *unit = (guint)v;
    return TRUE;
}

/* what only SCSI disks and CD-ROMs have to pass */
static gboolean
check_scsi_disk(const ArmzDomainDiskDef *disk, GError **error)
{
    guint unit;

    if (!armz_domain_scsi_unit(disk, &unit, error))
        return FALSE;
    /* the SCSI target reads and writes with preadv/pwritev only */
    if (disk->driver_io && !g_str_equal(disk->driver_io, "threads"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk '%s': io='%s' is not supported by the armz driver on bus='scsi': "
                      "use bus='virtio' or io='threads'"),
                    disk->target_dev, disk->driver_io);
    return TRUE;
}

static gboolean
check_disk_serial(const ArmzDomainDiskDef *disk, GError **error)
{
    /* libvirt's set; it also keeps the --disk option list unambiguous */
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ .+-";

    if (strspn(disk->serial, ok) != strlen(disk->serial))
        return fail(error, VIR_ERR_INVALID_ARG,
                    _("disk serial (%s) contains invalid characters"), disk->serial);
    /* Any length, as libvirt and QEMU take it: virtio-blk reports the first
     * 20 characters (armz-vmm cuts it there, as QEMU does), which is what
     * a guest sees of the volume id Nova writes as the serial. */
    return TRUE;
}

gboolean
armz_domain_disk_uses_qsd(const ArmzDomainDiskDef *disk)
{
    return g_strcmp0(disk->driver_type, "qcow2") == 0 || armz_domain_disk_has_iotune(disk) ||
           disk->type == ARMZ_DOMAIN_DISK_TYPE_NETWORK || disk->encryption_format;
}

/* <encryption>: LUKS (a raw LUKS image, or qcow2's built-in LUKS) whose
 * passphrase is a secret of the secret driver. */
static gboolean
check_encryption(const ArmzDomainDiskDef *disk, GError **error)
{
    const char *dev = disk->target_dev;
    unsigned char uuid[16];

    if (!disk->encryption_format)
        return TRUE;
    if (!g_str_equal(disk->encryption_format, "luks"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported disk encryption format '%s' of disk '%s': the armz driver "
                      "opens 'luks' only"), disk->encryption_format, dev);
    if (!disk->secret_uuid && !disk->secret_usage)
        return fail(error, VIR_ERR_XML_ERROR,
                    _("disk '%s': <encryption format='luks'> needs a <secret "
                      "type='passphrase'/>"), dev);
    if (disk->secret_uuid && !armz_uuid_parse(disk->secret_uuid, uuid))
        return fail(error, VIR_ERR_XML_ERROR, _("disk '%s': malformed secret uuid '%s'"), dev,
                    disk->secret_uuid);
    return TRUE;
}

/* <disk type='network'>: NBD, raw (a chain on the far side cannot be read). */
static gboolean
check_network_disk(const ArmzDomainDiskDef *disk, GError **error)
{
    const char *dev = disk->target_dev;
    guint64 port;

    if (!g_str_equal(disk->src_protocol, "nbd"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk '%s': network protocol '%s' is not supported by the armz driver "
                      "(qemu-storage-daemon here has no %s block driver; nbd is supported)"),
                    dev, disk->src_protocol, disk->src_protocol);
    if (disk->driver_type && !g_str_equal(disk->driver_type, "raw"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk '%s': a network disk must be raw for the armz driver (format '%s')"),
                    dev, disk->driver_type);
    if (disk->src_host_port && !armz_parse_u64(disk->src_host_port, 1, 65535, &port))
        return fail(error, VIR_ERR_XML_ERROR, _("disk '%s': invalid port '%s'"), dev,
                    disk->src_host_port);
    if (disk->src_host_socket) {
        g_autofree char *what = g_strdup_printf(_("disk '%s'"), dev);
        return armz_domain_check_abs_path(disk->src_host_socket, what, error);
    }
    return TRUE;
}

/* QEMU's rule for both paths: Linux AIO only without the page cache */
static gboolean
check_io_native(const ArmzDomainDiskDef *disk, GError **error)
{
    gboolean direct = g_strcmp0(disk->driver_cache, "none") == 0 ||
                      g_strcmp0(disk->driver_cache, "directsync") == 0;

    if (g_strcmp0(disk->driver_io, "native") == 0 && !direct)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk '%s': io='native' needs cache='none' or cache='directsync'"),
                    disk->target_dev);
    return TRUE;
}

static gboolean
is_report_policy(const char *p)
{
    return !p || g_str_equal(p, "report");
}

/* A disk of qemu-storage-daemon: every cache mode and io mode it has. */
static gboolean
check_qsd_disk(const ArmzDomainDiskDef *disk, GError **error)
{
    const char *dev = disk->target_dev;

    if (!check_io_native(disk, error) || !check_encryption(disk, error))
        return FALSE;
    /* a vhost-user-blk export fails the guest's request on an error: the
     * 'report' policy, and no other */
    if (!is_report_policy(disk->driver_error_policy) ||
        !is_report_policy(disk->driver_rerror_policy)) {
        gboolean w = !is_report_policy(disk->driver_error_policy);
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk '%s': %s='%s' is not supported for disks served by "
                      "qemu-storage-daemon (its vhost-user-blk exports have no werror/rerror "
                      "and report every error to the guest): use 'report' or raw on armz-vmm"),
                    dev, w ? "error_policy" : "rerror_policy",
                    w ? disk->driver_error_policy : disk->driver_rerror_policy);
    }
    if (disk->shareable)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("shareable disk '%s' is not supported by the armz driver"), dev);
    if (disk->serial)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk '%s': <serial> is not supported for disks served by "
                      "qemu-storage-daemon (vhost-user-blk has no serial)"), dev);
    if (!check_virtio_address(disk->address, "<disk>", error))
        return FALSE;
    if (disk->type == ARMZ_DOMAIN_DISK_TYPE_FILE || disk->type == ARMZ_DOMAIN_DISK_TYPE_BLOCK) {
        g_autofree char *what = g_strdup_printf(_("disk '%s'"), dev);
        return armz_domain_check_abs_path(disk->src_path, what, error);
    }
    if (disk->type == ARMZ_DOMAIN_DISK_TYPE_NETWORK)
        return check_network_disk(disk, error);
    return TRUE;
}

static gboolean
check_disk(const ArmzDomainDiskDef *disk, GError **error)
{
    const char *dev = disk->target_dev;

    if (!g_strv_contains(disk_devices, armz_domain_disk_device_to_string(disk->device)))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<disk device='%s'> is not supported by the armz driver (disk '%s')"),
                    armz_domain_disk_device_to_string(disk->device), dev);
    if (!ok_value(disk_buses, disk->target_bus))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<target bus='%s'> is not supported by the armz driver (disk '%s'): "
                      "use bus='virtio' or bus='scsi'"),
                    disk->target_bus, dev);
    if (disk->device == ARMZ_DOMAIN_DISK_DEVICE_CDROM && !armz_domain_disk_is_scsi(disk))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<disk device='cdrom'> '%s' is not supported by the armz driver on bus "
                      "'%s': use <target bus='scsi'/>"), dev,
                    disk->target_bus ? disk->target_bus : "virtio");
    if (armz_domain_disk_is_scsi(disk) && !check_scsi_disk(disk, error))
        return FALSE;
    if (!ok_value(disk_driver_names, disk->driver_name))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported driver name '%s' for disk '%s'"), disk->driver_name, dev);
    if (!ok_value(disk_formats, disk->driver_type))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk format '%s' is not supported by the armz driver (disk '%s'): "
                      "armz-vmm reads raw images only"), disk->driver_type, dev);
    if (armz_domain_disk_is_scsi(disk) && armz_domain_disk_uses_qsd(disk))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk '%s': the SCSI disks of the armz driver are raw files and block "
                      "devices without <iotune>; qcow2, network disks, <iotune> and "
                      "<encryption> need bus='virtio'"), dev);
    if (armz_domain_disk_uses_qsd(disk))
        return check_qsd_disk(disk, error);
    if (!ok_value(disk_caches, disk->driver_cache))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk cache mode '%s' is not supported by the armz driver (disk '%s')"),
                    disk->driver_cache, dev);
    if (!ok_value(disk_ios, disk->driver_io))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk io mode '%s' is not supported by the armz driver (disk '%s'): "
                      "armz-vmm was built without liburing, use io='threads' or io='native'"),
                    disk->driver_io, dev);
    if (!check_io_native(disk, error))
        return FALSE;
    if (!ok_value(disk_discards, disk->driver_discard))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk discard mode '%s' is not supported by the armz driver (disk '%s')"),
                    disk->driver_discard, dev);
    if (disk->serial && !check_disk_serial(disk, error))
        return FALSE;
    if (!armz_domain_disk_is_scsi(disk) && !check_virtio_address(disk->address, "<disk>", error))
        return FALSE;
    if (disk->device == ARMZ_DOMAIN_DISK_DEVICE_CDROM && disk->type == ARMZ_DOMAIN_DISK_TYPE_FILE &&
        !disk->src_path)
        return TRUE;            /* an empty CD-ROM */
    if (disk->type == ARMZ_DOMAIN_DISK_TYPE_FILE || disk->type == ARMZ_DOMAIN_DISK_TYPE_BLOCK) {
        g_autofree char *what = g_strdup_printf(_("disk '%s'"), dev);
        return armz_domain_check_abs_path(disk->src_path, what, error);
    }
    if (disk->type != ARMZ_DOMAIN_DISK_TYPE_VOLUME)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk type of disk '%s' is not supported by the armz driver"), dev);
    return TRUE;
}

static gint
disk_slot_cmp(gconstpointer a, gconstpointer b)
{
    const ArmzDomainDiskSlot *x = a, *y = b;

    return x->index < y->index ? -1 : x->index > y->index;
}

GArray *
armz_domain_disks_in_order(const ArmzDomainDef *def, GError **error)
{
    g_autoptr(GArray) slots = g_array_sized_new(FALSE, FALSE, sizeof(ArmzDomainDiskSlot),
                                                def->disks->len);

    for (guint i = 0; i < def->disks->len; i++) {
        const ArmzDomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        ArmzDomainDiskSlot s = { 0, i };

        if (armz_domain_disk_is_scsi(disk))
            continue;
        if (!armz_domain_disk_index(disk->target_dev, &s.index)) {
            fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                 _("disk target '%s' is not supported by the armz driver: virtio disks "
                   "are named vda, vdb, ..."), disk->target_dev);
            return NULL;
        }
        g_array_append_val(slots, s);
    }
    g_array_sort(slots, disk_slot_cmp);
    return g_steal_pointer(&slots);
}

/* Names first (in input order), then each disk in the guest's order, as
 * the plan lays them out. */
static gboolean
check_disks(const ArmzDomainDef *def, GError **error)
{
    g_autoptr(GArray) slots = armz_domain_disks_in_order(def, error);

    if (!slots)
        return FALSE;
    for (guint i = 0; i < slots->len; i++) {
        guint pos = g_array_index(slots, ArmzDomainDiskSlot, i).pos;

        if (!check_disk(g_ptr_array_index(def->disks, pos), error))
            return FALSE;
    }
    /* SCSI: each unit once */
    for (guint i = 0; i < def->disks->len; i++) {
        const ArmzDomainDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (!armz_domain_disk_is_scsi(disk))
            continue;
        if (!check_disk(disk, error))
            return FALSE;
        for (guint j = 0; j < i; j++) {
            const ArmzDomainDiskDef *other = g_ptr_array_index(def->disks, j);
            guint a, b;
            if (armz_domain_disk_is_scsi(other) && armz_domain_scsi_unit(disk, &a, NULL) &&
                armz_domain_scsi_unit(other, &b, NULL) && a == b)
                return fail(error, VIR_ERR_XML_ERROR,
                            _("Found duplicate drive address for disk with target name '%s' "
                              "controller='0' bus='0' target='0' unit='%u'"),
                            disk->target_dev, a);
        }
    }
    return TRUE;
}

/* SCSI controllers: the one virtio-scsi controller armz-vmm has */
static gboolean
check_controllers(const ArmzDomainDef *def, GError **error)
{
    for (guint i = 0; i < def->controllers->len; i++) {
        const ArmzDomainControllerDef *c = g_ptr_array_index(def->controllers, i);

        if (!g_str_equal(c->type, "scsi"))
            continue;
        if (c->model && !g_str_equal(c->model, "virtio-scsi"))
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("SCSI controller model '%s' is not supported by the armz driver: "
                          "use model='virtio-scsi'"), c->model);
        if (c->index > 0)
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("SCSI controller index %d is not supported by the armz driver: "
                          "it has one virtio-scsi controller, index 0"), c->index);
    }
    return TRUE;
}

/* ---------------- interfaces and rng ---------------- */

const char *
armz_domain_net_ifname(const ArmzDomainNetDef *net)
{
    const char *n = net->target_dev;

    if (n && (g_str_has_prefix(n, "vnet") || g_str_has_prefix(n, "macvtap") ||
              g_str_has_prefix(n, "macvlan")))
        return NULL;
    return n;
}

/* Linux's rules for a network device name (dev_valid_name). */
static gboolean
check_ifname(const char *name, GError **error)
{
    if (!*name || strlen(name) >= 16 || g_str_equal(name, ".") || g_str_equal(name, "..") ||
        strpbrk(name, "/: \t\n\r\v\f"))
        return fail(error, VIR_ERR_XML_ERROR,
                    _("invalid interface name '%s': at most 15 characters, no '/', ':' or "
                      "blanks"), name);
    return TRUE;
}

static gboolean
check_nets(const ArmzDomainDef *def, GError **error)
{
    for (guint i = 0; i < def->nets->len; i++) {
        const ArmzDomainNetDef *net = g_ptr_array_index(def->nets, i);
        const char *ifname = armz_domain_net_ifname(net);

        if (!ok_value(net_models, net->model))
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("<model type='%s'> of <interface> is not supported by the armz "
                          "driver"), net->model);
        if (!check_virtio_address(net->address, "<interface>", error))
            return FALSE;
        if (net->type >= ARMZ_DOMAIN_NET_TYPE_LAST)
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("<interface type='%s'> is not supported by the armz driver"),
                        armz_domain_net_type_to_string(net->type));
        if (ifname && !check_ifname(ifname, error))
            return FALSE;
        if (net->target_unmanaged &&
            (net->type != ARMZ_DOMAIN_NET_TYPE_ETHERNET || !ifname))
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("<target managed='no'> needs <interface type='ethernet'> and the "
                          "name of an existing tap in <target dev=''>"));
        if (net->vport_type && net->type != ARMZ_DOMAIN_NET_TYPE_BRIDGE)
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("<virtualport type='%s'> is supported by the armz driver only on "
                          "<interface type='bridge'> (an Open vSwitch bridge)"),
                        net->vport_type);
    }
    return TRUE;
}

static gboolean
check_rngs(const ArmzDomainDef *def, GError **error)
{
    const ArmzDomainRngDef *rng;
    const char *path;

    if (def->rngs->len == 0)
        return TRUE;
    if (def->rngs->len > 1)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("%u <rng> devices given, but the armz driver supports one"),
                    def->rngs->len);
    rng = g_ptr_array_index(def->rngs, 0);
    if (!ok_value(rng_models, rng->model))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<rng model='%s'> is not supported by the armz driver"), rng->model);
    if (!rng->backend_model || !g_strv_contains(rng_backends, rng->backend_model))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<backend model='%s'> of <rng> is not supported by the armz driver"),
                    rng->backend_model ? rng->backend_model : "");
    path = rng->backend_path ? rng->backend_path : rng_sources[0];
    if (!g_strv_contains(rng_sources, path))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("file '%s' is not a supported random source: use /dev/urandom or "
                      "/dev/random"), path);
    if (rng->rate_bytes || rng->rate_period)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<rate> of <rng> (rate limiting) is not supported by the armz driver"));
    return check_virtio_address(rng->address, "<rng>", error);
}

static gboolean
check_channel(const ArmzDomainDef *def, guint i, GError **error)
{
    const ArmzDomainChannelDef *ch = g_ptr_array_index(def->channels, i);
    const char *name = ch->target_name;

    if (!ok_value(channel_types, ch->type) || !ok_value(channel_targets, ch->target_type))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<channel type='%s'> with <target type='%s'> is not supported by the "
                      "armz driver"), ch->type ? ch->type : "",
                    ch->target_type ? ch->target_type : "");
    /* the daemon is the agent's client through a socket, as libvirt */
    if (g_strcmp0(ch->type, "pty") == 0 && g_strcmp0(name, "org.qemu.guest_agent.0") == 0)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("the guest agent channel 'org.qemu.guest_agent.0' must be "
                      "<channel type='unix'>"));
    /* the port's name is also the file name of its generated socket */
    if (!name || !*name || strchr(name, '/') || g_str_equal(name, ".") ||
        g_str_equal(name, ".."))
        return fail(error, VIR_ERR_XML_ERROR, _("invalid or missing target name '%s' of <channel>"),
                    name ? name : "");
    for (guint k = 0; k < i; k++)
        if (g_strcmp0(((ArmzDomainChannelDef *)g_ptr_array_index(def->channels, k))->target_name,
                      name) == 0)
            return fail(error, VIR_ERR_XML_ERROR,
                        _("virtio channel name '%s' is used more than once"), name);
    if (ch->source_path && !armz_domain_check_abs_path(ch->source_path, "<channel>", error))
        return FALSE;
    if (ch->address && !(ch->address->type && g_strv_contains(channel_addresses,
                                                              ch->address->type)))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<address type='%s'> of <channel> is not supported by the armz driver"),
                    ch->address->type ? ch->address->type : "");
    return TRUE;
}

/* A fixed CID: 0-2 are the hypervisor's, loopback and the host's. */
static gboolean
check_vsock(const ArmzDomainDef *def, GError **error)
{
    const ArmzDomainVsockDef *v = &def->vsock;

    if (!def->has_vsock)
        return TRUE;
    if (armz_domain_vsock_auto(v) ? FALSE : v->cid < 3 || v->cid >= G_MAXUINT32)
        return fail(error, VIR_ERR_XML_ERROR, _("vsock CID %u is reserved or out of range"),
                    v->cid);
    return check_virtio_address(v->address, "<vsock>", error);
}

gboolean
armz_domain_vsock_auto(const ArmzDomainVsockDef *v)
{
    return v->cid_auto == ARMZ_TRISTATE_ON || (v->cid_auto == ARMZ_TRISTATE_ABSENT && !v->cid);
}

static gboolean
check_channels(const ArmzDomainDef *def, GError **error)
{
    if (def->channels->len > ARMZ_LAUNCH_MAX_CHANNELS)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("%u <channel> devices given, but the armz driver supports %u"),
                    def->channels->len, (unsigned int)ARMZ_LAUNCH_MAX_CHANNELS);
    for (guint i = 0; i < def->channels->len; i++)
        if (!check_channel(def, i, error))
            return FALSE;
    return TRUE;
}

/* PCI controllers and addresses (pci_address.c assigns them) */
static gboolean
check_pci(const ArmzDomainDef *def, GError **error)
{
    g_autoptr(ArmzPciPlan) plan = armz_pci_plan_new(def, error);

    if (!plan)
        return FALSE;
    /* AAVMF reads the boot order (fw_cfg "bootorder") only in a guest with
     * a PCI host bridge: without one it would boot the SCSI unit in its own
     * order, not in the one asked for */
    for (guint i = 0; !plan->active && i < def->disks->len; i++) {
        const ArmzDomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        if (armz_domain_disk_is_scsi(disk) && disk->boot_order &&
            armz_domain_uses_firmware(def))
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("<boot order> of SCSI disk '%s' needs a PCI Express root "
                          "(<controller type='pci' model='pcie-root'/>): the firmware "
                          "follows the boot order only in a guest with a PCI host bridge"),
                        disk->target_dev);
    }
    return TRUE;
}

gboolean
armz_domain_validate(const ArmzDomainDef *def, GError **error)
{
    ArmzDomainChrLayout layout;

    g_return_val_if_fail(def != NULL, FALSE);
    return check_virt_type(def, error) &&
           check_memory(def, error) &&
           check_vcpus(def, error) &&
           armz_domain_validate_firmware(def, error) &&
           check_os(def, error) &&
           check_cpu(def, error) &&
           check_features(def, error) &&
           armz_domain_validate_platform(def, error) &&
           check_clock(def, error) &&
           check_lifecycle(def, error) &&
           check_pm(def, error) &&
           check_placement(def, error) &&
           armz_domain_tune_check(&def->tune, def->vcpus, error) &&
           check_emulator(def, error) &&
           armz_domain_chr_layout(def, &layout, error) &&
           check_disks(def, error) &&
           check_controllers(def, error) &&
           check_nets(def, error) &&
           check_rngs(def, error) &&
           check_channels(def, error) &&
           check_vsock(def, error) &&
           (!def->has_memballoon ||
            check_virtio_address(def->memballoon.address, "<memballoon>", error)) &&
           check_pci(def, error) &&
           armz_domain_check_vhost_user(def, error);
}
